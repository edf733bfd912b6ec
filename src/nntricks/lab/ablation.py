"""§2.2–2.9 together: the main job's Fashion-MNIST recipe, then the same with one trick removed.

The recipe is read at run time from :data:`nntricks.recipes.RECIPES` (``"fashion-mnist"``), so
the experiment follows it when it is retuned: a trick gets its ablation only when the recipe
switches it on (:func:`variants`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sklearn.exceptions import ConvergenceWarning

from .. import datasets
from ..estimators import MLPClassifier
from ..preprocessing import get_preprocessor
from ..recipes import RECIPES, Recipe
from ..training import DivergenceError, raise_if_interrupted
from ._common import CROSS_ENTROPY
from ._report import Judgement, LabResult, Table

NAME = "ablation"
TITLE = "Ablation: the Fashion-MNIST recipe with one trick removed at a time"
SECTION = "§2.2–2.9"

DATA = "fashion-mnist"
"""The data set, and the recipe of :data:`~nntricks.recipes.RECIPES` that is ablated."""
RECIPE = "recipe"
"""The label of the unchanged recipe's row."""
CONSTANT_RATE, PLAIN_SGD, NO_EARLY_STOPPING = (
    "constant learning rate", "plain SGD", "no early stopping")
"""The labels of the variants without the schedule, the optimizer and early stopping."""
N_SEEDS = 3
"""Runs per variant, seeded ``seed``, ``seed + 1``, ``seed + 2``."""
FULL_EPOCHS = 20
"""Epoch cap of every run in full mode: ``min(recipe's max_iter, FULL_EPOCHS)``."""
QUICK_TRAIN, QUICK_TEST, QUICK_EPOCHS = 5_000, 2_000, 5
"""Quick mode: a seeded random subset of training and test images, and the epoch cap."""
SGD_RATE = 0.05
"""The initial learning rate of the plain-SGD variant (no momentum; the recipe's schedule)."""
SMALL_STD = 0.01
"""The standard deviation of the small-normal initialization variant."""
ENOUGH_IMAGES = 50_000
"""Fewer training images than this (a subset) are too few to rank close differences."""


@dataclass(frozen=True)
class Variant:
    """The recipe with (at most) one trick removed.

    Attributes
    ----------
    label : str
        The table's row label: ``"recipe"`` or ``"no dropout"`` etc.
    trick : str
        The trick removed, for the caption (empty for the recipe).
    change : str
        What differs from the recipe, e.g. ``"dropout 0.2 → 0"``.
    params : dict
        ``MLPClassifier`` parameters replacing the recipe's.
    preprocess : str or None
        The preprocessing replacing the recipe's, or None to keep it.
    """

    label: str
    trick: str = ""
    change: str = "—"
    params: dict[str, Any] = field(default_factory=dict)
    preprocess: str | None = None


def variants(recipe: Recipe) -> list[Variant]:
    """The recipe, then one variant per trick it switches on, each with that trick removed.

    In this order: dropout, L2, the initialization (unless already normal with ``SMALL_STD``),
    the input preprocessing, the learning-rate schedule, the optimizer (unless already plain
    SGD), early stopping, input dropout, batch normalization, L1, fan-in scaling. The recipe's
    parameters are read with the estimator's defaults filled in.
    """
    p = MLPClassifier(**recipe.params).get_params()
    found = [Variant(RECIPE)]
    if np.any(np.asarray(p["dropout"]) > 0):
        found.append(Variant("no dropout", "dropout", f"dropout {p['dropout']} → 0",
                             {"dropout": 0.0}))
    if p["alpha"] > 0:
        found.append(Variant("no L2", "L2", f"alpha {p['alpha']:g} → 0", {"alpha": 0.0}))
    if not (p["init"] == "normal" and p["init_std"] == SMALL_STD):
        found.append(Variant("small normal init", f"{p['init']} initialization",
                             f"{p['init']} → normal σ={SMALL_STD:g}",
                             {"init": "normal", "init_std": SMALL_STD}))
    if recipe.preprocess != "none":
        found.append(Variant("no preprocessing", "input preprocessing",
                             f"{recipe.preprocess} → none", preprocess="none"))
    if p["learning_rate"] != "constant":
        found.append(Variant(CONSTANT_RATE, f"the {p['learning_rate']} schedule",
                             f"{p['learning_rate']} → constant {p['learning_rate_init']:g}",
                             {"learning_rate": "constant"}))
    if not (p["solver"] == "sgd" and p["momentum"] == 0):
        found.append(Variant(PLAIN_SGD, f"the {p['solver']} optimizer",
                             f"{p['solver']} at {p['learning_rate_init']:g} → SGD at "
                             f"{SGD_RATE:g}, no momentum",
                             {"solver": "sgd", "momentum": 0.0,
                              "learning_rate_init": SGD_RATE}))
    if p["early_stopping"]:
        found.append(Variant(NO_EARLY_STOPPING, "early stopping",
                             "fixed epochs on all images, last weights",
                             {"early_stopping": False, "n_iter_no_change": math.inf}))
    for key, off, label, trick in (
            ("input_dropout", 0.0, "no input dropout", "input dropout"),
            ("batch_norm", False, "no batch norm", "batch normalization"),
            ("l1", 0.0, "no L1", "L1"),
            ("fan_in_scaling", False, "no fan-in scaling", "fan-in scaling")):
        if p[key]:
            found.append(Variant(label, trick, f"{key} {p[key]} → {off}", {key: off}))
    return found


