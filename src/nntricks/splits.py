"""The package's one way to set a test or validation part apart, stratified when possible.

The data loaders (their train/test split), ``nntricks train`` (its validation part) and
``nntricks sweep`` (its ``holdout`` validation) all split with :func:`holdout_split`, under the
same rule.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validation import check_scalar

__all__ = ["holdout_split"]


def _n_rows(array: Any) -> int:
    """Number of samples of an array, sparse matrix, data frame or list."""
    return array.shape[0] if hasattr(array, "shape") else len(array)


def _can_stratify(labels: Any, n_test: int, n_train: int) -> bool:
    """Whether every class has 2 members and each part has room for one of every class."""
    labels = np.asarray(labels)
    _, counts = np.unique(labels, axis=0 if labels.ndim > 1 else None, return_counts=True)
    return counts.min() >= 2 and min(n_test, n_train) >= len(counts)


def holdout_split(
    *arrays: Any,
    test_size: float,
    random_state: int | np.random.RandomState | None = None,
    stratify: Any = None,
) -> list[Any]:
    """Shuffle and split arrays into a training and a test part, stratified when possible.

    The rule: with ``stratify`` labels, the split is stratified (each class in the same
    proportion in both parts, within one sample) when **every class has at least 2 members and
    the test and training parts each have at least as many samples as there are classes**;
    otherwise, and without ``stratify``, it is an ordinary shuffled split. It never fails
    because of a rare class.

    Parameters
    ----------
    *arrays : sequence of array-likes, sparse matrices, data frames or None
        Samples along the first axis, all the same length. A ``None`` entry stands for an
        absent array (say, no sample weights) and comes back as ``None, None``.
    test_size : float
        Fraction of the samples in the test part, in (0, 1): the test part has
        ``ceil(test_size * n_samples)`` samples, as in
        :func:`sklearn.model_selection.train_test_split`.
    random_state : int, RandomState or None, default=None
        Seed of the shuffle; the same seed gives the same split. None: a different split each
        call.
    stratify : array-like of shape (n_samples,) or None, default=None
        Class labels to stratify by (pass the labels of a classification task, None for a
        regression). 2-D labels count each distinct row as a class.

    Returns
    -------
    list
        ``train, test`` for each array in turn (``X_train, X_test, y_train, y_test`` for
        ``holdout_split(X, y, ...)``), each of its input's type; multiple arrays are split
        along the same rows.

    Raises
    ------
    ValueError
        ``test_size`` not a number in (0, 1), no array given, arrays (or ``stratify``) of
        different lengths, or too few samples for both parts to have one.

    Examples
    --------
    >>> import numpy as np
    >>> from nntricks.splits import holdout_split
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 6 + [1] * 4)
    >>> X_train, X_test, y_train, y_test = holdout_split(
    ...     X, y, test_size=0.5, random_state=0, stratify=y)
    >>> np.bincount(y_test).tolist()
    [3, 2]
    """
    from sklearn.model_selection import train_test_split  # deferred: keeps import fast
    from sklearn.utils import check_consistent_length

    check_scalar(test_size, "test_size", low=0, high=1, low_inclusive=False,
                 high_inclusive=False)
    present = [array for array in arrays if array is not None]
    if not present:
        raise ValueError("holdout_split needs at least one array")
    check_consistent_length(*present, *([] if stratify is None else [stratify]))
    n_samples = _n_rows(present[0])
    n_test = math.ceil(test_size * n_samples)
    n_train = n_samples - n_test
    if n_train < 1:
        raise ValueError(f"cannot split {n_samples} samples with test_size={test_size}; both "
                         "the training and the test part need at least one sample")
    if stratify is not None and not _can_stratify(stratify, n_test, n_train):
        stratify = None
    parts = iter(train_test_split(*present, test_size=test_size, random_state=random_state,
                                  shuffle=True, stratify=stratify))
    return [part for array in arrays
            for part in ((None, None) if array is None else (next(parts), next(parts)))]
