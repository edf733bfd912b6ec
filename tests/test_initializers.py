import numpy as np
import pytest

from nntricks.initializers import get_initializer, he_normal, normal, xavier_uniform
from nntricks.layers import Dense
from nntricks.network import Network


@pytest.mark.parametrize("shape", [(300, 200), (784, 10), (50, 500)])
def test_xavier_bounds_and_variance_match_the_formula(shape, rng):
    n_in, n_out = shape
    weights = np.empty(shape)
    xavier_uniform(weights, rng)
    bound = np.sqrt(6 / (n_in + n_out))
    assert weights.min() >= -bound and weights.max() <= bound
    # The sample reaches the bounds: all n draws stay below bound*(1 - 40/n) with probability
    # (1 - 20/n)^n ~ e^-20.
    assert weights.max() > bound * (1 - 40 / weights.size)
    assert weights.min() < -bound * (1 - 40 / weights.size)
    # Var U[-r, r] = r^2/3 = 2/(n_in+n_out); the sample variance of n draws has relative standard
    # error sqrt(0.8/n) (kurtosis 9/5), so 5 of those is a safe margin.
    expected = 2 / (n_in + n_out)
    assert abs(weights.var() / expected - 1) < 5 * np.sqrt(0.8 / weights.size)
    assert abs(weights.mean()) < 5 * np.sqrt(expected / weights.size)


def test_he_normal_variance_is_two_over_fan_in(rng):
    weights = np.empty((400, 300))
    he_normal(weights, rng)
    # The sample variance of n normal draws has relative standard error sqrt(2/n).
    assert abs(weights.var() / (2 / 400) - 1) < 5 * np.sqrt(2 / weights.size)


def test_small_normal_has_the_requested_std(rng):
    weights = np.empty((200, 200))
    normal(std=0.05)(weights, rng)
    assert abs(weights.std() / 0.05 - 1) < 5 * np.sqrt(0.5 / weights.size)


def test_seeded_initialization_is_reproducible_and_biases_start_at_zero():
    def build(init):
        return Network([Dense(8, 5, init=init), Dense(5, 3, init=init)], dtype=np.float64)

    for init in ["xavier", "he", "normal"]:
        first, second = build(init).initialize(7), build(init).initialize(7)
        np.testing.assert_array_equal(first.params, second.params)
        assert not np.array_equal(first.params, build(init).initialize(8).params)
        assert all(np.all(b == 0) for b in first.intercepts)
        assert all(np.any(W != 0) for W in first.coefs)


def test_float32_weights_are_filled_in_place(rng):
    weights = np.zeros((10, 10), dtype=np.float32)
    xavier_uniform(weights, rng)
    assert weights.dtype == np.float32 and np.any(weights != 0)


def test_unknown_initializer_and_bad_std_are_refused():
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        get_initializer("glorot")
    with pytest.raises(ValueError, match="std"):
        get_initializer("normal", std=-1.0)
