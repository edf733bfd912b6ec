"""``nntricks train``: the main job — train, evaluate and save a network on a data set."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .. import datasets, tabular
from ..estimators import MLPClassifier, MLPRegressor
from ..losses import LOSSES, get_loss
from ..persistence import save
from ..progress import epoch_progress
from ..splits import holdout_split
from ..training import TrainingInterrupted
from ._checks import check_output_file, check_output_folder
from ._estimator_options import add_estimator_options, estimator_params
from ._formatting import DefaultsOnceFormatter

if TYPE_CHECKING:
    from tqdm.std import tqdm

# The notes' tricks where they help on these data sets: mean subtraction (§2.5), He
# initialization for ReLU (§2.6), dropout (§2.3), L2 (§2.2), Adam (§2.9) and the schedule
# α0·τ/max(t, τ) (§2.7), in float32 for speed.
DEFAULTS = dict(hidden_layer_sizes=(256,), activation="relu", solver="adam", alpha=1e-3,
                dropout=0.3, init="he", learning_rate="inverse", learning_rate_init=3e-3,
                lr_tau=20.0, max_iter=100, batch_size=64, dtype="float32", random_state=0)
OUTPUTS = ("model.npz", "loss.png", "metrics.json")
EXIT_INTERRUPTED = 130
PREPROCESSING = ("none", "center", "standardize", "whiten")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train a network on a data set, report accuracy and save the model (main job)",
        description=(
            "Train an MLP on a data set (bundled digits by default), print train and test "
            "scores and the time taken, and save the model file, a loss-curve PNG (training "
            "and validation loss per epoch) and the metrics as JSON. With no arguments it uses "
            "the notes' tricks: mean subtraction, He initialization, dropout, L2, Adam and the "
            "schedule α0·τ/max(t, τ)."
        ),
        formatter_class=DefaultsOnceFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument("--data", default=datasets.DEFAULT, metavar="NAME|PATH",
                      help=f"a data set ({', '.join(datasets.available())}) or a .csv/.npz file")
    data.add_argument("--label", default=None, help="label column of a CSV file (default: last)")
    data.add_argument("--data-dir", default=None,
                      help="folder of the Fashion-MNIST IDX files")
    data.add_argument("--test-size", type=float, default=None,
                      help="test fraction for digits, CSV and npz (default 0.25)")
    data.add_argument("--task", choices=("auto", "classification", "regression"),
                      default="auto",
                      help="auto: classification for text labels and for integer labels with at "
                           "most max(2, min(50, √n_samples)) distinct values, else regression")
    data.add_argument("--preprocess", choices=PREPROCESSING, default="center",
                      help="input preprocessing fitted on the training set (notes §2.5); for a "
                           "CSV, of the numeric columns")
    data.add_argument("--categorical", nargs="+", default=[], metavar="COLUMN",
                      help="CSV columns to one-hot encode though they hold numbers (text "
                           "columns are encoded anyway)")
    data.add_argument("--drop", nargs="+", default=[], metavar="COLUMN",
                      help="CSV columns to leave out (also when present at prediction)")
    data.add_argument("--holdout", type=float, default=0.1,
                      help="fraction of the training set held out for the validation curve")
    output = parser.add_argument_group("output")
    output.add_argument("--output", type=Path, default=Path("nntricks-output"),
                        help="folder for model.npz, loss.png and metrics.json")
    output.add_argument("--quiet", action="store_true", help="no progress bar")
    add_estimator_options(parser, DEFAULTS)
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


def decide_task(dataset: datasets.Dataset | datasets.Table, task: str) -> tuple[str, str]:
    """``(task, reason)`` by :func:`nntricks.tabular.choose_task` on all the labels."""
    y = np.concatenate([dataset.y_train, dataset.y_test])
    return tabular.choose_task(y, getattr(dataset, "label", None), task)


def make_preprocessor(dataset: datasets.Dataset | datasets.Table, args: argparse.Namespace):
    """The preprocessing pipeline (schema, then encoding or scaling) for the training part."""
    from ..preprocessing import MeanCenter, Standardize, Whiten

    scaling = {"none": None, "center": MeanCenter(), "standardize": Standardize(),
               "whiten": Whiten()}[args.preprocess]
    return tabular.make_preprocessor(dataset.X_train, scaling, categorical=args.categorical,
                                     drop=args.drop, label=getattr(dataset, "label", None))


def preprocess_test(preprocessor, dataset: datasets.Dataset | datasets.Table):
    """The test part through the fitted preprocessor; unseen categories noted in one line."""
    def note(message: str) -> None:
        print(f"note: test part: {message}", file=sys.stderr)

    with tabular.reporting_unseen_categories(note):
        return preprocessor.transform(dataset.X_test)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    check_output_folder(args.output)
    for name in OUTPUTS:
        check_output_file(args.output / name, "--output")
    dataset = load_data(args)
    task, reason = decide_task(dataset, args.task)
    print(f"task: {task} — {reason}")
    regression = task == "regression"
    Estimator = MLPRegressor if regression else MLPClassifier
    params = estimator_params(args, regression)
    X_train, y_train = dataset.X_train, dataset.y_train
    preprocessor = make_preprocessor(dataset, args)
    X_train = preprocessor.fit_transform(X_train)
    if isinstance(dataset, datasets.Table):
        print(f"data: {tabular.describe_encoding(preprocessor, dataset.X_train)}")
    X_fit, y_fit, X_val, y_val = holdout(X_train, y_train, args.holdout, regression,
                                         args.random_state)
    validation_losses: list[float] = []
    callbacks = [validation_loss_callback(X_val, y_val, y_fit, regression, validation_losses)]
    bar = None
    if not args.quiet and not params["verbose"]:  # verbose brings the trainer's own bar
        bar, advance = progress_bar(params["max_iter"])
        callbacks.append(advance)
    model = Estimator(**params, callbacks=callbacks)
    print(f"training {Estimator.__name__} on {dataset.name}: {len(X_fit)} training, "
          f"{len(X_val)} validation, {len(dataset.X_test)} test samples, "
          f"{X_fit.shape[1]} features")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            warnings.simplefilter("always", TrainingInterrupted)
            model.fit(X_fit, y_fit)
    finally:
        if bar is not None:
            finish(bar)
    stop, interrupted = stop_reason(model, caught)
    print(stop, file=sys.stderr if interrupted else sys.stdout)
    for warning in caught:
        if not issubclass(warning.category, ConvergenceWarning | TrainingInterrupted):
            print(f"note: {warning.message}", file=sys.stderr)
    trained = time.perf_counter()
    model.set_params(callbacks=None)
    X_test = dataset.X_test if preprocessor is None else preprocess_test(preprocessor, dataset)
    metric = "R²" if regression else "accuracy"
    scores = {"train": model.score(X_fit, y_fit), "test": model.score(X_test, dataset.y_test)}
    final = model if preprocessor is None else _pipeline(preprocessor, model)
    args.output.mkdir(parents=True, exist_ok=True)
    save(final, args.output / "model.npz")
    plot_losses(model, validation_losses, args.output / "loss.png", dataset.name)
    metrics = {"data": dataset.name, "estimator": Estimator.__name__, "metric": metric,
               **{f"{part}_{'r2' if regression else 'accuracy'}": value
                  for part, value in scores.items()},
               "epochs": model.n_iter_, "stop": stop, "interrupted": interrupted,
               "train_seconds": trained - started,
               "total_seconds": time.perf_counter() - started,
               "params": {k: v for k, v in model.get_params().items() if k != "callbacks"}}
    write_text_atomically(args.output / "metrics.json",
                          json.dumps(metrics, indent=2, default=str))
    print(f"train {metric}: {scores['train']:.4f}")
    print(f"test {metric}: {scores['test']:.4f}")
    print(f"time: {trained - started:.2f} s training ({model.n_iter_} epochs), "
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


def holdout(X, y, fraction: float, regression: bool, seed: int | None):
    """Set apart a validation part of the training set: ``X_fit, y_fit, X_val, y_val``.

    By :func:`nntricks.splits.holdout_split` (stratified for classification when its rule
    allows); ``fraction`` 0 sets nothing apart.
    """
    if fraction <= 0:
        return X, y, X[:0], y[:0]
    X_fit, X_val, y_fit, y_val = holdout_split(X, y, test_size=fraction, random_state=seed,
                                               stratify=None if regression else y)
    return X_fit, y_fit, X_val, y_val


def progress_bar(max_epochs: int) -> tuple[tqdm, Callable[..., None]]:
    """An epoch bar and the training callback that advances it, showing the loss."""
    bar = epoch_progress(max_epochs)

    def callback(record, trainer):
        bar.set_postfix(loss=f"{record.loss:.4g}", refresh=False)
        bar.update()

    return bar, callback


def validation_loss_callback(X_val, y_val, y_fit, regression, losses):
    """Record the loss (data term) on the validation set after every epoch."""
    from sklearn.preprocessing import LabelBinarizer

    Y_val = (y_val.reshape(len(y_val), -1) if regression
             else LabelBinarizer().fit(y_fit).transform(y_val))

    def record(epoch, trainer):
        if len(X_val):
            network = trainer.network
            z = network.forward(X_val.astype(network.dtype))
            losses.append(network.loss_function.value(z, Y_val.astype(network.dtype)))

    return record


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


def plot_losses(model, validation_losses, path: Path, name: str) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.add_subplot()
    epochs = np.arange(1, len(model.loss_curve_) + 1)
    axes.plot(epochs, model.loss_curve_, label="training (with penalty)")
    if validation_losses:
        axes.plot(epochs[:len(validation_losses)], validation_losses, label="validation")
    axes.set(title=f"{type(model).__name__} on {name}", xlabel="epoch",
             ylabel=f"loss ({loss_label(model)})")
    axes.legend()
    figure.savefig(path, dpi=120)


def _pipeline(preprocessor, model):
    from sklearn.pipeline import Pipeline

    steps = (preprocessor.steps if isinstance(preprocessor, Pipeline)
             else [("preprocess", preprocessor)])
    return Pipeline([*steps, ("mlp", model)])
