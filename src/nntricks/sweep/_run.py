"""Running a sweep: trials, their seeds and ids, the results file, joblib locally or on Dask."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import signal
import socket
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, cpu_count, delayed, parallel_config
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold

from .._validation import check_scalar
from ..splits import holdout_split
from ..training import raise_if_interrupted
from ._report import SweepResult
from ._space import grid_points, random_points
from ._spec import (
    SweepSpec,
    check_params,
    data_key,
    estimator_key,
    load_data,
    load_spec,
    resolve_estimator,
)

DASK_MISSING = ("running a sweep on a Dask cluster needs dask.distributed, which is not "
                "installed; install it with: pip install 'nntricks[dask]' "
                "(or: pip install 'dask[distributed]')")


@dataclass(frozen=True)
class Trial:
    """One point of the search: its parameters, its seed and its stable id.

    Attributes
    ----------
    trial_id : str
        16 hex digits of a SHA-256 over the estimator, data, validation scheme, scoring,
        parameters and seed: the same trial in any run (local, cluster, re-run) has the same id.
    params : dict
        The estimator parameters of this trial (fixed ones included).
    seed : int
        ``random_state`` of the estimator and of the validation splitter, in ``[0, 2**32)``.
    """

    trial_id: str
    params: dict[str, Any]
    seed: int


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return repr(value)


def trial_seed(sweep_seed: int, params: Mapping[str, Any]) -> int:
    """The seed of a trial: a hash of the sweep seed and the trial's parameters.

    It does not depend on the order in which trials run or on where they run, so local and
    cluster runs of the same sweep train identical models.

    Returns
    -------
    int
        In ``[0, 2**32)``, as scikit-learn's ``random_state`` requires.
    """
    digest = hashlib.sha256(_canonical({"seed": sweep_seed, "params": params}).encode())
    return int.from_bytes(digest.digest()[:4], "little")


def make_trials(spec: SweepSpec) -> list[Trial]:
    """The trials of ``spec`` in search order; repeated random draws appear once."""
    space = spec.space
    if spec.search == "grid":
        points: Iterable[dict[str, Any]] = grid_points(space)
    else:
        points = random_points(space, spec.n_trials, spec.seed)
    context = {"estimator": estimator_key(spec.estimator), "data": data_key(spec.data),
               "validation": spec.validation, "scoring": spec.scoring}
    trials: dict[str, Trial] = {}
    for params in points:
        seed = trial_seed(spec.seed, params)
        key = _canonical(context | {"params": params, "seed": seed})
        trial_id = hashlib.sha256(key.encode()).hexdigest()[:16]
        trials.setdefault(trial_id, Trial(trial_id, params, seed))
    return list(trials.values())


def _splits(model: BaseEstimator, y: np.ndarray, cv: int | None, holdout: float | None,
            seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Training and validation indices of each fold: one :func:`holdout_split` (stratified for
    a classifier, under its rule) or ``cv`` (stratified) k-folds."""
    indices = np.arange(len(y))
    classifier = is_classifier(model)
    if holdout is not None:
        train, val = holdout_split(indices, test_size=holdout, random_state=seed,
                                   stratify=y if classifier else None)
        return [(train, val)]
    splitter = (StratifiedKFold if classifier else KFold)(cv or 3, shuffle=True,
                                                          random_state=seed)
    return list(splitter.split(indices, y))


