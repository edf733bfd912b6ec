"""§2.1: centered vs forward differences as the step h sweeps 1e-1 … 1e-12, float64 vs float32."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..gradcheck import StepLostToRounding, numerical_gradient
from ._common import fmt, mlp
from ._report import Judgement, LabResult, Table

NAME = "gradcheck"
TITLE = "Gradient check: truncation error, round-off floor, float32 vs float64"
SECTION = "§2.1"


def _relative_error(numerical: np.ndarray, exact: np.ndarray) -> float:
    """Normwise :math:`\\lVert n - a\\rVert / \\max(\\lVert n\\rVert, \\lVert a\\rVert)`."""
    return float(np.linalg.norm(numerical - exact)
                 / max(np.linalg.norm(numerical), np.linalg.norm(exact)))


def _step(h: float) -> str:
    """A step size as ``1e-5`` or ``3e-8`` (one significant digit, no zero padding)."""
    mantissa, exponent = f"{h:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _loss_function(network, X: np.ndarray, Y: np.ndarray):
    """``J(θ)``: the network's loss on ``(X, Y)`` at its current (probed) parameters."""
    return lambda _: network.loss(X, Y)


def _error_at(f, params: np.ndarray, h: float, method: str, exact: np.ndarray) -> float:
    """Relative error at step ``h``; NaN where ``θ ± h`` rounds back to ``θ`` (no step taken)."""
    try:
        return _relative_error(numerical_gradient(f, params, h, method), exact)
    except StepLostToRounding:
        return float("nan")


def _slope(h: np.ndarray, errors: np.ndarray, keep: np.ndarray) -> float:
    """Least-squares slope of log10(error) against log10(h) over the kept points."""
    keep = keep & (errors > 0) & np.isfinite(errors)
    if keep.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log10(h[keep]), np.log10(errors[keep]), 1)[0])


