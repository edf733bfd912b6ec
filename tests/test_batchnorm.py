"""Batch normalization: PyTorch reference vectors, the gradient checker, running statistics."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from nntricks import MLPClassifier, load
from nntricks.gradcheck import check_network, numerical_gradient, relative_error
from nntricks.layers import Activation, BatchNorm, Dense, Dropout
from nntricks.network import Network
from nntricks.regularizers import L1, L2

REFERENCE = np.load(Path(__file__).parent / "data" / "torch_batchnorm.npz")


def reference_layer():
    """A float64 BatchNorm with PyTorch's γ, β, ε and momentum, in a one-layer network."""
    n = REFERENCE["gamma"].size
    layer = BatchNorm(n, momentum=float(REFERENCE["momentum"]), epsilon=float(REFERENCE["eps"]))
    network = Network([layer], "squared_error", n_features=n, dtype=np.float64).initialize(0)
    layer.gamma[...] = REFERENCE["gamma"]
    layer.beta[...] = REFERENCE["beta"]
    layer.needs_input_grad = True
    return layer, network


def test_forward_backward_and_running_statistics_follow_pytorch():
    layer, _ = reference_layer()
    for k in range(3):  # three training batches, as torch.nn.BatchNorm1d saw them
        y = layer.forward(REFERENCE["x_train"][k], training=True)
        np.testing.assert_allclose(y, REFERENCE["y_train"][k], rtol=1e-12, atol=1e-12)
        dx = layer.backward(REFERENCE["grad_out"][k])
        np.testing.assert_allclose(dx, REFERENCE["dx"][k], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.dgamma, REFERENCE["dgamma"][k], rtol=1e-12)
        np.testing.assert_allclose(layer.dbeta, REFERENCE["dbeta"][k], rtol=1e-12)
        np.testing.assert_allclose(layer.running_mean, REFERENCE["running_mean"][k], rtol=1e-12)
        np.testing.assert_allclose(layer.running_var, REFERENCE["running_var"][k], rtol=1e-12)
    np.testing.assert_allclose(layer.forward(REFERENCE["x_eval"]), REFERENCE["y_eval"],
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("training", [True, False], ids=["batch statistics", "running"])
def test_backward_in_x_passes_the_checker(training, rng):
    layer, _ = reference_layer()
    layer.running_mean[...] = rng.normal(size=5)
    layer.running_var[...] = rng.uniform(0.5, 2, size=5)
    x = REFERENCE["x_train"][0]
    G = rng.normal(size=x.shape)
    layer.frozen = True  # the probes must not move the running statistics
    layer.forward(x, training)
    analytic = layer.backward(G).copy()
    numerical = numerical_gradient(lambda v: float(np.sum(G * layer.forward(v, training))), x)
    assert np.max(relative_error(analytic, numerical)) < 1e-6


def batch_norm_network(seed=0, dropout=0.0):
    layers = [Dense(6, 8), BatchNorm(), Activation("tanh")]
    layers += [Dropout(dropout)] if dropout else []
    layers += [Dense(8, 5), BatchNorm(), Activation("softsign"), Dense(5, 3)]
    return Network(layers, "softmax_cross_entropy", [L2(1e-2), L1(1e-3)],
                   dtype=np.float64).initialize(seed)


@pytest.mark.parametrize("dropout", [0.0, 0.3], ids=["batch norm", "batch norm + dropout"])
def test_the_network_gradient_with_batch_statistics_passes_the_checker(dropout, rng):
    network = batch_norm_network(dropout=dropout)
    for layer in network.layers:  # not the initial γ = 1, β = 0: a harder test
        if isinstance(layer, BatchNorm):
            layer.gamma[...] = rng.uniform(0.5, 2, size=layer.gamma.shape)
            layer.beta[...] = rng.normal(size=layer.beta.shape)
    X = rng.normal(2.0, 3.0, size=(12, 6))
    Y = np.eye(3)[rng.integers(0, 3, size=12)]
    running = network.buffers.copy()
    report = check_network(network, X, Y, sample_weight=rng.uniform(0.5, 2, size=12))
    assert report.passed, str(report)
    names = [array.name for array in report.arrays]
    assert {"gamma[0]", "beta[0]", "gamma[1]", "beta[1]"} <= set(names)
    assert report.max_relative_error < 1e-7
    np.testing.assert_array_equal(network.buffers, running)  # the check left them alone


def test_gamma_and_beta_are_not_penalized_unless_asked(rng):
    network = Network([Dense(3, 4), BatchNorm(), Dense(4, 2)], dtype=np.float64)
    slices = network.parameter_slices()
    assert network.weight_mask[slices["W[0]"]].all()
    assert not network.weight_mask[slices["gamma[0]"]].any()
    assert not network.weight_mask[slices["beta[0]"]].any()
    penalized = Network([Dense(3, 4), BatchNorm(penalized=True), Dense(4, 2)])
    assert penalized.weight_mask[penalized.parameter_slices()["gamma[0]"]].all()


def test_initialization_and_layout_come_from_the_declarations():
    network = Network([Dense(3, 4), BatchNorm(), Dense(4, 2)], dtype=np.float64).initialize(0)
    gamma, beta = network.layers[1].gamma, network.layers[1].beta
    assert np.all(gamma == 1) and np.all(beta == 0)
    assert np.all(network.layers[1].running_mean == 0)
    assert np.all(network.layers[1].running_var == 1)
    assert np.shares_memory(gamma, network.params)
    assert np.shares_memory(network.layers[1].running_var, network.buffers)
    assert list(network.parameter_slices()) == ["W[0]", "b[0]", "gamma[0]", "beta[0]",
                                                "W[1]", "b[1]"]
    assert list(network.buffer_slices()) == ["running_mean[0]", "running_var[0]"]


def test_inference_does_not_depend_on_the_rest_of_the_batch(rng):
    network = batch_norm_network()
    X = rng.normal(size=(20, 6))
    Y = np.eye(3)[rng.integers(0, 3, size=20)]
    for _ in range(5):  # move the running statistics away from 0 and 1
        network.loss_and_grad(X, Y)
    together = network.predict(X)
    alone = np.vstack([network.predict(X[i:i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(alone, together, rtol=1e-12)


def test_a_batch_of_one_row_leaves_the_running_statistics_unchanged(rng):
    layer, network = reference_layer()
    before = network.buffers.copy()
    out = layer.forward(rng.normal(size=(1, 5)), training=True)
    np.testing.assert_allclose(out[0], layer.beta)  # x̂ = 0
    np.testing.assert_array_equal(network.buffers, before)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def test_the_estimator_inserts_batch_norm_before_each_activation(digits):
    X, y = digits
    model = MLPClassifier(hidden_layer_sizes=(32, 16), batch_norm=True, dropout=0.2,
                          max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):  # 3 epochs do not converge
        model.fit(X, y)
    kinds = [type(layer).__name__ for layer in model.network_.layers]
    assert kinds == ["Dense", "BatchNorm", "Activation", "Dropout",
                     "Dense", "BatchNorm", "Activation", "Dropout", "Dense"]
    assert len(model.coefs_) == 3  # coefs_ stay the Dense weights only


def test_batch_norm_and_dropout_train_together_and_survive_save_load(digits, tmp_path):
    X, y = digits
    model = MLPClassifier(hidden_layer_sizes=(64,), batch_norm=True, dropout=0.2, max_iter=30,
                          early_stopping=True, n_iter_no_change=30, random_state=0,
                          dtype="float32")
    with pytest.warns(ConvergenceWarning):
        model.fit(X[:1200], y[:1200])
    assert model.score(X[1200:], y[1200:]) > 0.9
    running = model.network_.buffers
    assert np.any(running != 0) and np.all(np.isfinite(running))
    loaded = load(model.save(tmp_path / "bn.npz"))
    np.testing.assert_array_equal(loaded.network_.buffers, running)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
