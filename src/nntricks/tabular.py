"""Tabular data for the networks: the training columns' schema, their encoding, the task rule.

A table (a CSV file read by :func:`nntricks.datasets.load_table`, or any pandas data frame)
reaches a network through a preprocessing pipeline that is saved with the model:

1. :class:`TableSchema` records the training columns: their names, order and kinds (numeric,
   or categorical with its categories). Later input is matched by name, in any order; a
   missing, extra or renamed column is refused with one message naming the columns. Input
   without names is checked by width. Categories unseen in training are counted in one
   :class:`UnseenCategoryWarning`.
2. :func:`make_encoder`, scikit-learn's ``ColumnTransformer``: numeric columns get the median
   for a missing cell plus a missing-indicator column (``SimpleImputer``), then the chosen
   scaling; categorical columns get the category ``"(missing)"`` for a missing cell, then a
   one-hot encoding (``OneHotEncoder``) in which an unseen category has all features 0.
   A table of numbers only, without missing cells, needs no encoder: the scaling follows the
   schema directly, as for the bundled data sets (:func:`make_preprocessor` decides).

:func:`choose_task` decides between classification and regression by a documented rule.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from .persistence import register

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

__all__ = [
    "MAX_CLASSES",
    "MISSING_CATEGORY",
    "TableSchema",
    "UnseenCategoryWarning",
    "choose_task",
    "classification_limit",
    "describe_encoding",
    "make_encoder",
    "make_preprocessor",
    "reporting_unseen_categories",
]

MISSING_CATEGORY = "(missing)"
"""The category a missing cell of a categorical column becomes."""

MAX_CLASSES = 50
"""The most distinct integer labels :func:`choose_task` ever takes for classes."""

_KINDS = ("numeric", "categorical")
_SHOWN = 3  # unseen categories named per column in the warning


class UnseenCategoryWarning(UserWarning):
    """Input to :meth:`TableSchema.transform` holds categories not seen in training.

    They are encoded as unknown: every one-hot feature of their column is 0. The message is
    one line counting them per column.
    """


def _named(X) -> bool:
    """Whether ``X`` is a data frame whose column names are all strings."""
    columns = getattr(X, "columns", None)
    return columns is not None and all(isinstance(name, str) for name in columns)


def _category(value) -> str:
    """A category as text; an integral number without its ``.0`` (``3.0`` and ``3`` are
    ``"3"``), so that integer codes read with a missing cell (as floats) stay the same."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        if float(value).is_integer():
            return str(int(value))
    return str(value)


def _categories(column: pd.Series) -> pd.Series:
    """A column's cells as categories (text), NaN where missing."""
    return column.astype(object).map(_category, na_action="ignore").astype(object)


def _quoted(names) -> str:
    return ", ".join(repr(str(name)) for name in names)


