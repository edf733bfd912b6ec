"""Model files that are safe to share: NumPy arrays plus JSON, never a pickle.

A model file is an ``.npz`` archive: the member ``__meta__`` holds a JSON document (format
version, library version, the class, every hyperparameter and the object's fitted state) and
the other members hold plain numeric or text arrays.

This module knows the file format and two lists of the classes it may build, nothing of the
models' insides:

* nntricks' own classes, made savable with :func:`register`: such a class writes its fitted
  state with ``to_state() -> (meta, arrays)`` (``meta`` made of JSON types, ``arrays`` of plain
  numeric or text NumPy arrays) and reads it back, checking it, with ``from_state(meta,
  arrays)`` on an instance built from the saved hyperparameters;
* the trusted scikit-learn transformers of :data:`TRUSTED` (``StandardScaler``,
  ``MinMaxScaler``, ``OneHotEncoder``, ``SimpleImputer`` with its ``MissingIndicator``,
  ``ColumnTransformer`` and the identity ``FunctionTransformer`` its ``remainder="passthrough"``
  becomes), the usual preprocessing in front of a network. Their constructor parameters
  (``get_params(deep=False)``) and their fitted attributes (everything else in ``vars()``,
  scikit-learn's private ones included) are written generically as a small tagged JSON tree,
  whose arrays are archive members. No tag can express a function, a class outside the
  allow-lists or any other object that runs code, so an identity ``FunctionTransformer`` is
  the only kind that can be saved or loaded.

In that tree ``None``, booleans, integers, finite floats and strings are themselves; every other
value is a JSON object with one key, its tag:

==============  ===============================================================================
tag             value
==============  ===============================================================================
``float``       ``"nan"``, ``"inf"`` or ``"-inf"``
``list``        list of trees; ``tuple`` likewise
``dict``        object of trees (string keys only)
``array``       the key of an archive member: a boolean, integer, float or text array
``objects``     list of scalars (strings, numbers, ``None``, NaN): a 1-D object array
                (``OneHotEncoder.categories_`` of a text column, NaN a category)
``scalar``      ``[type, value]``: a NumPy scalar of an allowed type (``"float64"``, ...)
``type``        an allowed NumPy scalar type, e.g. ``OneHotEncoder(dtype=np.float64)``
``dtype``       a NumPy dtype string of numbers, text or ``object`` (``"<f8"``, ``"|O"``)
``slice``       ``[start, stop, step]``, integers or ``None`` (``output_indices_``)
``estimator``   ``[key, description]``: a trusted or registered estimator or a Pipeline, its
                arrays named ``key/...`` (``transformers_``, ``SimpleImputer.indicator_``)
==============  ===============================================================================

Anything else makes :func:`save` raise ``ValueError("cannot save ... of type ...")``.

scikit-learn ``Pipeline`` objects of these are saved step by step; ``ColumnTransformer`` may
hold Pipelines and registered classes.

Why not skops for the scikit-learn part: it would be a second file format inside the file, with
its own trust rules and its own array reader. Extending this format keeps one format, one list
of what may be built, and every array read by the same checked reader.

* Loading builds only classes of the two lists, never imports anything named in the file and
  never unpickles: a file from a stranger cannot run code.
* Every file is checked before anything is built: the zip directory (member count, names, no
  encryption, only stored or deflated members), every ``.npy`` header (numeric or text dtype,
  a shape whose byte size matches the member's size, :data:`MAX_TOTAL_BYTES` in all), the
  description (:data:`MAX_META_CHARS`, :data:`MAX_JSON_DEPTH`, known classes, parameters and
  tags, arrays that exist). Each class then checks its fitted state against its parameters,
  so a loaded model never fails later because of its file.
* A damaged, truncated or crafted file raises :class:`ModelFileError` (a ``ValueError``)
  naming the file and the problem; a file of a newer format version is refused with a message.
* :func:`save` writes exactly the path it is given (no ``.npz`` suffix is added, unlike
  ``np.savez``) and :func:`load` reads exactly that path. Before any work, :func:`save` checks
  the path: a folder, a folder that does not exist, and a file or folder that is not writable
  are refused with an ``OSError`` naming the path.
* Writing goes to a temporary file in the same folder, flushed to disk, given the permissions
  the user's umask gives new files, then renamed over the target, so an interrupted save leaves
  any older file intact and no temporary file behind.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import tempfile
import tokenize
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from .version import __version__

__all__ = ["FORMAT_VERSION", "MAX_JSON_DEPTH", "MAX_MEMBERS", "MAX_META_CHARS",
           "MAX_TOTAL_BYTES", "TRUSTED", "ModelFileError", "load", "register", "save"]

FORMAT = "nntricks-model"
FORMAT_VERSION = 3
"""3: trusted scikit-learn transformers; 2: the fitted state under ``"state"``; 1: 0.1.0."""

MAX_META_CHARS = 16 * 2**20
"""The longest description (``__meta__``) a file may hold, in characters."""
MAX_JSON_DEPTH = 100
"""The deepest nesting of JSON arrays and objects in a description."""
MAX_MEMBERS = 10_000
"""The most members (arrays) an archive may hold."""
MAX_NDIM = 32
"""The most dimensions an array may declare."""
MAX_TOTAL_BYTES = 4 * 2**30
"""The most bytes the arrays of one file may declare together (4 GiB)."""

REGISTRY: dict[str, type] = {}
"""nntricks' classes :func:`load` may build, by name."""


