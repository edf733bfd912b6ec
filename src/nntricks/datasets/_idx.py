"""A strict reader of IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a big-endian header followed by the array in C order::

    byte 0, 1   0x00 0x00
    byte 2      type code: 0x08 ubyte, 0x09 byte, 0x0B short (int16), 0x0C int (int32),
                0x0D float (float32), 0x0E double (float64)
    byte 3      number of dimensions d
    d x 4 bytes each dimension's size, unsigned 32-bit big-endian
    data        product(sizes) x itemsize bytes, big-endian

(http://yann.lecun.com/exdb/mnist/, section "The IDX file format").
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = ["read_idx"]

IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot compress better than about 1032:1, so a gzip file of c bytes never holds
# more than ~1032 c bytes; a header that promises more is rejected before any allocation.
_MAX_DEFLATE_RATIO = 1100


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into an array.

    Parameters
    ----------
    path : str or path-like
        The file. Gzip compression is recognised from the file's first bytes (``1f 8b``),
        whatever its name; ``train-images-idx3-ubyte`` and ``train-images-idx3-ubyte.gz`` read
        the same.

    Returns
    -------
    ndarray, shape given by the header
        Native byte order, dtype from the type code: ``uint8``, ``int8``, ``int16``, ``int32``,
        ``float32`` or ``float64``. Writable, owned by the caller.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        Naming the file and the defect: the first two bytes are not zero, an unknown type code,
        no dimensions, a dimension of size zero, a header cut short, fewer data bytes than the
        header promises (truncated) or more (trailing bytes), a corrupt gzip stream.

    Examples
    --------
    >>> images = read_idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    ... # doctest: +SKIP
    >>> images.shape, images.dtype  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'))
    """
    path = Path(path)
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        size_on_disk = os.fstat(raw.fileno()).st_size
        if not compressed:
            return _read(raw, path, size_on_disk, compressed=False)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read(stream, path, size_on_disk, compressed=True)
        except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{path}: corrupt or truncated gzip stream ({error})") from error


def _read(stream: BinaryIO, path: Path, size_on_disk: int, *, compressed: bool) -> np.ndarray:
    """Parse header and data from ``stream``; see :func:`read_idx`."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise ValueError(f"{path}: not an IDX file: {len(magic)} bytes, too short for a header")
    if magic[0] != 0 or magic[1] != 0:
        raise ValueError(
            f"{path}: not an IDX file: magic number 0x{magic.hex()} does not start with two "
            "zero bytes"
        )
    type_code, ndim = magic[2], magic[3]
    if type_code not in IDX_TYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_TYPES)
        raise ValueError(
            f"{path}: unknown IDX type code 0x{type_code:02X}; expected one of {known}"
        )
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions; at least 1 is needed")
    dims_bytes = stream.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise ValueError(
            f"{path}: IDX header cut short: {ndim} dimensions need {4 * ndim} bytes of sizes, "
            f"found {len(dims_bytes)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(dims_bytes, dtype=">u4"))
    if 0 in shape:
        raise ValueError(f"{path}: IDX dimension of size zero in shape {shape}")
    dtype = IDX_TYPES[type_code]
    header = 4 + 4 * ndim
    n_bytes = math.prod(shape) * dtype.itemsize
    expected = f"header {header} + data {n_bytes} = {header + n_bytes} bytes for shape {shape}"
    if not compressed and size_on_disk != header + n_bytes:
        problem = "truncated" if size_on_disk < header + n_bytes else "trailing bytes"
        raise ValueError(f"{path}: {problem}: file has {size_on_disk} bytes, {expected}")
    if compressed and n_bytes > _MAX_DEFLATE_RATIO * size_on_disk:
        raise ValueError(
            f"{path}: truncated: {size_on_disk} compressed bytes cannot hold {expected}"
        )

    data = np.empty(math.prod(shape), dtype=dtype)
    buffer = memoryview(data.view(np.uint8))
    filled = 0
    while filled < n_bytes:
        count = stream.readinto(buffer[filled:])
        if not count:
            raise ValueError(
                f"{path}: truncated: {header + filled} bytes after decompression, {expected}"
            )
        filled += count
    if stream.read(1):
        extra = 1 + len(stream.read())
        raise ValueError(
            f"{path}: trailing bytes: {extra} bytes after the data, {expected}"
        )
    native = dtype.newbyteorder("=")
    return data.reshape(shape).astype(native, copy=False)
