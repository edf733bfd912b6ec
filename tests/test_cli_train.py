"""The main job and prediction, run as real commands in a subprocess."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest


def nntricks(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nntricks", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("default")
    return folder, nntricks("train", cwd=folder)


def test_default_run_trains_on_digits_and_saves_everything(default_run):
    folder, result = default_run
    assert result.returncode == 0, result.stderr
    assert "training MLPClassifier on digits" in result.stdout
    assert "test accuracy: " in result.stdout and "time: " in result.stdout
    assert "epoch" in result.stderr  # the progress bar
    output = folder / "nntricks-output"
    assert (output / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.95


def test_predict_writes_a_csv_of_predictions(default_run, tmp_path):
    folder, _ = default_run
    out = tmp_path / "predictions.csv"
    result = nntricks("predict", str(folder / "nntricks-output" / "model.npz"), "digits",
                      "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "450 predictions; accuracy: 0.9" in result.stdout
    with out.open() as file:
        rows = list(csv.reader(file))
    assert rows[0][:2] == ["prediction", "probability_0"] and len(rows) == 451


def test_a_csv_run_with_a_named_label_column(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    labels = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    path = tmp_path / "data.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["a", "answer", "b", "c"])
        for row, label in zip(X, labels, strict=True):
            writer.writerow([row[0], label, row[1], row[2]])
    result = nntricks("train", "--data", str(path), "--label", "answer", "--max-iter", "30",
                      "--hidden-layer-sizes", "16", "--quiet", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "training MLPClassifier on data.csv" in result.stdout
    accuracy = json.loads((tmp_path / "out" / "metrics.json").read_text())["test_accuracy"]
    assert accuracy > 0.8


def test_a_bad_path_fails_with_a_clear_message(tmp_path):
    result = nntricks("train", "--data", str(tmp_path / "missing.csv"), "--quiet")
    assert result.returncode == 2
    assert "nntricks train: error:" in result.stderr and "missing.csv" in result.stderr
    result = nntricks("predict", str(tmp_path / "missing.npz"), "digits")
    assert result.returncode == 2 and "no model file at" in result.stderr


def test_an_unknown_option_fails_with_usage():
    result = nntricks("train", "--learning-speed", "3")
    assert result.returncode == 2
    assert "unrecognized arguments: --learning-speed" in result.stderr


def test_a_bad_parameter_value_is_named():
    result = nntricks("train", "--activation", "swish", "--quiet")
    assert result.returncode == 2 and "unknown activation 'swish'" in result.stderr


@pytest.mark.parametrize("command", ["train", "predict", "gradcheck"])
def test_every_command_has_help(command):
    result = nntricks(command, "--help")
    assert result.returncode == 0 and "usage: nntricks " + command in result.stdout


def test_every_estimator_parameter_is_an_option():
    from nntricks import MLPRegressor

    text = nntricks("train", "--help").stdout
    for name in MLPRegressor().get_params():
        if name != "callbacks":
            assert "--" + name.replace("_", "-") in text, name


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name, params, y, label", [
    ("MLPRegressor", {"loss": "poisson"}, np.arange(40) % 4, "half Poisson deviance"),
    ("MLPRegressor", {}, np.linspace(0, 1, 40), "half squared error"),
    ("MLPClassifier", {}, np.arange(40) % 3, "cross-entropy, nats"),
    ("MLPClassifier", {}, np.arange(40) % 2, "binary cross-entropy, nats"),
])
def test_the_loss_plot_is_labelled_with_the_models_own_loss(name, params, y, label):
    import nntricks
    from nntricks.cli.train import loss_label

    X = np.random.default_rng(0).normal(size=(40, 3))
    model = getattr(nntricks, name)(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                                    **params).fit(X, y)
    assert loss_label(model) == label


def test_the_progress_bar_counts_epochs_on_standard_error(capsys):
    from nntricks.cli.train import progress_bar

    bar, advance = progress_bar(3)
    for loss in (2.0, 1.0):
        advance(type("Record", (), {"loss": loss})(), None)
    bar.close()
    assert bar.n == 2 and bar.total == 3 and bar.unit == "epoch"
    err = capsys.readouterr().err
    assert "training" in err and "2/3" in err and "loss=1" in err


def test_the_recipe_is_announced_and_recorded_and_options_override_it(default_run, tmp_path):
    folder, result = default_run
    assert "recipe digits: " in result.stdout
    metrics = json.loads((folder / "nntricks-output" / "metrics.json").read_text())
    assert metrics["recipe"] == "digits" and metrics["overridden"] == []
    assert metrics["recipe_description"] in result.stdout
    assert metrics["params"]["dropout"] == 0.3  # the digits recipe's
    result = nntricks("train", "--dropout", "0.1", "--max-iter", "3", "--quiet",
                      "--class-weight", "balanced", "--output", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    assert "overridden: class_weight, dropout, max_iter" in result.stdout
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert metrics["params"]["dropout"] == 0.1 and metrics["params"]["class_weight"] == "balanced"


@pytest.mark.parametrize("options, message", [
    (["--max-iter", "0"], "max_iter must lie in [1, inf), got 0"),
    (["--batch-size", "0"], "batch_size must lie in [1, inf), got 0"),
    (["--activation", "nosuch"], "unknown activation 'nosuch'"),
    (["--random-state", "-1"], "random_state must lie in [0, 4294967295], got -1"),
    (["--random-state", "4294967296"], "random_state must lie in [0, 4294967295]"),
    (["--dtype", "float16"], "unknown dtype 'float16'"),
    (["--hidden-layer-sizes", "0"], "hidden_layer_sizes must lie in [1, inf)"),
    (["--task", "regression", "--alpha", "-1"], "alpha must lie in [0, inf), got -1"),
    (["--task", "regression", "--class-weight", "balanced"],
     "--class-weight does not apply to regression"),
    (["--task", "classification", "--loss", "poisson"],
     "--loss does not apply to classification"),
])
def test_a_bad_estimator_option_is_the_only_line_before_any_work(tmp_path, capsys, options,
                                                                  message):
    from nntricks.cli import main

    output = tmp_path / "out"
    assert main(["train", *options, "--output", str(output)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no task, recipe or data line: the data was not read
    assert len(err.splitlines()) == 1 and message in err, err
    assert not output.exists()


def write_csv(path, label, labels):
    rng = np.random.default_rng(0)
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["x1", "x2", label])
        writer.writerows([rng.normal(), rng.normal(), value] for value in labels)
    return path


@pytest.mark.parametrize("label, labels, task, message", [
    ("price", np.round(np.linspace(1.5, 90.5, 60), 2), "classification",
     "label column 'price' has 60 distinct non-integer values: it cannot be a classification "
     "target; use --task regression"),
    ("species", ["eel", "cod", "ray", "gar", "pike"] * 12, "regression",
     "label column 'species' holds text ('cod', 'eel', 'gar', ...): a regression target must "
     "be numeric; use --task classification"),
])
def test_labels_that_do_not_fit_the_requested_task_are_one_short_line(tmp_path, capsys, label,
                                                                     labels, task, message):
    from nntricks.cli import main

    data = write_csv(tmp_path / "data.csv", label, labels)
    assert main(["train", "--data", str(data), "--task", task, "--quiet",
                 "--output", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"nntricks train: error: {message}\n"


def test_unnamed_float_labels_as_classes_are_one_line(tmp_path, capsys):
    from nntricks.cli import main

    rng = np.random.default_rng(0)
    np.savez(tmp_path / "data.npz", X=rng.normal(size=(40, 3)), y=rng.normal(size=40))
    assert main(["train", "--data", str(tmp_path / "data.npz"), "--task", "classification",
                 "--quiet", "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == ("nntricks train: error: the target y has 40 distinct non-integer values: it "
                   "cannot be a classification target; use --task regression\n")


def test_an_option_of_the_other_task_is_refused_once_the_data_decide(tmp_path, capsys):
    from nntricks.cli import main

    data = write_csv(tmp_path / "data.csv", "kind", [0, 1, 2] * 20)  # auto: classification
    assert main(["train", "--data", str(data), "--loss", "poisson", "--quiet",
                 "--output", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == ("nntricks train: error: --loss does not apply to "
                                       "classification\n")
