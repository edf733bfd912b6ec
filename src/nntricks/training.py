"""The training loop: minibatches, epochs, stopping, history, callbacks and guards.

:class:`Trainer` drives a :class:`~nntricks.network.Network` with an optimizer from
:mod:`nntricks.optim`. It knows nothing of scikit-learn; the estimators are thin adapters over it.
One epoch reads straight down the data path::

    seeded shuffle -> gather a batch (np.take into buffers allocated once)
    -> network.loss_and_grad -> optimizer.step (in place) -> next batch

and ends with the bookkeeping: the epoch's mean loss, a validation score when a validation set
is given, the stopping rule, the learning rate of the next epoch, the callbacks.

Guards
------
* A loss that turns NaN or infinite stops training with :class:`DivergenceError`, naming the
  epoch and suggesting a smaller learning rate; the parameters are reset to their last finite
  values (those at the start of the epoch).
* ``KeyboardInterrupt`` during :meth:`Trainer.run` ends the run with a warning; the parameters
  are the best so far (the best validation score's when validating), so the model stays usable.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse

from ._validation import check_choice, check_scalar
from .layers import _Buffers
from .network import Network
from .optim import Optimizer

__all__ = [
    "DivergenceError",
    "EpochRecord",
    "EpochRate",
    "Trainer",
    "TrainingInterrupted",
]


class DivergenceError(ValueError):
    """Training stopped because the loss became NaN or infinite."""


class TrainingInterrupted(UserWarning):
    """Training was interrupted (``KeyboardInterrupt``); the best weights so far were kept."""


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch did.

    Attributes
    ----------
    epoch : int
        1 for the first epoch the trainer ran.
    loss : float
        Mean training loss over the epoch's batches (penalties included), weighted by batch size.
    validation_score : float or None
        Score on the validation set after the epoch (higher is better), when validating.
    learning_rate : float
        The learning rate used during the epoch.
    seconds : float
        Wall time of the epoch.
    """

    epoch: int
    loss: float
    validation_score: float | None
    learning_rate: float
    seconds: float


class EpochRate:
    """A learning rate that changes between epochs, read by the optimizer at every step.

    The optimizer calls it with its step count; the value is set by the trainer at the start
    of each epoch from ``schedule(count)``, where ``count`` is the number of epochs completed
    (``unit="epoch"``) or of samples seen (``unit="sample"``, scikit-learn's ``invscaling``),
    times a factor that the ``adaptive`` rule divides by 5 whenever training stalls.

    Parameters
    ----------
    schedule : callable
        ``schedule(count) -> float``, e.g. from :mod:`nntricks.schedules`.
    unit : {"epoch", "sample"}, default="epoch"
    """

    def __init__(self, schedule: Callable[[int], float], unit: str = "epoch") -> None:
        check_choice(unit, "schedule unit", ("epoch", "sample"))
        self.schedule = schedule
        self.unit = unit
        self.factor = 1.0
        self.value = float(schedule(0))

    def start_epoch(self, epochs_done: int, samples_seen: int) -> float:
        """Set and return the rate of the coming epoch."""
        count = epochs_done if self.unit == "epoch" else samples_seen
        self.value = float(self.schedule(count)) * self.factor
        return self.value

    def __call__(self, step: int) -> float:
        return self.value


Callback = Callable[[EpochRecord, "Trainer"], "bool | None"]


