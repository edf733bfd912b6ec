import json
import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

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
    (lambda m: m.update(params=m["params"][:-1]), "parameter vector has shape"),
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
