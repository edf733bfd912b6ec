"""The lab: every experiment (quick mode), its files, reproducibility, the report in a browser."""

import argparse
import html
import json
import math
import re
import shutil
import subprocess
import zlib

import numpy as np
import pytest
from matplotlib.image import imread

from conftest import require_system
from nntricks import MLPClassifier, datasets, lab, optim
from nntricks.cli import lab as lab_cli
from nntricks.datasets import FASHION_MNIST_DIR
from nntricks.lab import Judgement, Table, Verdict, ablation
from nntricks.lab._common import Data, mlp, train
from nntricks.recipes import RECIPES, Recipe


def ablation_rows(recipe):
    """The ablation's rows for ``recipe``: the recipe, then each trick it switches on."""
    p, preprocess = MLPClassifier(**recipe.params).get_params(), recipe.preprocess
    tricks = {"no dropout": np.any(np.asarray(p["dropout"]) > 0), "no L2": p["alpha"] > 0,
              "small normal init": not (p["init"] == "normal" and p["init_std"] == 0.01),
              "no preprocessing": preprocess != "none",
              "constant learning rate": p["learning_rate"] != "constant",
              "plain SGD": not (p["solver"] == "sgd" and p["momentum"] == 0),
              "no early stopping": p["early_stopping"],
              "no input dropout": p["input_dropout"] > 0, "no batch norm": p["batch_norm"],
              "no L1": p["l1"] > 0, "no fan-in scaling": p["fan_in_scaling"]}
    return ["recipe", *(label for label, on in tricks.items() if on)]


EXPECTED_ROWS = {
    "gradcheck": ["centered float64", "forward float64", "centered float32", "forward float32"],
    "activations": ["sigmoid", "tanh", "hard tanh", "soft sign", "ReLU", "leaky ReLU (k=0.1)"],
    "init": ["small normal σ=0.01", "Xavier uniform", "large normal σ=1"],
    "regularization": [0.0, 1e-4, 1e-2, 1.0],
    "dropout": ["no dropout", "dropout, keep p = 0.5"],
    "preprocessing": ["none", "mean-centering", "standardization", "PCA whitening",
                      "ZCA whitening"],
    "learning-rate": ["too large", "large", "moderate", "too small"],
    "optimizers": ["SGD", "momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam",
                   "Adam as printed (no bias correction)"],
    "ablation": ablation_rows(RECIPES["fashion-mnist"]),
}
FASHION_MNIST_ABSENT = ("the real Fashion-MNIST files are absent (apt-get install "
                        "dataset-fashion-mnist)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VERDICT_SENTENCE = re.compile(
    r"Verdict: (?:the notes' claim |this run is )"
    r"(holds only in part|does not hold|holds|too small to decide)")


class QuickLab(dict):
    """Quick-mode results by name, each experiment run (its files written in ``output``) on
    first use, once for the whole module, so that ``-k NAME`` runs that experiment only."""

    def __init__(self, output):
        super().__init__()
        self.output = output

    def __missing__(self, name):
        self[name] = lab.run_experiment(name, seed=0, quick=True, output=self.output)
        return self[name]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    return QuickLab(tmp_path_factory.mktemp("lab"))


@pytest.fixture(scope="module")
def quick_lab(quick):
    """Every experiment in quick mode and the report, as ``run_all`` writes them."""
    results = [quick[name] for name in lab.EXPERIMENTS]
    report = lab.write_report(results, quick.output / lab.REPORT)
    return quick.output, {result.name: result for result in results}, report


