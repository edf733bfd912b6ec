"""``class_weight`` of MLPClassifier: scikit-learn's meaning, for every solver."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight

from nntricks import MLPClassifier, load
from nntricks.gradcheck import check_network


@pytest.fixture(scope="module")
def three_classes():
    return make_classification(n_samples=60, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=3, random_state=0)


def fitted(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kwargs)


@pytest.mark.parametrize("solver", ["lbfgs", "sgd"])
def test_integer_class_weights_equal_repeated_rows(solver, three_classes):
    # class 1 weighs 3, class 2 weighs 2: the weighted loss (and so the whole fit) is the
    # unweighted one of a data set where those rows appear 3 and 2 times
    X, y = three_classes
    weights = {0: 1, 1: 3, 2: 2}
    repeats = np.array([weights[label] for label in y])
    common = dict(hidden_layer_sizes=(6,), solver=solver, max_iter=15, random_state=0,
                  alpha=1e-2, dtype="float64", shuffle=False, momentum=0)
    X_repeated, y_repeated = np.repeat(X, repeats, axis=0), np.repeat(y, repeats)
    batches = {"weighted": {}, "repeated": {}}
    if solver == "sgd":  # one full batch per epoch, so both runs take the same steps
        common.update(learning_rate_init=0.2)
        batches = {"weighted": {"batch_size": len(X)},
                   "repeated": {"batch_size": len(X_repeated)}}
    weighted = fitted(MLPClassifier(class_weight=weights, **common, **batches["weighted"]), X, y)
    repeated = fitted(MLPClassifier(**common, **batches["repeated"]), X_repeated, y_repeated)
    np.testing.assert_allclose(weighted.loss_, repeated.loss_, rtol=1e-9)
    for got, expected in zip(weighted.coefs_, repeated.coefs_, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-10)


def test_class_weights_multiply_sample_weights(three_classes):
    X, y = three_classes
    sample_weight = np.linspace(0.5, 2.0, len(y))
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    common = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=10, random_state=0,
                  dtype="float64")
    both = fitted(MLPClassifier(class_weight=class_weight, **common), X, y,
                  sample_weight=sample_weight)
    product = sample_weight * np.array([class_weight[label] for label in y])
    by_hand = fitted(MLPClassifier(**common), X, y, sample_weight=product)
    np.testing.assert_allclose(both.loss_, by_hand.loss_, rtol=1e-12)


def test_balanced_is_scikit_learns_balanced(three_classes):
    X, y = three_classes
    y = np.where(np.arange(len(y)) < 40, 0, y)  # make it imbalanced
    common = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=10, random_state=0,
                  dtype="float64")
    balanced = fitted(MLPClassifier(class_weight="balanced", **common), X, y)
    expected = compute_class_weight("balanced", classes=np.unique(y), y=y)
    as_dict = fitted(MLPClassifier(class_weight=dict(enumerate(expected)), **common), X, y)
    np.testing.assert_allclose(balanced.loss_, as_dict.loss_, rtol=1e-12)


def test_the_weighted_gradient_passes_the_checker(three_classes):
    X, y = three_classes
    model = fitted(MLPClassifier(hidden_layer_sizes=(5,), class_weight={0: 1, 1: 4, 2: 2},
                                 max_iter=3, random_state=0, dtype="float64"), X, y)
    weights = np.array([{0: 1, 1: 4, 2: 2}[label] for label in y], dtype=float)
    report = check_network(model.network_, X[:12], np.eye(3)[y[:12]], sample_weight=weights[:12])
    assert report.passed, str(report)


def test_balanced_raises_the_minority_recall_on_imbalanced_data():
    X, y = make_classification(n_samples=2000, n_features=10, n_informative=4,
                               weights=[0.95, 0.05], flip_y=0.01, class_sep=0.6,
                               random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y,
                                                        random_state=0)
    scores = {}
    for class_weight in (None, "balanced"):
        model = fitted(MLPClassifier(hidden_layer_sizes=(16,), max_iter=60, random_state=0,
                                     class_weight=class_weight), X_train, y_train)
        predicted = model.predict(X_test)
        scores[class_weight] = (recall_score(y_test, predicted, pos_label=1),
                                balanced_accuracy_score(y_test, predicted))
    assert scores["balanced"][0] > scores[None][0] + 0.1, scores
    assert scores["balanced"][1] > scores[None][1], scores


def test_partial_fit_takes_a_dict_but_not_balanced(three_classes):
    X, y = three_classes
    model = MLPClassifier(hidden_layer_sizes=(4,), class_weight={1: 2.0}, random_state=0)
    model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported for "
                                         "partial_fit.*compute_class_weight"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("class_weight, message", [
    ("even", "class_weight must be None, 'balanced' or a dict"),
    ({0: -1.0}, r"class_weight\[0\] must lie in"),
    ({7: 2.0}, r"class_weight names classes \[7\] that are not among the classes \[0, 1, 2\]"),
])
def test_bad_class_weights_are_refused(class_weight, message, three_classes):
    X, y = three_classes
    with pytest.raises(ValueError, match=message):
        MLPClassifier(class_weight=class_weight).fit(X, y)


def test_class_weight_survives_save_and_load(three_classes, tmp_path):
    X, y = three_classes
    model = fitted(MLPClassifier(hidden_layer_sizes=(4,), class_weight={0: 1.0, 1: 2.5},
                                 max_iter=3, random_state=0), X, y)
    loaded = load(model.save(tmp_path / "m.npz"))
    assert loaded.get_params()["class_weight"] == {0: 1.0, 1: 2.5}
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
