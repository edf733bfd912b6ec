"""§2.2: the L2 strength λ swept over decades, and the weights L1 and L2 leave behind."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..regularizers import L1, L2
from ._common import digits, fmt, mlp, train
from ._report import LabResult, Table

NAME = "regularization"
TITLE = "Regularization: the L2 strength λ, and L1 vs L2 weights"
SECTION = "§2.2"

SMALL = 1e-3
"""A weight below this in magnitude counts as (nearly) zero."""


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train one over-parameterised network per λ on a small training set.

    The objective is the notes' :math:`J + \\lambda \\sum \\lVert W \\rVert_F^2` (mean
    cross-entropy of a batch plus the penalty, biases not penalised); L1 replaces the squared
    norm by :math:`\\lambda \\sum |W|`.
    """
    if quick:
        n_train, hidden, epochs = 150, [64], 15
        strengths = [0.0, 1e-4, 1e-2, 1.0]
    else:
        n_train, hidden, epochs = 200, [256], 100
        strengths = [0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    l1_strength = 1e-3
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
    sweep = Table(setup, ["λ (L2)", "training accuracy", "validation accuracy",
                          "gap (train − validation)", "training loss (with penalty)",
                          "validation loss", "‖W‖² of layer 1"])
    results = {}
    for strength in strengths:
        network, curves = fit([L2(strength)] if strength > 0 else [])
        results[strength] = network, curves
        sweep.add(strength, curves.train_accuracy[-1], curves.val_accuracy[-1],
                  curves.train_accuracy[-1] - curves.val_accuracy[-1], curves.final_loss,
                  curves.val_loss[-1], float(np.sum(network.coefs[0].astype(np.float64) ** 2)))
    l2_strength = l1_strength
    if l2_strength not in results:
        results[l2_strength] = fit([L2(l2_strength)])
    weights = {f"L2 λ={l2_strength:g}": results[l2_strength]}
    weights[f"L1 λ={l1_strength:g}"] = fit([L1(l1_strength)])
    weights["none"] = results[0.0]
    sparsity = Table(f"first-layer weights ({data.n_features}×{hidden[0]}) after training",
                     ["penalty", f"share of |w| < {SMALL:g}", "share of |w| < 1e-2",
                      "largest |w|", "validation accuracy"])
    for label, (network, curves) in weights.items():
        w = np.abs(network.coefs[0])
        sparsity.add(label, float(np.mean(w < SMALL)), float(np.mean(w < 1e-2)),
                     float(w.max()), curves.val_accuracy[-1])

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

    best = max(strengths, key=lambda s: results[s][1].val_accuracy[-1])
    largest, smallest = max(strengths), 0.0
    big, none = results[largest][1], results[smallest][1]
    overfits = none.train_accuracy[-1] - none.val_accuracy[-1] > 0.02
    underfits = big.train_accuracy[-1] < none.train_accuracy[-1] - 0.05
    better = results[best][1].val_accuracy[-1] > none.val_accuracy[-1]
    l1 = sparsity.rows[1][1]
    l2 = sparsity.rows[0][1]
    holds = overfits and underfits
    caption = (
        "The notes (§2.2) say a too small λ leaves the network over-fitting (high variance), "
        "a too large one drives the weights to 0 so that it learns nothing (poor accuracy on "
        "training and validation data alike), and that L1 gives sparse weights. With "
        f"λ = 0 the network fits {fmt(100 * none.train_accuracy[-1])} % of its "
        f"{n_train} training images but only {fmt(100 * none.val_accuracy[-1])} % of the "
        f"validation images; λ = {largest:g} gives {fmt(100 * big.train_accuracy[-1])} % and "
        f"{fmt(100 * big.val_accuracy[-1])} %. The best validation accuracy, "
        f"{fmt(100 * results[best][1].val_accuracy[-1])} %, comes with "
        + (f"λ = {best:g}" if best > 0 else "no penalty at all")
        + (f" (better than no penalty; the train − validation gap goes from "
           f"{fmt(100 * (none.train_accuracy[-1] - none.val_accuracy[-1]))} to "
           f"{fmt(100 * (results[best][1].train_accuracy[-1] - results[best][1].val_accuracy[-1]))}"
           " points)" if better else "" if best == 0 else " (no better than no penalty)")
        + ". "
        + ("Both ends of the claim hold here. " if holds else
           "The claim holds only in part here"
           + (": without a penalty the network hardly over-fits. " if not overfits else
              ": the largest λ does not make the network under-fit. "))
        + f"After training, {fmt(100 * l1)} % of the first-layer weights are below {SMALL:g} "
        f"in magnitude with L1 (λ = {l1_strength:g}) against {fmt(100 * l2)} % with L2 of the "
        "same λ: "
        + ("L1 gives the sparser weights, as the notes say." if l1 > l2 else
           "here L1 does not give sparser weights.")
    )
    return LabResult(NAME, TITLE, SECTION, caption, [sweep, sparsity], fig, seed, quick)
