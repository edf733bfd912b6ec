"""``nntricks sweep``, run in-process through the sub-command's own parser."""

import argparse
import json
import socket
import subprocess
import sys

import pytest

from nntricks.cli import sweep as sweep_cli

SPEC = """
estimator = "MLPClassifier"
data = "digits"
search = "random"
n_trials = 4
seed = 0
cv = 2

[params]
alpha = { log_uniform = [1e-6, 1e-1] }
learning_rate_init = { log_uniform = [1e-3, 1e-1] }
hidden_layer_sizes = { choice = [[8], [16]] }
max_iter = 5
"""


@pytest.fixture
def sweep(capsys):
    """Run ``nntricks sweep ARGS``; return (exit code, stdout, stderr)."""

    def run(*args):
        parser = argparse.ArgumentParser(prog="nntricks")
        sweep_cli.add_parser(parser.add_subparsers(dest="command"))
        parsed = parser.parse_args(["sweep", *map(str, args)])
        code = parsed.run(parsed)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC)
    return path


def test_a_spec_file_sweep_prints_trials_table_and_best_and_saves_results_and_plot(sweep, spec):
    code, out, err = sweep(spec, "--n-jobs", "1")
    assert code == 0, err
    results = spec.with_name("spec.results.jsonl")
    assert f"4 trials (random search, cv=2), 0 already in {results}, 4 to run" in out
    assert sum(line.startswith(("[1/4] ok", "[2/4] ok", "[3/4] ok", "[4/4] ok"))
               for line in out.splitlines()) == 4
    assert "rank  accuracy" in out and "fixed: max_iter=5" in out
    records = [json.loads(line) for line in results.read_text().splitlines()]
    best = max(records, key=lambda r: r["score"])
    assert f"best accuracy {best['score']:.4f} with {json.dumps(best['params'])}" in out
    assert spec.with_name("spec.results.png").read_bytes()[:4] == b"\x89PNG"
    # the same command again runs nothing and prints the same summary
    code, again, _ = sweep(spec, "--n-jobs", "1")
    assert code == 0
    assert "4 already in" in again and "0 to run" in again and "[1/4]" not in again
    assert again.split("\n\n", 1)[1] == out.split("\n\n", 1)[1]


def test_flags_alone_describe_a_grid_sweep(sweep, tmp_path):
    results = tmp_path / "out" / "grid.jsonl"
    code, out, err = sweep("--estimator", "MLPClassifier", "--data", "digits", "--search", "grid",
                           "--param", "alpha=log_grid:1e-4,1e-2,3",
                           "--param", "hidden_layer_sizes=value:[8]", "--param", "max_iter=5",
                           "--param", "activation=choice:relu,tanh",
                           "--holdout", "0.25", "--results", results, "--no-plot",
                           "--n-jobs", "1")
    assert code == 0, err
    assert "6 trials (grid search, holdout=0.25)" in out
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted((r["params"]["alpha"], r["params"]["activation"]) for r in records) == [
        (a, f) for a in (1e-4, 1e-3, 1e-2) for f in ("relu", "tanh")]
    assert all(r["params"]["hidden_layer_sizes"] == [8] and len(r["scores"]) == 1
               for r in records)
    assert not results.with_suffix(".png").exists()


def test_flags_override_the_spec_file(sweep, spec, tmp_path):
    code, out, err = sweep(spec, "--n-trials", "2", "--holdout", "0.2", "--seed", "3",
                           "--param", "max_iter=3", "--results", tmp_path / "r.jsonl",
                           "--plot", tmp_path / "p.png", "--n-jobs", "1")
    assert code == 0, err
    assert "2 trials (random search, holdout=0.2)" in out and "fixed: max_iter=3" in out
    assert (tmp_path / "p.png").exists()


@pytest.mark.parametrize("text, expected", [
    ("max_iter=30", ("max_iter", 30)),
    ("activation=relu", ("activation", "relu")),
    ("early_stopping=true", ("early_stopping", True)),
    ("alpha=[1e-4, 1e-3]", ("alpha", [1e-4, 1e-3])),
    ('alpha={"log_uniform": [1e-6, 0.1]}', ("alpha", {"log_uniform": [1e-6, 0.1]})),
    ("alpha=log_uniform:1e-6,1e-1", ("alpha", {"log_uniform": [1e-6, 0.1]})),
    ("lr=log_grid:1e-4,1e-1,4", ("lr", {"log_grid": [1e-4, 0.1, 4]})),
    ("hidden_layer_sizes=choice:[32],[64]", ("hidden_layer_sizes", {"choice": [[32], [64]]})),
    ("activation=choice:relu,tanh", ("activation", {"choice": ["relu", "tanh"]})),
    ("hidden_layer_sizes=value:[32,16]", ("hidden_layer_sizes", {"value": [32, 16]})),
])
def test_param_flags_read_json_bare_words_and_kind_shorthands(text, expected):
    assert sweep_cli.parse_param(text) == expected


