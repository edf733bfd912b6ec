"""The fused CPU kernels give the bits of the NumPy code they replace (the L2 sum: its value).

The NumPy code of each component is the reference (itself tested against closed forms and
PyTorch's vectors elsewhere); each component is run twice, with the kernels and without.
"""

import numpy as np
import pytest

import nntricks.backend
from nntricks import optim, schedules
from nntricks.activations import ReLU
from nntricks.regularizers import L2

pytest.importorskip("numba", reason="the kernels need Numba (pip install 'nntricks[fast]')")


@pytest.fixture(params=[np.float32, np.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param


def both_ways(monkeypatch, compute):
    """``compute()`` with the kernels, then with the NumPy code."""
    assert nntricks.backend.NUMPY.kernels is not None
    fused = compute()
    with monkeypatch.context() as patch:
        patch.setattr(nntricks.backend.NUMPY, "kernels", None)
        reference = compute()
    return fused, reference


OPTIMIZERS = {
    "momentum": lambda: optim.sgd(0.05, momentum=0.9),
    "nesterov": lambda: optim.sgd(0.05, momentum=0.9, nesterov=True),
    "pytorch-form momentum": lambda: optim.Optimizer(optim.trace(0.9, nesterov=True),
                                                     optim.scale_by_learning_rate(0.05)),
    "adam": lambda: optim.adam(0.01),
    "adam, no bias correction": lambda: optim.adam(0.01, bias_correction=False),
    "adamw": lambda: optim.adamw(0.01),
    "nesterov, scheduled": lambda: optim.sgd(schedules.inverse_decay(0.1, 2), 0.9, nesterov=True),
    "adam, scheduled": lambda: optim.adam(schedules.exponential_decay(0.01, 0.3)),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_give_the_bits_of_the_numpy_code(name, dtype, monkeypatch, rng):
    params0 = rng.standard_normal(1000).astype(dtype)
    grads = [rng.standard_normal(1000).astype(dtype) for _ in range(5)]

    def run():
        optimizer, params = OPTIMIZERS[name](), params0.copy()
        state = optimizer.init(params)
        for g in grads:
            optimizer.step(params, g, state)
        return params, optimizer.state_dict(state)

    (fused, fused_state), (reference, reference_state) = both_ways(monkeypatch, run)
    np.testing.assert_array_equal(fused, reference)
    for key, value in reference_state.items():
        np.testing.assert_array_equal(fused_state[key], value)


def test_relu_forward_and_backward_give_the_bits_of_the_numpy_code(dtype, monkeypatch, rng):
    z = rng.standard_normal((7, 5)).astype(dtype)
    z[0, 0] = 0.0
    grad = rng.standard_normal((7, 5)).astype(dtype)

    def run():
        relu, a, out = ReLU(), np.empty_like(z), np.empty_like(z)
        relu.value(z, out=a)
        relu.backward(a, grad, np.empty_like(z), out=out)
        return a, out

    (a, back), (a_ref, back_ref) = both_ways(monkeypatch, run)
    np.testing.assert_array_equal(a, a_ref)
    np.testing.assert_array_equal(back, back_ref)


def test_relu_kernels_handle_strided_views(monkeypatch, rng):
    z = rng.standard_normal((6, 8)).astype(np.float32)[:, ::2]  # not contiguous
    a = np.zeros((6, 8), np.float32)[:, 1::2]
    ReLU().value(z, out=a)
    np.testing.assert_array_equal(a, np.maximum(z, 0))


def test_the_l2_term_matches_the_numpy_code(dtype, monkeypatch, rng):
    weights = rng.standard_normal(5000).astype(dtype)
    grads0 = rng.standard_normal(5000).astype(dtype)

    def run():
        grads = grads0.copy()
        penalty = L2(0.3).accumulate(weights, None, grads, np.empty_like(weights), scale=0.5)
        return penalty, grads

    (penalty, grads), (penalty_ref, grads_ref) = both_ways(monkeypatch, run)
    np.testing.assert_array_equal(grads, grads_ref)
    expected = 0.5 * 0.3 * np.sum((weights * weights).astype(np.float64))
    assert penalty == pytest.approx(expected, rel=1e-12)  # squares in dtype, summed in float64
    assert penalty_ref == pytest.approx(expected, rel=1e-5 if dtype is np.float32 else 1e-12)


def test_a_nan_reaches_the_result(monkeypatch):
    params, grads = np.ones(64, np.float32), np.ones(64, np.float32)
    grads[3] = np.nan
    optimizer = optim.adam(0.01)
    optimizer.step(params, grads, optimizer.init(params))
    assert np.isnan(params[3]) and np.isfinite(np.delete(params, 3)).all()



def _out_of_bounds_calls():
    """Kernel calls whose loops, compiled without bounds checks, read and wrote past the end
    of an array: matrices (indexed as vectors), or one array shorter than the others."""
    from nntricks import cpu_kernels

    matrix, vector, short = np.ones((2, 3)), np.ones(6), np.ones(2)
    return {
        "adam_step, matrices": lambda: cpu_kernels.adam_step(
            matrix, matrix.copy(), matrix.copy(), matrix.copy(), 0.9, 0.999, 1e-8, 1.0, 0.1),
        "adam_step, a short moment": lambda: cpu_kernels.adam_step(
            vector, vector.copy(), short, vector.copy(), 0.9, 0.999, 1e-8, 1.0, 0.1),
        "sgd_step, a short velocity": lambda: cpu_kernels.sgd_step(
            vector, vector.copy(), short, 0.1, 0.9, False),
        "trace, matrices": lambda: cpu_kernels.trace(matrix, matrix, matrix.copy(), 0.9, True),
        "adam_direction, a short output": lambda: cpu_kernels.adam_direction(
            vector, short, vector.copy(), vector.copy(), 0.9, 0.999, 1e-8, 1.0),
        "l2_accumulate, short grads": lambda: cpu_kernels.l2_accumulate(vector, short, 0.1),
    }


@pytest.mark.parametrize("name", list(_out_of_bounds_calls()))
def test_the_vector_kernels_refuse_arrays_they_would_index_out_of_bounds(name):
    with pytest.raises(ValueError, match="1-D arrays of one shape"):
        _out_of_bounds_calls()[name]()


def test_a_transform_on_its_own_refuses_a_matrix():
    transform, params = optim.scale_by_adam(), np.ones((1000, 300))
    state = transform.init(params)
    with pytest.raises(ValueError, match="1-D arrays of one shape"):
        transform.update(params, params.copy(), state, params)
