"""Checks the commands make before any work: output paths that can be written, and argument
types that refuse out-of-range values at parsing."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path


def check_output_folder(path: Path, option: str = "--output") -> None:
    """Create the output folder ``path`` now, or raise ``ValueError`` saying why it cannot be.

    Refused: a path that is an existing file, and a folder this process cannot write in.
    """
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {str(path)!r} is a file, not a folder; give a folder for the "
                         "output files")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"{option} {str(path)!r}: cannot create the folder "
                         f"({error.strerror or error})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {str(path)!r}: the folder is not writable")


def check_output_file(path: Path, option: str = "--output") -> None:
    """Raise ``ValueError`` unless ``path`` can be written as a file (its folder is created).

    Refused: an existing folder, a path whose folder cannot be created or written in.
    """
    if path.is_dir():
        raise ValueError(f"{option} {str(path)!r} is a folder; give a file name")
    check_output_folder(path.parent if str(path.parent) else Path("."), option)
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{option} {str(path)!r}: the file is not writable")


def _integer_in(text: str, low: int, high: int | None = None, note: str = "") -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        expected = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
        raise argparse.ArgumentTypeError(f"must be {expected}{note}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An ``argparse`` type: an integer >= 1."""
    return _integer_in(text, 1)


def random_seed(text: str) -> int:
    """An ``argparse`` type: a seed, an integer in [0, 2**32 - 1] (NumPy's and scikit-learn's
    ``random_state`` range)."""
    return _integer_in(text, 0, 2**32 - 1)


def port(text: str) -> int:
    """An ``argparse`` type: a TCP port in [0, 65535], 0 meaning a free one the system picks."""
    return _integer_in(text, 0, 65535, " (0: a free one)")


def n_jobs(text: str) -> int:
    """An ``argparse`` type: a number of workers, an integer >= 1 or -1 for every core."""
    if text.strip() == "-1":
        return -1
    return _integer_in(text, 1, note=" (or -1: every core)")


def _number(text: str, accept, expected: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and accept(value)):
        raise argparse.ArgumentTypeError(f"must be {expected}, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """An ``argparse`` type: a finite number >= 0."""
    return _number(text, lambda value: value >= 0, "a number >= 0")


def positive_float(text: str) -> float:
    """An ``argparse`` type: a finite number > 0."""
    return _number(text, lambda value: value > 0, "a number > 0")


def fraction(text: str) -> float:
    """An ``argparse`` type: a fraction in (0, 1)."""
    return _number(text, lambda value: 0 < value < 1, "a fraction in (0, 1)")


def drop_rate(text: str) -> float:
    """An ``argparse`` type: a dropout rate in [0, 1)."""
    return _number(text, lambda value: 0 <= value < 1, "a rate in [0, 1)")
