"""The ``nntricks`` command line: one sub-command per module of this package.

Every failure ends in one line on standard error and an exit code, never a traceback:

====  ==================================================================================
code  meaning
====  ==================================================================================
0     done
1     a failure during the work (training diverged, a trial failed, an unexpected error)
2     bad usage or bad data, found before the work starts whenever it can be
130   interrupted by Ctrl-C: what was finished is kept and said, nothing cut short is
      published or recorded as finished (but the playground, which Ctrl-C is the way to stop,
      ends with 0)
====  ==================================================================================

A broken pipe on standard output (``nntricks predict --output - | head``) ends quietly. Set
``NNTRICKS_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..backend import DeviceUnavailableError
from ..training import DivergenceError
from ..version import __version__
from . import bench, gradcheck, lab, playground, predict, sweep, train

COMMANDS = (train, predict, gradcheck, lab, sweep, bench, playground)
EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The ``nntricks`` parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="nntricks",
        description="Neural-network tips and tricks as verified, fast NumPy components.",
        epilog="exit status: 0 done, 1 failure during the work, 2 bad usage or data, "
               "130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"nntricks {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nntricks`` with ``argv`` (default: the process arguments); return the exit code."""
    args = build_parser().parse_args(argv)
    name = f"nntricks {args.command}"
    try:
        code = args.run(args)
        sys.stdout.flush()  # a broken pipe shows here, not at exit
        return code
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of standard output has gone (| head): stop writing, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except (DivergenceError, DeviceUnavailableError) as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except (ValueError, OSError, ImportError) as error:
        print(f"{name}: error: {_message(error)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        if os.environ.get("NNTRICKS_DEBUG"):
            raise
        print(f"{name}: unexpected error: {type(error).__name__}: {error} (NNTRICKS_DEBUG=1 "
              "shows the traceback; please report it)", file=sys.stderr)
        return EXIT_FAILURE


def _message(error: BaseException) -> str:
    """One line for an error: OSErrors name their file, the rest speak for themselves."""
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
