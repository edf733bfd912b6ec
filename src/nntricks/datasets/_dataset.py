"""The result type every loader returns, the errors they raise, and the seeded train/test split."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_same_length, check_scalar
from ..splits import holdout_split

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Dataset", "DataFileNotFoundError", "OptionalDependencyError", "Table"]


class DataFileNotFoundError(FileNotFoundError, ValueError):
    """A data file or folder is missing; the message says how to get it.

    Both a :class:`FileNotFoundError` (what it is) and a :class:`ValueError` (what a command line
    reports as a user error), like :class:`io.UnsupportedOperation` is both an ``OSError`` and a
    ``ValueError``.
    """


class OptionalDependencyError(ImportError, ValueError):
    """An optional package a loader needs is not installed; the message names the pip extra.

    Both an :class:`ImportError` and a :class:`ValueError`, for the same reason as
    :class:`DataFileNotFoundError`.
    """


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A data set split into a training and a test part.

    Parameters
    ----------
    X_train : ndarray of float32, shape (n_train, n_features)
        Training inputs, one sample per row.
    y_train : ndarray, shape (n_train,)
        Training labels: ``int64`` class indices for the bundled sets; for a user's CSV or
        ``.npz`` file, the labels as they were in the file (integers, floats or strings).
    X_test : ndarray of float32, shape (n_test, n_features)
        Test inputs.
    y_test : ndarray, shape (n_test,)
        Test labels, same dtype as ``y_train``.
    name : str
        Short name: ``"digits"``, ``"mnist1d"``, ``"fashion-mnist"``, or the file's name.
    description : str, default=""
        Where the data came from and how it was scaled and split.
    feature_names : tuple of str or None, default=None
        One name per column of ``X``, when known.
    target_names : tuple of str or None, default=None
        Human-readable class names, ``target_names[k]`` for label ``k``, when known.

    Notes
    -----
    The dataclass is frozen (its fields cannot be rebound) and compares by identity; the arrays
    themselves are ordinary writable arrays owned by the data set.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str
    description: str = ""
    feature_names: tuple[str, ...] | None = None
    target_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for part in ("train", "test"):
            X, y = getattr(self, f"X_{part}"), getattr(self, f"y_{part}")
            if not isinstance(X, np.ndarray) or X.dtype != np.float32 or X.ndim != 2:
                raise ValueError(f"X_{part} must be a 2-D float32 ndarray")
            if not isinstance(y, np.ndarray) or y.ndim != 1:
                raise ValueError(f"y_{part} must be a 1-D ndarray")
            check_same_length(X, y, (f"X_{part}", f"y_{part}"))
        if self.X_train.shape[1] != self.X_test.shape[1]:
            raise ValueError(
                f"X_train has {self.X_train.shape[1]} features but X_test has "
                f"{self.X_test.shape[1]}"
            )
        if self.feature_names is not None and len(self.feature_names) != self.n_features:
            raise ValueError(
                f"{len(self.feature_names)} feature names for {self.n_features} features"
            )

    @property
    def n_features(self) -> int:
        """Number of input columns."""
        return self.X_train.shape[1]

    @property
    def classes(self) -> np.ndarray:
        """The sorted distinct labels of the training and test parts together."""
        return np.unique(np.concatenate([self.y_train, self.y_test]))

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_train={len(self.y_train)}, "
            f"n_test={len(self.y_test)}, n_features={self.n_features}, "
            f"y dtype={self.y_train.dtype})"
        )


@dataclass(frozen=True, eq=False, repr=False)
class Table:
    """A table of a CSV file, numeric and text columns with missing cells, split in two parts.

    What :func:`nntricks.datasets.load_table` returns; unlike :class:`Dataset`, ``X`` is a data
    frame, to be encoded (see :mod:`nntricks.tabular`) before a network sees it.

    Parameters
    ----------
    X_train, X_test : pandas.DataFrame
        The feature columns, in file order: float64 where every cell is a number, text
        otherwise; NaN marks a missing cell. The index is the line in the file.
    y_train, y_test : ndarray, shape (n_train,) and (n_test,)
        The labels: int64, float64 or strings, as in :func:`nntricks.datasets.load_csv`.
    name : str
        The file's name.
    label : str
        The label column's name.
    description : str, default=""
        Where the data came from and how it was split.
    """

    X_train: pd.DataFrame
    y_train: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray
    name: str
    label: str
    description: str = ""

    @property
    def n_features(self) -> int:
        """Number of feature columns (before any encoding)."""
        return self.X_train.shape[1]

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The feature columns' names."""
        return tuple(self.X_train.columns)

    def __repr__(self) -> str:
        return (
            f"Table(name={self.name!r}, n_train={len(self.y_train)}, "
            f"n_test={len(self.y_test)}, n_features={self.n_features}, label={self.label!r})"
        )


def check_split_options(test_size: float, random_state: int | None) -> None:
    """Raise ``ValueError`` unless ``test_size`` lies in (0, 1) and ``random_state`` is a seed."""
    check_scalar(test_size, "test_size", low=0, high=1, low_inclusive=False,
                 high_inclusive=False)
    if random_state is not None:
        check_scalar(random_state, "random_state", low=0, integer=True)


def is_categorical(y: np.ndarray) -> bool:
    """Whether labels are classes (integers, booleans, strings) rather than real numbers."""
    return y.dtype.kind in "biuUS"


def split(
    X: np.ndarray, y: np.ndarray, test_size: float, random_state: int | None, source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into ``X_train, X_test, y_train, y_test``, stratified when ``y`` holds classes.

    By :func:`nntricks.splits.holdout_split`, under its rule; an error names ``source``, the
    data set or file being split.
    """
    stratify = y if is_categorical(y) else None
    try:
        X_train, X_test, y_train, y_test = holdout_split(
            X, y, test_size=test_size, random_state=random_state, stratify=stratify)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    return X_train, X_test, y_train, y_test
