"""scikit-learn's own estimator checks, run on both estimators."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from nntricks import MLPClassifier, MLPRegressor


# The checks fit on tiny data sets with few iterations on purpose; scikit-learn's own test
# suite lets the resulting ConvergenceWarning pass as a plain warning, and so do we.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
