"""A finished sweep: its best trial, a table sorted by score, a plot of score against parameters."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._validation import check_scalar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._spec import SweepSpec


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


@dataclass
class SweepResult:
    """The trials of one sweep, as recorded in its results file.

    Attributes
    ----------
    spec : SweepSpec
    records : list of dict
        The latest record of every trial of the sweep that has one, in search order.
    n_run : int
        Trials run by this call.
    n_skipped : int
        Trials already finished in the results file, not run again.
    results_path : Path
    score_name : str
        What the score measures ("accuracy", "R²" or the scorer's name).
    """

    spec: SweepSpec
    records: list[dict[str, Any]]
    n_run: int
    n_skipped: int
    results_path: Path
    score_name: str = "score"

    @property
    def ok(self) -> list[dict[str, Any]]:
        """Records of the trials that succeeded, best first."""
        return sorted((r for r in self.records if r["status"] == "ok"),
                      key=lambda r: -r["score"])

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Records of the trials that failed."""
        return [r for r in self.records if r["status"] != "ok"]

    @property
    def best(self) -> dict[str, Any] | None:
        """The record with the highest mean validation score (None when none succeeded)."""
        ok = self.ok
        return ok[0] if ok else None

    @property
    def best_params(self) -> dict[str, Any] | None:
        """The parameters of the best trial."""
        return None if self.best is None else self.best["params"]

    @property
    def best_score(self) -> float | None:
        """The mean validation score of the best trial."""
        return None if self.best is None else self.best["score"]

    @property
    def swept(self) -> list[str]:
        """Names of the parameters that vary between trials (not fixed)."""
        return [name for name, dim in self.spec.space.items() if dim.swept]

    def table(self, top: int | None = None) -> str:
        """The trials sorted by mean validation score, best first, then the failed ones.

        Parameters
        ----------
        top : int, optional
            Show only the ``top`` best trials (an integer >= 1).
        """
        if top is not None:
            check_scalar(top, "top", low=1, integer=True)
        fixed = {n: d.value for n, d in self.spec.space.items() if not d.swept}
        header = ["rank", self.score_name, "± sd", "fit s", *self.swept, "trial"]
        ok = self.ok[:top] if top is not None else self.ok
        rows = [[str(rank), f"{r['score']:.4f}", f"{r['score_std']:.4f}",
                 f"{r['fit_time']:.2f}", *(_format(r["params"][n]) for n in self.swept),
                 r["trial_id"]] for rank, r in enumerate(ok, 1)]
        widths = [max(map(len, column)) for column in zip(header, *rows, strict=True)]
        lines = []
        if fixed:
            lines.append("fixed: " + " ".join(f"{n}={_format(v)}" for n, v in fixed.items()))
        lines += ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True))
                  for row in [header, *rows]]
        if top is not None and len(self.ok) > top:
            lines.append(f"... {len(self.ok) - top} more in {self.results_path}")
        for r in self.failed:
            params = " ".join(f"{n}={_format(r['params'][n])}" for n in self.swept)
            lines.append(f"FAILED {r['trial_id']} {params}: {r['error']}")
        return "\n".join(lines)

    def plot(self, path: str | Path) -> Path:
        """Save :meth:`figure` as a PNG at ``path`` and return ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.figure().savefig(path, dpi=100)
        return path

    def figure(self) -> Figure:
        """A figure of validation score against each swept parameter.

        One panel per swept parameter: each successful trial at its value (mean ± standard
        deviation over folds), the best trial starred; log axis for ``log_uniform`` and
        ``log_grid`` ranges, one tick per value for choices. Drawn with matplotlib's Agg
        canvas, without pyplot, so no global backend state changes.
        """
        from matplotlib.figure import Figure

        space = self.spec.space
        panels: list[str | None] = list(self.swept) or [None]
        ncols = min(3, len(panels))
        nrows = math.ceil(len(panels) / ncols)
        fig = Figure(figsize=(4.8 * ncols, 3.8 * nrows + 0.5), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        ok, best = self.ok, self.best
        folds = "holdout split" if self.spec.holdout is not None else f"{self.spec.cv or 3} folds"
        for ax, name in zip(axes, panels, strict=False):
            values = [r["params"][name] if name else i for i, r in enumerate(ok)]
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                          for v in values)
            if numeric:
                x = [float(v) for v in values]
            else:
                order = getattr(space.get(name), "values", ())
                labels = list(dict.fromkeys([_format(v) for v in order]
                                            + [_format(v) for v in values]))
                x = [labels.index(_format(v)) for v in values]
                ax.set_xticks(range(len(labels)), labels)
                ax.set_xlim(-0.5, len(labels) - 0.5)
            ax.errorbar(x, [r["score"] for r in ok], yerr=[r["score_std"] for r in ok],
                        fmt="o", capsize=3, alpha=0.75,
                        label=f"trial (mean ± sd over {folds})")
            if best is not None:
                i = ok.index(best)
                ax.plot([x[i]], [best["score"]], marker="*", markersize=16, linestyle="none",
                        color="C3", label=f"best ({best['score']:.4f})")
            log = name is not None and space[name].log
            if log:
                ax.set_xscale("log")
            ax.set_xlabel("trial (sorted by score)" if name is None
                          else f"{name}{' (log scale)' if log else ''}")
            ax.set_ylabel(f"validation {self.score_name}")
            ax.set_title(f"validation {self.score_name} vs {name or 'trial'}")
            ax.grid(True, alpha=0.3)
            ax.legend(loc="best", fontsize="small")
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        spec = self.spec
        estimator = (spec.estimator if isinstance(spec.estimator, str)
                     else type(spec.estimator).__name__)
        data = spec.data if isinstance(spec.data, str) else "given arrays"
        failed = f", {len(self.failed)} failed" if self.failed else ""
        fig.suptitle(f"nntricks sweep: {estimator} on {data}, {spec.search} search, "
                     f"{len(ok)} trials{failed}, {spec.validation}")
        return fig
