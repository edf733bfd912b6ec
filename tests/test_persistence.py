import io
import json
import os
import pickle
import stat
import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, OneHotEncoder, StandardScaler

import nntricks
from nntricks import MLPClassifier, MLPRegressor, Standardize, Whiten
from nntricks.persistence import FORMAT_VERSION, ModelFileError, load, save


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=90, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)


def fitted(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def read_members(path):
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def write_members(path, members):
    with open(path, "wb") as file:
        np.savez(file, **members)


@pytest.mark.parametrize("make", [
    lambda X, y: MLPClassifier(max_iter=5, random_state=0),
    lambda X, y: MLPClassifier(max_iter=5, random_state=0, dtype="float32", dropout=0.2),
    lambda X, y: MLPClassifier(solver="lbfgs", max_iter=5, random_state=0),
    lambda X, y: MLPRegressor(max_iter=5, random_state=0, activation="softsign"),
    lambda X, y: make_pipeline(Standardize(), Whiten(method="zca"),
                               MLPClassifier(max_iter=5, random_state=0)),
], ids=["classifier", "float32-dropout", "lbfgs", "regressor", "pipeline"])
def test_save_load_predict_gives_identical_outputs(make, data, tmp_path):
    X, y = data
    model = fitted(make(X, y), X, y)
    path = save(model, tmp_path / "model.npz")
    loaded = load(path)
    method = "predict_proba" if hasattr(model, "predict_proba") else "predict"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("labels", [np.array(["cat", "dog", "eel"]), np.array([10, 20, 30])])
def test_classes_and_feature_names_survive(labels, data, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = fitted(MLPClassifier(max_iter=5, random_state=0), frame, labels[y])
    model.save(tmp_path / "m.npz")
    loaded = nntricks.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))


def test_multilabel_and_binary_classifiers_round_trip(tmp_path):
    X, Y = make_multilabel_classification(n_samples=60, n_classes=4, random_state=0)
    for target in (Y, Y[:, 0]):
        model = fitted(MLPClassifier(max_iter=5, random_state=0), X, target)
        loaded = load(save(model, tmp_path / "m.npz"))
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_the_file_records_version_hyperparameters_and_history(data, tmp_path):
    X, y = data
    model = fitted(MLPClassifier(hidden_layer_sizes=(7, 3), alpha=0.01, l1=0.001, max_iter=4,
                                 random_state=3), X, y)
    meta = json.loads(str(read_members(save(model, tmp_path / "m.npz"))["__meta__"]))
    assert meta["nntricks_version"] == nntricks.__version__
    assert meta["format_version"] == FORMAT_VERSION
    expected = model.get_params()
    expected["hidden_layer_sizes"] = list(expected["hidden_layer_sizes"])
    assert meta["params"] == expected
    assert [r["loss"] for r in meta["state"]["history"]] == model.loss_curve_
    assert load(tmp_path / "m.npz").history_ == model.history_


def test_a_loaded_model_resumes_partial_fit_exactly(data, tmp_path):
    X, y = data
    model = MLPClassifier(solver="adam", random_state=0)
    for _ in range(3):
        model.partial_fit(X, y, classes=[0, 1, 2])
    loaded = load(save(model, tmp_path / "m.npz"))
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_truncated_file_gives_a_clear_error(data, tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=2), X, y), tmp_path / "m.npz")
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(ModelFileError, match="m.npz is truncated or corrupted"):
        load(path)


def test_a_pickled_object_inside_is_refused(data, tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=2), X, y), tmp_path / "m.npz")
    members = read_members(path)
    members["params"] = np.array([object()], dtype=object)
    with open(path, "wb") as file:
        np.savez(file, **members)  # np.savez pickles object arrays
    with zipfile.ZipFile(path) as archive:
        assert b"'descr': '|O'" in archive.read("params.npy")[:128]  # an object array indeed
    with pytest.raises(ModelFileError, match="holds a pickled object; refused"):
        load(path)


def test_a_pickle_renamed_to_npz_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(ModelFileError, match="evil.npz"):
        load(path)