class ModelFileError(ValueError):
    """A model file cannot be read: not a model file, missing pieces, corruption, tampering,
    sizes over the limits, or a newer format."""


@dataclass(frozen=True)
class Trusted:
    """A scikit-learn class whose state is saved generically.

    Attributes
    ----------
    name : str
        Its name in model files: its public module and class name.
    cls : type
    required : tuple of str
        The fitted attributes its ``transform`` reads: a fitted instance in a file must have them.
    per_feature : tuple of str
        Fitted attributes that are ``None`` or arrays of one entry per input feature.
    optional : callable or None
        ``optional(params)``: the attributes of ``per_feature`` that may be ``None`` under those
        parameters.
    check : callable or None
        Further checks of the fitted attributes ``check(attributes)``; raises ``ModelFileError``.

    Loading also runs scikit-learn's own check of the parameters (``_validate_params``).
    """

    name: str
    cls: type
    required: tuple[str, ...]
    per_feature: tuple[str, ...] = ()
    optional: Callable[[dict], tuple[str, ...]] | None = None
    check: Callable[[dict], None] | None = None


def _check_one_hot(attributes: dict) -> None:
    categories = attributes["categories_"]
    if not isinstance(categories, list) or len(categories) != attributes["n_features_in_"] or \
            any(len(getattr(c, "shape", ())) != 1 for c in categories):
        raise ModelFileError("OneHotEncoder.categories_ is not one 1-D array per feature")
    if attributes["_infrequent_enabled"] is True:
        _require(attributes, ("_infrequent_indices", "_default_to_infrequent_mappings"),
                 "OneHotEncoder")


def _check_scaler(attributes: dict) -> None:
    seen = attributes["n_samples_seen_"]
    if not isinstance(seen, int | float | np.number | np.ndarray) or isinstance(seen, bool) or \
            np.asarray(seen).dtype.kind not in "iuf":
        raise ModelFileError(f"n_samples_seen_ is {seen!r}, not a number of samples")


def _check_column_transformer(attributes: dict) -> None:
    for entry in attributes["transformers_"]:
        if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str)):
            raise ModelFileError("ColumnTransformer.transformers_ holds an entry that is not a "
                                 "(name, transformer, columns) tuple")
    if not isinstance(attributes["output_indices_"], dict) or not all(
            isinstance(s, slice) for s in attributes["output_indices_"].values()):
        raise ModelFileError("ColumnTransformer.output_indices_ is not a dict of slices")


TRUSTED: dict[str, Trusted] = {t.name: t for t in (
    Trusted("sklearn.preprocessing.StandardScaler", StandardScaler,
            ("n_features_in_", "n_samples_seen_", "mean_", "var_", "scale_"),
            per_feature=("mean_", "var_", "scale_"),
            optional=lambda p: ("mean_",) * (not p["with_mean"]) + ("var_", "scale_") * (
                not p["with_std"]),
            check=_check_scaler),
    Trusted("sklearn.preprocessing.MinMaxScaler", MinMaxScaler,
            ("n_features_in_", "n_samples_seen_", "scale_", "min_", "data_min_", "data_max_",
             "data_range_"),
            per_feature=("scale_", "min_", "data_min_", "data_max_", "data_range_"),
            check=_check_scaler),
    Trusted("sklearn.preprocessing.OneHotEncoder", OneHotEncoder,
            ("n_features_in_", "categories_", "_infrequent_enabled", "drop_idx_",
             "_drop_idx_after_grouping", "_n_features_outs"),
            check=_check_one_hot),
    Trusted("sklearn.impute.SimpleImputer", SimpleImputer,
            ("n_features_in_", "statistics_", "_fit_dtype", "_fill_dtype", "indicator_"),
            per_feature=("statistics_",)),
    Trusted("sklearn.impute.MissingIndicator", MissingIndicator,
            ("n_features_in_", "features_", "_n_features", "_precomputed")),
    Trusted("sklearn.compose.ColumnTransformer", ColumnTransformer,
            ("n_features_in_", "transformers_", "_columns", "_remainder", "sparse_output_",
             "output_indices_", "_transformer_to_input_indices"),
            check=_check_column_transformer),
    Trusted("sklearn.preprocessing.FunctionTransformer", FunctionTransformer, ()),
)}
"""The scikit-learn classes :func:`load` may build, by their public module and name. An
identity ``FunctionTransformer`` is what ``ColumnTransformer(remainder="passthrough")`` keeps;
no other can be saved, since no tag expresses a function."""

