"""The user's own data: a CSV file with a header row, or a NumPy ``.npz`` archive."""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import numpy as np

from ._dataset import DataFileNotFoundError, Dataset, check_split_options, split

__all__ = ["load_csv", "load_npz"]

_SPLIT_KEYS = ("X_train", "y_train", "X_test", "y_test")


def _existing_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise DataFileNotFoundError(f"no such data file: {path}")
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    return path


def _to_float32(X: np.ndarray, source: str) -> np.ndarray:
    """``X`` as float32, refusing values that are not finite or overflow float32."""
    with np.errstate(over="ignore"):
        X32 = X.astype(np.float32)
    bad = np.argwhere(~np.isfinite(X32))
    if len(bad):
        row, col = bad[0]
        raise ValueError(
            f"{source}: {len(bad)} values are NaN, infinite or beyond the float32 range, the "
            f"first at row {row}, column {col} ({X[row, col]!r})"
        )
    return X32


def _is_missing(cell: str) -> bool:
    return cell == "" or cell.lower() == "nan"


def _labels(cells: list[str], lines: list[int], path: Path, label: str) -> np.ndarray:
    """Label cells as int64 if all are integers, else float64 if all are numbers, else str."""
    for cell, line in zip(cells, lines, strict=True):
        if _is_missing(cell):
            raise ValueError(f"{path}, line {line}: label column {label!r} is empty or NaN")
    try:
        return np.array([int(cell) for cell in cells], dtype=np.int64)
    except (ValueError, OverflowError):
        pass
    try:
        y = np.array([float(cell) for cell in cells], dtype=np.float64)
    except ValueError:
        return np.array(cells, dtype=str)
    if not np.all(np.isfinite(y)):
        line = lines[int(np.argmin(np.isfinite(y)))]
        raise ValueError(f"{path}, line {line}: label column {label!r} is infinite")
    return y


def _features(cells: np.ndarray, lines: list[int], names: list[str], path: Path) -> np.ndarray:
    """Parse a 2-D array of strings as float64, naming the first cell that is not a number."""
    try:
        X = cells.astype(np.float64)
    except ValueError:
        X = None
    if X is None:  # find the culprit, column by column, in the order of the file
        for i, line in enumerate(lines):
            for j, name in enumerate(names):
                cell = str(cells[i, j])
                if cell == "":
                    raise ValueError(f"{path}, line {line}: column {name!r} is empty")
                try:
                    float(cell)
                except ValueError:
                    raise ValueError(
                        f"{path}, line {line}: column {name!r} holds {cell!r}, not a number; "
                        "every column except the label must be numeric"
                    ) from None
        X = np.array([[float(c) for c in row] for row in cells.tolist()], dtype=np.float64)
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        i, j = bad[0]
        raise ValueError(
            f"{path}, line {lines[i]}: column {names[j]!r} holds {str(cells[i, j])!r}, a missing "
            f"or infinite value ({len(bad)} such cells in all); fill or drop them first"
        )
    return X


def _read_table(path: Path, delimiter: str) -> tuple[list[str], np.ndarray, list[int]]:
    """Header, cells (strings) and line numbers of a CSV file, with the file's defects named."""
    rows, lines = [], []
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{path}: empty file; a header row naming the columns is needed")
            header = [name.strip() for name in header]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise ValueError(
                        f"{path}, line {reader.line_num}: {len(row)} fields, but the header "
                        f"has {len(header)}"
                    )
                rows.append([cell.strip() for cell in row])
                lines.append(reader.line_num)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error})") from error
    except csv.Error as error:
        raise ValueError(f"{path}: not a valid CSV file ({error})") from error

    if "" in header:
        raise ValueError(f"{path}: column {header.index('') + 1} of the header has no name")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate column names in the header: {duplicates}")
    if not rows:
        raise ValueError(f"{path}: no data rows after the header")

    return header, np.array(rows, dtype=str), lines


