// The loss chart (uPlot): training and test loss by epoch of run A and, when comparing, of run B.
// A in greys, B in purples; test loss solid, training loss dashed and lighter.

export const RUN_COLORS = {
  a: { test: "#1f2328", train: "#8a939d" },
  b: { test: "#7b3fc4", train: "#b79be3" },
};
const DASH = [5, 3];
const HEIGHT = 120;

function seriesOf(run, letter) {
  const colors = RUN_COLORS[run];
  return [
    { label: `${letter}Training loss`, stroke: colors.train, width: 1.5, dash: DASH, points: { show: false } },
    { label: `${letter}Test loss`, stroke: colors.test, width: 1.5, points: { show: false } },
  ];
}

const finite = (v) => (Number.isFinite(v) ? v : null);

// [epochs, training losses, test losses] of a snapshot's losses ([[epoch, train, test], ...]).
function table(losses) {
  const rows = Array.isArray(losses) ? losses.filter((p) => Array.isArray(p) && Number.isFinite(p[0])) : [];
  return [rows.map((p) => p[0]), rows.map((p) => finite(p[1])), rows.map((p) => finite(p[2]))];
}

function lossKey(losses) {
  if (!Array.isArray(losses)) return "-";
  const last = losses[losses.length - 1];
  return `${losses.length}:${Array.isArray(last) ? last.join(",") : ""}`;
}

export class LossChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.runs = 0;
    this.width = 0;
    this.key = "";
  }

  create(runs) {
    this.plot?.destroy();
    this.plot = null;
    this.runs = runs;
    this.key = "";
    if (typeof window.uPlot !== "function") return;
    this.width = this.container.clientWidth || 300;
    const axis = { stroke: "#6b7280", font: "10px system-ui, sans-serif", grid: { stroke: "#eceef1", width: 1 }, ticks: { show: false } };
    const series = runs === 1 ? seriesOf("a", "") : [...seriesOf("a", "A "), ...seriesOf("b", "B ")];
    this.plot = new window.uPlot({
      width: this.width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      axes: [{ ...axis, size: 22 }, { ...axis, size: 40 }],
      series: [{}, ...series],
    }, Array.from({ length: series.length + 1 }, () => []), this.container);
  }

  // lossesB is null when not comparing (one run drawn), else B's losses (maybe none yet).
  update(lossesA, lossesB) {
    const runs = lossesB === null ? 1 : 2;
    const width = this.container.clientWidth || 300;
    if (!this.plot || runs !== this.runs) this.create(runs);
    else if (width !== this.width) {
      this.width = width;
      this.plot.setSize({ width, height: HEIGHT });
    }
    if (!this.plot) return;
    const key = runs === 1 ? lossKey(lossesA) : `${lossKey(lossesA)}|${lossKey(lossesB)}`;
    if (key === this.key) return;
    this.key = key;
    if (runs === 1) {
      this.plot.setData(table(lossesA));
      return;
    }
    // Both runs on the union of their epochs; a run's missing epochs are undefined, which
    // uPlot joins across (null, a diverged loss, stays a gap).
    this.plot.setData(window.uPlot.join([table(lossesA), table(lossesB)]));
  }
}
