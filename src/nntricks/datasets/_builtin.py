"""The named data sets: digits (bundled), MNIST-1D (generated), Fashion-MNIST (IDX files)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

from .._validation import check_scalar
from ._dataset import (
    DataFileNotFoundError,
    Dataset,
    OptionalDependencyError,
    check_split_options,
    split,
)
from ._idx import read_idx

__all__ = ["FASHION_MNIST_DIR", "load_digits", "load_fashion_mnist", "load_mnist1d"]

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
"""Where Debian's ``dataset-fashion-mnist`` package installs the four IDX files."""

FASHION_MNIST_FILES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


def load_digits(test_size: float = 0.25, random_state: int | None = 0) -> Dataset:
    """The handwritten digits bundled with scikit-learn: 1797 images of 8x8 pixels, 10 classes.

    Read from scikit-learn's own copy (:func:`sklearn.datasets.load_digits`, the test part of
    the UCI "Optical Recognition of Handwritten Digits" set), so it works offline. Each pixel is
    a count 0..16 of set pixels in a 4x4 block; it is divided by 16, so ``X`` lies in [0, 1].

    Parameters
    ----------
    test_size : float, default=0.25
        Fraction of the samples in the test part, in (0, 1); the test part has
        ``ceil(test_size * 1797)`` samples (450 by default, 1347 for training).
    random_state : int or None, default=0
        Seed of the shuffled, stratified split (each digit in the same proportion in both
        parts); the same seed gives the same split. None: a different split each call.

    Returns
    -------
    Dataset
        ``X`` float32 of shape ``(n, 64)`` in [0, 1], pixels in row-major order
        (``feature_names`` ``"pixel_0_0"`` .. ``"pixel_7_7"``); ``y`` int64 digits 0..9.
    """
    from sklearn.datasets import load_digits as sklearn_digits  # deferred: keeps import fast

    check_split_options(test_size, random_state)
    bunch = sklearn_digits()
    X = bunch.data.astype(np.float32)
    X /= 16
    y = bunch.target.astype(np.int64)
    X_train, X_test, y_train, y_test = split(X, y, test_size, random_state, "digits")
    return Dataset(
        X_train, y_train, X_test, y_test,
        name="digits",
        description=(
            "scikit-learn's bundled handwritten digits, 8x8 pixels scaled from 0..16 to [0, 1], "
            f"stratified split with test_size={test_size}, random_state={random_state}"
        ),
        feature_names=tuple(bunch.feature_names),
        target_names=tuple(str(t) for t in bunch.target_names),
    )


def load_mnist1d(seed: int | None = None, cache_dir: str | os.PathLike | None = None) -> Dataset:
    """MNIST-1D (Greydanus & Kobak), generated offline: 4000 + 1000 signals of length 40.

    Each sample is one of ten 1-D digit templates, padded, scaled, translated, sheared and
    noised; small enough to train on a CPU in seconds, hard enough that a linear model fails.
    The data come from the ``mnist1d`` package's generator (``mnist1d.data.make_dataset``)
    called with the package's own default arguments (``get_dataset_args()``: 5000 samples,
    80 % training, 40 features, seed 42); its ``get_dataset``, which downloads or pickles
    files, is never called. The package standardises the whole set to mean 0 and standard
    deviation 1, so ``X`` is not in [0, 1]. The train/test split is the generator's own.

    Needs the optional extra: ``pip install "nntricks[mnist1d]"``.

    Parameters
    ----------
    seed : int or None, default=None
        Seed of the generator; None keeps the package default (42), which reproduces the
        published data set. The generator seeds Python's and NumPy's *global* random state;
        this function restores both afterwards.
    cache_dir : str or path-like or None, default=None
        Folder in which to keep the generated arrays as ``mnist1d-<version>-seed<seed>.npz``
        and read them back next time (without pickle). None: nothing is written to disk and
        the set is generated again (about a second) on each call.

    Returns
    -------
    Dataset
        ``X`` float32 of shape ``(n, 40)``; ``y`` int64 digits 0..9.

    Raises
    ------
    OptionalDependencyError
        The ``mnist1d`` package is not installed (an ``ImportError`` and a ``ValueError``).
    """
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as error:
        raise OptionalDependencyError(
            "the mnist1d data set needs the optional package 'mnist1d': "
            'pip install "nntricks[mnist1d]"'
        ) from error
    from importlib.metadata import version

    args = get_dataset_args()
    if seed is not None:
        check_scalar(seed, "seed", low=0, integer=True)
        args.seed = int(seed)
    cache = None
    if cache_dir is not None:
        cache = Path(cache_dir) / f"mnist1d-{version('mnist1d')}-seed{args.seed}.npz"
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as arrays:
            parts = {key: arrays[key] for key in ("X_train", "y_train", "X_test", "y_test")}
    else:
        # make_dataset seeds the global generators; put back what the caller had
        python_state = random.getstate()
        numpy_state = np.random.get_state()  # noqa: NPY002 (the legacy global state is what changes)
        try:
            data = make_dataset(args)
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)  # noqa: NPY002
        parts = {
            "X_train": data["x"].astype(np.float32), "y_train": data["y"].astype(np.int64),
            "X_test": data["x_test"].astype(np.float32),
            "y_test": data["y_test"].astype(np.int64),
        }
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_name(f"{cache.stem}.{os.getpid()}.partial.npz")
            np.savez(partial, **parts)
            os.replace(partial, cache)
    return Dataset(
        **parts,
        name="mnist1d",
        description=(
            f"MNIST-1D generated by the mnist1d package (seed {args.seed}), standardised to "
            "mean 0 and standard deviation 1, the generator's own 80/20 split"
        ),
        target_names=tuple(str(k) for k in range(10)),
    )


