"""Search spaces: what each swept parameter may take, how it is sampled and gridded.

A parameter's range is written in a spec file as plain data:

====================================  =============================================================
spec value                            meaning
====================================  =============================================================
``30``, ``"relu"``, ``true``          fixed value (every trial)
``{"value": [32, 32]}``               fixed value, needed when the value itself is a list or table
``[1e-4, 1e-3]``                      try these values (grid: each one; random: one at random)
``{"choice": [[32], [64]]}``          the same, written out
``{"uniform": [low, high]}``          random search: uniform on ``[low, high)``
``{"log_uniform": [low, high]}``      random search: ``exp(U(log low, log high))``, ``0 < low``
``{"log_grid": [low, high, n]}``      grid search: ``n`` values spaced evenly in ``log`` from
                                      ``low`` to ``high`` (random search picks one of them)
====================================  =============================================================

λ (``alpha``, ``l1``) and learning rates matter by their order of magnitude, so they are swept with
``log_uniform`` or ``log_grid``.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Significant digits kept of a sampled or gridded float, so that parameters read well in tables
#: and in the results file and round-trip exactly through JSON.
DIGITS = 6


def _tidy(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Fixed:
    """One value for every trial."""

    value: Any
    log = False
    swept = False

    def sample(self, rng: np.random.Generator) -> Any:
        return copy.deepcopy(self.value)

    def grid(self) -> list[Any]:
        return [copy.deepcopy(self.value)]


@dataclass(frozen=True)
class Choice:
    """One of a list of values: each in grid search, one drawn uniformly in random search."""

    values: tuple[Any, ...]
    log = False
    swept = True

    def sample(self, rng: np.random.Generator) -> Any:
        return copy.deepcopy(self.values[int(rng.integers(len(self.values)))])

    def grid(self) -> list[Any]:
        return [copy.deepcopy(value) for value in self.values]


@dataclass(frozen=True)
class Uniform:
    """A float drawn uniformly on ``[low, high)`` (random search only)."""

    low: float
    high: float
    log = False
    swept = True

    def sample(self, rng: np.random.Generator) -> float:
        return _tidy(rng.uniform(self.low, self.high))

    def grid(self) -> list[Any]:
        raise ValueError("a uniform range has no grid; give a list of values for grid search")


@dataclass(frozen=True)
class LogUniform:
    """A float ``exp(u)``, ``u ~ U(log low, log high)`` (random search only)."""

    low: float
    high: float
    log = True
    swept = True

    def sample(self, rng: np.random.Generator) -> float:
        return _tidy(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def grid(self) -> list[Any]:
        raise ValueError("a log_uniform range has no grid; use {'log_grid': [low, high, n]} "
                         "for grid search")


@dataclass(frozen=True)
class LogGrid:
    """``n`` floats from ``low`` to ``high``, evenly spaced in ``log`` (``numpy.geomspace``)."""

    low: float
    high: float
    n: int
    log = True
    swept = True

    def sample(self, rng: np.random.Generator) -> float:
        return self.grid()[int(rng.integers(self.n))]

    def grid(self) -> list[Any]:
        return [_tidy(value) for value in np.geomspace(self.low, self.high, self.n)]


Dimension = Fixed | Choice | Uniform | LogUniform | LogGrid

PARAMETER_KINDS = ("value", "choice", "uniform", "log_uniform", "log_grid")
"""The keys of a one-key range table in a spec, ``{"log_uniform": [1e-5, 1e-1]}``: a fixed
``value``, a ``choice`` of values, ``uniform`` and ``log_uniform`` ranges, a ``log_grid``."""


def _bounds(name: str, kind: str, args: Any, count: int) -> list[Any]:
    if not isinstance(args, (list, tuple)) or len(args) != count:
        shape = "[low, high, n]" if count == 3 else "[low, high]"
        raise ValueError(f"parameter {name!r}: {kind} takes {shape}, got {args!r}")
    low, high = args[0], args[1]
    if not (_is_number(low) and _is_number(high)):
        raise ValueError(f"parameter {name!r}: {kind} bounds must be finite numbers, "
                         f"got {low!r} and {high!r}")
    if low >= high:
        raise ValueError(f"parameter {name!r}: {kind} needs low < high, got [{low!r}, {high!r}]")
    if kind.startswith("log") and low <= 0:
        raise ValueError(f"parameter {name!r}: {kind} needs positive bounds (it samples log "
                         f"values), got low={low!r}")
    return list(args)


def parse_dimension(name: str, raw: Any) -> Dimension:
    """Read one parameter's range from its spec value (see the module docstring).

    Parameters
    ----------
    name : str
        The estimator parameter, used in error messages.
    raw : object
        The spec value: a scalar, a list, or a one-key table naming the kind of range.

    Returns
    -------
    Fixed, Choice, Uniform, LogUniform or LogGrid

    Raises
    ------
    ValueError
        On an unknown kind, an empty list, bounds that are not numbers, ``low >= high``,
        non-positive bounds of a log range, or a log grid with fewer than 2 points.
    """
    if isinstance(raw, Dimension):
        return raw
    if isinstance(raw, (list, tuple)):
        raw = {"choice": raw}
    if not isinstance(raw, Mapping):
        return Fixed(raw)
    if len(raw) != 1 or next(iter(raw)) not in PARAMETER_KINDS:
        raise ValueError(f"parameter {name!r}: a table must have exactly one key among "
                         f"{', '.join(PARAMETER_KINDS)}; got {sorted(raw)!r} "
                         "(write {'value': ...} for a fixed table-valued parameter)")
    kind, args = next(iter(raw.items()))
    if kind == "value":
        return Fixed(args)
    if kind == "choice":
        if not isinstance(args, (list, tuple)) or not args:
            raise ValueError(f"parameter {name!r}: choice needs a non-empty list, got {args!r}")
        return Choice(tuple(args))
    if kind == "uniform":
        return Uniform(*map(float, _bounds(name, kind, args, 2)))
    if kind == "log_uniform":
        return LogUniform(*map(float, _bounds(name, kind, args, 2)))
    low, high, n = _bounds(name, kind, args, 3)
    if not (isinstance(n, int) and not isinstance(n, bool) and n >= 2):
        raise ValueError(f"parameter {name!r}: log_grid needs an integer n >= 2 points, got {n!r}")
    return LogGrid(float(low), float(high), n)


def parse_space(params: Mapping[str, Any]) -> dict[str, Dimension]:
    """Read every parameter's range; the result is ordered by parameter name."""
    return {name: parse_dimension(name, params[name]) for name in sorted(params)}


def grid_points(space: Mapping[str, Dimension]) -> Iterator[dict[str, Any]]:
    """Every combination of the grid values of ``space`` (the Cartesian product, name order)."""
    names = sorted(space)
    grids = []
    for name in names:
        try:
            grids.append(space[name].grid())
        except ValueError as error:
            raise ValueError(f"parameter {name!r}: {error}") from None
    for values in itertools.product(*grids):
        yield dict(zip(names, values, strict=True))


def random_points(space: Mapping[str, Dimension], n: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` independent draws from ``space`` with ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    names = sorted(space)
    for _ in range(n):
        yield {name: space[name].sample(rng) for name in names}