@pytest.mark.parametrize("tamper, message", [
    (lambda m: m.update(params=m["params"][:-1]),
     r"the architecture declares 1003 weights; the parameter vector holds 1002"),
    (lambda m: m.update(params=np.append(m["params"], 0.0)), "parameter vector has shape"),
    (lambda m: m.update(__meta__=np.array("{not json")), "not valid JSON"),
    (lambda m: _edit_meta(m, {"class": "os.system"}), "unknown model class 'os.system'"),
    (lambda m: _edit_meta(m, {"params": {"evil": 1}}, merge="params"),
     r"unknown MLPClassifier parameters \['evil'\]"),
    (lambda m: _edit_meta(m, {"params": {"activation": "swish"}}, merge="params"),
     "unknown activation 'swish'"),
    (lambda m: m.pop("classes_"), "classes_"),
    (lambda m: m.update(params=np.full_like(m["params"], np.nan)), "NaN or infinite"),
])
def test_a_tampered_file_gives_a_clear_error(tamper, message, data, tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=2), X, y), tmp_path / "m.npz")
    members = read_members(path)
    tamper(members)
    write_members(path, members)
    with pytest.raises(ModelFileError, match=message):
        load(path)


def _edit_meta(members, changes, merge=None):
    meta = json.loads(str(members["__meta__"]))
    if merge:
        meta[merge].update(changes[merge])
    else:
        meta.update(changes)
    members["__meta__"] = np.array(json.dumps(meta))


def test_a_newer_format_version_is_refused(data, tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=2), X, y), tmp_path / "m.npz")
    members = read_members(path)
    _edit_meta(members, {"format_version": FORMAT_VERSION + 1, "nntricks_version": "9.0"})
    write_members(path, members)
    newer = FORMAT_VERSION + 1
    with pytest.raises(ModelFileError, match=rf"format {newer} by nntricks 9\.0.*upgrade nntricks"):
        load(path)