def drop(recipe: dict[str, Any], row: dict[str, Any]) -> float:
    """The recipe's mean test accuracy minus the row's, in points (percent)."""
    return 100 * (recipe["mean"] - row["mean"])


def spread(recipe: dict[str, Any], row: dict[str, Any]) -> float:
    """The seeds' spread of a comparison, in points: the larger of the two min–max ranges."""
    return 100 * max(recipe["max"] - recipe["min"], row["max"] - row["min"])


def _check(trick: str) -> str:
    return f"removing {trick} costs more than the seeds' spread"


def judge(table: Table) -> Judgement:
    """The claim "each of the recipe's tricks helps", decided by the main table.

    Too small to decide when the recipe trained on fewer than ``ENOUGH_IMAGES`` images (column
    ``train_images``; a subset, whose differences of a point or so are within its noise), or
    when the recipe switches on none of the tricks. Otherwise, for each row but the recipe's,
    removing its trick costs more than the seeds' spread when :func:`drop` (the recipe's mean
    test accuracy minus the row's, in points) exceeds :func:`spread` (the larger of the
    recipe's and the row's min–max ranges over the seeds, in points). The claim holds when
    every removal does, in part when some do, and not when none does.
    """
    recipe = table.row(RECIPE)
    removed = [row for row in table.rows if row["variant"] != RECIPE]
    if recipe["train_images"] < ENOUGH_IMAGES:
        return Judgement({}, too_small=(
            f"the recipe trained on {recipe['train_images']:,} images, a subset too small to "
            "rank differences of a point or so"))
    if not removed:
        return Judgement({}, too_small="the recipe switches on none of the tricks")
    return Judgement({_check(row["trick"]): drop(recipe, row) > spread(recipe, row)
                      for row in removed})


@dataclass
class _Runs:
    """One variant's runs, one entry per seed."""

    accuracy: list[float] = field(default_factory=list)
    loss: list[list[float]] = field(default_factory=list)
    val_loss: list[list[float]] = field(default_factory=list)
    val_accuracy: list[list[float]] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_images: int = 0
    diverged: int = 0
    rate_changed: bool = False