@dataclass
class Trainer:
    """Minibatch training of a network, with early stopping and a divergence guard.

    Parameters
    ----------
    network : Network
    optimizer : Optimizer
    learning_rate : EpochRate
        The rate the optimizer was built with (the same object).
    batch_size : int, default=200
    shuffle : bool, default=True
        Reshuffle the training samples every epoch (a seeded permutation).
    random_state : int, Generator or None
        Seeds the shuffles.
    tol : float, default=1e-4
        Improvement that counts: the loss must fall by more than ``tol``, or the validation
        score rise by more than ``tol``.
    n_iter_no_change : int or inf, default=10
        Stop (or, with ``adaptive``, divide the learning rate by 5) after more than this many
        epochs without improvement.
    adaptive : bool, default=False
        scikit-learn's ``learning_rate="adaptive"``: on a stall divide the rate by 5, and stop
        only once it is below 1e-6.
    penalty_per_sample : bool, default=True
        Divide the penalties by the batch's total sample weight, as scikit-learn does with
        ``alpha``.
    callbacks : sequence of callable, default=()
        ``callback(record, trainer)`` after every epoch; a true return value stops training.
    verbose : bool, default=False
        Show a tqdm progress bar and print ``Iteration k, loss = ...`` per epoch.

    Attributes
    ----------
    history : list of EpochRecord
    epochs_done, samples_seen : int
    best_loss, best_validation_score : float
    no_improvement_count : int
    """

    network: Network
    optimizer: Optimizer
    learning_rate: EpochRate
    batch_size: int = 200
    shuffle: bool = True
    random_state: int | np.random.Generator | None = None
    tol: float = 1e-4
    n_iter_no_change: float = 10
    adaptive: bool = False
    penalty_per_sample: bool = True
    callbacks: Sequence[Callback] = ()
    verbose: bool = False
    history: list[EpochRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_scalar(self.batch_size, "batch_size", low=1, integer=True)
        check_scalar(self.tol, "tol", low=0)
        if self.n_iter_no_change != math.inf:
            check_scalar(self.n_iter_no_change, "n_iter_no_change", low=1, integer=True)
        self.rng = np.random.default_rng(self.random_state)
        self.optimizer_state = self.optimizer.init(self.network.params)
        self.epochs_done = 0
        self.samples_seen = 0
        self.best_loss = math.inf
        self.best_validation_score = -math.inf
        self.no_improvement_count = 0
        self._last_finite = np.empty_like(self.network.params)
        self._batch = _Buffers()  # the gathered minibatch, reused from epoch to epoch
        self._best_params: np.ndarray | None = None

    # -- saving and restoring ----------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything needed to continue training, as plain arrays (no pickle needed).

        The optimizer's moments, the counters, the stopping rule's bests and the adaptive
        learning-rate factor; the shuffling generator is re-seeded on restore.
        """
        arrays = {f"optimizer.{name}": value for name, value
                  in self.optimizer.state_dict(self.optimizer_state).items()}
        for name in ("epochs_done", "samples_seen", "best_loss", "best_validation_score",
                     "no_improvement_count"):
            arrays[name] = np.array(getattr(self, name))
        arrays["learning_rate_factor"] = np.array(self.learning_rate.factor)
        if self._best_params is not None:
            arrays["best_params"] = self._best_params.copy()
        return arrays

    def load_state_dict(self, arrays: dict[str, np.ndarray]) -> None:
        """Continue from :meth:`state_dict`'s arrays."""
        prefix = "optimizer."
        self.optimizer_state = self.optimizer.restore(
            self.network.params,
            {name[len(prefix):]: value for name, value in arrays.items()
             if name.startswith(prefix)})
        for name in ("epochs_done", "samples_seen", "no_improvement_count"):
            setattr(self, name, int(arrays[name]))
        for name in ("best_loss", "best_validation_score"):
            setattr(self, name, float(arrays[name]))
        self.learning_rate.factor = float(arrays["learning_rate_factor"])
        if "best_params" in arrays:
            self._best_params = np.array(arrays["best_params"], dtype=self.network.dtype)

    # -- one epoch -----------------------------------------------------------------------------

    def _epoch(self, X, Y, sample_weight) -> float:
        network, params = self.network, self.network.params
        n_samples = X.shape[0]
        full_batch = self.batch_size >= n_samples
        order = (self.rng.permutation(n_samples) if self.shuffle and not full_batch
                 else np.arange(n_samples))
        batch_size = min(self.batch_size, n_samples)
        sparse = scipy.sparse.issparse(X)
        if not full_batch:
            X_batch = None if sparse else self._batch.get("X", batch_size, X.shape[1], X.dtype)
            Y_batch = self._batch.get("Y", batch_size, Y.shape[1], Y.dtype)
        total = 0.0
        for start in range(0, n_samples, batch_size):
            index = order[start:start + batch_size]
            n = len(index)
            if full_batch:
                xb, yb = X, Y
            else:
                # mode="clip": the indices are valid, and take(mode="raise") copies via a buffer
                yb = Y.take(index, axis=0, out=Y_batch[:n], mode="clip")
                xb = X[index] if sparse else X.take(index, axis=0, out=X_batch[:n], mode="clip")
            wb = None if sample_weight is None else sample_weight[index]
            weight_sum = n if wb is None else float(wb.sum())
            scale = 1.0 / weight_sum if self.penalty_per_sample else 1.0
            loss, grads = network._loss_and_grad(xb, yb, wb, training=True,
                                                 penalty_scale=scale)
            if not math.isfinite(loss):
                self._diverged(loss)
            self.optimizer.step(params, grads, self.optimizer_state)
            total += loss * n
        return total / n_samples

    def _diverged(self, loss: float) -> None:
        self.network.params[...] = self._last_finite
        epoch = self.epochs_done + 1
        raise DivergenceError(
            f"training diverged in epoch {epoch}: the loss became {loss}. The parameters are "
            f"those of the start of epoch {epoch}, the last finite ones. Try a smaller "
            f"learning rate (it was {self.learning_rate.value:g}) or scale the input data."
        )

    # -- the run -------------------------------------------------------------------------------

    def run(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        *,
        max_epochs: int = 200,
        validation: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None,
        score: Callable[[np.ndarray, np.ndarray, np.ndarray | None], float] | None = None,
        stop_early: bool = True,
    ) -> str:
        """Train for up to ``max_epochs`` epochs.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Of the network's dtype (sparse batches are densified one at a time).
        Y : ndarray of shape (n_samples, n_outputs)
            Targets as the loss expects them (one-hot rows for classification).
        sample_weight : ndarray of shape (n_samples,), optional
        max_epochs : int, default=200
        validation : (X_val, y_val, sample_weight_val), optional
            Scored after every epoch with ``score``; the stopping rule then follows the score
            and the best-scoring parameters are restored at the end.
        score : callable, optional
            ``score(X_val, y_val, sample_weight_val) -> float`` using the network as it is.
        stop_early : bool, default=True
            Apply the stopping rule; ``False`` runs exactly ``max_epochs`` epochs.

        Returns
        -------
        str
            Why training ended: ``"converged"``, ``"max_epochs"``, ``"callback"`` or
            ``"interrupted"``.

        Raises
        ------
        DivergenceError
            When the loss becomes NaN or infinite.
        """
        check_scalar(max_epochs, "max_epochs", low=1, integer=True)
        if validation is not None and self._best_params is None:
            self._best_params = self.network.params.copy()
        progress = _progress(max_epochs) if self.verbose else None
        reason = "max_epochs"
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for _ in range(max_epochs):
                    reason = self._run_epoch(X, Y, sample_weight, validation, score, progress,
                                             stop_early)
                    if reason != "continue":
                        break
                else:
                    reason = "max_epochs"
        except KeyboardInterrupt:
            reason = "interrupted"
            if not np.all(np.isfinite(self.network.params)):
                self.network.params[...] = self._last_finite
            warnings.warn(
                f"training interrupted by the user after {self.epochs_done} epochs; "
                "keeping the best weights so far", TrainingInterrupted, stacklevel=2)
        finally:
            if progress is not None:
                progress.close()
        if validation is not None:
            self.network.params[...] = self._best_params
        return reason

    def _run_epoch(self, X, Y, sample_weight, validation, score, progress, stop_early) -> str:
        started = time.perf_counter()
        if np.all(np.isfinite(self.network.params)):
            np.copyto(self._last_finite, self.network.params)
        rate = self.learning_rate.start_epoch(self.epochs_done, self.samples_seen)
        loss = self._epoch(X, Y, sample_weight)
        self.epochs_done += 1
        self.samples_seen += X.shape[0]
        validation_score = None
        if validation is not None:
            validation_score = float(score(*validation))
        record = EpochRecord(self.epochs_done, loss, validation_score, rate,
                             time.perf_counter() - started)
        self.history.append(record)
        self._track_improvement(record)
        if self.verbose:
            message = f"Iteration {record.epoch}, loss = {loss:.8f}"
            if validation_score is not None:
                message += f", validation score = {validation_score:.6f}"
            progress.write(message, file=sys.stdout)
            progress.set_postfix(loss=f"{loss:.4g}", refresh=False)
            progress.update()
        if any(callback(record, self) for callback in self.callbacks):
            return "callback"
        if stop_early and self.no_improvement_count > self.n_iter_no_change:
            if self.adaptive and self.learning_rate.value > 1e-6:
                self.learning_rate.factor /= 5
                self.no_improvement_count = 0
            else:
                return "converged"
        return "continue"

    def _track_improvement(self, record: EpochRecord) -> None:
        """scikit-learn's rule: count epochs that fail to improve the best by more than tol."""
        if record.validation_score is not None:
            score = record.validation_score
            stalled = not score >= self.best_validation_score + self.tol
            if score > self.best_validation_score:
                self.best_validation_score = score
                np.copyto(self._best_params, self.network.params)
        else:
            stalled = not record.loss <= self.best_loss - self.tol
            self.best_loss = min(self.best_loss, record.loss)
        self.no_improvement_count = self.no_improvement_count + 1 if stalled else 0


def _progress(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="epoch", desc="training", leave=False, file=sys.stderr)
