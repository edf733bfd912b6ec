"""The ``nntricks`` command line: one sub-command per module of this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import bench, gradcheck, lab, predict, sweep, train

COMMANDS = (train, predict, gradcheck, lab, sweep, bench)


def build_parser() -> argparse.ArgumentParser:
    """The ``nntricks`` parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="nntricks",
        description="Neural-network tips and tricks as verified, fast NumPy components.",
    )
    parser.add_argument("--version", action="version", version=f"nntricks {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nntricks`` with ``argv`` (default: the process arguments); return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"nntricks {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
