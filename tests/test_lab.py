"""The lab: every experiment (quick mode), its files, reproducibility, the report in a browser."""

import argparse
import html
import json
import re
import shutil
import subprocess
import zlib

import numpy as np
import pytest
from matplotlib.image import imread

from nntricks import lab, optim
from nntricks.cli import lab as lab_cli
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
        assert all(len(row) == len(table.columns) for row in table.rows)
    check_png(output / f"{name}.png")
    saved = json.loads((output / f"{name}.json").read_text(encoding="utf-8"))
    assert saved["tables"] == result.to_dict()["tables"]
    assert saved["caption"] == result.caption
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
    assert "here" in caption  # what this run shows, not only what the notes say
    # numbers formatted from the run appear in the text
    assert len(re.findall(r"\d\.\d", caption)) >= 3


def test_captions_follow_the_numbers(quick_lab):
    results = quick_lab[1]
    rows = {row[0]: row for row in results["activations"].table.rows}
    tanh, sigmoid = rows["tanh"][4], rows["sigmoid"][4]
    verdict = "claim holds here" if tanh < sigmoid else "claim does not hold here"
    assert verdict in results["activations"].caption
    assert f"{tanh:.3g}" in results["activations"].caption
    gradcheck = {row[0]: row for row in results["gradcheck"].table.rows}
    assert 1.8 < gradcheck["centered float64"][1] < 2.2  # O(h²)
    assert 0.9 < gradcheck["forward float64"][1] < 1.1  # O(h)
    assert gradcheck["centered float64"][4] < 1e-8 < gradcheck["centered float32"][4]


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
    if browser is None:
        pytest.fail("the report test needs headless Chromium: install Debian's 'chromium' "
                    "package (apt-get install -y chromium); CI installs it")
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
