"""Learning-rate schedules (notes §2.7): plain functions of the step count.

Each factory validates its arguments at once and returns ``schedule(t)``, the learning rate
for step ``t``. When a schedule is given as an optimizer's learning rate, ``t`` is the
optimizer's own count: the number of steps taken before the current one, so the first step
uses ``schedule(0)``.

``t`` may be a Python ``int`` (the result is a ``float``) or an integer NumPy array of any
shape, for plotting a whole schedule at once (the result is a float64 array of the same shape).
Negative or non-integer ``t``, or one above ``2**63 - 1``, raises ``ValueError``.

Examples
--------
>>> import numpy as np
>>> from nntricks import schedules
>>> lr = schedules.step_decay(0.1, factor=0.5, every=10)
>>> lr(0), lr(9), lr(10)
(0.1, 0.1, 0.05)
>>> schedules.inverse_decay(1.0, tau=4)(np.arange(6))
array([1. , 1. , 1. , 1. , 1. , 0.8])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from nntricks._validation import check_scalar

__all__ = [
    "constant",
    "exponential_decay",
    "invscaling",
    "inverse_decay",
    "step_decay",
]

Count = int | np.ndarray
Rate = float | np.ndarray


def _as_count(t: object) -> tuple[np.ndarray, bool]:
    """Return ``t`` as an int64 array and whether it was a scalar; reject bad counts.

    The range is checked before the cast to int64, which would wrap a count above
    ``2**63 - 1`` (a NumPy ``uint64``, a large Python ``int``) to a negative one.
    """
    if isinstance(t, bool | np.bool_):
        raise ValueError(f"step count t must be an integer >= 0, got {t!r}")
    if isinstance(t, numbers.Integral):  # Python's or NumPy's integers, of any size
        count = int(t)
        _check_count_range(count, count, t)
        return np.asarray(count, dtype=np.int64), True
    arr = np.asarray(t)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"step count t must be an integer >= 0, got {t!r}")
    if arr.size:
        _check_count_range(arr.min(), arr.max(), t)
    return arr.astype(np.int64, copy=False), arr.ndim == 0


def _check_count_range(smallest: int, largest: int, t: object) -> None:
    if smallest < 0:
        raise ValueError(f"step count t must be an integer >= 0, got {t!r}")
    if largest > _MAX_COUNT:
        raise ValueError(f"step count t is {largest}, above the largest count, 2**63 - 1")


_MAX_COUNT = np.iinfo(np.int64).max


def _finish(value: np.ndarray, scalar: bool) -> Rate:
    return float(value) if scalar else np.asarray(value, dtype=np.float64)


def _check_initial(initial: float) -> None:
    check_scalar(initial, "initial", low=0.0)


def _named(fn: Callable[[Count], Rate], text: str) -> Callable[[Count], Rate]:
    fn.__name__ = fn.__qualname__ = "schedule"
    fn.__doc__ = f"Learning rate at step t: {text}."
    return fn


def constant(value: float) -> Callable[[Count], Rate]:
    """Constant learning rate: ``α_t = value``.

    Parameters
    ----------
    value : float >= 0

    Returns
    -------
    callable ``schedule(t)``
    """
    check_scalar(value, "value", low=0.0)
    value = float(value)

    def schedule(t: Count) -> Rate:
        arr, scalar = _as_count(t)
        return _finish(np.full(arr.shape, value), scalar)

    return _named(schedule, f"{value!r}")


def step_decay(initial: float, factor: float, every: int) -> Callable[[Count], Rate]:
    """Step annealing (notes §2.7): multiply by ``factor`` every ``every`` steps.

    ::

        α_t = initial · factor^⌊t / every⌋

    The rate changes exactly at ``t = every, 2·every, …``.

    Parameters
    ----------
    initial : float >= 0
        α₀.
    factor : float in (0, 1]
        Multiplier applied at each drop (0.5 halves the rate).
    every : int >= 1
        Steps between drops.

    Returns
    -------
    callable ``schedule(t)``
    """
    _check_initial(initial)
    check_scalar(factor, "factor", low=0.0, high=1.0, low_inclusive=False)
    check_scalar(every, "every", low=1, integer=True)
    initial, factor, every = float(initial), float(factor), int(every)

    def schedule(t: Count) -> Rate:
        arr, scalar = _as_count(t)
        return _finish(initial * factor ** (arr // every).astype(np.float64), scalar)

    return _named(schedule, f"{initial!r} * {factor!r} ** (t // {every})")


def exponential_decay(initial: float, rate: float) -> Callable[[Count], Rate]:
    """Exponential decay (notes §2.7): ``α_t = initial · e^(−k t)`` with ``k = rate``.

    The printed notes call the hyperparameter ``t``; it is ``k``, the decay rate, and
    ``t`` is the step count.

    Parameters
    ----------
    initial : float >= 0
        α₀.
    rate : float >= 0
        k, the decay per step (the rate halves every ``ln 2 / k`` steps).

    Returns
    -------
    callable ``schedule(t)``
    """
    _check_initial(initial)
    check_scalar(rate, "rate", low=0.0)
    initial, rate = float(initial), float(rate)

    def schedule(t: Count) -> Rate:
        arr, scalar = _as_count(t)
        if scalar:
            return initial * math.exp(-rate * int(arr))
        return initial * np.exp(-rate * arr.astype(np.float64))

    return _named(schedule, f"{initial!r} * exp(-{rate!r} * t)")


def inverse_decay(initial: float, tau: float) -> Callable[[Count], Rate]:
    """Inverse decay after a flat start (notes §2.7): ``α_t = initial · τ / max(t, τ)``.

    Constant at ``initial`` until ``t = τ``, then decreasing as ``1/t``.

    Parameters
    ----------
    initial : float >= 0
        α₀.
    tau : float > 0
        τ, the step at which the decay starts.

    Returns
    -------
    callable ``schedule(t)``
    """
    _check_initial(initial)
    check_scalar(tau, "tau", low=0.0, low_inclusive=False)
    initial, tau = float(initial), float(tau)

    def schedule(t: Count) -> Rate:
        arr, scalar = _as_count(t)
        return _finish(initial * tau / np.maximum(arr.astype(np.float64), tau), scalar)

    return _named(schedule, f"{initial!r} * {tau!r} / max(t, {tau!r})")


def invscaling(initial: float, power_t: float = 0.5) -> Callable[[Count], Rate]:
    """scikit-learn's ``'invscaling'``: ``α_t = initial / (t + 1)^power_t``.

    Parameters
    ----------
    initial : float >= 0
        α₀ (scikit-learn's ``learning_rate_init``).
    power_t : float >= 0, default=0.5
        The exponent (scikit-learn's ``power_t``).

    Returns
    -------
    callable ``schedule(t)``

    Notes
    -----
    The formula is the one in scikit-learn's code (``SGDOptimizer.iteration_ends`` in
    ``sklearn/neural_network/_stochastic_optimizers.py``:
    ``learning_rate_init / (time_step + 1) ** power_t``), but the count differs: scikit-learn
    passes ``time_step`` = the number of *samples* seen so far and updates the rate only at
    the end of each epoch, while here ``t`` is the number of optimizer *steps* taken. To
    reproduce scikit-learn exactly, call the schedule with the samples seen at the last epoch
    end.
    """
    _check_initial(initial)
    check_scalar(power_t, "power_t", low=0.0)
    initial, power_t = float(initial), float(power_t)

    def schedule(t: Count) -> Rate:
        arr, scalar = _as_count(t)
        if scalar:
            return initial / (int(arr) + 1) ** power_t
        return initial / (arr.astype(np.float64) + 1.0) ** power_t

    return _named(schedule, f"{initial!r} / (t + 1) ** {power_t!r}")
