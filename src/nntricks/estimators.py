"""scikit-learn drop-in estimators: :class:`MLPClassifier` and :class:`MLPRegressor`.

Change ``from sklearn.neural_network import MLPClassifier`` to ``from nntricks import
MLPClassifier`` and a script runs unchanged: every parameter scikit-learn has keeps its name and
meaning, and the fitted attributes are the same. The estimators are thin adapters: they validate
input, build a :class:`~nntricks.network.Network` and an optimizer, and hand both to
:class:`~nntricks.training.Trainer`.

What scikit-learn declines to add, each from the notes:

========================  ====================================================  =======
parameter                 meaning                                               notes
========================  ====================================================  =======
``activation``            also ``"hardtanh"``, ``"softsign"``, ``"leaky_relu"``  §2.4
                          (slope ``leaky_relu_slope``)
``solver``                also ``"momentum"`` (the notes' classical momentum,   §2.8,
                          no Nesterov), ``"adagrad"``, ``"rmsprop"``            §2.9
                          (decay ``rho``)
``dropout``               drop rate after each hidden layer (inverted dropout)  §2.3
``l1``                    L1 strength, divided by the batch size like alpha     §2.2
``init``                  ``"xavier"``, ``"normal"`` (std ``init_std``),        §2.6
                          ``"he"``
``learning_rate``         also ``"step"`` (``lr_decay_factor`` every            §2.7
                          ``lr_decay_every`` epochs), ``"exponential"``
                          (``α0·exp(−lr_decay_rate·t)``), ``"inverse"``
                          (``α0·lr_tau/max(t, lr_tau)``), t counted in epochs
``fan_in_scaling``        per-weight learning rate times ``1/√n_in``            §2.7
``dtype``                 ``"float32"`` or ``"float64"``; default ``None``
                          follows the input like scikit-learn
``callbacks``             ``callback(record, trainer)`` after each epoch
========================  ====================================================  =======

``dtype``: the default follows scikit-learn (float32 input trains in float32, anything else in
float64), so that swapping the import changes no precision. ``dtype="float32"`` trains about
twice as fast in half the memory with the same accuracy for these networks; ``nntricks train``
uses it.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import scipy.optimize
import scipy.sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import optim, schedules
from ._validation import check_choice, check_scalar
from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .layers import Activation, Dense, Dropout
from .network import Network
from .regularizers import L1, L2
from .training import EpochRate, Trainer

__all__ = ["MLPClassifier", "MLPRegressor"]

STOCHASTIC_SOLVERS = ("sgd", "momentum", "adam", "adagrad", "rmsprop")
SOLVERS = ("lbfgs", *STOCHASTIC_SOLVERS)
LEARNING_RATES = ("constant", "invscaling", "adaptive", "step", "exponential", "inverse")


class _BaseMLP(BaseEstimator):
    """Shared parameters, validation and training of the two estimators."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        l1=0.0,
        init="xavier",
        init_std=0.01,
        leaky_relu_slope=0.01,
        rho=0.9,
        lr_decay_factor=0.5,
        lr_decay_every=10,
        lr_decay_rate=0.05,
        lr_tau=10.0,
        fan_in_scaling=False,
        dtype=None,
        callbacks=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.l1 = l1
        self.init = init
        self.init_std = init_std
        self.leaky_relu_slope = leaky_relu_slope
        self.rho = rho
        self.lr_decay_factor = lr_decay_factor
        self.lr_decay_every = lr_decay_every
        self.lr_decay_rate = lr_decay_rate
        self.lr_tau = lr_tau
        self.fan_in_scaling = fan_in_scaling
        self.dtype = dtype
        self.callbacks = callbacks

    # -- validation ----------------------------------------------------------------------------

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        for size in sizes:
            check_scalar(size, "each of hidden_layer_sizes", low=1, integer=True)
        return [int(size) for size in sizes]

    def _dropout_rates(self, n_hidden: int) -> list[float]:
        rates = self.dropout
        if isinstance(rates, numbers.Real):
            rates = [rates] * n_hidden
        rates = list(rates)
        if len(rates) != n_hidden:
            raise ValueError(f"dropout has {len(rates)} rates for {n_hidden} hidden layers")
        for rate in rates:
            check_scalar(rate, "dropout", low=0, high=1, high_inclusive=False)
        return [float(rate) for rate in rates]

    def _check_params(self) -> None:
        """Raise ``ValueError`` naming the first out-of-range or unknown hyperparameter."""
        check_choice(self.activation, "activation", tuple(ACTIVATIONS))
        check_choice(self.solver, "solver", SOLVERS)
        check_choice(self.learning_rate, "learning_rate", LEARNING_RATES)
        check_choice(self.init, "init", tuple(INITIALIZERS))
        check_choice(self.dtype, "dtype", (None, "float32", "float64"))
        if self.batch_size != "auto":
            check_scalar(self.batch_size, "batch_size", low=1, integer=True)
        for name in ("alpha", "l1", "power_t", "tol", "lr_decay_rate"):
            check_scalar(getattr(self, name), name, low=0)
        for name in ("learning_rate_init", "epsilon", "init_std", "lr_tau"):
            check_scalar(getattr(self, name), name, low=0, low_inclusive=False)
        for name in ("momentum", "beta_1", "beta_2", "rho"):
            check_scalar(getattr(self, name), name, low=0, high=1, high_inclusive=False)
        check_scalar(self.validation_fraction, "validation_fraction", low=0, high=1,
                     low_inclusive=False, high_inclusive=False)
        check_scalar(self.lr_decay_factor, "lr_decay_factor", low=0, high=1,
                     low_inclusive=False)
        check_scalar(self.leaky_relu_slope, "leaky_relu_slope", low=0, high=1,
                     low_inclusive=False, high_inclusive=False)
        for name in ("max_iter", "max_fun", "lr_decay_every"):
            check_scalar(getattr(self, name), name, low=1, integer=True)
        if self.n_iter_no_change != math.inf:
            check_scalar(self.n_iter_no_change, "n_iter_no_change", low=1, integer=True)
        if any(self._dropout_rates(len(self._hidden_sizes()))) and self.solver == "lbfgs":
            raise ValueError("dropout needs a stochastic solver, not solver='lbfgs'")

    def _check_sample_weight(self, sample_weight, n_samples: int, dtype) -> np.ndarray | None:
        if sample_weight is None:
            return None
        sample_weight = np.asarray(sample_weight, dtype=dtype)
        if sample_weight.ndim == 0:
            sample_weight = np.full(n_samples, sample_weight, dtype=dtype)
        if sample_weight.shape != (n_samples,):
            raise ValueError(f"sample_weight must have shape ({n_samples},), "
                             f"got {sample_weight.shape}")
        if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
            raise ValueError("sample_weight must be finite and non-negative")
        if not sample_weight.sum() > 0:
            raise ValueError("sample weights are all zero: at least one must be positive")
        return sample_weight

    # -- building the pieces -------------------------------------------------------------------

    def _train_dtype(self, X) -> np.dtype:
        if self.dtype is not None:
            return np.dtype(self.dtype)
        return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)

    def _build_network(self, n_features: int, n_outputs: int, dtype) -> Network:
        hidden = self._hidden_sizes()
        rates = self._dropout_rates(len(hidden))
        init_params = {"std": self.init_std} if self.init == "normal" else {}
        activation_params = ({"slope": self.leaky_relu_slope}
                             if self.activation == "leaky_relu" else {})
        layers, width = [], n_features
        for size, rate in zip(hidden, rates, strict=True):
            layers += [Dense(width, size, self.init, **init_params),
                       Activation(self.activation, **activation_params)]
            if rate > 0:
                layers.append(Dropout(rate))
            width = size
        layers.append(Dense(width, n_outputs, self.init, **init_params))
        # scikit-learn's penalty is (alpha/2)·Σ‖W‖² divided by the batch size.
        penalties = [L2(self.alpha / 2)] if self.alpha > 0 else []
        penalties += [L1(self.l1)] if self.l1 > 0 else []
        return Network(layers, self._loss_function(), penalties, dtype=dtype)

    def _schedule(self):
        initial = self.learning_rate_init
        if self.learning_rate == "invscaling":
            return schedules.invscaling(initial, self.power_t), "sample"
        if self.learning_rate == "step":
            return schedules.step_decay(initial, self.lr_decay_factor, self.lr_decay_every), \
                "epoch"
        if self.learning_rate == "exponential":
            return schedules.exponential_decay(initial, self.lr_decay_rate), "epoch"
        if self.learning_rate == "inverse":
            return schedules.inverse_decay(initial, self.lr_tau), "epoch"
        return schedules.constant(initial), "epoch"

    def _build_optimizer(self, rate: EpochRate, network: Network) -> optim.Optimizer:
        """The named optimizer of ``solver``, followed by fan-in scaling when asked for."""
        if self.solver in ("sgd", "momentum"):
            nesterov = self.solver == "sgd" and self.nesterovs_momentum and self.momentum > 0
            optimizer = optim.sgd(rate, self.momentum, nesterov=nesterov)
        elif self.solver == "adam":
            optimizer = optim.adam(rate, self.beta_1, self.beta_2, self.epsilon)
        elif self.solver == "adagrad":
            optimizer = optim.adagrad(rate, self.epsilon)
        else:
            optimizer = optim.rmsprop(rate, self.rho, self.epsilon)
        if not self.fan_in_scaling:
            return optimizer
        return optim.Optimizer(optimizer.transform, optim.scale_by_fan_in(network.fan_in_scale),
                               name=f"{optimizer.name} with fan-in scaling")

    def _new_trainer(self, network: Network, seed: int, batch_size: int) -> Trainer:
        schedule, unit = self._schedule()
        rate = EpochRate(schedule, unit)
        return Trainer(
            network, self._build_optimizer(rate, network), rate,
            batch_size=batch_size, shuffle=self.shuffle, random_state=seed, tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            adaptive=self.learning_rate == "adaptive",
            callbacks=tuple(self.callbacks or ()), verbose=bool(self.verbose),
        )

    # -- fitting -------------------------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, incremental=False):
        self._check_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        n_samples = X.shape[0]
        dtype = (self._network.dtype if not first_pass and hasattr(self, "_network")
                 else self._train_dtype(X))
        X = X.astype(dtype, copy=False)
        Y = np.ascontiguousarray(Y, dtype=dtype)
        sample_weight = self._check_sample_weight(sample_weight, n_samples, dtype)
        random_state = check_random_state(self.random_state)
        seed = int(random_state.randint(np.iinfo(np.int32).max))
        if first_pass:
            self._initialize(X.shape[1], Y.shape[1], dtype, seed)
        else:
            self._sync_network(X.shape[1], Y.shape[1], dtype)
        try:
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, Y, sample_weight)
            else:
                self._fit_stochastic(X, Y, sample_weight, incremental, seed, random_state)
        finally:
            self._publish()
        return self

    def _initialize(self, n_features, n_outputs, dtype, seed) -> None:
        self._network = self._build_network(n_features, n_outputs, dtype).initialize(seed)
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(self._hidden_sizes()) + 2
        self.out_activation_ = self._network.loss_function.out_activation
        self.n_iter_ = 0
        self.t_ = 0
        self.history_ = []
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_, self.best_validation_score_, self.best_loss_ = \
                [], -np.inf, None
        else:
            self.validation_scores_, self.best_validation_score_, self.best_loss_ = \
                None, None, np.inf
        self._trainer = None

    def _sync_network(self, n_features, n_outputs, dtype) -> None:
        """Continue from ``coefs_``/``intercepts_``, which a user may have replaced."""
        if not hasattr(self, "_network"):
            self._network = self._build_network(n_features, n_outputs, dtype)
            self._trainer = None
            defaults = {"n_iter_": 0, "t_": 0, "history_": [], "loss_curve_": [],
                        "best_loss_": np.inf, "validation_scores_": None,
                        "best_validation_score_": None, "_no_improvement_count": 0,
                        "n_outputs_": n_outputs, "n_layers_": len(self._hidden_sizes()) + 2,
                        "out_activation_": self._network.loss_function.out_activation}
            for name, value in defaults.items():
                if not hasattr(self, name):
                    setattr(self, name, value)
        for view, value in zip(self._network.coefs + self._network.intercepts,
                               list(self.coefs_) + list(self.intercepts_), strict=True):
            if value is not view:
                value = np.asarray(value)
                if value.size != view.size:
                    raise ValueError(f"coefs_/intercepts_ of shape {value.shape} do not fit a "
                                     f"layer of shape {view.shape}")
                view[...] = value.reshape(view.shape)

    def _fit_stochastic(self, X, Y, sample_weight, incremental, seed, random_state):
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split_validation(X, Y, sample_weight,
                                                                     random_state)
        n_samples = X.shape[0]
        batch_size = min(200, n_samples) if self.batch_size == "auto" else self.batch_size
        if batch_size > n_samples:
            warnings.warn(f"batch_size {batch_size} is larger than the {n_samples} samples; "
                          "using the whole set as one batch", UserWarning, stacklevel=3)
            batch_size = n_samples
        trainer = getattr(self, "_trainer", None) if incremental else None
        if trainer is None and incremental and hasattr(self, "_trainer_arrays"):
            trainer = self._trainer = self._new_trainer(self._network, seed, batch_size)
            trainer.load_state_dict(self.__dict__.pop("_trainer_arrays"))
        if trainer is None:
            trainer = self._new_trainer(self._network, seed, batch_size)
            trainer.best_loss = self.best_loss_ if self.best_loss_ is not None else math.inf
            if self.best_validation_score_ is not None:
                trainer.best_validation_score = self.best_validation_score_
            trainer.no_improvement_count = self._no_improvement_count
            trainer.samples_seen = self.t_
            self._trainer = trainer
        trainer.batch_size = batch_size
        trainer.callbacks = tuple(self.callbacks or ())
        trainer.verbose = bool(self.verbose)
        start = len(trainer.history)
        self.n_iter_ = 0
        reason = trainer.run(
            X, Y, sample_weight, max_epochs=1 if incremental else self.max_iter,
            validation=validation, score=self._validation_score, stop_early=not incremental)
        new = trainer.history[start:]
        self.n_iter_ = len(new)
        self.history_ += new
        if reason == "max_epochs" and not incremental:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3)

    def _split_validation(self, X, Y, sample_weight, random_state):
        stratify = self._stratify_labels(Y)
        arrays = [X, Y] + ([sample_weight] if sample_weight is not None else [])
        parts = train_test_split(*arrays, random_state=random_state,
                                 test_size=self.validation_fraction, stratify=stratify)
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train, sw_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                             "or the size of your dataset.")
        return X_train, Y_train, sw_train, (X_val, self._decode(Y_val), sw_val)

    def _fit_lbfgs(self, X, Y, sample_weight):
        network = self._network
        weight_sum = X.shape[0] if sample_weight is None else float(sample_weight.sum())
        evaluations = 0

        def loss_and_grad(theta):
            nonlocal evaluations
            evaluations += 1
            network.params[...] = theta
            loss, grads = network._loss_and_grad(X, Y, sample_weight, training=True,
                                                 penalty_scale=1.0 / weight_sum)
            return loss, grads.astype(np.float64)

        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            result = scipy.optimize.minimize(
                loss_and_grad, network.params.astype(np.float64), method="L-BFGS-B", jac=True,
                options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol})
        network.params[...] = result.x
        self.n_iter_ = int(result.nit)
        self.loss_ = float(result.fun)
        if not result.success:
            warnings.warn(f"lbfgs failed to converge after {self.n_iter_} iterations "
                          f"({evaluations} evaluations): {result.message}", ConvergenceWarning,
                          stacklevel=3)
        if not np.all(np.isfinite(network.params)):
            raise ValueError("Solver produced non-finite parameter weights. The input data "
                             "may contain large values and need to be preprocessed.")

    def _publish(self) -> None:
        """Expose the network's state as scikit-learn's fitted attributes."""
        network = self._network
        self.coefs_ = network.coefs
        self.intercepts_ = network.intercepts
        trainer = getattr(self, "_trainer", None)
        if self.solver == "lbfgs" or trainer is None:
            return
        self.loss_curve_ = [record.loss for record in self.history_]
        if self.loss_curve_:
            self.loss_ = self.loss_curve_[-1]
        self.t_ = trainer.samples_seen
        self._no_improvement_count = trainer.no_improvement_count
        if self.early_stopping:
            self.validation_scores_ = [r.validation_score for r in self.history_
                                       if r.validation_score is not None]
            self.best_validation_score_ = trainer.best_validation_score
        else:
            self.best_loss_ = trainer.best_loss

    def save(self, path):
        """Write the fitted model to ``path``: NumPy arrays and JSON, never a pickle.

        Read it back with :func:`nntricks.load`; see :mod:`nntricks.persistence`.
        """
        from .persistence import save

        return save(self, path)

    def __getstate__(self) -> dict:
        # The trainer's optimizer is a chain of closures: keep its state as plain arrays.
        state = super().__getstate__()
        trainer = state.pop("_trainer", None)
        if trainer is not None:
            state["_trainer_arrays"] = trainer.state_dict()
        return state

    # -- prediction ----------------------------------------------------------------------------

    def _forward(self, X, check_input=True) -> np.ndarray:
        check_is_fitted(self)
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"],
                              dtype=(np.float64, np.float32), reset=False)
        return self._network.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _validation_score(self, X, y, sample_weight) -> float:
        raise NotImplementedError

    def _stratify_labels(self, Y) -> np.ndarray | None:
        """Labels to stratify the validation split by (none for regression and multilabel)."""
        return None


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier, a drop-in for scikit-learn's.

    Every scikit-learn parameter has its scikit-learn meaning; see the module docstring for the
    extras (dropout, L1, more activations, solvers, schedules and initializers, fan-in
    scaling, dtype, callbacks). Binary and multilabel targets use a sigmoid output with binary
    cross-entropy, multiclass a softmax with cross-entropy.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
    coefs_, intercepts_ : list of ndarray
        Weights ``(n_in, n_out)`` and biases of each layer: views into the one flat parameter
        vector of the underlying network.
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_ : as scikit-learn
    n_iter_ : int
        Epochs run by the last ``fit`` (L-BFGS iterations with ``solver="lbfgs"``).
    t_ : int
        Training samples seen by the stochastic solver.
    n_layers_, n_outputs_, out_activation_, n_features_in_, feature_names_in_ : as scikit-learn
    history_ : list of EpochRecord
        Loss, validation score, learning rate and time of every epoch.
    """

    def _loss_function(self) -> str:
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax_cross_entropy"
        return "binary_cross_entropy"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
            if len(self.classes_) < 2:
                raise ValueError(f"a classifier needs at least two classes; y has only one "
                                 f"class: {self.classes_[0]!r}")
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {classes}.")
        return X, self._label_binarizer.transform(y)

    def fit(self, X, y, sample_weight=None):
        """Fit the network to data ``X`` and labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels, or a label indicator matrix for multilabel classification.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self : MLPClassifier
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda self: self.solver in STOCHASTIC_SOLVERS)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X, y, sample_weight : as in :meth:`fit`
        classes : array-like of shape (n_classes,), optional
            Every class of the whole problem; required on the first call.

        Returns
        -------
        self : MLPClassifier
        """
        if not hasattr(self, "classes_"):
            if classes is None and not type_of_target(y).startswith("multilabel"):
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y if type_of_target(y).startswith("multilabel")
                                      else classes)
            self.classes_ = self._label_binarizer.classes_
            if len(self.classes_) < 2:
                raise ValueError("classes must hold at least two classes")
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(f"`classes={list(classes)}` is not the same as on the first call "
                             f"to partial_fit: {list(self.classes_)}")
        return self._fit(X, y, sample_weight, incremental=True)

    def _stratify_labels(self, Y):
        return None if self._label_binarizer.y_type_.startswith("multilabel") else Y.astype(bool)

    def _decode(self, Y) -> np.ndarray:
        if self.n_outputs_ == 1:
            Y = Y.ravel()
        return self._label_binarizer.inverse_transform(Y)

    def predict(self, X):
        """Predicted class labels, shape ``(n_samples,)`` (or ``(n_samples, n_classes)``)."""
        return self._decode(self._forward(X))

    def _validation_score(self, X, y, sample_weight) -> float:
        scores = self._network.predict(X)
        if not np.all(np.isfinite(scores)):
            return math.nan
        return float(accuracy_score(y, self._decode(scores), sample_weight=sample_weight))

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)``, columns as ``classes_``."""
        probabilities = self._forward(X)
        if self.n_outputs_ == 1:
            return np.hstack([1 - probabilities, probabilities])
        return probabilities

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        probabilities = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(probabilities, out=probabilities)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor, a drop-in for scikit-learn's.

    Parameters are those of :class:`MLPClassifier` plus ``loss``: ``"squared_error"`` (half
    squared error, identity output) or ``"poisson"`` (half Poisson deviance, exponential
    output, for non-negative counts).
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        l1=0.0,
        init="xavier",
        init_std=0.01,
        leaky_relu_slope=0.01,
        rho=0.9,
        lr_decay_factor=0.5,
        lr_decay_every=10,
        lr_decay_rate=0.05,
        lr_tau=10.0,
        fan_in_scaling=False,
        dtype=None,
        callbacks=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            l1=l1,
            init=init,
            init_std=init_std,
            leaky_relu_slope=leaky_relu_slope,
            rho=rho,
            lr_decay_factor=lr_decay_factor,
            lr_decay_every=lr_decay_every,
            lr_decay_rate=lr_decay_rate,
            lr_tau=lr_tau,
            fan_in_scaling=fan_in_scaling,
            dtype=dtype,
            callbacks=callbacks,
        )
        self.loss = loss

    def _loss_function(self) -> str:
        check_choice(self.loss, "loss", ("squared_error", "poisson"))
        return self.loss

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' needs non-negative targets y")
        return X, y.reshape(len(y), -1) if y.ndim == 1 else y

    def fit(self, X, y, sample_weight=None):
        """Fit the network to data ``X`` and targets ``y``; see :meth:`MLPClassifier.fit`."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda self: self.solver in STOCHASTIC_SOLVERS)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _decode(self, Y) -> np.ndarray:
        return Y.ravel() if Y.shape[1] == 1 else Y

    def predict(self, X):
        """Predicted values, shape ``(n_samples,)`` or ``(n_samples, n_outputs)``."""
        return self._decode(self._forward(X))

    def _validation_score(self, X, y, sample_weight) -> float:
        predictions = self._network.predict(X)
        if not np.all(np.isfinite(predictions)):
            return math.nan
        return float(r2_score(y, self._decode(predictions), sample_weight=sample_weight))