@pytest.mark.parametrize("args, message", [
    (["--param", "alfa=0.1"], "unknown parameter 'alfa' for MLPClassifier; did you mean 'alpha'"),
    (["--param", "alpha=log_uniform:0,1"], "'alpha': log_uniform needs positive bounds"),
    (["--param", "alpha=uniform:1,0"], "'alpha': uniform needs low < high"),
    (["--n-trials", "0"], "n_trials must be an integer >= 1"),
    (["--param", "alpha"], "--param takes NAME=VALUE"),
    (["--data", "nowhere.csv"], "nowhere.csv"),
    # nntricks estimators check every trial's values (check_params) before the first runs
    (["--param", "alpha=-1"], "alpha must lie in [0, inf), got -1"),
    (["--param", "learning_rate_init=uniform:-0.1,0.1"], "learning_rate_init must lie in (0, inf)"),
    (["--param", "activation=choice:relu,bogus"], "unknown activation 'bogus'"),
])
def test_bad_input_exits_2_before_any_trial(sweep, spec, tmp_path, args, message):
    results = tmp_path / "r.jsonl"
    code, out, err = sweep(spec, *args, "--results", results, "--n-jobs", "1")
    assert code == 2
    assert err.startswith("nntricks sweep: error: ") and message in err
    assert "[1/" not in out and not results.exists()


def test_a_missing_spec_file_exits_2(sweep, tmp_path):
    code, _, err = sweep(tmp_path / "missing.toml")
    assert code == 2 and "cannot read sweep spec" in err


def test_scheduler_without_dask_says_what_to_install(sweep, spec, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    code, _, err = sweep(spec, "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2 and "pip install 'nntricks[dask]'" in err


def test_an_unreachable_scheduler_exits_2(sweep, spec):
    pytest.importorskip("distributed")
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = sweep(spec, "--scheduler", f"tcp://127.0.0.1:{port}",
                         "--connect-timeout", "1")
    assert code == 2 and f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}'" in err


def test_failed_trials_exit_1_and_are_listed(sweep, tmp_path):
    # a scikit-learn estimator's parameters are left to its fit, trial by trial
    code, out, _ = sweep("--estimator", "sklearn.linear_model.LogisticRegression", "--data",
                         "digits", "--search", "grid", "--param", "C=choice:1.0,-1.0",
                         "--param", "max_iter=500", "--cv", "2", "--results",
                         tmp_path / "r.jsonl", "--no-plot", "--n-jobs", "1")
    assert code == 1
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == 2  # as it finished, and in the summary
    assert all("C=-1" in line and "'C' parameter" in line for line in failed)


@pytest.mark.parametrize("address, message", [
    ("nonsense", "'nonsense' is not a Dask scheduler address (missing port number"),
    ("tls://127.0.0.1:1", "cannot reach the Dask scheduler at 'tls://127.0.0.1:1'"),
])
def test_a_bad_scheduler_address_is_one_line_and_no_traceback(spec, address, message):
    pytest.importorskip("distributed")
    result = subprocess.run([sys.executable, "-m", "nntricks", "sweep", str(spec),
                             "--scheduler", address, "--connect-timeout", "2"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr


def test_an_interrupted_sweep_exits_130_and_the_same_command_resumes(sweep, spec, monkeypatch):
    real_run_sweep = sweep_cli.run_sweep

    def interrupted_after_2(*args, on_result, **kwargs):
        seen = []

        def hook(record):
            on_result(record)
            seen.append(record)
            if len(seen) == 2:
                raise KeyboardInterrupt  # as Ctrl-C would

        return real_run_sweep(*args, on_result=hook, **kwargs)

    monkeypatch.setattr(sweep_cli, "run_sweep", interrupted_after_2)
    code, out, err = sweep(spec, "--n-jobs", "1")
    assert code == 130 and "run the same command again to resume" in err
    assert "[2/4] ok" in out and "[3/4]" not in out
    monkeypatch.setattr(sweep_cli, "run_sweep", real_run_sweep)
    code, out, _ = sweep(spec, "--n-jobs", "1")
    assert code == 0
    assert "2 already in" in out and "2 to run" in out
    assert "[3/4] ok" in out and "[4/4] ok" in out and "[1/4]" not in out


def test_help_documents_the_spec_and_the_options(sweep, capsys):
    with pytest.raises(SystemExit) as exit_:
        sweep("--help")
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for text in ["--scheduler", "--holdout", "--cv", "--param", "--results", "--n-jobs",
                 "log_uniform", "log_grid", "nntricks[dask]", "resume"]:
        assert text in out