def _fit(model: MLPClassifier, X: np.ndarray, y: np.ndarray) -> bool:
    """Fit ``model``; True when training diverged (the last finite weights are kept).

    The estimator turns a Ctrl-C into a :class:`~nntricks.training.TrainingInterrupted`
    warning; here it becomes ``KeyboardInterrupt`` again, so a cut-short ablation stops the lab
    instead of being captioned. The capped runs' ``ConvergenceWarning`` is expected and
    dropped; any other warning is passed on.
    """
    diverged = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X, y)
        except DivergenceError:
            diverged = True
    raise_if_interrupted(caught)
    for warning in caught:
        if not issubclass(warning.category, ConvergenceWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    return diverged


def _load(seed: int, quick: bool) -> datasets.Dataset:
    """Fashion-MNIST, or in quick mode a seeded random subset of its training and test parts.

    Raises
    ------
    DataFileNotFoundError
        The files are absent.
    """
    data = datasets.load(DATA)
    if not quick:
        return data
    rng = np.random.default_rng(seed)
    train = np.sort(rng.choice(len(data.y_train), QUICK_TRAIN, replace=False))
    test = np.sort(rng.choice(len(data.y_test), QUICK_TEST, replace=False))
    return datasets.Dataset(data.X_train[train], data.y_train[train], data.X_test[test],
                            data.y_test[test], name=data.name)


def _preprocessed(kind: str, data: datasets.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The training and test images through ``kind``, fitted on the training images."""
    transformer = get_preprocessor(kind)
    if transformer is None:
        return data.X_train, data.X_test
    transformer.fit(data.X_train)
    return transformer.transform(data.X_train), transformer.transform(data.X_test)


def _train(recipe: Recipe, variant: Variant, data: datasets.Dataset,
           inputs: tuple[np.ndarray, np.ndarray], seeds: list[int], epochs: int) -> _Runs:
    """Train the variant once per seed; test accuracy on ``data``'s test part."""
    X_train, X_test = inputs
    runs = _Runs()
    for seed in seeds:
        params = {**recipe.params, **variant.params, "max_iter": epochs, "random_state": seed}
        model = MLPClassifier(**params)
        runs.diverged += _fit(model, X_train, data.y_train)
        runs.accuracy.append(float(model.score(X_test, data.y_test)))
        runs.loss.append(list(model.loss_curve_))
        runs.val_loss.append(list(model.validation_loss_curve_ or []))
        runs.val_accuracy.append(list(model.validation_scores_ or []))
        runs.epochs.append(len(model.loss_curve_))  # n_iter_ stays 0 after a divergence
        runs.train_images = model.t_ // max(len(model.loss_curve_), 1)
        runs.rate_changed |= len({record.learning_rate for record in model.history_}) > 1
    return runs


def _table(title: str) -> Table:
    """The main table, empty: one row per variant comes from :func:`_add_row`."""
    return Table(title, {
        "variant": "variant", "trick": "trick removed", "change": "change from the recipe",
        "mean": "mean test accuracy", "std": "std over seeds", "min": "lowest seed",
        "max": "highest seed", "drop": "drop against the recipe (points)",
        "epochs": "epochs run (mean)", "train_images": "training images",
        "diverged": "runs diverged"})


def _add_row(table: Table, variant: Variant, runs: _Runs) -> None:
    """The variant's row: test accuracy over the seeds (NaN without runs), its drop."""
    accuracy = np.array(runs.accuracy) if runs.accuracy else np.full(1, math.nan)
    row = {"mean": float(accuracy.mean()), "min": float(accuracy.min()),
           "max": float(accuracy.max())}
    recipe = row if variant.label == RECIPE else table.row(RECIPE)
    table.add(variant=variant.label, trick=variant.trick, change=variant.change, **row,
              std=float(accuracy.std()), drop=drop(recipe, row),
              epochs=float(np.mean(runs.epochs)) if runs.epochs else math.nan,
              train_images=runs.train_images, diverged=runs.diverged)


def _mean_curve(curves: list[list[float]]) -> np.ndarray:
    """Mean over the seeds still training at each epoch (early stopping may end runs early)."""
    longest = max(map(len, curves), default=0)
    padded = np.full((len(curves), longest), np.nan)
    for i, curve in enumerate(curves):
        padded[i, :len(curve)] = curve
    return np.nanmean(padded, axis=0) if longest else np.empty(0)


def _bars(ax: Axes, table: Table, colors: list[str]) -> None:
    """Mean test accuracy per variant, with the lowest and highest seed as error bars."""
    mean, low, high = (100 * np.array(table.column(key)) for key in ("mean", "min", "max"))
    x = np.arange(len(mean))
    ax.bar(x, mean, color=colors, alpha=0.75, label="mean over the seeds")
    ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="none", ecolor="black",
                capsize=4, label="lowest to highest seed")
    ax.axhline(mean[0], color="black", ls=":", lw=1, label="the recipe's mean")
    finite = np.concatenate([low, high])[np.isfinite(np.concatenate([low, high]))]
    if finite.size:
        ax.set_ylim(finite.min() - 2, min(100.0, finite.max() + 1))
    ax.set_xticks(x, table.labels, rotation=35, ha="right", fontsize=8)
    ax.set_title("test accuracy per variant")
    ax.set_xlabel("variant (one trick removed)")
    ax.set_ylabel("test accuracy (%), zoomed")
    ax.legend(fontsize=8, loc="lower left")


def _curves(ax_loss: Axes, ax_val: Axes, runs: dict[str, _Runs], colors: list[str]) -> None:
    """Training and validation loss, and validation accuracy, per epoch and variant."""
    for (label, variant_runs), color in zip(runs.items(), colors, strict=True):
        loss, val_loss = _mean_curve(variant_runs.loss), _mean_curve(variant_runs.val_loss)
        val_accuracy = _mean_curve(variant_runs.val_accuracy)
        style = dict(color=color, lw=2.5, zorder=3) if label == RECIPE else dict(color=color)
        ax_loss.plot(np.arange(1, loss.size + 1), loss, "-", **style)
        ax_loss.plot(np.arange(1, val_loss.size + 1), val_loss, "--", **style)
        note = "" if val_loss.size else " (no validation set, so no curve)"
        ax_val.plot(np.arange(1, val_accuracy.size + 1), 100 * val_accuracy, "-",
                    label=label + note, **style)
    ax_loss.plot([], [], "k-", label="solid: training (penalty included)")
    ax_loss.plot([], [], "k--", label="dashed: validation (none without early stopping)")
    ax_loss.plot([], [], " ", label="colours: the variants, as in the other panels")
    ax_loss.set_yscale("log")
    ax_loss.set_title("loss per epoch, mean over the seeds")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel(CROSS_ENTROPY + ", log scale")
    ax_val.set_title("validation accuracy per epoch, mean over the seeds")
    ax_val.set_xlabel("epoch")
    ax_val.set_ylabel("validation accuracy (%)")
    for ax in (ax_loss, ax_val):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)


