"""A stand-in GPU for the tests: arrays that live "on a device" and refuse NumPy's own functions.

:class:`DeviceArray` holds a NumPy array but is not one, like a CuPy array: calling a NumPy
function on it (``np.tanh(x)``, ``np.asarray(x)``, ``np.add.reduce(x)``) raises
:class:`StrayHostCall`, and so does mixing a host array into a device computation. Work on it
goes through :data:`NAMESPACE` (NumPy's API, as CuPy mirrors it) or through its own methods and
operators, as on a GPU. Every copy between host and device (``float(x)``, ``bool(x)``,
``to_numpy``, uploading a host array, assigning one into a device array) is counted in
:data:`TRANSFERS`, so a test can prove that a training step sends nothing back to the host.

:class:`StandInBackend` is the matching :class:`~nntricks.backend.Backend`; its arithmetic is
NumPy's, so a network on the stand-in must reproduce a CPU run bit for bit.
"""

from __future__ import annotations

import operator
from collections import Counter
from types import ModuleType

import numpy as np

from nntricks.backend import Backend

TRANSFERS: Counter = Counter()
"""Host <-> device copies by kind: ``"to host"``, ``"to device"``."""


class StrayHostCall(TypeError):
    """NumPy was asked to work on device data (or a host array was mixed into device work)."""


def _unwrap(value, *, what: str):
    if isinstance(value, DeviceArray):
        return value._data
    if isinstance(value, np.ndarray):
        raise StrayHostCall(f"a host array of shape {value.shape} was mixed into {what} on the "
                            "device; copy it over with the backend's asarray first")
    if isinstance(value, tuple | list):
        return type(value)(_unwrap(v, what=what) for v in value)
    return value


def _wrap(value):
    if isinstance(value, np.ndarray):
        return DeviceArray(value)
    if isinstance(value, np.generic):  # reductions give device scalars, as CuPy's do
        return DeviceArray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    return value


def _device_call(function, what: str):
    def call(*args, **kwargs):
        args = _unwrap(args, what=what)
        kwargs = {key: _unwrap(value, what=what) for key, value in kwargs.items()}
        return _wrap(function(*args, **kwargs))

    return call


class DeviceArray:
    """An array on the stand-in device (see the module docstring)."""

    __slots__ = ("_data",)

    def __init__(self, data: np.ndarray) -> None:
        self._data = data

    # NumPy's own functions refuse device data, as they refuse CuPy arrays
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raise StrayHostCall(f"numpy.{ufunc.__name__}{'' if method == '__call__' else '.' + method}"
                            " was called on a device array; use the backend's namespace")

    def __array_function__(self, func, types, args, kwargs):
        raise StrayHostCall(f"numpy.{func.__name__} was called on a device array; use the "
                            "backend's namespace")

    def __array__(self, dtype=None, copy=None):
        raise StrayHostCall("a device array was converted to a NumPy array implicitly; use "
                            "the backend's to_numpy")

    # attributes and methods: those of the array underneath, on the device
    def __getattr__(self, name):
        if name.startswith("__"):  # no __array_interface__ & co.: NumPy must not see the memory
            raise AttributeError(name)
        value = getattr(self._data, name)
        return _device_call(value, f"ndarray.{name}") if callable(value) else _wrap(value)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, key):
        return _wrap(self._data[_unwrap(key, what="indexing")])

    def __setitem__(self, key, value):
        if isinstance(value, np.ndarray) and not isinstance(value, DeviceArray):
            TRANSFERS["to device"] += 1
            value = DeviceArray(value)
        self._data[_unwrap(key, what="indexing")] = _unwrap(value, what="assignment")

    # reading a value is a copy to the host
    def _to_host(self):
        TRANSFERS["to host"] += 1
        return self._data

    def __float__(self) -> float:
        return float(self._to_host())

    def __int__(self) -> int:
        return int(self._to_host())

    def __bool__(self) -> bool:
        return bool(self._to_host())

    def item(self):
        return self._to_host().item()

    def tolist(self):
        return self._to_host().tolist()

    def __repr__(self) -> str:
        return f"DeviceArray({self._data!r})"


def _operator(name: str):
    function = getattr(operator, name)

    def method(self, *others):
        return _wrap(function(self._data, *_unwrap(others, what=f"operator {name}")))

    return method


def _in_place(name: str):
    function = getattr(operator, name)

    def method(self, other):
        function(self._data, _unwrap(other, what=f"operator {name}"))
        return self

    return method


for _name in ("add", "sub", "mul", "truediv", "matmul", "pow", "neg", "abs", "lt", "le", "gt",
              "ge", "eq", "ne", "and_", "or_", "invert"):
    _dunder = f"__{_name.rstrip('_')}__"
    setattr(DeviceArray, _dunder, _operator(_name))
def _reflected(name: str):
    function = getattr(operator, name)

    def method(self, other):
        return _wrap(function(_unwrap(other, what=f"operator r{name}"), self._data))

    return method


for _name in ("add", "sub", "mul", "truediv", "matmul", "pow"):
    setattr(DeviceArray, f"__r{_name}__", _reflected(_name))
for _name in ("iadd", "isub", "imul", "itruediv"):
    setattr(DeviceArray, f"__{_name}__", _in_place(_name))
DeviceArray.__hash__ = None


class _Namespace(ModuleType):
    """NumPy's API on device arrays: what ``cupy`` is to CuPy arrays."""

    def __getattr__(self, name):
        target = getattr(np, name)
        if isinstance(target, type) or not callable(target):
            return target  # dtypes and constants
        return _device_call(target, f"xp.{name}")


NAMESPACE = _Namespace("standin")


class StandInBackend(Backend):
    """The stand-in device: NumPy memory behind :class:`DeviceArray`.

    Parameters
    ----------
    free_memory : int
        What :meth:`free_memory` reports: make it small to force batches from the host.
    """

    def __init__(self, free_memory: int = 1 << 40) -> None:
        super().__init__("cuda", NAMESPACE)
        self._free = free_memory

    def asarray(self, array, dtype=None):
        if isinstance(array, DeviceArray):
            return array if dtype is None or array.dtype == dtype else array.astype(dtype)
        TRANSFERS["to device"] += 1
        return DeviceArray(np.array(array, dtype=dtype, order="C"))

    def to_numpy(self, array):
        TRANSFERS["to host"] += 1
        return array._data.copy()

    def is_sparse(self, array):
        return False

    def take_rows(self, array, index, buffer):
        return NAMESPACE.take(array, index, axis=0, out=buffer[:len(index)])

    def uniform(self, generator, out):
        generator.random(dtype=out.dtype, out=out._data)  # the host's stream, for comparison
        return out

    def free_memory(self):
        return self._free
