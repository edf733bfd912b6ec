"""Tests of nntricks.preprocessing (notes §2.5): centering, standardization, PCA/ZCA whitening.

Covariances in these tests are normalised by N (``bias=True``), the convention the module
documents; comparisons with scikit-learn's PCA (which uses N - 1) map it explicitly.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from nntricks.preprocessing import MeanCenter, Standardize, Whiten

N_TRAIN, N_FEATURES = 400, 6


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240605)


@pytest.fixture
def X_train(rng) -> np.ndarray:
    """Correlated features on scales from 1e-2 to 1e2, far from the origin, full rank."""
    mixing = rng.normal(size=(N_FEATURES, N_FEATURES))
    scales = 10.0 ** np.linspace(-2, 2, N_FEATURES)
    offset = rng.normal(scale=50.0, size=N_FEATURES)
    return (rng.normal(size=(N_TRAIN, N_FEATURES)) @ mixing) * scales + offset


@pytest.fixture
def X_test(rng, X_train) -> np.ndarray:
    """Held-out data whose mean is 5 training standard deviations away from the training mean."""
    std = X_train.std(axis=0)
    return X_train[:150] + rng.normal(size=(150, N_FEATURES)) * std + 5.0 * std


def cov(Z: np.ndarray) -> np.ndarray:
    """Covariance normalised by N."""
    return np.cov(Z, rowvar=False, bias=True)


def zca_reference(X: np.ndarray, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """Training mean and ZCA matrix (C + eps I)^(-1/2), computed independently with eigh.

    eigh of C is accurate to about machine epsilon times cond(C) (~1e9 for the fixture), so
    comparisons with it use rtol=1e-6.
    """
    eigenvalues, U = np.linalg.eigh(cov(X))
    return X.mean(axis=0), (U / np.sqrt(eigenvalues + epsilon)) @ U.T


def align_signs(Z: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Flip each column of Z to the sign of the matching column of reference."""
    return Z * np.sign(np.sum(Z * reference, axis=0))


def all_transformers() -> list:
    """Fresh, unfitted instances of every transformer configuration under test."""
    return [
        MeanCenter(),
        Standardize(),
        Whiten(),
        Whiten(epsilon=0.0),
        Whiten(method="pca"),
        Whiten(method="pca", epsilon=0.0),
        Whiten(method="pca", n_components=2),
    ]


# Parametrized tests clone these before use, so no test sees another test's fitted state.
ALL_TRANSFORMERS = all_transformers()


# --- 1. whitening gives mean 0 and covariance I --------------------------------------------


@pytest.mark.parametrize("method", ["zca", "pca"])
def test_whitened_training_data_has_zero_mean_and_identity_covariance(X_train, method):
    # epsilon=0 makes "covariance = I" an exact statement (up to rounding).
    Z = Whiten(method=method, epsilon=0.0).fit_transform(X_train)
    assert Z.shape == X_train.shape
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(cov(Z), np.eye(N_FEATURES), atol=1e-6)


def test_input_really_is_correlated_and_badly_scaled(X_train):
    # Guards the fixture: otherwise test 1 would be trivial.
    variances = X_train.var(axis=0)
    assert variances.max() / variances.min() > 1e6
    correlations = np.corrcoef(X_train, rowvar=False)
    assert np.abs(correlations - np.eye(N_FEATURES)).max() > 0.3


def test_printed_formula_divides_by_singular_values_and_gives_covariance_I_over_N(X_train):
    # The notes' erratum: dividing X'U by the singular values s_i leaves covariance I/N.
    Xc = X_train - X_train.mean(axis=0)
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    printed = Xc @ vt.T / s
    np.testing.assert_allclose(cov(printed), np.eye(N_FEATURES) / N_TRAIN, atol=1e-9)
    corrected = Whiten(method="pca", epsilon=0.0).fit_transform(X_train)
    np.testing.assert_allclose(np.abs(corrected), np.abs(printed) * np.sqrt(N_TRAIN), atol=1e-6)


def test_positive_epsilon_shrinks_the_covariance_to_lambda_over_lambda_plus_epsilon(X_train):
    epsilon = 1e-2
    whiten = Whiten(method="pca", epsilon=epsilon).fit(X_train)
    lam = whiten.explained_variance_
    expected = np.diag(lam / (lam + epsilon))
    np.testing.assert_allclose(cov(whiten.transform(X_train)), expected, atol=1e-9)


