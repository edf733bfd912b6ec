"""Where the arrays live: the one seam between NumPy on the CPU and CuPy on an NVIDIA GPU.

Every computation in nntricks is written once, against an *array namespace* ``xp`` (the NumPy
module, or CuPy, which mirrors NumPy's API including ``out=``). A component takes the namespace
from the arrays it is given, ``xp = namespace(x)``, so the same ``xp.tanh(z, out=a)`` runs on
the CPU or on the GPU. A :class:`Backend` adds the handful of operations the two libraries spell
differently (moving data between host and device, gathering rows, random generators, sparse
matrices), and the network owns the backend its arrays live on.

Devices are named as in PyTorch: ``"cpu"`` (NumPy) and ``"cuda"`` (CuPy, installed with
``pip install "nntricks[gpu]"``).
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np
import scipy.sparse

__all__ = [
    "Backend",
    "DEVICES",
    "DeviceUnavailableError",
    "NUMPY",
    "backend_of",
    "get_backend",
    "is_array",
    "kernels_for",
    "is_sparse",
    "namespace",
    "on_device_of",
    "register_array_type",
    "to_host",
    "to_numpy",
]

DEVICES = ("cpu", "cuda")

GPU_INSTALL_HINT = ('install CuPy with pip install "nntricks[gpu]" (CUDA 13), or the CuPy wheel '
                    "for your CUDA version, e.g. pip install cupy-cuda12x")


class DeviceUnavailableError(RuntimeError):
    """The device asked for cannot be used here: CuPy is not installed, or there is no GPU."""


class Backend:
    """An array namespace and the few operations NumPy and CuPy spell differently.

    Parameters
    ----------
    device : str
        The device name (``"cpu"``, ``"cuda"``).
    xp : module
        The array namespace: ``numpy`` or ``cupy`` (or a stand-in with NumPy's API).

    Notes
    -----
    This base class is the NumPy (host) backend: moving data "to the device" is a dtype
    conversion and :meth:`to_numpy` returns its input.
    """

    kernels: ModuleType | None = None
    """Fused kernels for this device's arrays (:mod:`nntricks.cpu_kernels` on the CPU when
    Numba is installed), or ``None``: then the components use their namespace code."""

    def __init__(self, device: str, xp: ModuleType) -> None:
        self.device = device
        self.xp = xp

    def asarray(self, array: Any, dtype: Any = None) -> Any:
        """``array`` (host or device, dense or sparse) on this device, as ``dtype``.

        Copies only when the array is elsewhere or of another dtype.
        """
        if self.is_sparse(array):
            return array.tocsr() if dtype is None else array.tocsr().astype(dtype, copy=False)
        return self.xp.ascontiguousarray(to_numpy(array), dtype=dtype)

    def to_numpy(self, array: Any) -> Any:
        """``array`` of this backend as a NumPy array (or SciPy sparse matrix) on the host."""
        return array if self.is_sparse(array) else np.asarray(array)

    def is_sparse(self, array: Any) -> bool:
        """Whether ``array`` is a sparse matrix of this backend."""
        return not isinstance(array, np.ndarray) and scipy.sparse.issparse(array)

    def take_rows(self, array: Any, index: Any, buffer: Any) -> Any:
        """Rows ``index`` (valid indices) of ``array``, written into the first rows of
        ``buffer`` when ``array`` is dense (``buffer`` is ignored for a sparse matrix)."""
        if self.is_sparse(array):
            return array[index]
        # mode="clip": the indices are valid, and take(mode="raise") copies via a buffer
        return array.take(index, axis=0, out=buffer[:len(index)], mode="clip")

    def generator(self, host: np.random.Generator) -> Any:
        """A random generator on this device drawing from ``host`` (itself on the host)."""
        return host

    def uniform(self, generator: Any, out: Any) -> Any:
        """Fill ``out`` with uniform draws in [0, 1) of its dtype."""
        return generator.random(dtype=out.dtype, out=out)

    def free_memory(self) -> int | None:
        """Free device memory in bytes, or ``None`` when the host's memory is used."""
        return None

    def synchronize(self) -> None:
        """Wait until the device has finished its queued work (for timing)."""

    def __repr__(self) -> str:
        return f"Backend({self.device!r})"

    def __reduce__(self):
        return get_backend, (self.device,)


class CuPyBackend(Backend):
    """CuPy on the current CUDA device."""

    def __init__(self) -> None:
        try:
            import cupy
            import cupyx.scipy.sparse
        except ImportError as error:
            raise DeviceUnavailableError(f'device="cuda" needs CuPy, which is not installed: '
                                         f"{GPU_INSTALL_HINT}") from error
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as error:  # CUDA driver or runtime missing: CUDARuntimeError & co.
            raise DeviceUnavailableError(
                f'device="cuda" found no usable CUDA device: {error}') from error
        if count == 0:
            raise DeviceUnavailableError('device="cuda" found no CUDA device on this machine')
        super().__init__("cuda", cupy)
        self._sparse = cupyx.scipy.sparse
        register_array_type(cupy.ndarray, self)
        for name in ("spmatrix", "sparray"):  # sparse matrices (and, in newer CuPy, arrays)
            if hasattr(self._sparse, name):
                register_array_type(getattr(self._sparse, name), self)

    def asarray(self, array, dtype=None):
        if scipy.sparse.issparse(array):
            array = array.tocsr() if dtype is None else array.tocsr().astype(dtype)
            return self._sparse.csr_matrix(array)
        if self._sparse.issparse(array):
            return array.tocsr() if dtype is None else array.tocsr().astype(dtype)
        return self.xp.ascontiguousarray(self.xp.asarray(array, dtype=dtype))

    def to_numpy(self, array):
        return array.get() if self._sparse.issparse(array) else self.xp.asnumpy(array)

    def is_sparse(self, array):
        return self._sparse.issparse(array)

    def take_rows(self, array, index, buffer):
        if self.is_sparse(array):
            return array[index]
        return self.xp.take(array, index, axis=0, out=buffer[:len(index)])

    def generator(self, host):
        return self.xp.random.default_rng(int(host.integers(2**63)))

    def uniform(self, generator, out):
        out[...] = generator.random(out.shape, dtype=out.dtype)
        return out

    def free_memory(self):
        return int(self.xp.cuda.runtime.memGetInfo()[0])

    def synchronize(self):
        self.xp.cuda.get_current_stream().synchronize()


