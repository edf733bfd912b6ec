"""holdout_split: the package's one stratified-when-possible train/test split."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from nntricks.splits import holdout_split

Y_UNEVEN = np.repeat([0, 1, 2], [30, 20, 10])  # 60 samples, classes of different sizes


def share_errors(y, y_test):
    """Each class's test count minus its exact share of the test part."""
    counts = np.bincount(y)
    return np.bincount(y_test, minlength=len(counts)) - counts * len(y_test) / len(y)


def test_the_split_is_stratified_when_every_class_fits():
    X = np.arange(len(Y_UNEVEN))
    for seed in range(20):
        _, _, _, y_test = holdout_split(X, Y_UNEVEN, test_size=0.3, random_state=seed,
                                        stratify=Y_UNEVEN)
        assert len(y_test) == 18
        assert np.all(np.abs(share_errors(Y_UNEVEN, y_test)) <= 1)


def test_without_stratify_labels_the_split_is_plain():
    # the same seeds as above without labels: some shares are off by more than one sample,
    # so the stratification test above can fail
    X = np.arange(len(Y_UNEVEN))
    worst = max(np.abs(share_errors(Y_UNEVEN, holdout_split(
        X, Y_UNEVEN, test_size=0.3, random_state=seed)[3])).max() for seed in range(20))
    assert worst > 1


@pytest.mark.parametrize("y, test_size", [
    (np.repeat([0, 1, 2], [10, 9, 1]), 0.25),  # a class of one member
    (np.repeat(np.arange(5), 2), 0.1),  # 1 test sample for 5 classes
    (np.repeat(np.arange(5), 2), 0.9),  # 1 training sample for 5 classes
])
def test_the_split_falls_back_to_a_plain_one_when_stratifying_is_impossible(y, test_size):
    X = np.arange(len(y))
    X_train, X_test, y_train, y_test = holdout_split(X, y, test_size=test_size,
                                                     random_state=0, stratify=y)
    assert len(X_test) == math.ceil(test_size * len(y)) and len(y_test) == len(X_test)
    assert sorted(np.concatenate([X_train, X_test])) == list(X)
    np.testing.assert_array_equal(y[X_train], y_train)
    np.testing.assert_array_equal(y[X_test], y_test)


def test_the_same_seed_gives_the_same_split_and_another_seed_another():
    X = np.arange(40)
    first = holdout_split(X, test_size=0.25, random_state=7)
    again = holdout_split(X, test_size=0.25, random_state=7)
    other = holdout_split(X, test_size=0.25, random_state=8)
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


def test_several_arrays_stay_aligned_whatever_their_type():
    n = 30
    index = np.arange(n)
    X = np.column_stack([index, -index]).astype(float)
    y = index % 3
    weights = [2 * i for i in range(n)]
    X_sparse = sp.csr_matrix(X)
    parts = holdout_split(X, y, None, weights, X_sparse, test_size=0.2, random_state=1,
                          stratify=y)
    assert len(parts) == 10 and parts[4] is None and parts[5] is None
    for rows, labels, w, sparse in zip(parts[0:2], parts[2:4], parts[6:8], parts[8:10],
                                       strict=True):
        kept = rows[:, 0].astype(int)
        np.testing.assert_array_equal(labels, kept % 3)
        assert isinstance(w, list) and w == [2 * i for i in kept]
        assert sp.issparse(sparse)
        np.testing.assert_array_equal(sparse.toarray(), rows)
    assert len(parts[1]) == 6


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "0.2", float("nan"), None])
def test_a_bad_test_size_is_refused_with_its_name(bad):
    with pytest.raises(ValueError, match="test_size must"):
        holdout_split(np.arange(10), test_size=bad)


def test_too_few_samples_or_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="cannot split 1 samples with test_size=0.5"):
        holdout_split(np.arange(1), test_size=0.5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        holdout_split(np.arange(10), np.arange(9), test_size=0.5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        holdout_split(np.arange(10), test_size=0.5, stratify=np.arange(9))
    with pytest.raises(ValueError, match="at least one array"):
        holdout_split(None, test_size=0.5)