def fashion_mnist_present():
    return (FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").is_file()


def parser():
    root = argparse.ArgumentParser(prog="nntricks")
    lab_cli.add_parser(root.add_subparsers(dest="command", required=True))
    return root


def check_png(path):
    """A complete, decodable PNG: signature, IHDR with its CRC, IEND last, pixels readable."""
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    length = int.from_bytes(data[8:12], "big")
    assert data[12:16] == b"IHDR" and length == 13
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 400 and height >= 200
    crc = int.from_bytes(data[16 + length:20 + length], "big")
    assert crc == zlib.crc32(data[12:16 + length])
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    pixels = imread(path)
    assert pixels.shape[:2] == (height, width)
    assert pixels.std() > 0  # not a blank image


def test_every_experiment_is_registered_in_teaching_order():
    assert list(lab.EXPERIMENTS) == list(EXPECTED_ROWS)


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_experiment_table_png_and_json(quick, name):
    output, result = quick.output, quick[name]
    assert result.name == name and result.quick and result.seed == 0
    assert result.table.labels == EXPECTED_ROWS[name]
    for table in result.tables:
        assert all(list(row) == table.keys for row in table.rows)
    check_png(output / f"{name}.png")
    saved = json.loads((output / f"{name}.json").read_text(encoding="utf-8"))
    assert saved["tables"] == result.to_dict()["tables"]
    for table in saved["tables"]:
        assert len(table["columns"]) == len(table["keys"])
        assert all(len(row) == len(table["keys"]) for row in table["rows"])
    assert saved["caption"] == result.caption
    assert saved["verdict"] == result.verdict.value
    assert saved["section"] == result.section and result.section.startswith("§2.")


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_figure_is_fully_labelled(quick, name):
    figure = quick[name].figure
    assert figure.get_suptitle()
    for ax in figure.axes:
        assert ax.get_title(), name
        assert ax.get_xlabel() and ax.get_ylabel(), (name, ax.get_title())
        assert ax.get_legend() is not None, (name, ax.get_title())


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_caption_quotes_the_notes_and_the_run(quick, name):
    if name == "ablation":
        require_system(fashion_mnist_present(), FASHION_MNIST_ABSENT)
    result = quick[name]
    caption = result.caption
    assert caption.startswith(f"The notes ({result.section}")
    # numbers formatted from the run appear in the text
    assert len(re.findall(r"\d\.\d", caption)) >= 3
    # one verdict, the caption's last sentence
    assert VERDICT_SENTENCE.findall(caption) == [result.verdict.value]
    assert caption.endswith(result.judgement.sentence())


# The notes' claims, decided again here from the saved JSON tables (keys and rows), apart from
# the experiments' own code: each returns the checks, or None when the run is too small.

def records(table):
    """A saved table's rows as ``{label: {key: value}}``."""
    return {row[0]: dict(zip(table["keys"], row, strict=True)) for row in table["rows"]}


def loss(value):
    """A saved loss for comparisons: None (NaN or infinite) counts as diverged."""
    return math.inf if value is None else value


def number(value):
    """A saved number; None (NaN: not measured) fails every comparison."""
    return math.nan if value is None else value


def gradcheck_checks(tables):
    rows = records(tables[0])
    centered, forward = rows["centered float64"], rows["forward float64"]
    return [1.5 <= number(centered["slope_above"]) <= 2.5,  # O(h²)
            0.7 <= number(forward["slope_above"]) <= 1.3,  # O(h)
            centered["smallest_error"] < forward["smallest_error"]]


def activations_checks(tables):
    rows = records(tables[0])
    return [loss(rows["tanh"]["final_loss"]) < loss(rows["sigmoid"]["final_loss"])]


def init_checks(tables):
    rows = records(tables[0])
    xavier, small = rows["Xavier uniform"], rows["small normal σ=0.01"]

    def decades(row, first, last):
        return abs(math.log10(row[last] / row[first]))

    return [decades(xavier, "act_first", "act_last") < decades(small, "act_first", "act_last"),
            decades(xavier, "grad_first", "grad_last")
            < decades(small, "grad_first", "grad_last"),
            loss(xavier["final_loss"]) < loss(small["final_loss"])]


def regularization_checks(tables):
    sweep, weights = records(tables[0]), records(tables[1])
    none, largest = sweep[0.0], sweep[max(sweep)]
    if none["train_accuracy"] < 0.99:  # not fitted: it cannot over-fit yet
        return None
    return [none["train_accuracy"] - none["val_accuracy"] > 0.02,
            largest["train_accuracy"] < none["train_accuracy"] - 0.05
            and largest["val_accuracy"] < none["val_accuracy"],
            weights["L1 λ=0.001"]["share_zero"] > 5 * weights["L2 λ=0.001"]["share_zero"]]


def dropout_checks(tables):
    rows = records(tables[0])
    plain, dropped = rows["no dropout"], rows["dropout, keep p = 0.5"]
    if min(plain["train_accuracy"], dropped["train_accuracy"]) < 0.99:
        return None
    return [dropped["val_loss"] < plain["val_loss"],
            dropped["val_accuracy"] > plain["val_accuracy"]]


def preprocessing_checks(tables):
    rows, plane = records(tables[0]), records(tables[1])
    raw = loss(rows["none"]["final_loss"])

    def white(row):
        return max(abs(row["var1"] - 1), abs(row["var2"] - 1), abs(row["correlation"])) < 1e-6

    return [loss(rows["mean-centering"]["final_loss"]) < raw or math.isinf(raw),
            loss(rows["standardization"]["final_loss"]) < raw or math.isinf(raw),
            white(plane["PCA whitened"]) and white(plane["ZCA whitened"])]


def learning_rate_checks(tables):
    rates, plans = records(tables[0]), records(tables[1])
    large, small = rates["too large"], rates["too small"]
    annealed = min(loss(row["final_loss"]) for label, row in plans.items()
                   if label != "constant")
    return [large["diverged_at"] is not None
            or loss(large["final_loss"]) >= 0.9 * large["initial_loss"],
            loss(small["final_loss"]) > 0.8 * small["initial_loss"],
            annealed < loss(plans["constant"]["final_loss"])]


def optimizers_checks(tables):
    rows = records(tables[0])
    first = min(rows, key=lambda label: loss(rows[label]["final_loss"]))
    return [loss(rows["momentum"]["valley_f"]) < loss(rows["SGD"]["valley_f"]),
            first in ("AdaGrad", "RMSProp", "Adam", "Adam as printed (no bias correction)")]


def ablation_checks(tables):
    rows = records(tables[0])
    recipe = rows.pop("recipe")
    if recipe["train_images"] < 50_000:  # a subset: too small to rank close differences
        return None

    def points(row):
        return 100 * (row["max"] - row["min"])

    return [100 * (recipe["mean"] - row["mean"]) > max(points(recipe), points(row))
            for row in rows.values()]


CLAIM_CHECKS = {
    "gradcheck": gradcheck_checks, "activations": activations_checks, "init": init_checks,
    "regularization": regularization_checks, "dropout": dropout_checks,
    "preprocessing": preprocessing_checks, "learning-rate": learning_rate_checks,
    "optimizers": optimizers_checks, "ablation": ablation_checks,
}


def expected_verdict(name, tables):
    checks = CLAIM_CHECKS[name](tables)
    if checks is None:
        return "too small to decide"
    return ("holds" if all(checks) else "holds only in part" if any(checks)
            else "does not hold")


def caption_verdict(caption):
    (verdict,) = VERDICT_SENTENCE.findall(caption)
    return verdict


def test_every_experiment_has_its_claim_rechecked_here():
    assert list(CLAIM_CHECKS) == list(lab.EXPERIMENTS)


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_caption_verdict_follows_the_table(quick, name):
    saved = json.loads((quick.output / f"{quick[name].name}.json").read_text(encoding="utf-8"))
    expected = expected_verdict(name, saved["tables"])
    assert caption_verdict(saved["caption"]) == expected
    assert saved["verdict"] == expected
    if expected != "too small to decide":
        assert len(saved["checks"]) == len(CLAIM_CHECKS[name](saved["tables"]))


@pytest.mark.parametrize("name", ["regularization", "learning-rate"])
def test_quick_run_reaches_the_full_verdict_or_says_it_is_too_small(quick, name):
    full = lab.run_experiment(name, seed=0)
    assert caption_verdict(full.caption) == expected_verdict(name, full.to_dict()["tables"])
    assert quick[name].verdict in (full.verdict, Verdict.UNDECIDED)


def test_caption_quotes_the_table(quick):
    result = quick["activations"]
    assert f"{result.table.row('tanh')['final_loss']:.3g}" in result.caption
    assert f"{result.table.row('sigmoid')['final_loss']:.3g}" in result.caption


def test_gradcheck_errors_follow_the_theory(quick):
    table = quick["gradcheck"].table
    centered, forward = table.row("centered float64"), table.row("forward float64")
    assert 1.8 < centered["slope_above"] < 2.2  # O(h²)
    assert 0.9 < forward["slope_above"] < 1.1  # O(h)
    assert centered["smallest_error"] < 1e-8 < table.row("centered float32")["smallest_error"]


def test_table_cells_are_named():
    table = Table("t", {"unit": "unit", "loss": "final loss"})
    table.add(unit="tanh", loss=0.5)
    table.add(loss=1.5, unit="sigmoid")
    assert table.row("sigmoid") == {"unit": "sigmoid", "loss": 1.5}
    assert table.column("loss") == [0.5, 1.5] and table.labels == ["tanh", "sigmoid"]
    assert table.to_dict() == {"title": "t", "columns": ["unit", "final loss"],
                               "keys": ["unit", "loss"],
                               "rows": [["tanh", 0.5], ["sigmoid", 1.5]]}
    assert "final loss" in str(table) and "<th>final loss</th>" in table.to_html()
    with pytest.raises(ValueError, match="missing"):
        table.add(unit="relu")
    with pytest.raises(ValueError, match="unknown"):
        table.add(unit="relu", loss=1.0, accuracy=0.9)
    with pytest.raises(KeyError, match="relu"):
        table.row("relu")


@pytest.mark.parametrize(("checks", "too_small", "verdict"), [
    ({"a": True, "b": True}, None, Verdict.HOLDS),
    ({"a": True, "b": False}, None, Verdict.PARTLY),
    ({"a": False, "b": False}, None, Verdict.FAILS),
    ({}, "only 3 epochs", Verdict.UNDECIDED),
])
def test_judgement_verdict_and_sentence(checks, too_small, verdict):
    judgement = Judgement(checks, too_small)
    assert judgement.verdict is verdict
    sentence = judgement.sentence()
    assert VERDICT_SENTENCE.findall(sentence) == [verdict.value]
    if verdict is Verdict.PARTLY:
        assert sentence.endswith("(not shown: b).")
    if too_small is not None:
        assert too_small in sentence


def test_same_seed_same_tables_other_seed_other_tables(quick):
    for name in ("gradcheck", "dropout"):
        again = lab.run_experiment(name, seed=0, quick=True)
        assert again.to_dict()["tables"] == quick[name].to_dict()["tables"]
        assert again.caption == quick[name].caption
    other = lab.run_experiment("dropout", seed=1, quick=True)
    assert other.to_dict()["tables"] != quick["dropout"].to_dict()["tables"]


def test_report_is_self_contained(quick_lab):
    _, results, report = quick_lab
    text = report.read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]*)"', text)
    assert len(sources) == len(results) == 9
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in text and "https://" not in text
    for result in results.values():
        assert html.escape(result.caption) in text


