import math

import numpy as np
import pytest

from nntricks.activations import ACTIVATIONS, LeakyReLU, ReLU, get_activation
from nntricks.gradcheck import numerical_gradient, relative_error

NAMES = ["sigmoid", "logistic", "tanh", "hardtanh", "softsign", "relu", "leaky_relu", "identity"]


def away_from_kinks(activation, z, margin=1e-3):
    for kink in activation.kinks:
        z = np.where(np.abs(z - kink) < margin, z + 4 * margin, z)
    return z


@pytest.mark.parametrize("name", NAMES)
def test_derivative_passes_the_gradient_checker(name, rng):
    activation = get_activation(name)
    z = away_from_kinks(activation, rng.uniform(-3, 3, size=(6, 5)))
    # The activation is elementwise, so d/dz_i of sum(f(z)) is f'(z_i).
    numerical = numerical_gradient(lambda v: float(activation.value(v).sum()), z)
    assert np.max(relative_error(activation.derivative(z), numerical)) < 1e-7


@pytest.mark.parametrize("name", NAMES)
def test_backward_from_output_equals_derivative(name, rng):
    activation = get_activation(name)
    z = away_from_kinks(activation, rng.uniform(-3, 3, size=(4, 7)))
    grad = rng.normal(size=z.shape)
    expected = grad * activation.derivative(z)
    activation.backward(activation.value(z), grad, np.empty_like(z))
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(name, dtype, rng):
    activation = get_activation(name)
    z = rng.uniform(-3, 3, size=(3, 4)).astype(dtype)
    assert activation.value(z).dtype == dtype
    assert activation.derivative(z).dtype == dtype
    out = np.empty_like(z)
    assert activation.value(z, out=out) is out


def test_values_against_closed_forms():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    cases = {
        "sigmoid": [1 / (1 + math.exp(-v)) for v in z],
        "tanh": [math.tanh(v) for v in z],
        "hardtanh": [-1.0, -0.5, 0.0, 0.5, 1.0],
        "softsign": [-2 / 3, -1 / 3, 0.0, 1 / 3, 2 / 3],
        "relu": [0.0, 0.0, 0.0, 0.5, 2.0],
        "leaky_relu": [-0.02, -0.005, 0.0, 0.5, 2.0],
        "identity": list(z),
    }
    for name, expected in cases.items():
        np.testing.assert_allclose(get_activation(name).value(z), expected, rtol=1e-14,
                                   err_msg=name)


def test_derivatives_against_closed_forms():
    z = np.array([-2.0, -0.5, 0.5, 2.0])
    s = np.array([1 / (1 + math.exp(-v)) for v in z])
    cases = {
        "sigmoid": s * (1 - s),
        "tanh": [1 - math.tanh(v) ** 2 for v in z],
        "hardtanh": [0.0, 1.0, 1.0, 0.0],
        "softsign": [1 / 9, 4 / 9, 4 / 9, 1 / 9],
        "relu": [0.0, 0.0, 1.0, 1.0],
        "leaky_relu": [0.01, 0.01, 1.0, 1.0],
        "identity": [1.0, 1.0, 1.0, 1.0],
    }
    for name, expected in cases.items():
        np.testing.assert_allclose(get_activation(name).derivative(z), expected, rtol=1e-14,
                                   err_msg=name)


