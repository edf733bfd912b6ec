"""Activation functions of the notes' §2.4, each with its derivative beside it.

Every activation offers three elementwise operations on float32 or float64 arrays:

``value(z)``
    the activation :math:`f(z)`;
``derivative(z)``
    :math:`f'(z)`, written from the pre-activation ``z`` (NaN where ``z`` is NaN);
``backward(a, grad, scratch, out=None)``
    multiplies ``grad`` by :math:`f'`, computed from the *output* ``a = f(z)``, in place or into
    ``out``. Every activation here has a derivative that can be written in terms of its own
    output, so a network never has to keep the pre-activations; ``scratch`` is a buffer of
    ``a``'s shape that the caller allocates once.

Without ``out``, ``value`` and ``derivative`` also take array-likes and Python scalars, and
integers or booleans are computed in float64; they return a new array (0-d for a scalar). With
``out`` (the training path) ``z`` is used as it is, and the result has ``out``'s dtype.

Two of the notes' printed derivatives are wrong (see ``docs/notes-errata.md``):
the sigmoid's is :math:`e^{-z}/(1+e^{-z})^2 = \\sigma(z)(1-\\sigma(z))`, not
:math:`-e^{-z}/(1+e^{-z})`, and the soft sign's is :math:`1/(1+|z|)^2`, not
:math:`\\operatorname{sgn}(z)/(1+z)^2`. The gradient checker tells the two apart
(``tests/test_gradcheck.py``).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_choice, check_scalar
from .backend import is_array, kernels_for, namespace

__all__ = [
    "ActivationFunction",
    "HardTanh",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "SoftSign",
    "Tanh",
    "ACTIVATIONS",
    "get_activation",
]


def _floating(z):
    """``z`` itself when it is an array of floats; else ``z`` as one (integers become float64)."""
    if is_array(z) and z.dtype.kind == "f":
        return z
    z = namespace(z).asarray(z)
    if z.dtype.kind == "f":
        return z
    if z.dtype.kind not in "biu":
        raise TypeError(f"an activation needs real numbers, got an array of dtype {z.dtype}")
    return z.astype(np.float64)


def _arrays(z, out):
    """``z`` and the array to write the result into: ``out`` as given (``z`` then untouched), or
    a new array of ``z``'s shape when ``out`` is None (``z`` then converted to floats)."""
    if out is not None:
        return z, out
    z = _floating(z)
    return z, namespace(z).empty_like(z)


