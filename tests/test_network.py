import pickle

import numpy as np
import pytest

from nntricks import optim
from nntricks.gradcheck import check_network
from nntricks.layers import Activation, ArraySpec, Dense, Dropout, Layer
from nntricks.network import Network
from nntricks.regularizers import L1, L2
from nntricks.training import Trainer

LOSS_TARGETS = {
    "softmax_cross_entropy": lambda rng, n, k: np.eye(k)[rng.integers(k, size=n)],
    "binary_cross_entropy": lambda rng, n, k: rng.integers(0, 2, size=(n, k)).astype(float),
    "squared_error": lambda rng, n, k: rng.normal(size=(n, k)),
    "poisson": lambda rng, n, k: rng.poisson(1.0, size=(n, k)).astype(float),
}


def four_layer_network(activations, loss, dropout=0.25, seed=0):
    sizes = [6, 9, 8, 7, 3]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(Dense(n_in, n_out))
        if i < len(activations):
            layers += [Activation(activations[i]), Dropout(dropout)]
    return Network(layers, loss, [L2(1e-2), L1(1e-3)], dtype=np.float64).initialize(seed)


@pytest.mark.parametrize("loss", list(LOSS_TARGETS))
@pytest.mark.parametrize("activations", [("tanh", "sigmoid", "softsign"),
                                         ("relu", "leaky_relu", "hardtanh")])
def test_four_layer_network_with_dropout_passes_the_checker(loss, activations, rng):
    network = four_layer_network(activations, loss)
    X = rng.normal(size=(10, 6))
    Y = LOSS_TARGETS[loss](rng, 10, 3)
    report = check_network(network, X, Y, sample_weight=rng.uniform(0.5, 2, size=10))
    assert report.max_relative_error < 1e-7, str(report)
    assert sum(a.n_probed for a in report.arrays) == network.params.size
    # Dropout was active: some hidden unit was dropped while the mask was held fixed.
    assert any(np.any(layer._mask == 0) for layer in network.layers
               if isinstance(layer, Dropout))


def test_dropout_is_active_only_in_training(rng):
    network = four_layer_network(("tanh", "tanh", "tanh"), "squared_error", dropout=0.5)
    X = rng.normal(size=(5, 6))
    first = network.forward(X, training=True).copy()
    second = network.forward(X, training=True).copy()
    assert not np.array_equal(first, second)
    inference = network.forward(X).copy()
    np.testing.assert_array_equal(inference, network.forward(X))


def test_predict_applies_the_output_function_in_chunks(rng):
    network = four_layer_network(("relu", "relu", "relu"), "softmax_cross_entropy")
    X = rng.normal(size=(25, 6))
    probabilities = network.predict(X, batch_size=7)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1)
    np.testing.assert_allclose(probabilities, network.predict(X), rtol=1e-12)


def test_loss_and_grad_includes_the_penalties(rng):
    network = four_layer_network(("tanh", "tanh", "tanh"), "squared_error", dropout=0.0)
    X, Y = rng.normal(size=(5, 6)), rng.normal(size=(5, 3))
    value, _ = network.loss_and_grad(X, Y, training=False)
    unpenalized = network.loss_function.value(network.forward(X), Y)
    W = np.concatenate([w.ravel() for w in network.coefs])
    assert value == pytest.approx(unpenalized + 1e-2 * np.sum(W**2) + 1e-3 * np.sum(np.abs(W)))


def test_float32_network_stays_float32(rng):
    network = Network([Dense(4, 5), Activation("relu"), Dense(5, 2)]).initialize(0)
    X = rng.normal(size=(3, 4))
    value, grads = network.loss_and_grad(X, np.eye(2)[[0, 1, 0]])
    assert network.params.dtype == grads.dtype == np.float32
    assert network.forward(X.astype(np.float32)).dtype == np.float32
    assert np.isfinite(value)


def test_layers_are_views_into_the_flat_vectors():
    network = Network([Dense(4, 5), Dense(5, 2)]).initialize(0)
    for layer in network.layers:
        assert np.shares_memory(layer.W, network.params)
        assert np.shares_memory(layer.dW, network.grads)
    network.params[:] = 0
    assert all(np.all(W == 0) for W in network.coefs)


def test_fan_in_scale_is_one_over_root_fan_in():
    network = Network([Dense(4, 5), Dense(5, 2)])
    slices = network.parameter_slices()
    np.testing.assert_allclose(network.fan_in_scale[slices["W[0]"]], 1 / 2)
    np.testing.assert_allclose(network.fan_in_scale[slices["b[0]"]], 1 / 2)
    np.testing.assert_allclose(network.fan_in_scale[slices["W[1]"]], 1 / np.sqrt(5))


def test_pickled_network_keeps_its_views(rng):
    network = four_layer_network(("tanh", "relu", "tanh"), "softmax_cross_entropy")
    X = rng.normal(size=(4, 6))
    clone = pickle.loads(pickle.dumps(network))
    np.testing.assert_array_equal(clone.predict(X), network.predict(X))
    clone.params[:] = 0
    assert np.all(clone.coefs[0] == 0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_X_or_Y_is_refused(bad, rng):
    network = Network([Dense(3, 2)], "squared_error")
    X, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    X_bad, Y_bad = X.copy(), Y.copy()
    X_bad[1, 2], Y_bad[0, 0] = bad, bad
    with pytest.raises(ValueError, match="X contains"):
        network.loss_and_grad(X_bad, Y)
    with pytest.raises(ValueError, match="Y contains"):
        network.loss_and_grad(X, Y_bad)


def test_mismatched_lengths_and_shapes_are_refused(rng):
    network = Network([Dense(3, 2)], "squared_error")
    with pytest.raises(ValueError, match="X and Y have different lengths: 4 != 5"):
        network.loss_and_grad(rng.normal(size=(4, 3)), rng.normal(size=(5, 2)))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\)"):
        network.predict(rng.normal(size=(4, 2)))
    with pytest.raises(ValueError, match=r"Y must have shape \(n_samples, 2\)"):
        network.loss(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        network.loss(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), -np.ones(4))


