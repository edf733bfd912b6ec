"""``nntricks train``: the main job — train, evaluate and save a network on a data set."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .. import datasets, tabular
from ..backend import get_backend
from ..estimators import MLPClassifier, MLPRegressor
from ..losses import LOSSES, get_loss
from ..persistence import save
from ..preprocessing import PREPROCESSORS, get_preprocessor
from ..progress import epoch_progress
from ..recipes import GENERAL, RECIPES, recipe_for
from ..training import TrainingInterrupted
from ._checks import check_output_file, check_output_folder, fraction
from ._estimator_options import (
    add_estimator_options,
    check_options_apply,
    estimator_params,
)
from ._formatting import RecipesFormatter

if TYPE_CHECKING:
    from tqdm.std import tqdm

OUTPUTS = ("model.npz", "loss.png", "metrics.json")
EXIT_INTERRUPTED = 130


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train a network on a data set, report accuracy and save the model (main job)",
        description=textwrap.fill(
            "Train an MLP on a data set (bundled digits by default), print train and test "
            "scores and the time taken, and save the model file, a loss-curve PNG (training "
            "and validation loss per epoch) and the metrics as JSON. It starts from the recipe "
            "of the data set (the notes' tricks where they help, listed below); every option "
            "you give overrides the recipe's value.", 79),
        epilog="recipes:\n" + "\n".join(
            textwrap.fill(recipe.describe(), 79, initial_indent="  ",
                          subsequent_indent="    ")
            for recipe in (*RECIPES.values(), GENERAL)),
        formatter_class=RecipesFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument("--data", default=datasets.DEFAULT, metavar="NAME|PATH",
                      help=f"a data set ({', '.join(datasets.available())}) or a .csv/.npz file")
    data.add_argument("--label", default=None, help="label column of a CSV file (default: last)")
    data.add_argument("--data-dir", default=None,
                      help="folder of the Fashion-MNIST IDX files")
    data.add_argument("--test-size", type=fraction, default=None,
                      help="test fraction for digits, CSV and npz (default 0.25)")
    data.add_argument("--task", choices=("auto", "classification", "regression"),
                      default="auto",
                      help="auto: classification for text labels and for integer labels with at "
                           "most max(2, min(50, √n_samples)) distinct values, else regression")
    data.add_argument("--preprocess", choices=tuple(PREPROCESSORS), default=None,
                      help="input preprocessing fitted on the training set (notes §2.5); for a "
                           "CSV, of the numeric columns (default: the recipe's)")
    data.add_argument("--categorical", nargs="+", default=[], metavar="COLUMN",
                      help="CSV columns to one-hot encode though they hold numbers (text "
                           "columns are encoded anyway)")
    data.add_argument("--drop", nargs="+", default=[], metavar="COLUMN",
                      help="CSV columns to leave out (also when present at prediction)")
    output = parser.add_argument_group("output")
    output.add_argument("--output", type=Path, default=Path("nntricks-output"),
                        help="folder for model.npz, loss.png and metrics.json")
    output.add_argument("--quiet", action="store_true", help="no progress bar")
    add_estimator_options(parser)
    parser.set_defaults(run=run)


def load_data(args: argparse.Namespace) -> datasets.Dataset | datasets.Table:
    """The data set of ``--data``: a :class:`~nntricks.datasets.Table` for a CSV file."""
    options = {"label": args.label, "data_dir": args.data_dir, "test_size": args.test_size}
    options = {k: v for k, v in options.items() if v is not None}
    if Path(str(args.data)).suffix.lower() == ".csv":
        if "data_dir" in options:
            raise ValueError("option --data-dir does not apply to a .csv file")
        return datasets.load_table(args.data, drop=args.drop, **options)
    if args.categorical or args.drop:
        raise ValueError("options --categorical and --drop apply to .csv files only")
    return datasets.load(args.data, **options)


def check_estimator_options(args: argparse.Namespace) -> None:
    """Check the estimator the options and the recipe describe, before any data is read.

    With ``--task auto`` the data decides between the classifier and the regressor: both are
    checked. Raises the ``ValueError`` of the first parameter out of range.
    """
    recipe = recipe_for(args.data)
    estimators = {"classification": [MLPClassifier],
                  "regression": [MLPRegressor]}.get(args.task, [MLPClassifier, MLPRegressor])
    for Estimator in estimators:
        Estimator(**estimator_params(args, Estimator, recipe.params)).check_params()
    if args.task != "auto":
        check_options_apply(args, estimators[0], args.task)


def decide_task(dataset: datasets.Dataset | datasets.Table, task: str) -> tuple[str, str]:
    """``(task, reason)`` by :func:`nntricks.tabular.choose_task` on all the labels, which
    must fit the task (:func:`check_labels_fit`)."""
    y = np.concatenate([dataset.y_train, dataset.y_test])
    label = getattr(dataset, "label", None)
    task, reason = tabular.choose_task(y, label, task)
    check_labels_fit(y, label, task)
    return task, reason


def check_labels_fit(y: np.ndarray, label: str | None, task: str) -> None:
    """Raise ``ValueError``, in one line, when the labels ``y`` cannot be targets of ``task``
    (as ``--task`` may ask): text for regression, numbers that are not integers for
    classification."""
    subject = "the target y" if label is None else f"label column {label!r}"
    if task == "regression" and y.dtype.kind in "OSU":
        text = [str(value) for value in np.unique(y.astype(str)) if not _is_number(value)]
        if text:
            shown = ", ".join(map(repr, text[:3])) + (", ..." if len(text) > 3 else "")
            raise ValueError(f"{subject} holds text ({shown}): a regression target must be "
                             "numeric; use --task classification")
    if task == "classification" and y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        fractional = np.unique(y[np.mod(y, 1) != 0])
        raise ValueError(f"{subject} has {len(fractional)} distinct non-integer values: it "
                         "cannot be a classification target; use --task regression")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def make_preprocessor(dataset: datasets.Dataset | datasets.Table, preprocess: str,
                      args: argparse.Namespace):
    """The preprocessing pipeline (schema, then encoding or scaling) for the training part."""
    return tabular.make_preprocessor(dataset.X_train, get_preprocessor(preprocess),
                                     categorical=args.categorical, drop=args.drop,
                                     label=getattr(dataset, "label", None))


def preprocess_test(preprocessor, dataset: datasets.Dataset | datasets.Table):
    """The test part through the fitted preprocessor; unseen categories noted in one line."""
    def note(message: str) -> None:
        print(f"note: test part: {message}", file=sys.stderr)

    with tabular.reporting_unseen_categories(note):
        return preprocessor.transform(dataset.X_test)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    check_estimator_options(args)
    check_output_folder(args.output)
    for name in OUTPUTS:
        check_output_file(args.output / name, "--output")
    get_backend(getattr(args, "device", "cpu"))  # CuPy and a GPU, before any work
    dataset = load_data(args)
    task, reason = decide_task(dataset, args.task)
    print(f"task: {task} — {reason}")
    Estimator = MLPRegressor if task == "regression" else MLPClassifier
    check_options_apply(args, Estimator, task)
    recipe = recipe_for(args.data)
    params = estimator_params(args, Estimator, recipe.params)
    preprocess = args.preprocess or recipe.preprocess
    overridden = sorted(name for name in params if name in vars(args)) + \
        (["preprocess"] if args.preprocess else [])
    print(recipe.describe() + (f"; overridden: {', '.join(overridden)}" if overridden else ""))
    preprocessor = make_preprocessor(dataset, preprocess, args)
    X_train, y_train = preprocessor.fit_transform(dataset.X_train), dataset.y_train
    if isinstance(dataset, datasets.Table):
        print(f"data: {tabular.describe_encoding(preprocessor, dataset.X_train)}")
    model = Estimator(**params)
    n_validation = (math.ceil(model.validation_fraction * len(X_train))
                    if model.early_stopping else 0)
    print(f"training {Estimator.__name__} on {dataset.name}: "
          f"{len(X_train) - n_validation} training, {n_validation} validation, "
          f"{len(dataset.X_test)} test samples, {X_train.shape[1]} features", flush=True)
    bar = None
    if not args.quiet and not model.verbose:  # verbose brings the trainer's own bar
        bar, advance = progress_bar(model.max_iter)
        model.set_params(callbacks=[advance])
    fit_started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            warnings.simplefilter("always", TrainingInterrupted)
            model.fit(X_train, y_train)
    finally:
        if bar is not None:
            finish(bar)
    training_seconds = time.perf_counter() - fit_started
    stop, interrupted = stop_reason(model, caught)
    print(stop, file=sys.stderr if interrupted else sys.stdout)
    for warning in caught:
        if not issubclass(warning.category, ConvergenceWarning | TrainingInterrupted):
            print(f"note: {warning.message}", file=sys.stderr)
    model.set_params(callbacks=None)
    X_test = preprocess_test(preprocessor, dataset)
    metric, key = ("R²", "r2") if task == "regression" else ("accuracy", "accuracy")
    scores = {"train": model.score(X_train, y_train), "test": model.score(X_test, dataset.y_test)}
    save(_pipeline(preprocessor, model), args.output / "model.npz")
    plot_losses(model, args.output / "loss.png", dataset.name)
    metrics = {"data": dataset.name, "estimator": Estimator.__name__, "metric": metric,
               **{f"{part}_{key}": value for part, value in scores.items()},
               "epochs": model.n_iter_, "stop": stop, "interrupted": interrupted,
               "train_seconds": training_seconds,
               "total_seconds": time.perf_counter() - started,
               "recipe": recipe.name, "recipe_description": recipe.describe(),
               "overridden": overridden, "preprocess": preprocess,
               "params": {k: v for k, v in model.get_params().items() if k != "callbacks"}}
    write_text_atomically(args.output / "metrics.json",
                          json.dumps(metrics, indent=2, default=str))
    print(f"train {metric}: {scores['train']:.4f}")
    print(f"test {metric}: {scores['test']:.4f}")
    print(f"time: {training_seconds:.2f} s training ({model.n_iter_} epochs), "
          f"{time.perf_counter() - started:.2f} s in all")
    print(f"saved {args.output / 'model.npz'}, {args.output / 'loss.png'}, "
          f"{args.output / 'metrics.json'}")
    return EXIT_INTERRUPTED if interrupted else 0


def stop_reason(model, caught: list[warnings.WarningMessage]) -> tuple[str, bool]:
    """One line saying why training ended (which rule, after how many epochs), and whether
    Ctrl-C ended it."""
    for warning in caught:
        if issubclass(warning.category, TrainingInterrupted):
            return f"interrupted: {warning.message}", True
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    n = model.n_iter_
    if model.solver == "lbfgs":
        return (f"L-BFGS {'converged' if converged else 'stopped without converging'} after "
                f"{n} iterations"), False
    if not converged:
        return f"stopped after {n} epochs: reached --max-iter {model.max_iter}", False
    rule = ("the validation score did not rise" if model.early_stopping
            else "the training loss did not fall")
    kept = "; kept the weights of the best validation score" if model.early_stopping else ""
    return (f"stopped after {n} epochs: {rule} by more than --tol {model.tol:g} for more than "
            f"--n-iter-no-change {model.n_iter_no_change} epochs{kept}"), False


def finish(bar: tqdm) -> None:
    """Close the epoch bar, shown full at the epoch training stopped at."""
    bar.total = bar.n
    bar.refresh()
    bar.close()


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file renamed over it: never half-written."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def progress_bar(max_epochs: int) -> tuple[tqdm, Callable[..., None]]:
    """An epoch bar and the training callback that advances it, showing the loss."""
    bar = epoch_progress(max_epochs)

    def callback(record, trainer):
        bar.set_postfix(loss=f"{record.loss:.4g}", refresh=False)
        bar.update()

    return bar, callback


def loss_label(model: MLPClassifier | MLPRegressor) -> str:
    """What a fitted model's training loss measures, e.g. ``"half Poisson deviance"``.

    A regressor's loss is its ``loss`` parameter; a classifier's follows from its output
    function ``out_activation_`` (softmax: cross-entropy; logistic: binary cross-entropy).
    """
    if isinstance(model, MLPClassifier):
        matching = [loss for loss in LOSSES.values()
                    if loss.out_activation == model.out_activation_]
        return matching[0].label
    return get_loss(model.loss).label


def plot_losses(model, path: Path, name: str) -> None:
    """The training loss and, with early stopping, the validation loss of each epoch."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.add_subplot()
    epochs = np.arange(1, len(model.loss_curve_) + 1)
    axes.plot(epochs, model.loss_curve_, label="training (penalty per batch included)")
    if model.validation_loss_curve_:
        axes.plot(epochs[:len(model.validation_loss_curve_)], model.validation_loss_curve_,
                  label="validation (same penalty)")
    axes.set(title=f"{type(model).__name__} on {name}", xlabel="epoch",
             ylabel=f"loss ({loss_label(model)})")
    axes.legend()
    figure.savefig(path, dpi=120)


def _pipeline(preprocessor, model):
    """The saved model: the preprocessing pipeline's steps, then the estimator."""
    from sklearn.pipeline import Pipeline

    return Pipeline([*preprocessor.steps, ("mlp", model)])
