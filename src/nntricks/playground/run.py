"""One page's training run: nntricks' own network, optimizer and trainer, on a thread of its own.

The page changes the settings and presses play, pause, step and reset; the run trains epoch after
epoch while playing (at most :data:`MAX_EPOCHS_PER_SECOND`) and keeps a *snapshot* of what the
page draws: the losses, the output and every hidden neuron over the plane, the weights and the
points. Everything that touches the network happens under one lock, so a command or a new
setting lands between two epochs.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from .. import optim
from ..layers import Activation
from ..mlp import build_mlp
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


def _plane(size: int) -> np.ndarray:
    """``size²`` points covering [-EXTENT, EXTENT]², row 0 at the top (x2 = +EXTENT)."""
    x1, x2 = np.meshgrid(np.linspace(-EXTENT, EXTENT, size), np.linspace(EXTENT, -EXTENT, size))
    return np.column_stack([x1.ravel(), x2.ravel()])


def _rounded(values: np.ndarray, digits: int = 4) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


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
        """Take new settings: the data or the network's shape start afresh, the rest goes on."""
        with self._lock:
            if config.structure() != self.config.structure():
                self._build(config)
            else:
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
                self._train_epoch()
                if not self.playing or time.monotonic() - self._published >= \
                        1 / SNAPSHOTS_PER_SECOND:
                    self._publish()
            next_epoch = max(next_epoch + 1 / MAX_EPOCHS_PER_SECOND, time.monotonic() - 0.1)
            time.sleep(max(0.0, next_epoch - time.monotonic()))

    def _train_epoch(self) -> None:
        try:
            self.trainer.run(self.X_train, self.Y_train, max_epochs=1, stop_early=False)
        except DivergenceError as error:
            self.playing, self.error = False, f"{error}"
        self.trainer.history.clear()  # the run keeps its own, thinned, loss history
        self.epoch = self.trainer.epochs_done

    # -- building (under the lock) ------------------------------------------------------------

    def _build(self, config: Config) -> None:
        self.config = config
        points, targets = make_dataset(config.dataset, config.noise / 100, config.seed)
        n_train = round(len(points) * config.train_percent / 100)
        self.points = {"train": (points[:n_train], targets[:n_train]),
                       "test": (points[n_train:], targets[n_train:])}
        classify = config.problem == "classification"
        encode = (lambda t: (t[:, None] + 1) / 2) if classify else (lambda t: t[:, None])
        self.X_train, self.Y_train = features(points[:n_train], list(config.features)), \
            encode(targets[:n_train]).astype(np.float32)
        self.X_test, self.Y_test = features(points[n_train:], list(config.features)), \
            encode(targets[n_train:]).astype(np.float32)
        self.network = build_mlp(len(config.features), config.hidden, 1,
                                 activation=config.activation,
                                 loss="binary_cross_entropy" if classify else "squared_error")
        self.network.initialize(config.seed)
        self.trainer = Trainer(self.network, optim.sgd(config.learning_rate),
                               batch_size=config.batch_size, random_state=config.seed,
                               penalty_per_sample=False, catch_interrupt=False)
        self._tune(config)
        self.epoch, self.error, self.history = 0, None, []
        self._maps = features(_plane(GRID), list(config.features)), \
            features(_plane(NEURON_GRID), list(config.features))
        self._published = 0.0

    def _tune(self, config: Config) -> None:
        """The settings that change a running network: rate, penalty, batch size."""
        self.config = config
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
        layers = self.network.layers
        for i, layer in enumerate(layers):
            out = layer.forward(out, False)
            if isinstance(layer, Activation) and i < len(layers) - 1:
                maps += [_rounded(column, 3) for column in out.T]
        return maps

    def _publish(self) -> None:
        train_loss = self._data_loss(self.X_train, self.Y_train)
        test_loss = self._data_loss(self.X_test, self.Y_test)
        self.history.append([self.epoch, train_loss, test_loss])
        if len(self.history) > MAX_HISTORY:
            self.history = self.history[::2]
        output = self.network.predict(self._maps[0])[:, 0]
        if self.config.problem == "classification":
            output = 2 * output - 1
        self.snapshot = {
            "epoch": self.epoch, "playing": self.playing, "error": self.error,
            "train_loss": train_loss, "test_loss": test_loss, "losses": self.history,
            "grid": {"size": GRID, "extent": EXTENT, "output": _rounded(output, 3),
                     "neurons": self._hidden_maps(self._maps[1]), "neuron_size": NEURON_GRID},
            "points": {part: np.round(np.column_stack([p, t]), 3).tolist()
                       for part, (p, t) in self.points.items()},
            "weights": [_rounded(W) for W in self.network.coefs],
            "layers": [len(self.config.features), *self.config.hidden, 1],
            "inputs": list(self.config.features), "problem": self.config.problem,
            "config": self.config.as_dict(),
        }
        self._published = time.monotonic()
        self.version += 1