def test_tanh_is_a_rescaled_sigmoid(rng):
    z = rng.normal(size=50)
    sigmoid, tanh = get_activation("sigmoid"), get_activation("tanh")
    np.testing.assert_allclose(tanh.value(z), 2 * sigmoid.value(2 * z) - 1, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_neither_overflows_nor_warns_at_large_inputs(dtype):
    z = np.array([-1e4, -1e3, -50.0, 50.0, 1e3, 1e4], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = get_activation("sigmoid").value(z)
        derivative = get_activation("sigmoid").derivative(z)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(derivative))
    np.testing.assert_array_equal(value, [0, 0, 0, 1, 1, 1])


def test_the_notes_printed_derivatives_fail_the_checker(rng):
    """The checker tells the notes' printed formulas from the correct ones
    (docs/notes-errata.md §2.4)."""
    z = rng.uniform(-3, 3, size=40)

    def printed_sigmoid_derivative(v):
        return -np.exp(-v) / (1 + np.exp(-v))

    def printed_softsign_derivative(v):
        return np.sign(v) / (1 + v) ** 2

    for name, printed in [("sigmoid", printed_sigmoid_derivative),
                          ("softsign", printed_softsign_derivative)]:
        activation = get_activation(name)
        numerical = numerical_gradient(lambda v, f=activation: float(f.value(v).sum()), z)
        assert np.max(relative_error(printed(z), numerical)) > 0.1, name
        assert np.max(relative_error(activation.derivative(z), numerical)) < 1e-7, name


def test_leaky_relu_slope_is_a_parameter():
    activation = get_activation("leaky_relu", slope=0.2)
    np.testing.assert_allclose(activation.value(np.array([-1.0, 1.0])), [-0.2, 1.0])
    assert LeakyReLU().slope == 0.01


@pytest.mark.parametrize("slope", [0, 1, -0.1, 1.5, float("nan")])
def test_leaky_relu_slope_outside_the_open_unit_interval_is_refused(slope):
    with pytest.raises(ValueError, match="slope"):
        get_activation("leaky_relu", slope=slope)


def test_unknown_activation_name_is_refused():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        get_activation("swish")


def test_logistic_is_the_sigmoid():
    assert ACTIVATIONS["logistic"] is ACTIVATIONS["sigmoid"]


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_is_computed_in_float64(name):
    activation = get_activation(name)
    z = np.array([-2, 0, 1, 3])
    as_floats = z.astype(np.float64)
    for method in ("value", "derivative"):
        result = getattr(activation, method)(z)
        assert result.dtype == np.float64, (name, method)
        np.testing.assert_allclose(result, getattr(activation, method)(as_floats), rtol=1e-15,
                                   err_msg=f"{name}.{method}")


def test_softsign_derivative_of_integers_is_not_truncated():
    np.testing.assert_allclose(ACTIVATIONS["softsign"]().derivative(np.array([-2, 0, 1, 3])),
                               [1 / 9, 1, 1 / 4, 1 / 16], rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_lists_and_python_scalars_are_accepted(name):
    activation = get_activation(name)
    z = [-1.5, 0.5, 2.0]
    for method in ("value", "derivative"):
        function = getattr(activation, method)
        expected = function(np.array(z))
        np.testing.assert_allclose(function(z), expected, rtol=1e-15, err_msg=name)
        np.testing.assert_allclose(function(z[1]), expected[1], rtol=1e-15, err_msg=name)
        assert function(np.float32(z[1])).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_derivative_of_nan_is_nan(name):
    derivative = get_activation(name).derivative(np.array([np.nan, -np.inf, np.inf, 0.5]))
    assert np.isnan(derivative[0]), name
    assert np.all(np.isfinite(derivative[1:])), name


@pytest.mark.parametrize("name", NAMES)
def test_derivative_into_out_matches_a_new_array(name, rng):
    activation = get_activation(name)
    z = rng.uniform(-3, 3, size=(3, 4)).astype(np.float32)
    out = np.empty_like(z)
    assert activation.derivative(z, out=out) is out
    np.testing.assert_array_equal(out, activation.derivative(z))


def test_non_numeric_input_is_refused():
    with pytest.raises(TypeError, match="real numbers"):
        get_activation("relu").derivative(["a", "b"])


def test_parameters_with_an_instance_are_refused():
    with pytest.raises(ValueError, match="slope.*LeakyReLU"):
        get_activation(LeakyReLU(0.3), slope=0.1)
    activation = LeakyReLU(0.3)
    assert get_activation(activation) is activation


def test_relu_with_a_work_array_of_another_shape_raises_instead_of_writing_past_it():
    """The compiled ReLU kernels index by the input's shape: a smaller ``out`` goes to NumPy,
    which refuses it."""
    z = np.ones((3, 4), np.float32)
    small = np.empty((2, 4), np.float32)
    with pytest.raises(ValueError):
        ReLU().value(z, out=small)
    with pytest.raises(ValueError):
        ReLU().backward(z, np.ones_like(z), np.empty_like(z), out=small)
