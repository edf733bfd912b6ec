import gzip
import random
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import require_system
from nntricks.datasets import (
    DEFAULT,
    FASHION_MNIST_DIR,
    MISSING_VALUES,
    DataFileNotFoundError,
    Dataset,
    OptionalDependencyError,
    Table,
    available,
    load,
    load_csv,
    load_digits,
    load_fashion_mnist,
    load_mnist1d,
    load_npz,
    load_table,
    read_csv,
    read_idx,
    read_table,
)

# ---------------------------------------------------------------------------------------------
# An independent IDX writer: the format written out by hand with struct, big-endian.

IDX_CODES = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    kind = array.dtype.str[1:]
    header = struct.pack(">BBBB", 0, 0, IDX_CODES[kind], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# ---------------------------------------------------------------------------------------------
# read_idx: good files read exactly


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_read_idx_reads_every_type_exactly(tmp_path, rng, dtype):
    if dtype[0] == "f":
        array = rng.standard_normal((3, 4, 5)).astype(dtype)
    else:
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, size=(3, 4, 5), endpoint=True).astype(dtype)
    got = read_idx(write_idx(tmp_path / "a.idx", array))
    assert got.shape == array.shape
    assert got.dtype == np.dtype(dtype)  # native byte order
    assert got.dtype.isnative
    np.testing.assert_array_equal(got, array)


def test_read_idx_is_big_endian(tmp_path):
    # 0x0102 as a big-endian short is 258, not 513
    path = tmp_path / "short.idx"
    path.write_bytes(bytes([0, 0, 0x0B, 1, 0, 0, 0, 1, 0x01, 0x02]))
    assert read_idx(path).tolist() == [258]


def test_read_idx_images_labels_and_gzip(tmp_path, rng):
    images = rng.integers(0, 256, size=(7, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 10, size=7).astype(np.uint8)
    plain = read_idx(write_idx(tmp_path / "images-idx3-ubyte", images))
    packed = read_idx(write_idx(tmp_path / "images-idx3-ubyte.gz", images, compress=True))
    np.testing.assert_array_equal(plain, images)
    np.testing.assert_array_equal(packed, images)
    got_labels = read_idx(write_idx(tmp_path / "labels-idx1-ubyte.gz", labels, compress=True))
    assert got_labels.shape == (7,)
    np.testing.assert_array_equal(got_labels, labels)
    plain[0, 0, 0] = 1  # the result is the caller's, writable


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.int32).reshape(2, 3)
    got = read_idx(write_idx(tmp_path / "no-suffix", array, compress=True))
    np.testing.assert_array_equal(got, array)


# ---------------------------------------------------------------------------------------------
# read_idx: every defect is a ValueError naming the file and the problem

GOOD = idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
BAD_FILES = {
    "magic": (b"\x01" + GOOD[1:], "two zero bytes"),
    "magic-second-byte": (GOOD[:1] + b"\x08" + GOOD[2:], "two zero bytes"),
    "type-code": (GOOD[:2] + b"\x0a" + GOOD[3:], "unknown IDX type code 0x0A"),
    "zero-ndim": (bytes([0, 0, 8, 0]), "0 dimensions"),
    "zero-size": (bytes([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0]), "size zero"),
    "short-header": (GOOD[:2], "too short"),
    "dims-cut": (GOOD[:9], "header cut short"),
    "truncated": (GOOD[:-1], "truncated"),
    "trailing": (GOOD + b"\x00", "trailing bytes"),
    "huge-dims": (bytes([0, 0, 8, 2]) + struct.pack(">2I", 2**31, 2**31), "truncated"),
}


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("defect", list(BAD_FILES))
def test_read_idx_rejects_defects(tmp_path, defect, compress):
    data, message = BAD_FILES[defect]
    path = tmp_path / f"{defect}.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(ValueError, match=message) as error:
        read_idx(path)
    assert str(path) in str(error.value)


def test_read_idx_rejects_corrupt_gzip(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(GOOD)[:-12])
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as error:
        read_idx(path)
    assert str(path) in str(error.value)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nothing")


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST from a tiny fake folder


