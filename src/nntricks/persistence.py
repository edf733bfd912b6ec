"""Model files that are safe to share: NumPy arrays plus JSON, never a pickle.

A model file is an ``.npz`` archive: the member ``__meta__`` holds a JSON document (format
version, library version, the class, every hyperparameter and the object's fitted state) and
the other members hold plain numeric or text arrays.

This module knows the file format and a registry, nothing of the models' insides. A class
becomes savable with :func:`register`; it then writes its fitted state with
``to_state() -> (meta, arrays)`` (``meta`` made of JSON types, ``arrays`` of plain numeric or
text NumPy arrays) and reads it back with ``from_state(meta, arrays)`` on an instance built
from the saved hyperparameters. scikit-learn ``Pipeline`` objects of registered classes are
saved step by step.

* Loading uses ``np.load(..., allow_pickle=False)`` and builds only registered classes, named
  in the JSON: a file from a stranger can never run code.
* Writing goes to a temporary file in the same folder, flushed to disk, then renamed over the
  target, so an interrupted save leaves any older file intact.
* A truncated, corrupted or tampered file raises :class:`ModelFileError` naming the file and the
  problem; a file of a newer format version is refused with a message.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline

from .version import __version__

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "register", "save"]

FORMAT = "nntricks-model"
FORMAT_VERSION = 2
REGISTRY: dict[str, type] = {}
"""The classes :func:`load` may build, by name."""


class ModelFileError(ValueError):
    """A model file cannot be read: missing pieces, corruption, tampering or a newer format."""


def register(cls: type) -> type:
    """Class decorator: let :func:`save` write and :func:`load` rebuild instances of ``cls``.

    ``cls`` must be a scikit-learn estimator (``get_params``) with ``to_state()`` and
    ``from_state(meta, arrays)``.
    """
    for method in ("get_params", "to_state", "from_state"):
        if not callable(getattr(cls, method, None)):
            raise TypeError(f"{cls.__name__} cannot be registered: it has no {method}()")
    REGISTRY[cls.__name__] = cls
    return cls


# -- saving -------------------------------------------------------------------------------------

def save(model, path: str | os.PathLike) -> Path:
    """Write a fitted model to ``path`` atomically.

    Parameters
    ----------
    model : a registered estimator (nntricks' MLPs and preprocessors) or a Pipeline of them
    path : str or PathLike
        The file to write (conventionally ending in ``.npz``); replaced only once the new file
        is complete.

    Returns
    -------
    Path
    """
    meta, arrays = _encode(model, "")
    meta.update(format=FORMAT, format_version=FORMAT_VERSION, nntricks_version=__version__)
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.savez(file, __meta__=np.array(json.dumps(meta)), **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _encode(model, prefix: str) -> tuple[dict, dict[str, np.ndarray]]:
    name = type(model).__name__
    if type(model) is Pipeline:
        meta = {"class": "Pipeline", "steps": []}
        arrays = {}
        for i, (step_name, step) in enumerate(model.steps):
            step_meta, step_arrays = _encode(step, f"{prefix}step{i}/")
            meta["steps"].append([step_name, step_meta])
            arrays.update(step_arrays)
        return meta, arrays
    if REGISTRY.get(name) is not type(model):
        raise ValueError(f"cannot save a {name}: nntricks saves its MLP estimators, its "
                         "preprocessors and Pipelines of them")
    state, state_arrays = model.to_state()
    for key, array in state_arrays.items():
        if array.dtype.kind not in "biufU":
            raise ValueError(f"cannot save {key} of dtype {array.dtype}")
    meta = {"class": name, "params": _jsonable_params(model), "state": state}
    return meta, {f"{prefix}{key}": array for key, array in state_arrays.items()}


def _jsonable_params(model) -> dict:
    params = model.get_params(deep=False)
    if params.get("callbacks") is not None:
        warnings.warn("callbacks are not saved in a model file", UserWarning, stacklevel=4)
        params["callbacks"] = None
    random_state = params.get("random_state")
    if random_state is not None and not isinstance(random_state, int):
        params["random_state"] = None
    return {key: jsonable(value) for key, value in params.items()}


def jsonable(value):
    """``value`` with NumPy scalars made Python numbers and tuples made lists (for JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


# -- loading ------------------------------------------------------------------------------------

def load(path: str | os.PathLike):
    """Read a model written by :func:`save` (or ``model.save``).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    The fitted estimator, preprocessor or Pipeline.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ModelFileError
        When the file is truncated, corrupted, tampered with, holds a pickled object, or was
        written in a newer format version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as archive:
            members = {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ModelFileError(f"{path} holds a pickled object; refused, because loading it "
                                 "could run code") from None
        raise ModelFileError(f"{path} is not a readable nntricks model file: {error}") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise ModelFileError(f"{path} is truncated or corrupted ({type(error).__name__}: "
                             f"{error})") from None
    if "__meta__" not in members:
        raise ModelFileError(f"{path} is not an nntricks model file (no __meta__ member)")
    try:
        meta = json.loads(str(members.pop("__meta__")[()]))
    except (ValueError, IndexError) as error:
        raise ModelFileError(f"{path}: the description is not valid JSON ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not an nntricks model file")
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path}: invalid format version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written in model format {version} by nntricks "
            f"{meta.get('nntricks_version', '?')}; this nntricks {__version__} reads format "
            f"{FORMAT_VERSION}: upgrade nntricks to load it")
    try:
        if version == 1:
            meta, members = _from_format_1(meta), _from_format_1_arrays(members)
        return _decode(meta, members, "")
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ModelFileError(f"{path} is damaged or was tampered with: "
                             f"{type(error).__name__}: {error}") from None


def _from_format_1(meta: dict) -> dict:
    """A format-1 description in format 2: the fitted state moved under ``"state"``."""
    if meta["class"] == "Pipeline":
        return {**meta, "steps": [[name, _from_format_1(step)] for name, step in meta["steps"]]}
    state = {key: meta[key] for key in ("fitted", "dtype", "history", "y_type") if key in meta}
    return {"class": meta["class"], "params": meta["params"], "state": state}


def _from_format_1_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Format 1's arrays without its training state, whose layout format 2 changed: such a
    model predicts as before and continues training with a fresh optimizer."""
    return {key: value for key, value in arrays.items() if "trainer/" not in key}


def _decode(meta: dict, arrays: dict[str, np.ndarray], prefix: str):
    name = meta["class"]
    if name == "Pipeline":
        steps = [(step_name, _decode(step_meta, arrays, f"{prefix}step{i}/"))
                 for i, (step_name, step_meta) in enumerate(meta["steps"])]
        return Pipeline(steps)
    if name not in REGISTRY:
        raise ModelFileError(f"unknown model class {name!r}")
    cls = REGISTRY[name]
    params = dict(meta["params"])
    unknown = set(params) - set(cls().get_params())
    if unknown:
        raise ModelFileError(f"unknown {name} parameters {sorted(unknown)}")
    own = {key[len(prefix):]: value for key, value in arrays.items()
           if key.startswith(prefix) and "/" not in key[len(prefix):]}
    return cls(**params).from_state(meta["state"], own)
