import numpy as np
import pytest

from nntricks.gradcheck import numerical_gradient, relative_error
from nntricks.layers import Activation, Dense, Dropout
from nntricks.network import Network


def bound_dense(n_in, n_out, rng):
    layer = Dense(n_in, n_out)
    Network([layer], "squared_error", dtype=np.float64).initialize(rng)
    layer.b[...] = rng.normal(size=n_out)
    return layer


def check_backward(layer, x, rng, training=False):
    """Backward of a layer against finite differences of <G, forward(x)> in x."""
    out = layer.forward(x, training)
    G = rng.normal(size=out.shape)
    layer.needs_input_grad = True
    analytic = layer.backward(G).copy()
    numerical = numerical_gradient(lambda v: float(np.sum(G * layer.forward(v, training))), x)
    return np.max(relative_error(analytic, numerical))


def test_dense_backward_passes_the_checker(rng):
    layer = bound_dense(5, 3, rng)
    x = rng.normal(size=(4, 5))
    assert check_backward(layer, x, rng) < 1e-7
    G = rng.normal(size=(4, 3))
    layer.forward(x)
    layer.backward(G)
    dW, db = layer.dW.copy(), layer.db.copy()
    for param, analytic in [(layer.W, dW), (layer.b, db)]:
        numerical = numerical_gradient(lambda _: float(np.sum(G * layer.forward(x))), param)
        assert np.max(relative_error(analytic, numerical)) < 1e-7


def test_dense_forward_is_affine(rng):
    layer = bound_dense(3, 2, rng)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b, rtol=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "hardtanh", "softsign", "relu",
                                  "leaky_relu", "identity"])
def test_activation_layer_backward_passes_the_checker(name, rng):
    x = rng.uniform(-3, 3, size=(4, 6))
    x = np.where(np.abs(np.abs(x) - 1) < 1e-2, x + 0.05, x)  # away from the kinks at 0 and ±1
    x = np.where(np.abs(x) < 1e-2, x + 0.05, x)
    assert check_backward(Activation(name), x, rng) < 1e-7


def test_dropout_backward_with_fixed_mask_passes_the_checker(rng):
    layer = Dropout(0.4)
    layer.rng = np.random.default_rng(3)
    layer.frozen = True
    x = rng.normal(size=(5, 8))
    assert check_backward(layer, x, rng, training=True) < 1e-7


@pytest.mark.parametrize("scaling", ["inverted", "inference"])
def test_dropout_matches_inference_in_expectation(scaling):
    rate, keep = 0.3, 0.7
    layer = Dropout(rate, scaling=scaling)
    layer.rng = np.random.default_rng(11)
    x = np.linspace(0.5, 2.0, 50)[None, :].repeat(200, axis=0)
    inference = layer.forward(x, training=False).copy()
    draws = np.stack([layer.forward(x, training=True).copy() for _ in range(50)])
    kept = draws != 0
    # Keep fraction: a binomial proportion over n = 500,000 units.
    n = kept.size
    assert abs(kept.mean() - keep) < 5 * np.sqrt(keep * rate / n)
    # Mean training output per unit vs inference output, over 50*200 draws per unit: each draw is
    # x*s*Bernoulli(keep) with s = 1/keep (inverted) or 1, so its std is x*s*sqrt(keep*rate).
    s = 1 / keep if scaling == "inverted" else 1.0
    std_of_mean = x[0] * s * np.sqrt(keep * rate) / np.sqrt(draws.shape[0] * x.shape[0])
    mean = draws.mean(axis=(0, 1))
    assert np.all(np.abs(mean - inference[0]) < 5 * std_of_mean)
    expected_inference = x if scaling == "inverted" else keep * x
    np.testing.assert_allclose(inference, expected_inference)


def test_dropout_gradients_flow_only_through_kept_units(rng):
    layer = Dropout(0.5)
    layer.rng = rng
    x = rng.normal(size=(20, 30))
    out = layer.forward(x, training=True)
    dx = layer.backward(np.ones_like(out))
    dropped = out == 0
    assert dropped.any() and (~dropped).any()
    assert np.all(dx[dropped] == 0)
    np.testing.assert_allclose(dx[~dropped], 1 / 0.5)


def test_dropout_rate_zero_is_the_identity(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(Dropout(0.0).forward(x, training=True), x)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rate_outside_zero_one_is_refused(rate):
    with pytest.raises(ValueError, match=r"dropout rate must lie in \[0, 1\)"):
        Dropout(rate)


def test_dropout_scaling_must_be_known():
    with pytest.raises(ValueError, match="unknown dropout scaling 'half'"):
        Dropout(0.5, scaling="half")


def test_mismatched_layer_sizes_are_refused():
    with pytest.raises(ValueError, match=r"mismatched layer sizes: Dense\(6, 2\) receives 5"):
        Network([Dense(4, 5), Activation("relu"), Dense(6, 2)])


def test_dense_sizes_must_be_positive_integers():
    with pytest.raises(ValueError, match="n_out"):
        Dense(3, 0)
