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

It also writes ``tests/data/torch_batchnorm.npz``, the forward and backward passes of a
float64 ``torch.nn.BatchNorm1d`` over three training batches and one evaluation batch (see
``run_batchnorm``).
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


BN_FEATURES = 5
BN_BATCH = 8
BN_STEPS = 3
BN_EVAL_ROWS = 6
BN_EPS = 1e-5
BN_MOMENTUM = 0.1


def batchnorm_forward_numpy(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float
) -> np.ndarray:
    """Training-mode batch norm: normalise with the batch mean and the biased variance."""
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # ddof=0
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def run_batchnorm() -> None:
    """Write ``tests/data/torch_batchnorm.npz`` from a float64 ``torch.nn.BatchNorm1d``.

    The layer has ``eps`` = 1e-5, ``momentum`` = 0.1 (PyTorch convention:
    ``running = (1 - momentum) * running + momentum * batch_statistic``, with the unbiased
    batch variance for ``running_var`` and the biased one for normalising), random weight
    ``gamma`` and bias ``beta``, and PyTorch's initial running statistics (mean 0, var 1).
    Saved, all float64 (``s`` = 3 training batches, ``b`` = 8 rows, ``f`` = 5 features):
    ``eps`` (), ``momentum`` (), ``gamma`` (f,), ``beta`` (f,), ``x_train`` (s, b, f);
    for each training batch in order, in ``train()`` mode: ``y_train`` (s, b, f) the
    output, ``grad_out`` (s, b, f) the upstream gradient, ``dx`` (s, b, f), ``dgamma``
    (s, f), ``dbeta`` (s, f) the gradients (zeroed between batches), ``running_mean``
    (s, f) and ``running_var`` (s, f) the running statistics after the batch; then
    ``x_eval`` (6, f) and ``y_eval`` (6, f), the output in ``eval()`` mode after the three
    batches; and ``torch_version``.
    """
    rng = np.random.default_rng(0)
    f, b, s = BN_FEATURES, BN_BATCH, BN_STEPS
    gamma = rng.uniform(0.5, 2.0, f)
    beta = rng.standard_normal(f)
    loc = 3.0 + rng.uniform(0.0, 2.0, f)  # feature means in [3, 5]
    scale = 2.0 * rng.uniform(0.5, 2.0, f)  # feature scales in [1, 4]
    x_train = loc + scale * rng.standard_normal((s, b, f))
    grad_out = rng.standard_normal((s, b, f))
    x_eval = loc + scale * rng.standard_normal((BN_EVAL_ROWS, f))

    layer = torch.nn.BatchNorm1d(f, eps=BN_EPS, momentum=BN_MOMENTUM, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
    assert np.array_equal(layer.running_mean.numpy(), np.zeros(f))
    assert np.array_equal(layer.running_var.numpy(), np.ones(f))

    y_train = np.empty((s, b, f))
    dx = np.empty((s, b, f))
    dgamma = np.empty((s, f))
    dbeta = np.empty((s, f))
    running_mean = np.empty((s, f))
    running_var = np.empty((s, f))
    expected_mean, expected_var = np.zeros(f), np.ones(f)
    layer.train()
    for k in range(s):
        layer.zero_grad(set_to_none=True)
        x = torch.tensor(x_train[k], dtype=torch.float64, requires_grad=True)
        y = layer(x)
        y.backward(torch.from_numpy(grad_out[k]))
        y_train[k] = y.detach().numpy()
        dx[k] = x.grad.numpy()
        dgamma[k] = layer.weight.grad.numpy()
        dbeta[k] = layer.bias.grad.numpy()
        running_mean[k] = layer.running_mean.numpy()
        running_var[k] = layer.running_var.numpy()

        # Sanity checks of the convention with plain numpy.
        np.testing.assert_allclose(
            y_train[k],
            batchnorm_forward_numpy(x_train[k], gamma, beta, BN_EPS),
            rtol=0,
            atol=1e-12,
        )
        expected_mean = (1 - BN_MOMENTUM) * expected_mean + BN_MOMENTUM * x_train[k].mean(0)
        expected_var = (1 - BN_MOMENTUM) * expected_var + BN_MOMENTUM * x_train[k].var(0, ddof=1)
        np.testing.assert_allclose(running_mean[k], expected_mean, rtol=0, atol=1e-12)
        np.testing.assert_allclose(running_var[k], expected_var, rtol=0, atol=1e-12)
        np.testing.assert_allclose(dbeta[k], grad_out[k].sum(0), rtol=0, atol=1e-12)
        x_hat = (y_train[k] - beta) / gamma
        np.testing.assert_allclose(dgamma[k], (grad_out[k] * x_hat).sum(0), rtol=0, atol=1e-12)

    layer.eval()
    with torch.no_grad():
        y_eval = layer(torch.from_numpy(x_eval)).numpy().copy()
    np.testing.assert_allclose(
        y_eval,
        gamma * (x_eval - running_mean[-1]) / np.sqrt(running_var[-1] + BN_EPS) + beta,
        rtol=0,
        atol=1e-12,
    )

    np.savez(
        OUT / "torch_batchnorm.npz",
        eps=np.float64(BN_EPS),
        momentum=np.float64(BN_MOMENTUM),
        gamma=gamma,
        beta=beta,
        x_train=x_train,
        y_train=y_train,
        grad_out=grad_out,
        dx=dx,
        dgamma=dgamma,
        dbeta=dbeta,
        running_mean=running_mean,
        running_var=running_var,
        x_eval=x_eval,
        y_eval=y_eval,
        torch_version=np.array(torch.__version__),
    )
    print(f"{'batchnorm':<26} {'BN1d':<8} final |y_eval| = {np.linalg.norm(y_eval):.6f}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    for index, (name, (cls, kwargs, schedule)) in enumerate(CASES.items()):
        run_case(index, name, cls, kwargs, schedule)
    run_batchnorm()


if __name__ == "__main__":
    main()
