import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from nntricks import MLPClassifier, MLPRegressor
from nntricks.layers import Dropout
from nntricks.training import DivergenceError, TrainingInterrupted


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(n_samples=120, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    return X, y


def quiet(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


# -- the drop-in promise ----------------------------------------------------------------------

def scikit_learn_script(MLPClassifier, X_train, y_train, X_test, y_test):
    """A script as a scikit-learn user writes it; only the class differs between the runs."""
    pipeline = Pipeline([
        ("scale", StandardScaler()),
        ("mlp", MLPClassifier(hidden_layer_sizes=(64,), max_iter=60, random_state=0)),
    ])
    search = GridSearchCV(pipeline, {"mlp__alpha": [1e-4, 1e-2],
                                     "mlp__learning_rate_init": [1e-3, 1e-2]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    return search.score(X_test, y_test), search.best_params_


def test_a_scikit_learn_pipeline_with_grid_search_runs_unchanged(digits):
    X_train, X_test, y_train, y_test = digits
    ours, ours_params = scikit_learn_script(MLPClassifier, X_train, y_train, X_test, y_test)
    theirs, _ = scikit_learn_script(SkMLPClassifier, X_train, y_train, X_test, y_test)
    assert set(ours_params) == {"mlp__alpha", "mlp__learning_rate_init"}
    assert abs(ours - theirs) <= 0.02, (ours, theirs)
    assert ours > 0.95


def test_fitted_attributes_match_scikit_learn(small):
    X, y = small
    ours = quiet(MLPClassifier(hidden_layer_sizes=(7, 5), max_iter=5, random_state=0), X, y)
    theirs = quiet(SkMLPClassifier(hidden_layer_sizes=(7, 5), max_iter=5, random_state=0), X, y)
    for name in ["n_layers_", "n_outputs_", "out_activation_", "n_iter_", "t_",
                 "n_features_in_"]:
        assert getattr(ours, name) == getattr(theirs, name), name
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 5
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape


def test_fit_equals_the_same_number_of_partial_fits():
    X, y = make_regression(n_samples=60, n_features=5, noise=1.0, random_state=0)
    y = y / y.std()
    common = dict(solver="sgd", momentum=0.9, learning_rate_init=0.01, batch_size=60,
                  random_state=1, hidden_layer_sizes=(10,))
    fitted = quiet(MLPRegressor(max_iter=20, tol=0, **common), X, y)
    stepped = MLPRegressor(**common)
    for _ in range(20):
        stepped.partial_fit(X, y)
    np.testing.assert_array_equal(fitted.predict(X), stepped.predict(X))


def test_history_records_loss_and_learning_rate_per_epoch(small):
    X, y = small
    model = quiet(MLPClassifier(solver="sgd", learning_rate="step", learning_rate_init=0.1,
                                lr_decay_factor=0.5, lr_decay_every=2, max_iter=6,
                                random_state=0), X, y)
    assert [r.learning_rate for r in model.history_] == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert [r.loss for r in model.history_] == model.loss_curve_
    assert [r.epoch for r in model.history_] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("learning_rate, expected", [
    # exponential: 0.1·e^{-0.5 t}; inverse: 0.1·2/max(t, 2), t = epochs done
    ("exponential", [0.1, 0.1 * np.exp(-0.5), 0.1 * np.exp(-1.0)]),
    ("inverse", [0.1, 0.1, 0.1]),
])
def test_notes_schedules_are_counted_in_epochs(learning_rate, expected, small):
    X, y = small
    model = quiet(MLPClassifier(solver="sgd", learning_rate=learning_rate, learning_rate_init=0.1,
                                lr_decay_rate=0.5, lr_tau=2, max_iter=3, random_state=0), X, y)
    np.testing.assert_allclose([r.learning_rate for r in model.history_], expected)


def test_invscaling_follows_scikit_learn_samples_seen(small):
    X, y = small
    model = quiet(MLPClassifier(solver="sgd", learning_rate="invscaling", power_t=0.5,
                                learning_rate_init=0.2, max_iter=3, random_state=0), X, y)
    n = len(X)
    np.testing.assert_allclose([r.learning_rate for r in model.history_],
                               [0.2, 0.2 / np.sqrt(n + 1), 0.2 / np.sqrt(2 * n + 1)])


def test_early_stopping_restores_the_best_weights(small):
    X, y = small
    snapshots = []

    def remember(record, trainer):
        snapshots.append(trainer.network.params.copy())

    model = quiet(MLPClassifier(early_stopping=True, validation_fraction=0.25, max_iter=80,
                                n_iter_no_change=5, learning_rate_init=0.05, random_state=0,
                                callbacks=[remember]), X, y)
    assert model.best_validation_score_ == max(model.validation_scores_)
    best_epoch = int(np.argmax(model.validation_scores_))
    assert best_epoch < len(snapshots) - 1  # training went on past the best epoch
    final = np.concatenate([w.ravel() for pair in zip(model.coefs_, model.intercepts_, strict=True)
                            for w in pair])
    np.testing.assert_array_equal(final, snapshots[best_epoch])


def test_feature_names_survive_early_stopping():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    y = (X["a"] > 0).astype(int)
    for Estimator in (MLPClassifier, MLPRegressor):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = Estimator(early_stopping=True, validation_fraction=0.2, max_iter=5).fit(X, y)
        np.testing.assert_array_equal(model.feature_names_in_, ["a", "b"])


def test_sparse_input_gives_the_dense_result():
    X, y = make_classification(n_samples=80, n_features=20, random_state=0)
    X[X < 0.5] = 0
    dense = quiet(MLPClassifier(max_iter=10, random_state=0, batch_size=16), X, y)
    sparse = quiet(MLPClassifier(max_iter=10, random_state=0, batch_size=16),
                   scipy.sparse.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict_proba(scipy.sparse.csr_matrix(X)),
                               dense.predict_proba(X), rtol=1e-10)


def test_integer_sample_weights_equal_repeated_samples(small):
    X, y = small
    counts = np.random.default_rng(0).integers(1, 4, size=len(X))
    # Both minimise the same objective from the same start; a few L-BFGS iterations keep the
    # two float64 trajectories together (a long run on a non-convex loss may drift apart).
    params = dict(solver="lbfgs", hidden_layer_sizes=(6,), max_iter=5, random_state=0, tol=0)
    weighted = quiet(MLPClassifier(**params), X, y, sample_weight=counts)
    repeated = quiet(MLPClassifier(**params), np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.coefs_[0], repeated.coefs_[0], rtol=1e-4, atol=1e-6)


def test_poisson_regression_predicts_positive_counts():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(200, 2))
    y = rng.poisson(np.exp(X @ [1.0, 0.5]))
    model = quiet(MLPRegressor(loss="poisson", hidden_layer_sizes=(4,), solver="lbfgs",
                               random_state=0), X, y)
    assert model.out_activation_ == "exp"
    assert np.all(model.predict(X) > 0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_parameter_sets_the_training_precision(dtype, small):
    X, y = small
    model = quiet(MLPClassifier(max_iter=3, dtype=dtype, random_state=0), X, y)
    assert all(c.dtype == np.dtype(dtype) for c in model.coefs_)


@pytest.mark.parametrize("solver", ["sgd", "momentum", "adam", "adagrad", "rmsprop", "lbfgs"])
@pytest.mark.parametrize("activation", ["relu", "hardtanh", "softsign", "leaky_relu"])
def test_every_solver_and_activation_learns(solver, activation, small):
    X, y = small
    X = StandardScaler().fit_transform(X)
    rate = {"sgd": 0.1, "momentum": 0.05, "adagrad": 0.1}.get(solver, 0.01)
    model = quiet(MLPClassifier(solver=solver, activation=activation, learning_rate_init=rate,
                                max_iter=150, random_state=0), X, y)
    assert model.score(X, y) > 0.8


# -- the extras change behaviour as documented --------------------------------------------------

def test_dropout_is_active_only_in_training(small):
    X, y = small
    model = quiet(MLPClassifier(hidden_layer_sizes=(30,), dropout=0.5, max_iter=5,
                                random_state=0), X, y)
    assert any(isinstance(layer, Dropout) for layer in model.network_.layers)
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))
    first = model.network_.forward(X.astype(np.float64), training=True).copy()
    second = model.network_.forward(X.astype(np.float64), training=True).copy()
    assert not np.allclose(first, second)


def test_l1_drives_more_weights_to_zero_than_l2(digits):
    X_train, _, y_train, _ = digits
    common = dict(hidden_layer_sizes=(32,), solver="sgd", learning_rate_init=0.1, max_iter=40,
                  random_state=0)
    # Strengths at which L2 regularizes at least as hard (its accuracy is not higher).
    l1 = quiet(MLPClassifier(alpha=0, l1=0.5, **common), X_train, y_train)
    l2 = quiet(MLPClassifier(alpha=4.0, **common), X_train, y_train)
    assert l2.score(X_train, y_train) <= l1.score(X_train, y_train) + 0.01

    def near_zero(model):  # fraction of first-layer weights below 1% of the largest
        W = np.abs(model.coefs_[0])
        return np.mean(W < 0.01 * W.max())

    assert near_zero(l1) > 0.8 and near_zero(l1) > near_zero(l2) + 0.3, (near_zero(l1),
                                                                          near_zero(l2))


def test_fan_in_scaling_divides_each_step_by_root_fan_in(small):
    X, y = small

    def one_sgd_step(learning_rate, fan_in_scaling):
        model = MLPClassifier(hidden_layer_sizes=(9,), solver="sgd", momentum=0,
                              learning_rate_init=learning_rate, batch_size=len(X),
                              random_state=0, fan_in_scaling=fan_in_scaling)
        model.partial_fit(X, y, classes=[0, 1, 2])
        return model.network_.params.copy(), model.network_

    plain, network = one_sgd_step(0.1, False)
    double, _ = one_sgd_step(0.2, False)
    scaled, _ = one_sgd_step(0.1, True)
    # Same start θ0 and gradient g: plain = θ0 − 0.1 g, double = θ0 − 0.2 g.
    start, step = 2 * plain - double, double - plain
    slices = network.parameter_slices()
    for name, n_in in [("W[0]", 8), ("b[0]", 8), ("W[1]", 9), ("b[1]", 9)]:
        np.testing.assert_allclose((scaled - start)[slices[name]],
                                   step[slices[name]] / np.sqrt(n_in), rtol=1e-6, atol=1e-12)


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X_is_refused(bad, small):
    X, y = small
    X = X.copy()
    X[3, 2] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        MLPClassifier().fit(X, y)


def test_y_of_the_wrong_length_is_refused(small):
    X, y = small
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPClassifier().fit(X, y[:-1])


def test_a_single_class_is_refused(small):
    X, _ = small
    with pytest.raises(ValueError, match=r"at least two classes; y has only one class: 0\.0$"):
        MLPClassifier().fit(X, np.zeros(len(X)))


@pytest.mark.parametrize("params, message", [
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"solver": "newton"}, "unknown solver 'newton'"),
    ({"learning_rate": "cosine"}, "unknown learning_rate 'cosine'"),
    ({"init": "orthogonal"}, "unknown init 'orthogonal'"),
    ({"alpha": -1.0}, r"alpha must lie in \[0, inf\)"),
    ({"dropout": 1.0}, r"dropout must lie in \[0, 1\)"),
    ({"momentum": 1.5}, r"momentum must lie in \[0, 1\)"),
    ({"hidden_layer_sizes": (10, 0)}, "each of hidden_layer_sizes"),
    ({"batch_size": 0}, "batch_size"),
    ({"leaky_relu_slope": 1.0}, "leaky_relu_slope"),
    ({"solver": "lbfgs", "dropout": 0.2}, "dropout needs a stochastic solver"),
    ({"random_state": -1}, r"random_state must lie in \[0, 4294967295\]"),
    ({"hidden_layer_sizes": "10"}, "hidden_layer_sizes must be an integer or a sequence of "
                                   "integers, got '10'"),
    ({"batch_norm": True, "batch_size": 1}, "batch_norm needs batches of at least 2 samples"),
    ({"random_state": 2**32}, r"random_state must lie in \[0, 4294967295\]"),
])
def test_unknown_or_out_of_range_parameters_are_refused_before_work(params, message, small):
    X, y = small
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**params).fit(X, y)


