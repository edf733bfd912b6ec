"""The sweep spec: what to search, on which data, validated before any trial runs."""

from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer_names

from ._space import Dimension, parse_space

#: Estimators named without a module path: the nntricks ones.
ESTIMATORS = ("MLPClassifier", "MLPRegressor")

#: Spec keys and their meaning (also the documentation of the file format).
SPEC_KEYS = {
    "estimator": "estimator name ('MLPClassifier', 'MLPRegressor') or 'package.module.Class'",
    "data": "nntricks.datasets name or .csv/.npz path (its training part is searched)",
    "search": "'random' (default) or 'grid'",
    "n_trials": "number of random-search draws (default 10; grid search ignores it)",
    "seed": "sweep seed; each trial's random_state derives from it and the trial's parameters",
    "cv": "k-fold cross-validation with k folds (default 3 when holdout is not given)",
    "holdout": "validate on this fraction of the training data instead of k folds",
    "scoring": "scikit-learn scorer name (default: the estimator's own score)",
    "params": "estimator parameters: fixed values or ranges (see nntricks.sweep._space)",
}


@dataclass(frozen=True)
class SweepSpec:
    """A hyperparameter search: estimator, data, search space and validation scheme.

    Parameters
    ----------
    estimator : str or estimator, default="MLPClassifier"
        ``"MLPClassifier"`` or ``"MLPRegressor"`` (nntricks'), a dotted path
        ``"package.module.Class"`` to any scikit-learn estimator, or an estimator instance (its
        parameters are the starting point of every trial; library use only).
    data : str or tuple of arrays, default="digits"
        A dataset name loaded with ``nntricks.datasets.load(name)``; the sweep uses only its
        training part ``(X_train, y_train)``, so the test part stays untouched for the final
        model. Or ``(X, y)`` arrays (library use only).
    params : mapping, default={}
        Parameter name -> fixed value or range (``{"log_uniform": [1e-6, 1e-1]}``, a list of
        values, ``{"log_grid": [1e-4, 1e-1, 4]}``, ...). Names must be parameters of the
        estimator (``estimator.get_params()``); ``random_state`` is set by the sweep.
    search : {"random", "grid"}, default="random"
        Random search draws ``n_trials`` points; grid search runs the Cartesian product.
    n_trials : int, default=10
        Number of random draws (identical draws are run once).
    seed : int, default=0
        Sweep seed: random draws use ``default_rng(seed)``; each trial's ``random_state`` (for the
        estimator and the validation splitter) is a hash of ``seed`` and the trial's parameters.
    cv : int or None, default=None
        Number of folds of k-fold cross-validation (stratified for classifiers). Default 3 when
        ``holdout`` is not given either.
    holdout : float or None, default=None
        Validate on one split holding out this fraction ``(0, 1)`` instead, by
        :func:`nntricks.splits.holdout_split` (stratified for classifiers under its rule).
    scoring : str or None, default=None
        A scikit-learn scorer name; ``None`` uses ``estimator.score`` (accuracy or R²).
    """

    estimator: Any = "MLPClassifier"
    data: Any = "digits"
    params: Mapping[str, Any] = field(default_factory=dict)
    search: str = "random"
    n_trials: int = 10
    seed: int = 0
    cv: int | None = None
    holdout: float | None = None
    scoring: str | None = None

    def __post_init__(self) -> None:
        if self.search not in ("random", "grid"):
            raise ValueError(f"search must be 'random' or 'grid', got {self.search!r}")
        if not _is_int(self.n_trials) or self.n_trials < 1:
            raise ValueError(f"n_trials must be an integer >= 1, got {self.n_trials!r}")
        if not _is_int(self.seed) or not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.cv is not None and self.holdout is not None:
            raise ValueError("give either cv (k folds) or holdout (a fraction), not both")
        if self.cv is not None and (not _is_int(self.cv) or self.cv < 2):
            raise ValueError(f"cv must be an integer >= 2 folds, got {self.cv!r}")
        if self.holdout is not None and not (
            isinstance(self.holdout, (int, float)) and 0 < self.holdout < 1
        ):
            raise ValueError(f"holdout must be a fraction in (0, 1), got {self.holdout!r}")
        if self.scoring is not None:
            check_scoring_name(self.scoring)
        if not isinstance(self.params, Mapping):
            raise ValueError(f"params must be a table of parameter -> value or range, "
                             f"got {self.params!r}")
        if "random_state" in self.params:
            raise ValueError("params must not set random_state: each trial's random_state "
                             "derives from the sweep seed; set seed instead")
        space = parse_space(self.params)  # raises on bad ranges
        if self.search == "grid":
            for name, dim in space.items():
                try:
                    dim.grid()
                except ValueError as error:
                    raise ValueError(f"parameter {name!r}: {error}") from None

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> SweepSpec:
        """Build a spec from plain data (a parsed JSON/TOML/YAML file); unknown keys fail."""
        if not isinstance(spec, Mapping):
            raise ValueError(f"a sweep spec must be a table, got {type(spec).__name__}")
        for key in spec:
            if key not in SPEC_KEYS:
                close = difflib.get_close_matches(str(key), SPEC_KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"unknown spec key {key!r}{hint} (known: "
                                 f"{', '.join(SPEC_KEYS)})")
        return cls(**spec)

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (estimator instances and arrays by description)."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "estimator": estimator_key(self.estimator), "data": data_key(self.data),
            "params": dict(self.params)}

    @property
    def space(self) -> dict[str, Dimension]:
        """The parsed range of each parameter, ordered by name."""
        return parse_space(self.params)

    @property
    def validation(self) -> str:
        """``"holdout=0.2"`` or ``"cv=3"``: the validation scheme, as recorded per trial."""
        return f"holdout={self.holdout:g}" if self.holdout is not None else f"cv={self.cv or 3}"


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def load_spec(path: str | Path) -> SweepSpec:
    """Read a sweep spec from a ``.json``, ``.toml`` or ``.yaml``/``.yml`` file.

    TOML needs Python >= 3.11 (``tomllib``) or the ``tomli`` package; YAML needs PyYAML.

    Examples
    --------
    A TOML spec::

        estimator = "MLPClassifier"
        data = "digits"
        search = "random"
        n_trials = 12
        seed = 0
        cv = 3

        [params]
        alpha = { log_uniform = [1e-6, 1e-1] }
        learning_rate_init = { log_uniform = [1e-4, 1e-1] }
        hidden_layer_sizes = { choice = [[32], [64]] }
        max_iter = 30
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"cannot read sweep spec {str(path)!r}: {error.strerror}") from None
    if suffix == ".json":
        parse = json.loads
    elif suffix == ".toml":
        parse = _toml().loads
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ValueError("reading a YAML spec needs PyYAML (pip install pyyaml); "
                             "or write the spec as JSON or TOML") from None
        parse = yaml.safe_load
    else:
        raise ValueError(f"sweep spec {str(path)!r}: unknown format {suffix!r}; use .json, "
                         f".toml, .yaml or .yml")
    try:
        data = parse(text)
    except Exception as error:  # JSON and TOML raise ValueErrors, YAML its own YAMLError
        raise ValueError(f"sweep spec {str(path)!r}: {error}") from None
    if suffix in (".yaml", ".yml") and isinstance(data, Mapping):
        check_yaml_numbers(data.get("params", {}), path)
    return SweepSpec.from_dict(data)


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:
        raise ValueError("reading a TOML spec needs Python >= 3.11 or the tomli package "
                         "(pip install tomli); or write the spec as JSON") from None
    return tomli


def check_scoring_name(scoring: Any) -> None:
    """Fail, naming close matches, unless ``scoring`` is one of scikit-learn's scorer names."""
    names = get_scorer_names()
    if scoring not in names:
        close = difflib.get_close_matches(str(scoring), names, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"unknown scoring {scoring!r}{hint} (see "
                         "sklearn.metrics.get_scorer_names())")


