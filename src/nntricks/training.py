"""Training: the minibatch loop and L-BFGS, side by side, with stopping, history and guards.

:class:`Trainer` drives a :class:`~nntricks.network.Network` with an optimizer from
:mod:`nntricks.optim`; :func:`fit_lbfgs` runs SciPy's L-BFGS on the same network. Neither knows
anything of scikit-learn. One epoch of the trainer reads straight down the data path::

    seeded shuffle -> gather a batch (np.take into buffers allocated once)
    -> network.loss_and_grad -> optimizer.step (in place) -> next batch

and ends with the bookkeeping: the epoch's mean loss, a validation score when a validation set
is given, the stopping rule, the callbacks.

Who owns what: the learning rate lives in the optimizer's state (``optimizer_state.learning_rate``);
the trainer's epoch schedule and the ``adaptive`` plateau rule write it there, the steps use it,
and the history records it from there. The trainer owns the epoch count, the history and the
stopping rule.

Guards
------
* A loss that turns NaN or infinite stops training with :class:`DivergenceError`, naming the
  epoch and suggesting a smaller learning rate; the parameters are reset to their last finite
  values (those at the start of the epoch) and the optimizer's moments to zero (its learning
  rate stays), so that training can go on from there.
* ``KeyboardInterrupt`` during :meth:`Trainer.run` ends the run with a
  :class:`TrainingInterrupted` warning saying which weights were kept: with a validation set the
  best-scoring ones, otherwise those at the end of the last completed epoch.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from ._validation import check_choice, check_scalar
from .backend import backend_of, is_sparse, to_numpy
from .network import Network
from .optim import Optimizer
from .progress import epoch_progress
from .workspace import Workspace

__all__ = [
    "DivergenceError",
    "EpochRecord",
    "LbfgsResult",
    "Trainer",
    "TrainingInterrupted",
    "fit_lbfgs",
    "penalty_scale",
    "raise_if_interrupted",
]


class DivergenceError(ValueError):
    """Training stopped because the loss became NaN or infinite."""


class TrainingInterrupted(UserWarning):
    """Training was interrupted (``KeyboardInterrupt``); the message names the weights kept."""


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
        The learning rate in the optimizer's state at the end of the epoch: the rate of its last
        step (of every step, unless the optimizer itself schedules the rate per step).
    seconds : float
        Wall time of the epoch.
    validation_loss : float or None
        The loss on the validation set after the epoch (inference mode), when validating: the
        data term plus the penalty scaled as in ``loss`` (by :func:`penalty_scale` of a batch of
        ``batch_size`` samples when the penalties are per sample), so the two curves compare.
    """

    epoch: int
    loss: float
    validation_score: float | None
    learning_rate: float
    seconds: float
    validation_loss: float | None = None


Callback = Callable[[EpochRecord, "Trainer"], "bool | None"]
SCHEDULE_UNITS = ("epoch", "sample")


def raise_if_interrupted(caught: Iterable[warnings.WarningMessage]) -> None:
    """Raise ``KeyboardInterrupt`` when ``caught`` (from ``warnings.catch_warnings(record=True)``
    around a ``fit``) holds a :class:`TrainingInterrupted`: for callers that record finished work
    (a sweep's trials, the lab's runs) and must never record a fit that Ctrl-C cut short."""
    for warning in caught:
        if issubclass(warning.category, TrainingInterrupted):
            raise KeyboardInterrupt(str(warning.message))


def penalty_scale(n_samples: int, sample_weight: np.ndarray | None):
    """The factor on the penalties of a batch: one over its total sample weight.

    scikit-learn divides ``alpha`` by the batch size; with sample weights, by their sum (a
    scalar on the weights' device).
    """
    return 1.0 / (n_samples if sample_weight is None else sample_weight.sum())


def _nbytes(array) -> int:
    if is_sparse(array):
        return array.data.nbytes + array.indices.nbytes + array.indptr.nbytes
    return array.nbytes


class _Snapshot:
    """A copy of a network's parameters and buffers, on its device, taken and put back."""

    def __init__(self, network: Network) -> None:
        self.params = network.params.copy()
        self.buffers = network.buffers.copy()

    def take(self, network: Network) -> None:
        self.params[...] = network.params
        self.buffers[...] = network.buffers

    def restore(self, network: Network) -> None:
        network.params[...] = self.params
        network.buffers[...] = self.buffers


