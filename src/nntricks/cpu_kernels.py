"""Fused CPU kernels, compiled by Numba: one pass over memory where NumPy needs several.

On the CPU, what a training step does besides its matrix products is bound by memory traffic:
NumPy's ufuncs each read and write whole arrays, so Adam's update (a dozen ufuncs) streams the
536,000-parameter vector of a 784-512-256-10 network some thirty times. Each kernel here does
the same arithmetic as the NumPy code it replaces in one loop (see the ``README``'s speed
section for what that buys). They are used when Numba is installed (``pip install
"nntricks[fast]"``) and the arrays are NumPy's (:attr:`nntricks.backend.Backend.kernels`);
``NNTRICKS_NUMBA=0`` turns them off. The NumPy code stays the reference:
``tests/test_cpu_kernels.py`` checks every kernel against it.

The vector kernels index their arrays as flat vectors, unchecked: each wrapper first checks
(in O(1)) that they are 1-D arrays of one shape, and raises ``ValueError`` otherwise.

Every kernel takes arrays of one dtype (float32 or float64; any strides) and casts its scalars
to that dtype, so that float32 math stays float32, as in NumPy. The elementwise kernels do the
NumPy code's operations in its order, with its rounding: their results are the same bits. Only
the L2 kernel's sum is reassociated (and kept in float64). No NaN or infinity shortcut is
allowed: a diverging run still shows its NaN to the divergence guard.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["adam_direction", "adam_step", "l2_accumulate", "relu", "relu_backward", "sgd_step",
           "trace"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)
# a sum may be reassociated (into SIMD lanes); nothing else: the elementwise kernels round as
# NumPy's ufuncs do, operation by operation, and give the same bits
_jit_sum = numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False,
                      fastmath={"reassoc"})


def _check_vectors(**arrays: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``arrays`` are 1-D and of one shape (the kernels' loops
    would otherwise read and write out of bounds)."""
    shapes = {name: a.shape for name, a in arrays.items()}
    first = next(iter(shapes.values()))
    if len(first) != 1 or any(shape != first for shape in shapes.values()):
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"the fused kernels need 1-D arrays of one shape, got {listed}")


@_jit
def _trace(src, dst, v, mu, nesterov):
    for i in range(src.size):
        u = src[i]
        velocity = mu * v[i] + u
        v[i] = velocity
        dst[i] = u + mu * velocity if nesterov else velocity


@_jit
def _trace_in_place(u, v, mu, nesterov):
    for i in range(u.size):
        velocity = mu * v[i] + u[i]
        v[i] = velocity
        u[i] = u[i] + mu * velocity if nesterov else velocity


def trace(src: np.ndarray, dst: np.ndarray, v: np.ndarray, mu: float, nesterov: bool) -> None:
    """Momentum: ``v ← μ v + u``, then ``u ← u + μ v`` (Nesterov) or ``u ← v``.

    ``src`` is the incoming update ``u`` and ``dst`` receives the new one (it may be ``src``).
    """
    _check_vectors(src=src, dst=dst, v=v)
    mu = src.dtype.type(mu)
    if src is dst:  # one array in, one out: a loop the compiler can vectorize without checks
        _trace_in_place(dst, v, mu, nesterov)
    else:
        _trace(src, dst, v, mu, nesterov)


@_jit
def _adam_moments(u, m, v, i, b1, b2, one_minus_b1, one_minus_b2, eps, scale):
    """Update ``m[i]`` and ``v[i]`` from the update ``u``; return the direction (inlined)."""
    first = b1 * m[i] + one_minus_b1 * u
    second = b2 * v[i] + one_minus_b2 * (u * u)
    m[i] = first
    v[i] = second
    return first / (np.sqrt(second) + eps) * scale


@_jit
def _adam_direction(src, dst, m, v, b1, b2, one_minus_b1, one_minus_b2, eps, scale):
    for i in range(src.size):
        dst[i] = _adam_moments(src[i], m, v, i, b1, b2, one_minus_b1, one_minus_b2, eps, scale)


@_jit
def _adam_direction_in_place(u, m, v, b1, b2, one_minus_b1, one_minus_b2, eps, scale):
    for i in range(u.size):
        u[i] = _adam_moments(u[i], m, v, i, b1, b2, one_minus_b1, one_minus_b2, eps, scale)


def adam_direction(src: np.ndarray, dst: np.ndarray, m: np.ndarray, v: np.ndarray, b1: float,
                   b2: float, eps: float, scale: float) -> None:
    """Adam's moments and direction: ``m ← β₁ m + (1−β₁) u``, ``v ← β₂ v + (1−β₂) u²``,
    ``u ← scale · m / (√v + ε)`` (the bias corrections folded into ``ε`` and ``scale``)."""
    _check_vectors(src=src, dst=dst, m=m, v=v)
    kind = src.dtype.type
    scalars = kind(b1), kind(b2), kind(1.0 - b1), kind(1.0 - b2), kind(eps), kind(scale)
    if src is dst:
        _adam_direction_in_place(dst, m, v, *scalars)
    else:
        _adam_direction(src, dst, m, v, *scalars)


@_jit
def _sgd_step(params, grads, v, minus_rate, mu, nesterov):
    for i in range(params.size):
        u = grads[i] * minus_rate
        velocity = v[i] * mu + u
        v[i] = velocity
        params[i] = params[i] + (u + velocity * mu if nesterov else velocity)


def sgd_step(params: np.ndarray, grads: np.ndarray, v: np.ndarray, rate: float, mu: float,
             nesterov: bool) -> None:
    """A whole step of the notes' momentum: ``u = −α g``, ``v ← μ v + u``, ``θ ← θ + u + μ v``
    (Nesterov) or ``θ ← θ + v``."""
    _check_vectors(params=params, grads=grads, v=v)
    kind = params.dtype.type
    _sgd_step(params, grads, v, kind(-rate), kind(mu), nesterov)


@_jit
def _adam_step(params, grads, m, v, b1, b2, one_minus_b1, one_minus_b2, eps, scale,
               minus_rate):
    for i in range(params.size):
        direction = _adam_moments(grads[i], m, v, i, b1, b2, one_minus_b1, one_minus_b2, eps,
                                  scale)
        params[i] = params[i] + direction * minus_rate


def adam_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, b1: float,
              b2: float, eps: float, scale: float, rate: float) -> None:
    """A whole Adam step: :func:`adam_direction`, then ``θ ← θ − α u``."""
    _check_vectors(params=params, grads=grads, m=m, v=v)
    kind = params.dtype.type
    _adam_step(params, grads, m, v, kind(b1), kind(b2), kind(1.0 - b1), kind(1.0 - b2),
               kind(eps), kind(scale), kind(-rate))


@_jit_sum
def _l2_accumulate(weights, grads, factor):
    total = 0.0
    for i in range(weights.size):
        w = weights[i]
        total += w * w
        grads[i] += factor * w
    return total


def l2_accumulate(weights: np.ndarray, grads: np.ndarray, factor: float) -> float:
    """Add ``factor · w`` to ``grads`` and return ``Σ w²`` (summed in float64)."""
    _check_vectors(weights=weights, grads=grads)
    return _l2_accumulate(weights, grads, weights.dtype.type(factor))


@_jit
def relu(z, out):
    """``out = max(z, 0)`` for 2-D ``z`` and ``out`` of one shape."""
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            out[i, j] = z[i, j] if z[i, j] > 0 else 0


@_jit
def relu_backward(a, grad, out):
    """``out = grad · [a > 0]`` for 2-D arrays of one shape."""
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = grad[i, j] if a[i, j] > 0 else 0
