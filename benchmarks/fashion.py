"""Fashion-MNIST side by side (issue 14): nntricks' main job against scikit-learn's MLP.

    python -m benchmarks.fashion [--seeds 0 1 2] [--output fashion.json]

For each seed, runs ``nntricks train --data fashion-mnist`` (the main job, its recipe untouched
except ``--random-state``) and scikit-learn's ``MLPClassifier`` given the same hidden layer
sizes, at most the number of epochs the main job ran and the same input preprocessing (the
recipe's), with its own solver and defaults otherwise (Adam at 1e-3, batch 200, alpha 1e-4, no
early stopping: its rule on the training loss may stop it sooner).
Prints a Markdown table of test accuracy (mean and range over the seeds) and training time,
beside the figure the Fashion-MNIST benchmark lists for scikit-learn's ``MLPClassifier`` with one
hidden layer of 100 ReLU units (87.7 %). Needs the Fashion-MNIST IDX files (Debian's
``dataset-fashion-mnist``, or ``--data-dir``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

PUBLISHED = {"model": "scikit-learn MLPClassifier, 100 ReLU units (Fashion-MNIST benchmark)",
             "test_accuracy": 0.877}


def main_job(seed: int, data_dir: str | None) -> dict:
    """``nntricks train --data fashion-mnist --random-state SEED``; its metrics.json."""
    from nntricks.cli import main

    with tempfile.TemporaryDirectory() as folder:
        arguments = ["train", "--data", "fashion-mnist", "--random-state", str(seed),
                     "--quiet", "--output", folder]
        if data_dir:
            arguments += ["--data-dir", data_dir]
        if main(arguments) != 0:
            raise RuntimeError("nntricks train failed")
        return json.loads((Path(folder) / "metrics.json").read_text())


def scikit_learn(seed: int, hidden: tuple[int, ...], epochs: int, data_dir: str | None) -> dict:
    """scikit-learn's MLPClassifier on the same preprocessed data, sizes and epochs."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from nntricks import datasets
    from nntricks.preprocessing import get_preprocessor
    from nntricks.recipes import RECIPES

    data = datasets.load("fashion-mnist", **({"data_dir": data_dir} if data_dir else {}))
    scaler = get_preprocessor(RECIPES["fashion-mnist"].preprocess).fit(data.X_train)
    model = MLPClassifier(hidden_layer_sizes=hidden, max_iter=epochs, random_state=seed)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(scaler.transform(data.X_train), data.y_train)
    seconds = time.perf_counter() - started
    return {"test_accuracy": model.score(scaler.transform(data.X_test), data.y_test),
            "train_seconds": seconds, "epochs": model.n_iter_}


def summary(runs: list[dict]) -> dict:
    accuracy = np.array([run["test_accuracy"] for run in runs])
    seconds = np.array([run["train_seconds"] for run in runs])
    return {"accuracy_mean": float(accuracy.mean()), "accuracy_min": float(accuracy.min()),
            "accuracy_max": float(accuracy.max()), "seconds_mean": float(seconds.mean()),
            "epochs": [run["epochs"] for run in runs]}


def table(results: dict) -> str:
    rows = ["| model | test accuracy, mean [min–max] | training time | epochs |",
            "|---|---|---|---|"]
    for name, result in (("nntricks train (main job)", results["nntricks"]),
                         ("scikit-learn MLPClassifier, same sizes, epochs and input",
                          results["sklearn"])):
        rows.append(f"| {name} | {100 * result['accuracy_mean']:.1f} % "
                    f"[{100 * result['accuracy_min']:.1f}–{100 * result['accuracy_max']:.1f}] | "
                    f"{result['seconds_mean']:.0f} s | {result['epochs']} |")
    rows.append(f"| {PUBLISHED['model']} | {100 * PUBLISHED['test_accuracy']:.1f} % "
                "(published) | — | — |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fashion",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--data-dir", default=None, help="folder of the Fashion-MNIST files")
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON")
    parser.add_argument("--reuse", type=Path, default=None, metavar="JSON",
                        help="take the main job's runs from an earlier --output of this script "
                             "(same seeds) and run scikit-learn only")
    args = parser.parse_args(argv)
    earlier = json.loads(args.reuse.read_text())["runs"]["nntricks"] if args.reuse else None
    runs = {"nntricks": [], "sklearn": []}
    for i, seed in enumerate(args.seeds):
        ours = earlier[i] if earlier else main_job(seed, args.data_dir)
        runs["nntricks"].append(ours)
        hidden = tuple(ours["params"]["hidden_layer_sizes"])
        runs["sklearn"].append(scikit_learn(seed, hidden, ours["epochs"], args.data_dir))
        print(f"seed {seed}: nntricks {ours['test_accuracy']:.4f} in "
              f"{ours['train_seconds']:.0f} s ({ours['epochs']} epochs); scikit-learn "
              f"{runs['sklearn'][-1]['test_accuracy']:.4f} in "
              f"{runs['sklearn'][-1]['train_seconds']:.0f} s", flush=True)
    results = {name: summary(values) for name, values in runs.items()}
    results["runs"] = runs
    print(table(results))
    if args.output is not None:
        args.output.write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