def test_partial_fit_with_new_classes_is_refused(small):
    X, y = small
    model = MLPClassifier()
    model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        model.partial_fit(X, np.where(y == 2, 7, y))


# -- a fitted network and the hyperparameters that describe it ---------------------------------

ARCHITECTURE_CHANGES = [
    {"hidden_layer_sizes": (7,)}, {"activation": "tanh"}, {"batch_norm": True},
    {"dropout": 0.2}, {"input_dropout": 0.1}, {"dtype": "float32"},
    {"activation": "leaky_relu"},
]


@pytest.mark.parametrize("change", ARCHITECTURE_CHANGES)
@pytest.mark.parametrize("continuing", ["warm_start", "partial_fit"])
def test_a_continuing_fit_refuses_a_changed_architecture(change, continuing, small):
    X, y = small
    model = MLPClassifier(hidden_layer_sizes=(10,), dtype="float64", random_state=0,
                          warm_start=continuing == "warm_start")
    if continuing == "warm_start":
        quiet(model.set_params(max_iter=5), X, y)
    else:
        model.partial_fit(X, y, classes=[0, 1, 2])
    before = [W.copy() for W in model.coefs_]
    model.set_params(**change)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"{continuing}.*changed since it was built: {name} "):
        if continuing == "warm_start":
            model.fit(X, y)
        else:
            model.partial_fit(X, y)
    for W, W_before in zip(model.coefs_, before, strict=True):
        np.testing.assert_array_equal(W, W_before)


