"""The device check: nntricks on an NVIDIA GPU against PyTorch CUDA and against its own CPU run.

Run on a machine with an NVIDIA GPU, CuPy, PyTorch with CUDA, scikit-learn and NumPy, from the
repository root, after ``pip install --no-deps --no-build-isolation -e .``::

    python -m benchmarks gpu --data-dir .device-data/fashion-mnist

It needs no network; the Fashion-MNIST IDX files travel in an ignored folder of the repository
(``.device-data/``). In under five minutes it prints:

1. the GPU tests (``tests/test_gpu.py``: CuPy against the CPU, model files across devices);
2. one epoch of 784-512-256-10 (ReLU, 60,000 float32 rows) at batch 128 and 1024, SGD with
   Nesterov momentum and Adam, as a whole estimator-style fit (data copied to the device, model
   built, shuffled batches, the epoch's loss read once): nntricks on the GPU, PyTorch CUDA and
   nntricks on this machine's CPU, in interleaved rounds, as medians and ratios;
3. ``nntricks train --data fashion-mnist`` with ``--device cuda`` and on the CPU: test accuracy
   and time.

The targets (issue 15): the nntricks GPU epoch <= 1.0 x PyTorch CUDA's at both batch sizes, and
>= 20 x faster than nntricks on the project's 2-core CPU (give that epoch time with
``--two-core-epoch``, from ``python -m benchmarks`` there); the same test accuracy as the CPU run
within the seed spread.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from nntricks.backend import get_backend

from ._libraries import fit_nntricks, fit_torch
from .training import BIG, big_data

ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZES = (128, 1024)
SOLVERS = ("sgd", "adam")


def machine() -> dict:
    import cupy
    import torch

    properties = cupy.cuda.runtime.getDeviceProperties(0)
    return {"gpu": properties["name"].decode(), "cupy": cupy.__version__,
            "torch": torch.__version__, "torch cuda": torch.version.cuda,
            "numpy": np.__version__, "cpu cores": os.cpu_count()}


def gpu_tests() -> int:
    """Run the GPU tests in a child process; return pytest's exit code."""
    print("== GPU tests", flush=True)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_gpu.py"], cwd=ROOT).returncode


def _synchronized(fit, *args, **kwargs) -> float:
    """Seconds of ``fit``, with both libraries' queued GPU work finished before and after."""
    import torch

    device = get_backend("cuda")
    device.synchronize()
    torch.cuda.synchronize()
    start = time.perf_counter()
    fit(*args, **kwargs)
    device.synchronize()
    torch.cuda.synchronize()
    return time.perf_counter() - start


def epoch_times(rounds: int, cpu_rounds: int) -> dict:
    """Seconds per epoch of each (library, device) for each solver and batch size."""
    X, y = big_data()
    runners = {
        "nntricks cuda": lambda *a, **k: fit_nntricks(*a, **k, device="cuda"),
        "torch cuda": lambda *a, **k: fit_torch(*a, **k, device="cuda"),
        "nntricks cpu": fit_nntricks,
    }
    for runner in runners.values():  # warm up: CUDA contexts, cuBLAS handles, kernel caches
        for solver in SOLVERS:
            runner(X[:4096], y[:4096], BIG["hidden"], solver, 128)
    times = {}
    for r in range(rounds):
        names = list(runners)[r % len(runners):] + list(runners)[:r % len(runners)]
        for solver in SOLVERS:
            for batch_size in BATCH_SIZES:
                for name in names:
                    if name.endswith("cpu") and r >= cpu_rounds:
                        continue
                    seconds = _synchronized(runners[name], X, y, BIG["hidden"], solver,
                                            batch_size, seed=r)
                    times.setdefault((solver, batch_size, name), []).append(seconds)
        print(f"round {r + 1}/{rounds} done", flush=True)
    return times


def report_epochs(times: dict, two_core_epoch: dict) -> list[str]:
    lines = ["== one epoch, 784-512-256-10, 60,000 rows (median s; ratios of medians)",
             f"{'solver':<6} {'batch':>5} {'nntricks cuda':>14} {'torch cuda':>11} "
             f"{'nntricks cpu':>13} {'÷ torch cuda':>13} {'cpu ÷ cuda':>11} "
             f"{'2-core ÷ cuda':>14}"]
    for solver in SOLVERS:
        for batch_size in BATCH_SIZES:
            median = {name: statistics.median(times[(solver, batch_size, name)])
                      for name in ("nntricks cuda", "torch cuda", "nntricks cpu")}
            gpu = median["nntricks cuda"]
            two_core = two_core_epoch.get(solver) if batch_size == 128 else None
            lines.append(
                f"{solver:<6} {batch_size:>5} {gpu:>14.4f} {median['torch cuda']:>11.4f} "
                f"{median['nntricks cpu']:>13.4f} {gpu / median['torch cuda']:>13.2f} "
                f"{median['nntricks cpu'] / gpu:>11.1f} "
                + (f"{two_core / gpu:>14.1f}" if two_core else f"{'-':>14}"))
    return lines


def train_fashion(device: str, data_dir: str | None, output: Path) -> dict:
    command = [sys.executable, "-m", "nntricks", "train", "--data", "fashion-mnist",
               "--device", device, "--output", str(output), "--quiet"]
    if data_dir:
        command += ["--data-dir", data_dir]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if completed.returncode:
        return {"device": device, "error": completed.stderr.strip()[-500:]}
    metrics = json.loads((output / "metrics.json").read_text())
    return {"device": device, "test accuracy": metrics["test_accuracy"],
            "epochs": metrics["epochs"], "training seconds": metrics["train_seconds"],
            "wall seconds": seconds}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks gpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None,
                        help="folder of the Fashion-MNIST IDX files (default: the system's)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds on the GPU")
    parser.add_argument("--cpu-rounds", type=int, default=3,
                        help="of those, rounds that also time the CPU")
    parser.add_argument("--two-core-epoch", type=json.loads, default={},
                        help='the 2-core CPU epoch at batch 128, e.g. \'{"sgd": 8.1, '
                             '"adam": 8.6}\' (seconds, from python -m benchmarks there)')
    parser.add_argument("--skip", nargs="*", default=[], choices=("tests", "epochs", "train"))
    parser.add_argument("--output", type=Path, default=Path("gpu-bench.json"))
    args = parser.parse_args(argv)
    results = {"machine": machine()}
    print(json.dumps(results["machine"]), flush=True)
    if "tests" not in args.skip:
        results["tests exit code"] = gpu_tests()
    if "epochs" not in args.skip:
        times = epoch_times(args.rounds, args.cpu_rounds)
        results["epochs"] = [{"solver": s, "batch_size": b, "library": n, "seconds": t}
                             for (s, b, n), t in times.items()]
        print("\n".join(report_epochs(times, args.two_core_epoch)), flush=True)
    if "train" not in args.skip:
        print("== nntricks train --data fashion-mnist", flush=True)
        results["train"] = [train_fashion(device, args.data_dir, ROOT / f"gpu-bench-{device}")
                            for device in ("cuda", "cpu")]
        for run in results["train"]:
            print(json.dumps(run), flush=True)
    args.output.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
