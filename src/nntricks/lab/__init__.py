"""The lab: every claim of the notes reproduced as a picture, a table and a computed caption.

========================  =========  ===================================================
experiment                notes      what it shows
========================  =========  ===================================================
``gradcheck``             §2.1       centered vs forward difference error against h,
                                     float64 vs float32: O(h²), O(h), round-off floor
``activations``           §2.4       the six units and derivatives (figures 9–14); the
                                     same network trained with each (tanh vs sigmoid)
``init``                  §2.6       Xavier vs small normal weights in a deep tanh
                                     network: per-layer variances, training curves
``regularization``        §2.2       λ swept over decades (over- vs under-fitting);
                                     L1 vs L2 weight histograms (sparsity)
``dropout``               §2.3       an over-fitting network with and without dropout
``preprocessing``         §2.5       none / centering / standardization / whitening on
                                     badly scaled features; 2-D whitening scatter
``learning-rate``         §2.7       too large (figure 15), too small, four schedules
``optimizers``            §2.8–2.9   SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam and
                                     the notes' uncorrected Adam; Rosenbrock paths
``ablation``              §2.2–2.9   the main job's Fashion-MNIST recipe, then the same
                                     with one trick removed at a time, over 3 seeds
========================  =========  ===================================================

Each experiment is a function ``run(seed=0, quick=False) -> LabResult`` on bundled or generated
data (scikit-learn's digits, synthetic points), with no network access; ``ablation`` reads
Fashion-MNIST's installed files (``apt-get install dataset-fashion-mnist``) and, when they are
absent, returns a caption saying so instead of failing. :func:`run_experiment`
runs one and writes ``NAME.png`` and ``NAME.json``; :func:`run_all` runs several and writes the
self-contained ``report.html``. The same seed gives the same tables. ``quick=True`` shrinks every
experiment (fewer epochs, smaller networks) for tests; the captions then describe the quick run.

Every caption ends with a verdict on the notes' claim, decided from the run's own tables by the
experiment's ``judge`` function (its docstring states the rule): the claim holds, holds only in
part, does not hold, or the run is too small to decide (e.g. a network that has not yet fitted
its training set cannot show over-fitting). A quick run reaches the full run's verdict or says
that it is too small to decide; a table's cells are read by column key,
``table.row("tanh")["final_loss"]``.

The experiments train many small networks, for which a multi-threaded BLAS only adds
synchronisation cost (and, on a busy machine, much more): they run with BLAS limited to one
thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from threadpoolctl import threadpool_limits

from . import (
    ablation,
    activations,
    dropout,
    gradcheck,
    initialization,
    learning_rate,
    optimizers,
    preprocessing,
    regularization,
)
from ._report import Judgement, LabResult, Table, Verdict, write_report

__all__ = [
    "EXPERIMENTS",
    "REPORT",
    "Judgement",
    "LabResult",
    "Table",
    "Verdict",
    "run_all",
    "run_experiment",
    "write_report",
]

EXPERIMENTS: dict[str, Callable[..., LabResult]] = {
    module.NAME: module.run
    for module in (gradcheck, activations, initialization, regularization, dropout,
                   preprocessing, learning_rate, optimizers, ablation)
}
"""Every experiment's ``run(seed, quick)`` by command name, in the notes' teaching order."""

REPORT = "report.html"


def run_experiment(name: str, *, seed: int = 0, quick: bool = False,
                   output: str | Path | None = None) -> LabResult:
    """Run one experiment; with ``output``, write ``NAME.png`` and ``NAME.json`` there.

    Parameters
    ----------
    name : str
        A key of :data:`EXPERIMENTS`.
    seed : int, default=0
        Seeds everything random in the experiment; in ``[0, 2**32 - 1]``, the range of
        scikit-learn's ``random_state``.
    quick : bool, default=False
        The small version (seconds instead of tens of seconds).
    output : str or Path, optional
        Folder for the files (created if needed).
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**32 - 1:
        raise ValueError(f"seed must be an integer in [0, {2**32 - 1}], got {seed!r}")
    started = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        result = EXPERIMENTS[name](seed=seed, quick=quick)
    result.seconds = time.perf_counter() - started
    if output is not None:
        result.save(output)
    return result


def run_all(output: str | Path, *, seed: int = 0, quick: bool = False,
            names: Iterable[str] | None = None,
            echo: Callable[[LabResult], None] | None = None,
            report: bool = True) -> tuple[list[LabResult], Path | None]:
    """Run the experiments (all by default), write their files and ``report.html`` in ``output``.

    ``echo(result)`` is called after each experiment (the CLI prints it); ``report=False``
    skips the HTML report.

    Returns
    -------
    results : list of LabResult
    report : Path or None
        The HTML report, when written.
    """
    results = []
    for name in (list(EXPERIMENTS) if names is None else list(names)):
        result = run_experiment(name, seed=seed, quick=quick, output=output)
        results.append(result)
        if echo is not None:
            echo(result)
    return results, write_report(results, Path(output) / REPORT) if report else None