class ActivationFunction:
    """Base class: an elementwise nonlinearity and its derivative.

    Attributes
    ----------
    name : str
        The name the activation is registered under.
    kinks : tuple of float
        Points where the derivative jumps (empty for smooth activations). The gradient checker
        uses :meth:`piece` to flag finite-difference probes that straddle one.
    """

    name: str = ""
    kinks: tuple[float, ...] = ()

    def value(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return :math:`f(z)` (written into ``out`` when given)."""
        raise NotImplementedError

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return :math:`f'(z)` (written into ``out`` when given)."""
        raise NotImplementedError

    def backward(self, a: np.ndarray, grad: np.ndarray, scratch: np.ndarray,
                 out: np.ndarray | None = None) -> None:
        """Multiply ``grad`` by :math:`f'` evaluated from the output ``a = f(z)``.

        The product goes into ``out`` when given (``grad`` is then left alone), else into
        ``grad`` itself; ``scratch`` is a work array of ``a``'s shape.
        """
        raise NotImplementedError

    def piece(self, a: np.ndarray) -> np.ndarray:
        """Index of the linear piece each output ``a`` lies on (all zeros when smooth)."""
        xp = namespace(a)
        return xp.zeros(xp.shape(a), dtype=np.int8)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Sigmoid(ActivationFunction):
    """Logistic sigmoid :math:`\\sigma(z) = 1/(1+e^{-z})`, :math:`\\sigma' = \\sigma(1-\\sigma)`.

    Evaluated as :math:`\\tfrac12(1 + \\tanh(z/2))`, which never overflows (|z| up to 1e4 and
    beyond give 0 or 1 without a warning) and needs no temporary array.
    """

    name = "sigmoid"

    def value(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        xp.multiply(z, 0.5, out=out)
        xp.tanh(out, out=out)
        out *= 0.5
        out += 0.5
        return out

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        s = self.value(z, out=out)
        s *= 1 - s
        return s

    def backward(self, a, grad, scratch, out=None):
        xp = namespace(a)
        xp.subtract(1, a, out=scratch)
        scratch *= a
        xp.multiply(grad, scratch, out=grad if out is None else out)


class Tanh(ActivationFunction):
    """Hyperbolic tangent :math:`\\tanh z = 2\\sigma(2z) - 1`, :math:`\\tanh' = 1 - \\tanh^2`."""

    name = "tanh"

    def value(self, z, out=None):
        z, out = _arrays(z, out)
        return namespace(z).tanh(z, out=out)

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        xp.tanh(z, out=out)
        xp.square(out, out=out)
        xp.subtract(1, out, out=out)
        return out

    def backward(self, a, grad, scratch, out=None):
        xp = namespace(a)
        xp.square(a, out=scratch)
        xp.subtract(1, scratch, out=scratch)
        xp.multiply(grad, scratch, out=grad if out is None else out)


class HardTanh(ActivationFunction):
    """Hard tanh: :math:`-1` for :math:`z<-1`, :math:`z` on :math:`[-1, 1]`, :math:`1` above.

    The derivative is 1 on :math:`[-1, 1]` and 0 outside, as in the notes; from the output it is 1
    where :math:`|a| < 1`, which differs only at the two kinks :math:`z = \\pm 1`.
    """

    name = "hardtanh"
    kinks = (-1.0, 1.0)

    def value(self, z, out=None):
        z, out = _arrays(z, out)
        return namespace(z).clip(z, -1, 1, out=out)

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        xp.abs(z, out=out)
        xp.subtract(1, out, out=out)
        # heaviside(1 - |z|, 1): 1 on [-1, 1], 0 outside, NaN for NaN
        return xp.heaviside(out, 1, out=out)

    def backward(self, a, grad, scratch, out=None):
        xp = namespace(a)
        xp.abs(a, out=scratch)
        xp.less(scratch, 1, out=scratch)
        xp.multiply(grad, scratch, out=grad if out is None else out)

    def piece(self, a):
        xp = namespace(a)
        return (xp.asarray(a) >= 1).astype(np.int8) - (xp.asarray(a) <= -1).astype(np.int8)


class SoftSign(ActivationFunction):
    """Soft sign :math:`z/(1+|z|)`, derivative :math:`1/(1+|z|)^2 = (1-|a|)^2`.

    The notes print :math:`\\operatorname{sgn}(z)/(1+z)^2`, which is wrong for every :math:`z < 0`
    (it is negative there while soft sign is increasing) and for :math:`z > 0` only by accident of
    sign; the gradient checker rejects it.
    """

    name = "softsign"

    def value(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        if xp.shares_memory(out, z):
            return xp.divide(z, xp.abs(z) + 1, out=out)
        xp.abs(z, out=out)
        out += 1
        return xp.divide(z, out, out=out)

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        xp.abs(z, out=out)
        out += 1
        xp.square(out, out=out)
        xp.reciprocal(out, out=out)
        return out

    def backward(self, a, grad, scratch, out=None):
        xp = namespace(a)
        xp.abs(a, out=scratch)
        xp.subtract(1, scratch, out=scratch)
        xp.square(scratch, out=scratch)
        xp.multiply(grad, scratch, out=grad if out is None else out)


class ReLU(ActivationFunction):
    """Rectified linear unit :math:`\\max(z, 0)`; derivative 1 for :math:`z > 0`, else 0."""

    name = "relu"
    kinks = (0.0,)

    def value(self, z, out=None):
        kernels = None if out is None else kernels_for(z, out)
        if kernels is not None and z.ndim == 2 and out.shape == z.shape:
            kernels.relu(z, out)
            return out
        z, out = _arrays(z, out)
        return namespace(z).maximum(z, 0, out=out)

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        # heaviside(z, 0): 1 for z > 0, else 0, and NaN for NaN
        return namespace(z).heaviside(z, 0, out=out)

    def backward(self, a, grad, scratch, out=None):
        out = grad if out is None else out
        kernels = kernels_for(a, grad, out)
        if kernels is not None and a.ndim == 2 and a.shape == grad.shape == out.shape:
            return kernels.relu_backward(a, grad, out)
        xp = namespace(a)
        xp.greater(a, 0, out=scratch)
        xp.multiply(grad, scratch, out=out)

    def piece(self, a):
        xp = namespace(a)
        return (xp.asarray(a) > 0).astype(np.int8)


class LeakyReLU(ActivationFunction):
    """Leaky ReLU :math:`\\max(z, kz)` with slope :math:`0 < k < 1`; derivative 1 or :math:`k`.

    Parameters
    ----------
    slope : float, default=0.01
        The slope :math:`k` for :math:`z \\le 0`; must lie in the open interval (0, 1).
    """

    name = "leaky_relu"
    kinks = (0.0,)

    def __init__(self, slope: float = 0.01) -> None:
        check_scalar(slope, "leaky_relu slope", low=0, high=1, low_inclusive=False,
                     high_inclusive=False)
        self.slope = float(slope)

    def value(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        # For 0 < k < 1, max(z, kz) is z where z > 0 and kz elsewhere.
        if xp.shares_memory(out, z):
            return xp.maximum(z, xp.multiply(z, self.slope), out=out)
        xp.multiply(z, self.slope, out=out)
        return xp.maximum(z, out, out=out)

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        namespace(z).heaviside(z, 0, out=out)  # NaN stays NaN
        out *= 1 - self.slope
        out += self.slope
        return out

    def backward(self, a, grad, scratch, out=None):
        xp = namespace(a)
        xp.greater(a, 0, out=scratch)
        scratch *= 1 - self.slope
        scratch += self.slope
        xp.multiply(grad, scratch, out=grad if out is None else out)

    def piece(self, a):
        xp = namespace(a)
        return (xp.asarray(a) > 0).astype(np.int8)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope!r})"


class Identity(ActivationFunction):
    """The identity :math:`f(z) = z`, derivative 1 (a linear layer)."""

    name = "identity"

    def value(self, z, out=None):
        z, out = _arrays(z, out)
        namespace(z).copyto(out, z)
        return out

    def derivative(self, z, out=None):
        z, out = _arrays(z, out)
        xp = namespace(z)
        xp.abs(z, out=out)
        # heaviside(|z|, 1): 1 everywhere, inf included, and NaN for NaN
        return xp.heaviside(out, 1, out=out)

    def backward(self, a, grad, scratch, out=None):
        xp = namespace(a)
        if out is not None:
            xp.copyto(out, grad)


ACTIVATIONS: dict[str, type[ActivationFunction]] = {
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "hardtanh": HardTanh,
    "softsign": SoftSign,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "identity": Identity,
}
"""ActivationFunction classes by name; ``"logistic"`` is scikit-learn's name for the sigmoid."""


def get_activation(activation: str | ActivationFunction, **params: float) -> ActivationFunction:
    """Return an activation instance from a name or an instance.

    Parameters
    ----------
    activation : str or ActivationFunction
        One of ``ACTIVATIONS`` (``"sigmoid"``/``"logistic"``, ``"tanh"``, ``"hardtanh"``,
        ``"softsign"``, ``"relu"``, ``"leaky_relu"``, ``"identity"``), or an instance, returned
        unchanged.
    **params
        Parameters of the activation, e.g. ``slope=0.1`` for ``"leaky_relu"``; only with a name.

    Raises
    ------
    ValueError
        For an unknown name, a parameter out of range, or parameters given with an instance.
    """
    if isinstance(activation, ActivationFunction):
        if params:
            raise ValueError(f"parameters {params} cannot be applied to the instance "
                             f"{activation!r}; pass a name, or set them on the instance")
        return activation
    check_choice(activation, "activation", tuple(ACTIVATIONS))
    try:
        return ACTIVATIONS[activation](**params)
    except TypeError as error:
        raise ValueError(f"activation {activation!r} got unexpected parameters {params}") from error
