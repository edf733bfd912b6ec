"""The playground's data sets, settings, training runs and web API (its page: another file)."""

import json
import time

import numpy as np
import pytest

pytest.importorskip("starlette", reason='the playground needs pip install "nntricks[playground]"')
httpx = pytest.importorskip("httpx")

from nntricks.playground.config import Config, ConfigError, parse_config  # noqa: E402
from nntricks.playground.data import DATASETS, FEATURES, features, make_dataset  # noqa: E402
from nntricks.playground.run import Run  # noqa: E402
from nntricks.playground.server import Runs  # noqa: E402
from playground_server import running_server  # noqa: E402

# -- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_data_set_is_500_points_in_the_plane_and_repeats_with_its_seed(name):
    points, targets = make_dataset(name, 0.1, seed=3)
    assert points.shape == (500, 2) and targets.shape == (500,)
    assert np.abs(points).max() <= 6.5
    again, _ = make_dataset(name, 0.1, seed=3)
    other, _ = make_dataset(name, 0.1, seed=4)
    np.testing.assert_array_equal(points, again)
    assert not np.array_equal(points, other)


def test_classification_labels_follow_the_shape_without_noise():
    points, labels = make_dataset("circle", 0.0, seed=0)
    inside = np.hypot(points[:, 0], points[:, 1]) < 2.5
    np.testing.assert_array_equal(labels, np.where(inside, 1.0, -1.0))
    points, labels = make_dataset("xor", 0.0, seed=0)
    np.testing.assert_array_equal(labels, np.sign(points[:, 0] * points[:, 1]))
    _, labels = make_dataset("spiral", 0.0, seed=0)
    assert (labels == 1).sum() == (labels == -1).sum() == 250


def test_noise_flips_labels_near_the_boundary():
    _, clean = make_dataset("circle", 0.0, seed=0)
    _, noisy = make_dataset("circle", 0.5, seed=0)
    assert 0 < (clean != noisy).mean() < 0.5


def test_features_are_the_named_functions_of_the_point():
    points = np.array([[1.0, 2.0], [-3.0, 0.5]])
    got = features(points, list(FEATURES))
    expected = [[1, 2, 1, 4, 2, np.sin(1), np.sin(2)], [-3, 0.5, 9, 0.25, -1.5, np.sin(-3),
                                                         np.sin(0.5)]]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.dtype == np.float32


# -- settings -----------------------------------------------------------------------------------


def test_the_default_settings_are_tensorflow_playgrounds():
    config = parse_config({})
    assert config == Config() and config.hidden == (4, 2) and config.problem == "classification"
    assert parse_config(config.as_dict()) == config


