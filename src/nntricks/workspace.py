"""Work arrays allocated once and reused, so that a training step allocates no batch-sized array."""

from __future__ import annotations

from typing import Any

from .backend import namespace

__all__ = ["Workspace"]


class Workspace:
    """Named 2-D work arrays that grow to the largest batch seen and are then reused.

    ``get(name, n_rows, n_cols, like)`` returns the first ``n_rows`` rows of the array called
    ``name``, of the dtype and on the device of the array ``like``, allocating it only when it
    does not exist yet, is too short, or has another width, dtype or device. A smaller (last)
    batch therefore gets a view, not a new array.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, Any] = {}

    def get(self, name: str, n_rows: int, n_cols: int, like: Any) -> Any:
        """The work array ``name`` with at least ``n_rows`` rows, viewed as ``(n_rows, n_cols)``."""
        array = self._arrays.get(name)
        if array is None or array.shape[0] < n_rows or array.shape[1] != n_cols \
                or array.dtype != like.dtype or type(array) is not type(like):
            array = self._arrays[name] = namespace(like).empty((n_rows, n_cols), dtype=like.dtype)
        return array[:n_rows]

    def __getstate__(self) -> dict:
        return {"_arrays": {}}  # scratch: never pickled
