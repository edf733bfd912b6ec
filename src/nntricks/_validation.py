"""Argument and array checks shared by every module; each ``ValueError`` names the problem."""

from __future__ import annotations

import numbers

import numpy as np

from .backend import namespace


def check_choice(value: object, name: str, choices) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; expected one of {options}")


def check_scalar(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    integer: bool = False,
) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite real number in the given interval."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an integer" if integer else "a real number"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "-inf" if low is None else _bound(low)
        right = "inf" if high is None else _bound(high)
        interval = (
            ("[" if low_inclusive and low is not None else "(")
            + f"{left}, {right}"
            + ("]" if high_inclusive and high is not None else ")")
        )
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")


def _bound(value: float) -> str:
    """An interval's end as text: integers in full (2**32 - 1 as 4294967295), others by %g."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else f"{value:g}"


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``array`` (on any device) holds NaN or infinity."""
    xp = namespace(array)
    if not bool(xp.isfinite(array).all()):
        n_nan = int(xp.count_nonzero(xp.isnan(array)))
        n_inf = int(xp.count_nonzero(xp.isinf(array)))
        raise ValueError(f"{name} contains {n_nan} NaN and {n_inf} infinite values")


def check_same_length(first: np.ndarray, second: np.ndarray, names: tuple[str, str]) -> None:
    """Raise ``ValueError`` unless two arrays have the same number of rows."""
    if first.shape[0] != second.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} have different lengths: "
            f"{first.shape[0]} != {second.shape[0]}"
        )


def check_sample_weight(sample_weight: object, n_samples: int, dtype) -> np.ndarray | None:
    """Validate sample weights: ``None``, a scalar for every sample, or one weight per sample.

    Returns ``None`` or an array of shape ``(n_samples,)`` and ``dtype``; raises ``ValueError``
    for a wrong shape, NaN or infinity, a negative weight, or weights that are all zero.
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=dtype)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, sample_weight, dtype=dtype)
    if sample_weight.shape != (n_samples,):
        raise ValueError(f"sample_weight must have shape ({n_samples},), "
                         f"got {sample_weight.shape}")
    check_finite(sample_weight, "sample_weight")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative")
    if not sample_weight.sum() > 0:
        raise ValueError("sample weights are all zero: at least one must be positive")
    return sample_weight