def test_report_images_load_in_headless_chromium(quick_lab, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    require_system(browser is not None, "the report test needs headless Chromium, which is "
                   "not installed: apt-get install chromium")
    report = quick_lab[2]
    completed = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", report.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    body = re.search(r"<body[^>]*>", completed.stdout)
    assert body is not None, completed.stdout[:500]
    assert 'data-loaded="9/9"' in body.group(0)


def test_cli_runs_one_experiment_and_prints_table_and_caption(tmp_path, capsys):
    args = parser().parse_args(["lab", "gradcheck", "--quick", "--seed", "3",
                                "--output", str(tmp_path)])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "centered float64" in out and "The notes (§2.1)" in out
    check_png(tmp_path / "gradcheck.png")
    assert json.loads((tmp_path / "gradcheck.json").read_text())["seed"] == 3
    assert not (tmp_path / "report.html").exists()


def test_cli_report_for_chosen_experiments(tmp_path, capsys):
    args = parser().parse_args(["lab", "preprocessing", "gradcheck", "--quick", "--report",
                                "-o", str(tmp_path)])
    assert args.run(args) == 0
    assert "report:" in capsys.readouterr().out
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 2
    assert text.index('id="preprocessing"') < text.index('id="gradcheck"')


def test_cli_defaults_and_errors(capsys):
    args = parser().parse_args(["lab", "all"])
    assert str(args.output) == "nntricks-lab" and args.seed == 0 and not args.quick
    assert args.report is None
    for bad in (["lab", "swish"], ["lab", "gradcheck", "--seed", "-1"],
                ["lab", "gradcheck", "--seed", str(2**32)], ["lab"]):
        with pytest.raises(SystemExit) as error:
            parser().parse_args(bad)
        assert error.value.code == 2
    with pytest.raises(SystemExit) as error:
        parser().parse_args(["lab", "--help"])
    assert error.value.code == 0
    out = capsys.readouterr().out
    for name in [*EXPECTED_ROWS, "all", "--output", "--seed", "--quick"]:
        assert name in out


def test_run_experiment_rejects_unknown_names_and_bad_seeds():
    with pytest.raises(ValueError, match="unknown experiment 'swish'"):
        lab.run_experiment("swish")
    for seed in (-1, 2**32):  # scikit-learn's random_state range is [0, 2**32 - 1]
        with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\]"):
            lab.run_experiment("gradcheck", seed=seed)