def check_yaml_numbers(value: Any, path: Path) -> None:
    """Fail with a hint where YAML read a number such as ``1e-4`` as text."""
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            check_yaml_numbers(item, path)
    elif isinstance(value, str) and _looks_numeric(value):
        raise ValueError(f"sweep spec {str(path)!r}: {value!r} is text, not a number: YAML reads "
                         "numbers like 1e-4 as text; write it with a decimal point (1.0e-4) or "
                         "as 0.0001")


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return any(character.isdigit() for character in text)


def resolve_estimator(estimator: Any) -> BaseEstimator:
    """A fresh estimator from a name, a dotted path ``package.module.Class`` or an instance."""
    if hasattr(estimator, "get_params"):
        return clone(estimator)
    if not isinstance(estimator, str):
        raise ValueError(f"estimator must be a name or an estimator, got {estimator!r}")
    if estimator in ESTIMATORS:
        from .. import estimators

        return getattr(estimators, estimator)()
    module_name, _, class_name = estimator.replace(":", ".").rpartition(".")
    if not module_name:
        raise ValueError(f"unknown estimator {estimator!r}; use {' or '.join(ESTIMATORS)} or a "
                         f"dotted path such as 'sklearn.linear_model.LogisticRegression'")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot import estimator {estimator!r}: {error}") from None
    if not (isinstance(cls, type) and callable(getattr(cls, "fit", None))
            and callable(getattr(cls, "get_params", None))):
        raise ValueError(f"{estimator!r} is not an estimator class (a class with fit and "
                         "get_params, such as sklearn.linear_model.LogisticRegression)")
    try:
        return cls()
    except Exception as error:
        raise ValueError(f"cannot build {estimator!r} with its default parameters: "
                         f"{error}") from None


def check_params(estimator: BaseEstimator, names: Any) -> None:
    """Fail, naming close matches, when a name is not a parameter of ``estimator``."""
    valid = estimator.get_params(deep=True)
    for name in names:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown parameter {name!r} for {type(estimator).__name__}{hint} "
                             f"(its parameters: {', '.join(sorted(valid))})")


def estimator_key(estimator: Any) -> str:
    """A stable text naming ``estimator``, part of every trial id."""
    if isinstance(estimator, str):
        return estimator
    cls = type(estimator)
    params = json.dumps(estimator.get_params(deep=False), sort_keys=True, default=repr)
    return f"{cls.__module__}.{cls.__qualname__}({params})"


def data_key(data: Any) -> str:
    """A stable text naming the data: its name, or a hash of the arrays' bytes."""
    if isinstance(data, str):
        return data
    digest = hashlib.sha256()
    for array in data:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return f"arrays:{digest.hexdigest()[:16]}"


def load_data(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """The ``(X, y)`` a sweep searches on: a dataset's training part, or the given arrays.

    A name or file path goes to :func:`nntricks.datasets.load`; only its ``X_train, y_train``
    are used, so the test part stays untouched for judging the final model.
    """
    if not isinstance(data, str):
        X, y = data
        return np.asarray(X), np.asarray(y)
    from ..datasets import load

    dataset = load(data)
    return dataset.X_train, dataset.y_train
