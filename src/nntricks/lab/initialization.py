"""§2.6: Xavier vs small normal initialization of a deep tanh network (Glorot & Bengio, 2010)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..layers import Activation
from ..network import Network
from ._common import CROSS_ENTROPY, Data, digits, fmt, mlp, train
from ._report import LabResult, Table

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
    gradients :math:`\\partial L/\\partial z` (pre-activations) on the training set.

    Runs the layers' own ``forward`` and ``backward`` one by one and keeps what passes between
    them: the output of every activation layer, and the gradient it hands back.
    """
    out = data.X_train.astype(network.dtype)
    activations = []
    for layer in network.layers:
        out = layer.forward(out, False)
        if isinstance(layer, Activation):
            activations.append(float(out.std()))
    Y = np.eye(network.n_outputs, dtype=network.dtype)[data.y_train]
    delta = np.empty_like(out)
    network.loss_function.value_and_grad(out, Y, delta)
    gradients = []
    for layer in reversed(network.layers):
        delta = layer.backward(delta)
        if isinstance(layer, Activation):
            gradients.append(float(delta.std()))
    return np.array(activations), np.array(gradients[::-1])


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
        ["initialization", "activation std, layer 1", f"activation std, layer {depth}",
         "gradient std, layer 1", f"gradient std, layer {depth}",
         "gradient ratio layer 1 / last", f"loss after {epochs} epochs", "validation accuracy"])
    found = {}
    for label, (init, params) in INITS.items():
        network = mlp(data.n_features, hidden, data.n_classes, "tanh", init=init, **params)
        network.initialize(seed)
        acts, grads = layer_statistics(network, data)
        curves = train(network, lambda r: optim.sgd(r, momentum=momentum), data, epochs=epochs,
                       learning_rate=rate, batch_size=32, seed=seed, initialize=False)
        found[label] = acts, grads, curves
        ax_a.semilogy(layers, acts, "o-", label=label)
        ax_g.semilogy(layers, grads, "o-", label=label)
        ax_l.semilogy(*curves.loss_from_start, label=label)
        table.add(label, acts[0], acts[-1], grads[0], grads[-1], grads[0] / grads[-1],
                  curves.final_loss, curves.val_accuracy[-1])
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

    xa, xg, xc = found["Xavier uniform"]
    sa, sg, sc = found["small normal σ=0.01"]
    la, lg, lc = found["large normal σ=1"]

    def change(values: np.ndarray) -> str:
        return f"×{fmt(values[-1] / values[0], 2)}"

    holds = xc.final_loss < sc.final_loss and xc.final_loss < lc.final_loss
    caption = (
        "The notes (§2.6, after Glorot & Bengio 2010) say that Xavier's "
        "U[±√(6/(n_in+n_out))] keeps the variance of activations and of back-propagated "
        "gradients from layer to layer and so converges faster to a lower error than small "
        "normal weights, with which the gradients' variance shrinks as it travels back. In this "
        f"run, from layer 1 to layer {depth} the activations' spread changes by {change(xa)} "
        f"with Xavier, by {change(sa)} with σ=0.01"
        + (" (the signal dies out)" if sa[-1] < 1e-2 * sa[0] else "")
        + f" and by {change(la)} with σ=1"
        + (f" (saturated units: spread {fmt(la[-1], 2)} of tanh's possible 1)"
           if la[-1] > 0.8 else "")
        + "; the gradients reaching layer 1 are "
        f"{fmt(xg[0] / xg[-1], 2)} times those at layer {depth} with Xavier, "
        f"{fmt(sg[0] / sg[-1], 2)} times with σ=0.01 and {fmt(lg[0] / lg[-1], 2)} times with "
        f"σ=1. After {epochs} epochs the training loss is {fmt(xc.final_loss)} with Xavier "
        f"({fmt(100 * xc.val_accuracy[-1])} % validation accuracy), {fmt(sc.final_loss)} with "
        f"σ=0.01 ({fmt(100 * sc.val_accuracy[-1])} %) and {fmt(lc.final_loss)} with σ=1 "
        f"({fmt(100 * lc.val_accuracy[-1])} %): "
        + ("the notes' claim holds here." if holds else "the notes' claim does not hold here.")
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick)
