"""``nntricks bench``: the speed benchmark of a source checkout (``benchmarks/``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench",
        help="time training against scikit-learn and PyTorch (from a source checkout)",
        description=(
            "Run `python -m benchmarks` of the repository in the current folder: one-epoch "
            "and per-step training times of nntricks, scikit-learn and (when installed, e.g. "
            "`pip install torch==2.13.0`) PyTorch in interleaved rounds, with their ratios, "
            "the 1-BLAS-thread matrix-multiply efficiency and the peak memory. Options after "
            "`--` go to the benchmark (`nntricks bench -- --help` lists them)."
        ),
    )
    parser.add_argument("options", nargs=argparse.REMAINDER,
                        help="options of the benchmark, e.g. -- --rounds 3 --output bench.json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    checkout = Path.cwd()
    if (checkout / "benchmarks" / "__init__.py").is_file():
        sys.path.insert(0, str(checkout))
    try:
        import benchmarks
    except ImportError:
        print("nntricks bench: error: run it from the root of an nntricks source checkout, "
              "where the benchmarks/ folder is", file=sys.stderr)
        return 2
    options = args.options[1:] if args.options[:1] == ["--"] else args.options
    benchmarks.main(options)
    return 0
