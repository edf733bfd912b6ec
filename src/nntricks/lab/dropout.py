"""§2.3: an over-fitting network with and without dropout."""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import optim
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import LabResult, Table

NAME = "dropout"
TITLE = "Dropout: an over-fitting network with and without it"
SECTION = "§2.3"


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train the same large network on few images, without dropout and with drop rate 0.5.

    Dropout is inverted (kept units divided by the keep probability while training, the whole
    network unchanged at test time), which matches the expectations the notes ask for.
    """
    n_train, hidden, epochs = (300, [128, 128], 20) if quick else (500, [512, 512], 100)
    rate, momentum, drop = 0.01, 0.9, 0.5
    data = digits(n_train, seed)
    runs = {}
    for label, dropout in (("no dropout", 0.0), (f"dropout, keep p = {1 - drop:g}", drop)):
        network = mlp(data.n_features, hidden, data.n_classes, "relu", dropout=dropout)
        runs[label] = train(network, lambda r: optim.sgd(r, momentum=momentum), data,
                            epochs=epochs, learning_rate=rate, batch_size=32, seed=seed)
    table = Table(
        f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10 ReLU, SGD α={rate} "
        f"momentum {momentum}, batch 32, {epochs} epochs",
        ["network", "training accuracy", "validation accuracy", "gap (train − validation)",
         "best validation accuracy", "final validation loss", "lowest validation loss"])
    for label, curves in runs.items():
        table.add(label, curves.train_accuracy[-1], curves.val_accuracy[-1],
                  curves.train_accuracy[-1] - curves.val_accuracy[-1],
                  max(curves.val_accuracy), curves.val_loss[-1], min(curves.val_loss))

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

    plain, dropped = runs.values()
    gap_plain = plain.train_accuracy[-1] - plain.val_accuracy[-1]
    gap_dropped = dropped.train_accuracy[-1] - dropped.val_accuracy[-1]
    better = dropped.val_accuracy[-1] > plain.val_accuracy[-1]
    lower_loss = dropped.val_loss[-1] < plain.val_loss[-1]
    verdict = ("the notes' claim holds here" if better and lower_loss else
               "the notes' claim holds only in part here" if better or lower_loss else
               "the notes' claim does not hold here")
    caption = (
        "The notes (§2.3) say dropout (keeping each unit with probability p while training, the "
        "whole network at test time) makes a network less prone to over-fitting and so usually "
        f"better on unseen data. After {epochs} epochs on {n_train} training images, the "
        f"network without dropout fits {fmt(100 * plain.train_accuracy[-1])} % of them and "
        f"{fmt(100 * plain.val_accuracy[-1])} % of the validation images (gap "
        f"{fmt(100 * gap_plain)} points, validation loss {fmt(plain.val_loss[-1])}); with "
        f"dropout (p = {1 - drop:g}) {fmt(100 * dropped.train_accuracy[-1])} % and "
        f"{fmt(100 * dropped.val_accuracy[-1])} % (gap {fmt(100 * gap_dropped)} points, "
        f"validation loss {fmt(dropped.val_loss[-1])}): {verdict}."
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick)
