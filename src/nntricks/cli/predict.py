"""``nntricks predict``: predictions of a saved model, written to CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from .. import datasets, tabular
from ..persistence import load
from ._checks import check_output_file
from ._formatting import DefaultsOnceFormatter


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "predict",
        help="predict with a saved model and write the predictions to CSV",
        description=(
            "Load MODEL (written by `nntricks train` or model.save) and predict DATA: a CSV "
            "file (every column a feature, except --label and the training label and --drop "
            "columns), an .npz file with X (and y), or "
            "a data set name, whose test part is used. A model trained on a CSV file checks "
            "the columns by name, in any order, and refuses missing, extra or renamed ones; "
            "other input is checked by width. Writes one row per sample: the "
            "prediction and, for a classifier, the probability of each class. When labels "
            "are known the score is printed."
        ),
        formatter_class=DefaultsOnceFormatter,
    )
    parser.add_argument("model", type=Path, help="a model file")
    parser.add_argument("data", help="a .csv or .npz file, or a data set name")
    parser.add_argument("--label", default=None,
                        help="a label column of the CSV to score by (default: none)")
    parser.add_argument("--data-dir", default=None,
                        help="folder of the Fashion-MNIST IDX files (default: the system's)")
    parser.add_argument("--output", type=Path, default=Path("predictions.csv"),
                        help="CSV file to write ('-' for standard output)")
    parser.set_defaults(run=run)


def read_data(args: argparse.Namespace, model) -> tuple[np.ndarray, np.ndarray | None]:
    """``X, y`` of DATA; a CSV file as a table when the model begins with a schema."""
    suffix = Path(args.data).suffix.lower()
    if suffix == ".csv":
        if schema(model) is not None:
            return datasets.read_table(args.data, label=args.label)
        X, y, _ = datasets.read_csv(args.data, label=args.label)
        return X, y
    if suffix == ".npz":
        return datasets.read_npz(args.data)
    options = {"data_dir": args.data_dir} if args.data_dir else {}
    dataset = datasets.load(args.data, **options)
    return dataset.X_test, dataset.y_test


def schema(model) -> tabular.TableSchema | None:
    """The schema a model's pipeline begins with (a model saved by ``nntricks train``)."""
    from sklearn.pipeline import Pipeline

    first = model.steps[0][1] if isinstance(model, Pipeline) else None
    return first if isinstance(first, tabular.TableSchema) else None


def preprocess(model, X):
    """``X`` through a pipeline's preprocessing steps (checked against the training columns
    first) and the final estimator; unseen categories reported in one line."""
    from sklearn.pipeline import Pipeline

    if not isinstance(model, Pipeline):
        return X, model

    def warn(message: str) -> None:
        print(f"nntricks predict: warning: {message}", file=sys.stderr)

    with tabular.reporting_unseen_categories(warn):
        return model[:-1].transform(X), model[-1]


def run(args: argparse.Namespace) -> int:
    if str(args.output) != "-":
        check_output_file(args.output)
        for what, path in (("the model", args.model), ("the data", args.data)):
            if Path(path).exists() and Path(path).resolve() == args.output.resolve():
                raise ValueError(f"--output {str(args.output)!r} is {what}: the predictions "
                                 "would overwrite it; give another file")
    model = load(args.model)
    X, y = read_data(args, model)
    features, model = preprocess(model, X)
    predictions = model.predict(features)
    columns = {"prediction": predictions}
    if hasattr(model, "predict_proba"):
        probabilities = model.predict_proba(features)
        for i, label in enumerate(model.classes_):
            columns[f"probability_{label}"] = probabilities[:, i]
    output = sys.stdout if str(args.output) == "-" else open(args.output, "w", newline="")
    try:
        writer = csv.writer(output)
        writer.writerow(columns)
        writer.writerows(zip(*(_cells(values) for values in columns.values()), strict=True))
    finally:
        if output is not sys.stdout:
            output.close()
    message = f"{len(X)} predictions"
    if y is not None:
        metric = "accuracy" if hasattr(model, "predict_proba") else "R²"
        message += f"; {metric}: {model.score(features, y):.4f}"
    if output is not sys.stdout:
        message += f"; written to {args.output}"
    print(message, file=sys.stderr if output is sys.stdout else sys.stdout)
    return 0


def _cells(values: np.ndarray) -> list:
    if values.dtype.kind == "f":
        return [f"{v:.6g}" for v in values]
    return values.tolist()
