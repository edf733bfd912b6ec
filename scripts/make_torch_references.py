"""Regenerate the PyTorch reference trajectories used by ``tests/test_optim.py``.

Run with a Python that has ``torch==2.13.0`` and ``numpy`` (never the project's own
environment: PyTorch is not a dependency of nntricks)::

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python scripts/make_torch_references.py

For each case it draws a starting vector and 200 gradients from a seeded generator, runs the
``torch.optim`` class in float64 (optionally with a ``LambdaLR`` schedule stepped after every
optimizer step, so step ``k`` = 0, 1, … uses ``lr · factor(k)``), and writes
``tests/data/torch_<case>.npz`` holding ``params0`` (n,), ``grads`` (steps, n),
``trajectory`` (steps, n) (the parameters after each step), ``torch_config`` (the JSON of
the class, its keyword arguments and the schedule) and ``torch_version``. The tests replay
the same gradients with numpy only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

N_PARAMS = 8
N_STEPS = 200
OUT = Path(__file__).resolve().parent.parent / "tests" / "data"

# name -> (torch.optim class, keyword arguments, schedule or None)
# schedule: ("step_decay", factor, every) -> factor ** (k // every);
#           ("exponential_decay", rate)   -> exp(-rate * k)
CASES: dict[str, tuple[str, dict, tuple | None]] = {
    "sgd": ("SGD", {"lr": 0.05}, None),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}, None),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    "sgd_momentum_step_decay": ("SGD", {"lr": 0.05, "momentum": 0.9}, ("step_decay", 0.5, 50)),
    "adagrad": ("Adagrad", {"lr": 0.1, "eps": 1e-10, "initial_accumulator_value": 0.1}, None),
    "rmsprop": ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8}, None),
    "adam": ("Adam", {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8}, None),
    "adam_exponential_decay": (
        "Adam",
        {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8},
        ("exponential_decay", 0.01),
    ),
    "adamw": (
        "AdamW",
        {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1},
        None,
    ),
    "adamw_step_decay": (
        "AdamW",
        {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1},
        ("step_decay", 0.5, 50),
    ),
}


def lr_factor(schedule: tuple | None):
    if schedule is None:
        return None
    if schedule[0] == "step_decay":
        _, factor, every = schedule
        return lambda k: factor ** (k // every)
    if schedule[0] == "exponential_decay":
        _, rate = schedule
        return lambda k: math.exp(-rate * k)
    raise ValueError(schedule)


def run_case(index: int, name: str, cls: str, kwargs: dict, schedule: tuple | None) -> None:
    rng = np.random.default_rng(20240 + index)
    params0 = rng.standard_normal(N_PARAMS)
    grads = rng.standard_normal((N_STEPS, N_PARAMS))
    p = torch.tensor(params0, dtype=torch.float64, requires_grad=True)
    torch_kwargs = dict(kwargs)
    if "betas" in torch_kwargs:
        torch_kwargs["betas"] = tuple(torch_kwargs["betas"])
    opt = getattr(torch.optim, cls)([p], **torch_kwargs)
    factor = lr_factor(schedule)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor) if factor else None
    trajectory = np.empty((N_STEPS, N_PARAMS))
    for k in range(N_STEPS):
        p.grad = torch.tensor(grads[k], dtype=torch.float64)
        opt.step()
        if sched is not None:
            sched.step()
        trajectory[k] = p.detach().numpy()
    config = {"class": cls, "kwargs": kwargs, "schedule": list(schedule) if schedule else None}
    np.savez(
        OUT / f"torch_{name}.npz",
        params0=params0,
        grads=grads,
        trajectory=trajectory,
        torch_config=np.array(json.dumps(config, sort_keys=True)),
        torch_version=np.array(torch.__version__),
    )
    print(f"{name:<26} {cls:<8} final |θ| = {np.linalg.norm(trajectory[-1]):.6f}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    for index, (name, (cls, kwargs, schedule)) in enumerate(CASES.items()):
        run_case(index, name, cls, kwargs, schedule)


if __name__ == "__main__":
    main()
