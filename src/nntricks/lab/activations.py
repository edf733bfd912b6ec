"""§2.4: the six activations and their derivatives, and the same network trained with each."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..activations import get_activation
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import LabResult, Table

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
        ["unit", "max f'(z)", "loss at epoch 0", "loss after 1 epoch",
         f"loss after {epochs} epochs", "validation accuracy"])
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
        table.add(label, float(derivative.max()), run_curves.initial_loss, run_curves.loss[0],
                  run_curves.final_loss, run_curves.val_accuracy[-1])
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

    tanh, sigmoid = curves["tanh"], curves["sigmoid"]
    target = sigmoid.final_loss
    reached = tanh.epochs_to(target)
    holds = tanh.final_loss < sigmoid.final_loss
    best = min(curves, key=lambda k: curves[k].final_loss)
    max_sigmoid = float(get_activation("sigmoid").derivative(np.zeros(1))[0])
    caption = (
        "The notes (§2.4) say tanh usually converges faster than the sigmoid, the main "
        "difference being tanh's output range (−1, 1) against the sigmoid's (0, 1). Here the "
        "same network, with the same "
        f"initial weights and batches, was trained for {epochs} epochs with each unit: tanh "
        f"reached loss {fmt(tanh.final_loss)} and {fmt(100 * tanh.val_accuracy[-1])} % "
        f"validation accuracy, sigmoid {fmt(sigmoid.final_loss)} and "
        f"{fmt(100 * sigmoid.val_accuracy[-1])} %"
        + (f"; tanh was already below sigmoid's final loss after {reached} epoch(s)"
           if reached is not None and holds else "")
        + (": the notes' claim holds here. " if holds else ": the notes' claim does not hold "
           "here. ")
        + f"The sigmoid's slope is at most {fmt(max_sigmoid, 2)}, tanh's 1 (middle panel), so "
        "the sigmoid passes back at most a quarter of the gradient at each layer. "
        f"Lowest final loss: {best} ({fmt(curves[best].final_loss)})."
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick)