def run_trial(trial: Trial, estimator: BaseEstimator, X: np.ndarray, y: np.ndarray, *,
              cv: int | None = None, holdout: float | None = None,
              scoring: str | None = None) -> dict[str, Any]:
    """Fit and score one trial; never raises for a failing fit, records the failure instead.

    A fit cut short by Ctrl-C (its :class:`~nntricks.training.TrainingInterrupted` warning)
    raises ``KeyboardInterrupt``: an interrupted trial is never recorded as finished.

    This is the function that runs on joblib workers (local processes or Dask workers).
    Warnings raised while fitting are caught and recorded, whatever the process's warning
    filters, so a trial behaves the same in every process.

    Parameters
    ----------
    trial : Trial
    estimator : estimator
        Cloned, then given ``trial.params`` and ``random_state=trial.seed``.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    cv, holdout, scoring
        As in :class:`SweepSpec`.

    Returns
    -------
    dict
        The trial's record (see :func:`run_sweep`).
    """
    _leave_interrupts_to_the_sweep()
    record: dict[str, Any] = {
        "trial_id": trial.trial_id, "status": "ok", "params": trial.params, "seed": trial.seed,
        "score": None, "score_std": None, "scores": [], "fit_time": 0.0, "error": None,
        "warnings": [], "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = clone(estimator).set_params(**trial.params)
            if "random_state" in model.get_params():
                model.set_params(random_state=trial.seed)
            scorer = get_scorer(scoring) if scoring is not None else None
            for train, val in _splits(model, y, cv, holdout, trial.seed):
                fold = clone(model)
                start = time.perf_counter()
                fold.fit(X[train], y[train])
                raise_if_interrupted(caught)
                record["fit_time"] += time.perf_counter() - start
                score = scorer(fold, X[val], y[val]) if scorer else fold.score(X[val], y[val])
                record["scores"].append(float(score))
            if not all(math.isfinite(score) for score in record["scores"]):
                raise FloatingPointError(f"score is not finite: {record['scores']}")
            record["score"] = float(np.mean(record["scores"]))
            record["score_std"] = float(np.std(record["scores"]))
        except Exception as error:
            record |= {"status": "failed", "score": None, "score_std": None,
                       "scores": [s if math.isfinite(s) else None for s in record["scores"]],
                       "error": "".join(traceback.format_exception_only(error)).strip()}
    messages = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    record["warnings"] = list(messages)[:5]
    record["fit_time"] = round(record["fit_time"], 4)
    record["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return record


def _leave_interrupts_to_the_sweep() -> None:
    """In a worker process, ignore Ctrl-C: the process that runs the sweep receives it too,
    stops the sweep (recording nothing cut short) and ends its workers, so a worker has nothing
    to add but a traceback."""
    if multiprocessing.parent_process() is not None \
            and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def read_results(path: str | Path) -> dict[str, dict[str, Any]]:
    """The latest record of each trial id in a JSON-lines results file.

    A missing file reads as empty; a line that is not a JSON record (a line torn by a crash
    mid-write) is skipped; a folder is refused with a ``ValueError``.
    """
    if Path(path).is_dir():
        raise ValueError(f"the results file {str(path)!r} is a folder; give a file name such "
                         "as sweep.results.jsonl")
    latest: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(FileNotFoundError), open(path, encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("trial_id"), str):
                latest[record["trial_id"]] = record
    return latest


def plan(spec: SweepSpec, results: str | Path, *,
         retry_failed: bool = True) -> tuple[list[Trial], list[Trial]]:
    """All trials of ``spec`` and those of them still to run given the ``results`` file.

    A trial is finished when ``results`` holds a record of its id with status "ok" (or any
    status, with ``retry_failed=False``).

    Raises
    ------
    ValueError
        When a parameter is not one of the estimator's, or, for an nntricks estimator, when
        a trial's value is out of range (its ``check_params()``, which fits nothing).
    """
    estimator = resolve_estimator(spec.estimator)
    check_params(estimator, spec.params)
    trials = make_trials(spec)
    _check_trial_values(estimator, trials)
    finished = {trial_id for trial_id, record in read_results(results).items()
                if record.get("status") == "ok" or not retry_failed}
    return trials, [trial for trial in trials if trial.trial_id not in finished]


def _check_trial_values(estimator: BaseEstimator, trials: Iterable[Trial]) -> None:
    """Raise the ``ValueError`` of the first trial whose parameters the estimator refuses,
    when it declares a ``check_params()`` (nntricks' estimators do); other estimators check
    their parameters in ``fit``, trial by trial."""
    if not callable(getattr(estimator, "check_params", None)):
        return
    for trial in trials:
        clone(estimator).set_params(**trial.params, random_state=trial.seed).check_params()


def _n_workers(n_jobs: int, n_pending: int, on_dask: bool) -> int:
    """The ``n_jobs`` to give joblib: never more local workers than trials to run."""
    if not (n_jobs == -1 or isinstance(n_jobs, int | np.integer) and n_jobs >= 1):
        raise ValueError(f"n_jobs must be -1 (every core) or an integer >= 1, got {n_jobs!r}")
    if n_jobs == -1:
        return -1 if on_dask else min(cpu_count(), n_pending)
    return min(n_jobs, n_pending)


class _Appender:
    """Append records to a JSON-lines file, one flushed and fsync'ed line at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(path, "a+b")  # closed by __exit__
        if self.file.seek(0, os.SEEK_END) > 0:
            self.file.seek(-1, os.SEEK_END)
            if self.file.read(1) != b"\n":  # a line torn by a crash: end it, keep records whole
                self.file.write(b"\n")

    def write(self, record: Mapping[str, Any]) -> None:
        self.file.write(json.dumps(record, default=_jsonable).encode() + b"\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def __enter__(self) -> _Appender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def import_distributed() -> Any:
    """``dask.distributed``, or an ImportError that says what to install."""
    try:
        import distributed
    except ImportError as error:
        raise ImportError(DASK_MISSING) from error
    return distributed


def connect(scheduler: str, timeout: float = 10.0) -> Any:
    """A ``dask.distributed.Client`` of the scheduler at ``scheduler`` (``tcp://HOST:PORT``).

    Raises
    ------
    ImportError
        When dask.distributed is not installed (the message says what to install).
    ValueError
        When ``timeout`` is not a number > 0, or ``scheduler`` is not an address with a host
        and a port.
    ConnectionError
        When the scheduler does not answer within ``timeout`` seconds.
    """
    distributed = import_distributed()
    check_scalar(timeout, "connect_timeout", low=0, low_inclusive=False)
    try:
        distributed.comm.get_address_host_port(scheduler)
    except ValueError as error:
        raise ValueError(f"{scheduler!r} is not a Dask scheduler address ({error}); give "
                         "tcp://HOST:PORT (default port 8786)") from None

    class Client(distributed.Client):
        # Dask's Client closes itself when its start fails with an OSError only; after any
        # other failure (a TLS address with no TLS configuration) its __del__ closes it at
        # exit, after waiting twice the timeout, and prints a traceback.
        def start(self, **kwargs: Any) -> None:
            try:
                super().start(**kwargs)
            except BaseException:
                self.close()
                raise

    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise ConnectionError(
            f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s ({error}); "
            f"check that `dask scheduler` runs there and that the address is "
            f"tcp://HOST:PORT (default port 8786)") from None


def run_sweep(spec: SweepSpec | Mapping[str, Any] | str | Path,
              results: str | Path = "sweep-results.jsonl", *, n_jobs: int = -1,
              scheduler: str | None = None, client: Any = None,
              connect_timeout: float = 10.0, retry_failed: bool = True,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> SweepResult:
    """Run a hyperparameter sweep, appending each finished trial to ``results`` at once.

    Everything is validated before the first trial runs: the spec, its ranges, the parameter
    names (against ``estimator.get_params()``), for an nntricks estimator every trial's values
    (its ``check_params()``), ``n_jobs``, the Dask installation and the scheduler connection.
    Trials already finished in ``results`` (same trial id) are skipped, so re-running an
    interrupted sweep runs only the missing ones. Failed trials are run again unless
    ``retry_failed=False`` (a failure may be transient, such as a lost worker; a deterministic
    failure fails again quickly).

    Trials run through joblib: ``n_jobs`` local processes by default, or the workers of a
    Dask cluster (``joblib.parallel_config(backend="dask")``) when ``scheduler`` or ``client`` is
    given. A worker lost mid-trial is handled by Dask, which runs the trial elsewhere.

    Parameters
    ----------
    spec : SweepSpec, mapping, or path
        The sweep; a mapping goes through :meth:`SweepSpec.from_dict`, a path through
        :func:`load_spec`.
    results : str or Path, default="sweep-results.jsonl"
        JSON-lines file, appended to by this process as results arrive (flushed and fsync'ed per
        line). Each line: ``trial_id``, ``status`` ("ok" or "failed"), ``params``, ``seed``,
        ``score`` (mean over folds), ``score_std``, ``scores`` (per fold), ``fit_time``
        (seconds, all folds), ``error`` (exception text of a failed trial), ``warnings``,
        ``worker`` (host:pid) and ``finished`` (UTC time).
    n_jobs : int, default=-1
        Trials run at once: ``-1`` all local cores (or all cluster cores with Dask), or an
        integer >= 1; never more local worker processes than trials to run.
    scheduler : str, optional
        Address ``tcp://HOST:PORT`` of a running Dask scheduler.
    client : dask.distributed.Client, optional
        An existing client to run on (its cluster stays open afterwards).
    connect_timeout : float, default=10.0
        Seconds to wait for ``scheduler`` before failing.
    retry_failed : bool, default=True
        Run trials recorded as failed again.
    on_result : callable, optional
        Called with each new record, in the calling process, right after it is written.

    Returns
    -------
    SweepResult
        The records of all trials of this sweep (new and earlier), the best one, a table and a
        plot.
    """
    if isinstance(spec, (str, Path)):
        spec = load_spec(spec)
    elif not isinstance(spec, SweepSpec):
        spec = SweepSpec.from_dict(spec)
    estimator = resolve_estimator(spec.estimator)
    path = Path(results)
    trials, pending = plan(spec, path, retry_failed=retry_failed)
    n_workers = _n_workers(n_jobs, len(pending), client is not None or scheduler is not None)
    latest = read_results(path)

    own_client = None
    if client is None and scheduler is not None and pending:
        client = own_client = connect(scheduler, connect_timeout)
    n_run = 0
    try:
        if pending:
            X, y = load_data(spec.data)
            # On Dask, X and y go to every worker once, up front (broadcast): a worker lost
            # mid-sweep then never takes the only copy of the data with it.
            backend = (parallel_config(backend="dask", client=client, scatter=[X, y])
                       if client is not None else contextlib.nullcontext())
            with backend, _Appender(path) as out:
                jobs = Parallel(n_jobs=n_workers, batch_size=1,
                                return_as="generator_unordered")(
                    delayed(run_trial)(trial, estimator, X, y, cv=spec.cv,
                                       holdout=spec.holdout, scoring=spec.scoring)
                    for trial in pending)
                with contextlib.closing(jobs):
                    for record in jobs:
                        out.write(record)
                        latest[record["trial_id"]] = record
                        n_run += 1
                        if on_result is not None:
                            on_result(record)
    finally:
        if own_client is not None:
            own_client.close()
    records = [latest[trial.trial_id] for trial in trials if trial.trial_id in latest]
    return SweepResult(spec=spec, records=records, n_run=n_run,
                       n_skipped=len(trials) - len(pending), results_path=path,
                       score_name=_score_name(spec, estimator))


def _score_name(spec: SweepSpec, estimator: BaseEstimator) -> str:
    if spec.scoring is not None:
        return spec.scoring
    if is_classifier(estimator):
        return "accuracy"
    return "R²" if is_regressor(estimator) else "score"
