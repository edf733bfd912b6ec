"""The optimised training step computes what a plain NumPy step computes, and allocates nothing big.

The reference below is written the obvious way (new arrays everywhere, one layer at a time):
forward through ReLU layers, softmax cross-entropy gradient, backward, L2 on the weights
divided by the batch size (scikit-learn's ``alpha``), then the optimizer update. The trainer
runs the same 50 minibatches through the network, the penalties and the optimizer chain the
estimators build, and the parameters must agree to 1e-6 (float64).
"""

import itertools
import json
import math
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nntricks import optim
from nntricks.layers import Activation, Dense
from nntricks.network import Network
from nntricks.regularizers import L2
from nntricks.training import Trainer

SIZES = (12, 16, 8, 3)
BATCH = 10
N_STEPS = 50
MU, BETA_1, BETA_2, EPSILON = 0.9, 0.9, 0.999, 1e-8


def reference_gradients(weights, biases, X, Y, alpha):
    activations = [X]
    for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
        z = activations[-1] @ W + b
        activations.append(np.maximum(z, 0) if i < len(weights) - 1 else z)
    logits = activations[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = (p - Y) / len(X)
    dWs, dbs = [None] * len(weights), [None] * len(weights)
    for i in reversed(range(len(weights))):
        dWs[i] = activations[i].T @ delta + alpha * weights[i] / len(X)
        dbs[i] = delta.sum(axis=0)
        if i > 0:
            delta = (delta @ weights[i].T) * (activations[i] > 0)
    return dWs, dbs


def reference_sgd(momentum, nesterov, learning_rate):
    velocity = {}

    def update(key, param, grad):
        v = velocity.get(key, np.zeros_like(param))
        v = momentum * v - learning_rate * grad
        velocity[key] = v
        return param + (momentum * v - learning_rate * grad if nesterov else v)

    return update


def reference_adam(learning_rate):
    moments, count = {}, {"t": 0}

    def update(key, param, grad):
        if key == ("W", 0):
            count["t"] += 1
        t = count["t"]
        m, v = moments.get(key, (np.zeros_like(param), np.zeros_like(param)))
        m = BETA_1 * m + (1 - BETA_1) * grad
        v = BETA_2 * v + (1 - BETA_2) * grad**2
        moments[key] = (m, v)
        m_hat, v_hat = m / (1 - BETA_1**t), v / (1 - BETA_2**t)
        return param - learning_rate * m_hat / (np.sqrt(v_hat) + EPSILON)

    return update


def reference_training(weights, biases, batches, alpha, update):
    weights, biases = [W.copy() for W in weights], [b.copy() for b in biases]
    for X, Y in batches:
        dWs, dbs = reference_gradients(weights, biases, X, Y, alpha)
        for i in range(len(weights)):
            weights[i] = update(("W", i), weights[i], dWs[i])
            biases[i] = update(("b", i), biases[i], dbs[i])
    return weights, biases


def network(alpha, dtype=np.float64):
    layers = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(SIZES)):
        layers.append(Dense(n_in, n_out))
        if i < len(SIZES) - 2:
            layers.append(Activation("relu"))
    # scikit-learn's penalty (alpha/2)·Σ‖W‖², divided by the batch size by the trainer
    penalties = [L2(alpha / 2)] if alpha > 0 else []
    return Network(layers, "softmax_cross_entropy", penalties, dtype=dtype).initialize(0)


def estimator_optimizer(solver, rate):
    """The chain MLPClassifier builds for these solvers."""
    if solver == "adam":
        return optim.Optimizer(optim.scale_by_adam(BETA_1, BETA_2, EPSILON),
                               optim.scale_by_learning_rate(rate))
    return optim.Optimizer(optim.scale_by_learning_rate(rate),
                           optim.trace(MU, nesterov=solver == "nesterov"))


def data(rng, n_samples, dtype=np.float64):
    X = rng.standard_normal((n_samples, SIZES[0])).astype(dtype)
    Y = np.eye(SIZES[-1], dtype=dtype)[rng.integers(0, SIZES[-1], n_samples)]
    return X, Y


def trainer(net, solver, learning_rate, batch_size=BATCH):
    return Trainer(net, estimator_optimizer(solver, learning_rate), batch_size=batch_size,
                   shuffle=False)


CASES = {
    "nesterov": (lambda lr: reference_sgd(MU, True, lr), 0.1),
    "momentum": (lambda lr: reference_sgd(MU, False, lr), 0.1),
    "adam": (reference_adam, 0.01),
}


@pytest.mark.parametrize("alpha", [0.0, 0.5], ids=["no-L2", "L2"])
@pytest.mark.parametrize("solver", list(CASES))
def test_optimised_steps_match_a_plain_numpy_reference(solver, alpha, rng):
    make_update, learning_rate = CASES[solver]
    X, Y = data(rng, N_STEPS * BATCH)
    net = network(alpha)
    weights0 = [W.copy() for W in net.coefs]
    biases0 = [b.copy() for b in net.intercepts]
    trainer(net, solver, learning_rate).run(X, Y, max_epochs=1, stop_early=False)
    batches = [(X[i:i + BATCH], Y[i:i + BATCH]) for i in range(0, len(X), BATCH)]
    weights, biases = reference_training(weights0, biases0, batches, alpha,
                                         make_update(learning_rate))
    assert len(batches) == N_STEPS
    for got, expected in zip(net.coefs + net.intercepts, weights + biases, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    # the parameters moved: the comparison is not between two copies of the start
    assert max(np.abs(W - W0).max() for W, W0 in zip(net.coefs, weights0, strict=True)) > 1e-2


def epoch_allocation(solver: str) -> tuple[int, int, float]:
    """Peak bytes newly allocated by an epoch of three steps (after a warm-up epoch), the
    smallest activation's bytes, and the epoch's loss."""
    rng = np.random.default_rng(20261126)
    sizes, batch = (100, 512, 256, 10), 128
    layers = [Dense(sizes[0], sizes[1]), Activation("relu"),
              Dense(sizes[1], sizes[2]), Activation("relu"), Dense(sizes[2], sizes[3])]
    net = Network(layers, "softmax_cross_entropy", [L2(1e-4)], dtype=np.float32).initialize(0)
    X = rng.standard_normal((batch * 3, sizes[0])).astype(np.float32)
    Y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], len(X))]
    train = trainer(net, solver, 1e-3, batch_size=batch)
    train.run(X, Y, max_epochs=1)  # warm up: work buffers and optimizer state
    order = train._order(len(X))  # drawn once an epoch, before its steps
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with np.errstate(all="ignore"):
            loss = train._epoch(X, Y, None, order)  # three steps
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before, batch * min(sizes[1:-1]) * X.itemsize, loss


@pytest.mark.parametrize("solver", list(CASES))
def test_a_training_step_allocates_far_less_than_one_activation(solver):
    # In a fresh process: tracemalloc counts every thread's allocations, and threads that
    # other tests leave behind (an event loop, a server) would be counted too.
    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
              "from test_speed_equivalence import epoch_allocation; "
              "print(json.dumps(epoch_allocation(sys.argv[2])))")
    completed = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent),
                                solver], capture_output=True, text=True, check=True)
    allocated, smallest_activation, loss = json.loads(completed.stdout)
    # What remains: NumPy's own fixed 8192-element buffer for a broadcast ufunc (the bias
    # add; 32 kB whatever the layer's size) and small per-batch index columns.
    assert allocated < smallest_activation / 3, (allocated, smallest_activation)
    assert math.isfinite(loss)