def test_training_helper_records_divergence():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype(np.float32) * 100
    y = rng.integers(3, size=64)
    data = Data(X, y, X, y, "random")
    network = mlp(5, [16], 3, "relu")
    curves = train(network, lambda r: optim.sgd(r), data, epochs=20, learning_rate=1e30,
                   batch_size=8, seed=0)
    assert curves.diverged_at is not None and len(curves.loss) == curves.diverged_at - 1
    assert np.isnan(curves.final_loss)
    assert np.all(np.isfinite(network.params))  # the trainer kept the last finite weights


# ---------------------------------------------------------------------------------------------
# ablation


def test_ablation_quick_on_the_real_data(quick):
    require_system(fashion_mnist_present(), FASHION_MNIST_ABSENT)
    result = quick["ablation"]
    table = result.table
    assert table.labels == ablation_rows(RECIPES["fashion-mnist"])
    assert result.verdict is Verdict.UNDECIDED
    assert "too small to rank close differences" in result.caption
    assert "seeds 0, 1, 2" in result.caption and "capped at 5 epochs" in result.caption
    recipe = table.row("recipe")
    assert recipe["train_images"] == 4500  # 5000 images less the validation tenth
    assert table.row("no early stopping")["train_images"] == 5000
    for row in table.rows:
        assert 0.1 < row["min"] <= row["mean"] <= row["max"] <= 1
        assert row["drop"] == pytest.approx(100 * (recipe["mean"] - row["mean"]))
        assert 1 <= row["epochs"] <= 5
    assert f"{100 * recipe['mean']:.2f} % mean test accuracy" in result.caption
    legend = [text.get_text() for text in result.figure.axes[2].get_legend().get_texts()]
    assert "no early stopping (no validation set, so no curve)" in legend


