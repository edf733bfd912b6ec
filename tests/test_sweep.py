"""nntricks.sweep: search spaces, validation before any trial, seeds, results file, resume, Dask."""

import json
import os
import signal
import socket
import sys
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from nntricks import MLPClassifier
from nntricks.sweep import (
    Choice,
    Fixed,
    LogGrid,
    LogUniform,
    SweepSpec,
    Uniform,
    load_spec,
    make_trials,
    parse_dimension,
    read_results,
    run_sweep,
    trial_seed,
)

# A tiny network on digits: each trial takes a few milliseconds.
SMALL = {"hidden_layer_sizes": [8], "max_iter": 5}
RANDOM_12 = {
    "estimator": "MLPClassifier", "data": "digits", "search": "random", "n_trials": 12,
    "seed": 0, "cv": 2,
    "params": {"alpha": {"log_uniform": [1e-6, 1e-1]},
               "learning_rate_init": {"log_uniform": [1e-3, 1e-1]},
               "hidden_layer_sizes": {"choice": [[8], [16]]}, "max_iter": 5},
}


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """Sleeps ``delay`` seconds in ``fit``, then predicts one class drawn from ``random_state``.

    Slow enough to kill a Dask worker mid-trial; its score depends only on the trial's seed.
    """

    def __init__(self, delay=0.0, alpha=1.0, random_state=None):
        self.delay = delay
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, X, y):
        time.sleep(self.delay)
        self.classes_ = np.unique(y)
        self.guess_ = np.random.default_rng(self.random_state).choice(self.classes_)
        return self

    def predict(self, X):
        return np.full(len(X), self.guess_)


class FailingClassifier(SleepyClassifier):
    """Raises in ``fit`` when ``alpha`` is negative."""

    def fit(self, X, y):
        if self.alpha < 0:
            raise RuntimeError(f"alpha={self.alpha} is negative")
        return super().fit(X, y)


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- search spaces ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (30, Fixed(30)),
    ("relu", Fixed("relu")),
    ({"value": [32, 32]}, Fixed([32, 32])),
    ([1e-4, 1e-3], Choice((1e-4, 1e-3))),
    ({"choice": [[32], [64]]}, Choice(([32], [64]))),
    ({"uniform": [0, 0.5]}, Uniform(0.0, 0.5)),
    ({"log_uniform": [1e-6, 1e-1]}, LogUniform(1e-6, 1e-1)),
    ({"log_grid": [1e-4, 1e-1, 4]}, LogGrid(1e-4, 1e-1, 4)),
])
def test_parse_dimension_reads_every_kind(raw, expected):
    assert parse_dimension("p", raw) == expected


def test_log_uniform_is_uniform_in_log_and_log_grid_is_geometric():
    rng = np.random.default_rng(0)
    samples = np.array([LogUniform(1e-6, 1e-2).sample(rng) for _ in range(2000)])
    assert samples.min() >= 1e-6 and samples.max() < 1e-2
    # each decade holds about a quarter of the draws
    counts = np.histogram(np.log10(samples), bins=[-6, -5, -4, -3, -2])[0]
    np.testing.assert_allclose(counts / len(samples), 0.25, atol=0.04)
    assert LogGrid(1e-4, 1e-1, 4).grid() == [1e-4, 1e-3, 1e-2, 1e-1]


def test_grid_search_runs_the_cartesian_product_with_fixed_values():
    spec = SweepSpec(search="grid", params={"alpha": {"log_grid": [1e-4, 1e-2, 3]},
                                            "activation": ["relu", "tanh"], "max_iter": 5})
    trials = make_trials(spec)
    assert len(trials) == 6
    assert {t.params["max_iter"] for t in trials} == {5}
    assert {(t.params["alpha"], t.params["activation"]) for t in trials} == {
        (a, f) for a in (1e-4, 1e-3, 1e-2) for f in ("relu", "tanh")}


