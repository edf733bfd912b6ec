"""What the experiments share: the data, a network builder and a training loop that records curves.

Every experiment trains through :class:`~nntricks.training.Trainer` with the penalties *not*
divided by the batch size (``penalty_per_sample=False``), so the objective is exactly the notes'
:math:`J_R = J + \\lambda \\sum_i \\lVert W^{(i)} \\rVert_F^2` with :math:`J` the mean
cross-entropy of a batch. Everything random (weights, dropout masks, batch order, data subsets)
comes from the experiment's seed, so the same seed gives the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import datasets, schedules
from ..activations import ActivationFunction
from ..mlp import build_mlp
from ..network import Network
from ..optim import Optimizer
from ..regularizers import Regularizer
from ..training import DivergenceError, Trainer

__all__ = [
    "CROSS_ENTROPY",
    "Curves",
    "Data",
    "digits",
    "fmt",
    "mlp",
    "train",
]

CROSS_ENTROPY = "loss (cross-entropy, nats)"
"""The y-axis label of every training curve."""


def fmt(value: float, digits: int = 3) -> str:
    """A number for a caption: ``digits`` significant digits, "diverged" for NaN or infinity."""
    if value is None or not math.isfinite(value):
        return "diverged"
    return f"{value:.{digits}g}"


@dataclass(frozen=True)
class Data:
    """A classification problem: training and validation parts, labels ``0 .. n_classes-1``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    name: str

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_val.max())) + 1


def digits(n_train: int | None = None, seed: int = 0) -> Data:
    """scikit-learn's bundled 8×8 digits (1347 training, 450 validation images, pixels in [0, 1]).

    ``n_train`` keeps a seeded random subset of that many training images (a small training
    set over-fits, which the regularization experiments need).
    """
    data = datasets.load("digits")
    X, y = data.X_train, data.y_train
    name = f"digits ({len(y)} training / {len(data.y_test)} validation images)"
    if n_train is not None and n_train < len(y):
        keep = np.sort(np.random.default_rng(seed).choice(len(y), n_train, replace=False))
        X, y = X[keep], y[keep]
        name = f"digits (a random {n_train} training / {len(data.y_test)} validation images)"
    return Data(np.ascontiguousarray(X), y, data.X_test, data.y_test, name)


def mlp(n_in: int, hidden: Sequence[int], n_out: int,
        activation: str | ActivationFunction = "tanh", *,
        init: str = "xavier", dropout: float = 0.0, regularizers: Sequence[Regularizer] = (),
        dtype: type = np.float32, **init_params: float) -> Network:
    """A softmax classifier from :func:`~nntricks.mlp.build_mlp`, float32 by default."""
    return build_mlp(n_in, hidden, n_out, activation=activation, init=init,
                     init_params=init_params, dropout=dropout, loss="softmax_cross_entropy",
                     regularizers=regularizers, dtype=dtype)


@dataclass
class Curves:
    """Per-epoch record of one training run.

    ``initial_loss`` is the training loss before the first step (whole network, penalty
    included); ``loss`` is the mean training loss over each epoch's batches (as the trainer sees
    it: dropout active, penalty included); the accuracies and the validation loss are measured
    after the epoch with the whole network (inference mode). ``diverged_at`` is the epoch in
    which the loss became NaN or infinite (training stopped there), or None.
    """

    initial_loss: float = math.nan
    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    diverged_at: int | None = None

    @property
    def epochs(self) -> np.ndarray:
        """1, 2, ... for the epochs recorded."""
        return np.arange(1, len(self.loss) + 1)

    @property
    def loss_from_start(self) -> tuple[np.ndarray, np.ndarray]:
        """Epochs ``0, 1, ...`` and the loss before training followed by each epoch's."""
        return np.arange(len(self.loss) + 1), np.array([self.initial_loss, *self.loss])

    @property
    def final_loss(self) -> float:
        return math.nan if self.diverged_at is not None or not self.loss else self.loss[-1]

    def epochs_to(self, loss: float) -> int | None:
        """First epoch whose training loss is at most ``loss`` (None if never)."""
        for epoch, value in zip(self.epochs, self.loss, strict=True):
            if value <= loss:
                return int(epoch)
        return None


def _accuracy(network: Network, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(network.predict(X), axis=1) == y))


def train(network: Network, optimizer: Callable[[float], Optimizer], data: Data, *,
          epochs: int, learning_rate: float | Callable[[int], float] = 0.1,
          batch_size: int = 32, seed: int = 0, initialize: bool = True) -> Curves:
    """Train ``network`` on ``data`` for exactly ``epochs`` epochs and record its curves.

    Parameters
    ----------
    network : Network
        Initialized here from ``seed`` unless ``initialize=False``.
    optimizer : callable
        ``optimizer(rate) -> Optimizer``, e.g. ``lambda rate: optim.sgd(rate, momentum=0.9)``,
        built with the first epoch's rate; the trainer sets each epoch's rate in its state.
    data : Data
    epochs : int
    learning_rate : float or callable
        A constant or a schedule of the epoch count (0 for the first epoch).
    batch_size : int, default=32
    seed : int, default=0
        Seeds the weights, the dropout masks and the batch order.
    """
    if initialize:
        network.initialize(seed)
    schedule = (learning_rate if callable(learning_rate)
                else schedules.constant(learning_rate))
    n_classes = network.n_outputs
    Y = np.eye(n_classes, dtype=network.dtype)[data.y_train]
    Y_val = np.eye(n_classes, dtype=network.dtype)[data.y_val]
    X = data.X_train.astype(network.dtype, copy=False)
    X_val = data.X_val.astype(network.dtype, copy=False)
    curves = Curves(initial_loss=float(network.loss(X, Y)))

    def record(epoch_record, trainer) -> bool:
        curves.loss.append(float(epoch_record.loss))
        curves.learning_rate.append(float(epoch_record.learning_rate))
        curves.train_accuracy.append(_accuracy(network, X, data.y_train))
        curves.val_accuracy.append(_accuracy(network, X_val, data.y_val))
        with np.errstate(over="ignore", invalid="ignore"):
            curves.val_loss.append(float(network.loss(X_val, Y_val)))
        return False

    trainer = Trainer(network, optimizer(float(schedule(0))), batch_size=batch_size,
                      shuffle=True, random_state=seed, schedule=schedule,
                      penalty_per_sample=False, callbacks=(record,), catch_interrupt=False)
    try:
        trainer.run(X, Y, max_epochs=epochs, stop_early=False)
    except DivergenceError:
        curves.diverged_at = trainer.epochs_done + 1
    return curves
