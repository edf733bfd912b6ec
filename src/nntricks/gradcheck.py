"""Gradient checking (notes §2.1): finite differences against an analytic gradient.

The centered difference

.. math:: \\frac{\\partial J}{\\partial\\theta_i} \\approx
          \\frac{J(\\theta + h e_i) - J(\\theta - h e_i)}{2h}

has truncation error :math:`O(h^2)`; the forward difference
:math:`(J(\\theta + h e_i) - J(\\theta))/h` only :math:`O(h)`. Below some :math:`h` round-off
wins (about :math:`\\epsilon_{mach}|J|/h`), so check in float64 with the default
:math:`h = 10^{-5}`.

The notes' printed loop lost its indentation (the slope and ``it.iternext()`` belong inside the
loop) and calls :math:`J(\\theta + h)` ``fxh_left``; :func:`numerical_gradient` is the corrected
loop, and it restores every probed entry to its exact old value, even when ``f`` raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_choice, check_scalar
from .backend import to_numpy
from .network import Network

__all__ = [
    "ArrayCheck",
    "GradientCheck",
    "StepLostToRounding",
    "check_network",
    "numerical_gradient",
    "relative_error",
]

METHODS = ("centered", "forward")
DEFAULT_TOLERANCES = {"centered": 1e-7, "forward": 1e-3, "float32": 1e-2}
"""Largest relative error :func:`check_network` passes by default: centered and forward
differences in float64, and either in float32."""


class StepLostToRounding(ValueError):
    """``x + h`` rounds back to ``x``: the step is below the precision of ``x``."""


def _check_step(h: float, method: str) -> None:
    check_scalar(h, "h", low=0, low_inclusive=False)
    check_choice(method, "method", METHODS)


def _partial(f: Callable[[np.ndarray], float], x: np.ndarray, index: tuple, h: float,
             method: str, f_x: float | None) -> float:
    """One finite-difference partial derivative of ``f`` at ``x`` along ``index``."""
    old = float(x[index])  # a copy (indexing a CuPy array gives a view)
    try:
        x[index] = old + h
        step = float(x[index]) - old  # the step actually taken, after rounding
        if step == 0:
            raise StepLostToRounding(f"h={h:g} is below the precision of x[{index}]={old:g} "
                             f"({x.dtype}): x + h == x; use a larger h")
        f_plus = float(f(x))
        if method == "forward":
            return (f_plus - f_x) / step
        x[index] = old - h
        step += old - float(x[index])
        return (f_plus - float(f(x))) / step
    finally:
        x[index] = old


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5,
                       method: str = "centered") -> np.ndarray:
    """Finite-difference gradient of a scalar function at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; called with ``x`` itself, one entry perturbed at a time.
    x : ndarray of float, any shape
        The point; probed in place and restored exactly (bit for bit) afterwards.
    h : float, default=1e-5
        Step size, positive.
    method : {"centered", "forward"}, default="centered"
        Centered difference, error :math:`O(h^2)`, two evaluations per entry; or forward
        difference, error :math:`O(h)`, one evaluation per entry plus one at ``x``.

    Returns
    -------
    ndarray of float64, shape of ``x``

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0])
    >>> np.round(numerical_gradient(lambda v: float(np.sum(v ** 3)), x), 6)
    array([ 3., 12.])
    """
    _check_step(h, method)
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError("x must be a NumPy array of floats, probed in place")
    f_x = float(f(x)) if method == "forward" else None
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        grad[index] = _partial(f, x, index, h, method, f_x)
    return grad


def relative_error(analytic: np.ndarray | float, numerical: np.ndarray | float,
                   tiny: float = np.finfo(np.float64).tiny) -> np.ndarray | float:
    """Elementwise :math:`|a - n| / \\max(|a|, |n|, \\text{tiny})`.

    0 where both are exactly 0; below about 1e-7 is a correct gradient in float64, above 1e-2
    almost always a bug. NaN where either is NaN or infinite (without a warning): a NaN error
    fails every tolerance.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        result = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), tiny)
    return float(result) if result.ndim == 0 else result