def test_trial_seeds_and_ids_depend_on_sweep_seed_and_params_only():
    spec = SweepSpec.from_dict(RANDOM_12)
    trials = make_trials(spec)
    assert len({t.trial_id for t in trials}) == 12
    assert make_trials(SweepSpec.from_dict(RANDOM_12)) == trials  # stable across calls
    for trial in trials:
        assert trial.seed == trial_seed(0, trial.params)
        assert 0 <= trial.seed < 2**32
    assert trial_seed(1, trials[0].params) != trials[0].seed
    # a grid trial with the same parameters gets the same seed as in any other sweep
    grid = make_trials(SweepSpec(search="grid", params={"alpha": [0.1, 0.2]}))
    assert grid[1].seed == trial_seed(0, {"alpha": 0.2})


def test_json_toml_and_yaml_specs_read_the_same(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(RANDOM_12))
    (tmp_path / "s.toml").write_text("""
estimator = "MLPClassifier"
data = "digits"
search = "random"
n_trials = 12
seed = 0
cv = 2

[params]
alpha = { log_uniform = [1e-6, 1e-1] }
learning_rate_init = { log_uniform = [1e-3, 1e-1] }
hidden_layer_sizes = { choice = [[8], [16]] }
max_iter = 5
""")
    spec = load_spec(tmp_path / "s.json")
    assert spec == SweepSpec.from_dict(RANDOM_12)
    assert load_spec(tmp_path / "s.toml") == spec
    try:
        import yaml
    except ImportError:  # YAML is optional
        return
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(RANDOM_12))
    assert load_spec(tmp_path / "s.yaml") == spec


@pytest.mark.parametrize("name, text, message", [
    ("s.json", '{"estimator": "MLPClassifier", "trials": 3}', "unknown spec key 'trials'"),
    ("s.json", "[1, 2]", "must be a table"),
    ("s.json", "{", "s.json"),
    ("s.toml", "n_trials = ", "s.toml"),
    ("s.ini", "", "unknown format '.ini'"),
])
def test_bad_spec_files_fail_clearly(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / name)


# --- bad input fails before any trial --------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"params": {"alfa": 1e-3}}, "unknown parameter 'alfa'.*did you mean 'alpha'"),
    ({"params": {"alpha": {"log_uniform": [1e-1, 1e-6]}}}, "'alpha'.*low < high"),
    ({"params": {"alpha": {"log_uniform": [1e-3, 1e-3]}}}, "'alpha'.*low < high"),
    ({"params": {"alpha": {"log_uniform": [0, 1e-1]}}}, "'alpha'.*positive bounds"),
    ({"params": {"alpha": {"log_uniform": [-1, 1e-1]}}}, "'alpha'.*positive bounds"),
    ({"params": {"learning_rate_init": {"log_grid": [1e-4, 1e-1, 1]}}}, "n >= 2"),
    ({"params": {"alpha": {"uniform": [0, "1"]}}}, "finite numbers"),
    ({"params": {"alpha": {"log_uniform": [1e-6]}}}, r"\[low, high\]"),
    ({"params": {"alpha": {"between": [0, 1]}}}, "exactly one key"),
    ({"params": {"alpha": []}}, "non-empty list"),
    ({"params": {"random_state": 3}}, "set seed instead"),
    ({"search": "grid", "params": {"alpha": {"log_uniform": [1e-6, 1e-1]}}}, "log_grid"),
    ({"n_trials": 0}, "n_trials must be an integer >= 1"),
    ({"n_trials": 2.5}, "n_trials must be an integer >= 1"),
    ({"cv": 1}, "cv must be an integer >= 2"),
    ({"holdout": 1.0, "cv": None}, r"holdout must be a fraction in \(0, 1\)"),
    ({"holdout": 0.2}, "either cv"),  # RANDOM_12 has cv too
    ({"search": "bayes"}, "search must be"),
    ({"estimator": "NoSuchEstimator"}, "unknown estimator"),
    ({"estimator": "sklearn.linear_model.NoSuch"}, "cannot import estimator"),
    ({"data": "no-such-data"}, "no-such-data"),
    # an nntricks estimator checks every trial's values (check_params) before the first runs
    ({"params": {**RANDOM_12["params"], "alpha": -1.0}}, r"alpha must lie in \[0, inf\)"),
    ({"params": {**RANDOM_12["params"], "learning_rate_init": {"uniform": [-0.1, 0.1]}}},
     r"learning_rate_init must lie in \(0, inf\)"),
])
def test_bad_input_fails_before_any_trial_runs(tmp_path, change, message):
    results = tmp_path / "r.jsonl"
    seen = []
    with pytest.raises(ValueError, match=message):
        run_sweep(RANDOM_12 | change, results, n_jobs=1, on_result=seen.append)
    assert seen == [] and not results.exists()


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5])
def test_n_jobs_is_minus_one_or_at_least_one(tmp_path, n_jobs):
    with pytest.raises(ValueError, match=r"n_jobs must be -1 \(every core\) or an integer >= 1"):
        run_sweep(RANDOM_12, tmp_path / "r.jsonl", n_jobs=n_jobs)
    assert not (tmp_path / "r.jsonl").exists()


