"""``nntricks bench``: the speed benchmark of the source repository (its ``benchmarks/``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

BENCHMARKS_MISSING = (
    "the benchmarks ship with the nntricks source repository (its benchmarks/ folder), not with "
    "the installed package (the wheel). Get the source repository, then run `nntricks bench` "
    "(or `python -m benchmarks`) from its root folder, or install it with `pip install -e .` "
    "there so that `nntricks bench` finds them from any folder."
)
"""The error message of ``nntricks bench`` where no ``benchmarks/`` folder is found."""


def benchmark_roots() -> list[Path]:
    """The folders searched for ``benchmarks/``, in order.

    Returns
    -------
    list of Path
        The current folder, then the root of the source tree this package runs from: for an
        editable install (``pip install -e .``), ``src/nntricks/cli/bench.py`` lies three
        folders below the repository root. In an installed wheel that folder holds no
        benchmarks.
    """
    return [Path.cwd(), Path(__file__).resolve().parents[3]]


def find_benchmarks(roots: Iterable[Path] | None = None) -> Path | None:
    """The first of ``roots`` (default: :func:`benchmark_roots`) holding the ``benchmarks``
    package, or None when none does."""
    for root in benchmark_roots() if roots is None else roots:
        if (root / "benchmarks" / "__init__.py").is_file():
            return root
    return None


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench",
        help="time training against scikit-learn and PyTorch (needs the source repository)",
        description=(
            "Run `python -m benchmarks` of the nntricks source repository: one-epoch "
            "and per-step training times of nntricks, scikit-learn and (when installed, e.g. "
            "`pip install torch==2.13.0`) PyTorch in interleaved rounds, with their ratios, "
            "the 1-BLAS-thread matrix-multiply efficiency and the peak memory. The benchmarks "
            "ship with the source repository, not with the wheel: they are looked for in the "
            "current folder, then in the source tree of an editable install "
            "(`pip install -e .`). Options after `--` go to the benchmark "
            "(`nntricks bench -- --help` lists them)."
        ),
    )
    parser.add_argument("options", nargs=argparse.REMAINDER,
                        help="options of the benchmark, e.g. -- --rounds 3 --output bench.json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_benchmarks()
    if root is None:
        print(f"nntricks bench: error: {BENCHMARKS_MISSING}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(root))
    import benchmarks

    options = args.options[1:] if args.options[:1] == ["--"] else args.options
    benchmarks.main(options)
    return 0
