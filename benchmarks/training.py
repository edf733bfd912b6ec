"""Training speed of nntricks against scikit-learn and PyTorch on the CPU (issue 7).

Run from the repository root::

    .venv/bin/python -m benchmarks --output bench.json                # without PyTorch
    PYTHONPATH=src:. /tmp/torchvenv/bin/python -m benchmarks --output bench.json

What is timed is the same for every library: a whole ``fit`` from float32 arrays (model built,
labels encoded, shuffled minibatches, epoch loss accumulated), under the machine's default
BLAS and thread settings; see :mod:`benchmarks._libraries` for the equivalent configurations.
Rounds are interleaved (each round times every library on every case, in a rotating order) and
the table gives the median over the rounds with the min-max range, and the ratio nntricks /
other taken within each round, as its median and range over the rounds (below 1: nntricks is
faster). Within-round ratios keep their meaning when the machine's speed drifts between rounds
(a shared machine's neighbours come and go); the targets are judged on their median.

Cases
-----
mnist-size   784-512-256-10, ReLU, batch 128, 60,000 random float32 samples of 10 classes (an
             epoch's time does not depend on the values), one epoch; SGD with Nesterov
             momentum, and Adam.
digits       64-100-10 on scikit-learn's digits (1,797 samples), batch 32, 20 epochs; reported
             per training step.
GEMM floor   for the mnist-size cases, one epoch's matrix products alone (the forward ``x @ W``,
             ``dW = x.T @ delta`` and ``dX = delta @ W.T`` for all but the first layer, on
             the same shapes, NumPy float32, default threads), timed in the same rounds: the
             epoch of a matrix-multiply-bound trainer cannot go below it.
1 thread     the mnist-size SGD epoch of nntricks inside ``threadpool_limits(1)``, as a
             fraction of NumPy's own float32 matrix-multiply rate on the same products (one
             step's forward ``x @ W``, ``dW = x.T @ delta`` and ``dX = delta @ W.T`` for all
             but the first layer), replayed alone in the same run.
memory       peak traced memory of the nntricks SGD epoch (see :mod:`benchmarks._memory`), as a
             fraction of data set + parameters + one batch's activations.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ._libraries import FITTERS, TORCH_HINT, available_libraries
from ._machine import machine_info

BIG = {"n_samples": 60_000, "n_features": 784, "hidden": (512, 256), "n_classes": 10,
       "batch_size": 128, "epochs": 1}
SMALL = {"hidden": (100,), "batch_size": 32, "epochs": 20}

FLOOR = "GEMM floor"
"""The big cases' pseudo-library: one epoch's matrix products alone (see :func:`gemm_floor`)."""

# (case, other library) -> largest allowed nntricks / other ratio of the medians
TARGETS = {
    ("mnist-size sgd", FLOOR): 1.05, ("mnist-size sgd", "torch"): 0.90,
    ("mnist-size sgd", "sklearn"): 0.70,
    ("mnist-size adam", FLOOR): 1.05, ("mnist-size adam", "torch"): 0.85,
    ("mnist-size adam", "sklearn"): 0.70,
    ("digits sgd", "torch"): 0.30, ("digits sgd", "sklearn"): 0.50,
    ("digits adam", "torch"): 0.30, ("digits adam", "sklearn"): 0.50,
}
MIN_BLAS_FRACTION = 0.60
MAX_MEMORY_RATIO = 1.2


def big_data(n_samples=BIG["n_samples"], n_features=BIG["n_features"], seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, n_features), dtype=np.float32)
    return X, rng.integers(0, BIG["n_classes"], n_samples)


def digits_data():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def n_steps(n_samples: int, batch_size: int, epochs: int) -> int:
    return epochs * math.ceil(n_samples / batch_size)


def training_flops(n_samples: int, sizes, batch_size: int) -> int:
    """FLOPs of one epoch's matrix products: forward, dW, and dX for all but the first layer."""
    total = 0
    for start in range(0, n_samples, batch_size):
        n = min(batch_size, n_samples - start)
        for i, (a, b) in enumerate(itertools.pairwise(sizes)):
            total += 2 * n * a * b * (3 if i > 0 else 2)
    return total


def step_products(sizes, batch_size: int) -> list[tuple]:
    """One training step's matrix products as ``(left, right, out)``: ``x @ W``,
    ``dW = x.T @ delta`` and, for all but the first layer, ``dX = delta @ W.T``."""
    rng = np.random.default_rng(1)
    products = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        x = rng.random((batch_size, a), dtype=np.float32)
        W = rng.random((a, b), dtype=np.float32)
        delta = rng.random((batch_size, b), dtype=np.float32)
        products.append((x, W, np.empty((batch_size, b), np.float32)))
        products.append((x.T, delta, np.empty((a, b), np.float32)))
        if i > 0:
            products.append((delta, W.T, np.empty((batch_size, a), np.float32)))
    return products


