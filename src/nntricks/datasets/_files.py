"""The user's own data: a CSV file with a header row, or a NumPy ``.npz`` archive."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._dataset import DataFileNotFoundError, Dataset, Table, check_split_options, split

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MISSING_VALUES", "load_csv", "load_npz", "load_table", "read_csv", "read_table"]

MISSING_VALUES = ("", "NA", "N/A", "nan", "NaN", "?", "null")
"""The spellings of a missing CSV cell (after removing the spaces around it); no others."""

_SPLIT_KEYS = ("X_train", "y_train", "X_test", "y_test")
_NUMERIC_ONLY = ("load_csv and read_csv need numeric features without missing cells; "
                 "datasets.load_table (and `nntricks train`) encode text columns and impute "
                 "missing cells")


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


def _read_cells(path: Path, delimiter: str) -> pd.DataFrame:
    """The cells of a CSV file as strings without surrounding spaces, NaN where missing.

    Read by pandas as text (``na_filter=False``); the spellings of :data:`MISSING_VALUES` are
    then made NaN after stripping, so ``" NA "`` is missing too, and a blank line (skipped)
    stays distinct from a row of missing cells. The index is each row's line number in the
    file; the columns are the header's names.
    """
    import pandas as pd

    try:
        raw = pd.read_csv(path, sep=delimiter, header=None, dtype=str, na_filter=False,
                          skip_blank_lines=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file; a header row naming the columns is needed") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error})") from None
    except (pd.errors.ParserError, ValueError) as error:
        detail = str(error).strip().removeprefix("Error tokenizing data. C error: ")
        raise ValueError(f"{path}: not a valid CSV file ({detail})") from None
    header = [name.strip() for name in raw.iloc[0]]
    if "" in header:
        raise ValueError(f"{path}: column {header.index('') + 1} of the header has no name")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate column names in the header: {duplicates}")
    cells = raw.iloc[1:].apply(lambda column: column.str.strip())
    cells.columns = header
    cells = cells[(cells != "").any(axis=1)]  # blank lines
    if cells.empty:
        raise ValueError(f"{path}: no data rows after the header")
    cells.index = pd.RangeIndex(len(raw))[cells.index] + 1
    cells.index.name = "line"
    return cells.mask(cells.isin(MISSING_VALUES))


def _features(cells: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Columns whose every present cell is a number as float64; the others kept as text."""
    import pandas as pd

    features = cells.copy()
    for name, column in cells.items():
        numbers = pd.to_numeric(column, errors="coerce")
        if numbers.count() < column.count():
            continue
        infinite = np.isinf(numbers.to_numpy(dtype=np.float64))
        if infinite.any():
            line = column.index[np.argmax(infinite)]
            raise ValueError(f"{path}, line {line}: column {name!r} holds "
                             f"{column[line]!r}, an infinite number")
        features[name] = numbers.astype(np.float64)
    return features


def _labels(column: pd.Series, path: Path) -> np.ndarray:
    """Label cells as int64 if all are integers, else float64 if all are numbers, else str."""
    import pandas as pd

    missing = column.isna().to_numpy()
    if missing.any():
        raise ValueError(
            f"{path}, line {column.index[np.argmax(missing)]}: label column {column.name!r} is "
            f"missing ({missing.sum()} of {len(missing)} labels); fill or drop those rows"
        )
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.isna().any():
        return column.to_numpy(dtype=str)
    if numbers.dtype.kind in "iu" and numbers.dtype.itemsize <= 8:
        return numbers.to_numpy(dtype=np.int64)
    y = numbers.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(y)):
        line = column.index[np.argmin(np.isfinite(y))]
        raise ValueError(f"{path}, line {line}: label column {column.name!r} is infinite")
    return y


