"""Work arrays allocated once and reused, so that a training step allocates no batch-sized array."""

from __future__ import annotations

import numpy as np

__all__ = ["Workspace"]


class Workspace:
    """Named 2-D work arrays that grow to the largest batch seen and are then reused.

    ``get(name, n_rows, n_cols, dtype)`` returns the first ``n_rows`` rows of the array called
    ``name``, allocating it only when it does not exist yet, is too short, or has another width
    or dtype. A smaller (last) batch therefore gets a view, not a new array.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, n_rows: int, n_cols: int, dtype: np.dtype) -> np.ndarray:
        """The work array ``name`` with at least ``n_rows`` rows, viewed as ``(n_rows, n_cols)``."""
        array = self._arrays.get(name)
        if array is None or array.shape[0] < n_rows or array.shape[1] != n_cols \
                or array.dtype != dtype:
            array = self._arrays[name] = np.empty((n_rows, n_cols), dtype=dtype)
        return array[:n_rows]

    def __getstate__(self) -> dict:
        return {"_arrays": {}}  # scratch: never pickled
