"""Every subcommand on bad input: one line on standard error and an exit code, no traceback.

Each case runs the real ``main`` in this process (fast); the Ctrl-C and broken-pipe cases run a
real process, as a user's shell would.
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from nntricks.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A folder of bad inputs, and one good model to feed them to."""
    folder = tmp_path_factory.mktemp("bad")
    (folder / "a-file").write_text("not a folder\n")
    (folder / "a-folder").mkdir()
    (folder / "damaged.npz").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    np.save(folder / "plain.npy", np.arange(6.0))
    (folder / "text.txt").write_text("hello\n")
    np.savez(folder / "no-x.npz", features=np.ones((3, 64)))
    (folder / "not-an-estimator.json").write_text(json.dumps(
        {"estimator": "os.path.join", "data": "digits", "params": {"alpha": 0.1}}))
    (folder / "bad-scoring.json").write_text(json.dumps(
        {"estimator": "MLPClassifier", "data": "digits", "scoring": "acuracy",
         "params": {"alpha": 0.1}}))
    (folder / "good.json").write_text(json.dumps(
        {"estimator": "MLPClassifier", "data": "digits", "n_trials": 1,
         "params": {"alpha": [1e-4, 1e-3], "max_iter": 1}}))
    (folder / "text-number.yaml").write_text("estimator: MLPClassifier\ndata: digits\n"
                                             "params:\n  alpha: {log_uniform: [1e-6, 1e-1]}\n")
    model = folder / "model"
    assert main(["train", "--max-iter", "2", "--quiet", "--output", str(model)]) == 0
    return folder