def test_an_interrupted_save_leaves_the_old_file_intact(data, tmp_path, monkeypatch):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=2, random_state=0), X, y), tmp_path / "m.npz")
    before = path.read_bytes()
    newer = fitted(MLPClassifier(max_iter=3, random_state=1), X, y)

    def savez_cut_midway(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", savez_cut_midway)
    with pytest.raises(KeyboardInterrupt):
        save(newer, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary file left behind


@pytest.mark.parametrize("target, error, message", [
    ("folder", IsADirectoryError, r"'{tmp}/folder': it is a folder; give a file name such as "
                                  r"'{tmp}/folder/model.npz'"),
    ("absent/m.npz", FileNotFoundError, r"'{tmp}/absent/m.npz': the folder '{tmp}/absent' "
                                        r"does not exist"),
    ("file/m.npz", NotADirectoryError, r"'{tmp}/file/m.npz': '{tmp}/file' is a file, not a "
                                       r"folder"),
], ids=["folder", "missing-folder", "folder-is-a-file"])
def test_a_target_that_cannot_be_a_file_is_refused_naming_it(target, error, message, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("")
    before = sorted(tmp_path.rglob("*"))
    # An unfitted model: the path is checked before any work.
    with pytest.raises(error, match=message.format(tmp=tmp_path)) as caught:
        save(MLPClassifier(), tmp_path / target)
    assert ".tmp" not in str(caught.value)
    assert sorted(tmp_path.rglob("*")) == before


def test_a_target_that_is_not_writable_is_refused_naming_it(data, tmp_path, monkeypatch):
    X, y = data
    model = fitted(MLPClassifier(max_iter=1), X, y)
    path = save(model, tmp_path / "m.npz")
    refused = {tmp_path}
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) not in refused)  # root writes all
    with pytest.raises(PermissionError, match=f"the folder '{tmp_path}' is not writable"):
        save(model, tmp_path / "new.npz")
    refused = {path}
    with pytest.raises(PermissionError, match=f"'{path}': the file is not writable"):
        save(model, path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_a_failed_write_names_the_users_file_and_leaves_no_temporary_file(data, tmp_path,
                                                                         monkeypatch):
    X, y = data
    model = fitted(MLPClassifier(max_iter=1), X, y)

    def disk_full(source, target):
        raise OSError(28, "No space left on device", source, target)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left on device") as caught:
        save(model, tmp_path / "m.npz")
    assert caught.value.filename == str(tmp_path / "m.npz")
    assert ".tmp" not in str(caught.value)
    assert not any(tmp_path.iterdir())


def test_save_and_load_use_the_path_exactly_as_given(data, tmp_path):
    X, y = data
    model = fitted(MLPClassifier(max_iter=1, random_state=0), X, y)
    path = save(model, tmp_path / "model")  # no suffix added, unlike np.savez
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    np.testing.assert_array_equal(load(tmp_path / "model").predict_proba(X),
                                  model.predict_proba(X))
    path.rename(tmp_path / "model.npz")
    with pytest.raises(FileNotFoundError, match=r"no model file at .*model; did you mean "
                                                r".*model\.npz\?"):
        load(tmp_path / "model")
    with pytest.raises(IsADirectoryError, match="is a folder, not a model file"):
        load(tmp_path)



def test_missing_file_and_unfitted_or_foreign_models(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file at"):
        load(tmp_path / "absent.npz")
    with pytest.raises(Exception, match="not fitted"):
        save(MLPClassifier(), tmp_path / "m.npz")
    with pytest.raises(ValueError, match="cannot save a LinearRegression"):
        from sklearn.linear_model import LinearRegression

        save(LinearRegression().fit([[0], [1]], [0, 1]), tmp_path / "m.npz")


def test_a_format_1_file_still_loads_predicts_and_trains():
    """``data/model_format_1.npz`` is ``Pipeline([Standardize(), MLPClassifier(
    hidden_layer_sizes=(8,), max_iter=5, random_state=0)])`` fitted on the first 500 digits and
    saved by nntricks 0.1.0 at commit 75e07c4 (format 1); ``model_format_1_expected.npz`` holds
    that version's ``predict_proba`` of digits 500-539."""
    data = Path(__file__).parent / "data"
    model = load(data / "model_format_1.npz")
    expected = np.load(data / "model_format_1_expected.npz")
    np.testing.assert_allclose(model.predict_proba(expected["X"]), expected["proba"],
                               rtol=1e-12, atol=1e-15)
    mlp = model.named_steps["mlp"]
    assert mlp.n_iter_ == 5 and len(mlp.history_) == 5
    mlp.partial_fit(model.named_steps["scale"].transform(expected["X"]),
                    mlp.predict(model.named_steps["scale"].transform(expected["X"])))
    assert len(mlp.history_) == 6 and mlp.t_ == 500 * 5 + 40  # training goes on


# -- scikit-learn transformers, saved without pickle --------------------------------------------

@pytest.fixture(scope="module")
def frame():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    n = 120
    return pd.DataFrame({
        "colour": rng.choice(["red", "green", "blue"], n).astype(object),
        "size": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
        "weight": rng.normal(size=n),
    }), rng.integers(0, 3, n)


def _column_transformer(remainder):
    return ColumnTransformer([("num", SimpleImputer(add_indicator=True), ["size"]),
                              ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"])],
                             remainder=remainder)


def _dense(Z):
    return Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z)


@pytest.mark.parametrize("make, columns", [
    (lambda: StandardScaler(), ["weight"]),
    (lambda: MinMaxScaler((-1, 1)), ["weight", "size"]),
    (lambda: OneHotEncoder(handle_unknown="ignore", dtype=np.float32), ["colour"]),
    (lambda: OneHotEncoder(sparse_output=False), ["size"]),  # NaN is a category of its own
    (lambda: SimpleImputer(add_indicator=True), ["size"]),
    (lambda: SimpleImputer(strategy="most_frequent"), ["colour"]),
    (lambda: _column_transformer("drop"), ["colour", "size", "weight"]),
    (lambda: _column_transformer("passthrough"), ["colour", "size", "weight"]),
], ids=["StandardScaler", "MinMaxScaler", "OneHotEncoder-text", "OneHotEncoder-NaN",
        "SimpleImputer-indicator", "SimpleImputer-text", "ColumnTransformer-drop",
        "ColumnTransformer-passthrough"])
def test_a_trusted_scikit_learn_transformer_round_trips(make, columns, frame, tmp_path):
    X, _ = frame
    transformer = make().fit(X[columns])
    loaded = load(save(transformer, tmp_path / "t.npz"))
    assert type(loaded) is type(transformer)
    assert repr(loaded.get_params()) == repr(transformer.get_params())
    np.testing.assert_array_equal(_dense(loaded.transform(X[columns])),
                                  _dense(transformer.transform(X[columns])))
    assert sorted(vars(loaded)) == sorted(vars(transformer))


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("remainder", ["drop", "passthrough"])
def test_a_pipeline_of_a_dataframe_with_text_and_missing_values_round_trips(
        estimator, remainder, frame, tmp_path):
    X, y = frame
    model = fitted(make_pipeline(_column_transformer(remainder), Standardize(),
                                 estimator(hidden_layer_sizes=(5,), max_iter=5, random_state=0)),
                   X, y)
    loaded = load(save(model, tmp_path / "p.npz"))
    unseen = X.head(5).copy()
    unseen["colour"] = ["purple", "red", None, "green", "teal"]  # unseen categories
    unseen.loc[0, "size"] = np.nan
    for data in (X, unseen):
        np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
    if estimator is MLPClassifier:
        np.testing.assert_array_equal(loaded.predict_proba(unseen), model.predict_proba(unseen))
    with zipfile.ZipFile(tmp_path / "p.npz") as archive:
        assert all(b"'descr': '|O'" not in archive.read(n)[:128] for n in archive.namelist())


def test_what_the_format_cannot_express_is_refused_at_save_time(frame, tmp_path):
    X, _ = frame
    with pytest.raises(ValueError, match="cannot save FunctionTransformer.func of type ufunc"):
        save(FunctionTransformer(np.log1p).fit(X[["weight"]]), tmp_path / "f.npz")
    scaler = StandardScaler().fit(X[["weight"]])
    scaler.extra_ = {1: "a key that is not text"}
    with pytest.raises(ValueError, match="cannot save StandardScaler.extra_ of type dict"):
        save(scaler, tmp_path / "s.npz")
    with pytest.raises(Exception, match="not fitted"):
        save(StandardScaler(), tmp_path / "s.npz")
    assert not any(tmp_path.iterdir())


def _saved_scaler_meta(frame, tmp_path):
    X, _ = frame
    path = save(StandardScaler().fit(X[["weight", "size"]].fillna(0)), tmp_path / "s.npz")
    members = read_members(path)
    return path, members, json.loads(str(members["__meta__"]))


@pytest.mark.parametrize("edit, message", [
    (lambda m: m.update({"class": "sklearn.linear_model.LinearRegression"}),
     "unknown model class 'sklearn.linear_model.LinearRegression'"),
    (lambda m: m["attributes"]["dict"].update(transform={"float": "nan"}),
     "StandardScaler cannot have the attribute 'transform'"),
    (lambda m: m["attributes"]["dict"].pop("scale_"), r"lacks \['scale_'\]"),
    (lambda m: m["attributes"]["dict"].update(mean_={"pickle": "cos\nsystem"}),
     "unknown tag 'pickle'"),
    (lambda m: m["attributes"]["dict"].update(mean_={"type": "builtins.eval"}),
     "the type 'builtins.eval' is not allowed"),
    (lambda m: m["attributes"]["dict"].update(mean_={"array": "99"}),
     "names the array '99', which the file lacks"),
    (lambda m: m["attributes"]["dict"].update(mean_=[1.0, 2.0]), "untagged list"),
    (lambda m: m["attributes"]["dict"].update(n_features_in_=3),
     "StandardScaler.mean_ is not an array of one entry per feature"),
    (lambda m: m["params"]["dict"].update(evil=1), r"unknown StandardScaler parameters"),
])
def test_a_tampered_scikit_learn_description_is_refused(edit, message, frame, tmp_path):
    path, members, meta = _saved_scaler_meta(frame, tmp_path)
    edit(meta)
    members["__meta__"] = np.array(json.dumps(meta))
    write_members(path, members)
    with pytest.raises(ModelFileError, match=message):
        load(path)


# -- what a damaged or foreign file gets --------------------------------------------------------

@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_saved_file_follows_the_umask(umask, mode, data, tmp_path):
    X, y = data
    model = fitted(MLPClassifier(max_iter=1), X, y)
    old = os.umask(umask)
    try:
        path = save(model, tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("write, message", [
    (lambda p: p.write_bytes(_npy(np.arange(3.0))),
     "is a single .npy array, not an nntricks model file"),
    (lambda p: p.write_text("hidden_layer_sizes = 100\n"), "is not an nntricks model file"),
    (lambda p: p.write_bytes(np.random.default_rng(0).bytes(500)),
     "is not an nntricks model file"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: write_members(p, {"weights": np.ones(3)}), r"no __meta__ member"),
    (lambda p: p.write_bytes(pickle.dumps({"not": "a model"})),
     "is a Python pickle, not an nntricks model file; refused"),
])
def test_a_file_that_is_not_a_model_gets_an_accurate_message(write, message, tmp_path):
    path = tmp_path / "file.npz"
    write(path)
    with pytest.raises(ModelFileError, match=message) as caught:
        load(path)
    if "pickle" not in message:
        assert "pickle" not in str(caught.value)


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_header(header: str) -> bytes:
    padded = header + " " * (-(10 + len(header) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(padded)) + padded.encode("latin1")


def test_a_huge_declared_array_is_refused_before_anything_is_allocated(data, tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=1), X, y), tmp_path / "m.npz")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("huge.npy", _npy_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }") + b"\0" * 64)
    with pytest.raises(ModelFileError, match=r"member 'huge.npy' declares 8000000000000 bytes"):
        load(path)


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["params"].update(hidden_layer_sizes=[10**6, 10**6]),
     r"the architecture declares 1000\d+ weights; the parameter vector holds"),
    (lambda m: m["state"]["fitted"].update(n_features_in_=6.0),
     "n_features_in_ is 6.0, not count"),
    (lambda m: m["state"]["fitted"].update(n_outputs_=2), "3 classes do not fit 2 outputs"),
    (lambda m: m["state"]["fitted"].update(loss_curve_="low"), "loss_curve_ is 'low'"),
    (lambda m: m["state"]["history"][0].pop("loss"), "a history record are"),
    (lambda m: m["state"]["history"][0].update(epoch="1"), "epoch is '1', not count"),
    (lambda m: m["state"].update(dtype="object"), "unknown dtype 'object'"),
])
def test_a_crafted_description_is_refused_before_the_model_is_built(edit, message, data,
                                                                    tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(hidden_layer_sizes=(4,), max_iter=1), X, y),
                tmp_path / "m.npz")
    members = read_members(path)
    meta = json.loads(str(members["__meta__"]))
    edit(meta)
    members["__meta__"] = np.array(json.dumps(meta))
    write_members(path, members)
    with pytest.raises(ModelFileError, match=message):
        load(path)


