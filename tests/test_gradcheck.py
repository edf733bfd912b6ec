import numpy as np
import pytest

from nntricks.gradcheck import check_network, numerical_gradient, relative_error
from nntricks.layers import Activation, ArraySpec, Dense, Layer
from nntricks.network import Network
from nntricks.regularizers import L1


def test_numerical_gradient_of_a_known_function(rng):
    x = rng.normal(size=(3, 4))
    # d/dx sum(sin x * x) = cos x * x + sin x
    numerical = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), x)
    assert np.max(relative_error(np.cos(x) * x + np.sin(x), numerical)) < 1e-8


@pytest.mark.parametrize("method", ["centered", "forward"])
def test_every_probed_entry_is_restored_exactly(method, rng):
    x = rng.normal(size=(4, 5)) * 1e3 + 1 / 3
    original = x.copy()
    numerical_gradient(lambda v: float(np.sum(v**2)), x, method=method)
    np.testing.assert_array_equal(x, original)


def test_entries_are_restored_even_when_f_raises(rng):
    x = rng.normal(size=6)
    original = x.copy()
    calls = []

    def explode_on_third_call(v):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(explode_on_third_call, x)
    np.testing.assert_array_equal(x, original)


def fitted_order(method, steps):
    x0 = 0.7
    errors = [abs(numerical_gradient(lambda v: float(np.sin(v[0])), np.array([x0]), h=h,
                                     method=method)[0] - np.cos(x0)) for h in steps]
    slope, _ = np.polyfit(np.log(steps), np.log(errors), 1)
    return slope


def test_centered_error_is_second_order_and_forward_first_order():
    # Ranges where truncation dominates round-off (error >> 1e-16/h).
    assert fitted_order("centered", np.logspace(-1, -3.5, 8)) == pytest.approx(2, abs=0.1)
    assert fitted_order("forward", np.logspace(-1, -5, 8)) == pytest.approx(1, abs=0.1)


def test_relative_error_formula():
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert relative_error(-2.0, 2.0) == pytest.approx(2.0)
    assert relative_error(0.0, 0.0) == 0.0
    np.testing.assert_allclose(relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-300])),
                               [0.0, 1.0])


@pytest.mark.parametrize("h", [0.0, -1e-5, float("nan")])
def test_step_must_be_positive(h):
    with pytest.raises(ValueError, match="h must"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(2), h=h)


def test_a_step_lost_to_rounding_is_named():
    x = np.array([1.0], dtype=np.float32)
    with pytest.raises(ValueError, match="below the precision of x"):
        numerical_gradient(lambda v: float(v.sum()), x, h=1e-12)
    assert x[0] == 1.0


def test_method_must_be_known():
    with pytest.raises(ValueError, match="unknown method 'backward'"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(2), method="backward")


class WrongBiasGradient(Dense):
    """A plausible bug: the bias gradient averaged instead of summed over the batch."""

    def backward(self, grad_out):
        dx = super().backward(grad_out)
        self.db /= len(grad_out)
        return dx


def test_the_network_check_names_the_broken_array(rng):
    network = Network([Dense(4, 5), Activation("tanh"), WrongBiasGradient(5, 3)],
                      dtype=np.float64).initialize(1)
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(3, size=6)]
    report = check_network(network, X, Y)
    verdicts = {a.name: a.max_relative_error < report.tolerance for a in report.arrays}
    assert verdicts == {"W[0]": True, "b[0]": True, "W[1]": True, "b[1]": False}
    assert not report.passed
    assert "FAIL" in str(report) and "b[1]" in str(report)


def test_probes_straddling_a_relu_kink_are_flagged_not_failed():
    network = Network([Dense(1, 1), Activation("relu"), Dense(1, 1)], "squared_error",
                      dtype=np.float64)
    network.params[:] = [1.0, 3e-6, 2.0, 0.0]  # W0, b0 (z = x + 3e-6 sits at the kink), W1, b1
    X, Y = np.array([[0.0]]), np.array([[1.0]])
    report = check_network(network, X, Y, h=1e-5)
    assert report.passed
    assert [a.n_kinks for a in report.arrays] == [0, 1, 0, 0]  # x = 0: only b0 moves z
    assert ("b[0]", (0,)) in report.kink_probes
    # The flagged probe would have failed: the one-sided slopes differ (0 and 2*(2z - 1)*2).
    numerical = numerical_gradient(lambda _: network.loss(X, Y, training=True), network.params)
    _, grads = network.loss_and_grad(X, Y)
    assert relative_error(grads[1], numerical[1]) > 0.1


def test_a_random_subset_of_coordinates_is_probed_reproducibly(rng):
    network = Network([Dense(30, 20), Activation("tanh"), Dense(20, 4)],
                      dtype=np.float64).initialize(0)
    X, Y = rng.normal(size=(8, 30)), np.eye(4)[rng.integers(4, size=8)]
    first = check_network(network, X, Y, max_probes=10, random_state=5)
    second = check_network(network, X, Y, max_probes=10, random_state=5)
    assert [a.n_probed for a in first.arrays] == [10, 10, 10, 4]
    assert [a.worst_index for a in first.arrays] == [a.worst_index for a in second.arrays]
    assert first.passed


