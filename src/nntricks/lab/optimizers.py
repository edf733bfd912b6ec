"""§2.8–2.9: SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam on one network and on a 2-D
loss surface."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from .. import optim
from ..optim import Optimizer
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "optimizers"
TITLE = "Optimizers: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam"
SECTION = "§2.8–2.9"

MOMENTUM = 0.9
# label: (factory of the learning rate, learning rate used on the network)
OPTIMIZERS: dict[str, tuple[Callable[..., Optimizer], float]] = {
    "SGD": (lambda rate: optim.sgd(rate), 0.1),
    "momentum": (lambda rate: optim.sgd(rate, momentum=MOMENTUM), 0.01),
    "Nesterov": (lambda rate: optim.sgd(rate, momentum=MOMENTUM, nesterov=True), 0.01),
    "AdaGrad": (lambda rate: optim.adagrad(rate), 0.05),
    "RMSProp": (lambda rate: optim.rmsprop(rate), 0.001),
    "Adam": (lambda rate: optim.adam(rate), 0.001),
    "Adam as printed (no bias correction)": (
        lambda rate: optim.adam(rate, bias_correction=False), 0.001),
}
ADAPTIVE = ("AdaGrad", "RMSProp", "Adam", "Adam as printed (no bias correction)")
"""The optimizers that adapt each parameter's step."""
START = np.array([-1.5, 2.0])


def _loss(value: float | None) -> float:
    """A loss for ranking: infinite when it diverged (NaN or missing)."""
    return math.inf if value is None or not math.isfinite(value) else value


def judge(table: Table) -> Judgement:
    """The notes' claim, decided by the main table.

    In the Rosenbrock valley, momentum (at its best α) ends lower than plain SGD (at its best
    α); on the network, with each optimizer at its customary α, the lowest final training loss
    is an adaptive method's.
    """
    first = min(table.rows, key=lambda row: _loss(row["final_loss"]))
    return Judgement({
        "momentum is faster than plain gradient descent in the valley":
            _loss(table.row("momentum")["valley_f"]) < _loss(table.row("SGD")["valley_f"]),
        "an adaptive method trains the network best without tuning":
            first["optimizer"] in ADAPTIVE,
    })


def rosenbrock(p: np.ndarray) -> float:
    """:math:`f(x, y) = (1 - x)^2 + 100 (y - x^2)^2`, minimum 0 at (1, 1)."""
    x, y = p
    return float((1 - x) ** 2 + 100 * (y - x * x) ** 2)


