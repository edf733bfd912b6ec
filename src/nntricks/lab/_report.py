"""An experiment's result (figure, tables, caption), its files, and the HTML report of a lab run.

Each experiment returns a :class:`LabResult`. :meth:`LabResult.save` writes ``NAME.png`` (the
figure) and ``NAME.json`` (tables and caption); :func:`write_report` writes one self-contained
HTML file with every figure embedded as a base64 ``data:`` URI, so it opens in a browser
straight from disk. An inline script in the page counts, after load, the images that decoded
(``complete`` and ``naturalWidth > 0``) and writes ``"k/n"`` into ``<body data-loaded>``; the
tests read it from a headless browser.
"""

from __future__ import annotations

import base64
import enum
import html
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

__all__ = ["Judgement", "LabResult", "Table", "Verdict", "write_report"]

DPI = 100


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "—" if not math.isfinite(value) else f"{value:.4g}"
    return "—" if value is None else str(value)


def _json_value(value: Any) -> Any:
    """Floats that JSON can hold: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class Table:
    """A small table: a title, named columns, and rows whose first cell names the row.

    Every column has a key (a Python identifier, used in code: ``table.row("tanh")["final"]``)
    and a header (the words shown in the table, the report and the JSON file).

    Parameters
    ----------
    title : str
    columns : dict of str to str
        Header of each column by key, in display order; the first column labels the rows.
    """

    title: str
    columns: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """The columns' keys, in display order."""
        return list(self.columns)

    @property
    def headers(self) -> list[str]:
        """The columns' headers, in display order."""
        return list(self.columns.values())

    def add(self, **cells: Any) -> None:
        """Append a row given as ``key=value``, one per column."""
        if set(cells) != set(self.columns):
            missing, unknown = set(self.columns) - set(cells), set(cells) - set(self.columns)
            raise ValueError(f"row cells do not match the columns: missing {sorted(missing)}, "
                             f"unknown {sorted(unknown)}")
        self.rows.append({key: float(cells[key]) if isinstance(cells[key], float)
                          else cells[key] for key in self.columns})

    @property
    def labels(self) -> list[Any]:
        """The first cell of every row."""
        first = self.keys[0]
        return [row[first] for row in self.rows]

    def row(self, label: Any) -> dict[str, Any]:
        """The row whose first cell is ``label``, as ``{key: value}``."""
        for row in self.rows:
            if row[self.keys[0]] == label:
                return row
        raise KeyError(f"no row {label!r} in table {self.title!r}")

    def column(self, key: str) -> list[Any]:
        """Every row's cell in column ``key``."""
        return [row[key] for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """Title, headers, keys and rows (lists of cells in column order) for JSON."""
        return {"title": self.title, "columns": self.headers, "keys": self.keys,
                "rows": [[_json_value(row[key]) for key in self.columns] for row in self.rows]}

    def __str__(self) -> str:
        cells = [self.headers] + [[_cell(row[key]) for key in self.columns]
                                  for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = [self.title]
        for k, row in enumerate(cells):
            lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(row, widths, strict=True))))
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def to_html(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(row[key]))}</td>" for key in self.columns)
            + "</tr>" for row in self.rows)
        return (f"<table><caption>{html.escape(self.title)}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


class Verdict(enum.Enum):
    """What a run's numbers say about a claim of the notes."""

    HOLDS = "holds"
    PARTLY = "holds only in part"
    FAILS = "does not hold"
    UNDECIDED = "too small to decide"


@dataclass(frozen=True)
class Judgement:
    """A claim of the notes split into checks, each decided by the run's own table.

    Attributes
    ----------
    checks : dict of str to bool
        Each part of the claim (a sentence) and whether the run's numbers show it.
    too_small : str or None
        Why the run is too small for the checks to mean anything (then the verdict is
        :attr:`Verdict.UNDECIDED`), or None.
    """

    checks: dict[str, bool]
    too_small: str | None = None

    @property
    def verdict(self) -> Verdict:
        """Undecided when too small; else holds (all checks), fails (none) or holds in part."""
        if self.too_small is not None:
            return Verdict.UNDECIDED
        if all(self.checks.values()):
            return Verdict.HOLDS
        return Verdict.PARTLY if any(self.checks.values()) else Verdict.FAILS

    def sentence(self) -> str:
        """The caption's closing sentence: ``"Verdict: the notes' claim holds here."`` etc."""
        verdict = self.verdict
        if verdict is Verdict.UNDECIDED:
            return f"Verdict: this run is {verdict.value} the notes' claim ({self.too_small})."
        missing = [check for check, shown in self.checks.items() if not shown]
        reason = f" (not shown: {'; '.join(missing)})" if missing else ""
        return f"Verdict: the notes' claim {verdict.value} here{reason}."

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict.value, "checks": dict(self.checks),
                "too_small": self.too_small}


