"""One entry point for every data source: a data set's name or a file's path."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path

from ._builtin import load_digits, load_fashion_mnist, load_mnist1d
from ._dataset import DataFileNotFoundError, Dataset
from ._files import load_csv, load_npz

__all__ = ["DEFAULT", "available", "load"]

DEFAULT = "digits"
"""The data set :func:`load` reads when given no name, the one ``nntricks train`` uses."""

_NAMED: dict[str, Callable[..., Dataset]] = {
    "digits": load_digits,
    "mnist1d": load_mnist1d,
    "fashion-mnist": load_fashion_mnist,
}
_FILES: dict[str, Callable[..., Dataset]] = {".csv": load_csv, ".npz": load_npz}


def available() -> tuple[str, ...]:
    """Names :func:`load` accepts, the default first: ``("digits", "mnist1d", "fashion-mnist")``.

    Returns
    -------
    tuple of str
        Besides these names, :func:`load` reads any path ending in ``.csv`` or ``.npz``.
    """
    return tuple(_NAMED)


def _resolve(name_or_path: str | os.PathLike) -> tuple[Callable[..., Dataset], Path | None]:
    """The loader for ``name_or_path`` and the file to pass it (None for a named set)."""
    if isinstance(name_or_path, str):
        name = name_or_path.strip().lower().replace("_", "-")
        if name in _NAMED:
            return _NAMED[name], None
    elif not isinstance(name_or_path, os.PathLike):
        raise ValueError(
            f"expected a data set name or a file path, got {type(name_or_path).__name__}"
        )
    path = Path(name_or_path)
    suffix = path.suffix.lower()
    if suffix in _FILES:
        return _FILES[suffix], path
    known = ", ".join(repr(name) for name in _NAMED)
    kinds = " or ".join(_FILES)
    if path.exists():
        raise ValueError(f"{path}: unsupported file type {suffix!r}; nntricks reads {kinds} files")
    if isinstance(name_or_path, os.PathLike) or os.sep in str(path) or "/" in str(name_or_path):
        raise DataFileNotFoundError(f"no such data file: {path}")
    raise ValueError(
        f"unknown data set {str(name_or_path)!r}; known names are {known}, or give the path of "
        f"a {kinds} file"
    )


def load(name_or_path: str | os.PathLike = DEFAULT, **options) -> Dataset:
    """Load a data set by name, or a user's file by path.

    Parameters
    ----------
    name_or_path : str or path-like, default="digits"
        One of :func:`available` (case does not matter, ``_`` may stand for ``-``):

        * ``"digits"`` -- scikit-learn's bundled 8x8 digits, see :func:`load_digits`;
        * ``"mnist1d"`` -- MNIST-1D generated offline, see :func:`load_mnist1d`
          (needs ``pip install "nntricks[mnist1d]"``);
        * ``"fashion-mnist"`` -- Fashion-MNIST IDX files, see :func:`load_fashion_mnist`
          (``apt-get install dataset-fashion-mnist``);

        or the path of a ``.csv`` file (:func:`load_csv`) or ``.npz`` archive
        (:func:`load_npz`).
    **options
        Passed to that loader; each accepts only its own:

        * digits: ``test_size``, ``random_state``;
        * mnist1d: ``seed``, ``cache_dir``;
        * fashion-mnist: ``data_dir``;
        * ``.csv``: ``label``, ``test_size``, ``random_state``, ``delimiter``;
        * ``.npz``: ``test_size``, ``random_state``.

    Returns
    -------
    Dataset
        ``X_train``, ``y_train``, ``X_test``, ``y_test`` (``X`` float32 of shape
        ``(n_samples, n_features)``), ``name``, ``description``, ``feature_names``,
        ``target_names``.

    Raises
    ------
    ValueError
        An unknown name (the message lists the known ones), an unsupported file type, an option
        the loader does not take (the message lists those it does), or any problem with the
        data.
    DataFileNotFoundError
        A missing file or folder; a ``FileNotFoundError`` that is also a ``ValueError``.
    OptionalDependencyError
        ``mnist1d`` without its package; an ``ImportError`` that is also a ``ValueError``.

    Examples
    --------
    >>> from nntricks.datasets import load
    >>> data = load("digits", test_size=0.2, random_state=1)
    >>> data.X_train.shape, data.X_test.shape
    ((1437, 64), (360, 64))
    """
    loader, path = _resolve(name_or_path)
    accepted = list(inspect.signature(loader).parameters)[0 if path is None else 1:]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        what = "a .csv file" if loader is load_csv else (
            "a .npz file" if loader is load_npz else repr(str(name_or_path)))
        raise ValueError(
            f"option {', '.join(repr(o) for o in unknown)} does not apply to {what}; "
            f"its options are {', '.join(accepted) or 'none'}"
        )
    return loader(**options) if path is None else loader(path, **options)