def _numeric(X: pd.DataFrame, path: Path) -> np.ndarray:
    """A table of numeric columns without missing cells as float32, or a ValueError naming
    the first text or missing cell."""
    import pandas as pd

    for name, column in X.items():
        missing = column.isna().to_numpy()
        if missing.any():
            raise ValueError(
                f"{path}, line {column.index[np.argmax(missing)]}: column {name!r} is missing "
                f"({missing.sum()} of {len(missing)} cells); {_NUMERIC_ONLY}"
            )
        if column.dtype.kind != "f":
            text = pd.to_numeric(column, errors="coerce").isna().to_numpy()
            line = column.index[np.argmax(text)]
            raise ValueError(f"{path}, line {line}: column {name!r} holds {column[line]!r}, "
                             f"not a number; {_NUMERIC_ONLY}")
    return _to_float32(X.to_numpy(dtype=np.float64), str(path))


def read_table(
    path: str | os.PathLike, label: str | None = None, delimiter: str = ","
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """All rows of a CSV file with a header row as a table: numbers, text and missing cells.

    Parameters
    ----------
    path : str or path-like
        UTF-8 text (a byte-order mark is ignored), read by pandas. The first row names the
        columns; names must be distinct and not empty. Blank lines are skipped and spaces
        around cells ignored. A cell spelled as one of :data:`MISSING_VALUES` (empty, ``NA``,
        ``N/A``, ``nan``, ``NaN``, ``?``, ``null``) is missing; a row with fewer fields than
        the header is missing its last cells; a row with more is an error.
    label : str or None, default=None
        Name of a label column to set apart; None means every column is a feature.
    delimiter : str, default=","
        One-character field separator, e.g. ``";"`` or ``"\\t"``.

    Returns
    -------
    X : pandas.DataFrame
        The feature columns in file order: float64 where every present cell is a number, text
        otherwise; NaN marks a missing cell. The index is the line number in the file.
    y : ndarray or None
        The labels, typed as in :func:`load_csv`, or None without ``label``.

    Raises
    ------
    DataFileNotFoundError
        No file at ``path`` (a ``FileNotFoundError`` and a ``ValueError``).
    ValueError
        Naming the file (and the line where there is one): no header or no data rows, a header
        name empty or repeated, a row with too many fields, an unknown ``label`` (listing the
        columns), no feature column, a missing or infinite label, an infinite number.
    """
    path = _existing_file(path)
    return _split_label(_read_cells(path, delimiter), label, path)


def _split_label(cells: pd.DataFrame, label: str | None, path: Path
                 ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Features and labels of the cells :func:`_read_cells` read; labels None without a label."""
    if label is None:
        return _features(cells, path), None
    if label not in cells.columns:
        raise ValueError(f"{path}: no column named {label!r}; the columns are "
                         f"{list(cells.columns)}")
    if cells.shape[1] < 2:
        raise ValueError(f"{path}: only the label column {label!r}; no feature columns")
    return _features(cells.drop(columns=label), path), _labels(cells[label], path)


def read_csv(
    path: str | os.PathLike, label: str | None = None, delimiter: str = ","
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """All rows of a numeric CSV file with a header row, unsplit (for prediction).

    Parameters
    ----------
    path : str or path-like
        As for :func:`read_table`; every feature cell must be a number.
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
    X, y = read_table(path, label, delimiter)
    return _numeric(X, Path(path)), y, tuple(X.columns)


def load_csv(
    path: str | os.PathLike,
    label: str | None = None,
    test_size: float = 0.25,
    random_state: int | None = 0,
    delimiter: str = ",",
) -> Dataset:
    """A numeric CSV file with a header row: one label column, every other column a number.

    For text columns and missing cells, see :func:`load_table`.

    Parameters
    ----------
    path : str or path-like
        Read as by :func:`read_table`.
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
        As :func:`read_table`, and naming the line and column of a text or missing feature
        cell, or a value beyond the float32 range.
    """
    path = _existing_file(path)
    check_split_options(test_size, random_state)
    X, y, label = _table(path, label, delimiter)
    X_train, X_test, y_train, y_test = split(_numeric(X, path), y, test_size, random_state,
                                             str(path))
    return Dataset(
        X_train, y_train, X_test, y_test,
        name=path.name,
        description=_description(path, label, test_size, random_state),
        feature_names=tuple(X.columns),
    )


def load_table(
    path: str | os.PathLike,
    label: str | None = None,
    test_size: float = 0.25,
    random_state: int | None = 0,
    delimiter: str = ",",
    drop: Sequence[str] = (),
) -> Table:
    """A CSV file as a table of numeric and text columns with missing cells, split in two.

    Parameters
    ----------
    path : str or path-like
        Read as by :func:`read_table`.
    label : str or None, default=None
        Name of the label column; None means the **last** column.
    test_size : float, default=0.25
        Fraction of the rows in the test part, in (0, 1).
    random_state : int or None, default=0
        Seed of the split, stratified under the same rule as :func:`load_csv`.
    delimiter : str, default=","
    drop : sequence of str, default=()
        Columns to leave out (say, an identifier).

    Returns
    -------
    Table
        ``X_train``, ``X_test`` data frames as :func:`read_table` returns them, without the
        label and ``drop`` columns; ``y`` typed as in :func:`load_csv`.

    Raises
    ------
    DataFileNotFoundError
        No file at ``path``.
    ValueError
        As :func:`read_table`; a ``drop`` name that is not a column or is the label.
    """
    path = _existing_file(path)
    check_split_options(test_size, random_state)
    X, y, label = _table(path, label, delimiter)
    unknown = [name for name in drop if name not in X.columns]
    if unknown:
        what = "the label column" if unknown == [label] else "no such column"
        raise ValueError(f"{path}: cannot drop {', '.join(map(repr, unknown))}: {what}; the "
                         f"feature columns are {list(X.columns)}")
    X = X.drop(columns=list(drop))
    if X.shape[1] == 0:
        raise ValueError(f"{path}: every feature column is dropped")
    X_train, X_test, y_train, y_test = split(X, y, test_size, random_state, str(path))
    dropped = f", without {', '.join(drop)}" if drop else ""
    return Table(X_train, y_train, X_test, y_test, name=path.name, label=label,
                 description=_description(path, label, test_size, random_state) + dropped)


def _table(path: Path, label: str | None, delimiter: str
           ) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Features, labels and the label's name (the last column when ``label`` is None)."""
    cells = _read_cells(path, delimiter)
    label = cells.columns[-1] if label is None else label
    X, y = _split_label(cells, label, path)
    return X, y, label


def _description(path: Path, label: str, test_size: float, random_state: int | None) -> str:
    return (f"CSV file {path}, label column {label!r}, "
            f"split with test_size={test_size}, random_state={random_state}")


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


def read_npz(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """The samples of a ``.npz`` archive to predict: ``X`` (and ``y`` when present), or else
    ``X_test`` (and ``y_test``), read without pickle.

    Raises
    ------
    DataFileNotFoundError
        No file at ``path``.
    ValueError
        Not an ``.npz`` archive, no ``X`` or ``X_test`` (listing the arrays present), an object
        array, ``X`` not 2-D numeric, ``y`` not 1-D or of another length, NaN or infinity.
    """
    path = _existing_file(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: not an .npz archive (write one with numpy.savez)")
    with np.load(path, allow_pickle=False) as archive:
        keys = set(archive.files)
        x_key, y_key = ("X", "y") if "X" in keys else ("X_test", "y_test")
        if x_key not in keys:
            raise ValueError(f"{path}: expected an array 'X' (or 'X_test') of samples; found "
                             f"{sorted(keys) or 'no arrays'}")
        X = _array(archive, x_key, path)
        y = _array(archive, y_key, path) if y_key in keys else None
    _check_xy(X, np.zeros(len(X)) if y is None else y, (x_key, y_key), path)
    return X, y  # in the stored precision: predictions as of the same rows in a CSV file


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
