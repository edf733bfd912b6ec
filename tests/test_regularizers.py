import numpy as np
import pytest

from nntricks.gradcheck import numerical_gradient, relative_error
from nntricks.layers import Dense
from nntricks.network import Network
from nntricks.regularizers import L1, L2


@pytest.fixture
def network():
    return Network([Dense(4, 3), Dense(3, 2)], dtype=np.float64).initialize(0)


@pytest.mark.parametrize("regularizer", [L2(0.3), L1(0.3)], ids=["L2", "L1"])
def test_gradient_passes_the_checker(regularizer, network, rng):
    params = network.params
    params[...] = rng.uniform(0.1, 1, size=params.shape) * rng.choice([-1, 1], params.shape)
    mask = network.weight_mask
    numerical = numerical_gradient(lambda v: regularizer.penalty(v, mask), params)
    assert np.max(relative_error(regularizer.gradient(params, mask), numerical)) < 1e-7


def test_values_are_the_notes_formulas_over_weights_only(network):
    W0, W1 = network.coefs
    b0, b1 = network.intercepts
    b0[...], b1[...] = 5.0, -7.0  # biases must not count
    mask = network.weight_mask
    squared = np.sum(W0**2) + np.sum(W1**2)
    absolute = np.sum(np.abs(W0)) + np.sum(np.abs(W1))
    assert L2(0.5).penalty(network.params, mask) == pytest.approx(0.5 * squared)
    assert L1(0.5).penalty(network.params, mask) == pytest.approx(0.5 * absolute)
    for regularizer in (L2(0.5), L1(0.5)):
        grad = regularizer.gradient(network.params, mask)
        assert np.all(grad[network.parameter_slices()["b[0]"]] == 0)
        assert np.all(grad[network.parameter_slices()["b[1]"]] == 0)
    np.testing.assert_allclose(L2(0.5).gradient(network.params, mask)[:12], W0.ravel())


def test_mask_is_one_on_weights_and_zero_on_biases(network):
    assert network.weight_mask.sum() == 4 * 3 + 3 * 2
    assert network.weight_mask[12:15].sum() == 0  # b[0]


@pytest.mark.parametrize("cls", [L1, L2])
def test_negative_strength_is_refused(cls):
    with pytest.raises(ValueError, match="strength"):
        cls(-1e-3)