def _count(n: int, noun: str) -> str:
    """``"1 cell"``, ``"2 cells"``, ``"2 classes"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('s') else 's'}"


@register
class TableSchema(TransformerMixin, BaseEstimator):
    """The training table's columns: names, order, kinds; checks and orders later input.

    The first step of the pipeline ``nntricks train`` saves for a table. ``fit`` records the
    columns; ``transform`` refuses input whose columns differ from them and hands the next step
    the columns in training order, numeric ones as float64 and categorical ones as text.

    Parameters
    ----------
    categorical : sequence of str, default=()
        Columns to treat as categorical even though they hold numbers (say, integer codes).
        Columns holding text are categorical anyway.
    drop : sequence of str, default=()
        Columns that are not features (say, an identifier): ignored by ``fit`` and
        ``transform`` whether present or not.
    label : str or None, default=None
        The name of the label column of the training table, ignored like ``drop``, so that a
        file with its labels can be predicted.

    Attributes
    ----------
    n_features_in_ : int
        Number of feature columns seen by ``fit``.
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Their names, in training order; only when ``fit`` was given a data frame with string
        column names.
    kinds_ : list of str
        ``"numeric"`` or ``"categorical"``, one per column.
    categories_ : dict of str to list of str
        The sorted categories seen in each categorical column (missing cells not counted).

    Notes
    -----
    Input with column names is matched by name, in any order; extra or missing columns raise
    one ``ValueError`` naming them all. Input without names (an array, as from an ``.npz``
    file) is taken in training order, checked by width only.

    ``transform`` returns a float array when every column is numeric (float32 input stays
    float32), and a data frame otherwise, because the categorical columns hold text.

    Examples
    --------
    >>> import pandas as pd
    >>> schema = TableSchema().fit(pd.DataFrame({"size": [1.0, 2.0], "color": ["red", "blue"]}))
    >>> schema.kinds_, schema.categories_
    (['numeric', 'categorical'], {'color': ['blue', 'red']})
    >>> schema.transform(pd.DataFrame({"color": ["red"], "size": [3.0]})).columns.tolist()
    ['size', 'color']
    """

    def __init__(self, categorical: Sequence[str] = (), drop: Sequence[str] = (),
                 label: str | None = None):
        self.categorical = categorical
        self.drop = drop
        self.label = label

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, X: ArrayLike | pd.DataFrame, y: object = None) -> TableSchema:
        """Record the columns of the training table ``X``.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            A data frame with string column names (numeric and text columns, NaN or None for
            a missing cell), or a numeric array, whose columns are then all numeric.
        y : None
            Ignored.

        Returns
        -------
        self : TableSchema

        Raises
        ------
        ValueError
            A ``categorical`` name that is not a column, ``categorical`` names for an array,
            a column whose every cell is missing.
        """
        if not _named(X):
            if self.categorical:
                raise ValueError(f"categorical columns {_quoted(self.categorical)} are named, "
                                 "but X has no column names; give a data frame")
            X = check_array(X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
            self.kinds_ = ["numeric"] * X.shape[1]
            self.categories_ = {}
            self.n_features_in_ = X.shape[1]
            return self
        columns = [name for name in X.columns if name not in self._ignored()]
        unknown = [name for name in self.categorical if name not in columns]
        if unknown:
            raise ValueError(f"categorical: no column named {_quoted(unknown)}; the columns "
                             f"are {_quoted(columns)}")
        if not columns or len(X) == 0:
            raise ValueError(f"the table has {len(columns)} feature columns and {len(X)} rows; "
                             "at least one of each is needed")
        empty = [name for name in columns if X[name].isna().all()]
        if empty:
            raise ValueError(f"every cell of column {_quoted(empty)} is missing; drop it")
        self.kinds_ = [self._kind(name, X[name]) for name in columns]
        self.categories_ = {name: sorted(set(_categories(X[name]).dropna()))
                            for name, kind in zip(columns, self.kinds_, strict=True)
                            if kind == "categorical"}
        self.feature_names_in_ = np.array(columns, dtype=object)
        self.n_features_in_ = len(columns)
        return self

    def _ignored(self) -> set[str]:
        return {*self.drop, *([self.label] if self.label is not None else [])}

    def _kind(self, name: str, column: pd.Series) -> str:
        numeric = column.dtype.kind in "iuf" and name not in self.categorical
        return "numeric" if numeric else "categorical"

    @property
    def numeric_columns(self) -> list:
        """The numeric columns: names, or positions when fitted without names."""
        return self._columns_of("numeric")

    @property
    def categorical_columns(self) -> list[str]:
        """The categorical columns' names."""
        return self._columns_of("categorical")

    def _columns_of(self, kind: str) -> list:
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", range(self.n_features_in_))
        return [name for name, k in zip(names, self.kinds_, strict=True) if k == kind]

    # -- transforming ---------------------------------------------------------------------------

    def transform(self, X: ArrayLike | pd.DataFrame) -> np.ndarray | pd.DataFrame:
        """Check ``X`` against the training columns; return them in training order.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            With column names (in any order; ``drop`` and ``label`` columns are ignored), or
            without, then in training order.

        Returns
        -------
        ndarray or pandas.DataFrame
            The columns in training order: a float array when all are numeric, else a data
            frame of float64 (numeric) and text (categorical) columns, NaN where missing.

        Raises
        ------
        ValueError
            One message for every column missing or not expected (by name), or a width that
            differs from training (without names); text in a numeric column.

        Warns
        -----
        UnseenCategoryWarning
            Categories not seen in training, counted per column in one line.
        """
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            X = check_array(X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
            self._check_width(X.shape[1])
            return X
        frame = self._select(X, list(names))
        typed = self._typed(frame)
        if not self.categories_:
            return typed.to_numpy(dtype=np.float64)
        return typed

    def _check_width(self, width: int) -> None:
        if width != self.n_features_in_:
            names = getattr(self, "feature_names_in_", None)
            listing = f": {_quoted(names)}" if names is not None else ""
            raise ValueError(f"X has {width} columns, but the model was trained on "
                             f"{self.n_features_in_}{listing}")

    def _select(self, X, names: list[str]) -> pd.DataFrame:
        """The columns ``names`` of ``X``, by name when it has names, else by position."""
        import pandas as pd

        if not _named(X):
            array = np.asarray(X)
            if array.ndim != 2:
                raise ValueError(f"expected a 2-D table of {len(names)} columns, got "
                                 f"{array.ndim} dimensions")
            self._check_width(array.shape[1])
            return pd.DataFrame(array, columns=names)
        given = [name for name in X.columns if name not in self._ignored()]
        missing = [name for name in names if name not in given]
        unexpected = [name for name in given if name not in names]
        if missing or unexpected:
            problems = [f"{what} {_quoted(columns)}" for what, columns in
                        (("missing", missing), ("unexpected", unexpected)) if columns]
            raise ValueError(f"the columns do not match the training data: "
                             f"{'; '.join(problems)} (the model expects, in any order: "
                             f"{_quoted(names)})")
        return X[names]

    def _typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Numeric columns as float64 and categorical ones as text; warn of unseen categories."""
        import pandas as pd

        columns, unseen = {}, {}
        for name, kind in zip(frame.columns, self.kinds_, strict=True):
            column = frame[name]
            if kind == "numeric":
                columns[name] = _numbers(column, name)
                continue
            categories = _categories(column)
            new = categories.notna() & ~categories.isin(self.categories_[name])
            if new.any():
                unseen[name] = categories[new]
            columns[name] = categories
        if unseen:
            warnings.warn(UnseenCategoryWarning(_unseen_message(unseen)), stacklevel=3)
        return pd.DataFrame(columns, index=frame.index)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """The output columns' names: the training columns' (``x0``, ``x1``, ... without)."""
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(names, dtype=object)

    # -- model files ----------------------------------------------------------------------------

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The recorded columns as JSON, no arrays (see :mod:`nntricks.persistence`)."""
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        meta = {"columns": None if names is None else [str(name) for name in names],
                "n_features": int(self.n_features_in_), "kinds": list(self.kinds_),
                "categories": {name: list(values) for name, values in self.categories_.items()}}
        return meta, {}

    def from_state(self, meta: dict, arrays: dict[str, np.ndarray]) -> TableSchema:
        """Become the fitted schema :meth:`to_state` described; returns ``self``."""
        kinds, columns = list(meta["kinds"]), meta["columns"]
        categories = {str(name): [str(v) for v in values]
                      for name, values in meta["categories"].items()}
        if len(kinds) != meta["n_features"] or not set(kinds) <= set(_KINDS):
            raise ValueError("invalid column kinds in the schema")
        if columns is not None:
            if len(columns) != len(kinds):
                raise ValueError("the schema's column names and kinds differ in number")
            if set(categories) != {name for name, kind in zip(columns, kinds, strict=True)
                                   if kind == "categorical"}:
                raise ValueError("the schema's categories do not match its columns")
            self.feature_names_in_ = np.array(columns, dtype=object)
        self.kinds_, self.categories_ = kinds, categories
        self.n_features_in_ = int(meta["n_features"])
        return self


@contextmanager
def reporting_unseen_categories(report: Callable[[str], None]) -> Iterator[None]:
    """Within this context, give each :class:`UnseenCategoryWarning` to ``report`` as one line
    instead of showing it; other warnings are shown as usual.

    Parameters
    ----------
    report : callable
        Called with each warning's message, e.g. to print it on standard error.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnseenCategoryWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, UnseenCategoryWarning):
            report(str(warning.message))
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)


def _numbers(column: pd.Series, name: str) -> pd.Series:
    """A numeric column as float64, or a ValueError naming text found in it."""
    import pandas as pd

    values = pd.to_numeric(column, errors="coerce")
    text = values.isna() & column.notna()
    if text.any():
        raise ValueError(f"column {name!r} holds {_count(int(text.sum()), 'cell')} of text "
                         f"(such as {column[text].iloc[0]!r}), but it was numeric in training")
    return values.astype(np.float64)


def _unseen_message(unseen: dict[str, pd.Series]) -> str:
    total = sum(len(cells) for cells in unseen.values())
    parts = []
    for name, cells in unseen.items():
        values = list(dict.fromkeys(cells))
        shown = _quoted(values[:_SHOWN]) + (", ..." if len(values) > _SHOWN else "")
        parts.append(f"{name}: {len(cells)} ({shown})")
    return (f"{_count(total, 'cell')} with categories not seen in training, encoded as "
            f"unknown: {', '.join(parts)}")


# -- encoding -------------------------------------------------------------------------------------

def make_encoder(schema: TableSchema, scaling: TransformerMixin | None = None
                 ) -> ColumnTransformer:
    """The column-wise encoding of a fitted schema's columns, by scikit-learn's transformers.

    Parameters
    ----------
    schema : TableSchema
        Fitted; its numeric and categorical columns are encoded.
    scaling : transformer or None, default=None
        Applied to the numeric columns after imputation (and to their missing indicators),
        e.g. :class:`nntricks.preprocessing.MeanCenter`; None for none.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted, dense output. Numeric columns: ``SimpleImputer(strategy="median",
        add_indicator=True)`` then ``scaling``; categorical columns:
        ``SimpleImputer(strategy="constant", fill_value="(missing)")`` then
        ``OneHotEncoder(handle_unknown="ignore")``, so that an unseen category has every
        one-hot feature 0.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    numeric = [("impute", SimpleImputer(strategy="median", add_indicator=True))]
    if scaling is not None:
        numeric.append(("scale", scaling))
    categorical = [
        ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
        ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
    ]
    # by position: the schema hands over an array when every column is numeric
    positions = {kind: [i for i, k in enumerate(schema.kinds_) if k == kind] for kind in _KINDS}
    parts = [("numeric", Pipeline(numeric), positions["numeric"]),
             ("categorical", Pipeline(categorical), positions["categorical"])]
    return ColumnTransformer([part for part in parts if part[2]], sparse_threshold=0)


def make_preprocessor(X: ArrayLike | pd.DataFrame, scaling: TransformerMixin | None = None, *,
                      categorical: Sequence[str] = (), drop: Sequence[str] = (),
                      label: str | None = None) -> Pipeline:
    """The preprocessing pipeline for the training data ``X``, unfitted but for its schema.

    Parameters
    ----------
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        The training data (a table or a numeric array).
    scaling : transformer or None, default=None
        The numeric columns' scaling, e.g. :class:`nntricks.preprocessing.MeanCenter`.
    categorical, drop, label
        As for :class:`TableSchema`.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``("schema", TableSchema)`` fitted on ``X``, then ``("preprocess", ...)``: the
        :func:`make_encoder` column transformer when ``X`` is a table with categorical columns
        or missing cells; otherwise ``scaling`` itself (no such step when None).
    """
    from sklearn.pipeline import Pipeline

    schema = TableSchema(categorical=categorical, drop=drop, label=label).fit(X)
    names = getattr(schema, "feature_names_in_", None)
    needs_encoder = names is not None and (
        bool(schema.categorical_columns) or bool(X[list(names)].isna().any().any()))
    steps = [("schema", schema)]
    if needs_encoder:
        steps.append(("preprocess", make_encoder(schema, scaling)))
    elif scaling is not None:
        steps.append(("preprocess", scaling))
    return Pipeline(steps)


def describe_encoding(preprocessor: Pipeline, X: pd.DataFrame) -> str:
    """One line saying what a fitted :func:`make_preprocessor` pipeline encoded and imputed.

    Parameters
    ----------
    preprocessor : sklearn.pipeline.Pipeline
        Fitted on ``X``.
    X : pandas.DataFrame
        The table it was fitted on.

    Returns
    -------
    str
        E.g. ``"encoded 2 categorical columns (color: 3 categories, size: 4) into 7 features;
        imputed 12 missing cells in 2 numeric columns (median, with indicators)"``; the
        category counts include ``"(missing)"`` where a column had missing cells.
    """
    schema = preprocessor.named_steps["schema"]
    parts = []
    categorical = schema.categorical_columns
    if categorical:
        encoder = preprocessor.named_steps["preprocess"].named_transformers_["categorical"]
        counts = [len(values) for values in encoder.named_steps["encode"].categories_]
        listing = ", ".join(f"{name}: {count}" + (" categories" if i == 0 else "")
                            for i, (name, count) in enumerate(zip(categorical, counts,
                                                                  strict=True)))
        parts.append(f"encoded {_count(len(categorical), 'categorical column')} ({listing}) "
                     f"into {_count(sum(counts), 'feature')}")
        missing = int(X[categorical].isna().to_numpy().sum())
        if missing:
            parts.append(f"{_count(missing, 'missing categorical cell')} kept as the category "
                         f"{MISSING_CATEGORY!r}")
    numeric = schema.numeric_columns
    missing = X[numeric].isna().sum()
    if missing.any():
        parts.append(f"imputed {_count(int(missing.sum()), 'missing cell')} in "
                     f"{_count(int((missing > 0).sum()), 'numeric column')} "
                     "(median, with indicators)")
    if not parts:
        parts.append(f"{_count(len(numeric), 'numeric column')}, no missing cells")
    return "; ".join(parts)


# -- the task -------------------------------------------------------------------------------------

def classification_limit(n_samples: int) -> int:
    """The most distinct integer labels :func:`choose_task` takes for classes:
    ``max(2, min(50, ⌊√n_samples⌋))``."""
    return max(2, min(MAX_CLASSES, math.isqrt(int(n_samples))))


def choose_task(y: ArrayLike, label: str | None = None, task: str = "auto") -> tuple[str, str]:
    """Classification or regression for the labels ``y``, and why.

    The rule (``task="auto"``): labels that are text or booleans are classes; numbers that
    are not all integers are a regression target; integer labels (or integral floats) with at
    most ``max(2, min(50, ⌊√n⌋))`` distinct values, ``n`` the number of labels, are classes,
    with more a regression target. So 10 digits in 1797 rows and 3 species in 150 are classes,
    and scikit-learn's diabetes target, 214 distinct integers in 442 rows, is a regression
    target.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        All the labels (training and test).
    label : str or None, default=None
        The label column's name, for the reason.
    task : {"auto", "classification", "regression"}, default="auto"
        Anything but "auto" is returned as it is, with the reason "as requested".

    Returns
    -------
    task : str
        ``"classification"`` or ``"regression"``.
    reason : str
        One line, e.g. ``"the label 'target' has 214 distinct integer values in 442 rows
        (classification needs at most 21)"``.

    Raises
    ------
    ValueError
        For an unknown ``task``; with ``task="auto"``, for no labels at all or missing labels
        (NaN, None), naming the rows.
    """
    if task != "auto":
        if task not in ("classification", "regression"):
            raise ValueError(f"unknown task {task!r}; expected 'auto', 'classification' or "
                             "'regression'")
        return task, "as requested"
    import pandas as pd

    y = np.asarray(y)
    subject = "the label" if label is None else f"the label {label!r}"
    if y.size == 0:
        raise ValueError(f"{subject} has no values: there are no labels to choose a task from")
    missing = np.flatnonzero(pd.isna(y))
    if missing.size:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if missing.size > 5 else "")
        raise ValueError(f"{subject} is missing in {_count(missing.size, 'row')}: "
                         f"{'row' if missing.size == 1 else 'rows'} {shown}; drop those rows or "
                         "fill in their labels")
    if y.dtype.kind in "bOUS":
        return "classification", f"{subject} holds text ({_count(len(np.unique(y)), 'class')})"
    if not np.all(np.mod(y, 1) == 0):
        return "regression", f"{subject} holds numbers that are not all integers"
    distinct, limit = len(np.unique(y)), classification_limit(len(y))
    counted = f"{subject} has {distinct} distinct integer values in {len(y)} rows"
    if distinct <= limit:
        return "classification", f"{counted} (classification allows at most {limit})"
    return "regression", f"{counted} (classification needs at most {limit})"