def rosenbrock_gradient(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def descend(make: Callable[[float], Optimizer], rate: float, steps: int) -> tuple[np.ndarray,
                                                                                  np.ndarray]:
    """Path and losses of ``steps`` optimizer steps on the Rosenbrock function from START."""
    point = START.copy()
    optimizer = make(rate)
    state = optimizer.init(point)
    path, losses = [point.copy()], [rosenbrock(point)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            optimizer.step(point, rosenbrock_gradient(point), state)
            loss = rosenbrock(point)
            if not math.isfinite(loss) or loss > 1e6:
                return np.array(path), np.array(losses + [math.inf])
            path.append(point.copy())
            losses.append(loss)
    return np.array(path), np.array(losses)


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train one network with each optimizer (same initial weights and batches), then run each
    on the Rosenbrock valley with its best learning rate from a log grid."""
    hidden, epochs, steps = ([32], 5, 200) if quick else ([64], 30, 1000)
    grid = np.logspace(-5, 0, 11 if quick else 21)
    data = digits()
    network_runs, valley = {}, {}
    for label, (make, rate) in OPTIMIZERS.items():
        network = mlp(data.n_features, hidden, data.n_classes, "tanh")
        network_runs[label] = train(network, make, data, epochs=epochs, learning_rate=rate,
                                    batch_size=32, seed=seed)
        tries = {float(r): descend(make, float(r), steps) for r in grid}
        best_rate = min(tries, key=lambda r: tries[r][1][-1])
        valley[label] = best_rate, *tries[best_rate]

    table = Table(
        f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10 tanh, batch 32, {epochs} "
        f"epochs; Rosenbrock valley from ({START[0]:g}, {START[1]:g}) for {steps} steps, "
        f"each optimizer with its best α of {len(grid)} on a log grid 1e-5 … 1",
        {"optimizer": "optimizer", "alpha": "α (network)", "first_loss": "loss after 1 epoch",
         "final_loss": f"loss after {epochs} epochs", "val_accuracy": "validation accuracy",
         "valley_alpha": "α (valley)", "valley_f": f"f after {steps} steps",
         "valley_steps": "steps to f < 1e-2", "valley_distance": "distance to (1, 1)"})
    for label, curves in network_runs.items():
        rate, path, losses = valley[label]
        below = np.flatnonzero(losses < 1e-2)
        table.add(optimizer=label, alpha=OPTIMIZERS[label][1], first_loss=curves.loss[0],
                  final_loss=curves.final_loss, val_accuracy=curves.val_accuracy[-1],
                  valley_alpha=rate, valley_f=float(losses[-1]),
                  valley_steps=int(below[0]) if below.size else None,
                  valley_distance=float(np.linalg.norm(path[-1] - 1.0)))

    fig = Figure(figsize=(15, 5.4), layout="constrained")
    fig.suptitle("Optimizers of the notes §2.8–2.9 on a network and on the Rosenbrock valley")
    ax_n, ax_v, ax_f = fig.subplots(1, 3, width_ratios=[1, 1.15, 1])
    styles = ["-", "-", "--", "-", "-", "-", "--"]
    for (label, curves), style in zip(network_runs.items(), styles, strict=True):
        ax_n.semilogy(*curves.loss_from_start, style,
                      label=f"{label}, α = {OPTIMIZERS[label][1]:g}")
    ax_n.set_title(f"training loss on {data.name.split(' (')[0]}")
    ax_n.set_xlabel("epoch")
    ax_n.set_ylabel(CROSS_ENTROPY + ", log scale")
    x, y = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
    f = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    ax_v.contour(x, y, f, levels=np.logspace(-1, 3.5, 14), norm=LogNorm(), cmap="Greys",
                 linewidths=0.7)
    ax_v.plot(*START, "ko", label="start")
    ax_v.plot(1, 1, "k*", ms=12, label="minimum (1, 1)")
    for (label, (rate, path, losses)), style in zip(valley.items(), styles, strict=True):
        ax_v.plot(path[:, 0], path[:, 1], style, lw=1.2, label=f"{label}, α = {rate:.2g}")
        ax_f.semilogy(np.arange(len(losses)), np.maximum(losses, 1e-16), style, label=label)
    ax_v.set_xlim(-2, 2)
    ax_v.set_ylim(-1, 3)
    ax_v.set_title("paths on f(x, y) = (1 − x)² + 100 (y − x²)² (contours)")
    ax_v.set_xlabel("parameter x")
    ax_v.set_ylabel("parameter y")
    ax_f.set_title("Rosenbrock loss along each path")
    ax_f.set_xlabel("step")
    ax_f.set_ylabel("loss f(x, y) (log scale)")
    for ax in (ax_n, ax_v, ax_f):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)

    order = sorted(table.rows, key=lambda row: _loss(row["final_loss"]))
    valley_order = sorted(table.rows, key=lambda row: _loss(row["valley_f"]))
    sgd, momentum, adam = table.row("SGD"), table.row("momentum"), table.row("Adam")
    printed = table.row("Adam as printed (no bias correction)")
    judgement = judge(table)
    caption = (
        "The notes (§2.8–2.9) present momentum as a faster variant of gradient descent and "
        "AdaGrad, RMSProp and Adam as methods that adapt each parameter's step, so that the "
        "learning rate needs less hand-tuning; their printed Adam lacks the published bias "
        f"correction. On the network (each optimizer at a customary α, {epochs} epochs), the "
        "final training losses rank "
        + ", ".join(f"{row['optimizer']} {fmt(row['final_loss'])}" for row in order)
        + f". Momentum at α = {momentum['alpha']:g} (μ = {MOMENTUM}, an effective step "
        f"of α/(1 − μ) = {momentum['alpha'] / (1 - MOMENTUM):g}) ended at "
        f"{fmt(momentum['final_loss'])} against plain SGD's {fmt(sgd['final_loss'])} at "
        f"α = {sgd['alpha']:g}; in the Rosenbrock valley it reached "
        f"f = {fmt(momentum['valley_f'], 2)} against SGD's {fmt(sgd['valley_f'], 2)}. "
        "The printed Adam's first steps are larger (without the correction, m/√v starts "
        "near (1 − β₁)/√(1 − β₂) ≈ 3.2 instead of 1): after one epoch its loss is "
        f"{fmt(printed['first_loss'])} against {fmt(adam['first_loss'])} for published Adam, "
        f"and {fmt(printed['final_loss'])} against {fmt(adam['final_loss'])} at the end. "
        f"In the valley, with the best α of each, after {steps} steps f ranks "
        + ", ".join(f"{row['optimizer']} {fmt(row['valley_f'], 2)}" for row in valley_order)
        + f"; plain SGD's best α was {fmt(sgd['valley_alpha'], 2)}, leaving it at distance "
        f"{fmt(sgd['valley_distance'], 2)} from the minimum. " + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick, judgement)
