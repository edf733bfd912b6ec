"""§2.2: the L2 strength λ swept over decades, and the weights L1 and L2 leave behind."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..regularizers import L1, L2
from ._common import digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "regularization"
TITLE = "Regularization: the L2 strength λ, and L1 vs L2 weights"
SECTION = "§2.2"

SMALL = 1e-3
"""A weight below this in magnitude counts as (nearly) zero."""
L1_STRENGTH = 1e-3
"""λ of the L1 run, and of the L2 run it is compared with."""
FITTED = 0.99
"""Training accuracy from which a network counts as fitting its training set."""
OVERFIT_GAP = 0.02
"""Training minus validation accuracy above which a fitted network over-fits."""
SPARSER = 5.0
"""How many times L2's share of near-zero weights L1 must leave to count as sparse."""


def _l1_label() -> str:
    return f"L1 λ={L1_STRENGTH:g}"


def _l2_label() -> str:
    return f"L2 λ={L1_STRENGTH:g}"


def judge(sweep: Table, sparsity: Table) -> Judgement:
    """The notes' claim, decided by the λ sweep and the first-layer weights.

    Too small to decide while the network without a penalty fits under ``FITTED`` of its
    training images (it cannot over-fit yet). Otherwise: without a penalty the training minus
    validation accuracy exceeds ``OVERFIT_GAP``; with the largest λ both accuracies fall below
    the unpenalised ones, the training accuracy by over 5 points; and L1 leaves ``SPARSER``
    times L2's share of first-layer weights below ``SMALL`` in magnitude.
    """
    none, largest = sweep.row(0.0), sweep.row(max(sweep.labels))
    if none["train_accuracy"] < FITTED:
        return Judgement({}, too_small=(
            f"without a penalty the network fits only {fmt(100 * none['train_accuracy'])} % "
            "of its training images, so it cannot over-fit yet"))
    l1, l2 = sparsity.row(_l1_label()), sparsity.row(_l2_label())
    return Judgement({
        "without a penalty the network over-fits": none["gap"] > OVERFIT_GAP,
        "the largest λ under-fits":
            largest["train_accuracy"] < none["train_accuracy"] - 0.05
            and largest["val_accuracy"] < none["val_accuracy"],
        "L1 gives sparse weights": l1["share_zero"] > SPARSER * l2["share_zero"],
    })


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train one over-parameterised network per λ on a small training set.

    The objective is the notes' :math:`J + \\lambda \\sum \\lVert W \\rVert_F^2` (mean
    cross-entropy of a batch plus the penalty, biases not penalised); L1 replaces the squared
    norm by :math:`\\lambda \\sum |W|`.
    """
    if quick:
        n_train, hidden, epochs = 150, [128], 60
        strengths = [0.0, 1e-4, 1e-2, 1.0]
    else:
        n_train, hidden, epochs = 200, [256], 100
        strengths = [0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    rate, momentum = 0.01, 0.9
    data = digits(n_train, seed)

    def fit(regularizers):
        network = mlp(data.n_features, hidden, data.n_classes, "relu",
                      regularizers=regularizers)
        curves = train(network, lambda r: optim.sgd(r, momentum=momentum), data,
                       epochs=epochs, learning_rate=rate, batch_size=32, seed=seed)
        return network, curves

    setup = (f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10 ReLU, SGD α={rate} "
             f"momentum {momentum}, batch 32, {epochs} epochs")
    sweep = Table(setup, {
        "strength": "λ (L2)", "train_accuracy": "training accuracy",
        "val_accuracy": "validation accuracy", "gap": "gap (train − validation)",
        "train_loss": "training loss (with penalty)", "val_loss": "validation loss",
        "norm": "‖W‖² of layer 1"})
    results = {}
    for strength in strengths:
        network, curves = fit([L2(strength)] if strength > 0 else [])
        results[strength] = network, curves
        sweep.add(strength=strength, train_accuracy=curves.train_accuracy[-1],
                  val_accuracy=curves.val_accuracy[-1],
                  gap=curves.train_accuracy[-1] - curves.val_accuracy[-1],
                  train_loss=curves.final_loss, val_loss=curves.val_loss[-1],
                  norm=float(np.sum(network.coefs[0].astype(np.float64) ** 2)))
    if L1_STRENGTH not in results:
        results[L1_STRENGTH] = fit([L2(L1_STRENGTH)])
    weights = {_l2_label(): results[L1_STRENGTH], _l1_label(): fit([L1(L1_STRENGTH)]),
               "none": results[0.0]}
    sparsity = Table(f"first-layer weights ({data.n_features}×{hidden[0]}) after training", {
        "penalty": "penalty", "share_zero": f"share of |w| < {SMALL:g}",
        "share_small": "share of |w| < 1e-2", "largest": "largest |w|",
        "val_accuracy": "validation accuracy"})
    for label, (network, curves) in weights.items():
        w = np.abs(network.coefs[0])
        sparsity.add(penalty=label, share_zero=float(np.mean(w < SMALL)),
                     share_small=float(np.mean(w < 1e-2)), largest=float(w.max()),
                     val_accuracy=curves.val_accuracy[-1])

    fig = Figure(figsize=(13, 4.8), layout="constrained")
    fig.suptitle("L2 and L1 regularization (notes §2.2)")
    ax_s, ax_h = fig.subplots(1, 2)
    positive = [s for s in strengths if s > 0]
    train_acc = [results[s][1].train_accuracy[-1] for s in positive]
    val_acc = [results[s][1].val_accuracy[-1] for s in positive]
    ax_s.semilogx(positive, train_acc, "o-", label="training accuracy")
    ax_s.semilogx(positive, val_acc, "s-", label="validation accuracy")
    ax_s.axhline(results[0.0][1].train_accuracy[-1], color="tab:blue", ls=":",
                 label="training, λ = 0")
    ax_s.axhline(results[0.0][1].val_accuracy[-1], color="tab:orange", ls=":",
                 label="validation, λ = 0")
    ax_s.set_title(f"accuracy after {epochs} epochs against λ ({n_train} training images)")
    ax_s.set_xlabel("L2 strength λ (log scale)")
    ax_s.set_ylabel("accuracy (fraction correct)")
    ax_s.grid(True, alpha=0.3)
    ax_s.legend(fontsize=8)
    all_w = np.concatenate([np.abs(net.coefs[0]).ravel() for net, _ in weights.values()])
    bins = np.logspace(np.log10(max(all_w[all_w > 0].min(), 1e-8)), np.log10(all_w.max()), 50)
    for label, (network, _) in weights.items():
        ax_h.hist(np.maximum(np.abs(network.coefs[0]).ravel(), bins[0]), bins=bins,
                  histtype="step", lw=1.5, label=label)
    ax_h.axvline(SMALL, color="gray", ls="--", label=f"|w| = {SMALL:g}")
    ax_h.set_xscale("log")
    ax_h.set_title("magnitudes of the first-layer weights")
    ax_h.set_xlabel("weight magnitude |w| (log scale)")
    ax_h.set_ylabel("number of weights")
    ax_h.grid(True, alpha=0.3)
    ax_h.legend(fontsize=8)

    none, big = sweep.row(0.0), sweep.row(max(sweep.labels))
    best = max(sweep.rows, key=lambda row: row["val_accuracy"])
    l1, l2 = sparsity.row(_l1_label()), sparsity.row(_l2_label())
    judgement = judge(sweep, sparsity)
    caption = (
        "The notes (§2.2) say a too small λ leaves the network over-fitting (high variance), "
        "a too large one drives the weights to 0 so that it learns nothing (poor accuracy on "
        "training and validation data alike), and that L1 gives sparse weights. With "
        f"λ = 0 the network fits {fmt(100 * none['train_accuracy'])} % of its "
        f"{n_train} training images and {fmt(100 * none['val_accuracy'])} % of the "
        f"validation images; λ = {big['strength']:g} gives {fmt(100 * big['train_accuracy'])} % "
        f"and {fmt(100 * big['val_accuracy'])} %. The best validation accuracy, "
        f"{fmt(100 * best['val_accuracy'])} %, comes with "
        + (f"λ = {best['strength']:g} (train − validation gap {fmt(100 * best['gap'])} points "
           f"against {fmt(100 * none['gap'])} without a penalty)" if best["strength"] > 0 else
           "no penalty at all: no λ improved on it in this run")
        + f". After training, {fmt(100 * l1['share_zero'])} % of the first-layer weights are "
        f"below {SMALL:g} in magnitude with L1 (λ = {L1_STRENGTH:g}) against "
        f"{fmt(100 * l2['share_zero'])} % with L2 of the same λ. " + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [sweep, sparsity], fig, seed, quick,
                     judgement)