def _find_idx(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def load_fashion_mnist(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Fashion-MNIST (Xiao, Rasul & Vollgraf): 60000 + 10000 grey images of 28x28, 10 classes.

    Read from the four IDX files of the original distribution, each gzip-compressed or not::

        train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]
        t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]

    On Debian and Ubuntu ``apt-get install dataset-fashion-mnist`` puts them in
    ``/usr/share/datasets/fashion-mnist/``, the default folder; elsewhere download them from
    https://github.com/zalandoresearch/fashion-mnist and pass their folder.

    Parameters
    ----------
    data_dir : str or path-like or None, default=None
        The folder with the four files; None means ``/usr/share/datasets/fashion-mnist``.

    Returns
    -------
    Dataset
        ``X`` float32 of shape ``(n, 784)``: each image flattened row by row
        (``feature_names`` ``"pixel_<row>_<col>"``), pixel values 0..255 divided by 255 into
        [0, 1]; ``y`` int64 classes 0..9 (``target_names`` "T-shirt/top" .. "Ankle boot"). The
        split is the data set's own (the last 10000 are the test part), not reshuffled.

    Raises
    ------
    DataFileNotFoundError
        A file is missing (a ``FileNotFoundError`` and a ``ValueError``); the message says
        how to get the files.
    ValueError
        A file is not valid IDX, or the images are not ``uint8`` of shape
        ``(n, rows, cols)``, the labels not ``uint8`` of shape ``(n,)``, or their counts differ.
    """
    folder = FASHION_MNIST_DIR if data_dir is None else Path(data_dir)
    paths = {key: _find_idx(folder, stem) for key, stem in FASHION_MNIST_FILES.items()}
    missing = [FASHION_MNIST_FILES[key] + "[.gz]" for key, path in paths.items() if path is None]
    if missing:
        where = "folder does not exist" if not folder.is_dir() else "missing " + ", ".join(missing)
        raise DataFileNotFoundError(
            f"Fashion-MNIST files not found in {folder} ({where}). On Debian/Ubuntu install "
            "them with 'sudo apt-get install dataset-fashion-mnist'; otherwise download the "
            "four files from https://github.com/zalandoresearch/fashion-mnist and give their "
            "folder (data_dir=..., or --data-dir on the command line)"
        )
    parts = {}
    for part in ("train", "test"):
        images, labels = read_idx(paths[f"X_{part}"]), read_idx(paths[f"y_{part}"])
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(
                f"{paths[f'X_{part}']}: expected uint8 images of shape (n, rows, cols), got "
                f"{images.dtype} of shape {images.shape}"
            )
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise ValueError(
                f"{paths[f'y_{part}']}: expected uint8 labels of shape (n,), got "
                f"{labels.dtype} of shape {labels.shape}"
            )
        if len(images) != len(labels):
            raise ValueError(
                f"{folder}: {len(images)} {part} images but {len(labels)} {part} labels"
            )
        X = images.reshape(len(images), -1).astype(np.float32)
        X /= 255
        parts[f"X_{part}"], parts[f"y_{part}"] = X, labels.astype(np.int64)
        shape = images.shape[1:]
    if parts["X_train"].shape[1] != parts["X_test"].shape[1]:
        raise ValueError(f"{folder}: training and test images differ in size")
    return Dataset(
        **parts,
        name="fashion-mnist",
        description=(
            f"Fashion-MNIST from {folder}, {shape[0]}x{shape[1]} images flattened, pixels "
            "0..255 scaled to [0, 1], the data set's own train/test split"
        ),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(shape[0]) for c in range(shape[1])),
        target_names=FASHION_MNIST_CLASSES,
    )
