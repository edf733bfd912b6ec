"""Model files that are safe to share: NumPy arrays plus JSON, never a pickle.

A model file is an ``.npz`` archive: the member ``__meta__`` holds a JSON document (format
version, library version, the class, every hyperparameter, the fitted scalars, the training
history) and the other members hold plain numeric or text arrays (the flat parameter vector,
``classes_``, the optimizer state for resuming ``partial_fit``, a preprocessor's statistics).

* Loading uses ``np.load(..., allow_pickle=False)`` and builds only the classes of this package,
  named in the JSON: a file from a stranger can never run code.
* Writing goes to a temporary file in the same folder, flushed to disk, then renamed over the
  target, so an interrupted save leaves any older file intact.
* A truncated, corrupted or tampered file raises :class:`ModelFileError` naming the file and the
  problem; a file of a newer format version is refused with a message.

Saved: nntricks' ``MLPClassifier``, ``MLPRegressor``, ``MeanCenter``, ``Standardize``,
``Whiten``, and scikit-learn ``Pipeline`` objects made of them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.validation import check_is_fitted

from .estimators import MLPClassifier, MLPRegressor
from .preprocessing import MeanCenter, Standardize, Whiten
from .training import EpochRecord

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "save"]

FORMAT = "nntricks-model"
FORMAT_VERSION = 1
ESTIMATORS = {cls.__name__: cls for cls in (MLPClassifier, MLPRegressor)}
TRANSFORMERS = {cls.__name__: cls for cls in (MeanCenter, Standardize, Whiten)}
MLP_FITTED = ("n_features_in_", "n_outputs_", "n_layers_", "out_activation_", "n_iter_", "t_",
              "loss_", "loss_curve_", "best_loss_", "validation_scores_",
              "best_validation_score_", "_no_improvement_count")


class ModelFileError(ValueError):
    """A model file cannot be read: missing pieces, corruption, tampering or a newer format."""


# -- saving -------------------------------------------------------------------------------------

def save(model, path: str | os.PathLike) -> Path:
    """Write a fitted model to ``path`` atomically.

    Parameters
    ----------
    model : MLPClassifier, MLPRegressor, MeanCenter, Standardize, Whiten or Pipeline of them
    path : str or PathLike
        The file to write (conventionally ending in ``.npz``); replaced only once the new file
        is complete.

    Returns
    -------
    Path
    """
    from . import __version__

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
    if isinstance(model, Pipeline) and name == "Pipeline":
        meta = {"class": "Pipeline", "steps": []}
        arrays = {}
        for i, (step_name, step) in enumerate(model.steps):
            step_meta, step_arrays = _encode(step, f"{prefix}step{i}/")
            meta["steps"].append([step_name, step_meta])
            arrays.update(step_arrays)
        return meta, arrays
    if name in ESTIMATORS and type(model) is ESTIMATORS[name]:
        return _encode_mlp(model, prefix)
    if name in TRANSFORMERS and type(model) is TRANSFORMERS[name]:
        return _encode_transformer(model, prefix)
    raise ValueError(f"cannot save a {name}: nntricks saves its MLP estimators, its "
                     "preprocessors and Pipelines of them")


def _jsonable_params(model) -> dict:
    params = model.get_params(deep=False)
    if params.get("callbacks") is not None:
        warnings.warn("callbacks are not saved in a model file", UserWarning, stacklevel=4)
        params["callbacks"] = None
    random_state = params.get("random_state")
    if random_state is not None and not isinstance(random_state, int):
        params["random_state"] = None
    for key, value in params.items():
        if isinstance(value, tuple):
            params[key] = list(value)
        elif isinstance(value, np.generic):
            params[key] = value.item()
    return params


def _encode_mlp(model, prefix: str) -> tuple[dict, dict[str, np.ndarray]]:
    check_is_fitted(model)
    fitted = {name: _plain(getattr(model, name)) for name in MLP_FITTED if hasattr(model, name)}
    meta = {
        "class": type(model).__name__,
        "params": _jsonable_params(model),
        "fitted": fitted,
        "dtype": model._network.dtype.name,
        "history": [dataclasses.asdict(record) for record in getattr(model, "history_", [])],
    }
    arrays = {f"{prefix}params": model._network.params}
    if isinstance(model, MLPClassifier):
        meta["y_type"] = model._label_binarizer.y_type_
        arrays[f"{prefix}classes_"] = _text_or_numbers(np.asarray(model.classes_), "classes_")
    if hasattr(model, "feature_names_in_"):
        arrays[f"{prefix}feature_names_in_"] = model.feature_names_in_.astype(str)
    trainer = getattr(model, "_trainer", None)
    state = trainer.state_dict() if trainer is not None else getattr(model, "_trainer_arrays",
                                                                     None)
    for key, value in (state or {}).items():
        arrays[f"{prefix}trainer/{key}"] = value
    return meta, arrays


def _encode_transformer(model, prefix: str) -> tuple[dict, dict[str, np.ndarray]]:
    check_is_fitted(model)
    meta = {"class": type(model).__name__, "params": _jsonable_params(model), "fitted": {}}
    arrays = {}
    for key, value in vars(model).items():
        if not key.endswith("_") or key.startswith("_"):
            continue
        if isinstance(value, np.ndarray):
            arrays[f"{prefix}{key}"] = _text_or_numbers(value, key)
        else:
            meta["fitted"][key] = _plain(value)
    return meta, arrays


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _text_or_numbers(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype == object:
        return array.astype(str)
    if array.dtype.kind not in "biufU":
        raise ValueError(f"cannot save {name} of dtype {array.dtype}")
    return array


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
    from . import __version__

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
            f"{FORMAT_VERSION} and older: upgrade nntricks to load it")
    try:
        return _decode(meta, members, "")
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ModelFileError(f"{path} is damaged or was tampered with: "
                             f"{type(error).__name__}: {error}") from None


def _decode(meta: dict, arrays: dict[str, np.ndarray], prefix: str):
    name = meta["class"]
    if name == "Pipeline":
        steps = [(step_name, _decode(step_meta, arrays, f"{prefix}step{i}/"))
                 for i, (step_name, step_meta) in enumerate(meta["steps"])]
        return Pipeline(steps)
    if name in ESTIMATORS:
        return _decode_mlp(ESTIMATORS[name], meta, arrays, prefix)
    if name in TRANSFORMERS:
        return _decode_transformer(TRANSFORMERS[name], meta, arrays, prefix)
    raise ModelFileError(f"unknown model class {name!r}")


def _construct(cls, params: dict):
    known = set(cls().get_params())
    unknown = set(params) - known
    if unknown:
        raise ModelFileError(f"unknown {cls.__name__} parameters {sorted(unknown)}")
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    return cls(**params)


def _decode_mlp(cls, meta, arrays, prefix):
    model = _construct(cls, dict(meta["params"]))
    model._check_params()
    for key, value in meta["fitted"].items():
        if key not in MLP_FITTED:
            raise ModelFileError(f"unexpected fitted attribute {key!r}")
        setattr(model, key, value)
    if isinstance(model, MLPClassifier):
        classes = arrays[f"{prefix}classes_"]
        binarizer = LabelBinarizer()
        if meta["y_type"] == "multilabel-indicator":
            binarizer.fit(np.eye(len(classes), dtype=int))
        else:
            binarizer.fit(classes)
        if binarizer.y_type_ != meta["y_type"]:
            raise ModelFileError(f"classes_ do not fit the target type {meta['y_type']!r}")
        model._label_binarizer, model.classes_ = binarizer, classes
    if f"{prefix}feature_names_in_" in arrays:
        model.feature_names_in_ = arrays[f"{prefix}feature_names_in_"].astype(object)
    network = model._build_network(int(model.n_features_in_), int(model.n_outputs_),
                                   np.dtype(meta["dtype"]))
    params = arrays[f"{prefix}params"]
    if params.shape != network.params.shape:
        raise ModelFileError(f"the parameter vector has shape {params.shape}; the architecture "
                             f"needs {network.params.shape}")
    if not np.all(np.isfinite(params)):
        raise ModelFileError("the parameter vector holds NaN or infinite values")
    network.params[...] = params
    model._network = network
    model.coefs_, model.intercepts_ = network.coefs, network.intercepts
    model.history_ = [EpochRecord(**record) for record in meta["history"]]
    trainer = {key[len(prefix) + len("trainer/"):]: value for key, value in arrays.items()
               if key.startswith(f"{prefix}trainer/")}
    if trainer:
        model._trainer_arrays = trainer
    return model


def _decode_transformer(cls, meta, arrays, prefix):
    model = _construct(cls, dict(meta["params"]))
    for key, value in meta["fitted"].items():
        if not key.endswith("_") or key.startswith("_"):
            raise ModelFileError(f"unexpected fitted attribute {key!r}")
        setattr(model, key, value)
    for key, value in arrays.items():
        attribute = key[len(prefix):]
        if not key.startswith(prefix) or "/" in attribute:
            continue
        if not attribute.endswith("_") or attribute.startswith("_"):
            raise ModelFileError(f"unexpected array {key!r}")
        setattr(model, attribute,
                value.astype(object) if attribute == "feature_names_in_" else value)
    return model
