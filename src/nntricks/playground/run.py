"""One page's training run: nntricks' own network, optimizer and trainer, on a thread of its own.

The page changes the settings and presses play, pause, step and reset; the run trains epoch after
epoch while playing (at most :data:`MAX_EPOCHS_PER_SECOND`) and keeps a *snapshot* of what the
page draws: the losses and learning rates, the output and every hidden neuron over the plane,
the weights, the spread of each layer's activations and gradients, and the points before and
after preprocessing. Everything that touches the network happens under one lock, so a command
or a new setting lands between two epochs.
"""

from __future__ import annotations

import copy
import math
import threading
import time

import numpy as np

from .. import optim, schedules
from ..datasets import load_digits
from ..gradcheck import check_network
from ..mlp import build_mlp
from ..network import Network
from ..preprocessing import MeanCenter, Standardize, Whiten
from ..regularizers import L1, L2
from ..training import DivergenceError, Trainer
from .config import Config
from .data import EXTENT, features, make_dataset

__all__ = ["MAX_EPOCHS_PER_SECOND", "Run"]

MAX_EPOCHS_PER_SECOND = 60     # as TensorFlow's playground: an epoch per animation frame
SNAPSHOTS_PER_SECOND = 20
GRID = 50                      # the output map: GRID × GRID points of the plane
NEURON_GRID = 20               # each neuron's small map
MAX_HISTORY = 2000
SPREAD_BINS, WEIGHT_BINS = 20, 30
GRADCHECK_POINTS = 20
# The page's verdict: below 1e-6 in float64. A trained network on large inputs (x1², up to 36)
# has third derivatives that put the centered difference's own error near 1e-7, the library's
# default, where the gradient is right.
GRADCHECK_TOLERANCE = 1e-6

PREPROCESSORS = {"none": lambda: None, "center": MeanCenter, "standardize": Standardize,
                 "pca": lambda: Whiten(method="pca"), "zca": lambda: Whiten(method="zca")}


def _plane(size: int) -> np.ndarray:
    """``size²`` points covering [-EXTENT, EXTENT]², row 0 at the top (x2 = +EXTENT)."""
    x1, x2 = np.meshgrid(np.linspace(-EXTENT, EXTENT, size), np.linspace(EXTENT, -EXTENT, size))
    return np.column_stack([x1.ravel(), x2.ravel()])


