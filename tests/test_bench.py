"""The training benchmark's bookkeeping (the benchmark itself: ``python -m benchmarks``)."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed

training = pytest.importorskip("benchmarks.training")
memory = pytest.importorskip("benchmarks._memory")


def test_training_flops_count_forward_dw_and_dx_but_no_dx_of_the_first_layer():
    # one batch of 2 through 3-4-5: forward 2·2·(3·4 + 4·5), dW the same, dX 2·2·4·5
    assert training.training_flops(2, [3, 4, 5], 2) == 4 * (12 + 20) * 2 + 4 * 20
    # a last, smaller batch counts its own rows
    two_rows = training.training_flops(2, [3, 4, 5], 2)
    assert training.training_flops(3, [3, 4, 5], 2) == two_rows * 3 // 2


def test_numpy_matmul_replay_gives_a_positive_rate():
    assert training.matmul_replay([8, 6, 4], batch_size=5, repeats=2) > 0


def test_memory_budget_is_data_parameters_and_one_batch_of_activations():
    X, y = np.zeros((10, 4), np.float32), np.zeros(10, np.int64)
    parts = memory.budget(10, 4, (3,), 2, 5, X, y)
    assert parts == {"data": 160 + 80, "parameters": (4 * 3 + 3 + 3 * 2 + 2) * 4,
                     "activations": 5 * (4 + 2 * 3 + 2) * 4,
                     "total": 240 + 23 * 4 + 240}


def fake_results(libraries, nntricks_seconds):
    cases = {}
    for case in ("mnist-size sgd", "mnist-size adam", "digits sgd", "digits adam"):
        unit = "s/step" if case.startswith("digits") else "s/epoch"
        times = {lib: [1.0, 1.1, 0.9] for lib in libraries}
        times["nntricks"] = [nntricks_seconds] * 3
        cases[case] = {"unit": unit, "solver": case.split()[-1], "times": times}
    return {"speed": {"cases": cases},
            "one_thread": {"epoch_seconds": [2.0] * 3, "achieved_flops_per_s": [7e10] * 3,
                           "numpy_matmul_flops_per_s": [1e11] * 3, "fraction": 0.7},
            "memory": {"nntricks": {"peak_bytes": 110, "ratio": 1.1,
                                    "budget_bytes": {"data": 90, "parameters": 5,
                                                     "activations": 5, "total": 100}}}}


@pytest.mark.parametrize("libraries", [["nntricks", "sklearn", "torch"], ["nntricks", "sklearn"]])
def test_report_prints_every_ratio_and_judges_every_target(libraries):
    results = fake_results(libraries, nntricks_seconds=0.2)
    lines = "\n".join(training.report(results, libraries))
    for case in results["speed"]["cases"]:
        assert case in lines
    targets = results["targets"]
    assert all(targets.values())
    n_speed_targets = sum(lib in libraries for (_, lib) in training.TARGETS)
    assert len(targets) == n_speed_targets + 2  # + BLAS fraction + memory
    assert ("torch" in lines) == ("torch" in libraries)


def test_report_flags_a_missed_target():
    results = fake_results(["nntricks", "sklearn"], nntricks_seconds=0.95)
    lines = "\n".join(training.report(results, ["nntricks", "sklearn"]))
    assert "MISSED" in lines
    assert not results["targets"]["mnist-size sgd vs sklearn <= 0.7"]