class Trainer:
    """Minibatch training of a network, with early stopping and a divergence guard.

    Parameters
    ----------
    network : Network
    optimizer : Optimizer
        Its state (allocated here) holds the learning rate.
    batch_size : int, default=200
    shuffle : bool, default=True
        Reshuffle the training samples every epoch (a permutation seeded by ``random_state`` and
        the epoch number, so a resumed run shuffles as an uninterrupted one).
    random_state : int, Generator or None
        Seeds the shuffles.
    tol : float, default=1e-4
        Improvement that counts: the loss must fall by more than ``tol``, or the validation
        score rise by more than ``tol``.
    n_iter_no_change : int or inf, default=10
        Stop (or, with ``adaptive``, divide the learning rate by 5) after more than this many
        epochs without improvement.
    schedule : callable, optional
        ``schedule(count) -> float``, e.g. from :mod:`nntricks.schedules`: at the start of each
        epoch the optimizer's learning rate is set to ``schedule(count)``, where ``count`` is the
        number of epochs completed (``schedule_unit="epoch"``) or of samples seen
        (``"sample"``, scikit-learn's ``invscaling``). Without it the rate stays as the optimizer
        has it.
    schedule_unit : {"epoch", "sample"}, default="epoch"
    adaptive : bool, default=False
        scikit-learn's ``learning_rate="adaptive"``: on a stall divide the optimizer's learning
        rate by 5, and stop only once it is below 1e-6. Not combined with a ``schedule``.
    penalty_per_sample : bool, default=True
        Multiply the penalties by :func:`penalty_scale` of each batch, as scikit-learn does with
        ``alpha``.
    callbacks : sequence of callable, default=()
        ``callback(record, trainer)`` after every epoch; a true return value stops training.
    verbose : bool, default=False
        Show a tqdm progress bar and print ``Iteration k, loss = ...`` per epoch.
    catch_interrupt : bool, default=True
        On ``KeyboardInterrupt``, put back the weights to keep, warn and return
        ``"interrupted"`` (scikit-learn's ``fit`` behaviour); ``False`` lets the interrupt
        propagate after putting back the weights, for callers that must stop at once (the
        command line's lab and sweeps).

    Attributes
    ----------
    optimizer_state : OptimizerState
    history : list of EpochRecord
    epochs_done, samples_seen : int
    best_loss, best_validation_score : float
    no_improvement_count : int
    """

    def __init__(
        self,
        network: Network,
        optimizer: Optimizer,
        *,
        batch_size: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.Generator | None = None,
        tol: float = 1e-4,
        n_iter_no_change: float = 10,
        schedule: Callable[[int], float] | None = None,
        schedule_unit: str = "epoch",
        adaptive: bool = False,
        penalty_per_sample: bool = True,
        callbacks: Sequence[Callback] = (),
        verbose: bool = False,
        catch_interrupt: bool = True,
    ) -> None:
        check_scalar(batch_size, "batch_size", low=1, integer=True)
        check_scalar(tol, "tol", low=0)
        if n_iter_no_change != math.inf:
            check_scalar(n_iter_no_change, "n_iter_no_change", low=1, integer=True)
        check_choice(schedule_unit, "schedule_unit", SCHEDULE_UNITS)
        if schedule is not None and adaptive:
            raise ValueError("adaptive changes the learning rate itself: give no schedule")
        self.network = network
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = (int(random_state) if isinstance(random_state, int | np.integer)
                     else int(np.random.default_rng(random_state).integers(2**63)))
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.schedule = schedule
        self.schedule_unit = schedule_unit
        self.adaptive = adaptive
        self.penalty_per_sample = penalty_per_sample
        self.callbacks = tuple(callbacks)
        self.verbose = verbose
        self.catch_interrupt = catch_interrupt
        self.optimizer_state = optimizer.init(network.params)
        self.history: list[EpochRecord] = []
        self.epochs_done = 0
        self.samples_seen = 0
        self.best_loss = math.inf
        self.best_validation_score = -math.inf
        self.no_improvement_count = 0
        self._last_finite = _Snapshot(network)  # taken at the start of each epoch
        self._in_epoch = False
        self._best: _Snapshot | None = None
        self._batch = Workspace()  # the gathered minibatch, reused from epoch to epoch

    @property
    def learning_rate(self) -> float:
        """The learning rate in the optimizer's state (the one its steps use)."""
        return self.optimizer_state.learning_rate

    # -- saving and restoring ----------------------------------------------------------------

    COUNTERS = ("epochs_done", "samples_seen", "no_improvement_count", "seed")
    BESTS = ("best_loss", "best_validation_score")

    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything needed to continue training exactly, as plain arrays (no pickle needed).

        The optimizer's state (moments and learning rate), the counters, the shuffling seed,
        the stopping rule's bests and the best parameters so far; not the history.
        """
        arrays = {f"optimizer.{name}": value for name, value
                  in self.optimizer.state_dict(self.optimizer_state).items()}
        for name in self.COUNTERS + self.BESTS:
            arrays[name] = np.array(getattr(self, name))
        if self._best is not None:
            arrays["best_params"] = np.array(to_numpy(self._best.params))
            arrays["best_buffers"] = np.array(to_numpy(self._best.buffers))
        return arrays

    def load_state_dict(self, arrays: dict[str, np.ndarray]) -> None:
        """Continue from :meth:`state_dict`'s arrays; ``ValueError`` if they do not fit."""
        missing = [name for name in self.COUNTERS + self.BESTS if name not in arrays]
        if missing:
            raise ValueError(f"the training state lacks {missing}")
        prefix = "optimizer."
        self.optimizer.load_state_dict(
            self.optimizer_state,
            {name[len(prefix):]: value for name, value in arrays.items()
             if name.startswith(prefix)})
        for name in self.COUNTERS:
            setattr(self, name, int(arrays[name]))
        for name in self.BESTS:
            setattr(self, name, float(arrays[name]))
        if "best_params" in arrays:
            best = self._best = _Snapshot(self.network)
            for name, target in (("best_params", best.params), ("best_buffers", best.buffers)):
                saved = np.asarray(arrays[name])
                if saved.shape != target.shape:
                    raise ValueError(f"{name} has shape {saved.shape}, expected {target.shape}")
                target[...] = self.network.backend.asarray(saved)

    def reset_optimizer(self) -> None:
        """Start the optimizer afresh (zero moments, step count 0), keeping everything else."""
        self.optimizer_state = self.optimizer.init(self.network.params)

    # -- one epoch -----------------------------------------------------------------------------

    def _order(self, n_samples: int) -> np.ndarray:
        """The epoch's sample order: a permutation seeded by the seed and the epoch number."""
        if self.shuffle and self.batch_size < n_samples:
            return np.random.default_rng([self.seed, self.epochs_done]).permutation(n_samples)
        return np.arange(n_samples)

    def _epoch(self, X, Y, sample_weight, order: np.ndarray) -> float:
        """One pass over the data in ``order``; the mean loss, read once at the end.

        The data lie on the network's device, or on the host when they do not fit there (each
        batch is then gathered on the host and copied over).
        """
        network, params = self.network, self.network.params
        device, source = network.backend, backend_of(Y)
        n_samples = X.shape[0]
        full_batch = self.batch_size >= n_samples
        batch_size = min(self.batch_size, n_samples)
        if not full_batch:
            order = source.asarray(order)
            X_batch = None if is_sparse(X) else self._batch.get("X", batch_size, X.shape[1],
                                                                 like=X)
            Y_batch = self._batch.get("Y", batch_size, Y.shape[1], like=Y)
        losses = []  # each batch's loss times its size, on the device
        for start in range(0, n_samples, batch_size):
            if full_batch:
                xb, yb, wb = X, Y, sample_weight
            else:
                index = order[start:start + batch_size]
                xb = source.take_rows(X, index, X_batch)
                yb = source.take_rows(Y, index, Y_batch)
                wb = None if sample_weight is None else sample_weight[index]
                if source is not device:  # data too big for the device: copy the batch over
                    xb, yb = device.asarray(xb), device.asarray(yb)
                    wb = None if wb is None else device.asarray(wb)
            scale = penalty_scale(len(yb), wb) if self.penalty_per_sample else 1.0
            loss, grads = network.loss_and_grad(xb, yb, wb, training=True,
                                                penalty_scale=scale, check_input=False)
            self.optimizer.step(params, grads, self.optimizer_state)
            losses.append(loss * len(yb))
        mean = float(device.xp.stack(losses).sum(dtype=np.float64)) / n_samples
        if not math.isfinite(mean):
            self._diverged(mean)
        return mean

    def _diverged(self, loss: float) -> None:
        """Put back the last finite parameters and start the optimizer's moments afresh (they
        hold the diverging steps, NaN or infinite), keeping its learning rate; then raise."""
        self._last_finite.restore(self.network)
        rate = self.learning_rate
        self.reset_optimizer()
        self.optimizer_state.learning_rate = rate
        epoch = self.epochs_done + 1
        raise DivergenceError(
            f"training diverged in epoch {epoch}: the loss became {loss}. The parameters are "
            f"those of the start of epoch {epoch}, the last finite ones, and the optimizer's "
            f"moments start afresh. Try a smaller learning rate (it was {rate:g}) or scale the "
            f"input data."
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
            Of the network's dtype, already checked (sparse batches are multiplied as they are).
            Copied once to the network's device when it fits in half of the device's free
            memory (with ``Y`` and ``sample_weight``); otherwise each batch is gathered where
            the data are and copied over.
        Y : ndarray of shape (n_samples, n_outputs)
            Targets as the loss expects them (one-hot rows for classification).
        sample_weight : ndarray of shape (n_samples,), optional
        max_epochs : int, default=200
        validation : (X_val, Y_val, sample_weight_val), optional
            Copied to the network's device once.
            ``Y_val`` encoded as ``Y``. Scored after every epoch with ``score``, and its loss
            recorded; the stopping rule then follows the score and the best-scoring parameters
            (and buffers) are restored at the end.
        score : callable, optional
            ``score(X_val, Y_val, sample_weight_val) -> float`` using the network as it is.
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
        X, Y, sample_weight = self._placed(X, Y, sample_weight)
        if validation is not None:
            validation = self._placed(*validation, always=True)
        if validation is not None and self._best is None:
            self._best = _Snapshot(self.network)
        progress = epoch_progress(max_epochs, leave=False) if self.verbose else None
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
            message = self._interrupted(validation is not None)
            if not self.catch_interrupt:
                raise
            warnings.warn(message, TrainingInterrupted, stacklevel=2)
        finally:
            if progress is not None:
                progress.close()
        if validation is not None:
            self._best.restore(self.network)
        return reason

    def _placed(self, *arrays, always: bool = False) -> tuple:
        """``arrays`` on the network's device, if ``always`` or if they fit in half its free
        memory; else as they are."""
        device = self.network.backend
        free = device.free_memory()
        size = sum(_nbytes(a) for a in arrays if a is not None)
        if not always and free is not None and size > free / 2:
            return arrays
        return tuple(None if a is None else device.asarray(a) for a in arrays)

    def _interrupted(self, validating: bool) -> str:
        """Put back the weights to keep after a Ctrl-C, and say which they are."""
        done = (f"training interrupted by the user after {self.epochs_done} completed "
                f"epoch{'' if self.epochs_done == 1 else 's'}; ")
        if not self.epochs_done:
            self._last_finite.restore(self.network)
            return done + "keeping the initial weights"
        if validating:
            return done + ("keeping the weights with the best validation score so far "
                           f"({self.best_validation_score:.6g})")
        if self._in_epoch:
            self._last_finite.restore(self.network)
        return done + f"keeping the weights at the end of epoch {self.epochs_done}, the last"

    def _run_epoch(self, X, Y, sample_weight, validation, score, progress, stop_early) -> str:
        started = time.perf_counter()
        self._last_finite.take(self.network)
        if self.schedule is not None:
            count = self.epochs_done if self.schedule_unit == "epoch" else self.samples_seen
            self.optimizer_state.learning_rate = float(self.schedule(count))
        order = self._order(X.shape[0])
        self._in_epoch = True
        loss = self._epoch(X, Y, sample_weight, order)
        self._in_epoch = False
        self.epochs_done += 1
        self.samples_seen += X.shape[0]
        validation_score = validation_loss = None
        if validation is not None:
            validation_score = float(score(*validation))
            validation_loss = self._validation_loss(*validation)
        record = EpochRecord(self.epochs_done, loss, validation_score, self.learning_rate,
                             time.perf_counter() - started, validation_loss)
        self.history.append(record)
        self._track_improvement(record)
        if progress is not None:
            message = f"Iteration {record.epoch}, loss = {loss:.8f}"
            if validation_score is not None:
                message += f", validation score = {validation_score:.6f}"
            progress.write(message, file=sys.stdout)
            progress.set_postfix(loss=f"{loss:.4g}", refresh=False)
            progress.update()
        if any(callback(record, self) for callback in self.callbacks):
            return "callback"
        if stop_early and self.no_improvement_count > self.n_iter_no_change:
            if self.adaptive and self.learning_rate > 1e-6:
                self.optimizer_state.learning_rate = self.learning_rate / 5
                self.no_improvement_count = 0
            else:
                return "converged"
        return "continue"

    def _validation_loss(self, X_val, Y_val, sample_weight_val) -> float:
        scale = penalty_scale(self.batch_size, None) if self.penalty_per_sample else 1.0
        return float(self.network.loss(X_val, Y_val, sample_weight_val, penalty_scale=scale,
                                       check_input=False))

    def _track_improvement(self, record: EpochRecord) -> None:
        """scikit-learn's rule: count epochs that fail to improve the best by more than tol."""
        if record.validation_score is not None:
            score = record.validation_score
            stalled = not score >= self.best_validation_score + self.tol
            if score > self.best_validation_score:
                self.best_validation_score = score
                self._best.take(self.network)
        else:
            stalled = not record.loss <= self.best_loss - self.tol
            self.best_loss = min(self.best_loss, record.loss)
        self.no_improvement_count = self.no_improvement_count + 1 if stalled else 0


@dataclass(frozen=True)
class LbfgsResult:
    """What :func:`fit_lbfgs` did.

    Attributes
    ----------
    n_iter : int
        L-BFGS iterations.
    n_evaluations : int
        Loss-and-gradient evaluations.
    loss : float
        Final regularized loss.
    converged : bool
    message : str
        SciPy's account of why it stopped.
    """

    n_iter: int
    n_evaluations: int
    loss: float
    converged: bool
    message: str


def fit_lbfgs(network: Network, X: np.ndarray, Y: np.ndarray,
              sample_weight: np.ndarray | None = None, *, max_iter: int = 200,
              max_fun: int = 15000, tol: float = 1e-4) -> LbfgsResult:
    """Minimize the network's regularized loss on the whole of ``(X, Y)`` with L-BFGS-B.

    The penalties are scaled by :func:`penalty_scale` of the whole set, as the minibatch loop
    scales them per batch. SciPy works in float64; the network keeps its own dtype.

    Parameters
    ----------
    network : Network
    X, Y, sample_weight
        Checked data of the network's dtype, as for :meth:`Trainer.run`.
    max_iter, max_fun : int
        Limits on iterations and on evaluations.
    tol : float
        SciPy's ``gtol``.

    Returns
    -------
    LbfgsResult

    Raises
    ------
    ValueError
        When the solver ends on non-finite parameters; the network keeps its initial ones.
    """
    X, Y = network.backend.asarray(X), network.backend.asarray(Y)
    if sample_weight is not None:
        sample_weight = network.backend.asarray(sample_weight)
    scale = penalty_scale(X.shape[0], sample_weight)
    evaluations = 0

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal evaluations
        evaluations += 1
        network.params[...] = network.backend.asarray(theta, dtype=network.dtype)
        loss, grads = network.loss_and_grad(X, Y, sample_weight, training=True,
                                            penalty_scale=scale, check_input=False)
        return float(loss), to_numpy(grads).astype(np.float64)

    start = _Snapshot(network)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        result = scipy.optimize.minimize(
            loss_and_grad, to_numpy(network.params).astype(np.float64), method="L-BFGS-B", jac=True,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol})
    if not np.all(np.isfinite(result.x)):
        start.restore(network)
        raise ValueError("Solver produced non-finite parameter weights. The input data may "
                         "contain large values and need to be preprocessed.")
    network.params[...] = network.backend.asarray(result.x, dtype=network.dtype)
    return LbfgsResult(int(result.nit), evaluations, float(result.fun), bool(result.success),
                       str(result.message))