def test_forward_and_predict_refuse_what_they_cannot_use(rng):
    net = Network([Dense(4, 3)], dtype=np.float64).initialize(0)
    for X, shape in ((np.ones(4), r"\(4,\)"), (np.ones((2, 5)), r"\(2, 5\)"),
                     ([[1.0, 2.0, 3.0, 4.0]], "list")):
        with pytest.raises(ValueError, match=rf"X must have shape \(n_samples, 4\), got {shape}"):
            net.forward(X)
    for batch_size in (0, -1, 2.5):
        with pytest.raises(ValueError, match="batch_size must"):
            net.predict(np.ones((3, 4)), batch_size=batch_size)
    with pytest.raises(ValueError, match="X has no samples"):
        net.loss_and_grad(np.ones((0, 4)), np.ones((0, 3)))


@pytest.mark.parametrize("regularizers", [L2(0.1), [0.1], ["l2"]])
def test_regularizers_must_be_a_list_of_penalties(regularizers):
    with pytest.raises(TypeError, match="regularizers must be"):
        Network([Dense(4, 3)], regularizers=regularizers)


def test_a_frozen_block_inside_another_leaves_the_outer_one_frozen(rng):
    net = Network([Dense(4, 6), Dropout(0.5), Dense(6, 3)], dtype=np.float64).initialize(0)
    X = rng.standard_normal((5, 4))
    with net.frozen():
        first = net.forward(X, training=True).copy()
        with net.frozen():
            pass
        np.testing.assert_array_equal(net.forward(X, training=True), first)
    assert not np.array_equal(net.forward(X, training=True), first)  # new masks after it


def test_a_network_needs_parameters_and_a_float_dtype():
    with pytest.raises(ValueError, match="at least one layer with parameters"):
        Network([Activation("relu")], n_features=3)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        Network([Dense(2, 2)], dtype=np.int32)


class Scale(Layer):
    """A user's own layer, written outside the package: y = x ⊙ s with a learned vector s."""

    def parameters(self):
        return [ArraySpec("s", (self.n_in,), init=lambda s, rng: s.__setitem__(
            ..., rng.uniform(0.5, 1.5, size=s.shape)))]

    def forward(self, x, training=False):
        self.x = x
        return x * self.s

    def backward(self, grad_out):
        np.sum(grad_out * self.x, axis=0, out=self.ds)
        return grad_out * self.s if self.needs_input_grad else None


def test_a_user_defined_layer_is_initialized_checked_and_trained(rng):
    network = Network([Dense(4, 5), Scale(), Activation("tanh"), Dense(5, 3)], "squared_error",
                      [L2(1e-2)], dtype=np.float64).initialize(0)
    scale = network.layers[1]
    assert list(network.parameter_slices()) == ["W[0]", "b[0]", "s[0]", "W[1]", "b[1]"]
    assert np.shares_memory(scale.s, network.params) and np.all(scale.s >= 0.5)
    span = network.parameter_slices()["s[0]"]
    assert not network.weight_mask[span].any() and np.all(network.fan_in_scale[span] == 1)
    X, Y = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
    report = check_network(network, X, Y)
    assert report.passed and "s[0]" in [array.name for array in report.arrays]
    before = scale.s.copy()
    Trainer(network, optim.sgd(0.1), batch_size=8).run(X, Y, max_epochs=1)
    assert not np.array_equal(scale.s, before)


def test_a_wrong_backward_in_a_user_layer_is_caught(rng):
    class Wrong(Scale):
        def backward(self, grad_out):
            super().backward(grad_out)
            self.ds *= 1.01  # a 1 % error in the parameter gradient
            return grad_out * self.s

    network = Network([Dense(4, 5), Wrong(), Dense(5, 3)], "squared_error",
                      dtype=np.float64).initialize(0)
    report = check_network(network, rng.normal(size=(8, 4)), rng.normal(size=(8, 3)))
    failed = [array.name for array in report.arrays if array.max_relative_error > 1e-7]
    assert failed == ["s[0]"]


def test_activity_is_each_activation_layers_output_and_the_gradient_at_its_input(rng):
    network = Network([Dense(3, 4), Activation("tanh"), Dropout(0.5), Dense(4, 2)],
                      "squared_error", dtype=np.float64).initialize(1)
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    [(a, g)] = network.activity(X, Y)
    W0, b0 = network.coefs[0], network.intercepts[0]
    W1, b1 = network.coefs[1], network.intercepts[1]
    a_hand = np.tanh(X @ W0 + b0)  # dropout is the identity in inference mode
    delta = (a_hand @ W1 + b1 - Y) / len(X)  # ∂L/∂z of the half squared error, averaged
    np.testing.assert_allclose(a, a_hand, rtol=1e-12)
    np.testing.assert_allclose(g, (delta @ W1.T) * (1 - a_hand**2), rtol=1e-12)


def test_targets_outside_the_losss_domain_are_refused(rng):
    X = rng.standard_normal((4, 3))
    Y = np.eye(2)[[0, 1, 0, 1]]
    Y[0] = [1.0, 1.0]  # not a probability vector: p - y would not be the gradient
    with pytest.raises(ValueError, match="row 0 sums to 2"):
        Network([Dense(3, 2)]).loss_and_grad(X, Y)
    with pytest.raises(ValueError, match="non-negative"):
        Network([Dense(3, 2)], "poisson").loss(X, -np.abs(Y))