def _figure(table: Table, runs: dict[str, _Runs], setup: str) -> Figure:
    """Bars of the test accuracy, then the curves; the recipe in black."""
    fig = Figure(figsize=(17, 5.4), layout="constrained")
    fig.suptitle(f"The Fashion-MNIST recipe with one trick removed at a time ({setup})")
    colors = ["black", *(f"C{i % 10}" for i in range(len(runs) - 1))]
    ax_bar, ax_loss, ax_val = fig.subplots(1, 3)
    _bars(ax_bar, table, colors)
    _curves(ax_loss, ax_val, runs, colors)
    return fig


def _removal(recipe: dict[str, Any], row: dict[str, Any]) -> str:
    """One removal for the caption: the change of the mean and how it compares to the spread."""
    change, width = drop(recipe, row), spread(recipe, row)
    way = (f"falls by {change:.2f} points" if change > 0 else
           f"rises by {-change:.2f} points" if change < 0 else "is unchanged")
    against = "more than" if change > width else "within"
    return (f"without {row['trick']} ({row['change']}) the mean test accuracy {way}, "
            f"{against} the seeds' spread of {width:.2f}")


def _caption(table: Table, recipe: Recipe, data: datasets.Dataset, seeds: list[int],
             epochs: int, quick: bool, schedule_acted: bool, judgement: Judgement) -> str:
    base, removed = table.row(RECIPE), [row for row in table.rows if row["variant"] != RECIPE]
    mattered = [row["trick"] for row in removed if drop(base, row) > spread(base, row)]
    sizes = f"{len(data.y_train):,} training and {len(data.y_test):,} test images"
    subset = (f"a seeded random subset of {sizes}, too small to rank close differences"
              if quick else f"all {sizes} (the data set's own split)")
    diverged = sum(row["diverged"] for row in table.rows)
    how = [f"every run is capped at {epochs} epochs (the recipe allows "
           f"{recipe.params['max_iter']})"]
    if PLAIN_SGD in table.labels:
        how.append(f"plain SGD runs at α0 = {SGD_RATE:g} without momentum (the recipe's "
                   "schedule kept)")
    if NO_EARLY_STOPPING in table.labels:
        how.append(f"the run without early stopping trains on all its images for exactly "
                   f"{epochs} epochs and keeps the last weights")
    return (
        "The notes (§2.2–2.9) recommend each of these tricks; the main job's Fashion-MNIST "
        f"recipe switches on {', '.join(row['trick'] for row in removed)} "
        f"({recipe.describe()}). It is trained as it is and then with one trick removed at a "
        f"time, {len(seeds)} times each (seeds {', '.join(map(str, seeds))}), on {subset}; "
        + ", ".join(how[:-1]) + (" and " if len(how) > 1 else "") + how[-1] + ". "
        f"The recipe reaches "
        f"{100 * base['mean']:.2f} % mean test accuracy (seeds from {100 * base['min']:.2f} to "
        f"{100 * base['max']:.2f} %); "
        + "; ".join(_removal(base, row) for row in removed) + ". "
        + (f"Removals that cost more than the spread here: {', '.join(mattered)}. " if mattered
           else "No removal cost more than the spread here. ")
        + (f"{diverged} run(s) diverged (their last finite weights are scored). " if diverged
           else "")
        + ("" if schedule_acted else f"Within {epochs} epochs the recipe's schedule never "
           "changes the rate, so the constant-rate runs repeat the recipe's. ")
        + judgement.sentence()
    )


