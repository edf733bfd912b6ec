"""§2.6: Xavier vs small normal initialization of a deep tanh network (Glorot & Bengio, 2010)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..network import Network
from ._common import CROSS_ENTROPY, Data, digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "init"
TITLE = "Initialization: Xavier vs small normal weights in a deep tanh network"
SECTION = "§2.6"

INITS = {  # label: (initializer, parameters)
    "small normal σ=0.01": ("normal", {"std": 0.01}),
    "Xavier uniform": ("xavier", {}),
    "large normal σ=1": ("normal", {"std": 1.0}),
}


def layer_statistics(network: Network, data: Data) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviation, per hidden layer, of the activations and of the back-propagated
    gradients :math:`\\partial L/\\partial z` (pre-activations) on the training set
    (:meth:`Network.activity <nntricks.network.Network.activity>`)."""
    Y = np.eye(network.n_outputs, dtype=network.dtype)[data.y_train]
    spreads = [(float(a.std()), float(g.std())) for a, g in network.activity(data.X_train, Y)]
    return np.array([a for a, _ in spreads]), np.array([g for _, g in spreads])


def _drift(first: float, last: float) -> float:
    """How far a spread moves from the first to the last hidden layer, in decades."""
    return abs(float(np.log10(last / first)))


def judge(table: Table) -> Judgement:
    """The notes' claim, decided by the main table, Xavier against small normal weights.

    From the first to the last hidden layer, the activations' and the gradients' spreads move
    by fewer decades with Xavier, and after the same training its loss is lower.
    """
    xavier, small = table.row("Xavier uniform"), table.row("small normal σ=0.01")
    return Judgement({
        "Xavier keeps the activations' scale better than small normal weights":
            _drift(xavier["act_first"], xavier["act_last"])
            < _drift(small["act_first"], small["act_last"]),
        "Xavier keeps the gradients' scale better than small normal weights":
            _drift(xavier["grad_first"], xavier["grad_last"])
            < _drift(small["grad_first"], small["grad_last"]),
        "Xavier ends with a lower training loss than small normal weights":
            xavier["final_loss"] < small["final_loss"],
    })


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Measure the per-layer variances at initialization, then train each network with SGD."""
    depth, width, epochs = (5, 48, 4) if quick else (6, 100, 25)
    rate, momentum = 0.01, 0.9
    data = digits()
    hidden = [width] * depth
    fig = Figure(figsize=(15, 4.6), layout="constrained")
    fig.suptitle(f"A {depth}-hidden-layer tanh network ({width} units each) under three "
                 "initializations (notes §2.6; Glorot & Bengio 2010)")
    ax_a, ax_g, ax_l = fig.subplots(1, 3)
    layers = np.arange(1, depth + 1)
    table = Table(
        f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10 tanh, SGD α={rate} "
        f"momentum {momentum}, batch 32, {epochs} epochs",
        {"init": "initialization", "act_first": "activation std, layer 1",
         "act_last": f"activation std, layer {depth}", "grad_first": "gradient std, layer 1",
         "grad_last": f"gradient std, layer {depth}",
         "grad_ratio": "gradient ratio layer 1 / last",
         "final_loss": f"loss after {epochs} epochs", "val_accuracy": "validation accuracy"})
    for label, (init, params) in INITS.items():
        network = mlp(data.n_features, hidden, data.n_classes, "tanh", init=init, **params)
        network.initialize(seed)
        acts, grads = layer_statistics(network, data)
        curves = train(network, lambda r: optim.sgd(r, momentum=momentum), data, epochs=epochs,
                       learning_rate=rate, batch_size=32, seed=seed, initialize=False)
        ax_a.semilogy(layers, acts, "o-", label=label)
        ax_g.semilogy(layers, grads, "o-", label=label)
        ax_l.semilogy(*curves.loss_from_start, label=label)
        table.add(init=label, act_first=acts[0], act_last=acts[-1], grad_first=grads[0],
                  grad_last=grads[-1], grad_ratio=grads[0] / grads[-1],
                  final_loss=curves.final_loss, val_accuracy=curves.val_accuracy[-1])
    ax_a.set_title("activations at initialization")
    ax_a.set_xlabel("hidden layer (1 = nearest the input)")
    ax_a.set_ylabel("standard deviation of tanh outputs (log scale)")
    ax_g.set_title("back-propagated gradients at initialization")
    ax_g.set_xlabel("hidden layer (1 = nearest the input)")
    ax_g.set_ylabel("standard deviation of ∂L/∂z per unit (log scale)")
    ax_l.set_title(f"training, SGD α={rate}, momentum {momentum}")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel(CROSS_ENTROPY + ", log scale")
    for ax in (ax_a, ax_g):
        ax.set_xticks(layers)
    for ax in (ax_a, ax_g, ax_l):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)

    xavier, small = table.row("Xavier uniform"), table.row("small normal σ=0.01")
    large = table.row("large normal σ=1")
    judgement = judge(table)

    def change(row: dict) -> str:
        return f"×{fmt(row['act_last'] / row['act_first'], 2)}"

    caption = (
        "The notes (§2.6, after Glorot & Bengio 2010) say that Xavier's "
        "U[±√(6/(n_in+n_out))] keeps the variance of activations and of back-propagated "
        "gradients from layer to layer and so converges faster to a lower error than small "
        "normal weights, with which the gradients' variance shrinks as it travels back. In this "
        f"run, from layer 1 to layer {depth} the activations' spread changes by {change(xavier)} "
        f"with Xavier, by {change(small)} with σ=0.01"
        + (" (the signal dies out)" if small["act_last"] < 1e-2 * small["act_first"] else "")
        + f" and by {change(large)} with σ=1"
        + (f" (saturated units: spread {fmt(large['act_last'], 2)} of tanh's possible 1)"
           if large["act_last"] > 0.8 else "")
        + "; the gradients reaching layer 1 are "
        f"{fmt(xavier['grad_ratio'], 2)} times those at layer {depth} with Xavier, "
        f"{fmt(small['grad_ratio'], 2)} times with σ=0.01 and {fmt(large['grad_ratio'], 2)} "
        f"times with σ=1. After {epochs} epochs the training loss is "
        f"{fmt(xavier['final_loss'])} with Xavier ({fmt(100 * xavier['val_accuracy'])} % "
        f"validation accuracy), {fmt(small['final_loss'])} with σ=0.01 "
        f"({fmt(100 * small['val_accuracy'])} %) and {fmt(large['final_loss'])} with σ=1 "
        f"({fmt(100 * large['val_accuracy'])} %). " + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick, judgement)