def test_zca_whitening_matrix_is_symmetric_and_is_the_inverse_square_root_of_C(X_train):
    whiten = Whiten(method="zca", epsilon=1e-5).fit(X_train)
    W = whiten.whitening_
    np.testing.assert_array_equal(W, W.T)
    _, W_reference = zca_reference(X_train, 1e-5)
    # cond(C) is about 1e9 here, so the eigh reference itself is only good to ~1e-7 relative
    # (the module's SVD route is more accurate: W C W = I to ~1e-12, see the test above).
    np.testing.assert_allclose(W, W_reference, rtol=1e-6, atol=1e-9 * np.abs(W).max())


def test_zca_output_is_the_whitened_data_closest_to_the_input(X_train, rng):
    Xc = X_train - X_train.mean(axis=0)
    zca = Whiten(method="zca", epsilon=0.0).fit_transform(X_train)
    pca = Whiten(method="pca", epsilon=0.0).fit_transform(X_train)

    # Mean per-feature correlation with the input: ZCA's beats PCA's by far.
    def mean_correlation(Z):
        return np.mean([np.corrcoef(Z[:, j], X_train[:, j])[0, 1] for j in range(N_FEATURES)])

    assert mean_correlation(zca) > 0.5
    assert mean_correlation(zca) > mean_correlation(pca) + 0.3

    # The theorem: every whitening is zca @ Q with Q orthogonal, and Q = I is the closest.
    zca_distance = np.linalg.norm(zca - Xc)
    assert zca_distance < np.linalg.norm(pca - Xc)
    for _ in range(20):
        Q, _ = np.linalg.qr(rng.normal(size=(N_FEATURES, N_FEATURES)))
        other = zca @ Q
        np.testing.assert_allclose(cov(other), np.eye(N_FEATURES), atol=1e-6)  # also white
        assert zca_distance < np.linalg.norm(other - Xc)


def test_zca_on_one_feature_equals_standardization(rng):
    # The N normalisation makes ZCA with epsilon=0 a generalisation of Standardize.
    X = rng.normal(loc=3.0, scale=7.0, size=(50, 1))
    np.testing.assert_allclose(
        Whiten(epsilon=0.0).fit_transform(X), Standardize().fit_transform(X), rtol=1e-12
    )


# --- 2. statistics come from the training data only ----------------------------------------


def test_mean_center_uses_the_training_mean(X_train, X_test):
    out = MeanCenter().fit(X_train).transform(X_test)
    assert np.all(np.abs(out.mean(axis=0)) > 1.0 * X_train.std(axis=0))
    np.testing.assert_allclose(out, X_test - X_train.mean(axis=0), rtol=1e-12, atol=1e-12)


def test_standardize_uses_the_training_mean_and_scale(X_train, X_test):
    out = Standardize().fit(X_train).transform(X_test)
    assert np.all(np.abs(out.mean(axis=0)) > 1.0)
    assert not np.allclose(out.std(axis=0), 1.0, atol=0.05)  # test data has another spread
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


@pytest.mark.parametrize("epsilon", [0.0, 1e-3])
def test_zca_uses_the_training_mean_and_whitening_matrix(X_train, X_test, epsilon):
    out = Whiten(method="zca", epsilon=epsilon).fit(X_train).transform(X_test)
    assert np.all(np.abs(out.mean(axis=0)) > 1.0)
    mean, W = zca_reference(X_train, epsilon)
    np.testing.assert_allclose(out, (X_test - mean) @ W, rtol=1e-6, atol=1e-6)


def test_pca_whitening_uses_the_training_mean_and_whitening_matrix(X_train, X_test):
    out = Whiten(method="pca", epsilon=0.0).fit(X_train).transform(X_test)
    eigenvalues, U = np.linalg.eigh(cov(X_train))
    order = np.argsort(eigenvalues)[::-1]
    expected = (X_test - X_train.mean(axis=0)) @ U[:, order] / np.sqrt(eigenvalues[order])
    np.testing.assert_allclose(align_signs(out, expected), expected, rtol=1e-6, atol=1e-6)
    assert np.all(np.abs(out.mean(axis=0)).max() > 1.0)


