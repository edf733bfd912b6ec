"""``nntricks sweep``: grid or random hyperparameter search, locally or on a Dask cluster."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..sweep import PARAMETER_KINDS, SPEC_KEYS, SweepSpec, load_spec, plan, run_sweep
from ._checks import check_output_file, n_jobs, positive_float, positive_int

EPILOG = """\
spec file (JSON, TOML, or YAML when PyYAML is installed), e.g. sweep.toml:

  estimator = "MLPClassifier"      # or MLPRegressor, or package.module.Class
  data = "digits"                  # nntricks.datasets name or .csv/.npz file; only its training
                                   # part is searched, the test part stays untouched
  search = "random"                # or "grid"
  n_trials = 12                    # random search only
  seed = 0                         # trial seeds derive from it and the trial's parameters
  cv = 3                           # k folds; or: holdout = 0.2

  [params]
  alpha = { log_uniform = [1e-6, 1e-1] }
  learning_rate_init = { log_uniform = [1e-4, 1e-1] }     # grid: { log_grid = [1e-4, 1e-1, 4] }
  hidden_layer_sizes = { choice = [[32], [64]] }          # a bare list means the same
  max_iter = 30                                           # fixed; a fixed list: { value = [..] }

--param NAME=VALUE adds or overrides a parameter; VALUE is JSON (a scalar is fixed, a list is a
choice), a bare word (fixed string) or KIND:ARGS, e.g.
  --param alpha=log_uniform:1e-6,1e-1  --param learning_rate_init=log_grid:1e-4,1e-1,4
  --param hidden_layer_sizes=choice:[32],[64]  --param activation=choice:relu,tanh

