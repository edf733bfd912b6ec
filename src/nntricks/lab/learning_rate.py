"""§2.7: a too-large learning rate diverging (figure 15), a too-small one crawling, annealing."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .. import optim, schedules
from ._common import CROSS_ENTROPY, digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "learning-rate"
TITLE = "Learning rates: too large, too small, and four schedules"
SECTION = "§2.7"


def gradient_descent_1d(rate: float, steps: int, w0: float = 1.0) -> np.ndarray:
    """Iterates of gradient descent on :math:`J(w) = w^2`: :math:`w \\leftarrow w(1 - 2\\alpha)`."""
    w = [w0]
    for _ in range(steps):
        w.append(w[-1] - rate * 2 * w[-1])
    return np.array(w)


def _loss(value: float | None) -> float:
    """A final loss for ranking: infinite when training diverged (NaN or missing)."""
    return math.inf if value is None or not math.isfinite(value) else value


def judge(rates: Table, plans: Table) -> Judgement:
    """The notes' claim, decided by the constant-rate and schedule tables.

    The too large rate diverges or ends at 0.9 times the initial loss or above; the too small one
    ends above 0.8 times it (it crawls); and some annealing schedule ends with a lower training
    loss than the constant rate it starts from.
    """
    large, small = rates.row("too large"), rates.row("too small")
    annealed = min(_loss(row["final_loss"]) for row in plans.rows
                   if row["schedule"] != "constant")
    return Judgement({
        "a too large rate diverges": _loss(large["final_loss"]) >= 0.9 * large["initial_loss"],
        "a too small rate crawls": small["final_loss"] > 0.8 * small["initial_loss"],
        "annealing beats the constant rate":
            annealed < _loss(plans.row("constant")["final_loss"]),
    })


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Gradient descent on a parabola, then one network trained at several constant rates and
    with the notes' schedules (rates change once per epoch, ``t`` counted in epochs)."""
    hidden, epochs = ([64], 10) if quick else ([64], 30)
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
                       {"rate": "learning rate", "alpha": "α", "initial_loss": "loss at epoch 0",
                        "highest_loss": "highest loss",
                        "final_loss": f"loss after {epochs} epochs",
                        "val_accuracy": "validation accuracy",
                        "diverged_at": "diverged in epoch"})
    for label, curves in constant_runs.items():
        _, losses = curves.loss_from_start
        rate_table.add(rate=label, alpha=rates[label], initial_loss=curves.initial_loss,
                       highest_loss=float(np.nanmax(losses)), final_loss=curves.final_loss,
                       val_accuracy=curves.val_accuracy[-1] if curves.val_accuracy else math.nan,
                       diverged_at=curves.diverged_at)
    plan_table = Table(f"schedules (t = epochs done); {setup}",
                       {"schedule": "schedule", "formula": "formula",
                        "last_rate": "α in the last epoch",
                        "final_loss": f"loss after {epochs} epochs",
                        "val_accuracy": "validation accuracy"})
    for label, curves in scheduled_runs.items():
        plan_table.add(schedule=label, formula=plans[label][1],
                       last_rate=curves.learning_rate[-1], final_loss=curves.final_loss,
                       val_accuracy=curves.val_accuracy[-1])
    parabola = {0.3: gradient_descent_1d(0.3, 6), 1.05: gradient_descent_1d(1.05, 6)}
    parabola_table = Table("gradient descent on J(w) = w² from w = 1 (diverges for α > 1)",
                           {"alpha": "α", "factor": "factor per step 1 − 2α",
                            "final_w": "|w| after 6 steps"})
    for rate, path in parabola.items():
        parabola_table.add(alpha=rate, factor=1 - 2 * rate, final_w=float(abs(path[-1])))

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

    big, small = rate_table.row("too large"), rate_table.row("too small")
    good = min((rate_table.row("large"), rate_table.row("moderate")),
               key=lambda row: _loss(row["final_loss"]))
    if big["diverged_at"] is not None:
        big_text = (f"with α = {big['alpha']:g} the loss became infinite or NaN in epoch "
                    f"{big['diverged_at']}")
    else:
        big_text = (f"with α = {big['alpha']:g} the loss rose from "
                    f"{fmt(big['initial_loss'])} to {fmt(big['highest_loss'])} and ended at "
                    f"{fmt(big['final_loss'])} ({fmt(100 * big['val_accuracy'])} % validation "
                    "accuracy)")
    order = sorted(plan_table.rows, key=lambda row: _loss(row["final_loss"]))
    most_accurate = max(plan_table.rows, key=lambda row: row["val_accuracy"])
    judgement = judge(rate_table, plan_table)
    caption = (
        "The notes (§2.7, figure 15) say a too large learning rate makes the loss diverge, "
        "each step overshooting the minimum, a too small one makes training too slow, and that "
        "annealing (starting high and lowering α by steps, exponentially or as τ/t) works well "
        "in practice. On the parabola J = w², α = 1.05 multiplies w by "
        f"{parabola_table.row(1.05)['factor']:.2g} at every step "
        f"(|w| = {fmt(parabola_table.row(1.05)['final_w'])} after 6 steps) while α = 0.3 "
        f"shrinks it to {fmt(parabola_table.row(0.3)['final_w'])}. On the network, "
        f"{big_text}; with α = {small['alpha']:g} it only fell from "
        f"{fmt(small['initial_loss'])} to {fmt(small['final_loss'])} in {epochs} epochs, while "
        f"α = {good['alpha']:g} reached {fmt(good['final_loss'])}. From α₀ = {initial:g}, the "
        "final losses rank "
        + ", ".join(f"{row['schedule']} {fmt(row['final_loss'])}" for row in order)
        + f"; best validation accuracy: {most_accurate['schedule']} "
        f"({fmt(100 * most_accurate['val_accuracy'])} %). " + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [rate_table, plan_table, parabola_table],
                     fig, seed, quick, judgement)