def test_no_more_local_workers_start_than_trials_to_run(tmp_path):
    psutil = pytest.importorskip("psutil")

    def workers():
        return sum("LokyProcess" in " ".join(child.cmdline())
                   for child in psutil.Process().children(recursive=True))

    seen = []
    spec = RANDOM_12 | {"search": "grid", "params": {"alpha": [1e-4, 1e-3], **SMALL}}
    result = run_sweep(spec, tmp_path / "r.jsonl", n_jobs=8,
                       on_result=lambda record: seen.append(workers()))
    assert result.n_run == 2 and 1 <= max(seen) <= 2


@pytest.mark.parametrize("scheduler, timeout, message", [
    ("nonsense", 2, "'nonsense' is not a Dask scheduler address"),
    ("tcp://127.0.0.1:8786", -1, r"connect_timeout must lie in \(0, inf\)"),
    ("tcp://127.0.0.1:8786", 0, r"connect_timeout must lie in \(0, inf\)"),
])
def test_a_bad_scheduler_address_or_timeout_fails_before_connecting(scheduler, timeout, message):
    pytest.importorskip("distributed")
    from nntricks.sweep import connect

    with pytest.raises(ValueError, match=message):
        connect(scheduler, timeout)


def test_without_dask_a_scheduler_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    results = tmp_path / "r.jsonl"
    with pytest.raises(ImportError, match=r"pip install 'nntricks\[dask\]'"):
        run_sweep(RANDOM_12, results, scheduler="tcp://127.0.0.1:8786")
    assert not results.exists()


def test_unreachable_scheduler_fails_quickly_and_clearly(tmp_path):
    pytest.importorskip("distributed")
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    start = time.perf_counter()
    with pytest.raises(ConnectionError, match=f"cannot reach the Dask scheduler at '{address}'"):
        run_sweep(RANDOM_12, tmp_path / "r.jsonl", scheduler=address, connect_timeout=2)
    assert time.perf_counter() - start < 30
    assert not (tmp_path / "r.jsonl").exists()


# --- running, recording, resuming ------------------------------------------------------------