def gemm_floor(sizes, batch_size: int, n_samples: int) -> float:
    """Seconds of one epoch's matrix products alone, in NumPy float32 with the default threads:
    the floor a training epoch of this network cannot go below."""
    full, rest = divmod(n_samples, batch_size)
    epoch = [(step_products(sizes, batch_size), full)] + \
        ([(step_products(sizes, rest), 1)] if rest else [])
    start = time.perf_counter()
    for products, repeats in epoch:
        for _ in range(repeats):
            for left, right, out in products:
                np.matmul(left, right, out=out)
    return time.perf_counter() - start


def matmul_replay(sizes, batch_size: int, repeats: int) -> float:
    """FLOP rate of NumPy's float32 ``matmul`` on one step's products, done alone."""
    products = step_products(sizes, batch_size)
    flops = sum(2 * p[0].shape[0] * p[0].shape[1] * p[1].shape[1] for p in products)
    for left, right, out in products:  # warm up
        np.matmul(left, right, out=out)
    start = time.perf_counter()
    for _ in range(repeats):
        for left, right, out in products:
            np.matmul(left, right, out=out)
    return flops * repeats / (time.perf_counter() - start)


def _timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def run_speed(libraries, rounds: int, log) -> dict:
    X, y = big_data()
    Xd, yd = digits_data()
    cases = {
        "mnist-size sgd": (X, y, BIG, "sgd"), "mnist-size adam": (X, y, BIG, "adam"),
        "digits sgd": (Xd, yd, SMALL, "sgd"), "digits adam": (Xd, yd, SMALL, "adam"),
    }
    log("warming up")
    for library in libraries:
        for solver in ("sgd", "adam"):
            FITTERS[library](X[:2000], y[:2000], BIG["hidden"], solver, BIG["batch_size"])
            FITTERS[library](Xd, yd, SMALL["hidden"], solver, SMALL["batch_size"])
    sizes = [BIG["n_features"], *BIG["hidden"], BIG["n_classes"]]
    floor = functools.partial(gemm_floor, sizes, BIG["batch_size"], len(X))
    times = {}
    for r in range(rounds):
        order = libraries[r % len(libraries):] + libraries[:r % len(libraries)]
        for case, (Xc, yc, spec, solver) in cases.items():
            fits = {library: functools.partial(
                FITTERS[library], Xc, yc, spec["hidden"], solver, spec["batch_size"],
                spec["epochs"], seed=r) for library in order}
            if spec is BIG:
                fits[FLOOR] = floor
            for library, fit in fits.items():
                seconds = _timed(fit)
                if spec is SMALL:
                    seconds /= n_steps(len(Xc), spec["batch_size"], spec["epochs"])
                times.setdefault(case, {}).setdefault(library, []).append(seconds)
            log(f"round {r + 1}/{rounds}: {case} done")
    return {"cases": {case: {"unit": "s/step" if spec is SMALL else "s/epoch", "solver": solver,
                             "times": times[case]}
                      for case, (_, _, spec, solver) in cases.items()}}


def run_one_thread(rounds: int, log) -> dict:
    X, y = big_data()
    sizes = [BIG["n_features"], *BIG["hidden"], BIG["n_classes"]]
    flops = training_flops(len(X), sizes, BIG["batch_size"])
    epoch_seconds, numpy_rates = [], []
    with threadpool_limits(1):
        FITTERS["nntricks"](X[:2000], y[:2000], BIG["hidden"], "sgd", BIG["batch_size"])
        for r in range(rounds):
            numpy_rates.append(matmul_replay(sizes, BIG["batch_size"], repeats=60))
            epoch_seconds.append(_timed(FITTERS["nntricks"], X, y, BIG["hidden"], "sgd",
                                        BIG["batch_size"], seed=r))
            log(f"1 thread round {r + 1}/{rounds} done")
    achieved = [flops / s for s in epoch_seconds]
    return {"flops_per_epoch": flops, "epoch_seconds": epoch_seconds,
            "achieved_flops_per_s": achieved, "numpy_matmul_flops_per_s": numpy_rates,
            "fraction": statistics.median(achieved) / statistics.median(numpy_rates)}


def run_memory(libraries) -> dict:
    results = {}
    root = Path(__file__).resolve().parent.parent
    for library in [lib for lib in ("nntricks", "sklearn") if lib in libraries]:
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks._memory", "--library", library],
            cwd=root, capture_output=True, text=True, check=True)
        results[library] = json.loads(completed.stdout.strip().splitlines()[-1])
    return results


def _median_cell(values, unit) -> str:
    scale, suffix = (1e6, "us") if unit == "s/step" else (1.0, "s")
    med = statistics.median(values) * scale
    return f"{med:.4g} [{min(values) * scale:.4g}-{max(values) * scale:.4g}] {suffix}"