class _Host(Backend):
    """NumPy, with the fused kernels of :mod:`nntricks.cpu_kernels` when Numba is installed
    (imported on first use: Numba takes a moment to load)."""

    _kernels: ModuleType | None | bool = False  # False: not looked for yet

    @property
    def kernels(self) -> ModuleType | None:
        if self._kernels is False:
            self._kernels = None
            if os.environ.get("NNTRICKS_NUMBA", "1") != "0":
                try:
                    from . import cpu_kernels
                except ImportError:  # no Numba: the NumPy code does the work
                    pass
                else:
                    self._kernels = cpu_kernels
        return self._kernels

    @kernels.setter
    def kernels(self, value: ModuleType | None) -> None:
        self._kernels = value


NUMPY = _Host("cpu", np)
"""The host backend."""

_BY_TYPE: dict[type, Backend] = {np.ndarray: NUMPY}
_CUDA: list[Backend] = []


def register_array_type(array_type: type, backend: Backend) -> None:
    """Make arrays of ``array_type`` (and its subclasses) belong to ``backend``."""
    _BY_TYPE[array_type] = backend


def backend_of(array: Any) -> Backend:
    """The backend an array belongs to; NumPy for anything not registered (lists, scalars)."""
    backend = _BY_TYPE.get(type(array))
    return backend if backend is not None else _by_ancestry(type(array))


def _by_ancestry(kind: type) -> Backend:
    """The backend of a type's nearest registered ancestor (NumPy if none), remembered; a CuPy
    type brings up the CUDA backend, which registers CuPy's types."""
    if kind.__module__.partition(".")[0] in ("cupy", "cupyx"):
        get_backend("cuda")
    backend = _BY_TYPE[kind] = next((_BY_TYPE[base] for base in kind.__mro__ if base in _BY_TYPE),
                                    NUMPY)
    return backend


def kernels_for(*arrays: Any) -> ModuleType | None:
    """The fused kernels that may work on ``arrays``: those of their backend, when all of them
    are its arrays of one floating dtype (float32 or float64); else ``None``."""
    backend = backend_of(arrays[0])
    dtype = getattr(arrays[0], "dtype", None)
    if backend.kernels is None or dtype not in _KERNEL_DTYPES:
        return None
    if any(type(a) is not type(arrays[0]) or a.dtype != dtype for a in arrays[1:]):
        return None
    return backend.kernels


_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def is_array(value: Any) -> bool:
    """Whether ``value`` is a dense array: a NumPy ndarray or an array of a device backend."""
    return isinstance(value, np.ndarray) or (backend_of(value) is not NUMPY
                                             and not is_sparse(value))


def is_sparse(array: Any) -> bool:
    """Whether ``array`` is a sparse matrix (SciPy's, or CuPy's on the GPU)."""
    return not isinstance(array, np.ndarray) and backend_of(array).is_sparse(array)


def namespace(array: Any) -> ModuleType:
    """The array namespace (``numpy`` or ``cupy``) of ``array``: ``xp = namespace(x)``."""
    backend = _BY_TYPE.get(type(array))  # backend_of, inlined: called a dozen times a step
    return (backend if backend is not None else _by_ancestry(type(array))).xp


def to_numpy(array: Any) -> Any:
    """``array`` as a NumPy array on the host (itself when it already is one).

    Sparse matrices come back as SciPy sparse matrices; anything that is not an array of a
    registered backend goes through :func:`numpy.asarray`.
    """
    return backend_of(array).to_numpy(array)


def to_host(value: Any) -> Any:
    """``value`` copied to the host if it is an array of a device backend; else unchanged
    (lists, data frames and NumPy arrays pass through untouched)."""
    backend = backend_of(value)
    return value if backend is NUMPY else backend.to_numpy(value)


def on_device_of(reference: Any, array: np.ndarray) -> Any:
    """A host result ``array`` moved to the device ``reference`` lives on, when that is not the
    host and the result is numeric (a device holds no strings or objects)."""
    backend = backend_of(reference)
    if backend is NUMPY or array.dtype.kind not in "biufc":
        return array
    return backend.asarray(array)


def get_backend(device: str | Backend = "cpu") -> Backend:
    """The backend of ``device``: ``"cpu"`` (NumPy) or ``"cuda"`` (CuPy).

    Raises
    ------
    ValueError
        For an unknown device name.
    DeviceUnavailableError
        For ``"cuda"`` without CuPy or without a CUDA device, saying what is missing.
    """
    if isinstance(device, Backend):
        return device
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; expected one of "
                         + ", ".join(repr(d) for d in DEVICES))
    if device == "cpu":
        return NUMPY
    if not _CUDA:
        _CUDA.append(CuPyBackend())
    return _CUDA[0]