@pytest.mark.parametrize("change", [{"init": "normal"}, {"leaky_relu_slope": 0.3}])
def test_a_continuing_fit_ignores_what_does_not_shape_the_network(change, small):
    """init only draws new weights, and the slope only matters for leaky ReLU."""
    X, y = small
    model = quiet(MLPClassifier(hidden_layer_sizes=(10,), max_iter=3, warm_start=True), X, y)
    quiet(model.set_params(**change), X, y)
    assert model.n_iter_ == 3


def test_a_continuing_fit_trains_with_the_new_penalty(small):
    """scikit-learn reads alpha at every fit: a warm start with a strong penalty shrinks the
    weights, where the unchanged penalty lets them grow."""
    X, y = small
    norms = {}
    for alpha in (1e-4, 100.0):
        model = quiet(MLPClassifier(hidden_layer_sizes=(10,), solver="sgd", max_iter=20,
                                    learning_rate_init=0.1, alpha=1e-4, warm_start=True,
                                    random_state=0), X, y)
        start = sum(np.sum(W**2) for W in model.coefs_)
        quiet(model.set_params(alpha=alpha), X, y)
        norms[alpha] = sum(np.sum(W**2) for W in model.coefs_) / start
    assert norms[100.0] < 0.5 < norms[1e-4]