def test_ablation_variants_follow_the_recipe():
    recipe = Recipe("fashion-mnist", dict(
        RECIPES["fashion-mnist"].params, dropout=0.0, input_dropout=0.0, batch_norm=True,
        learning_rate="constant", solver="sgd", momentum=0.0, l1=1e-4), "none")
    variants = ablation.variants(recipe)
    assert [v.label for v in variants] == ["recipe", "no L2", "small normal init",
                                          "no early stopping", "no batch norm", "no L1"]
    assert [v.label for v in variants] == ablation_rows(recipe)
    assert variants[0].params == {} and variants[0].preprocess is None
    assert variants[2].params == {"init": "normal", "init_std": 0.01}
    assert variants[4].params == {"batch_norm": False}


def ablation_table(*rows, train_images=54_000):
    """A hand-made ablation table: rows of (variant, mean, lowest, highest) accuracies."""
    table = Table("hand-made", {"variant": "variant", "trick": "trick", "mean": "mean",
                                "min": "min", "max": "max", "train_images": "images"})
    for variant, mean, low, high in rows:
        table.add(variant=variant, trick=variant.removeprefix("no "), mean=mean, min=low,
                  max=high, train_images=train_images)
    return table


RECIPE_ROW = ("recipe", 0.90, 0.895, 0.905)  # range 1 point
CLEAR = ("no A", 0.88, 0.878, 0.882)  # drop 2 points > max(1, 0.4)
SMALL = ("no B", 0.895, 0.89, 0.90)  # drop 0.5 points < max(1, 1)
NOISY = ("no C", 0.86, 0.80, 0.92)  # drop 4 points < max(1, 12)
EXACT_RECIPE = ("recipe", 0.75, 0.625, 0.875)  # binary fractions: range exactly 25 points
TIE = ("no D", 0.5, 0.375, 0.625)  # drop exactly 25 points, not more than 25