def report(results: dict, libraries) -> list[str]:
    """The table as lines, and a verdict on every target."""
    lines, verdicts = [], {}
    columns = [*libraries, FLOOR]
    others = [lib for lib in columns if lib != "nntricks"]
    header = f"{'case':<16}" + "".join(f" | {lib:>28}" for lib in columns) + "".join(
        f" | {'nntricks/' + lib:>26}" for lib in others)
    lines += [header, "-" * len(header)]
    for case, entry in results["speed"]["cases"].items():
        times = entry["times"]
        row = f"{case:<16}" + "".join(
            f" | {_median_cell(times[lib], entry['unit']) if lib in times else '-':>28}"
            for lib in columns)
        entry["ratios"] = {}
        for lib in others:
            if lib not in times:
                row += f" | {'-':>26}"
                continue
            # each round's own ratio: both libraries ran minutes apart at most, on the same load
            rounds = [mine / theirs for mine, theirs in zip(times["nntricks"], times[lib],
                                                             strict=True)]
            ratio = statistics.median(rounds)
            entry["ratios"][lib] = {"median": ratio, "min": min(rounds), "max": max(rounds)}
            target = TARGETS.get((case, lib))
            verdict = "" if target is None else f" {'met' if ratio <= target else 'MISSED'}"
            row += f" | {f'{ratio:.2f} [{min(rounds):.2f}-{max(rounds):.2f}]{verdict}':>26}"
            if target is not None:
                verdicts[f"{case} vs {lib} <= {target}"] = ratio <= target
        lines.append(row)
    one = results["one_thread"]
    fraction = one["fraction"]
    verdicts[f"1-thread BLAS fraction >= {MIN_BLAS_FRACTION}"] = fraction >= MIN_BLAS_FRACTION
    achieved = [f / 1e9 for f in one["achieved_flops_per_s"]]
    numpy_rate = [f / 1e9 for f in one["numpy_matmul_flops_per_s"]]
    lines.append(
        f"1 BLAS thread: nntricks epoch {statistics.median(one['epoch_seconds']):.3g} s, "
        f"{statistics.median(achieved):.1f} [{min(achieved):.1f}-{max(achieved):.1f}] GFLOP/s of "
        f"products vs NumPy matmul alone {statistics.median(numpy_rate):.1f} "
        f"[{min(numpy_rate):.1f}-{max(numpy_rate):.1f}] GFLOP/s: {fraction:.0%} "
        f"(target >= {MIN_BLAS_FRACTION:.0%})")
    for library, memory in results["memory"].items():
        parts = memory["budget_bytes"]
        lines.append(
            f"peak memory {library}: {memory['peak_bytes'] / 2**20:.1f} MiB = "
            f"{memory['ratio']:.3f} x (data {parts['data'] / 2**20:.1f} + parameters "
            f"{parts['parameters'] / 2**20:.1f} + one batch's activations "
            f"{parts['activations'] / 2**20:.2f} MiB)")
        if library == "nntricks":
            verdicts[f"peak memory <= {MAX_MEMORY_RATIO} x budget"] = \
                memory["ratio"] <= MAX_MEMORY_RATIO
    results["targets"] = verdicts
    lines.append("targets: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}"
                                         for name, ok in verdicts.items()))
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (>= 3)")
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds must be >= 3")
    started = time.perf_counter()

    def log(message):
        if not args.quiet:
            print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr)

    libraries = available_libraries()
    if "torch" not in libraries:
        print(f"PyTorch is not importable: its columns are skipped. To compare: {TORCH_HINT}")
    results = {"machine": machine_info(), "measured": "estimator fit (whole fit call)",
               "rounds": args.rounds}
    results["speed"] = run_speed(libraries, args.rounds, log)
    results["one_thread"] = run_one_thread(args.rounds, log)
    log("peak memory (subprocess)")
    results["memory"] = run_memory(libraries)
    results["seconds"] = time.perf_counter() - started
    machine = results["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items())
    print(f"{machine['date']}  {machine['cpu']}, {machine['cores']} cores, load average "
          f"{machine['load_average']}; {versions}")
    print("BLAS: " + "; ".join(f"{p['internal_api']} {p['version']} {p['num_threads']} threads"
                               for p in machine["threadpools"]))
    print(f"time of a whole fit, median [min-max] over {args.rounds} interleaved rounds; "
          "ratio = nntricks / other in each round, median [min-max] (below 1: nntricks "
          "faster); targets: " + ", ".join(f"{case} vs {lib} <= {target}"
                                          for (case, lib), target in TARGETS.items()))
    for line in report(results, libraries):
        print(line)
    print(f"benchmark took {results['seconds']:.0f} s")
    if args.output is not None:
        args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"wrote {args.output}")
    return results