def test_refitting_on_other_data_changes_the_statistics(X_train, X_test):
    # Sanity check of the two tests above: a refit would give zero mean on X_test.
    for transformer in (MeanCenter(), Standardize(), Whiten()):
        refit = transformer.fit_transform(X_test)
        np.testing.assert_allclose(refit.mean(axis=0), 0.0, atol=1e-9)
        assert not np.allclose(transformer.fit(X_train).transform(X_test), refit)


# --- 3. agreement with scikit-learn --------------------------------------------------------


def test_standardize_equals_standard_scaler(X_train, X_test):
    X_train = np.column_stack([X_train, np.full(N_TRAIN, 0.1), np.zeros(N_TRAIN)])  # constants
    X_test = np.column_stack([X_test, np.full(len(X_test), 0.3), np.ones(len(X_test))])
    ours = Standardize().fit(X_train)
    theirs = StandardScaler().fit(X_train)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.var_, theirs.var_, rtol=1e-12, atol=1e-30)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    assert ours.scale_[-1] == ours.scale_[-2] == 1.0
    for X in (X_train, X_test):
        np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n_components", [None, 3])
def test_pca_whitening_equals_sklearn_pca_whiten_up_to_sign_and_n_convention(
    X_train, X_test, n_components
):
    ours = Whiten(method="pca", epsilon=0.0, n_components=n_components).fit(X_train)
    theirs = PCA(n_components=n_components, whiten=True, svd_solver="full").fit(X_train)
    # sklearn divides the covariance by N - 1, we by N.
    to_sklearn = np.sqrt((N_TRAIN - 1) / N_TRAIN)
    np.testing.assert_allclose(
        ours.explained_variance_, theirs.explained_variance_ * (N_TRAIN - 1) / N_TRAIN, rtol=1e-10
    )
    np.testing.assert_allclose(np.abs(ours.components_), np.abs(theirs.components_), atol=1e-8)
    for X in (X_train, X_test):
        expected = theirs.transform(X)
        got = ours.transform(X) * to_sklearn
        np.testing.assert_allclose(align_signs(got, expected), expected, rtol=1e-6, atol=1e-6)


# --- 4. degenerate data: finite output, no warning ------------------------------------------


def _degenerate_cases(rng: np.random.Generator) -> dict[str, np.ndarray]:
    base = rng.normal(size=(30, 4)) * [1.0, 10.0, 0.1, 3.0]
    return {
        "constant columns": np.column_stack([base, np.full(30, 0.1), np.zeros(30)]),
        "single sample": base[:1],
        "more features than samples": rng.normal(size=(5, 12)),
        "duplicated columns": np.column_stack([base, base[:, :2], 2 * base[:, 3]]),
        "all constant": np.full((10, 3), 7.3),
    }


DEGENERATE = ["constant columns", "single sample", "more features than samples",
              "duplicated columns", "all constant"]  # fmt: skip


@pytest.mark.parametrize("case", DEGENERATE)
@pytest.mark.parametrize("transformer", ALL_TRANSFORMERS, ids=repr)
def test_degenerate_data_gives_finite_output(rng, case, transformer):
    transformer = clone(transformer)
    X = _degenerate_cases(rng)[case]
    fitted = transformer.fit(X)
    Z = fitted.transform(X)
    assert np.all(np.isfinite(Z))
    fresh = rng.normal(size=(7, X.shape[1])) + X.mean(axis=0)
    assert np.all(np.isfinite(fitted.transform(fresh)))
    assert np.all(np.isfinite(fitted.inverse_transform(fitted.transform(fresh))))
    if case in ("single sample", "all constant"):
        np.testing.assert_allclose(Z, 0.0, atol=1e-12)


