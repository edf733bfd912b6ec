"""The training benchmark's bookkeeping (the benchmark itself: ``python -m benchmarks``)."""

import os
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


def test_a_step_has_the_forward_dw_and_dx_products_but_no_dx_of_the_first_layer():
    products = training.step_products([3, 4, 5], batch_size=2)
    shapes = [(left.shape, right.shape, out.shape) for left, right, out in products]
    assert shapes == [((2, 3), (3, 4), (2, 4)), ((3, 2), (2, 4), (3, 4)),
                      ((2, 4), (4, 5), (2, 5)), ((4, 2), (2, 5), (4, 5)),
                      ((2, 5), (5, 4), (2, 4))]
    assert training.gemm_floor([3, 4, 5], batch_size=2, n_samples=5) > 0


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
        if unit == "s/epoch":
            times[training.FLOOR] = [1.0, 1.05, 0.95]
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
    n_speed_targets = sum(lib in libraries or lib == training.FLOOR
                          for (_, lib) in training.TARGETS)
    assert len(targets) == n_speed_targets + 2  # + BLAS fraction + memory
    assert ("torch" in lines) == ("torch" in libraries)


def test_report_flags_a_missed_target():
    results = fake_results(["nntricks", "sklearn"], nntricks_seconds=0.95)
    lines = "\n".join(training.report(results, ["nntricks", "sklearn"]))
    assert "MISSED" in lines
    assert not results["targets"]["mnist-size sgd vs sklearn <= 0.7"]


# `nntricks bench` finds the benchmarks of the source repository, or says where they are.

REPOSITORY = Path(__file__).resolve().parents[1]


def test_bench_finds_the_benchmarks_of_an_editable_install_from_another_folder(
        tmp_path, monkeypatch):
    import nntricks
    from nntricks.cli.bench import find_benchmarks

    if Path(nntricks.__file__).resolve().parents[1] != REPOSITORY / "src":
        pytest.skip("nntricks is not imported from this source tree")
    monkeypatch.chdir(tmp_path)  # no benchmarks/ here: the source tree of the package has them
    assert find_benchmarks() == REPOSITORY


def test_bench_looks_in_the_current_folder_first(tmp_path, monkeypatch):
    from nntricks.cli.bench import benchmark_roots, find_benchmarks

    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    assert benchmark_roots()[0] == tmp_path
    assert find_benchmarks() == tmp_path
    assert find_benchmarks([tmp_path / "elsewhere", REPOSITORY]) == REPOSITORY
    assert find_benchmarks([tmp_path / "elsewhere"]) is None


def test_bench_of_an_installed_wheel_says_where_the_benchmarks_are(tmp_path):
    import shutil
    import subprocess

    import nntricks

    site = tmp_path / "lib" / "python3" / "site-packages"  # the layout of a wheel install
    shutil.copytree(Path(nntricks.__file__).parent, site / "nntricks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    folder = tmp_path / "work"
    folder.mkdir()
    result = subprocess.run([sys.executable, "-m", "nntricks", "bench"], cwd=folder,
                            env={**os.environ, "PYTHONPATH": str(site)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("nntricks bench: error: the benchmarks ship with the "
                                    "nntricks source repository")
    assert "not with the installed package (the wheel)" in result.stderr
    assert "pip install -e ." in result.stderr and result.stdout == ""
