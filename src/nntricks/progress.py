"""The package's one progress bar: epochs of training, on standard error."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm.std import tqdm

__all__ = ["epoch_progress"]


def epoch_progress(total: int, *, desc: str = "training", leave: bool = True) -> tqdm:
    """A tqdm bar counting epochs, written to standard error.

    Parameters
    ----------
    total : int
        The most epochs the training may run (the bar may close before it is full, when
        training stops early).
    desc : str, default="training"
        Text before the bar.
    leave : bool, default=True
        Keep the finished bar on the screen (False: erase it when closed).

    Returns
    -------
    tqdm.std.tqdm
        From :mod:`tqdm.auto` (a widget in a notebook, text elsewhere), with ``unit="epoch"``.
        The caller advances it with ``update()``, may show the loss with ``set_postfix`` and
        must ``close()`` it.
    """
    from tqdm.auto import tqdm  # deferred: keeps import fast

    return tqdm(total=total, unit="epoch", desc=desc, leave=leave, file=sys.stderr)