@dataclass
class ArrayCheck:
    """The check of one parameter array (``W[0]``, ``b[0]``, ``gamma[0]``, ...).

    Attributes
    ----------
    name : str
    shape : tuple of int
    n_probed : int
        Coordinates probed (all, or a random subset).
    n_kinks : int
        Probes whose two evaluations lay on different pieces of a ReLU, leaky ReLU or hard tanh:
        flagged, not counted as failures.
    max_relative_error : float
        Largest relative error among the other probes (0 when there are none); NaN when a
        derivative at some probe is NaN or infinite, which fails every tolerance.
    worst_index : tuple of int or None
        Where it occurs, as an index into the array.
    analytic, numerical : float
        The two derivatives at ``worst_index``.
    """

    name: str
    shape: tuple[int, ...]
    n_probed: int
    n_kinks: int
    max_relative_error: float
    worst_index: tuple[int, ...] | None
    analytic: float
    numerical: float


@dataclass
class GradientCheck:
    """Report of :func:`check_network`: one :class:`ArrayCheck` per parameter array."""

    arrays: list[ArrayCheck]
    tolerance: float
    h: float
    method: str
    loss: float
    floor: float
    kink_probes: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    @property
    def max_relative_error(self) -> float:
        """Largest relative error over every array (kink probes excluded); NaN if any is NaN."""
        return max((a.max_relative_error for a in self.arrays), key=_severity, default=0.0)

    @property
    def passed(self) -> bool:
        """Whether every array's largest relative error is within :attr:`tolerance` (a NaN
        error never is)."""
        return self.max_relative_error <= self.tolerance

    def __str__(self) -> str:
        header = (f"{'array':<8}{'shape':>12}{'probed':>8}{'kinks':>7}{'max rel. error':>16}"
                  f"{'at':>12}{'analytic':>14}{'numerical':>14}  status")
        lines = [f"gradient check: {self.method} differences, h={self.h:g}, "
                 f"loss={self.loss:.6g}, tolerance={self.tolerance:g}, "
                 f"gradients below {self.floor:.1e} compared with that floor", header,
                 "-" * len(header)]
        for a in self.arrays:
            status = "ok" if a.max_relative_error <= self.tolerance else "FAIL"
            at = "" if a.worst_index is None else str(a.worst_index).replace(" ", "")
            lines.append(
                f"{a.name:<8}{str(a.shape).replace(' ', ''):>12}{a.n_probed:>8}{a.n_kinks:>7}"
                f"{a.max_relative_error:>16.3e}{at:>12}{a.analytic:>14.6e}{a.numerical:>14.6e}"
                f"  {status}"
            )
        verdict = "PASSED" if self.passed else "FAILED"
        lines.append(f"{verdict}: largest relative error {self.max_relative_error:.3e}"
                     + (f"; {len(self.kink_probes)} probe(s) straddled a kink and were set aside"
                        if self.kink_probes else ""))
        return "\n".join(lines)