def fake_fashion(folder: Path, rng, compress: bool, n_train: int = 20, n_test: int = 10):
    folder.mkdir(exist_ok=True)
    arrays = {}
    for part, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        suffix = ".gz" if compress else ""
        write_idx(folder / f"{part}-images-idx3-ubyte{suffix}", images, compress)
        write_idx(folder / f"{part}-labels-idx1-ubyte{suffix}", labels, compress)
        arrays[part] = images, labels
    return arrays


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_fashion_mnist_reads_a_fake_folder(tmp_path, rng, compress):
    arrays = fake_fashion(tmp_path / "fm", rng, compress)
    data = load_fashion_mnist(tmp_path / "fm")
    assert data.name == "fashion-mnist"
    assert data.X_train.shape == (20, 784) and data.X_test.shape == (10, 784)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    images, labels = arrays["train"]
    np.testing.assert_allclose(data.X_train, images.reshape(20, 784) / 255, rtol=1e-6)
    np.testing.assert_array_equal(data.y_train, labels)
    np.testing.assert_array_equal(data.y_test, arrays["t10k"][1])
    assert 0 <= data.X_train.min() and data.X_train.max() <= 1
    assert data.feature_names[:2] == ("pixel_0_0", "pixel_0_1")
    assert data.feature_names[-1] == "pixel_27_27"
    assert data.target_names[9] == "Ankle boot"
    same = load("fashion-mnist", data_dir=str(tmp_path / "fm"))
    np.testing.assert_array_equal(same.X_test, data.X_test)


def test_fashion_mnist_missing_folder_says_how_to_get_it(tmp_path):
    with pytest.raises(DataFileNotFoundError) as error:
        load_fashion_mnist(tmp_path / "absent")
    message = str(error.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "--data-dir" in message and str(tmp_path / "absent") in message
    assert isinstance(error.value, FileNotFoundError)
    assert isinstance(error.value, ValueError)  # what the CLI reports as a user error


def test_fashion_mnist_names_the_missing_file(tmp_path, rng):
    fake_fashion(tmp_path, rng, compress=False)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"missing t10k-labels-idx1-ubyte\[\.gz\]"):
        load_fashion_mnist(tmp_path)


def test_fashion_mnist_rejects_mismatched_counts(tmp_path, rng):
    fake_fashion(tmp_path, rng, compress=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(19, np.uint8))
    with pytest.raises(ValueError, match="20 train images but 19 train labels"):
        load_fashion_mnist(tmp_path)


def test_fashion_mnist_rejects_labels_with_wrong_type(tmp_path, rng):
    fake_fashion(tmp_path, rng, compress=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(20, np.int32))
    with pytest.raises(ValueError, match="expected uint8 labels"):
        load_fashion_mnist(tmp_path)