@pytest.mark.parametrize("depth", [101, 100_000])
def test_a_deeply_nested_description_is_refused(depth, data, tmp_path):
    X, y = data
    path = save(fitted(MLPClassifier(max_iter=1), X, y), tmp_path / "m.npz")
    members = read_members(path)
    text = str(members["__meta__"])
    members["__meta__"] = np.array(text[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}")
    write_members(path, members)
    with pytest.raises(ModelFileError, match="nested deeper than 100"):
        load(path)


def test_nntricks_save_writes_a_pipeline(data, tmp_path):
    X, y = data
    pipeline = fitted(make_pipeline(StandardScaler(), MLPClassifier(max_iter=2, random_state=0)),
                      X, y)
    assert "save" in nntricks.__all__ and "load" in nntricks.__all__
    nntricks.save(pipeline, tmp_path / "pipeline.npz")
    loaded = nntricks.load(tmp_path / "pipeline.npz")
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))


def test_a_model_from_nntricks_train_loads_after_a_bare_import(tmp_path):
    """The main job's model holds a TableSchema: ``import nntricks`` alone must know it (it
    used to be registered only once nntricks.tabular was imported)."""
    import subprocess
    import sys

    from nntricks.cli import main

    assert main(["train", "--max-iter", "2", "--quiet", "--output", str(tmp_path)]) == 0
    script = ("import sys, nntricks; model = nntricks.load(sys.argv[1]); "
              "print(type(model).__name__, type(model.steps[0][1]).__name__)")
    completed = subprocess.run([sys.executable, "-c", script, str(tmp_path / "model.npz")],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["Pipeline", "TableSchema"]
