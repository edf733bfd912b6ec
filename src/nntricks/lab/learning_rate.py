"""§2.7: a too-large learning rate diverging (figure 15), a too-small one crawling, annealing."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .. import optim, schedules
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import LabResult, Table

NAME = "learning-rate"
TITLE = "Learning rates: too large, too small, and four schedules"
SECTION = "§2.7"


def gradient_descent_1d(rate: float, steps: int, w0: float = 1.0) -> np.ndarray:
    """Iterates of gradient descent on :math:`J(w) = w^2`: :math:`w \\leftarrow w(1 - 2\\alpha)`."""
    w = [w0]
    for _ in range(steps):
        w.append(w[-1] - rate * 2 * w[-1])
    return np.array(w)


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Gradient descent on a parabola, then one network trained at several constant rates and
    with the notes' schedules (rates change once per epoch, ``t`` counted in epochs)."""
    hidden, epochs = ([32], 6) if quick else ([64], 30)
    data = digits()
    rates = {"too large": 10.0, "large": 0.3, "moderate": 0.01, "too small": 1e-4}
    initial = 1.5  # high enough that a constant rate struggles to settle: what annealing is for
    plans = {
        "constant": (schedules.constant(initial), f"α = {initial:g}"),
        "step (annealing)": (schedules.step_decay(initial, 0.5, max(epochs // 6, 1)),
                             f"α = {initial:g}·0.5^⌊t/{max(epochs // 6, 1)}⌋"),
        "exponential": (schedules.exponential_decay(initial, 3 / epochs),
                        f"α = {initial:g}·e^(−{3 / epochs:.3g}t)"),
        "1/t after τ": (schedules.inverse_decay(initial, max(epochs // 6, 1)),
                        f"α = {initial:g}·{max(epochs // 6, 1)}/max(t, {max(epochs // 6, 1)})"),
    }

    def fit(learning_rate):
        network = mlp(data.n_features, hidden, data.n_classes, "tanh")
        return train(network, lambda r: optim.sgd(r), data, epochs=epochs,
                     learning_rate=learning_rate, batch_size=32, seed=seed)

    setup = (f"{data.name}; network 64-{'-'.join(map(str, hidden))}-10 tanh, plain SGD, "
             f"batch 32, {epochs} epochs")
    constant_runs = {label: fit(rate) for label, rate in rates.items()}
    scheduled_runs = {label: fit(schedule) for label, (schedule, _) in plans.items()}
    rate_table = Table(f"constant learning rates; {setup}",
                       ["learning rate", "α", "loss at epoch 0", "highest loss",
                        f"loss after {epochs} epochs", "validation accuracy", "diverged in epoch"])
    for label, curves in constant_runs.items():
        _, losses = curves.loss_from_start
        rate_table.add(label, rates[label], curves.initial_loss, float(np.nanmax(losses)),
                       curves.final_loss,
                       curves.val_accuracy[-1] if curves.val_accuracy else math.nan,
                       curves.diverged_at)
    plan_table = Table(f"schedules (t = epochs done); {setup}",
                       ["schedule", "formula", "α in the last epoch",
                        f"loss after {epochs} epochs", "validation accuracy"])
    for label, curves in scheduled_runs.items():
        plan_table.add(label, plans[label][1], curves.learning_rate[-1], curves.final_loss,
                       curves.val_accuracy[-1])
    parabola = {0.3: gradient_descent_1d(0.3, 6), 1.05: gradient_descent_1d(1.05, 6)}
    parabola_table = Table("gradient descent on J(w) = w² from w = 1 (diverges for α > 1)",
                           ["α", "factor per step 1 − 2α", "|w| after 6 steps"])
    for rate, path in parabola.items():
        parabola_table.add(rate, 1 - 2 * rate, float(abs(path[-1])))

    fig = Figure(figsize=(14, 9), layout="constrained")
    fig.suptitle("Learning rates and their schedules (notes §2.7)")
    (ax_p, ax_c), (ax_s, ax_r) = fig.subplots(2, 2)
    w = np.linspace(-2.2, 2.2, 400)
    ax_p.plot(w, w ** 2, color="k", lw=1, label="loss J(w) = w²")
    for (rate, path), color in zip(parabola.items(), ("tab:green", "tab:red"), strict=True):
        ax_p.plot(path, path ** 2, "o-", color=color, ms=4,
                  label=f"α = {rate:g}: {'converges' if abs(1 - 2 * rate) < 1 else 'diverges'}")
    ax_p.set_ylim(-0.2, 4.9)
    ax_p.set_title("figure 15 redrawn: steps overshooting the minimum")
    ax_p.set_xlabel("weight w (e.g. the notes' w₂)")
    ax_p.set_ylabel("loss J(w) (arbitrary units)")
    for label, curves in constant_runs.items():
        x, y = curves.loss_from_start
        ax_c.plot(x, y, "o-" if label == "too large" else "-", ms=3,
                  label=f"{label}: α = {rates[label]:g}"
                  + (f" (diverged, epoch {curves.diverged_at})" if curves.diverged_at else ""))
    ax_c.set_yscale("log")
    ax_c.set_title("constant learning rates on the network")
    ax_c.set_xlabel("epoch")
    ax_c.set_ylabel(CROSS_ENTROPY + ", log scale")
    for label, curves in scheduled_runs.items():
        ax_s.plot(*curves.loss_from_start, label=f"{label}: {plans[label][1]}")
        ax_r.plot(curves.epochs, curves.learning_rate, "o-", ms=3,
                  label=f"{label}: {plans[label][1]}")
    ax_s.set_yscale("log")
    ax_s.set_title(f"schedules starting from α₀ = {initial:g}")
    ax_s.set_xlabel("epoch")
    ax_s.set_ylabel(CROSS_ENTROPY + ", log scale")
    ax_r.set_yscale("log")
    ax_r.set_title("the learning rate each schedule used")
    ax_r.set_xlabel("epoch")
    ax_r.set_ylabel("learning rate α (log scale)")
    for ax in (ax_p, ax_c, ax_s, ax_r):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)

    big, small = constant_runs["too large"], constant_runs["too small"]
    good_label = min(("large", "moderate"), key=lambda k: constant_runs[k].final_loss
                     if math.isfinite(constant_runs[k].final_loss) else math.inf)
    good = constant_runs[good_label]
    big_max = rate_table.rows[0][3]
    if big.diverged_at is not None:
        big_text = (f"with α = {rates['too large']:g} the loss became infinite or NaN in epoch "
                    f"{big.diverged_at}")
    else:
        big_text = (f"with α = {rates['too large']:g} the loss rose from "
                    f"{fmt(big.initial_loss)} to {fmt(big_max)} and ended at "
                    f"{fmt(big.final_loss)} ({fmt(100 * big.val_accuracy[-1])} % validation "
                    "accuracy)")
    large_fails = big.diverged_at is not None or big.final_loss > big.initial_loss * 0.9
    crawls = small.final_loss > 0.8 * small.initial_loss
    order = sorted(scheduled_runs, key=lambda k: scheduled_runs[k].final_loss)
    constant_final = scheduled_runs["constant"].final_loss
    best_plan = order[0]
    most_accurate = max(scheduled_runs, key=lambda k: scheduled_runs[k].val_accuracy[-1])
    caption = (
        "The notes (§2.7, figure 15) say a too large learning rate makes the loss diverge, "
        "each step overshooting the minimum, a too small one makes training too slow, and that "
        "annealing (starting high and lowering α by steps, exponentially or as τ/t) works well "
        "in practice. On the parabola J = w², α = 1.05 multiplies w by "
        f"{1 - 2 * 1.05:g} at every step (|w| = {fmt(parabola_table.rows[1][2])} after 6 steps) "
        f"while α = 0.3 shrinks it to {fmt(parabola_table.rows[0][2])}. On the network, "
        f"{big_text}; with α = {rates['too small']:g} it only fell from "
        f"{fmt(small.initial_loss)} to {fmt(small.final_loss)} in {epochs} epochs, while "
        f"α = {rates[good_label]:g} reached {fmt(good.final_loss)}: "
        + ("both failure modes appear as the notes describe. " if large_fails and crawls else
           "the failure modes appear only in part here. ")
        + f"From α₀ = {initial:g}, the final losses rank "
        + ", ".join(f"{k} {fmt(scheduled_runs[k].final_loss)}" for k in order)
        + (f": annealing with the {best_plan} schedule beat the constant rate "
           f"({fmt(constant_final)}) here" if best_plan != "constant" else
           ": no schedule beat the constant rate on training loss within this budget here")
        + f"; best validation accuracy: {most_accurate} "
        f"({fmt(100 * scheduled_runs[most_accurate].val_accuracy[-1])} %)."
    )
    return LabResult(NAME, TITLE, SECTION, caption, [rate_table, plan_table, parabola_table],
                     fig, seed, quick)