@pytest.mark.parametrize("method", ["zca", "pca"])
@pytest.mark.parametrize("case", ["more features than samples", "duplicated columns"])
def test_singular_covariance_with_positive_epsilon_is_finite_and_damped(rng, method, case):
    X = _degenerate_cases(rng)[case]
    assert np.linalg.matrix_rank(cov(X)) < X.shape[1]
    epsilon = 1e-3
    whiten = Whiten(method=method, epsilon=epsilon).fit(X)
    assert np.all(np.isfinite(whiten.whitening_))
    assert np.all(whiten.explained_variance_ >= 0.0)
    Z = whiten.transform(X)
    assert np.all(np.isfinite(Z))
    # Covariance lambda / (lambda + eps): every eigenvalue in [0, 1), zero on the null space.
    eigenvalues = np.linalg.eigvalsh(cov(Z))
    assert np.all(eigenvalues > -1e-9) and np.all(eigenvalues < 1.0)
    rank = np.linalg.matrix_rank(cov(X))
    np.testing.assert_allclose(np.sort(eigenvalues)[: Z.shape[1] - rank], 0.0, atol=1e-9)
    # The null space is amplified by at most 1/sqrt(eps), never divided by zero.
    assert np.abs(whiten.whitening_).max() <= 1.0 / np.sqrt(epsilon) + 1e-9


@pytest.mark.parametrize("method", ["zca", "pca"])
def test_singular_covariance_with_zero_epsilon_acts_as_a_pseudo_inverse(rng, method):
    X = _degenerate_cases(rng)["duplicated columns"]
    whiten = Whiten(method=method, epsilon=0.0).fit(X)
    Z = whiten.transform(X)
    rank = np.linalg.matrix_rank(cov(X))
    eigenvalues = np.sort(np.linalg.eigvalsh(cov(Z)))
    # Identity on the span of the data, zero on the null space.
    np.testing.assert_allclose(eigenvalues[-rank:], 1.0, atol=1e-8)
    np.testing.assert_allclose(eigenvalues[:-rank], 0.0, atol=1e-8)
    np.testing.assert_allclose(whiten.explained_variance_[rank:], 0.0, atol=0.0)


# --- 5. scikit-learn's estimator checks -----------------------------------------------------


@parametrize_with_checks(all_transformers())
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_and_grid_search_over_whitening_parameters():
    X, y = load_iris(return_X_y=True)
    pipeline = Pipeline([("whiten", Whiten()), ("clf", LogisticRegression(max_iter=2000))])
    grid = {"whiten__method": ["zca", "pca"], "whiten__epsilon": [1e-5, 1e-1]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ > 0.9
    best_whiten = search.best_estimator_.named_steps["whiten"]
    assert best_whiten.method == search.best_params_["whiten__method"]
    assert best_whiten.epsilon == search.best_params_["whiten__epsilon"]
    assert search.score(X, y) > 0.9


def test_pipeline_uses_whiten_ahead_of_the_estimator(X_train, rng):
    y = (X_train[:, 0] - X_train[:, 0].mean() > 0).astype(int)
    pipeline = Pipeline(
        [
            ("standardize", Standardize()),
            ("whiten", Whiten(method="pca", n_components=4)),
            ("clf", LogisticRegression(max_iter=2000)),
        ]
    ).fit(X_train, y)
    assert pipeline.named_steps["clf"].coef_.shape == (1, 4)
    names = pipeline[:-1].get_feature_names_out()
    assert list(names) == ["whiten0", "whiten1", "whiten2", "whiten3"]


# --- inverse_transform, dtypes, feature names ------------------------------------------------


@pytest.mark.parametrize(
    "transformer",
    [MeanCenter(), Standardize(), Whiten(), Whiten(epsilon=0.0), Whiten(method="pca")],
    ids=repr,
)
def test_inverse_transform_round_trip_is_exact_with_all_components(X_train, X_test, transformer):
    transformer = clone(transformer)
    fitted = transformer.fit(X_train)
    for X in (X_train, X_test):
        np.testing.assert_allclose(
            fitted.inverse_transform(fitted.transform(X)), X, rtol=1e-9, atol=1e-9
        )


@pytest.mark.parametrize("method", ["zca", "pca"])
def test_inverse_transform_with_dropped_components_is_the_projection(X_train, X_test, method):
    k = 3
    whiten = Whiten(method=method, n_components=k).fit(X_train)
    Z = whiten.transform(X_test)
    assert Z.shape == (len(X_test), k if method == "pca" else N_FEATURES)
    assert np.linalg.matrix_rank(Z) == k
    eigenvalues, U = np.linalg.eigh(cov(X_train))
    U_k = U[:, np.argsort(eigenvalues)[::-1][:k]]
    mean = X_train.mean(axis=0)
    expected = mean + (X_test - mean) @ U_k @ U_k.T
    back = whiten.inverse_transform(Z)
    np.testing.assert_allclose(back, expected, rtol=1e-8, atol=1e-8)
    # A projection: doing it twice changes nothing.
    np.testing.assert_allclose(
        whiten.inverse_transform(whiten.transform(back)), back, rtol=1e-8, atol=1e-8
    )


@pytest.mark.parametrize("transformer", ALL_TRANSFORMERS, ids=repr)
def test_float32_in_float32_out_and_close_to_float64(rng, transformer):
    transformer = clone(transformer)
    X64 = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5)) + 3.0
    X32 = X64.astype(np.float32)
    fitted = transformer.fit(X32)
    Z32 = fitted.transform(X32)
    assert Z32.dtype == np.float32
    assert fitted.inverse_transform(Z32).dtype == np.float32
    assert fitted.fit_transform(X32).dtype == np.float32
    Z64 = fitted.transform(X64.astype(np.float32).astype(np.float64))
    assert Z64.dtype == np.float64
    np.testing.assert_allclose(Z32, Z64, rtol=1e-4, atol=1e-4)
    assert fitted.transform(np.rint(X64).astype(np.int64)).dtype == np.float64


