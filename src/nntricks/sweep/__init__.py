"""Hyperparameter sweeps: grid or random search, locally with joblib or on a Dask cluster.

The notes insist that λ (``alpha``, ``l1``) and the learning rate be tuned; this module searches
any estimator parameters, on all local cores by default or on an existing Dask cluster, and keeps
every finished trial in a JSON-lines file so an interrupted sweep resumes where it stopped.

>>> from nntricks.sweep import SweepSpec, run_sweep
>>> spec = SweepSpec(estimator="MLPClassifier", data="digits", search="random", n_trials=12,
...                  cv=3, params={"alpha": {"log_uniform": [1e-6, 1e-1]},
...                                "learning_rate_init": {"log_uniform": [1e-4, 1e-1]},
...                                "hidden_layer_sizes": {"choice": [[32], [64]]},
...                                "max_iter": 30})
>>> result = run_sweep(spec, "sweep.jsonl")                       # doctest: +SKIP
>>> result.best_params, result.best_score                         # doctest: +SKIP
>>> print(result.table()); result.plot("sweep.png")               # doctest: +SKIP

On a cluster: ``run_sweep(spec, "sweep.jsonl", scheduler="tcp://HOST:8786")``, or pass
``client=`` a ``dask.distributed.Client``; it needs the extra ``pip install 'nntricks[dask]'``.
"""

from ._report import SweepResult
from ._run import (
    Trial,
    connect,
    make_trials,
    plan,
    read_results,
    run_sweep,
    run_trial,
    trial_seed,
)
from ._space import (
    PARAMETER_KINDS,
    Choice,
    Fixed,
    LogGrid,
    LogUniform,
    Uniform,
    parse_dimension,
)
from ._spec import SPEC_KEYS, SweepSpec, load_spec

__all__ = [
    "PARAMETER_KINDS",
    "SPEC_KEYS",
    "Choice",
    "Fixed",
    "LogGrid",
    "LogUniform",
    "SweepResult",
    "SweepSpec",
    "Trial",
    "Uniform",
    "connect",
    "load_spec",
    "make_trials",
    "parse_dimension",
    "plan",
    "read_results",
    "run_sweep",
    "run_trial",
    "trial_seed",
]