@pytest.mark.parametrize(("rows", "verdict", "shown"), [
    ([RECIPE_ROW, CLEAR], Verdict.HOLDS, [True]),
    ([RECIPE_ROW, CLEAR, SMALL], Verdict.PARTLY, [True, False]),
    ([RECIPE_ROW, SMALL, NOISY], Verdict.FAILS, [False, False]),
    ([EXACT_RECIPE, TIE], Verdict.FAILS, [False]),
])
def test_ablation_judge_on_a_hand_made_table(rows, verdict, shown):
    judgement = ablation.judge(ablation_table(*rows))
    assert judgement.verdict is verdict
    assert judgement.checks == {f"removing {row[0][3:]} costs more than the seeds' spread": is_shown
                                for row, is_shown in zip(rows[1:], shown, strict=True)}
    if verdict is Verdict.PARTLY:
        assert judgement.sentence().endswith(
            "(not shown: removing B costs more than the seeds' spread).")


def test_ablation_judge_leaves_a_subset_undecided():
    judgement = ablation.judge(ablation_table(RECIPE_ROW, CLEAR, train_images=4500))
    assert judgement.verdict is Verdict.UNDECIDED and "4,500 images" in judgement.too_small


def test_ablation_without_the_files_says_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.setattr("nntricks.datasets._builtin.FASHION_MNIST_DIR", tmp_path / "absent")
    results, report = lab.run_all(tmp_path / "out", quick=True, names=["ablation"])
    (result,) = results
    assert result.verdict is Verdict.UNDECIDED
    assert "apt-get install dataset-fashion-mnist" in result.caption
    assert result.caption.endswith(result.judgement.sentence())
    assert result.table.labels == ablation_rows(RECIPES["fashion-mnist"])
    assert all(math.isnan(mean) for mean in result.table.column("mean"))
    assert expected_verdict("ablation", result.to_dict()["tables"]) == "too small to decide"
    check_png(tmp_path / "out" / "ablation.png")
    assert html.escape(result.caption) in report.read_text(encoding="utf-8")


def test_ablation_passes_other_loading_errors_on(monkeypatch):
    def corrupt(name):
        raise ValueError("t10k-images-idx3-ubyte: not a valid IDX file")

    monkeypatch.setattr(datasets, "load", corrupt)
    with pytest.raises(ValueError, match="not a valid IDX file"):
        lab.run_experiment("ablation", quick=True)


def tiny_fashion(name):
    """A stand-in for Fashion-MNIST: 200 training and 40 test points, 16 features."""
    rng = np.random.default_rng(0)
    X, y = rng.random((240, 16), dtype=np.float32), np.arange(240) % 10
    return datasets.Dataset(X[:200], y[:200], X[200:], y[200:], name=name)


def test_ablation_runs_each_variant_per_seed_and_reproduces(monkeypatch):
    fits = []

    class Recording(MLPClassifier):
        def fit(self, X, y):
            fits.append(self.get_params())
            return super().fit(X, y)

    monkeypatch.setattr(datasets, "load", tiny_fashion)
    monkeypatch.setattr(ablation, "MLPClassifier", Recording)
    recipe = RECIPES["fashion-mnist"]
    first = lab.run_experiment("ablation", seed=5)
    labels = ablation_rows(recipe)
    assert len(fits) == 3 * len(labels)
    assert [fit["random_state"] for fit in fits] == [5, 6, 7] * len(labels)
    assert all(fit["max_iter"] == min(recipe.params["max_iter"], 20) for fit in fits)
    sgd = fits[3 * labels.index("plain SGD")]
    assert (sgd["solver"], sgd["momentum"], sgd["learning_rate_init"]) == ("sgd", 0.0, 0.05)
    assert sgd["learning_rate"] == recipe.params["learning_rate"]
    assert not fits[3 * labels.index("no early stopping")]["early_stopping"]
    assert "seeds 5, 6, 7" in first.caption and first.verdict is Verdict.UNDECIDED
    again, other = lab.run_experiment("ablation", seed=5), lab.run_experiment("ablation", seed=6)
    assert again.to_dict()["tables"] == first.to_dict()["tables"]
    assert other.to_dict()["tables"] != first.to_dict()["tables"]


def test_cli_stops_a_cut_short_ablation_without_a_caption(monkeypatch, tmp_path, capsys):
    def interrupt(record, trainer):
        raise KeyboardInterrupt

    recipe = RECIPES["fashion-mnist"]
    monkeypatch.setattr(datasets, "load", tiny_fashion)
    monkeypatch.setitem(RECIPES, "fashion-mnist", Recipe(
        recipe.name, dict(recipe.params, callbacks=[interrupt]), recipe.preprocess))
    args = parser().parse_args(["lab", "ablation", "-o", str(tmp_path)])
    assert args.run(args) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "ablation.json").exists()