def test_real_fashion_mnist():
    require_system((FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").is_file(),
                   "the real Fashion-MNIST files are absent (apt-get install "
                   "dataset-fashion-mnist)")
    data = load("fashion-mnist")
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    assert data.X_train.dtype == np.float32
    assert data.X_train.min() == 0 and data.X_train.max() == 1
    for y in (data.y_train, data.y_test):  # balanced: 6000 and 1000 of each class
        np.testing.assert_array_equal(np.bincount(y), np.full(10, len(y) // 10))


# ---------------------------------------------------------------------------------------------
# digits


def test_digits_shapes_dtype_range():
    data = load_digits()
    assert data.X_train.shape == (1347, 64) and data.X_test.shape == (450, 64)
    assert data.X_train.dtype == np.float32 and data.X_test.dtype == np.float32
    assert data.y_train.dtype == np.int64
    X = np.concatenate([data.X_train, data.X_test])
    assert X.min() == 0 and X.max() == 1
    # every pixel is a multiple of 1/16: the counts 0..16 divided by 16
    np.testing.assert_array_equal(X * 16, np.round(X * 16))
    np.testing.assert_array_equal(data.classes, np.arange(10))
    assert len(data.feature_names) == 64 and data.name == "digits"
    assert load() is not data and DEFAULT == "digits"


def test_digits_split_is_stratified_and_seeded():
    a, b = load_digits(random_state=3), load_digits(random_state=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    c = load_digits(random_state=4)
    assert not np.array_equal(a.y_test, c.y_test)
    counts_all = np.bincount(np.concatenate([a.y_train, a.y_test]))
    # stratified: each class's test count is its share of the test part, within one sample
    expected = counts_all * len(a.y_test) / counts_all.sum()
    assert np.all(np.abs(np.bincount(a.y_test) - expected) <= 1)
    small = load("digits", test_size=0.1)
    assert small.X_test.shape == (180, 64)


def test_digits_rows_come_from_sklearn():
    from sklearn.datasets import load_digits as sklearn_digits

    X, y = sklearn_digits(return_X_y=True)
    data = load_digits()
    rows = {tuple(row): label for row, label in zip(X / 16, y, strict=True)}
    for row, label in zip(data.X_test[:20].astype(np.float64), data.y_test[:20], strict=True):
        assert rows[tuple(row)] == label


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "0.2"])
def test_split_rejects_bad_test_size(bad):
    with pytest.raises(ValueError, match="test_size"):
        load_digits(test_size=bad)


# ---------------------------------------------------------------------------------------------
# MNIST-1D (the optional extra, installed in CI)


def test_mnist1d_shapes_and_reproducibility(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.random.seed(7)  # noqa: NPY002 (checks the legacy global state is left alone)
    random.seed(7)
    before = np.random.random(), random.random()  # noqa: NPY002
    np.random.seed(7)  # noqa: NPY002
    random.seed(7)
    a = load("mnist1d")
    assert (np.random.random(), random.random()) == before  # noqa: NPY002
    assert a.X_train.shape == (4000, 40) and a.X_test.shape == (1000, 40)
    assert a.X_train.dtype == np.float32 and a.y_train.dtype == np.int64
    np.testing.assert_array_equal(a.classes, np.arange(10))
    b = load_mnist1d()
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    c = load_mnist1d(seed=1)
    assert not np.array_equal(a.X_train, c.X_train)
    assert list(tmp_path.iterdir()) == []  # nothing written without cache_dir


def test_mnist1d_cache_dir(tmp_path):
    fresh = load_mnist1d(cache_dir=tmp_path / "cache")
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1 and files[0].name.endswith("-seed42.npz")
    cached = load_mnist1d(cache_dir=tmp_path / "cache")
    for key in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(cached, key), getattr(fresh, key))


def test_mnist1d_without_the_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "mnist1d", None)
    monkeypatch.setitem(__import__("sys").modules, "mnist1d.data", None)
    with pytest.raises(OptionalDependencyError, match=r'pip install "nntricks\[mnist1d\]"') as e:
        load("mnist1d")
    assert isinstance(e.value, ImportError) and isinstance(e.value, ValueError)


# ---------------------------------------------------------------------------------------------
# CSV


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def classes_csv(path: Path, n_per_class: int = 6) -> Path:
    lines = ["a,b,species"]
    for k, name in enumerate(["cat", "dog", "emu"]):
        lines += [f"{k + i / 10},{-i},{name}" for i in range(n_per_class)]
    return write_csv(path, "\n".join(lines) + "\n")


def test_csv_last_column_is_the_default_label(tmp_path):
    data = load(str(classes_csv(tmp_path / "pets.csv")))
    assert data.name == "pets.csv" and data.feature_names == ("a", "b")
    assert data.X_train.dtype == np.float32 and data.X_train.shape == (13, 2)
    assert data.X_test.shape == (5, 2)
    assert data.y_train.dtype.kind == "U"
    np.testing.assert_array_equal(data.classes, ["cat", "dog", "emu"])
    # stratified: 5 test rows over 3 classes of 6 rows each
    assert sorted(np.unique(data.y_test, return_counts=True)[1]) == [1, 2, 2]
    # features and labels stay paired
    for row, label in zip(data.X_train, data.y_train, strict=True):
        assert ["cat", "dog", "emu"][int(row[0])] == label


def test_csv_label_option_int_labels_and_seed(tmp_path):
    path = write_csv(
        tmp_path / "d.csv",
        "y, x1 ,x2\n" + "".join(f"{i % 2}, {i}, {2 * i}\n" for i in range(10)) + "\n",
    )
    a = load_csv(path, label="y", random_state=5)
    assert a.feature_names == ("x1", "x2") and a.y_train.dtype == np.int64
    np.testing.assert_array_equal(a.X_train[:, 1], 2 * a.X_train[:, 0])
    np.testing.assert_array_equal(a.y_train, a.X_train[:, 0].astype(int) % 2)
    b = load(path, label="y", random_state=5)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert np.bincount(a.y_test).tolist() == [2, 1] or np.bincount(a.y_test).tolist() == [1, 2]


def test_csv_float_labels_and_singleton_classes_split_plainly(tmp_path):
    floats = write_csv(tmp_path / "r.csv", "x,t\n" + "".join(f"{i},{i / 3}\n" for i in range(8)))
    data = load_csv(floats)
    assert data.y_train.dtype == np.float64 and len(data.y_test) == 2
    singles = write_csv(tmp_path / "s.csv", "x,t\n" + "".join(f"{i},{i}\n" for i in range(8)))
    assert len(load_csv(singles).y_test) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,y\n1,2,0\n3,oops,1\n", r"line 3: column 'b' holds 'oops', not a number"),
        ("a,b,y\n1,2,0\n3,,1\n", r"line 3: column 'b' is missing \(1 of 2 cells\)"),
        ("a,b,y\n1,2,0\nNaN,4,1\n", r"line 3: column 'a' is missing.*load_table"),
        ("a,b,y\n1,2,0\n3,inf,1\n", r"line 3: column 'b' holds 'inf', an infinite number"),
        ("a,b,y\n1,2,0\n3,4,\n", r"line 3: label column 'y' is missing \(1 of 2 labels\)"),
        ("a,b,y\n1,2,0\n3,4, NA\n", r"line 3: label column 'y' is missing"),
        ("a,b,y\n1,2,0\n3,4\n", r"line 3: label column 'y' is missing"),  # a short row
        ("a,b,y\n1,2,0\n3,4,5,6\n", r"not a valid CSV file \(Expected 3 fields in line 3, saw 4"),
        ("a,b,y\n1,2,0\n3,\"4,1\n", r"not a valid CSV file \(EOF inside string"),
        ("a,b,y\n1,2,0\n1,1e39,1\n", "beyond the float32 range"),
        ("a,a,y\n1,2,0\n", "duplicate column names"),
        ("a,,y\n1,2,0\n", "column 2 of the header has no name"),
        ("a,b,y\n", "no data rows"),
        ("", "empty file"),
        ("y\n1\n2\n", "no feature columns"),
    ],
)
def test_csv_errors_name_the_problem(tmp_path, text, message):
    path = write_csv(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=message) as error:
        load_csv(path)
    assert str(path) in str(error.value)


