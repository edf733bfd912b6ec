"""§2.3: an over-fitting network with and without dropout."""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import optim
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "dropout"
TITLE = "Dropout: an over-fitting network with and without it"
SECTION = "§2.3"

DROP = 0.5
"""The drop rate of the dropout network (keep probability p = 0.5)."""
PLAIN, DROPPED = "no dropout", f"dropout, keep p = {1 - DROP:g}"
FITTED = 0.99
"""Training accuracy from which a network counts as fitting its training set."""


def judge(table: Table) -> Judgement:
    """The notes' claim, decided by the main table.

    Too small to decide while either network fits under ``FITTED`` of its training images
    (over-fitting cannot show yet, and the slower dropout network would be judged unfinished).
    Otherwise, at the end of training, dropout gives a lower validation loss and a higher
    validation accuracy than no dropout.
    """
    plain, dropped = table.row(PLAIN), table.row(DROPPED)
    unfitted = [f"the network {which} dropout fits only {fmt(100 * row['train_accuracy'])} % "
                "of its training images"
                for which, row in (("without", plain), ("with", dropped))
                if row["train_accuracy"] < FITTED]
    if unfitted:
        return Judgement({}, too_small=" and ".join(unfitted)
                         + ", so over-fitting cannot show yet")
    return Judgement({
        "dropout lowers the validation loss": dropped["val_loss"] < plain["val_loss"],
        "dropout raises the validation accuracy":
            dropped["val_accuracy"] > plain["val_accuracy"],
    })


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train the same large network on few images, without dropout and with drop rate 0.5.

    Dropout is inverted (kept units divided by the keep probability while training, the whole
    network unchanged at test time), which matches the expectations the notes ask for.
    """
    n_train, hidden, epochs = (300, [128, 128], 20) if quick else (500, [512, 512], 100)
    rate, momentum = 0.01, 0.9
    data = digits(n_train, seed)
    runs = {}
    for label, dropout in ((PLAIN, 0.0), (DROPPED, DROP)):
        network = mlp(data.n_features, hidden, data.n_classes, "relu", dropout=dropout)
        runs[label] = train(network, lambda r: optim.sgd(r, momentum=momentum), data,
                            epochs=epochs, learning_rate=rate, batch_size=32, seed=seed)
    table = Table(
        f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10 ReLU, SGD α={rate} "
        f"momentum {momentum}, batch 32, {epochs} epochs",
        {"network": "network", "train_accuracy": "training accuracy",
         "val_accuracy": "validation accuracy", "gap": "gap (train − validation)",
         "best_val_accuracy": "best validation accuracy", "val_loss": "final validation loss",
         "lowest_val_loss": "lowest validation loss"})
    for label, curves in runs.items():
        table.add(network=label, train_accuracy=curves.train_accuracy[-1],
                  val_accuracy=curves.val_accuracy[-1],
                  gap=curves.train_accuracy[-1] - curves.val_accuracy[-1],
                  best_val_accuracy=max(curves.val_accuracy), val_loss=curves.val_loss[-1],
                  lowest_val_loss=min(curves.val_loss))

    fig = Figure(figsize=(13, 4.8), layout="constrained")
    fig.suptitle(f"Dropout on a network that over-fits {n_train} training images (notes §2.3)")
    ax_a, ax_l = fig.subplots(1, 2)
    for (label, curves), color in zip(runs.items(), ("tab:red", "tab:blue"), strict=True):
        ax_a.plot(curves.epochs, curves.train_accuracy, ":", color=color,
                  label=f"{label}: training")
        ax_a.plot(curves.epochs, curves.val_accuracy, "-", color=color,
                  label=f"{label}: validation")
        ax_l.plot(curves.epochs, curves.loss, ":", color=color,
                  label=f"{label}: training (masks on)")
        ax_l.plot(curves.epochs, curves.val_loss, "-", color=color,
                  label=f"{label}: validation")
    start = epochs // 10
    settled = [v for curves in runs.values()
               for v in (*curves.train_accuracy[start:], *curves.val_accuracy[start:])]
    ax_a.set_ylim(max(0.0, min(settled) - 0.03), 1.01)
    ax_a.set_title(f"accuracy (from epoch {start + 1} on, zoomed)")
    ax_a.set_xlabel("epoch")
    ax_a.set_ylabel("accuracy (fraction correct)")
    ax_l.set_title("loss")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel(CROSS_ENTROPY + ", log scale")
    ax_l.set_yscale("log")
    for ax in (ax_a, ax_l):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)

    plain, dropped = table.row(PLAIN), table.row(DROPPED)
    judgement = judge(table)
    caption = (
        "The notes (§2.3) say dropout (keeping each unit with probability p while training, the "
        "whole network at test time) makes a network less prone to over-fitting and so usually "
        f"better on unseen data. After {epochs} epochs on {n_train} training images, the "
        f"network without dropout fits {fmt(100 * plain['train_accuracy'])} % of them and "
        f"{fmt(100 * plain['val_accuracy'])} % of the validation images (gap "
        f"{fmt(100 * plain['gap'])} points, validation loss {fmt(plain['val_loss'])}); with "
        f"dropout (p = {1 - DROP:g}) {fmt(100 * dropped['train_accuracy'])} % and "
        f"{fmt(100 * dropped['val_accuracy'])} % (gap {fmt(100 * dropped['gap'])} points, "
        f"validation loss {fmt(dropped['val_loss'])}). " + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick, judgement)