def test_feature_names_without_a_dataframe(X_train):
    names = [f"x{i}" for i in range(N_FEATURES)]
    for transformer in (MeanCenter(), Standardize(), Whiten()):
        assert list(transformer.fit(X_train).get_feature_names_out()) == names
    pca = Whiten(method="pca", n_components=2).fit(X_train)
    assert list(pca.get_feature_names_out()) == ["whiten0", "whiten1"]
    assert len(Whiten(method="pca").fit(X_train).get_feature_names_out()) == N_FEATURES


def test_feature_names_from_a_dataframe(X_train):
    pd = pytest.importorskip("pandas")
    columns = [f"f{i}" for i in range(N_FEATURES)]
    frame = pd.DataFrame(X_train, columns=columns)
    for transformer in (MeanCenter(), Standardize(), Whiten()):
        fitted = transformer.fit(frame)
        assert list(fitted.feature_names_in_) == columns
        assert list(fitted.get_feature_names_out()) == columns
    pca = Whiten(method="pca", n_components=2).fit(frame)
    assert list(pca.get_feature_names_out()) == ["whiten0", "whiten1"]


# --- 6. bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("transformer", ALL_TRANSFORMERS, ids=repr)
def test_bad_arrays_raise_clear_value_errors(X_train, transformer):
    transformer = clone(transformer)
    with_nan = X_train.copy()
    with_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="contains NaN"):
        transformer.fit(with_nan)
    with_inf = X_train.copy()
    with_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="contains infinity"):
        transformer.fit(with_inf)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        transformer.fit(X_train[:, 0])
    fitted = transformer.fit(X_train)
    with pytest.raises(ValueError, match="contains NaN"):
        fitted.transform(with_nan)
    with pytest.raises(ValueError, match=f"X has 3 features, but .* expecting {N_FEATURES}"):
        fitted.transform(X_train[:, :3])
    with pytest.raises(ValueError, match="X has 1 features, but .*inverse_transform"):
        fitted.inverse_transform(X_train[:, :1])


@pytest.mark.parametrize("transformer", ALL_TRANSFORMERS, ids=repr)
def test_use_before_fit_raises_not_fitted_error(X_train, transformer):
    transformer = clone(transformer)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        transformer.transform(X_train)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        transformer.inverse_transform(X_train)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"method": "pcaa"}, r"unknown method 'pcaa'; expected one of 'zca', 'pca'"),
        ({"method": None}, r"unknown method None"),
        ({"epsilon": -1e-3}, r"epsilon must lie in \[0, inf\), got -0.001"),
        ({"epsilon": np.nan}, r"epsilon must be finite"),
        ({"epsilon": "small"}, r"epsilon must be a real number"),
        ({"n_components": 0}, r"n_components must lie in \[1, 6\], got 0"),
        ({"n_components": N_FEATURES + 1}, r"n_components must lie in \[1, 6\], got 7"),
        ({"n_components": 2.5}, r"n_components must be an integer, got 2.5"),
    ],
)
def test_bad_parameters_raise_clear_value_errors(X_train, params, message):
    with pytest.raises(ValueError, match=message):
        Whiten(**params).fit(X_train)