def _absent(recipe: Recipe, seed: int, quick: bool, error: Exception) -> LabResult:
    """The result when the Fashion-MNIST files are absent: a caption saying how to get them."""
    table = _table("Fashion-MNIST files absent: nothing trained")
    for variant in variants(recipe):
        _add_row(table, variant, _Runs())
    judgement = Judgement({}, too_small="the Fashion-MNIST files are absent, so nothing was "
                          "trained")
    caption = (
        "The notes (§2.2–2.9) recommend each trick that the main job's Fashion-MNIST recipe "
        "switches on; this experiment removes them one at a time, but it needs the "
        f"Fashion-MNIST files: {error} On Debian/Ubuntu, 'apt-get install "
        "dataset-fashion-mnist' installs them; then run 'nntricks lab ablation' again. "
        + judgement.sentence())
    fig = Figure(figsize=(10, 3), layout="constrained")
    fig.suptitle("Ablation of the Fashion-MNIST recipe: the data set is absent")
    fig.text(0.5, 0.5, "Fashion-MNIST not found:\napt-get install dataset-fashion-mnist",
             ha="center", va="center", fontsize=14)
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick, judgement)


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train the Fashion-MNIST recipe and each of its one-trick-removed variants, 3 seeds each.

    Every run is capped at ``min(max_iter, FULL_EPOCHS)`` epochs (``QUICK_EPOCHS`` on a subset
    of ``QUICK_TRAIN`` training and ``QUICK_TEST`` test images in quick mode). The inputs go
    through the recipe's preprocessing (or none), fitted on the training images. When the
    Fashion-MNIST files are absent, the result's caption says how to install them.
    """
    recipe = RECIPES[DATA]
    try:
        data = _load(seed, quick)
    except datasets.DataFileNotFoundError as error:
        return _absent(recipe, seed, quick, error)
    epochs = min(recipe.params["max_iter"], QUICK_EPOCHS if quick else FULL_EPOCHS)
    seeds = [seed + k for k in range(N_SEEDS)]
    inputs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    runs: dict[str, _Runs] = {}
    table = _table(f"{DATA} ({len(data.y_train):,} training / {len(data.y_test):,} test "
                   f"images); {recipe.describe()}; at most {epochs} epochs per run; seeds "
                   f"{', '.join(map(str, seeds))}")
    for variant in variants(recipe):
        kind = variant.preprocess or recipe.preprocess
        if kind not in inputs:
            inputs[kind] = _preprocessed(kind, data)
        runs[variant.label] = _train(recipe, variant, data, inputs[kind], seeds, epochs)
        _add_row(table, variant, runs[variant.label])
    judgement = judge(table)
    setup = (f"{len(data.y_train):,} training images, ≤ {epochs} epochs, seeds "
             f"{', '.join(map(str, seeds))}")
    return LabResult(NAME, TITLE, SECTION,
                     _caption(table, recipe, data, seeds, epochs, quick,
                              runs[RECIPE].rate_changed or CONSTANT_RATE not in runs, judgement),
                     [table], _figure(table, runs, setup), seed, quick, judgement)
