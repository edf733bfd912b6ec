"""Per-step time of each nntricks optimizer against ``torch.optim`` on one flat vector.

Run from the repository root::

    .venv/bin/python -m benchmarks.optimizers                 # nntricks only
    PYTHONPATH=src:. /tmp/torchvenv/bin/python -m benchmarks.optimizers   # with torch

Both libraries step the same 500,000-parameter float32 vector with the same gradient.
Rounds are interleaved (each round times every optimizer of both libraries in turn), and the
table gives the median time per step over the rounds with the min–max range, and the ratio
nntricks / torch of the medians (below 1: nntricks is faster). NumPy runs on one thread;
torch runs with its default intra-op threads, and also pinned to one thread for a like-for-like
comparison. PyTorch is optional: without it only the nntricks column is printed.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from nntricks import optim

try:  # optional: never a dependency of nntricks
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

# name -> (nntricks optimizer, torch.optim class name and keyword arguments), equivalent settings
CASES = {
    "sgd": (lambda: optim.sgd(0.01), ("SGD", {"lr": 0.01})),
    "momentum": (lambda: optim.sgd(0.01, momentum=0.9), ("SGD", {"lr": 0.01, "momentum": 0.9})),
    "nesterov": (
        lambda: optim.sgd(0.01, momentum=0.9, nesterov=True),
        ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ),
    "adagrad": (
        lambda: optim.adagrad(0.01, epsilon=1e-10, eps_inside_root=False),
        ("Adagrad", {"lr": 0.01, "eps": 1e-10}),
    ),
    "rmsprop": (
        lambda: optim.rmsprop(0.01, decay=0.99, epsilon=1e-8),
        ("RMSprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}),
    ),
    "adam": (lambda: optim.adam(1e-3), ("Adam", {"lr": 1e-3})),
    "adamw": (
        lambda: optim.adamw(1e-3, weight_decay=0.01),
        ("AdamW", {"lr": 1e-3, "weight_decay": 0.01}),
    ),
}


def _time_steps(step, n_steps: int) -> float:
    start = time.perf_counter()
    for _ in range(n_steps):
        step()
    return (time.perf_counter() - start) / n_steps


def _nntricks_runner(factory, params0, grads):
    opt = factory()
    params = params0.copy()
    state = opt.init(params)
    return lambda: opt.step(params, grads, state)


def _torch_runner(spec, params0, grads, threads):
    cls, kwargs = spec
    p = torch.tensor(params0, requires_grad=True)
    p.grad = torch.from_numpy(grads)
    opt = getattr(torch.optim, cls)([p], **kwargs)

    def step():
        torch.set_num_threads(threads)
        opt.step()

    return step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500_000, help="number of parameters")
    parser.add_argument("--steps", type=int, default=50, help="steps timed per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (>= 3)")
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds must be >= 3")

    rng = np.random.default_rng(0)
    params0 = rng.standard_normal(args.size).astype(np.float32)
    grads = (1e-3 * rng.standard_normal(args.size)).astype(np.float32)

    columns = ["nntricks"]
    runners = {}
    for name, (factory, _spec) in CASES.items():
        runners[(name, "nntricks")] = _nntricks_runner(factory, params0, grads)
    if torch is None:
        print("torch is not importable: timing nntricks only (install torch to compare).")
    else:
        default_threads = torch.get_num_threads()
        thread_counts = [default_threads] + ([1] if default_threads != 1 else [])
        for threads in thread_counts:
            label = f"torch {threads}T"
            columns.append(label)
            for name, (_factory, spec) in CASES.items():
                runners[(name, label)] = _torch_runner(spec, params0, grads, threads)
        torch.set_num_threads(default_threads)

    for run in runners.values():  # warm up
        _time_steps(run, 3)
    times: dict[tuple[str, str], list[float]] = {key: [] for key in runners}
    for _ in range(args.rounds):
        for name in CASES:
            for column in columns:
                times[(name, column)].append(_time_steps(runners[(name, column)], args.steps))
    if torch is not None:
        torch.set_num_threads(thread_counts[0])

    print(
        f"optimizer step on {args.size:,} float32 parameters: median ms/step over "
        f"{args.rounds} interleaved rounds of {args.steps} steps [min-max]"
    )
    versions = f"numpy {np.__version__}"
    if torch is not None:
        versions += f", torch {torch.__version__} (default {thread_counts[0]} threads)"
    print(f"python {platform.python_version()}, {versions}, {platform.machine()}")
    header = f"{'optimizer':<10}" + "".join(f" | {c:>22}" for c in columns)
    if len(columns) > 1:
        header += "".join(f" | {'ratio vs ' + c:>16}" for c in columns[1:])
    print(header)
    print("-" * len(header))
    for name in CASES:
        medians = {}
        row = f"{name:<10}"
        for column in columns:
            ms = [1e3 * t for t in times[(name, column)]]
            medians[column] = statistics.median(ms)
            cell = f"{medians[column]:.3f} [{min(ms):.3f}-{max(ms):.3f}]"
            row += f" | {cell:>22}"
        for column in columns[1:]:
            row += f" | {medians['nntricks'] / medians[column]:>16.2f}"
        print(row)


if __name__ == "__main__":
    main()