def test_forward_differences_are_much_less_accurate_than_centered(rng):
    network = Network([Dense(3, 4), Activation("sigmoid"), Dense(4, 2)],
                      dtype=np.float64).initialize(0)
    X, Y = rng.normal(size=(5, 3)), np.eye(2)[rng.integers(2, size=5)]
    forward = check_network(network, X, Y, method="forward", tolerance=1e-2)
    centered = check_network(network, X, Y, method="centered")
    assert forward.passed and centered.passed
    assert forward.max_relative_error > 100 * centered.max_relative_error
    assert check_network(network, X, Y, method="forward").tolerance == 1e-3


def test_an_error_above_the_round_off_floor_fails_even_on_a_tiny_gradient(rng):
    network = Network([Dense(3, 2)], "squared_error", dtype=np.float64).initialize(0)
    X, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    report = check_network(network, X, Y)
    # Floor: eps * |J| / (h * tolerance), a few 1e-4 here.
    assert report.floor == pytest.approx(
        np.finfo(np.float64).eps * max(report.loss, 1) / (1e-5 * 1e-7))
    # A gradient entry of size 1e-6 that is wrong by 10% is still caught: 1e-7/floor > 1e-7.
    assert relative_error(1e-6, 1.1e-6, tiny=report.floor) > report.tolerance


def test_probes_straddling_an_l1_kink_are_flagged(rng):
    network = Network([Dense(2, 2)], "squared_error", [L1(0.5)], dtype=np.float64)
    network.params[:] = [0.3, -4e-6, 0.5, 0.7, 0.1, 0.2]
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    report = check_network(network, X, Y)
    assert report.passed and report.kink_probes == [("W[0]", (0, 1))]


def test_network_check_validates_its_arguments(rng):
    network = Network([Dense(2, 2)], dtype=np.float64)
    X, Y = rng.normal(size=(3, 2)), np.eye(2)[[0, 1, 0]]
    with pytest.raises(ValueError, match="h must"):
        check_network(network, X, Y, h=0)
    with pytest.raises(ValueError, match="max_probes"):
        check_network(network, X, Y, max_probes=0)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        check_network(network, X, Y)


class Scale(Layer):
    """The README's example layer, y = x * s, with a gradient that can be spoiled."""

    def __init__(self, analytic_at_2=None, nan_when_s2_moves=False):
        super().__init__()
        self.analytic_at_2, self.nan_when_s2_moves = analytic_at_2, nan_when_s2_moves

    def parameters(self):
        return [ArraySpec("s", (self.n_in,), init=1.0)]

    def forward(self, x, training=False):
        self.x = x
        y = x * self.s
        if self.nan_when_s2_moves and self.s[2] != 1.0:
            y[:, 2] = np.nan
        return y

    def backward(self, grad_out):
        np.sum(grad_out * self.x, axis=0, out=self.ds)
        if self.analytic_at_2 is not None:
            self.ds[2] = self.analytic_at_2
        return grad_out * self.s


@pytest.mark.parametrize("spoiled", [{"analytic_at_2": np.nan}, {"analytic_at_2": np.inf},
                                     {"analytic_at_2": -np.inf}, {"nan_when_s2_moves": True}])
def test_a_non_finite_derivative_fails_the_check_and_shows_in_the_report(spoiled, rng):
    network = Network([Dense(4, 5), Scale(**spoiled), Activation("tanh"), Dense(5, 3)],
                      dtype=np.float64).initialize(0)
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(3, size=6)]
    report = check_network(network, X, Y)
    assert not report.passed
    assert np.isnan(report.max_relative_error)
    scale = report.arrays[2]
    assert scale.name == "s[0]" and scale.worst_index == (2,) and np.isnan(scale.max_relative_error)
    row = next(line for line in str(report).splitlines() if line.startswith("s[0]"))
    assert "nan" in row and row.endswith("FAIL")
    assert str(report).splitlines()[-1].startswith("FAILED: largest relative error nan")
    assert all(a.max_relative_error < report.tolerance for a in report.arrays if a is not scale)


def test_a_nan_derivative_at_a_kink_probe_is_not_set_aside():
    class NaNBias(Dense):
        def backward(self, grad_out):
            dx = super().backward(grad_out)
            self.db[0] = np.nan
            return dx

    network = Network([NaNBias(1, 1), Activation("relu"), Dense(1, 1)], "squared_error",
                      dtype=np.float64)
    network.params[:] = [1.0, 3e-6, 2.0, 0.0]  # b0's probe straddles the ReLU kink
    report = check_network(network, np.array([[0.0]]), np.array([[1.0]]), h=1e-5)
    assert not report.passed and report.kink_probes == []
    assert np.isnan(report.arrays[1].max_relative_error)


def test_relative_error_of_non_finite_values_is_nan_without_a_warning():
    errors = relative_error([np.nan, np.inf, 1.0, np.inf], [1.0, 1.0, np.nan, np.inf])
    assert np.all(np.isnan(errors))