def test_csv_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("größe,y\n1,0\n".encode("latin-1"))
    for reader in (load_csv, load_table, read_table):
        with pytest.raises(ValueError, match=r"latin1.csv: not UTF-8 text"):
            reader(path)


def test_csv_unknown_label_lists_columns(tmp_path):
    path = classes_csv(tmp_path / "pets.csv")
    with pytest.raises(ValueError, match=r"no column named 'kind'; the columns are \['a', 'b'"):
        load(path, label="kind")


def test_csv_semicolons_and_bom(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("\ufeffx;y\n1;0\n2;1\n3;0\n4;1\n", encoding="utf-8")
    data = load_csv(path, delimiter=";", test_size=0.5)
    assert data.feature_names == ("x",) and data.X_train.shape == (2, 1)


def test_missing_files(tmp_path):
    for name in ("absent.csv", "absent.npz"):
        with pytest.raises(FileNotFoundError, match="no such data file") as error:
            load(tmp_path / name)
        assert isinstance(error.value, ValueError)
    with pytest.raises(FileNotFoundError, match="no such data file"):
        load(f"{tmp_path}/absent")


@pytest.mark.parametrize("spelling", ["", "NA", "N/A", "nan", "NaN", "?", "null", " NA ",
                                      " ? "])
def test_every_spelling_of_a_missing_cell_is_missing(tmp_path, spelling):
    path = write_csv(tmp_path / "m.csv", f"x,color,y\n1,red,0\n{spelling},{spelling},1\n")
    X, y = read_table(path, label="y")
    assert X["x"].dtype == np.float64 and X["x"].isna().tolist() == [False, True]
    assert X["color"].isna().tolist() == [False, True]


@pytest.mark.parametrize("spelling", ["none", "-", "NULL", "missing", "n/a"])
def test_other_spellings_are_text(tmp_path, spelling):
    path = write_csv(tmp_path / "m.csv", f"x,y\n1,0\n{spelling},1\n")
    X, _ = read_table(path, label="y")
    assert X["x"].tolist() == ["1", spelling]
    assert MISSING_VALUES == ("", "NA", "N/A", "nan", "NaN", "?", "null")


def test_read_table_keeps_text_and_numbers_indexed_by_line(tmp_path):
    path = write_csv(tmp_path / "t.csv",
                     "size, color ,y\n1.5, blue ,a\n\n2,red,b\n3\n")  # blank line, short row
    X, y = read_table(path)
    assert X.columns.tolist() == ["size", "color", "y"] and X.index.tolist() == [2, 4, 5]
    assert X["size"].tolist() == [1.5, 2.0, 3.0] and X["size"].dtype == np.float64
    assert X["color"].tolist()[:2] == ["blue", "red"] and pd.isna(X["color"][5])
    assert y is None and pd.isna(X["y"][5])
    with pytest.raises(ValueError, match=r"line 5: label column 'y' is missing \(1 of 3"):
        read_table(path, label="y")


def test_read_table_without_label_and_a_label_typed_as_load_csv(tmp_path):
    path = write_csv(tmp_path / "t.csv", "a,b\n1,x\n2,y\n")
    X, y = read_table(path)
    assert y is None and X.columns.tolist() == ["a", "b"]
    assert read_table(path, label="a")[1].dtype == np.int64


def test_load_table_splits_drops_and_names_the_label(tmp_path):
    rows = "".join(f"{i},{'red' if i % 2 else 'blue'},{'NA' if i % 5 == 0 else i / 2},"
                   f"{i % 2}\n" for i in range(20))
    path = write_csv(tmp_path / "t.csv", "id,color,w,label\n" + rows)
    table = load_table(path, drop=["id"], test_size=0.25, random_state=1)
    assert isinstance(table, Table) and table.label == "label" and table.name == "t.csv"
    assert table.feature_names == ("color", "w") and table.n_features == 2
    assert len(table.X_train) == 15 and len(table.y_test) == 5
    assert not pd.api.types.is_numeric_dtype(table.X_train["color"])
    assert table.X_train["w"].isna().sum() > 0
    # rows stay paired with their labels: the line number gives the row
    for line, label in zip(table.X_test.index, table.y_test, strict=True):
        assert label == (line - 2) % 2
    assert "without id" in table.description and "Table(name='t.csv'" in repr(table)


@pytest.mark.parametrize("drop, message", [
    (["ID"], r"cannot drop 'ID': no such column; the feature columns are \['id', 'x'\]"),
    (["y"], r"cannot drop 'y': the label column"),
    (["id", "x"], "every feature column is dropped"),
])
def test_load_table_refuses_a_bad_drop(tmp_path, drop, message):
    path = write_csv(tmp_path / "t.csv", "id,x,y\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n")
    with pytest.raises(ValueError, match=message):
        load_table(path, drop=drop)


def test_text_and_missing_cells_get_the_same_advice_from_the_numeric_loaders(tmp_path):
    text = write_csv(tmp_path / "text.csv", "color,y\nblue,0\nred,1\n")
    missing = write_csv(tmp_path / "missing.csv", "w,y\n1,0\nNA,1\n")
    advice = "datasets.load_table (and `nntricks train`) encode text columns and impute missing"
    with pytest.raises(ValueError, match=r"line 2: column 'color' holds 'blue', not a number") as a:
        load_csv(text)
    with pytest.raises(ValueError, match=r"line 3: column 'w' is missing \(1 of 2 cells\)") as b:
        read_csv(missing, label="y")
    assert advice in str(a.value) and advice in str(b.value)


# ---------------------------------------------------------------------------------------------
# npz


def test_npz_with_X_and_y(tmp_path, rng):
    X = rng.standard_normal((40, 3))
    y = np.repeat(np.arange(4), 10)
    np.savez(tmp_path / "d.npz", X=X, y=y, feature_names=np.array(["p", "q", "r"]))
    data = load(tmp_path / "d.npz", test_size=0.5, random_state=2)
    assert data.X_train.dtype == np.float32 and data.X_train.shape == (20, 3)
    assert data.feature_names == ("p", "q", "r")
    assert np.bincount(data.y_test).tolist() == [5, 5, 5, 5]
    rows = {tuple(row.astype(np.float32)): label for row, label in zip(X, y, strict=True)}
    for row, label in zip(data.X_test, data.y_test, strict=True):
        assert rows[tuple(row)] == label


def test_npz_with_its_own_split(tmp_path, rng):
    parts = {
        "X_train": rng.standard_normal((6, 2)).astype(np.float32),
        "y_train": np.array([0, 1, 0, 1, 0, 1]),
        "X_test": rng.standard_normal((3, 2)).astype(np.float32),
        "y_test": np.array([1, 0, 1]),
    }
    np.savez_compressed(tmp_path / "s.npz", **parts)
    data = load_npz(tmp_path / "s.npz")
    for key, value in parts.items():
        np.testing.assert_array_equal(getattr(data, key), value)


def test_npz_refuses_object_arrays_clearly(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.zeros((4, 2)), y=np.array([0, "a", None, 1], dtype=object))
    with pytest.raises(ValueError, match="array 'y' holds Python objects") as error:
        load(tmp_path / "o.npz")
    assert "arbitrary code" in str(error.value) and str(tmp_path / "o.npz") in str(error.value)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"X": np.zeros(4), "y": np.zeros(4)}, "X must be a non-empty 2-D numeric"),
        ({"X": np.zeros((4, 2)), "y": np.zeros((4, 1))}, "y must be a 1-D array"),
        ({"X": np.zeros((4, 2)), "y": np.zeros(3)}, "X has 4 rows but y has 3"),
        ({"X": np.full((4, 2), np.nan), "y": np.zeros(4)}, "NaN, infinite"),
        ({"X": np.zeros((4, 2)), "y": np.array([0, 1, np.nan, 1])}, "NaN or infinite labels"),
        ({"features": np.zeros((4, 2))}, r"expected arrays 'X' and 'y'.*found \['features'\]"),
    ],
)
def test_npz_errors(tmp_path, arrays, message):
    np.savez(tmp_path / "e.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        load_npz(tmp_path / "e.npz")


def test_npz_that_is_not_an_archive(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros(3))
    (tmp_path / "x.npy").rename(tmp_path / "x.npz")
    with pytest.raises(ValueError, match="not an .npz archive"):
        load(tmp_path / "x.npz")


# ---------------------------------------------------------------------------------------------
# the dispatcher and the result type


def test_available_and_unknown_names(tmp_path):
    assert available() == ("digits", "mnist1d", "fashion-mnist")
    with pytest.raises(ValueError, match="unknown data set 'mnist'.*'digits', 'mnist1d'"):
        load("mnist")
    (tmp_path / "d.txt").write_text("x")
    with pytest.raises(ValueError, match=r"unsupported file type '\.txt'"):
        load(tmp_path / "d.txt")
    with pytest.raises(ValueError, match="expected a data set name or a file path"):
        load(3)


def test_names_are_forgiving_about_case_and_underscores(tmp_path, rng):
    fake_fashion(tmp_path, rng, compress=True)
    assert load("Fashion_MNIST", data_dir=tmp_path).name == "fashion-mnist"
    assert load(" Digits ").name == "digits"


def test_options_that_do_not_apply_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"'label' does not apply to 'digits'.*test_size"):
        load("digits", label="y")
    with pytest.raises(ValueError, match="'data_dir' does not apply to a .csv file"):
        load(classes_csv(tmp_path / "p.csv"), data_dir="x")
    with pytest.raises(ValueError, match="'test_size' does not apply to 'mnist1d'"):
        load("mnist1d", test_size=0.3)


def test_dataset_validates_and_is_frozen():
    X, y = np.zeros((3, 2), np.float32), np.zeros(3, np.int64)
    data = Dataset(X, y, X[:1], y[:1], name="t")
    assert data.n_features == 2
    assert repr(data) == "Dataset(name='t', n_train=3, n_test=1, n_features=2, y dtype=int64)"
    with pytest.raises(AttributeError):
        data.name = "u"
    with pytest.raises(ValueError, match="X_train must be a 2-D float32"):
        Dataset(X.astype(np.float64), y, X, y, name="t")
    with pytest.raises(ValueError, match="X_test and y_test have different lengths"):
        Dataset(X, y, X, y[:2], name="t")
    with pytest.raises(ValueError, match="X_train has 2 features but X_test has 1"):
        Dataset(X, y, X[:, :1], y, name="t")
    with pytest.raises(ValueError, match="1 feature names for 2 features"):
        Dataset(X, y, X, y, name="t", feature_names=("a",))