def test_a_model_whose_architecture_parameters_changed_is_not_saved(small, tmp_path):
    import pickle

    X, y = small
    model = quiet(MLPClassifier(hidden_layer_sizes=(10,), max_iter=3), X, y)
    path = tmp_path / "model.npz"
    model.save(path)
    saved = path.read_bytes()
    model.set_params(hidden_layer_sizes=(4,))
    for save in (lambda: model.save(path), lambda: pickle.dumps(model)):
        with pytest.raises(ValueError, match=r"no longer describe the fitted network "
                                             r"\(hidden_layer_sizes \(10,\) -> \(4,\)\)"):
            save()
    assert path.read_bytes() == saved


def test_a_warm_start_on_another_kind_of_target_is_refused(small):
    X, y = small
    multilabel = np.c_[y == 0, y == 1].astype(int)
    model = quiet(MLPClassifier(max_iter=3, warm_start=True), X, multilabel)
    with pytest.raises(ValueError, match="y is a multiclass target, and the network was fitted "
                                         "to a multilabel-indicator one"):
        model.fit(X, y)
    regressor = quiet(MLPRegressor(max_iter=3, warm_start=True), X, y.astype(float))
    with pytest.raises(ValueError, match="y has 2 outputs, the fitted network 1"):
        regressor.fit(X, np.c_[y, y].astype(float))


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_values_beyond_float32_are_refused_when_training_in_float32(Estimator, small):
    X, y = small
    with pytest.raises(ValueError, match="X has values beyond the range of float32"):
        Estimator(dtype="float32").fit(X * 1e39, y)
    if Estimator is MLPRegressor:
        with pytest.raises(ValueError, match="y has values beyond the range of float32"):
            Estimator(dtype="float32").fit(X, y * 1e39)
    else:
        quiet(Estimator(dtype="float32", max_iter=2), X * 1e30, y)  # large, but within range


