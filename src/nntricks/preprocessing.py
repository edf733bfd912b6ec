r"""Data preprocessing of the notes (§2.5): mean subtraction, normalization and whitening.

Every transformer follows the notes' rule that statistics come from the training set only:
``fit`` computes them on the data it is given and stores them as fitted attributes ending in
``_``; ``transform`` applies those stored statistics to any later data (validation, test,
production) and never recomputes them.

Notation, for training data :math:`X` of shape ``(n_samples, n_features)`` = :math:`(N, p)`,
one sample per row:

* mean :math:`\mu = \frac{1}{N}\sum_n x_n`,
* covariance :math:`C = \frac{1}{N}(X - \mu)^\top (X - \mu)` (normalised by :math:`N`, like
  :class:`sklearn.preprocessing.StandardScaler`; see :class:`Whiten` for why, and for the
  relation to :class:`sklearn.decomposition.PCA`, which uses :math:`N - 1`),
* eigendecomposition :math:`C = U \Lambda U^\top`, eigenvalues
  :math:`\lambda_1 \ge \dots \ge \lambda_p \ge 0` in descending order.

Errata to the printed notes (see ``docs/notes-errata.md``, §2.5):

* the notes write the rotation as :math:`U X'`, which is for data stored one sample per
  *column*; for the row data used here (and by NumPy and scikit-learn) it is :math:`X' U`;
* dividing the rotated data by the singular values :math:`s_i` of the centered data matrix gives
  covariance :math:`I / N` (or :math:`I/(N-1)` with that normalisation), not :math:`I`, because
  :math:`\lambda_i = s_i^2 / N`. The correct scale is
  :math:`\sqrt{\lambda_i + \varepsilon}`, the standard deviation along each eigenvector, with a
  small :math:`\varepsilon \ge 0` that keeps zero-variance directions finite.

All statistics are computed in float64; ``transform`` and ``inverse_transform`` return the
floating dtype they were given (float32 stays float32, float64 stays float64, integers become
float64).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from nntricks._validation import check_choice, check_scalar
from nntricks.persistence import register

__all__ = ["PREPROCESSORS", "MeanCenter", "Standardize", "Whiten", "get_preprocessor"]

_FLOAT_DTYPES = (np.float64, np.float32)
_EPS64 = np.finfo(np.float64).eps


class _Preprocessor(TransformerMixin, BaseEstimator):
    """Shared input handling: float32/float64 preserved, everything else becomes float64."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted attributes: arrays as arrays, the rest as JSON (see
        :mod:`nntricks.persistence`)."""
        check_is_fitted(self)
        fitted = {key: value for key, value in vars(self).items()
                  if key.endswith("_") and not key.startswith("_")}
        arrays = {key: value.astype(str) if value.dtype == object else value
                  for key, value in fitted.items() if isinstance(value, np.ndarray)}
        meta = {key: value.item() if isinstance(value, np.generic) else value
                for key, value in fitted.items() if key not in arrays}
        return {"fitted": meta}, arrays

    def from_state(self, meta: dict, arrays: dict[str, np.ndarray]):
        """Become the fitted transformer :meth:`to_state` described; returns ``self``.

        Raises ``ValueError`` unless the fitted counts are positive integers and the arrays are
        finite float64 arrays of the shapes they imply (and ``feature_names_in_`` text).
        """
        fitted = meta["fitted"]
        counts = ("n_features_in_", *self._fitted_counts)
        if not isinstance(fitted, dict) or sorted(fitted) != sorted(counts):
            raise ValueError(f"the fitted attributes are not {list(counts)}")
        for key in counts:
            check_scalar(fitted[key], key, low=1, integer=True)
        shapes = self._fitted_shapes(**fitted)
        names = arrays.get("feature_names_in_")
        if sorted(set(arrays) - {"feature_names_in_"}) != sorted(shapes) or names is not None \
                and (names.dtype.kind != "U" or names.shape != (fitted["n_features_in_"],)):
            raise ValueError(f"the fitted arrays are {sorted(arrays)}, not {sorted(shapes)} "
                             "(and feature_names_in_)")
        for key, shape in shapes.items():
            if arrays[key].dtype != np.float64 or arrays[key].shape != shape or \
                    not np.all(np.isfinite(arrays[key])):
                raise ValueError(f"{key} is not a finite float64 array of shape {shape}")
        for key, value in [*fitted.items(), *arrays.items()]:
            setattr(self, key, value.astype(object) if key == "feature_names_in_" else value)
        return self

    _fitted_counts: tuple[str, ...] = ()
    """The fitted integers besides ``n_features_in_``."""

    def _fitted_shapes(self, n_features_in_: int) -> dict[str, tuple[int, ...]]:
        """The shapes of the fitted arrays, given the fitted integers."""
        raise NotImplementedError

    def _check_X(self, X: ArrayLike, *, reset: bool) -> np.ndarray:
        # validate_data rejects NaN/inf, 1-D and empty input, records n_features_in_ and
        # feature_names_in_ when reset, and checks both against the fit when not reset.
        return validate_data(self, X, dtype=_FLOAT_DTYPES, reset=reset)

    def _check_inverse_input(self, X: ArrayLike, n_columns: int) -> np.ndarray:
        X = check_array(X, dtype=_FLOAT_DTYPES, input_name="X")
        if X.shape[1] != n_columns:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"is expecting {n_columns} features (the width of transform's output)"
            )
        return X


@register
class MeanCenter(OneToOneFeatureMixin, _Preprocessor):
    r"""Mean subtraction: :math:`x \mapsto x - \mu`.

    The notes' first preprocessing step (§2.5): subtract from every feature its mean over the
    *training* set, so the training data is centered at the origin. The same :math:`\mu` is
    subtracted from validation and test data.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Per-feature mean :math:`\mu_j = \frac{1}{N}\sum_n X_{nj}` of the training data (float64).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit``; only when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from nntricks.preprocessing import MeanCenter
    >>> MeanCenter().fit([[1.0, 10.0], [3.0, 30.0]]).transform([[2.0, 0.0]])
    array([[  0., -20.]])
    """

    def _fitted_shapes(self, n_features_in_: int) -> dict[str, tuple[int, ...]]:
        return {"mean_": (n_features_in_,)}

    def fit(self, X: ArrayLike, y: object = None) -> MeanCenter:
        """Compute the per-feature mean of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, finite.
        y : None
            Ignored; present for pipeline compatibility.

        Returns
        -------
        self : MeanCenter
        """
        X = self._check_X(X, reset=True)
        self.mean_ = np.mean(X, axis=0, dtype=np.float64)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        r"""Subtract the training mean: :math:`X - \mu`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features)
            Same floating dtype as ``X`` (float64 for integer input).
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return X - self.mean_.astype(X.dtype)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        r"""Add the training mean back: :math:`X + \mu`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = self._check_inverse_input(X, self.n_features_in_)
        return X + self.mean_.astype(X.dtype)


@register
class Standardize(OneToOneFeatureMixin, _Preprocessor):
    r"""Standardization: :math:`x \mapsto (x - \mu) / \sigma` per feature.

    The notes' normalization (§2.5): every feature of the training data ends with mean 0 and
    variance 1, so no feature dominates the others only because of its units. The standard
    deviation is the population one (normalised by :math:`N`, ``ddof=0``),

    .. math:: \sigma_j = \sqrt{\tfrac{1}{N}\textstyle\sum_n (X_{nj} - \mu_j)^2},

    exactly as :class:`sklearn.preprocessing.StandardScaler` (with its defaults) computes it, and
    with the same treatment of constant features: a feature whose variance is indistinguishable
    from zero (within the rounding error bound of the two-pass variance,
    :math:`\sigma_j^2 \le N\epsilon\,\sigma_j^2 + (N \mu_j \epsilon)^2` with :math:`\epsilon` the
    float64 machine epsilon) gets scale 1, so it is only centered, never divided by zero.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Per-feature training mean :math:`\mu` (float64).
    var_ : ndarray of shape (n_features,)
        Per-feature training variance :math:`\sigma^2` (float64, normalised by :math:`N`).
    scale_ : ndarray of shape (n_features,)
        Divisor per feature: :math:`\sigma_j`, or 1 for a constant feature (float64).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit``; only when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : the same transformation; this class matches it.
    Whiten : also removes the correlations between features.
    """

    def _fitted_shapes(self, n_features_in_: int) -> dict[str, tuple[int, ...]]:
        return dict.fromkeys(("mean_", "var_", "scale_"), (n_features_in_,))

    def fit(self, X: ArrayLike, y: object = None) -> Standardize:
        """Compute the per-feature mean and standard deviation of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, finite.
        y : None
            Ignored; present for pipeline compatibility.

        Returns
        -------
        self : Standardize
        """
        X = self._check_X(X, reset=True)
        n_samples = X.shape[0]
        mean = np.mean(X, axis=0, dtype=np.float64)
        var = np.mean((X - mean) ** 2, axis=0)  # two-pass variance, float64
        constant = var <= n_samples * _EPS64 * var + (n_samples * mean * _EPS64) ** 2
        self.mean_ = mean
        self.var_ = var
        self.scale_ = np.where(constant, 1.0, np.sqrt(var))
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        r"""Apply the training statistics: :math:`(X - \mu) / \text{scale}`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features)
            Same floating dtype as ``X`` (float64 for integer input).
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        r"""Undo the standardization: :math:`X \cdot \text{scale} + \mu`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = self._check_inverse_input(X, self.n_features_in_)
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)


@register
class Whiten(_Preprocessor):
    r"""PCA or ZCA whitening: decorrelate the features and give each unit variance.

    The notes' whitening (§2.5), with the printed formula corrected. With the training mean
    :math:`\mu`, covariance :math:`C = \frac1N (X-\mu)^\top (X-\mu) = U \Lambda U^\top` and
    the ``k = n_components`` leading eigenvectors :math:`U_k` (columns), eigenvalues
    :math:`\Lambda_k`:

    * **PCA whitening** (``method="pca"``): rotate onto the eigenvectors, then divide each
      coordinate by its standard deviation,

      .. math:: Z = (X - \mu)\, U_k\, (\Lambda_k + \varepsilon I)^{-1/2},
         \qquad \text{shape } (N, k).

    * **ZCA whitening** (``method="zca"``, the default): the same, then rotate back,

      .. math:: Z = (X - \mu)\, U_k\, (\Lambda_k + \varepsilon I)^{-1/2}\, U_k^\top,
         \qquad \text{shape } (N, p).

      Its whitening matrix :math:`W = U (\Lambda + \varepsilon I)^{-1/2} U^\top = (C +
      \varepsilon I)^{-1/2}` is symmetric, and among all whitening matrices (all :math:`W`
      with :math:`W^\top C W = I`) it gives the output closest to the centered input,
      :math:`\min_W \lVert (X-\mu)W - (X-\mu) \rVert_F`: the whitened features stay
      recognisable as the original ones (for images, whitened images still look like images).

    With :math:`\varepsilon = 0` and all components, the training output has mean 0 and
    covariance exactly :math:`I` (normalised by :math:`N`); with :math:`\varepsilon > 0` its
    covariance is :math:`\Lambda (\Lambda + \varepsilon I)^{-1}` in the eigenbasis, slightly
    below :math:`I`, and directions of (near) zero variance are damped instead of blown up.

    Corrections to the printed notes: the rotation is :math:`X' U` for data stored one sample
    per row (the notes' :math:`U X'` is for one sample per column), and the divisor is
    :math:`\sqrt{\lambda_i + \varepsilon}`, the standard deviation along eigenvector
    :math:`i` — dividing by the singular values :math:`s_i = \sqrt{N \lambda_i}` of the
    centered data, as printed, leaves covariance :math:`I/N`, not :math:`I`.

    Parameters
    ----------
    method : {"zca", "pca"}, default="zca"
        ``"zca"`` rotates back to the original axes (output has ``n_features`` columns, named
        like the input); ``"pca"`` keeps the eigenvector axes (output has ``n_components``
        columns named ``whiten0``, ``whiten1``, ...), ordered by decreasing variance.
    epsilon : float, default=1e-5
        :math:`\varepsilon \ge 0`, added to every eigenvalue of the covariance before the
        square root. It is **absolute**, in the units of the covariance (feature units
        squared), as in the notes and in the usual ZCA code, so published values carry over.
        The default ``1e-5`` is the common choice for features of order one (standardized data,
        pixels scaled to [0, 1]): it changes directions of variance around 1 by about
        :math:`5 \cdot 10^{-6}` relative, and caps the amplification of a zero-variance
        direction at :math:`1/\sqrt{\varepsilon} \approx 316`. For data on another scale, choose
        :math:`\varepsilon` on that scale (or put :class:`Standardize` first); larger values
        (``1e-2`` to ``1e-1``) are used for images to avoid amplifying pixel noise.
        ``epsilon=0`` gives exact whitening; directions whose variance is zero up to rounding
        error are then dropped (scale 0, as in a pseudo-inverse) rather than divided by zero.
    n_components : int or None, default=None
        Number :math:`k` of leading eigenvectors kept, ``1 <= k <= n_features``; ``None``
        keeps all ``n_features``. The dropped directions are projected out: with ``"pca"`` the
        output has ``k`` columns; with ``"zca"`` it still has ``n_features`` columns but rank
        ``k``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Training mean :math:`\mu` (float64).
    components_ : ndarray of shape (n_components_, n_features)
        The kept eigenvectors of the covariance, one per row (:math:`U_k^\top`), by decreasing
        eigenvalue; sign fixed so that each row's largest-magnitude entry is positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Their eigenvalues :math:`\lambda_i` (the training variance along each component,
        normalised by :math:`N`); values that are zero up to rounding error are set to 0.
    n_components_ : int
        Number of kept components :math:`k`.
    whitening_ : ndarray of shape (n_features, n_components_) or (n_features, n_features)
        ``(n_features, n_components_)`` for "pca", ``(n_features, n_features)`` for "zca".
        The matrix :math:`W` with ``transform(X) = (X - mean_) @ whitening_`` (float64).
    dewhitening_ : ndarray of shape (n_components_, n_features) or (n_features, n_features)
        The transposed shape of ``whitening_``. Its pseudo-inverse on the kept components, with
        ``inverse_transform(Z) = Z @ dewhitening_ + mean_`` (float64).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit``; only when ``X`` has string column names.

    Notes
    -----
    **Normalisation by N.** The covariance is divided by :math:`N`, not :math:`N - 1`, so that
    (i) the whitened training data has covariance :math:`I` in the same sense in which
    :class:`Standardize` and :class:`sklearn.preprocessing.StandardScaler` give variance 1 — on
    uncorrelated features ZCA with :math:`\varepsilon = 0` *equals* standardization; and
    (ii) a single training sample is a valid (if degenerate) input. scikit-learn's
    ``PCA(whiten=True)`` divides by :math:`N - 1` instead: with :math:`\varepsilon = 0`,
    ``Whiten(method="pca")`` output equals ``PCA(whiten=True)`` output times
    :math:`\sqrt{N/(N-1)}` (up to the sign of each component), and ``explained_variance_``
    equals scikit-learn's times :math:`(N-1)/N`.

    **Computation.** The eigenvectors and eigenvalues come from the singular value
    decomposition of the centered data, through its QR factorisation
    :math:`X - \mu = QR`, :math:`R = \tilde U S V^\top`, so :math:`U = V` and
    :math:`\lambda_i = s_i^2 / N`: more accurate than an eigendecomposition of :math:`C` for
    badly scaled features (the error of :math:`\lambda_i` is relative to :math:`s_1 s_i`, not to
    :math:`s_1^2`), and it needs only :math:`p \times p` extra memory beside the centered copy.
    With fewer samples than features, the eigenvectors of the null space (eigenvalue 0) are
    included, so ZCA stays defined on the whole input space. Eigenvalues below the rounding
    level :math:`(\max(N, p)\,\epsilon_{64})^2 (\lambda_1 + \lVert\mu\rVert^2)` count as 0.

    Examples
    --------
    >>> import numpy as np
    >>> from nntricks.preprocessing import Whiten
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)) @ [[2.0, 1.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 3.0]]
    >>> Z = Whiten(epsilon=0.0).fit_transform(X)
    >>> np.allclose(Z.T @ Z / len(Z), np.eye(3))
    True
    """

    def __init__(
        self,
        method: str = "zca",
        epsilon: float = 1e-5,
        n_components: int | None = None,
    ) -> None:
        self.method = method
        self.epsilon = epsilon
        self.n_components = n_components

    _fitted_counts = ("n_components_",)

    def _fitted_shapes(self, n_features_in_: int,
                       n_components_: int) -> dict[str, tuple[int, ...]]:
        n, k = n_features_in_, n_components_
        width = k if self.method == "pca" else n
        if k > n:
            raise ValueError(f"n_components_ {k} exceeds n_features_in_ {n}")
        return {"mean_": (n,), "components_": (k, n), "explained_variance_": (k,),
                "whitening_": (n, width), "dewhitening_": (width, n)}

    def fit(self, X: ArrayLike, y: object = None) -> Whiten:
        """Compute the mean, covariance eigenvectors and whitening matrices of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, finite.
        y : None
            Ignored; present for pipeline compatibility.

        Returns
        -------
        self : Whiten

        Raises
        ------
        ValueError
            If ``method`` is unknown, ``epsilon`` is negative or not finite, ``n_components``
            is not an integer in ``[1, n_features]``, or ``X`` is not a finite 2-D array.
        """
        check_choice(self.method, "method", ("zca", "pca"))
        check_scalar(self.epsilon, "epsilon", low=0.0)
        X = self._check_X(X, reset=True)
        n_samples, n_features = X.shape
        if self.n_components is None:
            k = n_features
        else:
            check_scalar(self.n_components, "n_components", low=1, high=n_features, integer=True)
            k = int(self.n_components)

        mean = np.mean(X, axis=0, dtype=np.float64)
        centered = np.subtract(X, mean, dtype=np.float64)  # one new float64 array
        eigenvalues, eigenvectors = _covariance_eigh(centered)

        # Eigenvalues at the rounding level of centering and of the SVD are zero.
        tolerance = (max(n_samples, n_features) * _EPS64) ** 2 * (eigenvalues[0] + mean @ mean)
        eigenvalues[eigenvalues <= tolerance] = 0.0
        regularized = eigenvalues + float(self.epsilon)
        kept = regularized > tolerance  # False only for a zero direction with epsilon ~ 0
        std = np.sqrt(regularized, where=kept, out=np.zeros_like(regularized))
        inv_std = np.divide(1.0, std, where=kept, out=np.zeros_like(std))

        U = eigenvectors[:, :k]  # (p, k), columns are eigenvectors
        if self.method == "pca":
            whitening = U * inv_std[:k]
            dewhitening = (U * std[:k]).T
        else:
            whitening = (U * inv_std[:k]) @ U.T
            whitening = (whitening + whitening.T) / 2  # symmetric exactly, not just to rounding
            dewhitening = (U * std[:k]) @ U.T
            dewhitening = (dewhitening + dewhitening.T) / 2

        self.mean_ = mean
        self.components_ = U.T.copy()
        self.explained_variance_ = eigenvalues[:k].copy()
        self.n_components_ = k
        self.whitening_ = whitening
        self.dewhitening_ = dewhitening
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        r"""Whiten with the training statistics: :math:`Z = (X - \mu)\, W`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components_) or (n_samples, n_features)
            ``n_components_`` columns for "pca", ``n_features`` for "zca". Same floating
            dtype as ``X`` (float64 for integer input).
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return (X - self.mean_.astype(X.dtype)) @ self.whitening_.astype(X.dtype)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        r"""Map whitened data back: :math:`X = Z\, W^{+} + \mu`.

        Exact when all components are kept and every kept direction has nonzero
        :math:`\lambda_i + \varepsilon`; otherwise it returns the projection of the original
        data onto the kept components, :math:`\mu + (X - \mu) U_k U_k^\top`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_) or (n_samples, n_features)
            Whitened data, as returned by ``transform``: ``n_components_`` columns for "pca",
            ``n_features`` for "zca".

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = self._check_inverse_input(X, self.whitening_.shape[1])
        return X @ self.dewhitening_.astype(X.dtype) + self.mean_.astype(X.dtype)

    @property
    def _n_features_out(self) -> int:
        """Width of ``transform``'s output (used for the ``whiten0, ...`` names)."""
        return self.whitening_.shape[1]

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; if given, must match ``feature_names_in_`` when that exists.

        Returns
        -------
        feature_names_out : ndarray of str objects
            For ``"zca"`` the input names (``feature_names_in_``, or ``x0, x1, ...``), since
            ZCA output stays on the input axes; for ``"pca"`` ``whiten0, whiten1, ...``, one
            per kept component.
        """
        check_is_fitted(self)
        if self.method == "zca":
            return OneToOneFeatureMixin.get_feature_names_out(self, input_features)
        return ClassNamePrefixFeaturesOutMixin.get_feature_names_out(self, input_features)


def _covariance_eigh(centered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues (descending) and eigenvectors (columns) of :math:`\frac1N X_c^\top X_c`.

    Computed as the SVD of the R factor of :math:`X_c = QR` (same singular values and right
    singular vectors as :math:`X_c`), with all ``n_features`` eigenvectors even when
    ``n_samples < n_features`` (the missing eigenvalues are 0). Each eigenvector's sign is
    fixed so that its largest-magnitude entry is positive, making ``fit`` deterministic.
    Overwrites ``centered``.
    """
    n_samples, n_features = centered.shape
    # Householder QR in place: ``centered`` is a private copy, and Q is never formed.
    (_, R) = scipy.linalg.qr(centered, mode="raw", overwrite_a=True, check_finite=False)
    # R: (min(N, p), p)
    _, singular_values, vt = np.linalg.svd(R, full_matrices=True)  # vt: (p, p)
    eigenvalues = np.zeros(n_features)
    eigenvalues[: singular_values.size] = singular_values**2 / n_samples
    rows = np.arange(n_features)
    signs = np.sign(vt[rows, np.argmax(np.abs(vt), axis=1)])
    signs[signs == 0] = 1.0
    return eigenvalues, (vt * signs[:, None]).T


PREPROCESSORS = {"none": None, "center": MeanCenter, "standardize": Standardize,
                 "whiten": Whiten}
"""The input preprocessing of the notes (§2.5) by name, as ``nntricks train --preprocess``
and the recipes name it; ``"none"`` leaves the input as it is."""


def get_preprocessor(name: str) -> MeanCenter | Standardize | Whiten | None:
    """A new, unfitted preprocessor of the name (see :data:`PREPROCESSORS`), or None."""
    check_choice(name, "preprocess", tuple(PREPROCESSORS))
    cls = PREPROCESSORS[name]
    return None if cls is None else cls()