def test_every_trial_is_recorded_with_its_scores_and_the_summary_finds_the_best(tmp_path):
    results = tmp_path / "r.jsonl"
    result = run_sweep(RANDOM_12 | {"n_trials": 6}, results, n_jobs=1)
    records = lines(results)
    assert len(records) == 6 and result.n_run == 6 and result.n_skipped == 0
    for record in records:
        assert record["status"] == "ok" and record["error"] is None
        assert len(record["scores"]) == 2
        assert record["score"] == pytest.approx(np.mean(record["scores"]))
        assert record["fit_time"] > 0
        assert set(record["params"]) == {"alpha", "learning_rate_init", "hidden_layer_sizes",
                                         "max_iter"}
    # the estimator's ConvergenceWarning at max_iter=5 is recorded, not raised
    assert any("ConvergenceWarning" in w for record in records for w in record["warnings"])
    best = max(records, key=lambda r: r["score"])
    assert result.best_params == best["params"] and result.best_score == best["score"]
    table = result.table().splitlines()
    assert table[0] == "fixed: max_iter=5"
    assert table[1].split()[:4] == ["rank", "accuracy", "±", "sd"]
    scores = [float(row.split()[1]) for row in table[2:]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 6
    assert best["trial_id"] in table[2]
    assert len(result.table(top=2).splitlines()) < len(table)
    for top in (0, -1, 1.5):
        with pytest.raises(ValueError, match="top must"):
            result.table(top=top)


def test_plot_has_a_log_axis_per_log_range_titles_labels_and_legends(tmp_path):
    result = run_sweep(RANDOM_12 | {"n_trials": 4, "holdout": 0.25, "cv": None},
                       tmp_path / "r.jsonl", n_jobs=1)
    figure = result.figure()
    axes = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == [
        "validation accuracy vs alpha", "validation accuracy vs hidden_layer_sizes",
        "validation accuracy vs learning_rate_init"]
    assert [ax.get_xscale() for ax in axes] == ["log", "linear", "log"]
    assert [ax.get_xlabel() for ax in axes] == [
        "alpha (log scale)", "hidden_layer_sizes", "learning_rate_init (log scale)"]
    for ax in axes:
        assert ax.get_ylabel() == "validation accuracy"
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert any(label.startswith("best") for label in labels)
    assert "MLPClassifier on digits" in figure.get_suptitle()
    path = result.plot(tmp_path / "plots" / "sweep.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on(tmp_path):
    spec = {"estimator": FailingClassifier(), "data": "digits", "search": "grid", "cv": 2,
            "params": {"alpha": [-1.0, 1.0, 2.0]}}
    results = tmp_path / "r.jsonl"
    result = run_sweep(spec, results, n_jobs=1)
    by_alpha = {r["params"]["alpha"]: r for r in lines(results)}
    assert by_alpha[-1.0]["status"] == "failed"
    assert by_alpha[-1.0]["error"] == "RuntimeError: alpha=-1.0 is negative"
    assert by_alpha[-1.0]["score"] is None
    assert by_alpha[1.0]["status"] == by_alpha[2.0]["status"] == "ok"
    assert [r["params"]["alpha"] for r in result.failed] == [-1.0]
    assert "FAILED" in result.table() and "alpha=-1.0 is negative" in result.table()
    # a re-run retries the failed trial only (and records it again), unless told not to
    assert run_sweep(spec, results, n_jobs=1, retry_failed=False).n_run == 0
    again = run_sweep(spec, results, n_jobs=1)
    assert (again.n_run, again.n_skipped) == (1, 2)
    assert [r["params"]["alpha"] for r in lines(results)] == [-1.0, 1.0, 2.0, -1.0]
    assert len(again.records) == 3  # the latest record of each trial


def test_an_interrupted_sweep_resumes_with_only_the_missing_trials(tmp_path):
    results = tmp_path / "r.jsonl"
    spec = RANDOM_12 | {"n_trials": 8}

    def interrupt_after_3(record, seen=[]):  # noqa: B006 -- the list counts calls
        seen.append(record)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, results, n_jobs=1, on_result=interrupt_after_3)
    first = lines(results)
    assert len(first) == 3
    rerun = []
    result = run_sweep(spec, results, n_jobs=1, on_result=rerun.append)
    assert (result.n_run, result.n_skipped, len(rerun)) == (5, 3, 5)
    ids = [r["trial_id"] for r in lines(results)]
    assert len(ids) == len(set(ids)) == 8
    assert {r["trial_id"] for r in rerun}.isdisjoint(r["trial_id"] for r in first)
    assert run_sweep(spec, results, n_jobs=1).n_run == 0


def test_a_results_file_cut_mid_line_resumes_in_parallel(tmp_path):
    results = tmp_path / "r.jsonl"
    spec = RANDOM_12 | {"n_trials": 6}
    run_sweep(spec, results, n_jobs=1)
    text = results.read_text().splitlines(keepends=True)
    results.write_text("".join(text[:2]) + text[2][:25])  # a crash tore the third line
    result = run_sweep(spec, results, n_jobs=2)  # local worker processes
    assert (result.n_run, result.n_skipped) == (4, 2)
    records = read_results(results)
    assert len(records) == 6 and all(r["status"] == "ok" for r in records.values())
    assert len(results.read_text().splitlines()) == 7  # 2 kept + the torn one + 4 new


# --- Dask: a real LocalCluster with 2 worker processes ---------------------------------------

@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    # dashboard_address=":0": any free port, as the default 8787 may be taken by another cluster
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_a_sweep_on_the_cluster_scores_like_the_same_sweep_run_locally(tmp_path, client):
    local = run_sweep(RANDOM_12, tmp_path / "local.jsonl", n_jobs=1)
    remote = run_sweep(RANDOM_12, tmp_path / "remote.jsonl", client=client)
    assert remote.n_run == local.n_run == 12
    workers = {r["worker"] for r in remote.records}
    assert len(workers) == 2 and f"{socket.gethostname()}:{os.getpid()}" not in workers
    by_id = {r["trial_id"]: r for r in remote.records}
    for record in local.records:
        twin = by_id[record["trial_id"]]
        assert (twin["params"], twin["seed"]) == (record["params"], record["seed"])
        assert twin["scores"] == record["scores"]
    assert remote.best_params == local.best_params


def test_scikit_learn_grid_search_of_nntricks_estimators_runs_on_dask(client):
    distributed = pytest.importorskip("distributed")
    X, y = np.random.default_rng(0).random((200, 8)), np.arange(200) % 3
    search = GridSearchCV(MLPClassifier(**SMALL, random_state=0),
                          {"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 1e-2]}, cv=2)
    with warnings.catch_warnings():
        # max_iter=5 stops early on purpose; scikit-learn hands this process's warning filters
        # to its joblib workers, so the Dask workers too must not turn the warning into an error
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = clone(search).fit(X, y)
        with distributed.get_task_stream(client) as stream, \
                joblib.parallel_config(backend="dask"):
            remote = clone(search).set_params(n_jobs=-1).fit(X, y)
    assert stream.data, "no task ran on the cluster"
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_


def test_killing_a_worker_mid_sweep_still_finishes_every_trial_once(tmp_path, client):
    results = tmp_path / "r.jsonl"
    spec = {"estimator": SleepyClassifier(delay=0.2), "data": "digits", "cv": 2, "seed": 0,
            "n_trials": 12, "params": {"alpha": {"log_uniform": [1e-3, 1.0]}}}
    pids = client.run(os.getpid)
    killed = []

    def kill_a_busy_worker(record):
        if not killed:
            busy = [address for address, keys in client.processing().items() if keys]
            killed.append(pids[busy[0]])
            os.kill(killed[0], signal.SIGKILL)

    result = run_sweep(spec, results, client=client, on_result=kill_a_busy_worker)
    assert killed and result.n_run == 12
    ids = [r["trial_id"] for r in lines(results)]
    assert len(ids) == len(set(ids)) == 12
    assert all(r["status"] == "ok" for r in result.records)
    client.wait_for_workers(2, timeout=30)  # the nanny restarts the killed worker
    assert killed[0] not in client.run(os.getpid).values()
    # same seeds, same scores as a local run of the same trials
    local = run_sweep(spec | {"estimator": SleepyClassifier(delay=0.0)},
                      tmp_path / "local.jsonl", n_jobs=1)
    assert {r["seed"]: r["scores"] for r in local.records} == {
        r["seed"]: r["scores"] for r in result.records}