def test_labels_mixing_text_and_numbers_are_refused(small):
    X, _ = small
    y = np.array(["a", 1] * (len(X) // 2), dtype=object)
    with pytest.raises(ValueError, match="y mixes text and numbers"):
        MLPClassifier().fit(X, y)


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        MLPRegressor().predict(np.zeros((2, 3)))


# -- guards -------------------------------------------------------------------------------------

def test_a_diverging_run_stops_with_a_clear_error_and_finite_weights(small):
    X, y = small
    model = MLPRegressor(solver="sgd", learning_rate_init=1e3, momentum=0, max_iter=50,
                         random_state=0)
    with pytest.raises(DivergenceError, match=r"diverged in epoch \d+.*smaller learning rate"):
        model.fit(X, y.astype(float))
    assert all(np.all(np.isfinite(c)) for c in model.coefs_ + model.intercepts_)
    assert np.all(np.isfinite(model.predict(X)))


def test_keyboard_interrupt_from_a_callback_leaves_a_model_that_predicts(small):
    X, y = small

    def interrupt_at_epoch_3(record, trainer):
        if record.epoch == 3:
            raise KeyboardInterrupt

    model = MLPClassifier(max_iter=50, callbacks=[interrupt_at_epoch_3], random_state=0)
    with pytest.warns(TrainingInterrupted, match="interrupted by the user after 3 completed "
                                                 "epochs; keeping the weights at the end of "
                                                 "epoch 3"):
        model.fit(X, y)
    assert model.predict(X).shape == y.shape
    assert np.all(np.isfinite(model.predict_proba(X)))


def test_a_callback_returning_true_stops_training(small):
    X, y = small
    model = MLPClassifier(max_iter=50, callbacks=[lambda record, trainer: record.epoch == 4],
                          random_state=0).fit(X, y)
    assert model.n_iter_ == 4


def test_verbose_shows_progress(small, capsys):
    X, y = small
    quiet(MLPClassifier(max_iter=2, verbose=True, random_state=0), X, y)
    out, err = capsys.readouterr()
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out
    assert "epoch" in err  # the tqdm bar


def test_a_pickled_model_resumes_partial_fit_exactly(small):
    import pickle

    X, y = small
    model = MLPClassifier(solver="adam", random_state=0)
    for _ in range(3):
        model.partial_fit(X, y, classes=[0, 1, 2])
    clone = pickle.loads(pickle.dumps(model))
    model.partial_fit(X, y)
    clone.partial_fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), clone.predict_proba(X))


@pytest.mark.parametrize("name", ["shuffle", "warm_start", "nesterovs_momentum",
                                  "early_stopping", "batch_norm", "fan_in_scaling"])
@pytest.mark.parametrize("value", ["no", 1, None])
def test_boolean_parameters_accept_only_booleans(name, value, small):
    X, y = small
    model = MLPClassifier(**{name: value})
    with pytest.raises(ValueError, match=f"{name} must be True or False, got {value!r}"):
        model.fit(X, y)
    assert not hasattr(model, "network_")  # refused before any work


def test_verbose_is_a_boolean_or_a_level(small):
    X, y = small
    with pytest.raises(ValueError, match="verbose"):
        MLPClassifier(verbose="yes").fit(X, y)
    quiet(MLPClassifier(verbose=0, max_iter=1), X, y)  # scikit-learn's levels stay accepted


@pytest.mark.parametrize("callbacks, message", [
    ([42], r"callbacks\[0\] is not callable: 42"),
    (print, "callbacks must be a list of functions"),
])
def test_callbacks_are_checked_when_fit_starts(callbacks, message, small):
    X, y = small
    model = MLPClassifier(callbacks=callbacks)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)
    assert not hasattr(model, "network_")


def test_input_dropout_drops_input_features_in_training_only(small):
    X, y = small
    model = quiet(MLPClassifier(hidden_layer_sizes=(6,), input_dropout=0.5, max_iter=3,
                                random_state=0, dtype="float64"), X, y)
    first = model.network_.layers[0]
    assert type(first).__name__ == "Dropout" and first.rate == 0.5
    dropped = first.forward(X, training=True)
    assert 0.3 < np.mean(dropped == 0) < 0.7
    np.testing.assert_array_equal(first.forward(X, training=False), X)
    network = model.network_
    with network.frozen():
        from nntricks.gradcheck import check_network

        report = check_network(network, X[:10], np.eye(3)[y[:10]])
    assert report.passed, str(report)


@pytest.mark.parametrize("params, message", [
    ({"input_dropout": 1.0}, r"input_dropout must lie in \[0, 1\)"),
    ({"input_dropout": 0.2, "solver": "lbfgs"}, "dropout needs a stochastic solver"),
])
def test_bad_input_dropout_is_refused(params, message, small):
    X, y = small
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match="input_dropout needs dense X"):
        MLPClassifier(input_dropout=0.2).fit(scipy.sparse.csr_matrix(X), y)
