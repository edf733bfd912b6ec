"""``nntricks lab``: reproduce the notes' claims as figures, tables and an HTML report."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

from ..lab import EXPERIMENTS, REPORT, run_all
from ._checks import check_output_folder, random_seed

ALL = "all"

EPILOG = "experiments (notes section):\n" + "\n".join(
    f"  {name:<16}{doc}" for name, doc in (
        ("gradcheck", "§2.1 centered vs forward differences against h, float64 vs float32"),
        ("activations", "§2.4 the six units and their derivatives; a network trained with each"),
        ("init", "§2.6 Xavier vs small normal init of a deep tanh network"),
        ("regularization", "§2.2 L2 strength swept over decades; L1 vs L2 weight histograms"),
        ("dropout", "§2.3 an over-fitting network with and without dropout"),
        ("preprocessing", "§2.5 none/centering/standardization/whitening on badly scaled data"),
        ("learning-rate", "§2.7 too large (figure 15), too small, four schedules"),
        ("optimizers", "§2.8-2.9 SGD ... Adam on a network and on the Rosenbrock valley"),
        ("ablation", "§2.2-2.9 the Fashion-MNIST recipe with one trick removed at a time"),
        (ALL, "every experiment, then report.html"),
    )
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lab",
        help="reproduce the notes' claims as figures, tables and an HTML report",
        description=textwrap.fill(
            "Run experiments that show, on bundled or generated data, what each section of the "
            "notes claims. Each experiment writes NAME.png (its figure) and NAME.json (its "
            "tables and caption) into the output folder and prints its tables and a caption "
            "written from the run's own numbers, saying whether the notes' claim holds here. "
            f"'{ALL}' runs every experiment and writes {REPORT}, one self-contained HTML file "
            "with the figures embedded. The same --seed gives the same numbers.", 79
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="+", metavar="NAME", choices=[*EXPERIMENTS, ALL],
                        help=f"experiment(s) to run: {', '.join(EXPERIMENTS)}, or {ALL}")
    parser.add_argument("--output", "-o", type=Path, default=Path("nntricks-lab"),
                        metavar="DIR", help="folder for the PNG, JSON and HTML files "
                        "(default: nntricks-lab/)")
    parser.add_argument("--seed", type=random_seed, default=0,
                        help="seed of every random choice (default: 0)")
    parser.add_argument("--quick", action="store_true",
                        help="small, fast versions of the experiments (under a minute for all); "
                        "they reach the full verdicts or say they are too small to decide")
    parser.add_argument("--report", action=argparse.BooleanOptionalAction, default=None,
                        help=f"write {REPORT} for the experiments run (default: only with "
                        f"'{ALL}')")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    names = list(EXPERIMENTS) if ALL in args.names else list(dict.fromkeys(args.names))
    report = args.report if args.report is not None else ALL in args.names
    started = time.perf_counter()

    check_output_folder(args.output)
    finished: list[str] = []

    def echo(result) -> None:
        finished.append(result.name)
        print(result)
        print(f"\n[{result.name}: {result.seconds:.1f} s; wrote "
              f"{args.output / (result.name + '.png')} and "
              f"{args.output / (result.name + '.json')}]\n", flush=True)

    try:
        results, path = run_all(args.output, seed=args.seed, quick=args.quick, names=names,
                                echo=echo, report=report)
    except KeyboardInterrupt:
        done = ", ".join(finished) or "none"
        print(f"nntricks lab: interrupted; finished and written: {done}; no caption or report "
              "was written for the experiment cut short", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    summary = f"{len(results)} experiment(s) in {elapsed:.1f} s"
    print(f"{summary}; report: {path}" if path is not None else summary)
    return 0