@dataclass
class LabResult:
    """What one experiment found.

    Attributes
    ----------
    name : str
        The experiment's command name (``"learning-rate"``); files are ``NAME.png``/``NAME.json``.
    title : str
    section : str
        The notes' section, e.g. ``"§2.4"``.
    caption : str
        What the notes claim and what this run shows, written from the run's own numbers.
    tables : list of Table
        The numbers behind the figure and the caption; ``tables[0]`` is the main one.
    figure : matplotlib.figure.Figure
    seed : int
    quick : bool
    judgement : Judgement
        The claim's checks as decided by ``tables``; the caption ends with its verdict.
    seconds : float
        Wall time of the experiment (not part of the tables: it varies between runs).
    """

    name: str
    title: str
    section: str
    caption: str
    tables: list[Table]
    figure: Figure
    seed: int
    quick: bool
    judgement: Judgement
    seconds: float = 0.0
    _png: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def table(self) -> Table:
        """The main table."""
        return self.tables[0]

    @property
    def verdict(self) -> Verdict:
        """What this run's numbers say about the notes' claim."""
        return self.judgement.verdict

    def png(self) -> bytes:
        """The figure as PNG bytes (rendered once, then kept)."""
        if self._png is None:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=DPI)
            self._png = buffer.getvalue()
        return self._png

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "section": self.section,
                "seed": self.seed, "quick": self.quick, "caption": self.caption,
                **self.judgement.to_dict(),
                "tables": [table.to_dict() for table in self.tables],
                "seconds": round(self.seconds, 3)}

    def save(self, directory: str | Path) -> tuple[Path, Path]:
        """Write ``NAME.png`` and ``NAME.json`` into ``directory`` (created if needed)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        png_path, json_path = directory / f"{self.name}.png", directory / f"{self.name}.json"
        png_path.write_bytes(self.png())
        json_path.write_text(json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n",
                             encoding="utf-8")
        return png_path, json_path

    def __str__(self) -> str:
        header = f"== {self.name}: {self.title} (notes {self.section}) =="
        return "\n\n".join([header, *(str(table) for table in self.tables),
                            _wrap(self.caption)])


def _wrap(text: str, width: int = 100) -> str:
    import textwrap

    return textwrap.fill(text, width)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1250px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
section { margin-bottom: 3em; }
img { max-width: 100%; border: 1px solid #ddd; }
p.caption { background: #f6f6f6; padding: .6em .9em; border-left: 4px solid #4a7ab5; }
table { border-collapse: collapse; margin: 1em 0; font-size: 90%; }
caption { text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
"""

_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (img) { return img.complete && img.naturalWidth > 0; });
  document.body.dataset.loaded = loaded.length + "/" + images.length;
});
"""


def write_report(results: list[LabResult], path: str | Path) -> Path:
    """Write the self-contained HTML report of ``results`` to ``path`` and return the path."""
    from .. import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    seeds = sorted({r.seed for r in results})
    mode = "quick" if all(r.quick for r in results) else "full"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        "<title>nntricks lab: the notes' claims, reproduced</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>nntricks lab: “Neural Networks: Tips and Tricks”, claim by claim</h1>",
        f"<p>nntricks {html.escape(__version__)}, seed {', '.join(map(str, seeds))}, "
        f"{mode} mode, {len(results)} experiments, "
        f"{sum(r.seconds for r in results):.1f} s. Every caption is written from the numbers "
        "of this run.</p>",
        "<ul>" + "".join(f'<li><a href="#{html.escape(r.name)}">{html.escape(r.section)} '
                         f"{html.escape(r.title)}</a></li>" for r in results) + "</ul>",
    ]
    for result in results:
        data = base64.b64encode(result.png()).decode("ascii")
        parts += [
            f'<section id="{html.escape(result.name)}">',
            f"<h2>{html.escape(result.section)} {html.escape(result.title)} "
            f"<small>(<code>nntricks lab {html.escape(result.name)}</code>, "
            f"{result.seconds:.1f} s)</small></h2>",
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(result.title)}">',
            f'<p class="caption">{html.escape(result.caption)}</p>',
            *(table.to_html() for table in result.tables),
            "</section>",
        ]
    parts += [f"<script>{_SCRIPT}</script>", "</body></html>"]
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