def judge(table: Table) -> Judgement:
    """The notes' claim, decided by the float64 rows of the main table.

    The centered error falls as h² (slope between 1.5 and 2.5 above the best h), the forward
    one as h (slope between 0.7 and 1.3), and the centered formula's smallest error is below the
    forward one's.
    """
    centered, forward = table.row("centered float64"), table.row("forward float64")
    return Judgement({
        "the centered error falls as h²": 1.5 <= centered["slope_above"] <= 2.5,
        "the forward error falls as h": 0.7 <= forward["slope_above"] <= 1.3,
        "the centered difference is the more accurate":
            centered["smallest_error"] < forward["smallest_error"],
    })


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Sweep h and measure the relative error of both difference formulas in both precisions.

    The function is the softmax cross-entropy of a small tanh network on random data; its
    exact gradient is the back-propagated float64 gradient at the (float32-representable)
    parameters, so float32 and float64 are compared with the same reference.
    """
    rng = np.random.default_rng(seed)
    hidden, n_samples, n_features, n_classes = ([6], 8, 4, 3) if quick else ([10, 8], 16, 6, 4)
    steps = np.logspace(-1, -12, 12 if quick else 23)
    X = rng.standard_normal((n_samples, n_features))
    Y = np.eye(n_classes)[rng.integers(n_classes, size=n_samples)]
    exact_net = mlp(n_features, hidden, n_classes, "tanh", dtype=np.float64).initialize(seed)
    # round the parameters to float32 once, so both precisions differentiate the same point
    exact_net.params[...] = exact_net.params.astype(np.float32)
    exact = exact_net.loss_and_grad(X, Y)[1].copy()
    loss = exact_net.loss(X, Y)

    errors: dict[tuple[str, str], np.ndarray] = {}
    for dtype in (np.float64, np.float32):
        net = mlp(n_features, hidden, n_classes, "tanh", dtype=dtype)
        net.params[...] = exact_net.params
        loss_of = _loss_function(net, X.astype(dtype), Y.astype(dtype))
        for method in ("centered", "forward"):
            errors[np.dtype(dtype).name, method] = np.array([
                _error_at(loss_of, net.params, h, method, exact) for h in steps])

    table = Table(
        f"relative error of the finite-difference gradient ({exact.size} parameters, loss "
        f"{loss:.4g} nats)",
        {"formula": "formula", "slope_above": "slope above best h", "theory": "theory",
         "best_h": "best h", "smallest_error": "smallest error",
         "error_at_default": "error at h=1e-5", "slope_below": "slope below best h"})
    for (dtype, method), err in errors.items():
        best = int(np.nanargmin(err))
        h_best = float(steps[best])
        table.add(formula=f"{method} {dtype}",
                  slope_above=_slope(steps, err, steps >= 30 * h_best),
                  theory=2 if method == "centered" else 1, best_h=h_best,
                  smallest_error=float(err[best]),
                  error_at_default=float(err[np.argmin(np.abs(np.log10(steps) + 5))]),
                  slope_below=_slope(steps, err, steps <= h_best / 30))

    fig = Figure(figsize=(12, 4.6), layout="constrained")
    fig.suptitle("Finite-difference gradient error against the step h (notes §2.1)")
    colors = {"centered": "tab:blue", "forward": "tab:orange"}
    legend_places = {"float64": "upper center", "float32": "lower right"}
    for ax, dtype in zip(fig.subplots(1, 2), ("float64", "float32"), strict=True):
        eps = np.finfo(dtype).eps
        for method in ("centered", "forward"):
            ax.loglog(steps, errors[dtype, method], "o-", color=colors[method], ms=4,
                      label=f"{method} difference")
        anchor = errors[dtype, "centered"][0]
        ax.loglog(steps, anchor * (steps / steps[0]) ** 2, ":", color=colors["centered"],
                  label="∝ h² (centered truncation)")
        anchor = errors[dtype, "forward"][0]
        ax.loglog(steps, anchor * steps / steps[0], ":", color=colors["forward"],
                  label="∝ h (forward truncation)")
        ax.loglog(steps, eps / steps, "--", color="gray", label=f"ε/h round-off (ε = {eps:.1e})")
        ax.set_ylim(max(min(np.nanmin(e) for e in errors.values()) / 10, 1e-17), 10)
        ax.invert_xaxis()
        ax.set_title(f"{dtype}: loss and perturbed weights in {dtype}")
        ax.set_xlabel("step size h (log scale, decreasing →)")
        ax.set_ylabel("relative error ‖g_num − g‖ / max(‖g_num‖, ‖g‖)")
        ax.axvline(1e-5, color="k", lw=0.8, alpha=0.5, label="the notes' h = 1e-5")
        ax.legend(fontsize=8, loc=legend_places[dtype])
        ax.grid(True, which="major", alpha=0.3)

    c64, f64 = table.row("centered float64"), table.row("forward float64")
    c32 = table.row("centered float32")
    judgement = judge(table)
    caption = (
        "The notes (§2.1) say the centered difference is more accurate than the forward one, "
        "its error being of order h² (forward: h), and use h = 1e-5. In this run (float64) "
        f"the centered error falls with slope {c64['slope_above']:.2f} on the log-log plot "
        f"(2 predicted) and the forward error with slope {f64['slope_above']:.2f} (1 predicted), "
        "until round-off takes over: the centered formula is best at "
        f"h = {_step(c64['best_h'])} (relative error {fmt(c64['smallest_error'], 2)}), the "
        f"forward one at h = {_step(f64['best_h'])} (error {fmt(f64['smallest_error'], 2)}); "
        f"below that the error grows again, with slope {c64['slope_below']:.2f} (−1 for "
        "round-off ε/h). At the notes' h = 1e-5 the centered error is "
        f"{fmt(c64['error_at_default'], 2)} in float64 but {fmt(c32['error_at_default'], 2)} in "
        f"float32, whose best is {fmt(c32['smallest_error'], 2)} at h = {_step(c32['best_h'])}: "
        "check gradients in float64. " + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table], fig, seed, quick, judgement)
