"""Weight penalties of the notes' §2.2, applied through a mask on the flat parameter vector.

The mask is 1 on the coordinates of weight matrices and 0 on biases (a network's
``weight_mask``), so biases are never penalised: a bias only shifts a unit's input and does not
make the network more flexible, so shrinking it would only bias the fit.

``L2``
    :math:`R(\\theta) = \\lambda \\sum_i \\lVert W^{(i)} \\rVert_F^2`, gradient :math:`2\\lambda W`.
    The notes print :math:`\\lVert W \\rVert_F` without the square; the squared norm is what they
    describe and what has this gradient.
``L1``
    :math:`R(\\theta) = \\lambda \\sum_i \\sum_{jk} |W^{(i)}_{jk}|`, gradient
    :math:`\\lambda \\operatorname{sgn}(W)` (0 at 0), which drives weights to exact zeros.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_scalar
from .backend import kernels_for, namespace

__all__ = ["L1", "L2", "Regularizer"]


class Regularizer:
    """Base class: a penalty :math:`R(\\theta)` on the masked coordinates of a flat vector.

    Parameters
    ----------
    strength : float
        The hyperparameter :math:`\\lambda \\ge 0`.

    Attributes
    ----------
    kinks : tuple of float
        Weight values where the penalty has no derivative (0 for L1).
    """

    kinks: tuple[float, ...] = ()

    def __init__(self, strength: float) -> None:
        check_scalar(strength, f"{type(self).__name__} strength", low=0)
        self.strength = float(strength)

    def penalty(self, params: np.ndarray, mask: np.ndarray):
        """Return :math:`R(\\theta)` (a scalar on ``params``' device)."""
        xp = namespace(params)
        return self.accumulate(params, mask, xp.zeros_like(params), xp.empty_like(params))

    def gradient(self, params: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Return :math:`\\nabla R(\\theta)` as a new array."""
        xp = namespace(params)
        grads = xp.zeros_like(params)
        self.accumulate(params, mask, grads, xp.empty_like(params))
        return grads

    def accumulate(self, params: np.ndarray, mask: np.ndarray | None, grads: np.ndarray,
                   scratch: np.ndarray, scale: float = 1.0):
        """Add :math:`s\\nabla R(\\theta)` to ``grads`` in place and return :math:`sR(\\theta)`
        (a scalar on ``params``' device).

        ``scratch`` is a work array of ``params``' shape, allocated once by the caller; the
        factor :math:`s` = ``scale`` lets a caller divide the penalty by a batch's size, as
        scikit-learn's ``alpha`` is. ``mask=None`` penalises every coordinate (one pass over
        the vectors fewer: the network hands each weight matrix over this way).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.strength!r})"


class L2(Regularizer):
    """Squared Frobenius norm of the weights, :math:`\\lambda \\sum \\lVert W \\rVert_F^2`."""

    def accumulate(self, params, mask, grads, scratch, scale=1.0):
        kernels = None if mask is not None else kernels_for(params, grads)
        if kernels is not None:
            factor = scale * self.strength
            return factor * kernels.l2_accumulate(params, grads, 2 * factor)
        xp = namespace(params)
        weights = params if mask is None else xp.multiply(params, mask, out=scratch)
        penalty = scale * self.strength * xp.dot(weights, weights)
        xp.multiply(weights, 2 * scale * self.strength, out=scratch)
        grads += scratch
        return penalty


class L1(Regularizer):
    """Sum of absolute weights, :math:`\\lambda \\sum |W|`."""

    kinks = (0.0,)

    def accumulate(self, params, mask, grads, scratch, scale=1.0):
        xp = namespace(params)
        xp.sign(params if mask is None else xp.multiply(params, mask, out=scratch), out=scratch)
        penalty = scale * self.strength * xp.dot(scratch, params)
        scratch *= scale * self.strength
        grads += scratch
        return penalty
