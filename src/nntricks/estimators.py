"""scikit-learn drop-in estimators: :class:`MLPClassifier` and :class:`MLPRegressor`.

Change ``from sklearn.neural_network import MLPClassifier`` to ``from nntricks import
MLPClassifier`` and a script runs unchanged: every parameter scikit-learn has keeps its name and
meaning, and the fitted attributes are the same.

The estimators are adapters and own only what an estimator owns: they validate the
hyperparameters and the data, build the network with :func:`~nntricks.mlp.build_mlp` and the
named optimizer of ``solver``, and hand the training to :mod:`nntricks.training` (the
:class:`~nntricks.training.Trainer` for the stochastic solvers, which keeps the epochs, the
history, the stopping rule and, in its optimizer's state, the learning rate;
:func:`~nntricks.training.fit_lbfgs` for ``solver="lbfgs"``). After each ``fit`` the fitted
attributes are read off the network and the trainer, one way. The fitted state is written and
read by :meth:`~_BaseMLP.to_state` and :meth:`~_BaseMLP.from_state`, which model files
(:mod:`nntricks.persistence`) and pickling both use.

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
``input_dropout``         drop rate of the input features                       §2.3
``batch_norm``            batch normalization after each hidden Dense layer     §2.5
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
``callbacks``             a list of ``callback(record, trainer)``, called
                          after each epoch
``device``                ``"cpu"`` (NumPy) or ``"cuda"`` (CuPy on an NVIDIA
                          GPU; ``pip install "nntricks[gpu]"``)
``class_weight``          (classifier) ``None``, ``"balanced"`` or a dict of
                          class -> weight multiplying the sample weights
========================  ====================================================  =======

``warm_start`` and ``partial_fit`` continue the fitted network: they refuse a change of the
hyperparameters that shape it (``hidden_layer_sizes``, ``activation``, ``leaky_relu_slope``
with leaky ReLU, ``dropout``, ``input_dropout``, ``batch_norm``, ``dtype`` and the regressor's
``loss``), and read the others, ``alpha`` and ``l1`` included, anew at every call, as
scikit-learn does.

``dtype``: the default follows scikit-learn (float32 input trains in float32, anything else in
float64), so that swapping the import changes no precision. ``dtype="float32"`` trains about
twice as fast in half the memory with the same accuracy for these networks; ``nntricks train``
uses it.

``device="cuda"`` trains and predicts on the GPU with the same code (see :mod:`nntricks.backend`):
parameters, optimizer state and, when they fit, the training data live on the device. Data go in
and fitted attributes come out as NumPy arrays, as in scikit-learn; CuPy arrays are accepted too,
and ``predict`` then answers with CuPy arrays. A model trained on the GPU saves, loads and
predicts on a machine without one (on the CPU), and the other way round.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import optim, schedules
from ._validation import check_choice, check_sample_weight, check_scalar
from .activations import ACTIVATIONS
from .backend import (
    DEVICES,
    NUMPY,
    Backend,
    DeviceUnavailableError,
    get_backend,
    on_device_of,
    to_host,
    to_numpy,
)
from .initializers import INITIALIZERS
from .mlp import build_mlp, per_layer
from .network import Network
from .persistence import jsonable, register, save
from .regularizers import L1, L2
from .splits import holdout_split
from .training import EpochRecord, Trainer, fit_lbfgs

__all__ = ["MLPClassifier", "MLPRegressor"]

STOCHASTIC_SOLVERS = ("sgd", "momentum", "adam", "adagrad", "rmsprop")
SOLVERS = ("lbfgs", *STOCHASTIC_SOLVERS)
LEARNING_RATES = ("constant", "invscaling", "adaptive", "step", "exponential", "inverse")
BOOLEAN_PARAMS = ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping", "batch_norm",
                  "fan_in_scaling")
FITTED_ATTRIBUTES = {"n_features_in_": "count", "n_outputs_": "count", "n_layers_": "count",
                     "out_activation_": "str", "n_iter_": "natural", "t_": "natural",
                     "loss_": "real or None", "loss_curve_": "reals",
                     "best_loss_": "real or None", "validation_scores_": "reals or None",
                     "best_validation_score_": "real or None",
                     "validation_loss_curve_": "reals or None",
                     "_no_improvement_count": "natural"}
"""The fitted attributes besides the arrays (``coefs_``, ``intercepts_``, ``classes_``,
``feature_names_in_``) and ``history_``: what :meth:`_BaseMLP.to_state` writes, with the kind
of value :meth:`_BaseMLP.from_state` accepts."""
_KINDS = {
    "count": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
    "natural": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "str": lambda v: isinstance(v, str),
    "real": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "reals": lambda v: isinstance(v, list) and all(_KINDS["real"](x) for x in v),
}
HISTORY_FIELDS = {"epoch": "count", "loss": "real", "validation_score": "real or None",
                  "learning_rate": "real", "seconds": "real", "validation_loss": "real or None"}
"""The fields of a saved :class:`~nntricks.training.EpochRecord` and their kinds (files before
``validation_loss`` was recorded lack it)."""


def _cast(array, dtype: np.dtype, name: str):
    """``array`` (finite: already checked) as ``dtype``; ``ValueError`` when its values lie
    beyond the range of ``dtype`` (float64 data cast to float32)."""
    if array.dtype == dtype:
        return array
    with np.errstate(over="ignore"):
        cast = array.astype(dtype)
    values = cast.data if sp.issparse(cast) else cast
    if values.size and not (np.isfinite(values.max()) and np.isfinite(values.min())):
        raise ValueError(f"{name} has values beyond the range of {dtype} (magnitudes up to "
                         f"{np.finfo(dtype).max:.3g}): scale {name}, or set dtype='float64'")
    return cast


def _check_one_kind_of_label(y) -> None:
    """Raise ``ValueError`` when the labels mix text and numbers (they cannot be sorted)."""
    if y.dtype == object:
        kinds = {isinstance(label, str) for label in y.ravel()}
        if len(kinds) > 1:
            raise ValueError("y mixes text and numbers as labels: give labels of one kind "
                             "(e.g. y.astype(str))")


def _check_kinds(values, kinds: dict[str, str], required, what: str) -> None:
    """Raise ``ValueError`` unless ``values`` maps names of ``kinds``, ``required`` among them,
    to values of their kind (``"<kind> or None"`` also allows ``None``)."""
    if not isinstance(values, dict):
        raise ValueError(f"{what} are not a mapping")
    if set(values) - set(kinds) or set(required) - set(values):
        raise ValueError(f"{what} are {sorted(values)}; expected {sorted(kinds)}")
    for name, value in values.items():
        kind = kinds[name].removesuffix(" or None")
        if not (_KINDS[kind](value) or (value is None and kinds[name].endswith(" or None"))):
            raise ValueError(f"{what}: {name} is {value!r}, not {kinds[name]}")


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
        input_dropout=0.0,
        batch_norm=False,
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
        device="cpu",
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
        self.input_dropout = input_dropout
        self.batch_norm = batch_norm
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
        self.device = device

    # -- validation ----------------------------------------------------------------------------

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, str):
            raise ValueError(f"hidden_layer_sizes must be an integer or a sequence of integers, "
                             f"got {sizes!r}")
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        for size in sizes:
            check_scalar(size, "each of hidden_layer_sizes", low=1, integer=True)
        return [int(size) for size in sizes]

    def _dropout_rates(self, n_hidden: int) -> list[float]:
        rates = per_layer(self.dropout, n_hidden, "dropout")
        for rate in rates:
            check_scalar(rate, "dropout", low=0, high=1, high_inclusive=False)
        return [float(rate) for rate in rates]

    def check_params(self) -> None:
        """Raise ``ValueError`` naming the first out-of-range or unknown hyperparameter.

        ``fit`` does this first; call it to check a configuration before loading any data
        (the command line and the sweeps do).
        """
        check_choice(self.activation, "activation", tuple(ACTIVATIONS))
        check_choice(self.solver, "solver", SOLVERS)
        check_choice(self.learning_rate, "learning_rate", LEARNING_RATES)
        check_choice(self.init, "init", tuple(INITIALIZERS))
        check_choice(self.dtype, "dtype", (None, "float32", "float64"))
        check_choice(self.device, "device", DEVICES)
        if self.batch_size != "auto":
            check_scalar(self.batch_size, "batch_size", low=1, integer=True)
            if self.batch_norm is True and self.batch_size == 1:
                raise ValueError("batch_norm needs batches of at least 2 samples (it normalizes "
                                 "each unit over the batch): set batch_size >= 2")
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
        if isinstance(self.random_state, numbers.Integral):  # else None or a RandomState
            check_scalar(self.random_state, "random_state", low=0, high=2**32 - 1,
                         integer=True)
        check_scalar(self.input_dropout, "input_dropout", low=0, high=1, high_inclusive=False)
        dropping = any(self._dropout_rates(len(self._hidden_sizes()))) or self.input_dropout
        if dropping and self.solver == "lbfgs":
            raise ValueError("dropout needs a stochastic solver, not solver='lbfgs': set "
                             "dropout=0 (--dropout 0 on the command line) or another solver")
        for name in BOOLEAN_PARAMS:
            value = getattr(self, name)
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"{name} must be True or False, got {value!r}")
        if not isinstance(self.verbose, bool | np.bool_):  # scikit-learn: a bool or a level
            check_scalar(self.verbose, "verbose (True, False or an integer >= 0)", low=0,
                         integer=True)
        if self.callbacks is not None and not isinstance(self.callbacks, list | tuple):
            raise ValueError("callbacks must be a list of functions callback(record, trainer), "
                             f"got {self.callbacks!r}")
        for i, callback in enumerate(self.callbacks or ()):
            if not callable(callback):
                raise ValueError(f"callbacks[{i}] is not callable: {callback!r}; a callback is "
                                 "a function callback(record, trainer)")

    # -- building the pieces -------------------------------------------------------------------

    def _train_dtype(self, X) -> np.dtype:
        if self.dtype is not None:
            return np.dtype(self.dtype)
        return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)

    def _penalties(self) -> list:
        """The network's penalties; scikit-learn's is (alpha/2)·Σ‖W‖², divided by the batch
        size in training. Read at every fit, as scikit-learn reads ``alpha``."""
        return ([L2(self.alpha / 2)] if self.alpha > 0 else []) + \
            ([L1(self.l1)] if self.l1 > 0 else [])

    def _architecture(self) -> dict:
        """The hyperparameters that shape the network (``dtype`` aside), normalized: a fit
        that continues a network (``warm_start``, ``partial_fit``) refuses a change to any of
        them, since the trained weights belong to the network as it was built."""
        hidden = self._hidden_sizes()
        return {"hidden_layer_sizes": tuple(hidden), "activation": self.activation,
                "leaky_relu_slope": (self.leaky_relu_slope if self.activation == "leaky_relu"
                                     else None),
                "dropout": tuple(self._dropout_rates(len(hidden))),
                "input_dropout": float(self.input_dropout), "batch_norm": bool(self.batch_norm)}

    def _build_network(self, n_features: int, n_outputs: int, dtype) -> Network:
        self._built_architecture = self._architecture()
        hidden = self._hidden_sizes()
        return build_mlp(
            n_features, hidden, n_outputs, activation=self.activation,
            activation_params=({"slope": self.leaky_relu_slope}
                               if self.activation == "leaky_relu" else None),
            init=self.init, init_params={"std": self.init_std} if self.init == "normal" else None,
            dropout=self._dropout_rates(len(hidden)), input_dropout=self.input_dropout,
            batch_norm=self.batch_norm,
            loss=self._loss_function(), regularizers=self._penalties(), dtype=dtype,
            device=self._placement())

    def _architecture_changes(self) -> str:
        """Each architecture hyperparameter changed since the fitted network was built, as
        ``"name old -> new"`` (empty when none): a continuing fit or a model file would pair
        the old network with the new values."""
        now = self._architecture()
        changed = {name: (old, now[name]) for name, old in self._built_architecture.items()
                   if now[name] != old}
        if self.dtype is not None and np.dtype(self.dtype) != self.network_.dtype:
            changed["dtype"] = (str(self.network_.dtype), self.dtype)
        return ", ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in changed.items())

    def _check_same_network(self, incremental: bool) -> None:
        changes = self._architecture_changes()
        if changes:
            how, anew = (("partial_fit", "call fit, or sklearn.base.clone(model).partial_fit")
                         if incremental else
                         ("warm_start=True", "warm_start=False, or sklearn.base.clone(model).fit"))
            raise ValueError(f"{how} continues the fitted network, but hyperparameters that "
                             f"shape it changed since it was built: {changes}. Set them back, "
                             f"or train a new network ({anew})")

    def _placement(self) -> Backend:
        """Where a network built now lives: ``device``, or the CPU for a model loaded where
        that device is missing (so that it can still predict)."""
        try:
            return get_backend(self.device)
        except DeviceUnavailableError:
            return NUMPY

    def _schedule(self):
        """The trainer's epoch schedule and its unit (none for constant and adaptive rates)."""
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
        return None, "epoch"

    def _build_optimizer(self, network: Network) -> optim.Optimizer:
        """The named optimizer of ``solver`` at ``learning_rate_init``, then fan-in scaling
        when asked for; the trainer's schedule changes the rate in its state."""
        rate = self.learning_rate_init
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

    def _new_trainer(self, seed: int) -> Trainer:
        return Trainer(self.network_, self._build_optimizer(self.network_), random_state=seed)

    def _configure(self, trainer: Trainer, batch_size: int) -> None:
        """Hand the trainer this fit's settings (the hyperparameters may have changed)."""
        trainer.schedule, trainer.schedule_unit = self._schedule()
        trainer.adaptive = self.learning_rate == "adaptive"
        trainer.batch_size = batch_size
        trainer.shuffle = bool(self.shuffle)
        trainer.tol = self.tol
        trainer.n_iter_no_change = self.n_iter_no_change
        trainer.callbacks = tuple(self.callbacks or ())
        trainer.verbose = bool(self.verbose)

    # -- fitting -------------------------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, incremental=False):
        self.check_params()
        device = get_backend(self.device)  # says what is missing, before any work
        X, y, sample_weight = to_host(X), to_host(y), to_host(sample_weight)
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        continuing = not first_pass and hasattr(self, "network_")
        if continuing:
            self._check_same_network(incremental)
        X, Y, target_weight = self._validate_input(X, y, incremental, reset=first_pass)
        if self.input_dropout and sp.issparse(X):
            raise ValueError("input_dropout needs dense X (dropout draws a mask per input "
                             "value); give X.toarray() or set input_dropout=0")
        if continuing and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs, the fitted network {self.n_outputs_}: "
                             "train a new network for it (warm_start=False)")
        dtype = self.network_.dtype if continuing else self._train_dtype(X)
        X = _cast(X, dtype, "X")
        Y = np.ascontiguousarray(_cast(Y, dtype, "y"))
        sample_weight = check_sample_weight(sample_weight, X.shape[0], dtype)
        if target_weight is not None:  # class weights multiply the sample weights
            sample_weight = target_weight.astype(dtype) * (1 if sample_weight is None
                                                           else sample_weight)
        random_state = check_random_state(self.random_state)
        seed = int(random_state.randint(np.iinfo(np.int32).max))  # weights and shuffles
        if first_pass:
            self._initialize(X.shape[1], Y.shape[1], dtype, seed)
        else:
            self._move_to(device)
            self._continue_from_coefs(X.shape[1], Y.shape[1], dtype)
            self.network_.regularizers = self._penalties()
        self.n_iter_ = 0
        try:
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, Y, sample_weight)
            else:
                self._fit_stochastic(X, Y, sample_weight, incremental, seed, random_state)
        finally:
            self._publish()
        return self

    def _initialize(self, n_features, n_outputs, dtype, seed) -> None:
        self.network_ = self._build_network(n_features, n_outputs, dtype).initialize(seed)
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(self._hidden_sizes()) + 2
        self.out_activation_ = self.network_.loss_function.out_activation
        self.loss_ = None
        self._trainer = None

    def _move_to(self, device: Backend) -> None:
        """Carry the network and the trainer's state over to ``device`` (``device`` changed)."""
        if not hasattr(self, "network_") or self.network_.backend is device:
            return
        self.network_.to(device)
        if self._trainer is not None:
            history, state = self._trainer.history, self._trainer.state_dict()
            self._trainer = self._new_trainer(seed=0)  # the saved seed replaces it
            self._trainer.history = history
            self._trainer.load_state_dict(state)

    def _continue_from_coefs(self, n_features, n_outputs, dtype) -> None:
        """Continue from ``coefs_``/``intercepts_``, which a user may have set or replaced."""
        if not hasattr(self, "network_"):
            self._initialize(n_features, n_outputs, dtype, seed=0)
        for view, value in zip(self.network_.coefs + self.network_.intercepts,
                               list(self.coefs_) + list(self.intercepts_), strict=True):
            if value is not view:
                value = np.asarray(to_host(value))
                if value.size != view.size:
                    raise ValueError(f"coefs_/intercepts_ of shape {value.shape} do not fit a "
                                     f"layer of shape {view.shape}")
                view[...] = self.network_.backend.asarray(value.reshape(view.shape), view.dtype)

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
        if self._trainer is None:
            self._trainer = self._new_trainer(seed)
        elif not incremental:  # scikit-learn's warm start: a new optimizer, counts go on
            self._trainer.optimizer = self._build_optimizer(self.network_)
            self._trainer.reset_optimizer()
        trainer = self._trainer
        self._configure(trainer, batch_size)
        start = len(trainer.history)
        reason = trainer.run(
            X, Y, sample_weight, max_epochs=1 if incremental else self.max_iter,
            validation=validation, score=self._validation_score, stop_early=not incremental)
        self.n_iter_ = len(trainer.history) - start
        if reason == "max_epochs" and not incremental:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3)

    def _split_validation(self, X, Y, sample_weight, random_state):
        X_train, X_val, Y_train, Y_val, sw_train, sw_val = holdout_split(
            X, Y, sample_weight, test_size=self.validation_fraction, random_state=random_state,
            stratify=self._stratify_labels(Y))
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                             "or the size of your dataset.")
        return X_train, Y_train, sw_train, (X_val, Y_val, sw_val)

    def _fit_lbfgs(self, X, Y, sample_weight):
        result = fit_lbfgs(self.network_, X, Y, sample_weight, max_iter=self.max_iter,
                           max_fun=self.max_fun, tol=self.tol)
        self.n_iter_ = result.n_iter
        self.loss_ = result.loss
        if not result.converged:
            warnings.warn(f"lbfgs failed to converge after {result.n_iter} iterations "
                          f"({result.n_evaluations} evaluations): {result.message}",
                          ConvergenceWarning, stacklevel=3)

    def _publish_arrays(self) -> None:
        """``coefs_`` and ``intercepts_``: views of the network's arrays on the CPU, copies
        from another device."""
        self.coefs_ = [to_numpy(W) for W in self.network_.coefs]
        self.intercepts_ = [to_numpy(b) for b in self.network_.intercepts]

    def _publish(self) -> None:
        """Read scikit-learn's fitted attributes off the network and the trainer."""
        self._publish_arrays()
        trainer = self._trainer
        if trainer is None:  # L-BFGS, or no stochastic epoch yet
            self.history_ = []
            self.loss_curve_ = []
            self.t_ = 0
            self._no_improvement_count = 0
            self.best_loss_ = None if self.early_stopping else math.inf
            self.validation_scores_ = [] if self.early_stopping else None
            self.validation_loss_curve_ = [] if self.early_stopping else None
            self.best_validation_score_ = -math.inf if self.early_stopping else None
            return
        self.history_ = list(trainer.history)
        self.loss_curve_ = [record.loss for record in self.history_]
        if self.loss_curve_:
            self.loss_ = self.loss_curve_[-1]
        self.t_ = trainer.samples_seen
        self._no_improvement_count = trainer.no_improvement_count
        if self.early_stopping:
            self.validation_scores_ = [r.validation_score for r in self.history_
                                       if r.validation_score is not None]
            self.validation_loss_curve_ = [r.validation_loss for r in self.history_
                                           if r.validation_loss is not None]
            self.best_validation_score_ = trainer.best_validation_score
            self.best_loss_ = None
        else:
            self.validation_scores_ = self.best_validation_score_ = None
            self.validation_loss_curve_ = None
            self.best_loss_ = trainer.best_loss

    # -- the fitted state ----------------------------------------------------------------------

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted state as JSON-able data and plain arrays (see :mod:`nntricks.persistence`).

        Returns
        -------
        meta : dict
            The fitted attributes of ``FITTED_ATTRIBUTES``, the dtype, the history and the
            target encoding.
        arrays : dict of str to ndarray
            The parameter vector, the layers' buffers (running statistics), the target's and the
            features' names, and the trainer's state for resuming ``partial_fit``.
        """
        check_is_fitted(self)
        changes = self._architecture_changes()
        if changes:
            raise ValueError(f"the hyperparameters no longer describe the fitted network "
                             f"({changes}): set them back, or fit again, before saving")
        meta = {"fitted": {name: jsonable(getattr(self, name)) for name in FITTED_ATTRIBUTES
                           if hasattr(self, name)},
                "dtype": self.network_.dtype.name,
                "history": [dataclasses.asdict(record) for record in self.history_],
                **self._target_state()}
        arrays = {"params": to_numpy(self.network_.params),
                  "buffers": to_numpy(self.network_.buffers)}
        if self._trainer is not None:
            arrays.update({f"trainer.{key}": value
                           for key, value in self._trainer.state_dict().items()})
        if hasattr(self, "classes_"):
            classes = np.asarray(self.classes_)
            arrays["classes_"] = classes.astype(str) if classes.dtype == object else classes
        if hasattr(self, "feature_names_in_"):
            arrays["feature_names_in_"] = self.feature_names_in_.astype(str)
        return meta, arrays

    def from_state(self, meta: dict, arrays: dict[str, np.ndarray]):
        """Become the fitted estimator :meth:`to_state` described; returns ``self``.

        Raises ``ValueError`` (or ``KeyError``/``TypeError``) naming what does not fit.
        """
        self.check_params()  # ranges, booleans, callbacks
        if self.callbacks is not None or not (self.random_state is None
                                              or _KINDS["natural"](self.random_state)):
            raise ValueError("a saved estimator has no callbacks, and a random_state that is "
                             "None or an integer >= 0")
        fitted = meta["fitted"]
        _check_kinds(fitted, FITTED_ATTRIBUTES, ("n_features_in_", "n_outputs_"),
                     "the fitted attributes")
        if not isinstance(meta["history"], list):
            raise ValueError("the history is not a list")
        for record in meta["history"]:
            _check_kinds(record, HISTORY_FIELDS, set(HISTORY_FIELDS) - {"validation_loss"},
                         "a history record")
        check_choice(meta["dtype"], "dtype", ("float32", "float64"))
        for name, value in fitted.items():
            setattr(self, name, value)
        self._load_target_state(meta, arrays)
        if "feature_names_in_" in arrays:
            names = arrays["feature_names_in_"]
            if names.dtype.kind != "U" or names.shape != (self.n_features_in_,):
                raise ValueError(f"feature_names_in_ is not {self.n_features_in_} names")
            self.feature_names_in_ = names.astype(object)
        sizes = [self.n_features_in_, *self._hidden_sizes(), self.n_outputs_]
        n_weights = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
        if n_weights > arrays["params"].size:
            raise ValueError(f"the architecture declares {n_weights} weights; the parameter "
                             f"vector holds {arrays['params'].size}")
        network = self._build_network(self.n_features_in_, self.n_outputs_,
                                      np.dtype(meta["dtype"]))
        for target, saved, what in (
                (network.params, arrays["params"], "parameter"),
                (network.buffers, arrays.get("buffers", network.buffers), "buffer")):
            if saved.shape != target.shape or saved.dtype != target.dtype:
                raise ValueError(f"the {what} vector has shape {saved.shape} and dtype "
                                 f"{saved.dtype}; the architecture needs {target.shape} and "
                                 f"{target.dtype}")
            if not np.all(np.isfinite(saved)):
                raise ValueError(f"the {what} vector holds NaN or infinite values")
            target[...] = network.backend.asarray(saved)
        self.network_ = network
        self._publish_arrays()
        self.history_ = [EpochRecord(**record) for record in meta["history"]]
        self._trainer = None
        trainer_state = {key[len("trainer."):]: value for key, value in arrays.items()
                         if key.startswith("trainer.")}
        if trainer_state or self.history_:
            self._trainer = trainer = self._new_trainer(seed=0)  # a saved seed replaces it
            trainer.history = list(self.history_)
            if trainer_state:
                trainer.load_state_dict(trainer_state)
            else:  # a format-1 file: counts from the fitted attributes, a fresh optimizer
                trainer.epochs_done, trainer.samples_seen = len(self.history_), self.t_
                trainer.no_improvement_count = self._no_improvement_count
                trainer.best_loss = math.inf if self.best_loss_ is None else self.best_loss_
                if self.best_validation_score_ is not None:
                    trainer.best_validation_score = self.best_validation_score_
        return self

    def _target_state(self) -> dict:
        """What the subclass must save to decode targets (JSON-able)."""
        return {}

    def _load_target_state(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`_target_state` saved."""

    def __getstate__(self) -> dict:
        # Pickles carry the hyperparameters and the fitted state, as model files do (the
        # trainer's optimizer is a chain of closures and is rebuilt on loading).
        params = self.get_params(deep=False)
        state = {key: value for key, value in super().__getstate__().items()
                 if key in params or key == "_sklearn_version"}
        state["_fitted_state"] = self.to_state() if hasattr(self, "network_") else None
        return state

    def __setstate__(self, state: dict) -> None:
        fitted = state.pop("_fitted_state", None)
        super().__setstate__(state)
        if fitted is not None:
            self.from_state(*fitted)

    def save(self, path):
        """Write the fitted model to ``path``: NumPy arrays and JSON, never a pickle.

        Read it back with :func:`nntricks.load`; see :mod:`nntricks.persistence`.
        """
        return save(self, path)

    # -- prediction ----------------------------------------------------------------------------

    def _forward(self, X, check_input=True) -> np.ndarray:
        """The network's output for ``X``, as a NumPy array."""
        check_is_fitted(self)
        X = to_host(X)
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"],
                              dtype=(np.float64, np.float32), reset=False)
        if self.input_dropout and sp.issparse(X):
            X = X.toarray()
        return to_numpy(self.network_.predict(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _validation_score(self, X, Y, sample_weight) -> float:
        """The score of the network on validation data (targets encoded as in training)."""
        raise NotImplementedError

    def _stratify_labels(self, Y) -> np.ndarray | None:
        """Labels to stratify the validation split by (none for regression and multilabel)."""
        return None


@register
class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier, a drop-in for scikit-learn's.

    Every scikit-learn parameter has its scikit-learn meaning; see the module docstring for the
    extras (dropout, L1, more activations, solvers, schedules and initializers, fan-in
    scaling, batch normalization, dtype, callbacks). Binary and multilabel targets use a sigmoid
    output with binary cross-entropy, multiclass a softmax with cross-entropy.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
    network_ : Network
        The trained network (its layers, flat parameter vector and buffers).
    coefs_, intercepts_ : list of ndarray
        Weights ``(n_in, n_out)`` and biases of each layer: views into the one flat parameter
        vector of :attr:`network_`.
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_ : as scikit-learn
    n_iter_ : int
        Epochs run by the last ``fit`` (L-BFGS iterations with ``solver="lbfgs"``).
    t_ : int
        Training samples seen by the stochastic solver.
    n_layers_, n_outputs_, out_activation_, n_features_in_, feature_names_in_ : as scikit-learn
    history_ : list of EpochRecord
        Loss, validation score, learning rate and time of every epoch.
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        class_weight=None,
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
        input_dropout=0.0,
        batch_norm=False,
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
        device="cpu",
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
            input_dropout=input_dropout,
            batch_norm=batch_norm,
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
            device=device,
        )
        self.class_weight = class_weight

    def check_params(self) -> None:
        super().check_params()
        weights = self.class_weight
        if not (weights is None or isinstance(weights, dict)
                or isinstance(weights, str) and weights == "balanced"):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict of class -> "
                             f"weight, got {weights!r}")
        for label, weight in (weights.items() if isinstance(weights, dict) else ()):
            check_scalar(weight, f"class_weight[{label!r}]", low=0)

    def _loss_function(self) -> str:
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax_cross_entropy"
        return "binary_cross_entropy"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        _check_one_kind_of_label(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
            if len(self.classes_) < 2:
                raise ValueError(f"a classifier needs at least two classes; y has only one "
                                 f"class: {np.asarray(self.classes_[0]).item()!r}")
        else:
            kind, fitted = type_of_target(y), self._label_binarizer.y_type_
            if kind.startswith("multilabel") != fitted.startswith("multilabel"):
                raise ValueError(f"y is a {kind} target, and the network was fitted to a "
                                 f"{fitted} one: train a new network for it (warm_start=False)")
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
        return X, self._label_binarizer.transform(y), self._class_sample_weight(y, incremental)

    def _class_sample_weight(self, y, incremental: bool) -> np.ndarray | None:
        """Each sample's class weight (``class_weight``), or None."""
        if self.class_weight is None:
            return None
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multilabel targets; give "
                             "sample_weight instead")
        if incremental and isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit (as in scikit-learn's "
                "SGDClassifier): one batch does not know the class frequencies of the whole "
                "data. Compute them once with sklearn.utils.class_weight.compute_class_weight("
                "'balanced', classes=classes, y=y_sample) on a large enough sample of the "
                "targets, and pass the resulting dict as class_weight.")
        unknown = set(self.class_weight) - set(self.classes_) \
            if isinstance(self.class_weight, dict) else set()
        if unknown:
            raise ValueError(f"class_weight names classes {sorted(unknown, key=str)} that are "
                             f"not among the classes {self.classes_.tolist()}")
        return compute_sample_weight(self.class_weight, y)

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
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)

    def _target_state(self) -> dict:
        return {"y_type": self._label_binarizer.y_type_}

    def _load_target_state(self, meta, arrays) -> None:
        classes = arrays["classes_"]
        binarizer = LabelBinarizer()
        if meta["y_type"] == "multilabel-indicator":
            binarizer.fit(np.eye(len(classes), dtype=int))
        else:
            binarizer.fit(classes)
        if binarizer.y_type_ != meta["y_type"] or classes.ndim != 1:
            raise ValueError(f"classes_ do not fit the target type {meta['y_type']!r}")
        n_outputs = 1 if binarizer.y_type_ == "binary" else len(classes)
        if n_outputs != self.n_outputs_:
            raise ValueError(f"{len(classes)} classes do not fit {self.n_outputs_} outputs")
        self._label_binarizer, self.classes_ = binarizer, classes

    def _decode(self, Y) -> np.ndarray:
        if self.n_outputs_ == 1:
            Y = Y.ravel()
        return self._label_binarizer.inverse_transform(Y)

    def predict(self, X):
        """Predicted class labels, shape ``(n_samples,)`` (or ``(n_samples, n_classes)``)."""
        return on_device_of(X, self._decode(self._forward(X)))

    def _validation_score(self, X, Y, sample_weight) -> float:
        scores = to_numpy(self.network_.predict(X))
        if not np.all(np.isfinite(scores)):
            return math.nan
        return float(accuracy_score(self._decode(to_numpy(Y)), self._decode(scores),
                                    sample_weight=to_host(sample_weight)))

    def _probabilities(self, X) -> np.ndarray:
        probabilities = self._forward(X)
        if self.n_outputs_ == 1:
            return np.hstack([1 - probabilities, probabilities])
        return probabilities

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)``, columns as ``classes_``."""
        return on_device_of(X, self._probabilities(X))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        probabilities = self._probabilities(X)
        with np.errstate(divide="ignore"):
            return on_device_of(X, np.log(probabilities, out=probabilities))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


@register
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
        input_dropout=0.0,
        batch_norm=False,
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
        device="cpu",
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
            input_dropout=input_dropout,
            batch_norm=batch_norm,
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
            device=device,
        )
        self.loss = loss

    def _loss_function(self) -> str:
        check_choice(self.loss, "loss", ("squared_error", "poisson"))
        return self.loss

    def _architecture(self) -> dict:
        return {**super()._architecture(), "loss": self.loss}

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' needs non-negative targets y")
        return X, y.reshape(len(y), -1) if y.ndim == 1 else y, None

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
        return on_device_of(X, self._decode(self._forward(X)))

    def _validation_score(self, X, Y, sample_weight) -> float:
        predictions = to_numpy(self.network_.predict(X))
        if not np.all(np.isfinite(predictions)):
            return math.nan
        return float(r2_score(self._decode(to_numpy(Y)), self._decode(predictions),
                              sample_weight=to_host(sample_weight)))