@pytest.mark.parametrize("change, message", [
    ({"noise": 80}, r"noise must lie in \[0, 50\], got 80"),
    ({"dataset": "moons"}, "unknown dataset 'moons'"),
    ({"features": []}, "features must be a non-empty list"),
    ({"features": ["x3"]}, "unknown feature 'x3'"),
    ({"hidden": [4] * 7}, "at most 6 layer sizes"),
    ({"hidden": [9]}, r"a hidden layer's size must lie in \[1, 8\]"),
    ({"learning_rate": 0.05}, "learning_rate must be one of"),
    ({"learning_rate": "fast"}, "learning_rate must be a number"),
    ({"batch_size": True}, "batch_size must be an integer"),
    ({"activation": "gelu"}, "unknown activation 'gelu'"),
    ({"color": "red"}, r"unknown settings \['color'\]"),
    ({"optimizer": "lion"}, "unknown optimizer 'lion'"),
    ({"dropout": 0.25}, "dropout must be one of"),
    ({"fan_in": "yes"}, "fan_in must be true or false"),
    ({"preprocess": "whiten"}, "unknown preprocess 'whiten'"),
    ({"tau": 7}, "tau must be one of"),
    ({"learning_rate": float("nan")}, "learning_rate must be one of .*, got nan"),
    ({"dropout": float("inf")}, "dropout must be one of .*, got inf"),
    ({"tau": 10**400}, r"tau must be one of .*, got 1000000000000000000000000000000000000\.\.\.$"),
])
def test_a_bad_setting_is_refused_by_name(change, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(change)


# -- the library trains -------------------------------------------------------------------------


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_playing_makes_the_test_loss_fall_on_the_circle():
    run = Run(parse_config({"learning_rate": 0.1}))
    try:
        first = run.snapshot["test_loss"]
        run.command("play")
        wait_for(lambda: run.epoch >= 40)
        run.command("pause")
        assert run.snapshot["test_loss"] < 0.7 * first
        assert run.snapshot["epoch"] == run.epoch and not run.snapshot["playing"]
    finally:
        run.stop()


def test_step_reset_and_live_settings():
    run = Run(parse_config({}))
    try:
        run.command("step")
        wait_for(lambda: run.epoch == 1)
        weights = run.snapshot["weights"]
        run.configure(parse_config({"learning_rate": 0.3, "regularization": "l2",
                                    "regularization_rate": 0.01}))
        assert run.epoch == 1 and run.trainer.learning_rate == 0.3  # the run goes on
        assert [type(r).__name__ for r in run.network.regularizers] == ["L2"]
        run.configure(parse_config({"dataset": "xor", "learning_rate": 0.3}))
        assert run.epoch == 0 and run.snapshot["config"]["dataset"] == "xor"  # starts afresh
        run.command("reset")
        assert run.snapshot["weights"] != weights
    finally:
        run.stop()


def test_the_tricks_act_on_the_running_network():
    run = Run(parse_config({"optimizer": "adam", "learning_rate": 0.01}))
    try:
        for _ in range(3):
            run.command("step")
        wait_for(lambda: run.epoch == 3)
        params = run.network.params.copy()
        run.configure(parse_config({"optimizer": "nesterov", "learning_rate": 0.01}))
        assert run.epoch == 3 and np.array_equal(run.network.params, params)  # weights kept
        assert run.trainer.optimizer.name.startswith("sgd(") and \
            run.trainer.optimizer_state.inner[1].v.any() == 0  # a fresh optimizer state
        run.configure(parse_config({"optimizer": "nesterov", "learning_rate": 0.01,
                                    "dropout": 0.3}))
        assert run.epoch == 3 and np.array_equal(run.network.params, params)
        assert [layer.rate for layer in run.network.layers if hasattr(layer, "rate")] == [0.3, 0.3]
        run.configure(parse_config({"optimizer": "nesterov", "learning_rate": 0.01,
                                    "dropout": 0.3, "schedule": "inverse", "tau": 10}))
        run.command("step")
        wait_for(lambda: run.epoch == 4)
        assert run.trainer.learning_rate == pytest.approx(0.01 * 10 / max(3, 10))
        preview = dict(map(tuple, run.snapshot["schedule_preview"]))
        assert preview[0] == pytest.approx(0.01) and preview[500] == pytest.approx(0.01 * 10 / 500)
    finally:
        run.stop()


def test_the_effective_rate_is_the_rate_for_sgd_and_falls_for_adagrad():
    runs = [Run(parse_config({"optimizer": name, "learning_rate": 0.1}))
            for name in ("sgd", "adagrad")]
    try:
        for run in runs:
            for _ in range(20):
                run.command("step")
        wait_for(lambda: all(run.epoch == 20 for run in runs))
        sgd, adagrad = (np.array(run.snapshot["effective_rates"]) for run in runs)
        np.testing.assert_allclose(sgd[:, 1], 0.1, rtol=1e-5)  # Δθ = −α g, coordinate by coordinate
        assert adagrad[-1, 1] < adagrad[0, 1] / 3  # AdaGrad's rate shrinks as squares pile up
        assert len(set(adagrad[:, 0])) == len(adagrad)  # one value per epoch
    finally:
        for run in runs:
            run.stop()


def test_all_zero_weights_keep_every_unit_of_a_layer_alike():
    run = Run(parse_config({"init": "zeros", "learning_rate": 0.3}))
    try:
        run.command("play")
        wait_for(lambda: run.epoch >= 20)
        run.command("pause")
        first = run.network.coefs[0]
        assert np.allclose(first, first[:, :1])  # the symmetry is never broken
    finally:
        run.stop()


def test_preprocessing_shows_the_inputs_before_and_after():
    run = Run(parse_config({"preprocess": "zca", "features": ["x1", "x2", "x1*x2"]}))
    try:
        after = np.array(run.snapshot["inputs_after"])[:, :2]
        assert np.allclose(after.mean(axis=0), 0, atol=1e-3)  # sent to 3 decimals
        assert np.allclose(np.cov(run.X_train, rowvar=False, bias=True), np.eye(3), atol=1e-3)
    finally:
        run.stop()


def test_the_digits_train_in_the_same_page():
    run = Run(parse_config({"dataset": "digits", "hidden": [8], "optimizer": "adam",
                            "learning_rate": 0.003, "preprocess": "center"}))
    try:
        first = run.snapshot["test_accuracy"]
        run.command("play")
        wait_for(lambda: run.epoch >= 30)
        run.command("pause")
        snapshot = run.snapshot
        assert snapshot["problem"] == "digits" and snapshot["layers"] == [64, 8, 10]
        assert snapshot["test_accuracy"] > max(0.85, first)
        assert np.shape(snapshot["digit_weights"]) == (8, 64)  # the first layer, as 8×8 images
        assert snapshot["grid"] is None and snapshot["points"] is None
        assert run.check_gradient()["passed"]
    finally:
        run.stop()


def test_the_snapshot_holds_what_the_page_draws():
    run = Run(parse_config({"features": ["x1", "x2", "x1*x2"], "hidden": [3, 2]}))
    try:
        snapshot = json.loads(json.dumps(run.snapshot))
        assert snapshot["layers"] == [3, 3, 2, 1]
        assert len(snapshot["grid"]["output"]) == snapshot["grid"]["size"] ** 2
        assert len(snapshot["grid"]["neurons"]) == 5
        assert all(-1 <= v <= 1 for v in snapshot["grid"]["output"])
        assert [np.shape(W) for W in snapshot["weights"]] == [(3, 3), (3, 2), (2, 1)]
        assert len(snapshot["points"]["train"]) == 250 and len(snapshot["points"]["test"]) == 250
        assert len(snapshot["spread"]) == 2  # the two hidden layers
        assert sum(snapshot["spread"][0]["activations"]["counts"]) == 250 * 3
        assert sum(snapshot["weight_histogram"]["counts"]) == 3 * 3 + 3 * 2 + 2
        assert len(snapshot["inputs_before"]) == 250
    finally:
        run.stop()


# -- the web API --------------------------------------------------------------------------------


def read_events(client, url, count):
    events = []
    with client.stream("GET", url) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: "):]))
                if len(events) == count:
                    return events
    return events


def test_the_api_creates_drives_and_stops_a_run():
    with running_server() as (base, app), httpx.Client(base_url=base, timeout=10) as client:
        assert "<html" in client.get("/").text.lower()
        created = client.post("/api/runs", json={"dataset": "gauss"})
        assert created.status_code == 200
        run_id = created.json()["id"]
        assert created.json()["config"]["dataset"] == "gauss"
        assert client.post(f"/api/runs/{run_id}/command", json={"action": "play"}).json() == \
            {"playing": True}
        events = read_events(client, f"/api/runs/{run_id}/events", 4)
        assert [e["epoch"] for e in events] == sorted(e["epoch"] for e in events)
        assert events[-1]["epoch"] > 0 and events[-1]["playing"]
        bad = client.put(f"/api/runs/{run_id}/config", json={"noise": -1})
        assert bad.status_code == 400 and "noise must lie in [0, 50]" in bad.json()["error"]
        good = client.put(f"/api/runs/{run_id}/config", json={"dataset": "spiral"})
        assert good.json()["config"]["dataset"] == "spiral"
        assert client.post(f"/api/runs/{run_id}/command", json={"action": "fly"}).status_code \
            == 400
        assert client.post("/api/runs", content=b"{not json").status_code == 400
        deep = client.post("/api/runs", content=b"[" * 100_000 + b"]" * 100_000)
        assert deep.status_code == 400 and "nests too deeply" in deep.json()["error"]
        client.put(f"/api/runs/{run_id}/config", json={"dataset": "spiral", "activation": "relu",
                                                       "regularization": "l1",
                                                       "regularization_rate": 0.001})
        check = client.post(f"/api/runs/{run_id}/gradcheck").json()
        assert check["passed"] and check["tolerance"] <= 1e-6
        assert [a["name"] for a in check["arrays"]] == ["W[0]", "b[0]", "W[1]", "b[1]", "W[2]",
                                                         "b[2]"]
        assert all(a["max_relative_error"] is None or a["max_relative_error"] < 1e-6
                   for a in check["arrays"])
        assert client.delete(f"/api/runs/{run_id}").status_code == 204
        assert client.post(f"/api/runs/{run_id}/command",
                           json={"action": "play"}).status_code == 404
        assert len(app.state.runs) == 0


def test_runs_are_bounded_and_a_closed_pages_run_is_stopped():
    runs = Runs(max_runs=2, orphan_seconds=60.0)
    first, _ = runs.create(parse_config({}))
    runs.watch(first, +1)  # a page watches the first one
    second, _ = runs.create(parse_config({}))
    with pytest.raises(ConfigError, match="already trains 2 runs"):
        runs.create(parse_config({}))
    runs.orphan_seconds = 0.0
    runs.reap()  # nobody watches the second one
    assert runs.get(second) is None and runs.get(first) is not None
    runs.stop_all()
    assert len(runs) == 0


def test_a_run_that_diverges_says_so_and_trains_on_at_a_smaller_rate():
    """A deep linear network with heavy momentum at rate 10 diverges at once: the page gets
    the message, and the run keeps answering (pause, a new rate, play) from finite weights."""
    settings = {"dataset": "circle", "features": ["x1^2", "x2^2", "x1*x2"],
                "hidden": [8] * 6, "activation": "identity", "learning_rate": 10.0,
                "batch_size": 30, "optimizer": "momentum", "momentum": 0.99}
    run = Run(parse_config(settings))
    try:
        run.command("play")
        wait_for(lambda: run.snapshot["error"] is not None)
        assert run.snapshot["error"].startswith("training diverged") and not run.playing
        assert json.loads(json.dumps(run.snapshot, allow_nan=False))  # valid JSON for the page
        run.configure(parse_config({**settings, "learning_rate": 0.0001}))
        run.command("play")
        wait_for(lambda: run.epoch >= 5)
        run.command("pause")
        assert np.all(np.isfinite(run.network.params)) and run.snapshot["error"] is None
    finally:
        run.stop()
