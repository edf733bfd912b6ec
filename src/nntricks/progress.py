"""The epoch progress bar (tqdm, on standard error)."""

from __future__ import annotations

import sys


def epoch_progress(total: int, *, desc: str = "training", leave: bool = True):
    """A tqdm bar counting ``total`` epochs, written to standard error."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="epoch", desc=desc, leave=leave, file=sys.stderr)