def _split_label(
    header: list[str], cells: np.ndarray, lines: list[int], path: Path, label: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Set the column ``label`` apart from the features of a table read by ``_read_table``.

    Returns the features ``X`` (float32, the other columns in file order), the labels ``y``
    (typed by :func:`_labels`) and the features' names.
    """
    if label not in header:
        raise ValueError(f"{path}: no column named {label!r}; the columns are {header}")
    if len(header) < 2:
        raise ValueError(f"{path}: only the label column {label!r}; no feature columns")
    k = header.index(label)
    names = header[:k] + header[k + 1:]
    X = _to_float32(_features(np.delete(cells, k, axis=1), lines, names, path), str(path))
    return X, _labels(cells[:, k].tolist(), lines, path, label), tuple(names)


def read_csv(
    path: str | os.PathLike, label: str | None = None, delimiter: str = ","
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """All rows of a CSV file with a header row, unsplit (for prediction).

    Parameters
    ----------
    path : str or path-like
        As for :func:`load_csv`.
    label : str or None, default=None
        Name of a label column to set apart; None means every column is a feature.
    delimiter : str, default=","

    Returns
    -------
    X : ndarray of float32, shape (n_rows, n_features)
    y : ndarray or None
        The labels (typed as in :func:`load_csv`), or None without ``label``.
    feature_names : tuple of str
    """
    path = _existing_file(path)
    header, cells, lines = _read_table(path, delimiter)
    if label is None:
        X = _to_float32(_features(cells, lines, header, path), str(path))
        return X, None, tuple(header)
    return _split_label(header, cells, lines, path, label)


def load_csv(
    path: str | os.PathLike,
    label: str | None = None,
    test_size: float = 0.25,
    random_state: int | None = 0,
    delimiter: str = ",",
) -> Dataset:
    """A CSV file with a header row: one label column, every other column numeric.

    Parameters
    ----------
    path : str or path-like
        UTF-8 text (a byte-order mark is ignored). The first row names the columns; names must
        be distinct and not empty. Blank lines are skipped; spaces around cells are ignored.
    label : str or None, default=None
        Name of the label column; None means the **last** column.
    test_size : float, default=0.25
        Fraction of the rows in the test part, in (0, 1): ``ceil(test_size * n_rows)`` rows.
    random_state : int or None, default=0
        Seed of the shuffled split; the same seed gives the same split.
    delimiter : str, default=","
        One-character field separator, e.g. ``";"`` or ``"\\t"``.

    Returns
    -------
    Dataset
        ``X`` float32 of shape ``(n, n_columns - 1)``, the columns in file order, unscaled;
        ``feature_names`` the header's names. ``y`` keeps the labels as written: ``int64`` when
        every label is an integer, ``float64`` when every label is a number (a regression
        target), otherwise strings. The split is stratified (each class in the same proportion
        in both parts) when the labels are integers or strings, every class has at least 2 rows
        and each part has room for every class; otherwise it is a plain shuffled split.

    Raises
    ------
    DataFileNotFoundError
        No file at ``path`` (a ``FileNotFoundError`` and a ``ValueError``).
    ValueError
        Naming the file and line: no header or no data rows, a row with the wrong number of
        fields, an unknown ``label`` (listing the columns), a non-numeric feature cell (naming
        its column), an empty, NaN or infinite cell, a value beyond the float32 range.
    """
    path = _existing_file(path)
    check_split_options(test_size, random_state)
    header, cells, lines = _read_table(path, delimiter)
    label = header[-1] if label is None else label
    X, y, names = _split_label(header, cells, lines, path, label)
    X_train, X_test, y_train, y_test = split(X, y, test_size, random_state, str(path))
    return Dataset(
        X_train, y_train, X_test, y_test,
        name=path.name,
        description=(
            f"CSV file {path}, label column {label!r}, "
            f"split with test_size={test_size}, random_state={random_state}"
        ),
        feature_names=names,
    )


def _array(archive: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as error:
        if "allow_pickle" not in str(error):
            raise ValueError(f"{path}: cannot read array {key!r} ({error})") from error
        raise ValueError(
            f"{path}: array {key!r} holds Python objects (dtype=object), which nntricks refuses "
            "to load: reading them would unpickle, and unpickling a file can run arbitrary "
            "code. Save numeric (or string) arrays instead, e.g. "
            "np.savez(path, X=X.astype(np.float32), y=y.astype(np.int64))"
        ) from error


def _check_xy(X: np.ndarray, y: np.ndarray, names: tuple[str, str], path: Path) -> np.ndarray:
    """Validate one ``X``/``y`` pair of an archive; return ``X`` as float32."""
    if X.ndim != 2 or X.dtype.kind not in "biuf" or 0 in X.shape:
        raise ValueError(
            f"{path}: {names[0]} must be a non-empty 2-D numeric array (n_samples, n_features), "
            f"got {X.dtype} of shape {X.shape}"
        )
    if y.ndim != 1 or y.dtype.kind not in "biufUS":
        raise ValueError(
            f"{path}: {names[1]} must be a 1-D array of numbers or strings, got {y.dtype} "
            f"of shape {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(f"{path}: {names[0]} has {len(X)} rows but {names[1]} has {len(y)}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{path}: {names[1]} holds NaN or infinite labels")
    return _to_float32(X, f"{path}, {names[0]}")


def load_npz(
    path: str | os.PathLike, test_size: float = 0.25, random_state: int | None = 0
) -> Dataset:
    """A NumPy ``.npz`` archive, read without pickle.

    Parameters
    ----------
    path : str or path-like
        An archive written by :func:`numpy.savez` (or ``savez_compressed``) holding either
        ``X`` and ``y``, which are split here, or ``X_train``, ``y_train``, ``X_test``,
        ``y_test``, used as they are (then ``test_size`` and ``random_state`` are unused; the
        four win when both forms are present). An optional ``feature_names`` string array
        names the columns. Read with ``allow_pickle=False``: an archive holding object arrays
        is refused, since unpickling a stranger's file can run arbitrary code.
    test_size : float, default=0.25
        Fraction of the samples in the test part when the archive holds ``X`` and ``y``.
    random_state : int or None, default=0
        Seed of that split; stratified under the same rule as :func:`load_csv`.

    Returns
    -------
    Dataset
        ``X`` as float32 (unscaled); ``y`` with the dtype stored in the archive.

    Raises
    ------
    DataFileNotFoundError
        No file at ``path`` (a ``FileNotFoundError`` and a ``ValueError``).
    ValueError
        Not an ``.npz`` archive, missing keys (listing those present), an object array, ``X``
        not 2-D numeric, ``y`` not 1-D numbers or strings, lengths that differ, NaN or infinite
        values.
    """
    path = _existing_file(path)
    check_split_options(test_size, random_state)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: not an .npz archive (write one with numpy.savez)")
    with np.load(path, allow_pickle=False) as archive:
        keys = set(archive.files)
        presplit = set(_SPLIT_KEYS) <= keys
        if presplit:
            parts = {key: _array(archive, key, path) for key in _SPLIT_KEYS}
            how = "its own train/test split"
        elif {"X", "y"} <= keys:
            X, y = _array(archive, "X", path), _array(archive, "y", path)
            how = f"split with test_size={test_size}, random_state={random_state}"
        else:
            raise ValueError(
                f"{path}: expected arrays 'X' and 'y', or 'X_train', 'y_train', 'X_test' and "
                f"'y_test'; found {sorted(keys)}"
            )
        names = _array(archive, "feature_names", path) if "feature_names" in keys else None
    if presplit:
        for part in ("train", "test"):
            parts[f"X_{part}"] = _check_xy(
                parts[f"X_{part}"], parts[f"y_{part}"], (f"X_{part}", f"y_{part}"), path
            )
    else:
        X = _check_xy(X, y, ("X", "y"), path)
        X_train, X_test, y_train, y_test = split(X, y, test_size, random_state, str(path))
        parts = {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}
    if names is not None:
        if names.ndim != 1 or names.dtype.kind not in "US":
            raise ValueError(f"{path}: feature_names must be a 1-D string array")
        names = tuple(str(name) for name in names)
    return Dataset(
        **parts,
        name=path.name,
        description=f"NumPy archive {path}, {how}",
        feature_names=names,
    )
