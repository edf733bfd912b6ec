"""§2.4: the six activations and their derivatives, and the same network trained with each."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..activations import get_activation
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "activations"
TITLE = "Neuron units: sigmoid, tanh, hard tanh, soft sign, ReLU, leaky ReLU"
SECTION = "§2.4"

LEAKY_SLOPE = 0.1
UNITS = {  # label: (name, parameters)
    "sigmoid": ("sigmoid", {}),
    "tanh": ("tanh", {}),
    "hard tanh": ("hardtanh", {}),
    "soft sign": ("softsign", {}),
    "ReLU": ("relu", {}),
    f"leaky ReLU (k={LEAKY_SLOPE})": ("leaky_relu", {"slope": LEAKY_SLOPE}),
}


def judge(table: Table) -> Judgement:
    """The notes' claim, decided by the main table: after the same epochs from the same weights
    and batches, the tanh network's training loss is below the sigmoid network's."""
    return Judgement({
        "tanh ends with a lower training loss than the sigmoid":
            table.row("tanh")["final_loss"] < table.row("sigmoid")["final_loss"],
    })


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Plot every unit (the notes' figures 9–14) and train one network per unit.

    The network (two tanh-sized hidden layers, Xavier initialization from the same seed) is
    trained with plain SGD at the same learning rate and the same batches for each unit.
    """
    hidden, epochs, rate = ([32], 5, 0.05) if quick else ([64, 64], 30, 0.05)
    data = digits()
    z = np.linspace(-4, 4, 801)
    fig = Figure(figsize=(15, 4.6), layout="constrained")
    fig.suptitle("The notes' neuron units (figures 9–14) and a network trained with each")
    ax_f, ax_d, ax_l = fig.subplots(1, 3)
    table = Table(
        f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10, plain SGD α={rate}, "
        f"batch 32, {epochs} epochs",
        {"unit": "unit", "max_slope": "max f'(z)", "initial_loss": "loss at epoch 0",
         "first_loss": "loss after 1 epoch", "final_loss": f"loss after {epochs} epochs",
         "val_accuracy": "validation accuracy"})
    curves = {}
    for label, (name, params) in UNITS.items():
        function = get_activation(name, **params)
        style = "--" if name == "leaky_relu" else "-"
        ax_f.plot(z, function.value(z), style, label=label)
        derivative = function.derivative(z)
        ax_d.plot(z, derivative, style, label=label)
        network = mlp(data.n_features, hidden, data.n_classes, function)
        run_curves = curves[label] = train(network, lambda r: optim.sgd(r), data, epochs=epochs,
                                           learning_rate=rate, batch_size=32, seed=seed)
        ax_l.semilogy(*run_curves.loss_from_start, style, label=label)
        table.add(unit=label, max_slope=float(derivative.max()),
                  initial_loss=run_curves.initial_loss, first_loss=run_curves.loss[0],
                  final_loss=run_curves.final_loss, val_accuracy=run_curves.val_accuracy[-1])
    ax_f.set_title("units f(z)")
    ax_f.set_xlabel("pre-activation z")
    ax_f.set_ylabel("activation f(z)")
    ax_d.set_title("derivatives f′(z)")
    ax_d.set_xlabel("pre-activation z")
    ax_d.set_ylabel("derivative f′(z)")
    ax_l.set_title(f"training loss, {data.name.split(' (')[0]}, plain SGD α={rate}")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel(CROSS_ENTROPY + ", log scale")
    for ax in (ax_f, ax_d, ax_l):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)

    tanh, sigmoid = table.row("tanh"), table.row("sigmoid")
    reached = curves["tanh"].epochs_to(sigmoid["final_loss"])
    judgement = judge(table)
    best = min(table.rows, key=lambda row: row["final_loss"])
    caption = (
        "The notes (§2.4) say tanh usually converges faster than the sigmoid, the main "
        "difference being tanh's output range (−1, 1) against the sigmoid's (0, 1). Here the "
        "same network, with the same "
        f"initial weights and batches, was trained for {epochs} epochs with each unit: tanh "
        f"reached loss {fmt(tanh['final_loss'])} and {fmt(100 * tanh['val_accuracy'])} % "
        f"validation accuracy, sigmoid {fmt(sigmoid['final_loss'])} and "
        f"{fmt(100 * sigmoid['val_accuracy'])} %"
        + (f"; tanh was already below sigmoid's final loss after {reached} epoch(s)"
           if reached is not None and reached < epochs else "")
        + f". The sigmoid's slope is at most {fmt(sigmoid['max_slope'], 2)}, tanh's "
        f"{fmt(tanh['max_slope'], 2)} (middle panel), so the sigmoid passes back at most a "
        "quarter of the gradient at each layer. "
        f"Lowest final loss: {best['unit']} ({fmt(best['final_loss'])}). "
        + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick, judgement)