def check_network(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    h: float = 1e-5,
    method: str = "centered",
    max_probes: int | None = None,
    tolerance: float | None = None,
    random_state: int | np.random.Generator | None = None,
) -> GradientCheck:
    """Check :meth:`Network.loss_and_grad` against finite differences, per parameter array.

    Every parameter array the layers declare is checked. The network is evaluated in training
    mode inside :meth:`Network.frozen <nntricks.network.Network.frozen>` (dropout masks held
    fixed, running statistics untouched), so the loss is a deterministic function of the
    parameters; batch statistics are part of that function and are checked with it. A probe
    whose evaluations put some ReLU, leaky ReLU or hard tanh unit on different linear pieces, or
    move an L1-penalised weight across 0, straddles a kink, where no finite difference
    estimates the derivative; such probes are counted in ``n_kinks`` and left out of the errors.

    Each loss evaluation carries a round-off error of about :math:`\\epsilon_{mach}|J|`, so a
    difference quotient is uncertain by about :math:`\\epsilon_{mach}|J|/h` whatever the gradient.
    Gradient entries smaller than ``floor`` :math:`= \\epsilon_{mach}\\max(|J|, 1)/(h\\,
    \\text{tolerance})` cannot be resolved to the tolerance, so they are compared with the floor
    (it is the ``tiny`` of :func:`relative_error`): an error larger than the round-off still fails.

    Parameters
    ----------
    network : Network
        Use ``dtype=np.float64``: float32 round-off swamps differences at the default ``h``.
    X, Y, sample_weight
        A small batch, as for :meth:`Network.loss_and_grad`.
    h : float, default=1e-5
    method : {"centered", "forward"}, default="centered"
    max_probes : int, optional
        Probe at most this many coordinates of each array, chosen at random without
        replacement (all when omitted): a large network is checked in seconds.
    tolerance : float, optional
        Largest relative error that passes; by default ``DEFAULT_TOLERANCES``: 1e-7 for
        centered differences in float64, 1e-3 for forward differences (their error is
        :math:`O(h)`), 1e-2 in float32.
    random_state : int or Generator, optional
        Chooses the probed coordinates.

    Returns
    -------
    GradientCheck
        ``print`` it for a table; ``.passed`` for the verdict.
    """
    _check_step(h, method)
    if max_probes is not None:
        check_scalar(max_probes, "max_probes", low=1, integer=True)
    if tolerance is None:
        tolerance = DEFAULT_TOLERANCES["float32" if network.dtype == np.float32 else method]
    check_scalar(tolerance, "tolerance", low=0)
    X, Y, sample_weight = network.check_data(X, Y, sample_weight)
    rng = np.random.default_rng(random_state)
    params = network.params
    pieces: list[np.ndarray] = []

    def loss(_: np.ndarray) -> float:
        value = network.loss(X, Y, sample_weight, training=True, check_input=False)
        pieces.append(network.kink_pieces())
        return value

    penalty_kinks = [k for r in network.regularizers for k in r.kinks]

    def straddles_penalty_kink(i: int) -> bool:
        return bool(network.weight_mask[i]) and any(abs(params[i] - k) < h for k in penalty_kinks)

    with network.frozen():
        value, grads = network.loss_and_grad(X, Y, sample_weight, training=True,
                                             check_input=False)
        value, analytic = float(value), to_numpy(grads).astype(np.float64)
        base_pieces = network.kink_pieces()
        f_x = loss(params) if method == "forward" else None
        floor = np.finfo(network.dtype).eps * max(abs(value), 1.0) / (h * tolerance)
        report = GradientCheck([], tolerance, h, method, value, floor)
        for array in network.arrays:
            name, span, shape = array.name, array.span, array.spec.shape
            size = array.spec.size
            chosen = (np.arange(size) if max_probes is None or max_probes >= size
                      else np.sort(rng.choice(size, max_probes, replace=False)))
            worst_error, worst_offset, worst_pair = 0.0, None, (0.0, 0.0)
            n_kinks = 0
            for offset in chosen:
                pieces.clear()
                numerical = _partial(loss, params, (span.start + offset,), h, method, f_x)
                exact = float(analytic[span.start + offset])
                # a non-finite analytic derivative is wrong on any piece, so never set aside
                if np.isfinite(exact) and (straddles_penalty_kink(span.start + offset) or any(
                        not np.array_equal(p, base_pieces) for p in pieces)):
                    n_kinks += 1
                    report.kink_probes.append((name, _unravel(offset, shape)))
                    continue
                error = relative_error(exact, numerical, tiny=floor)
                if worst_offset is None or _severity(error) > _severity(worst_error):
                    worst_error, worst_offset, worst_pair = error, offset, (exact, numerical)
            report.arrays.append(ArrayCheck(
                name, shape, len(chosen), n_kinks, worst_error,
                None if worst_offset is None else _unravel(worst_offset, shape), *worst_pair))
    return report


def _severity(error: float) -> float:
    """``error`` for ranking errors: NaN (a non-finite derivative) ranks above everything."""
    return math.inf if math.isnan(error) else error


def _unravel(offset: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(offset, shape))
