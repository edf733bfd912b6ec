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
from nntricks import lab, optim
from nntricks.cli import lab as lab_cli
from nntricks.lab import Judgement, Table, Verdict
from nntricks.lab._common import Data, mlp, train

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
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VERDICT_SENTENCE = re.compile(
    r"Verdict: (?:the notes' claim |this run is )"
    r"(holds only in part|does not hold|holds|too small to decide)")


@pytest.fixture(scope="module")
def quick_lab(tmp_path_factory):
    """``run_all`` in quick mode, once for the whole module."""
    output = tmp_path_factory.mktemp("lab")
    results, report = lab.run_all(output, seed=0, quick=True)
    return output, {result.name: result for result in results}, report


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
def test_experiment_table_png_and_json(quick_lab, name):
    output, results, _ = quick_lab
    result = results[name]
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
def test_figure_is_fully_labelled(quick_lab, name):
    figure = quick_lab[1][name].figure
    assert figure.get_suptitle()
    for ax in figure.axes:
        assert ax.get_title(), name
        assert ax.get_xlabel() and ax.get_ylabel(), (name, ax.get_title())
        assert ax.get_legend() is not None, (name, ax.get_title())


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_caption_quotes_the_notes_and_the_run(quick_lab, name):
    result = quick_lab[1][name]
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


CLAIM_CHECKS = {
    "gradcheck": gradcheck_checks, "activations": activations_checks, "init": init_checks,
    "regularization": regularization_checks, "dropout": dropout_checks,
    "preprocessing": preprocessing_checks, "learning-rate": learning_rate_checks,
    "optimizers": optimizers_checks,
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
def test_caption_verdict_follows_the_table(quick_lab, name):
    output = quick_lab[0]
    saved = json.loads((output / f"{name}.json").read_text(encoding="utf-8"))
    expected = expected_verdict(name, saved["tables"])
    assert caption_verdict(saved["caption"]) == expected
    assert saved["verdict"] == expected
    if expected != "too small to decide":
        assert len(saved["checks"]) == len(CLAIM_CHECKS[name](saved["tables"]))


@pytest.mark.parametrize("name", ["regularization", "learning-rate"])
def test_quick_run_reaches_the_full_verdict_or_says_it_is_too_small(quick_lab, name):
    quick = quick_lab[1][name]
    full = lab.run_experiment(name, seed=0)
    assert caption_verdict(full.caption) == expected_verdict(name, full.to_dict()["tables"])
    assert quick.verdict in (full.verdict, Verdict.UNDECIDED)


def test_caption_quotes_the_table(quick_lab):
    result = quick_lab[1]["activations"]
    assert f"{result.table.row('tanh')['final_loss']:.3g}" in result.caption
    assert f"{result.table.row('sigmoid')['final_loss']:.3g}" in result.caption


def test_gradcheck_errors_follow_the_theory(quick_lab):
    table = quick_lab[1]["gradcheck"].table
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


def test_same_seed_same_tables_other_seed_other_tables(quick_lab):
    results = quick_lab[1]
    for name in ("gradcheck", "dropout"):
        again = lab.run_experiment(name, seed=0, quick=True)
        assert again.to_dict()["tables"] == results[name].to_dict()["tables"]
        assert again.caption == results[name].caption
    other = lab.run_experiment("dropout", seed=1, quick=True)
    assert other.to_dict()["tables"] != results["dropout"].to_dict()["tables"]


def test_report_is_self_contained(quick_lab):
    _, results, report = quick_lab
    text = report.read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]*)"', text)
    assert len(sources) == len(results) == 8
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
    assert 'data-loaded="8/8"' in body.group(0)


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
    for bad in (["lab", "swish"], ["lab", "gradcheck", "--seed", "-1"], ["lab"]):
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
    with pytest.raises(ValueError, match="seed"):
        lab.run_experiment("gradcheck", seed=-1)


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