_NUMPY_SCALARS = {np.dtype(t).name: t for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float16, np.float32, np.float64)}
"""NumPy scalar types a tree may hold (as values or as types, e.g. ``dtype=np.float64``)."""
_DTYPE = re.compile(r"[<>|=]?(?:[biuf][1248]|O|U\d{1,7})")
"""The dtypes a tree may hold (``SimpleImputer._fit_dtype``): numbers, text and ``object``."""
_ARRAY_KINDS = "biufU"
"""Array members: booleans, integers, floats and text."""
_MEMBER_NAME = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_\-][A-Za-z0-9_.\-]*)*")
_ATTRIBUTE = re.compile(r"_?[A-Za-z][A-Za-z0-9_]*")
_KEY = re.compile(r"\d{1,9}")


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


def _trusted_name(cls: type) -> str | None:
    return next((t.name for t in TRUSTED.values() if t.cls is cls), None)


# -- saving -------------------------------------------------------------------------------------

def save(model, path: str | os.PathLike) -> Path:
    """Write a fitted model to ``path`` atomically.

    Parameters
    ----------
    model : estimator
        A registered estimator (nntricks' MLPs and preprocessors), a trusted scikit-learn
        transformer (:data:`TRUSTED`) or a Pipeline of them.
    path : str or PathLike
        The file to write, exactly as named: no ``.npz`` suffix is added (unlike
        ``np.savez``), so :func:`load` reads the same ``path``. Its folder must exist. An
        existing file is replaced only once the new one is complete; a new file gets the
        permissions the umask gives new files.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    IsADirectoryError, FileNotFoundError, NotADirectoryError, PermissionError
        When ``path`` is a folder, its folder does not exist or is a file, or the file or its
        folder is not writable: checked before anything is written.
    OSError
        When writing fails (a full disk): naming ``path``; no temporary file is left behind.
    ValueError
        When the model holds something the format cannot express (``"cannot save ..."``).
    """
    path = Path(path)
    _check_target(path)
    meta, arrays = _encode(model, "", fitted=True)
    meta.update(format=FORMAT, format_version=FORMAT_VERSION, nntricks_version=__version__)
    text = json.dumps(meta)
    if len(text) > MAX_META_CHARS or _json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"cannot save this model: its description exceeds {MAX_META_CHARS} "
                         f"characters or nests deeper than {MAX_JSON_DEPTH}")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                                 suffix=".tmp")
    except OSError as error:
        raise _naming(error, path) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.savez(file, __meta__=np.array(text), **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _naming(error, path) from None
        raise
    return path


def _check_target(path: Path) -> None:
    """Raise an ``OSError`` naming ``path`` unless :func:`save` can write a file there."""
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {str(path)!r}: it is a folder; give a file "
                                f"name such as {str(path / 'model.npz')!r}")
    if not folder.exists():
        raise FileNotFoundError(f"cannot save to {str(path)!r}: the folder {str(folder)!r} "
                                "does not exist")
    if not folder.is_dir():
        raise NotADirectoryError(f"cannot save to {str(path)!r}: {str(folder)!r} is a file, "
                                 "not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot save to {str(path)!r}: the folder {str(folder)!r} is "
                              "not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"cannot save to {str(path)!r}: the file is not writable")


def _naming(error: OSError, path: Path) -> OSError:
    """``error`` naming ``path``, the file the user asked for, not the temporary one."""
    if error.errno is None or not error.strerror:
        return error
    return OSError(error.errno, error.strerror, str(path))


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"^Umask:\s*([0-7]+)", status, re.M).group(1), 8)
    except (OSError, AttributeError, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
        return mask


def _encode(model, prefix: str, fitted: bool) -> tuple[dict, dict[str, np.ndarray]]:
    """``model``'s description and arrays (named from ``prefix``); ``fitted``: it must be."""
    name = type(model).__name__
    if type(model) is Pipeline:
        meta, arrays = {"class": "Pipeline", "steps": []}, {}
        for i, (step_name, step) in enumerate(model.steps):
            step_meta, step_arrays = _encode(step, f"{prefix}step{i}/", fitted)
            meta["steps"].append([step_name, step_meta])
            arrays.update(step_arrays)
        return meta, arrays
    if REGISTRY.get(name) is type(model):
        return _encode_registered(model, prefix, fitted)
    trusted = _trusted_name(type(model))
    if trusted is None:
        raise ValueError(f"cannot save a {name}: nntricks saves its MLP estimators, its "
                         f"preprocessors, the scikit-learn transformers "
                         f"{sorted(TRUSTED)} and Pipelines of them")
    if fitted:
        check_is_fitted(model)
    params = model.get_params(deep=False)
    arrays: dict[str, np.ndarray] = {}
    sink = _Sink(prefix, arrays)
    meta = {"class": trusted, "sklearn_version": sklearn.__version__,
            "params": _encode_value(params, sink, name),
            "attributes": _encode_value({k: v for k, v in vars(model).items() if k not in params},
                                        sink, name)}
    return meta, arrays


def _encode_registered(model, prefix: str, fitted: bool) -> tuple[dict, dict[str, np.ndarray]]:
    meta = {"class": type(model).__name__, "params": _jsonable_params(model)}
    try:
        state, state_arrays = model.to_state()
    except NotFittedError:
        if fitted:
            raise
        return meta, {}
    for key, array in state_arrays.items():
        if array.dtype.kind not in _ARRAY_KINDS:
            raise ValueError(f"cannot save {key} of dtype {array.dtype}")
    meta["state"] = state
    return meta, {f"{prefix}{key}": array for key, array in state_arrays.items()}


def _jsonable_params(model) -> dict:
    params = model.get_params(deep=False)
    if params.get("callbacks") is not None:
        warnings.warn("callbacks are not saved in a model file", UserWarning, stacklevel=5)
        params["callbacks"] = None
    random_state = params.get("random_state")
    if random_state is not None and not isinstance(random_state, int):
        params["random_state"] = None
    return {key: {"mapping": [[jsonable(k), jsonable(v)] for k, v in value.items()]}
            if isinstance(value, dict) else jsonable(value) for key, value in params.items()}


def _mapping(value, what: str) -> dict:
    """A dict-valued parameter of a registered class, written by :func:`_jsonable_params` as
    ``{"mapping": [[key, value], ...]}`` so that keys keep their type (a class label 0 stays
    an int)."""
    pairs = value.get("mapping") if isinstance(value, dict) and len(value) == 1 else None
    if not (isinstance(pairs, list) and all(
            isinstance(pair, list) and len(pair) == 2
            and isinstance(pair[0], str | int | float | bool)
            and isinstance(pair[1], str | int | float | bool) for pair in pairs)):
        raise ModelFileError(f"{what} is not a mapping of scalars")
    return {key: item for key, item in pairs}


def jsonable(value):
    """``value`` with NumPy scalars made Python numbers and tuples made lists (for JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class _Sink:
    """Where :func:`_encode_value` puts arrays and nested estimators: members named
    ``prefix + key``, keys counted from 0."""

    def __init__(self, prefix: str, arrays: dict[str, np.ndarray]):
        self.prefix, self.arrays, self.count = prefix, arrays, 0

    def key(self) -> str:
        self.count += 1
        return str(self.count - 1)


def _encode_value(value, sink: _Sink, where: str, depth: int = 0):
    """``value`` as a tagged JSON tree (the tags are listed in the module docstring); its arrays
    and estimators go to ``sink``; ``where`` names it in errors.

    Raises
    ------
    ValueError
        ``"cannot save <where> of type ..."`` for anything else.
    """
    if depth > MAX_JSON_DEPTH // 2:
        raise ValueError(f"cannot save {where}: nested deeper than {MAX_JSON_DEPTH // 2}")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": str(value)}
    if isinstance(value, np.generic) and type(value) in _NUMPY_SCALARS.values():
        return {"scalar": [np.dtype(type(value)).name,
                           _encode_value(value.item(), sink, where, depth + 1)]}
    if isinstance(value, type) and value in _NUMPY_SCALARS.values():
        return {"type": np.dtype(value).name}
    if isinstance(value, np.dtype) and _DTYPE.fullmatch(value.str):
        return {"dtype": value.str}
    if isinstance(value, slice):
        parts = [value.start, value.stop, value.step]
        if all(p is None or type(p) is int for p in parts):
            return {"slice": parts}
    if isinstance(value, list | tuple) and type(value) in (list, tuple):
        return {type(value).__name__: [_encode_value(v, sink, f"{where}[{i}]", depth + 1)
                                       for i, v in enumerate(value)]}
    if type(value) is dict and all(isinstance(k, str) for k in value):
        return {"dict": {k: _encode_value(v, sink, f"{where}.{k}", depth + 1)
                         for k, v in value.items()}}
    if isinstance(value, np.ndarray) and type(value) is np.ndarray:
        return _encode_array(value, sink, where, depth)
    if hasattr(value, "get_params"):
        key = sink.key()
        meta, arrays = _encode(value, f"{sink.prefix}{key}/", fitted=False)
        sink.arrays.update(arrays)
        return {"estimator": [key, meta]}
    raise ValueError(f"cannot save {where} of type {type(value).__name__}: model files hold "
                     "numbers, text, arrays and the trusted estimators only")


def _encode_array(array: np.ndarray, sink: _Sink, where: str, depth: int):
    if array.dtype.kind in _ARRAY_KINDS and array.dtype.fields is None:
        key = sink.key()
        sink.arrays[f"{sink.prefix}{key}"] = array
        return {"array": key}
    if array.dtype == object and array.ndim == 1:
        items = [_encode_value(v, sink, f"{where}[{i}]", depth + 1) for i, v in enumerate(array)]
        if all(not isinstance(item, dict) or set(item) <= {"float", "scalar"}
               for item in items):
            return {"objects": items}
    raise ValueError(f"cannot save {where} of type ndarray with dtype {array.dtype} and shape "
                     f"{array.shape}: model files hold arrays of numbers or text and 1-D object "
                     "arrays of scalars")


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text``, strings left out; never
    less than the true depth, also for broken JSON."""
    skeleton = re.sub(r'"[^"\\]*(?:\\.[^"\\]*)*"', "", text, flags=re.S)
    codes = np.frombuffer(skeleton.encode("utf-8", "replace"), np.uint8)
    steps = (np.isin(codes, (ord("["), ord("{"))).astype(np.int64)
             - np.isin(codes, (ord("]"), ord("}"))))
    return int(np.cumsum(steps).max(initial=0))


# -- reading the archive ------------------------------------------------------------------------

class _Member(NamedTuple):
    """An array member as its header describes it."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_offset: int


_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                KeyError, IndexError, TypeError, NotImplementedError, RuntimeError, OverflowError,
                MemoryError, UnicodeError, struct.error, zlib.error)
"""What reading a damaged archive can raise, in zipfile, zlib and NumPy."""
_HEADER_ERRORS = (ValueError, TypeError, SyntaxError, tokenize.TokenError, RuntimeError,
                  MemoryError)
"""What NumPy's reading of a damaged ``.npy`` header can raise (it tokenizes and parses it)."""


class _Archive:
    """A model archive, its members' headers checked, their arrays read on demand."""

    def __init__(self, file: io.BufferedReader):
        self.zip = zipfile.ZipFile(file)
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ModelFileError(f"holds {len(infos)} members, more than the {MAX_MEMBERS} "
                                 "allowed")
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise ModelFileError("holds two members of the same name")
        for info in infos:
            _check_member_info(info)
        self.members = {info.filename[:-len(".npy")]: self._header(info) for info in infos}
        total = sum(_nbytes(m.shape, m.dtype) for m in self.members.values())
        if total > MAX_TOTAL_BYTES:
            raise ModelFileError(f"declares {total} bytes of arrays, more than the "
                                 f"{MAX_TOTAL_BYTES} allowed")

    def _header(self, info: zipfile.ZipInfo) -> _Member:
        with self.zip.open(info) as stream:
            try:
                version = np.lib.format.read_magic(stream)
            except ValueError:
                raise ModelFileError(f"member {info.filename!r} is not a .npy array") from None
            read = {(1, 0): np.lib.format.read_array_header_1_0,
                    (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read is None:
                raise ModelFileError(f"member {info.filename!r} is a .npy array of unsupported "
                                     f"version {version}")
            try:
                shape, fortran_order, dtype = read(stream)
            except _HEADER_ERRORS as error:
                raise ModelFileError(f"member {info.filename!r} has an invalid .npy header "
                                     f"({error})") from None
            offset = stream.tell()
        what = f"member {info.filename!r}"
        if dtype.hasobject:
            raise ModelFileError(f"{what} holds a pickled object; refused, because loading "
                                 "it could run code")
        if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None or dtype.itemsize == 0:
            raise ModelFileError(f"{what} has dtype {dtype}; model files hold numbers and text")
        if len(shape) > MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
            raise ModelFileError(f"{what} declares the invalid shape {shape}")
        declared = _nbytes(shape, dtype)
        if declared > MAX_TOTAL_BYTES:
            raise ModelFileError(f"{what} declares {declared} bytes ({shape} {dtype}), more "
                                 f"than the {MAX_TOTAL_BYTES} allowed")
        if offset + declared != info.file_size:
            problem = "is truncated" if offset + declared > info.file_size else "has extra data"
            raise ModelFileError(f"{what} {problem}: its header declares {declared} bytes of "
                                 f"data ({shape} {dtype}), it holds {info.file_size - offset}")
        return _Member(info, shape, dtype, fortran_order, offset)

    def array(self, name: str) -> np.ndarray:
        """The array of member ``name`` (without ``.npy``), read and checked."""
        member = self.members[name]
        count = math.prod(member.shape)
        array = np.empty(count, member.dtype)
        buffer = memoryview(array.view(np.uint8) if count else bytearray())
        with self.zip.open(member.info) as stream:
            stream.read(member.data_offset)
            filled = 0
            while filled < len(buffer):
                chunk = stream.read(min(len(buffer) - filled, 2**24))
                if not chunk:
                    raise ModelFileError(f"member {name!r} is truncated")
                buffer[filled:filled + len(chunk)] = chunk
                filled += len(chunk)
            if stream.read(1):
                raise ModelFileError(f"member {name!r} has extra data")
        return array.reshape(member.shape, order="F" if member.fortran_order else "C")

    def own(self, prefix: str) -> list[str]:
        """The members of the estimator at ``prefix`` (not of those nested in it)."""
        return [name for name in self.members
                if name.startswith(prefix) and "/" not in name[len(prefix):]]

    def meta(self) -> dict:
        """The description, its size and nesting checked before it is parsed."""
        member = self.members.get("__meta__")
        if member is None:
            raise ModelFileError("is not an nntricks model file (no __meta__ member)")
        if member.dtype.kind != "U" or member.shape != ():
            raise ModelFileError("is not an nntricks model file (__meta__ is not text)")
        if member.dtype.itemsize // 4 > MAX_META_CHARS:
            raise ModelFileError(f"has a description of {member.dtype.itemsize // 4} "
                                 f"characters, more than the {MAX_META_CHARS} allowed")
        text = str(self.array("__meta__")[()])
        if _json_depth(text) > MAX_JSON_DEPTH:
            raise ModelFileError(f"has a description nested deeper than {MAX_JSON_DEPTH}")
        try:
            meta = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise ModelFileError(f"the description is not valid JSON ({error})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelFileError("is not an nntricks model file")
        return meta


def _nbytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    return math.prod(shape) * dtype.itemsize


def _check_member_info(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if not name.endswith(".npy") or not _MEMBER_NAME.fullmatch(name[:-len(".npy")]) or \
            ".." in name.split("/"):
        raise ModelFileError(f"is not an nntricks model file (member {name!r} is not a .npy "
                             "array of a model)")
    if info.flag_bits & 0x1:
        raise ModelFileError(f"member {name!r} is encrypted; model files are not")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelFileError(f"member {name!r} uses the unsupported compression method "
                             f"{info.compress_type}")


def _sniff(path: Path) -> None:
    """Refuse, with an accurate message, a file that is not even a zip archive."""
    with open(path, "rb") as file:
        head = file.read(8)
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\x93NUMPY"):
        raise ModelFileError("is a single .npy array, not an nntricks model file (an .npz "
                             "archive)")
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        raise ModelFileError("is a Python pickle, not an nntricks model file; refused, because "
                             "loading it could run code")
    raise ModelFileError("is not an nntricks model file (not an .npz archive)"
                         if head else "is empty, not an nntricks model file")


# -- loading ------------------------------------------------------------------------------------

def load(path: str | os.PathLike):
    """Read a model written by :func:`save` (or ``model.save``).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    The fitted estimator, transformer or Pipeline.

    Raises
    ------
    FileNotFoundError
        When there is no such file (``path`` is read exactly as named, as :func:`save` writes
        it; the message suggests ``path`` plus ``.npz`` where that file exists).
    IsADirectoryError
        When ``path`` is a folder.
    ModelFileError
        When the file is not a model file, is truncated, corrupted or tampered with, holds a
        pickled object, exceeds a limit, or was written in a newer format version.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a model file")
    if not path.is_file():
        npz = path.with_name(path.name + ".npz")
        hint = f"; did you mean {npz}?" if npz.is_file() else ""
        raise FileNotFoundError(f"no model file at {path}{hint}")
    try:
        _sniff(path)
        with open(path, "rb") as file:
            archive = _open(file)
            with archive.zip:
                return _load(archive)
    except ModelFileError as error:
        verb = str(error).startswith(("is ", "has ", "holds ", "declares ", "was "))
        raise ModelFileError(f"{path} {error}" if verb else f"{path}: {error}") from None


def _open(file) -> _Archive:
    try:
        return _Archive(file)
    except ModelFileError:
        raise
    except _READ_ERRORS as error:
        raise ModelFileError(f"is truncated or corrupted ({type(error).__name__}: {error})") \
            from None


def _load(archive: _Archive):
    try:
        meta = archive.meta()
    except ModelFileError:
        raise
    except _READ_ERRORS as error:
        raise ModelFileError(f"is truncated or corrupted ({type(error).__name__}: {error})") \
            from None
    version = meta.get("format_version")
    if type(version) is not int or version < 1:
        raise ModelFileError(f"has an invalid format version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"was written in model format {version} by nntricks "
            f"{meta.get('nntricks_version', '?')}; this nntricks {__version__} reads format "
            f"{FORMAT_VERSION}: upgrade nntricks to load it")
    try:
        if version == 1:
            meta = _from_format_1(meta)
        _model(meta, "", _Context(archive, build=False), fitted=True)
        return _model(meta, "", _Context(archive, build=True), fitted=True)
    except ModelFileError:
        raise
    except (LookupError, TypeError, ValueError, AttributeError, ArithmeticError, RuntimeError,
            MemoryError, struct.error, zlib.error, zipfile.BadZipFile, OSError) as error:
        raise ModelFileError(f"is damaged or was tampered with: {type(error).__name__}: "
                             f"{error}") from None


def _from_format_1(meta: dict) -> dict:
    """A format-1 description in format 2: the fitted state moved under ``"state"``. Its
    training state (members ``step<i>/trainer/...``), whose layout format 2 changed, is not
    among an estimator's own arrays: such a model predicts as before and continues training
    with a fresh optimizer."""
    if meta["class"] == "Pipeline":
        return {**meta, "steps": [[name, _from_format_1(step)] for name, step in meta["steps"]]}
    state = {key: meta[key] for key in ("fitted", "dtype", "history", "y_type") if key in meta}
    return {"class": meta["class"], "params": meta["params"], "state": state}


@dataclass(frozen=True)
class _Context:
    """How :func:`_model` walks a description: checking it (``build=False``: arrays stand for
    their headers, nothing is built) or building the model from it."""

    archive: _Archive
    build: bool

    def array(self, name: str):
        if name not in self.archive.members:
            raise ModelFileError(f"the description names the array {name!r}, which the file "
                                 "lacks")
        return self.archive.array(name) if self.build else self.archive.members[name]

    def own_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {name[len(prefix):]: self.archive.array(name)
                for name in self.archive.own(prefix)}


def _model(meta, prefix: str, context: _Context, fitted: bool):
    """Check (or build) the estimator ``meta`` describes; ``fitted``: it must be fitted."""
    _expect(meta, dict, "an estimator's description")
    name = meta.get("class")
    if name == "Pipeline":
        steps = _expect(meta.get("steps"), list, "Pipeline steps")
        built = []
        for i, step in enumerate(steps):
            if not (isinstance(step, list) and len(step) == 2 and isinstance(step[0], str)):
                raise ModelFileError("a Pipeline step is not a [name, estimator] pair")
            built.append((step[0], _model(step[1], f"{prefix}step{i}/", context, fitted)))
        return Pipeline(built) if context.build else None
    if isinstance(name, str) and name in REGISTRY:
        return _registered(REGISTRY[name], meta, prefix, context, fitted)
    if isinstance(name, str) and name in TRUSTED:
        return _trusted(TRUSTED[name], meta, prefix, context, fitted)
    raise ModelFileError(f"unknown model class {name!r}")


def _registered(cls: type, meta: dict, prefix: str, context: _Context, fitted: bool):
    params = _expect(meta.get("params"), dict, f"{cls.__name__} parameters")
    unknown = set(params) - set(cls().get_params())
    if unknown:
        raise ModelFileError(f"unknown {cls.__name__} parameters {sorted(unknown)}")
    params = {key: _mapping(value, f"the {cls.__name__} parameter {key}")
              if isinstance(value, dict) else value for key, value in params.items()}
    state = meta.get("state")
    if state is None and fitted:
        raise ModelFileError(f"the {cls.__name__} has no fitted state")
    if state is not None:
        _expect(state, dict, f"{cls.__name__} state")
    if not context.build:
        return None
    model = cls(**params)
    return model if state is None else model.from_state(state, context.own_arrays(prefix))


def _trusted(trusted: Trusted, meta: dict, prefix: str, context: _Context, fitted: bool):
    cls = trusted.cls
    params = _decode_mapping(meta.get("params"), prefix, context, False, f"{cls.__name__} "
                             "parameters")
    unknown = set(params) - set(cls._get_param_names())
    if unknown:
        raise ModelFileError(f"unknown {cls.__name__} parameters {sorted(unknown)}")
    attributes = _decode_mapping(meta.get("attributes"), prefix, context, fitted,
                                 f"{cls.__name__} attributes")
    for key in attributes:
        if not _ATTRIBUTE.fullmatch(key) or key.startswith("__") or key in params or \
                hasattr(cls, key):
            raise ModelFileError(f"{cls.__name__} cannot have the attribute {key!r}")
    if fitted:
        _check_fitted(trusted, params, attributes)
    if not context.build:
        return None
    version = meta.get("sklearn_version")
    if version != sklearn.__version__:
        warnings.warn(f"the {cls.__name__} in this model file was saved with scikit-learn "
                      f"{version}; this is {sklearn.__version__}", UserWarning, stacklevel=5)
    model = cls(**params)
    model._validate_params()  # scikit-learn's check of every parameter's type and range
    for key, value in attributes.items():
        setattr(model, key, value)
    return model


def _check_fitted(trusted: Trusted, params: dict, attributes: dict) -> None:
    """The checks of a fitted trusted estimator's attributes (arrays as headers or arrays)."""
    name = trusted.cls.__name__
    _require(attributes, trusted.required, name)
    n_features = attributes.get("n_features_in_")
    if n_features is not None and (type(n_features) is not int or n_features < 1):
        raise ModelFileError(f"{name}.n_features_in_ is {n_features!r}, not a positive integer")
    optional = ("feature_names_in_",) + (trusted.optional(params) if trusted.optional else ())
    for key in trusted.per_feature + ("feature_names_in_",):
        value = attributes.get(key)
        if value is None and key in optional:
            continue
        if getattr(value, "shape", None) != (n_features,) or value.dtype.kind not in "biufUO":
            raise ModelFileError(f"{name}.{key} is not an array of one entry per feature "
                                 f"({n_features})")
    names = attributes.get("feature_names_in_")
    if isinstance(names, np.ndarray) and not all(isinstance(n, str) for n in names):
        raise ModelFileError(f"{name}.feature_names_in_ holds other values than strings")
    if trusted.check is not None:
        trusted.check(attributes)


def _require(attributes: dict, names, owner: str) -> None:
    missing = [key for key in names if key not in attributes]
    if missing:
        raise ModelFileError(f"the fitted {owner} lacks {missing}")


def _expect(value, kind: type, what: str):
    if not isinstance(value, kind):
        raise ModelFileError(f"{what} is a {type(value).__name__}, not a {kind.__name__}")
    return value


def _decode_mapping(node, prefix: str, context: _Context, fitted: bool, what: str) -> dict:
    value = _decode(node, prefix, context, fitted)
    return _expect(value, dict, what)


def _decode(node, prefix: str, context: _Context, fitted: bool):
    """The value a tree of :func:`encode_value` describes; nested estimators must be fitted
    when ``fitted``; arrays are headers while checking."""
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if not (isinstance(node, dict) and len(node) == 1):
        raise ModelFileError(f"the description holds an untagged {type(node).__name__}")
    (tag, body), = node.items()
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise ModelFileError(f"the description holds the unknown tag {tag!r}")
    return decoder(body, prefix, context, fitted)


def _decode_float(body, *_):
    if body not in ("nan", "inf", "-inf"):
        raise ModelFileError(f"invalid float {body!r}")
    return float(body)


def _decode_sequence(kind: type):
    def decode(body, prefix, context, fitted):
        items = _expect(body, list, kind.__name__)
        return kind(_decode(item, prefix, context, fitted) for item in items)
    return decode


def _decode_dict(body, prefix, context, fitted):
    return {key: _decode(value, prefix, context, fitted)
            for key, value in _expect(body, dict, "dict").items()}


def _decode_array(body, prefix, context, *_):
    if not isinstance(body, str) or not _KEY.fullmatch(body):
        raise ModelFileError(f"invalid array reference {body!r}")
    return context.array(f"{prefix}{body}")


def _decode_objects(body, prefix, context, fitted):
    items = _expect(body, list, "objects")
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        if isinstance(item, dict | list) and not (isinstance(item, dict) and len(item) == 1 and
                                                  next(iter(item)) in ("float", "scalar")):
            raise ModelFileError("an object array holds something else than scalars")
        array[i] = _decode(item, prefix, context, fitted)
    return array


def _decode_scalar(body, *_):
    if not (isinstance(body, list) and len(body) == 2 and body[0] in _NUMPY_SCALARS):
        raise ModelFileError(f"invalid NumPy scalar {body!r}")
    value = _decode_float(body[1]) if isinstance(body[1], str) else body[1]
    if isinstance(value, dict | list) or value is None:
        raise ModelFileError(f"invalid NumPy scalar {body!r}")
    return _NUMPY_SCALARS[body[0]](value)


def _decode_type(body, *_):
    if body not in _NUMPY_SCALARS:
        raise ModelFileError(f"the type {body!r} is not allowed")
    return _NUMPY_SCALARS[body]


def _decode_dtype(body, *_):
    if not isinstance(body, str) or not _DTYPE.fullmatch(body):
        raise ModelFileError(f"the dtype {body!r} is not allowed")
    return np.dtype(body)


def _decode_slice(body, *_):
    if not (isinstance(body, list) and len(body) == 3 and
            all(p is None or type(p) is int for p in body)):
        raise ModelFileError(f"invalid slice {body!r}")
    return slice(*body)


def _decode_estimator(body, prefix, context, fitted):
    if not (isinstance(body, list) and len(body) == 2 and isinstance(body[0], str) and
            _KEY.fullmatch(body[0])):
        raise ModelFileError("invalid nested estimator")
    return _model(body[1], f"{prefix}{body[0]}/", context, fitted)


_DECODERS = {"float": _decode_float, "list": _decode_sequence(list),
             "tuple": _decode_sequence(tuple), "dict": _decode_dict, "array": _decode_array,
             "objects": _decode_objects, "scalar": _decode_scalar, "type": _decode_type,
             "dtype": _decode_dtype, "slice": _decode_slice, "estimator": _decode_estimator}