def _json_number(value: float) -> float | None:
    """``value`` as a float, or ``None`` where it is NaN or infinite (JSON has neither)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _rounded(values, digits: int = 4) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


def _record(series: list, entry: list) -> None:
    """Append ``[epoch, ...]`` to a history, or replace its last entry of the same epoch."""
    if series and series[-1][0] == entry[0]:
        series[-1] = entry
    else:
        series.append(entry)


def _zeros(weights: np.ndarray, rng: np.random.Generator) -> None:
    """All-zero weights: every unit of a layer stays the same (the notes' symmetry problem)."""
    weights[...] = 0


def _histogram(values: np.ndarray, bins: int, symmetric: bool = False) -> dict:
    """Counts of the finite ``values`` in ``bins`` bins (a diverging network has others)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if not values.size:
        return {"lo": -0.5, "hi": 0.5, "counts": [0] * bins, "std": 0.0, "mean": 0.0}
    lo, hi = float(values.min()), float(values.max())
    if symmetric:
        lo, hi = -max(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    counts, _ = np.histogram(values, bins=bins, range=(lo, hi))
    return {"lo": lo, "hi": hi, "counts": counts.tolist(), "std": float(values.std()),
            "mean": float(values.mean())}


def _schedule(config: Config):
    """The learning-rate schedule of the settings (``None`` for a constant rate), in epochs."""
    rate = config.learning_rate
    if config.schedule == "step":
        return schedules.step_decay(rate, config.decay_factor, config.decay_every)
    if config.schedule == "exponential":
        return schedules.exponential_decay(rate, config.decay_rate)
    if config.schedule == "inverse":
        return schedules.inverse_decay(rate, config.tau)
    return None


def _optimizer(config: Config, network: Network) -> optim.Optimizer:
    rate = config.learning_rate
    optimizer = {
        "sgd": lambda: optim.sgd(rate),
        "momentum": lambda: optim.sgd(rate, config.momentum),
        "nesterov": lambda: optim.sgd(rate, config.momentum, nesterov=True),
        "adagrad": lambda: optim.adagrad(rate, config.epsilon),
        "rmsprop": lambda: optim.rmsprop(rate, config.rho, config.epsilon),
        "adam": lambda: optim.adam(rate, config.beta_1, config.beta_2, config.epsilon),
        "adam_notes": lambda: optim.adam(rate, config.beta_1, config.beta_2, config.epsilon,
                                         bias_correction=False),
    }[config.optimizer]()
    if not config.fan_in:
        return optimizer
    return optim.Optimizer(optimizer.transform, optim.scale_by_fan_in(network.fan_in_scale),
                           name=f"{optimizer.name} with fan-in scaling")


class Run:
    """A training run for one page.

    Parameters
    ----------
    config : Config
    """

    def __init__(self, config: Config) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopped = False
        self.playing = False
        self._steps = 0
        self.version = 0
        self.last_seen = time.monotonic()
        self._build(config)
        self._publish()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="playground-run")
        self._thread.start()

    # -- settings and commands (from the server's threads) ------------------------------------

    def configure(self, config: Config) -> None:
        """Take new settings. New data, features, layers, activation, initialization or seed
        start afresh; a new dropout rate or optimizer goes on from the current weights; the
        rest (rate, schedule, penalty, batch size) changes the running training."""
        with self._lock:
            old = self.config
            if config.structure() != old.structure():
                self._build(config)
            else:
                if config.dropout != old.dropout:
                    self._rebuild_network(config)
                elif config.optimizer_settings() != old.optimizer_settings():
                    self.trainer.optimizer = _optimizer(config, self.network)
                    self.trainer.reset_optimizer()
                self._tune(config)
            self._publish()

    def command(self, action: str) -> None:
        """``"play"``, ``"pause"``, ``"step"`` (one epoch) or ``"reset"`` (the same settings,
        fresh weights)."""
        with self._wake:
            if action == "play":
                self.playing, self.error = True, None
            elif action == "pause":
                self.playing = False
            elif action == "step":
                self.playing, self._steps = False, self._steps + 1
            elif action == "reset":
                self.playing = False
                self._build(self.config)
            self._publish()
            self._wake.notify()

    def check_gradient(self) -> dict:
        """The library's gradient checker on the current network, in float64, on a batch of
        training points: the largest relative error per parameter array."""
        with self._lock:
            network = self._network(self.config, np.float64)
            network.params[...] = self.network.params
            network.regularizers = list(self.network.regularizers)
            X = self.X_train[:GRADCHECK_POINTS].astype(np.float64)
            Y = self.Y_train[:GRADCHECK_POINTS].astype(np.float64)
        report = check_network(network, X, Y, tolerance=GRADCHECK_TOLERANCE, random_state=0)
        return {"passed": report.passed, "tolerance": report.tolerance,
                "loss": _json_number(report.loss),
                "arrays": [{"name": a.name, "shape": list(a.shape), "n_probed": a.n_probed,
                            "n_kinks": a.n_kinks, "max_relative_error": _json_number(
                                a.max_relative_error) if a.worst_index is not None else None}
                           for a in report.arrays]}

    def stop(self) -> None:
        with self._wake:
            self._stopped, self.playing = True, False
            self._wake.notify()
        self._thread.join(timeout=5)

    # -- the run's thread ---------------------------------------------------------------------

    def _loop(self) -> None:
        next_epoch = time.monotonic()
        while True:
            with self._wake:
                while not self._stopped and not self.playing and not self._steps:
                    self._wake.wait()
                if self._stopped:
                    return
                self._steps = max(self._steps - 1, 0)
                try:
                    self._train_epoch()
                    if not self.playing or time.monotonic() - self._published >= \
                            1 / SNAPSHOTS_PER_SECOND:
                        self._publish()
                except Exception as error:  # the page shows it; the thread lives on
                    self.playing, self.error = False, f"unexpected error: {error}"
                    self.snapshot = {**self.snapshot, "playing": False, "error": self.error}
            next_epoch = max(next_epoch + 1 / MAX_EPOCHS_PER_SECOND, time.monotonic() - 0.1)
            time.sleep(max(0.0, next_epoch - time.monotonic()))

    def _train_epoch(self) -> None:
        try:
            self.trainer.run(self.X_train, self.Y_train, max_epochs=1, stop_early=False)
        except DivergenceError as error:
            self.playing, self.error = False, f"{error}"
        self.rates.append([self.trainer.epochs_done, self.trainer.history[-1].learning_rate]
                          if self.trainer.history else [self.epoch, self.trainer.learning_rate])
        self.trainer.history.clear()  # the run keeps its own, thinned, histories
        self.epoch = self.trainer.epochs_done

    # -- building (under the lock) ------------------------------------------------------------

    def _network(self, config: Config, dtype=np.float32) -> Network:
        n_in, n_out, loss = {"classification": (len(config.features), 1, "binary_cross_entropy"),
                             "regression": (len(config.features), 1, "squared_error"),
                             "digits": (64, 10, "softmax_cross_entropy")}[config.problem]
        init = _zeros if config.init == "zeros" else config.init
        return build_mlp(n_in, config.hidden, n_out, activation=config.activation,
                         init=init, init_params={"std": config.init_std}
                         if config.init == "normal" else None, dropout=config.dropout,
                         loss=loss, dtype=dtype)

    def _load(self, config: Config) -> tuple:
        """``(raw_train, raw_test, Y_train, Y_test, labels_train)`` and, on the plane, the points
        (``None`` for the digits)."""
        if config.problem == "digits":
            data = load_digits(test_size=1 - config.train_percent / 100, random_state=config.seed)
            one_hot = np.eye(10, dtype=np.float32)
            self.points = None
            return (data.X_train, data.X_test, one_hot[data.y_train], one_hot[data.y_test],
                    data.y_train)
        points, targets = make_dataset(config.dataset, config.noise / 100, config.seed)
        n_train = round(len(points) * config.train_percent / 100)
        self.points = {"train": (points[:n_train], targets[:n_train]),
                       "test": (points[n_train:], targets[n_train:])}
        encode = (lambda t: (t[:, None] + 1) / 2) if config.problem == "classification" else \
            (lambda t: t[:, None])
        names = list(config.features)
        return (features(points[:n_train], names), features(points[n_train:], names),
                encode(targets[:n_train]).astype(np.float32),
                encode(targets[n_train:]).astype(np.float32), targets[:n_train])

    def _build(self, config: Config) -> None:
        self.config = config
        raw_train, raw_test, self.Y_train, self.Y_test, labels = self._load(config)
        preprocessor = PREPROCESSORS[config.preprocess]()
        prepare = (lambda X: X) if preprocessor is None else \
            preprocessor.fit(raw_train).transform
        self.X_train, self.X_test = prepare(raw_train), prepare(raw_test)
        self._maps = None if self.points is None else tuple(
            prepare(features(_plane(size), list(config.features))) for size in (GRID, NEURON_GRID))
        # the preprocessing view: the two inputs of largest spread, before and after
        shown = sorted(np.argsort(-raw_train.var(axis=0), kind="stable")[:2])

        def view(X):
            columns = [X[:, j] for j in shown] + [np.zeros(len(X))] * (2 - len(shown))
            return np.round(np.column_stack([*columns, labels]), 3).tolist()

        self._inputs = {"before": view(raw_train), "after": view(self.X_train)}
        self.network = self._network(config).initialize(config.seed)
        self.trainer = self._trainer(config)
        self._tune(config)
        self.epoch, self.error, self.history, self.rates, self.effective = 0, None, [], [], []
        self._published = 0.0

    def _trainer(self, config: Config) -> Trainer:
        return Trainer(self.network, _optimizer(config, self.network),
                       batch_size=config.batch_size, random_state=config.seed,
                       penalty_per_sample=False, catch_interrupt=False)

    def _rebuild_network(self, config: Config) -> None:
        """The same weights in a network with another dropout rate (dropout has no weights)."""
        params, epochs = self.network.params.copy(), self.trainer.epochs_done
        self.network = self._network(config).initialize(config.seed)
        self.network.params[...] = params
        self.trainer = self._trainer(config)
        self.trainer.epochs_done = epochs

    def _tune(self, config: Config) -> None:
        """The settings that change a running training: rate, schedule, penalty, batch size."""
        self.config = config
        self.trainer.schedule = _schedule(config)
        if self.trainer.schedule is None:
            self.trainer.optimizer_state.learning_rate = config.learning_rate
        self.trainer.batch_size = config.batch_size
        penalty = {"l1": L1, "l2": L2}.get(config.regularization)
        self.network.regularizers = [] if penalty is None or not config.regularization_rate \
            else [penalty(config.regularization_rate)]

    # -- what the page draws (under the lock) ------------------------------------------------

    def _data_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        return float(self.network.loss_function.value(self.network.forward(X), Y))

    def _hidden_maps(self, X: np.ndarray) -> list[list[float]]:
        """Every hidden unit's activation over the plane, layer by layer."""
        maps, out = [], X
        for layer in self.network.layers[:-1]:
            out = layer.forward(out, False)
            if layer.activity:
                maps += [_rounded(column, 3) for column in out.T]
        return maps

    def _spread(self) -> list[dict]:
        """Per hidden layer, histograms of its activations and of the gradients back-propagated
        to it, on the training data (inference mode: no dropout noise)."""
        return [{"activations": _histogram(outputs, SPREAD_BINS),
                 "gradients": _histogram(gradients, SPREAD_BINS)}
                for outputs, gradients in self.network.activity(self.X_train, self.Y_train)]

    def _plane_views(self) -> dict:
        """The output and neuron maps and the points, on the plane; for the digits, each first
        layer unit's weights as an 8×8 image instead."""
        if self.points is None:
            return {"grid": None, "points": None,
                    "digit_weights": [_rounded(column, 3) for column in self.network.coefs[0].T]}
        output = self.network.predict(self._maps[0])[:, 0]
        if self.config.problem == "classification":
            output = 2 * output - 1
        return {"grid": {"size": GRID, "extent": EXTENT, "output": _rounded(output, 3),
                         "neurons": self._hidden_maps(self._maps[1]), "neuron_size": NEURON_GRID},
                "points": {part: np.round(np.column_stack([p, t]), 3).tolist()
                           for part, (p, t) in self.points.items()},
                "digit_weights": None}

    def _accuracies(self) -> dict:
        """Train and test accuracy of the classifiers (``None`` for regression)."""
        if self.config.problem == "regression":
            return {"train_accuracy": None, "test_accuracy": None}

        def accuracy(X, Y):
            scores = self.network.predict(X)
            if scores.shape[1] == 1:
                return float(np.mean((scores[:, 0] > 0.5) == (Y[:, 0] > 0.5)))
            return float(np.mean(scores.argmax(axis=1) == Y.argmax(axis=1)))

        return {"train_accuracy": accuracy(self.X_train, self.Y_train),
                "test_accuracy": accuracy(self.X_test, self.Y_test)}

    def _effective_rate(self) -> float | None:
        """The learning rate the optimizer effectively applies on its next step: the median,
        over the parameters, of ``|Δθ| / |g|`` for one step on the first batch, taken on a copy
        (so the run does not move). For SGD it is the rate; momentum, AdaGrad, RMSProp and Adam
        make it their own."""
        optimizer, batch = self.trainer.optimizer, self.config.batch_size
        _, grads = self.network.loss_and_grad(self.X_train[:batch], self.Y_train[:batch],
                                              training=False, check_input=False)
        grads = grads.copy()
        params = self.network.params.copy()
        optimizer.step(params, grads, copy.deepcopy(self.trainer.optimizer_state))
        moving = np.abs(grads) > 1e-12
        if not moving.any():
            return None
        steps = np.abs(params - self.network.params)[moving]
        return float(np.median(steps / np.abs(grads[moving])))

    def _schedule_preview(self) -> list[list[float]]:
        horizon = max(500, self.epoch + 100)
        epochs = np.linspace(0, horizon, 101).round().astype(int)
        schedule = self.trainer.schedule
        return [[int(t), float(schedule(int(t))) if schedule is not None
                 else self.config.learning_rate] for t in epochs]

    def _publish(self) -> None:
        train_loss = self._data_loss(self.X_train, self.Y_train)
        test_loss = self._data_loss(self.X_test, self.Y_test)
        _record(self.history, [self.epoch, train_loss, test_loss])
        effective = self._effective_rate()
        if effective is not None:
            _record(self.effective, [self.epoch, effective])
        if len(self.history) > MAX_HISTORY:
            self.history, self.rates = self.history[::2], self.rates[::2]
            self.effective = self.effective[::2]
        weights = np.concatenate([W.ravel() for W in self.network.coefs])
        self.snapshot = {
            "epoch": self.epoch, "playing": self.playing, "error": self.error,
            "train_loss": train_loss, "test_loss": test_loss, "losses": self.history,
            "learning_rates": self.rates, "learning_rate": self.trainer.learning_rate,
            "effective_rates": self.effective,
            "schedule_preview": self._schedule_preview(),
            **self._plane_views(), **self._accuracies(),
            "weights": [_rounded(W) for W in self.network.coefs],
            "spread": self._spread(),
            "weight_histogram": {**_histogram(weights, WEIGHT_BINS, symmetric=True),
                                 "zero_fraction": float(np.mean(np.abs(weights) < 1e-3))},
            "inputs_before": self._inputs["before"], "inputs_after": self._inputs["after"],
            "layers": [self.network.n_features, *self.config.hidden, self.network.n_outputs],
            "inputs": list(self.config.features) if self.points is not None else [],
            "problem": self.config.problem,
            "config": self.config.as_dict(),
        }
        self._published = time.monotonic()
        self.version += 1
