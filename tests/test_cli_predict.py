"""Tables on the command line: `nntricks train` on CSV files with text and missing cells, the
task rule, and `nntricks predict` checking the training columns. Run in-process through the
CLI's main, which turns a ValueError into `nntricks COMMAND: error: ...` and exit code 2."""

import argparse
import csv
import json

import numpy as np
import pytest

from nntricks.cli import main
from nntricks.cli.predict import preprocess
from nntricks.cli.train import load_data, make_preprocessor
from nntricks.tabular import describe_encoding

FAST = ["--max-iter", "15", "--hidden-layer-sizes", "8", "--quiet"]
SPELLINGS = ["", "NA", "N/A", "nan", "NaN", "?", "null"]


def write_rows(path, header, rows):
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def mixed_csv(path, n=240, seed=0, colors=("red", "green", "blue")):
    """An id, a numeric column with 7 missing cells (one per spelling), a text column with 5
    missing, integer-coded sizes and a yes/no label that depends on the first three."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        weight, color, size = rng.normal(), rng.choice(colors), int(rng.integers(1, 5))
        answer = "yes" if weight + (color == "red") + (size > 2) > 1 else "no"
        weight = SPELLINGS[i // 10] if i % 10 == 0 and i < 70 else f"{weight:.3f}"
        color = SPELLINGS[i // 11] if i % 11 == 1 and i < 55 else color
        rows.append([i, weight, color, size, answer])
    return write_rows(path, ["id", "weight", "color", "size", "answer"], rows)


def cli(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- the task rule ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def diabetes_csv(tmp_path_factory):
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame
    path = tmp_path_factory.mktemp("diabetes") / "diabetes.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_diabetes_csv_trains_as_a_regression(diabetes_csv, tmp_path, capsys):
    code, out, err = cli(capsys, "train", "--data", diabetes_csv, "--label", "target",
                         "--preprocess", "standardize", "--output", tmp_path, *FAST)
    assert code == 0, err
    assert ("task: regression — the label 'target' has 214 distinct integer values in 442 rows "
            "(classification needs at most 21)\n") in out
    assert "data: 10 numeric columns, no missing cells" in out
    assert "training MLPRegressor on diabetes.csv" in out and "test R²: " in out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["estimator"] == "MLPRegressor" and "test_r2" in metrics


def test_the_task_option_overrides_the_rule(diabetes_csv, tmp_path, capsys):
    code, out, err = cli(capsys, "train", "--data", diabetes_csv, "--label", "target",
                         "--task", "classification", "--output", tmp_path, "--max-iter", "1",
                         "--hidden-layer-sizes", "4", "--quiet")
    assert code == 0, err
    assert "task: classification — as requested\n" in out
    assert "training MLPClassifier" in out


def test_the_bundled_digits_are_announced_as_classification(tmp_path, capsys):
    code, out, err = cli(capsys, "train", "--output", tmp_path, "--max-iter", "1", "--quiet")
    assert code == 0, err
    assert ("task: classification — the label has 10 distinct integer values in 1797 rows "
            "(classification allows at most 42)") in out
    assert "data:" not in out  # no table, nothing encoded


# -- predict checks the training columns --------------------------------------------------------

@pytest.fixture(scope="module")
def numeric_model(tmp_path_factory):
    """A model trained on a numeric CSV (a, b, c, label), saved today without the encoder."""
    folder = tmp_path_factory.mktemp("numeric")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    labels = np.where(X[:, 0] - X[:, 2] > 0, "up", "down")
    rows = [[*np.round(row, 4), label] for row, label in zip(X, labels, strict=True)]
    data = write_rows(folder / "train.csv", ["a", "b", "c", "label"], rows)
    assert main(["train", "--data", str(data), "--output", str(folder / "out"), *FAST]) == 0
    return folder / "out" / "model.npz", X, labels


def predictions(capsys, model, path, *options):
    code, out, err = cli(capsys, "predict", model, path, "--output", "-", *options)
    assert code == 0, err
    return out.splitlines(), err


def test_predict_matches_columns_by_name_in_any_order(numeric_model, tmp_path, capsys):
    model, X, labels = numeric_model
    original = write_rows(tmp_path / "a.csv", ["a", "b", "c"], X)
    shuffled = write_rows(tmp_path / "b.csv", ["c", "a", "b"], X[:, [2, 0, 1]])
    expected, _ = predictions(capsys, model, original)
    assert predictions(capsys, model, shuffled)[0] == expected
    assert len(expected) == 201 and expected[0] == "prediction,probability_down,probability_up"


def test_predict_ignores_the_training_label_and_scores_with_it(numeric_model, tmp_path, capsys):
    model, X, labels = numeric_model
    rows = [[label, *row] for row, label in zip(X, labels, strict=True)]
    path = write_rows(tmp_path / "l.csv", ["label", "a", "b", "c"], rows)
    without = write_rows(tmp_path / "a.csv", ["a", "b", "c"], X)
    lines, err = predictions(capsys, model, path)
    assert lines == predictions(capsys, model, without)[0]
    _, err = predictions(capsys, model, path, "--label", "label")
    assert "200 predictions; accuracy: 0.9" in err


@pytest.mark.parametrize("header, message", [
    (["a", "B", "c"], "missing 'b'; unexpected 'B' (the model expects, in any order: "
                      "'a', 'b', 'c')"),
    (["a", "c"], "missing 'b' (the model expects"),
    (["a", "b", "c", "d"], ": unexpected 'd' (the model expects"),
])
def test_predict_refuses_renamed_missing_or_extra_columns(numeric_model, tmp_path, capsys,
                                                          header, message):
    model, X, _ = numeric_model
    columns = np.column_stack([X, X[:, :1]])[:, :len(header)]
    path = write_rows(tmp_path / "bad.csv", header, columns)
    code, out, err = cli(capsys, "predict", model, path, "--output", tmp_path / "p.csv")
    assert code == 2 and out == ""
    assert err.startswith("nntricks predict: error: the columns do not match the training data")
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "p.csv").exists()


def test_predict_checks_an_npz_file_by_width(numeric_model, tmp_path, capsys):
    model, X, labels = numeric_model
    np.savez(tmp_path / "ok.npz", X=X)
    np.savez(tmp_path / "narrow.npz", X=X[:, :2])
    csv_lines, _ = predictions(capsys, model, write_rows(tmp_path / "a.csv", ["a", "b", "c"], X))
    assert predictions(capsys, model, tmp_path / "ok.npz")[0] == csv_lines
    code, _, err = cli(capsys, "predict", model, tmp_path / "narrow.npz")
    assert code == 2
    assert "X has 2 columns, but the model was trained on 3: 'a', 'b', 'c'" in err


def test_text_in_a_numeric_column_is_refused_at_predict(numeric_model, tmp_path, capsys):
    model, X, _ = numeric_model
    rows = [[*row] for row in X.round(3)]
    rows[4][1] = "heavy"
    code, _, err = cli(capsys, "predict", model, write_rows(tmp_path / "t.csv", ["a", "b", "c"],
                                                            rows))
    assert code == 2
    assert "column 'b' holds 1 cell of text (such as 'heavy'), but it was numeric" in err


# -- tables with text columns and missing cells ---------------------------------------------

def data_args(path, **options):
    defaults = dict(data=str(path), label="answer", data_dir=None, test_size=None,
                    categorical=[], drop=[], preprocess="center")
    return argparse.Namespace(**{**defaults, **options})


def test_a_table_is_encoded_and_imputed_and_summarised(tmp_path):
    args = data_args(mixed_csv(tmp_path / "mixed.csv"), categorical=["size"], drop=["id"])
    table = load_data(args)
    preprocessor = make_preprocessor(table, args.preprocess, args).fit(table.X_train)
    n_weight = int(table.X_train["weight"].isna().sum())
    n_color = int(table.X_train["color"].isna().sum())
    assert 0 < n_weight <= 7 and 0 < n_color <= 5
    assert describe_encoding(preprocessor, table.X_train) == (
        f"encoded 2 categorical columns (color: 4 categories, size: 4) into 8 features; "
        f"{n_color} missing categorical cells kept as the category '(missing)'; "
        f"imputed {n_weight} missing cells in 1 numeric column (median, with indicators)")
    assert preprocessor.transform(table.X_test).shape == (60, 10)


def test_every_missing_spelling_is_imputed_the_same(tmp_path):
    args = data_args(mixed_csv(tmp_path / "mixed.csv"), drop=["id"], test_size=0.5)
    table = load_data(args)
    X = np.concatenate([table.X_train["weight"], table.X_test["weight"]])
    assert np.isnan(X).sum() == len(SPELLINGS)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_reports_unseen_categories_in_one_line(tmp_path, capsys):
    from nntricks import MLPClassifier

    args = data_args(mixed_csv(tmp_path / "mixed.csv"), drop=["id"])
    table = load_data(args)
    model = make_preprocessor(table, args.preprocess, args)
    model.steps.append(("mlp", MLPClassifier(hidden_layer_sizes=(4,), max_iter=1)))
    model.fit(table.X_train, table.y_train)
    new = table.X_test.assign(color=["purple"] * 3 + ["red"] * 57)
    features, estimator = preprocess(model, new)
    assert features.shape == (60, 7) and estimator is model[-1]
    assert capsys.readouterr().err == (
        "nntricks predict: warning: 3 cells with categories not seen in training, encoded as "
        "unknown: color: 3 ('purple')\n")


@pytest.mark.parametrize("argv, message", [
    (["--categorical", "x"], "options --categorical and --drop apply to .csv files only"),
    (["--drop", "x"], "options --categorical and --drop apply to .csv files only"),
])
def test_table_options_are_refused_for_other_data(tmp_path, capsys, argv, message):
    code, _, err = cli(capsys, "train", "--output", tmp_path, *argv)
    assert code == 2 and f"nntricks train: error: {message}" in err


@pytest.mark.parametrize("argv, message", [
    (["--drop", "ID"], "cannot drop 'ID': no such column; the feature columns are "
                       "['id', 'weight', 'color', 'size']"),
    (["--categorical", "shape"], "categorical: no column named 'shape'"),
])
def test_bad_table_options_are_named(tmp_path, capsys, argv, message):
    path = mixed_csv(tmp_path / "mixed.csv", n=40)
    code, _, err = cli(capsys, "train", "--data", path, "--output", tmp_path, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_table_trains_saves_and_predicts_from_the_command_line(tmp_path, capsys):
    path = mixed_csv(tmp_path / "mixed.csv")
    code, out, err = cli(capsys, "train", "--data", path, "--label", "answer", "--drop", "id",
                         "--categorical", "size", "--output", tmp_path / "out",
                         "--max-iter", "60", "--quiet")
    assert code == 0, err
    assert "task: classification — the label 'answer' holds text (2 classes)" in out
    assert "data: encoded 2 categorical columns (color: 4 categories, size: 4) into 8" in out
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["test_accuracy"] > 0.7
    new = mixed_csv(tmp_path / "new.csv", n=30, seed=5, colors=("red", "purple"))
    model = tmp_path / "out" / "model.npz"
    code, out, err = cli(capsys, "predict", model, new, "--output", tmp_path / "p.csv")
    assert code == 0, err
    assert "nntricks predict: warning: " in err and "color: " in err and "'purple'" in err
    assert err.count("\n") == 1
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert len(lines) == 31


def test_predictions_never_overwrite_the_model_or_the_data(numeric_model, tmp_path, capsys):
    model, X, _ = numeric_model
    data = write_rows(tmp_path / "a.csv", ["a", "b", "c"], X)
    before = {path: path.read_bytes() for path in (model, data)}
    for target, what in ((model, "the model"), (data, "the data")):
        code, _, err = cli(capsys, "predict", model, data, "--output", target)
        assert code == 2 and f"is {what}: the predictions would overwrite it" in err
    assert all(path.read_bytes() == content for path, content in before.items())