CASES = {
    # name: (arguments with {f} for the folder of bad inputs, exit code, words of the message)
    "train on a missing file": (["train", "--data", "{f}/missing.csv"], 2, "missing.csv"),
    "train on a damaged npz": (["train", "--data", "{f}/damaged.npz"], 2, "damaged.npz"),
    "train --output naming a file": (["train", "--output", "{f}/a-file"], 2, "is a file"),
    "train with no hidden sizes": (["train", "--hidden-layer-sizes"], 2, "expected at least"),
    "train lbfgs with dropout": (["train", "--solver", "lbfgs"], 2, "--dropout 0"),
    "train with a negative rate": (["train", "--learning-rate-init", "-1"], 2,
                                   "learning_rate_init"),
    "train with a test size of 0": (["train", "--test-size", "0", "--output", "{f}/t"], 2,
                                    "--test-size: must be a fraction in (0, 1)"),
    "predict with a missing model": (["predict", "{f}/missing.npz", "digits"], 2, "no model"),
    "predict with a plain npy model": (["predict", "{f}/plain.npy", "digits"], 2,
                                       "not an nntricks model file"),
    "predict with a text model": (["predict", "{f}/text.txt", "digits"], 2,
                                  "not an nntricks model file"),
    "predict an npz without X": (["predict", "{f}/model/model.npz", "{f}/no-x.npz",
                                  "--output", "{f}/p.csv"], 2, "no-x.npz"),
    "predict --output naming a folder": (["predict", "{f}/model/model.npz", "digits",
                                          "--output", "{f}/a-folder"], 2, "is a folder"),
    "gradcheck with no samples": (["gradcheck", "--samples", "0"], 2, "--samples"),
    "gradcheck with h = 0": (["gradcheck", "--h", "0"], 2, "--h"),
    "gradcheck with a seed over 2**32 - 1": (["gradcheck", "--seed", "4294967296"], 2,
                                             "--seed: must be an integer in [0, 4294967295]"),
    "lab with a seed over 2**32 - 1": (["lab", "all", "--quick", "--seed", "4294967296",
                                        "--output", "{f}/lab-big-seed"], 2, "--seed"),
    "playground on port -1": (["playground", "--no-browser", "--port", "-1"], 2, "--port"),
    "playground on port 99999": (["playground", "--no-browser", "--port", "99999"], 2,
                                 "--port: must be an integer in [0, 65535]"),
    "lab with an unknown name": (["lab", "nothing"], 2, "invalid choice"),
    "lab --output naming a file": (["lab", "gradcheck", "--output", "{f}/a-file"], 2,
                                   "is a file"),
    "sweep of a missing spec": (["sweep", "{f}/missing.toml"], 2, "missing.toml"),
    "sweep of a non-estimator": (["sweep", "{f}/not-an-estimator.json"], 2,
                                 "is not an estimator class"),
    "sweep with an unknown scoring": (["sweep", "{f}/bad-scoring.json"], 2,
                                      "did you mean 'accuracy'"),
    "sweep --results naming a folder": (["sweep", "{f}/good.json", "--results", "{f}/a-folder",
                                         "--n-jobs", "1"], 2, "is a folder"),
    "sweep of YAML text numbers": (["sweep", "{f}/text-number.yaml"], 2, "1.0e-4"),
    "sweep with no workers": (["sweep", "{f}/good.json", "--n-jobs", "0"], 2,
                              "--n-jobs: must be an integer >= 1 (or -1: every core)"),
    "sweep with a negative timeout": (["sweep", "{f}/good.json", "--scheduler",
                                       "tcp://127.0.0.1:8786", "--connect-timeout", "-1"], 2,
                                      "--connect-timeout: must be a number > 0"),
    "sweep showing -1 rows": (["sweep", "{f}/good.json", "--top", "-1"], 2, "--top"),
    "bench with bad options": (["bench", "--", "--rounds", "x"], 2, "--rounds"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gives_one_line_and_an_exit_code(case, files, capsys):
    arguments, code, words = CASES[case]
    if "yaml" in case.lower():
        pytest.importorskip("yaml")
    arguments = [argument.replace("{f}", str(files)) for argument in arguments]
    try:
        got = main(arguments)
    except SystemExit as exit_:  # argparse's usage errors
        got = exit_.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert got == code, err
    assert words in err
    message = [line for line in err.splitlines() if "error" in line]
    assert len(message) == 1, err


def nntricks_process(*args, cwd):
    """``nntricks ARGS`` in its own process group, as a shell runs a foreground job."""
    return subprocess.Popen([sys.executable, "-m", "nntricks", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def interrupt(process, when):
    """Ctrl-C as a terminal sends it (SIGINT to the whole process group) once ``when()``."""
    deadline = time.monotonic() + 120
    while not when() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.poll() is None, "the command ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    return process.communicate(timeout=120)


def after(seconds):
    start = time.monotonic()
    return lambda: time.monotonic() - start > seconds


def test_ctrl_c_in_train_keeps_the_weights_saves_the_files_and_exits_130(tmp_path):
    process = nntricks_process("train", "--max-iter", "100000", "--n-iter-no-change", "inf",
                               "--output", "out", cwd=tmp_path)
    out, err = interrupt(process, after(6))
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["epochs"] >= 1
    assert "test accuracy" in out
    from nntricks import load

    model = load(tmp_path / "out" / "model.npz")
    assert model.named_steps["mlp"].n_iter_ == metrics["epochs"]


def test_ctrl_c_in_the_lab_writes_no_caption_or_report_and_exits_130(tmp_path):
    process = nntricks_process("lab", "all", "--output", "lab", cwd=tmp_path)
    out, err = interrupt(process, lambda: (tmp_path / "lab" / "gradcheck.json").exists())
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not (tmp_path / "lab" / "report.html").exists()
    written = {path.stem for path in (tmp_path / "lab").glob("*.json")}
    assert written == {path.stem for path in (tmp_path / "lab").glob("*.png")}
    said = err.split("finished and written: ")[1].split(";")[0].split(", ")
    assert set(said) == written and "gradcheck" in written and len(written) < 8


@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_ctrl_c_in_a_sweep_records_no_cut_short_trial_and_a_rerun_resumes(n_jobs, tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({"estimator": "MLPClassifier", "data": "digits", "cv": 2,
                                "search": "grid", "params": {
                                    "alpha": {"log_grid": [1e-5, 1e-1, 5]},
                                    "hidden_layer_sizes": [[128]], "max_iter": 100,
                                    "tol": 0.0}}))
    results = tmp_path / "s.results.jsonl"
    process = nntricks_process("sweep", "s.json", "--n-jobs", n_jobs, cwd=tmp_path)
    out, err = interrupt(process, lambda: results.exists() and results.read_text())
    assert process.returncode == 130, err
    assert "Traceback" not in err and "resume" in err
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert 1 <= len(records) < 5
    for record in records:  # every record is a whole trial, none cut short by the interrupt
        assert record["status"] == "ok" and len(record["scores"]) == 2
        assert not any("Interrupted" in warning for warning in record["warnings"])
    rerun = subprocess.run([sys.executable, "-m", "nntricks", "sweep", "s.json", "--n-jobs",
                            "1", "--no-plot"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(records)} already in" in rerun.stdout


def test_a_broken_pipe_on_standard_output_ends_quietly(files, tmp_path):
    command = (f"{sys.executable} -m nntricks predict {files}/model/model.npz digits "
               "--output - | head -n 2")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                            timeout=120, env=os.environ | {"PYTHONUNBUFFERED": "1"})
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