Each finished trial is appended at once to the results file (JSON lines). Re-running the same
command skips finished trials and retries failed ones (--no-retry-failed keeps them). With
--scheduler the trials run on the workers of a running Dask cluster (pip install
'nntricks[dask]'). Exit status: 0 all trials succeeded, 1 some failed, 2 bad input or no
scheduler, 130 interrupted (re-run to resume).
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sweep",
        help="grid or random hyperparameter search, locally or on a Dask cluster",
        description=(
            "Search estimator parameters (λ as alpha or l1, learning rates, layer sizes, ...) by "
            "grid or random search with k-fold or holdout validation, from a spec file and/or "
            "flags (flags win). Prints each trial as it finishes, then a table sorted by score "
            "and the best parameters, and saves a plot of score against each swept parameter."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", nargs="?", type=Path,
                        help="sweep spec file (.json, .toml, .yaml/.yml)")
    spec = parser.add_argument_group("search (override the spec file)")
    spec.add_argument("--estimator", help=SPEC_KEYS["estimator"])
    spec.add_argument("--data", help=SPEC_KEYS["data"])
    spec.add_argument("--search", choices=("random", "grid"), help="search strategy")
    spec.add_argument("--n-trials", type=int, metavar="N", help=SPEC_KEYS["n_trials"])
    spec.add_argument("--seed", type=int, help=SPEC_KEYS["seed"])
    validation = spec.add_mutually_exclusive_group()
    validation.add_argument("--cv", type=int, metavar="K", help=SPEC_KEYS["cv"])
    validation.add_argument("--holdout", type=float, metavar="FRACTION",
                            help=SPEC_KEYS["holdout"])
    spec.add_argument("--scoring", help=SPEC_KEYS["scoring"])
    spec.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                      help="a parameter's fixed value or range (repeatable; see below)")
    output = parser.add_argument_group("output")
    output.add_argument("--results", type=Path, metavar="PATH",
                        help="JSON-lines results file (default: SPEC.results.jsonl beside the "
                             "spec, or sweep-results.jsonl)")
    output.add_argument("--plot", type=Path, metavar="PATH",
                        help="PNG of score against each parameter (default: the results path "
                             "with .png)")
    output.add_argument("--no-plot", action="store_true", help="draw no plot")
    output.add_argument("--top", type=positive_int, default=20, metavar="N",
                        help="rows of the summary table (default: 20)")
    run = parser.add_argument_group("execution")
    run.add_argument("--n-jobs", type=n_jobs, default=-1, metavar="N",
                     help="trials at once, never more than the trials to run (default: -1, "
                          "all local or cluster cores)")
    run.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="run on the Dask cluster of this scheduler")
    run.add_argument("--connect-timeout", type=positive_float, default=10.0, metavar="SECONDS",
                     help="give up on an unreachable scheduler after this long (default: 10)")
    run.add_argument("--no-retry-failed", action="store_true",
                     help="do not re-run trials recorded as failed")
    parser.set_defaults(run=run_command)


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` of ``--param`` as a parameter name and its spec value."""
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise ValueError(f"--param takes NAME=VALUE, got {text!r}")
    kind, colon, args = value.partition(":")
    if colon and kind in PARAMETER_KINDS:
        if kind == "value":
            return name.strip(), {"value": _json_or_text(args)}
        try:
            items = json.loads(f"[{args}]")
        except ValueError:
            items = [_json_or_text(item) for item in args.split(",")]
        return name.strip(), {kind: items}
    return name.strip(), _json_or_text(value)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text.strip()


def build_spec(args: argparse.Namespace) -> SweepSpec:
    """The spec file's sweep with the command-line flags applied over it."""
    spec = load_spec(args.spec).to_dict() if args.spec is not None else {}
    for key in ("estimator", "data", "search", "n_trials", "seed", "scoring"):
        if getattr(args, key) is not None:
            spec[key] = getattr(args, key)
    if args.cv is not None:
        spec |= {"cv": args.cv, "holdout": None}
    if args.holdout is not None:
        spec |= {"holdout": args.holdout, "cv": None}
    spec["params"] = dict(spec.get("params", {})) | dict(map(parse_param, args.param))
    return SweepSpec.from_dict(spec)


def _line(record: dict[str, Any], swept: list[str]) -> str:
    params = " ".join(f"{n}={json.dumps(record['params'][n], separators=(',', ':'))}"
                      for n in swept)
    if record["status"] != "ok":
        return f"FAILED  {params}: {record['error']}"
    return (f"ok  score {record['score']:.4f} ± {record['score_std']:.4f}  {params}  "
            f"{record['fit_time']:.2f} s  (trial {record['trial_id']})")


def run_command(args: argparse.Namespace) -> int:
    results = args.results
    if args.plot is not None and not args.no_plot:
        check_output_file(args.plot, "--plot")
    try:
        spec = build_spec(args)
        results = results or (args.spec.with_suffix(".results.jsonl") if args.spec
                                   else Path("sweep-results.jsonl"))
        retry = not args.no_retry_failed
        trials, pending = plan(spec, results, retry_failed=retry)
        swept = [name for name, dim in spec.space.items() if dim.swept]
        done = len(trials) - len(pending)
        where = f"Dask scheduler {args.scheduler}" if args.scheduler else "local processes"
        print(f"sweep: {len(trials)} trials ({spec.search} search, {spec.validation}), "
              f"{done} already in {results}, {len(pending)} to run on {where}", flush=True)
        counter = iter(range(done + 1, len(trials) + 1))

        def report(record: dict[str, Any]) -> None:
            print(f"[{next(counter):>{len(str(len(trials)))}}/{len(trials)}] "
                  f"{_line(record, swept)}", flush=True)

        result = run_sweep(spec, results, n_jobs=args.n_jobs, scheduler=args.scheduler,
                           connect_timeout=args.connect_timeout, retry_failed=retry,
                           on_result=report)
    except KeyboardInterrupt:
        print(f"nntricks sweep: interrupted; finished trials are saved in {results}; run the "
              f"same command again to resume", file=sys.stderr)
        return 130
    except (ValueError, ImportError, ConnectionError) as error:
        print(f"nntricks sweep: error: {error}", file=sys.stderr)
        return 2
    print()
    print(result.table(top=args.top))
    if result.best is not None:
        print(f"\nbest {result.score_name} {result.best_score:.4f} with "
              f"{json.dumps(result.best_params)}")
    print(f"results: {result.results_path}")
    if not args.no_plot and result.ok:
        print(f"plot: {result.plot(args.plot or Path(results).with_suffix('.png'))}")
    return 1 if result.failed else 0
