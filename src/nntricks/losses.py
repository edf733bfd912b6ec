"""Losses on the raw network output ``z`` (logits), each owning its gradient.

Each loss takes the output of the last dense layer, ``z`` of shape ``(n_samples, n_outputs)``,
and targets ``Y`` of the same shape, applies its own output function (softmax, sigmoid, identity
or exp) and averages per-sample losses :math:`\\ell_n` over the batch, weighted when
``sample_weight`` is given:

.. math:: L = \\frac{\\sum_n w_n \\ell_n}{\\sum_n w_n}.

``value_and_grad(z, Y, grad)`` returns :math:`L` (a scalar of ``z``'s dtype, on ``z``'s device:
``float()`` reads it) and writes :math:`\\partial L/\\partial z` into
``grad`` (a buffer of ``z``'s shape the caller allocates once). These are the per-sample sums over
outputs that scikit-learn's MLP uses (its ``log_loss``, ``binary_log_loss``, ``poisson_loss``).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_choice
from .backend import is_array, namespace

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "Loss",
    "MeanSquaredError",
    "PoissonDeviance",
    "SoftmaxCrossEntropy",
    "get_loss",
]


def _as_weights(sample_weight, xp, n_samples: int):
    """``sample_weight`` as an array of ``xp``: itself when it is an array (or None), else
    converted, checked to be numbers, one per sample."""
    if sample_weight is None or is_array(sample_weight):
        return sample_weight
    weights = xp.asarray(sample_weight)
    if weights.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must be numbers, got an array of dtype {weights.dtype}")
    if weights.shape != (n_samples,):
        raise ValueError(f"sample_weight must have shape ({n_samples},), one weight per sample, "
                         f"got {weights.shape}")
    return weights


def _first_outside(inside) -> tuple[int, ...] | None:
    """Index of the first entry where the boolean array ``inside`` is False, or None."""
    xp = namespace(inside)
    outside = xp.logical_not(inside)
    if not bool(outside.any()):
        return None
    return tuple(int(i) for i in np.unravel_index(int(xp.argmax(outside)), outside.shape))


def _entry(index: tuple[int, ...]) -> str:
    return "Y[" + ", ".join(map(str, index)) + "]"


def _sample_scale(n_samples: int, sample_weight: np.ndarray | None, dtype) -> np.ndarray | float:
    """Per-sample factor :math:`w_n / \\sum w` (a column), or :math:`1/N` without weights."""
    if sample_weight is None:
        return 1.0 / n_samples
    weights = sample_weight.astype(dtype, copy=False)
    return (weights / weights.sum())[:, None]


def _average(per_sample: np.ndarray, sample_weight: np.ndarray | None):
    """The (weighted) mean of the per-sample losses, a scalar on their device."""
    if sample_weight is None:
        return per_sample.sum() / per_sample.shape[0]
    return namespace(per_sample).dot(per_sample, sample_weight) / sample_weight.sum()


class Loss:
    """Base class of the losses.

    Attributes
    ----------
    name : str
        Registered name.
    out_activation : str
        The output function applied to ``z`` to give predictions, named as scikit-learn's
        ``out_activation_`` (``"softmax"``, ``"logistic"``, ``"identity"``, ``"exp"``).
    label : str
        What the loss's value measures, for axis labels and reports, e.g. ``"half squared
        error"``.
    """

    name = ""
    out_activation = ""
    label = ""

    def output(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Predictions from the raw output ``z`` (probabilities, or values for regression)."""
        raise NotImplementedError

    def check_targets(self, Y) -> None:
        """Raise ``ValueError`` when the targets ``Y`` lie outside this loss's domain.

        Parameters
        ----------
        Y : array-like of shape (n_samples, n_outputs)
            Finite targets, as given to :meth:`value_and_grad` (on any device).

        Raises
        ------
        ValueError
            Naming the first offending row or entry. The base class accepts any targets.
        """

    def value_and_grad(self, z: np.ndarray, Y: np.ndarray, grad: np.ndarray,
                       sample_weight: np.ndarray | None = None):
        """Return the loss (a scalar on ``z``'s device) and write :math:`\\partial L/\\partial z`
        into ``grad``."""
        raise NotImplementedError

    def value(self, z: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Return the loss :math:`L(z, Y)` (a scalar on ``z``'s device).

        ``sample_weight``, here and in :meth:`value_and_grad` and :meth:`gradient`, is None or
        one number per sample: an array, or a list.
        """
        return self.value_and_grad(z, Y, namespace(z).empty_like(z), sample_weight)

    def gradient(self, z: np.ndarray, Y: np.ndarray,
                 sample_weight: np.ndarray | None = None) -> np.ndarray:
        """Return :math:`\\partial L/\\partial z` as a new array."""
        grad = namespace(z).empty_like(z)
        self.value_and_grad(z, Y, grad, sample_weight)
        return grad

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, for one-of-K classification.

    .. math::
        p_{nk} = \\frac{e^{z_{nk}}}{\\sum_j e^{z_{nj}}}, \\qquad
        \\ell_n = -\\sum_k y_{nk} \\log p_{nk}, \\qquad
        \\frac{\\partial L}{\\partial z_n} = \\frac{w_n}{\\sum w}(p_n - y_n),

    where each row of ``Y`` is a probability vector (one-hot for hard labels). Computed from
    :math:`z - \\max_k z_k` through the log-sum-exp, so logits of magnitude 1e4 neither overflow
    nor produce NaN.
    """

    name = "softmax_cross_entropy"
    label = "cross-entropy, nats"
    out_activation = "softmax"

    def output(self, z, out=None):
        xp = namespace(z)
        out = xp.subtract(z, z.max(axis=1, keepdims=True), out=out)
        xp.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def check_targets(self, Y):
        xp = namespace(Y)
        Y = xp.asarray(Y)
        problem = ("softmax cross-entropy needs target rows that are probability vectors "
                   "(non-negative, summing to 1)")
        negative = _first_outside(Y >= 0)
        if negative is not None:
            raise ValueError(f"{problem}; {_entry(negative)} is {float(Y[negative]):g}")
        sums = Y.sum(axis=-1)
        # the rounding of a sum of n_classes terms, at least 1e-6
        eps = np.finfo(Y.dtype if Y.dtype.kind == "f" else np.float64).eps
        tolerance = max(1e-6, Y.shape[-1] * float(eps))
        row = _first_outside(xp.abs(sums - 1) <= tolerance)
        if row is not None:
            raise ValueError(f"{problem}; row {', '.join(map(str, row))} sums to "
                             f"{float(sums[row]):.7g}")

    def value_and_grad(self, z, Y, grad, sample_weight=None):
        xp = namespace(z)
        sample_weight = _as_weights(sample_weight, xp, len(z))
        xp.subtract(z, z.max(axis=1, keepdims=True), out=grad)
        y_dot_shifted = xp.einsum("ij,ij->i", Y, grad)
        xp.exp(grad, out=grad)
        normalizer = grad.sum(axis=1, keepdims=True)
        grad /= normalizer
        per_sample = xp.log(normalizer[:, 0]) - y_dot_shifted
        grad -= Y
        grad *= _sample_scale(len(z), sample_weight, grad.dtype)
        return _average(per_sample, sample_weight)


class BinaryCrossEntropy(Loss):
    """Sigmoid followed by binary cross-entropy, for binary and multilabel targets.

    .. math::
        \\ell_n = \\sum_k \\big[\\log(1 + e^{z_{nk}}) - y_{nk} z_{nk}\\big]
                = -\\sum_k \\big[y_{nk}\\log\\sigma(z_{nk})
                  + (1-y_{nk})\\log(1-\\sigma(z_{nk}))\\big],
        \\qquad
        \\frac{\\partial L}{\\partial z_n} = \\frac{w_n}{\\sum w}(\\sigma(z_n) - y_n),

    with :math:`\\log(1+e^z)` evaluated by ``logaddexp(0, z)``, stable for any ``z``. The
    probabilities :math:`\\sigma(z) = \\exp(-\\log(1 + e^{-z}))` keep their relative precision
    far into the tail (:math:`\\sigma(-40) \\approx 4\\cdot10^{-18}`, not 0), so their logarithm
    stays finite.
    """

    name = "binary_cross_entropy"
    label = "binary cross-entropy, nats"
    out_activation = "logistic"

    def output(self, z, out=None):
        xp = namespace(z)
        out = xp.logaddexp(0, xp.negative(z, out=out), out=out)
        xp.negative(out, out=out)
        return xp.exp(out, out=out)

    def check_targets(self, Y):
        Y = namespace(Y).asarray(Y)
        outside = _first_outside((Y >= 0) & (Y <= 1))
        if outside is not None:
            raise ValueError(f"binary cross-entropy needs targets in [0, 1]; {_entry(outside)} "
                             f"is {float(Y[outside]):g}")

    def value_and_grad(self, z, Y, grad, sample_weight=None):
        xp = namespace(z)
        sample_weight = _as_weights(sample_weight, xp, len(z))
        xp.logaddexp(0, z, out=grad)
        per_sample = grad.sum(axis=1) - xp.einsum("ij,ij->i", Y, z)
        self.output(z, out=grad)
        grad -= Y
        grad *= _sample_scale(len(z), sample_weight, grad.dtype)
        return _average(per_sample, sample_weight)


class MeanSquaredError(Loss):
    """Half squared error on an identity output, for regression.

    .. math::
        \\ell_n = \\tfrac12 \\sum_k (z_{nk} - y_{nk})^2, \\qquad
        \\frac{\\partial L}{\\partial z_n} = \\frac{w_n}{\\sum w}(z_n - y_n).

    The factor ½ and the sum over outputs are scikit-learn's (its ``squared_error`` gradient);
    for several outputs scikit-learn *reports* this loss divided by ``n_outputs``.
    """

    name = "squared_error"
    label = "half squared error"
    out_activation = "identity"

    def output(self, z, out=None):
        if out is None:
            return z.copy()
        namespace(z).copyto(out, z)
        return out

    def value_and_grad(self, z, Y, grad, sample_weight=None):
        xp = namespace(z)
        sample_weight = _as_weights(sample_weight, xp, len(z))
        xp.subtract(z, Y, out=grad)
        per_sample = 0.5 * xp.einsum("ij,ij->i", grad, grad)
        grad *= _sample_scale(len(z), sample_weight, grad.dtype)
        return _average(per_sample, sample_weight)


class PoissonDeviance(Loss):
    """Half Poisson deviance on an exponential output, for counts (``loss="poisson"``).

    With :math:`\\mu = e^{z}`:

    .. math::
        \\ell_n = \\sum_k \\big[y_{nk}\\log(y_{nk}/\\mu_{nk}) - y_{nk} + \\mu_{nk}\\big], \\qquad
        \\frac{\\partial L}{\\partial z_n} = \\frac{w_n}{\\sum w}(\\mu_n - y_n),

    where :math:`0 \\log 0 = 0`; targets must be non-negative.
    """

    name = "poisson"
    label = "half Poisson deviance"
    out_activation = "exp"

    def output(self, z, out=None):
        return namespace(z).exp(z, out=out)

    def check_targets(self, Y):
        Y = namespace(Y).asarray(Y)
        negative = _first_outside(Y >= 0)
        if negative is not None:
            raise ValueError(f"Poisson deviance needs non-negative targets (counts); "
                             f"{_entry(negative)} is {float(Y[negative]):g}")

    def value_and_grad(self, z, Y, grad, sample_weight=None):
        xp = namespace(z)
        sample_weight = _as_weights(sample_weight, xp, len(z))
        xp.exp(z, out=grad)
        y_log_y = Y * xp.log(xp.where(Y > 0, Y, 1))
        per_sample = (grad - Y - Y * z + y_log_y).sum(axis=1)
        grad -= Y
        grad *= _sample_scale(len(z), sample_weight, grad.dtype)
        return _average(per_sample, sample_weight)


LOSSES: dict[str, type[Loss]] = {
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
    "squared_error": MeanSquaredError,
    "poisson": PoissonDeviance,
}
"""Loss classes by name."""


def get_loss(loss: str | Loss) -> Loss:
    """Return a loss instance from a name of ``LOSSES`` or an instance (returned unchanged)."""
    if isinstance(loss, Loss):
        return loss
    check_choice(loss, "loss", tuple(LOSSES))
    return LOSSES[loss]()
