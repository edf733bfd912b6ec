// The views the notes' claims need: the spread of activations and back-propagated gradients
// layer by layer, the weights' histogram, and the training inputs before and after
// preprocessing.

import { NEGATIVE_COLOR, POSITIVE_COLOR, fitCanvas, formatCompact, pointColor } from "./draw.js";

const $ = (id) => document.getElementById(id);
const LABEL_FONT = "10px system-ui, sans-serif";
const MUTED = "#6b7280";
const AXIS = "#c9ced4";
const BAR = "#7a8794";
// The digits' ten classes (Tableau 10).
const DIGIT_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const PREPROCESS_LABELS = { none: "no preprocessing", center: "mean subtraction", standardize: "standardization", pca: "PCA whitening", zca: "ZCA whitening" };

export function renderViews(snapshot) {
  renderSpread(Array.isArray(snapshot.spread) ? snapshot.spread : []);
  renderWeightHistogram(snapshot.weight_histogram);
  renderPreprocessView(snapshot);
}

function isHistogram(value) {
  return Boolean(value) && Number.isFinite(value.lo) && Number.isFinite(value.hi) && Array.isArray(value.counts);
}

// A histogram of values all equal but for rounding: its bins then span an arbitrary range
// around them, which would swamp the other histograms' common scale.
function isConstant(histogram) {
  return Number.isFinite(histogram.std) && Number.isFinite(histogram.mean)
    && histogram.std <= 1e-6 * (histogram.hi - histogram.lo);
}

// ---------------------------------------------------------------- spread per layer

// One row per hidden layer; each column on one scale for every layer, so that a spread
// that shrinks or grows from layer to layer shows as a narrower or wider histogram.
function renderSpread(spread) {
  const container = $("spread");
  if (container.childElementCount !== spread.length) {
    container.replaceChildren(...spread.map((_, layer) => buildSpreadRow(layer)));
  }
  $("spread-empty").hidden = spread.length > 0;
  for (const part of ["activations", "gradients"]) {
    const histograms = spread.map((layer) => layer?.[part]);
    const range = commonRange(histograms.filter(isHistogram));
    histograms.forEach((histogram, layer) => {
      const row = container.children[layer];
      const canvas = row.querySelector(`canvas[data-part="${part}"]`);
      const label = row.querySelector(`.spread-std[data-part="${part}"]`);
      if (!isHistogram(histogram)) {
        fitCanvas(canvas);
        label.textContent = "";
        return;
      }
      drawHistogram(canvas, histogram, range, () => BAR);
      label.textContent = `\u03c3 ${formatCompact(histogram.std)}`;
      label.title = `mean ${formatCompact(histogram.mean)}, standard deviation ${formatCompact(histogram.std)}`;
    });
  }
}

function buildSpreadRow(layer) {
  const row = document.createElement("div");
  row.className = "spread-row";
  row.innerHTML = `<span class="spread-layer">Layer ${layer + 1}</span>
    <canvas class="histogram" data-part="activations" aria-label="Activations of hidden layer ${layer + 1}"></canvas>
    <span class="spread-std" data-part="activations"></span>
    <canvas class="histogram" data-part="gradients" aria-label="Gradients back-propagated to hidden layer ${layer + 1}"></canvas>
    <span class="spread-std" data-part="gradients"></span>`;
  return row;
}

function commonRange(histograms) {
  const ends = histograms.flatMap((h) => (isConstant(h) ? [h.mean] : [h.lo, h.hi]));
  return ends.length ? widen(Math.min(...ends), Math.max(...ends)) : [-1, 1];
}

// A range of positive width around [lo, hi], so that a histogram of equal values still shows.
function widen(lo, hi) {
  if (hi - lo > 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi))) return [lo, hi];
  const half = Math.max(Math.abs(lo) * 0.1, 1e-6);
  return [lo - half, hi + half];
}

// Bars of `histogram` (counts of equal bins over [lo, hi]) drawn on the axis `range`, the
// highest bar at full height, each coloured by colorOfBin(binLo, binHi); a histogram of equal
// values is one thin bar at the value. Range's ends are written below, with a mark at zero.
function drawHistogram(canvas, histogram, range, colorOfBin) {
  const { ctx, width, height } = fitCanvas(canvas);
  const bottom = height - 13;
  const [start, end] = range;
  const x = (value) => ((value - start) / (end - start)) * width;
  if (isConstant(histogram)) {
    ctx.fillStyle = colorOfBin(histogram.mean, histogram.mean);
    ctx.fillRect(Math.min(width - 2, Math.max(0, x(histogram.mean) - 1)), 2, 2, bottom - 2);
  } else {
    const { lo, hi, counts } = histogram;
    const highest = Math.max(1, ...counts);
    const binWidth = (hi - lo) / counts.length;
    counts.forEach((count, i) => {
      if (!count) return;
      const left = x(lo + i * binWidth);
      const barWidth = Math.max(1, x(lo + (i + 1) * binWidth) - left - 0.5);
      const barHeight = Math.max(1, (count / highest) * (bottom - 2));
      ctx.fillStyle = colorOfBin(lo + i * binWidth, lo + (i + 1) * binWidth);
      ctx.fillRect(left, bottom - barHeight, barWidth, barHeight);
    });
  }
  ctx.fillStyle = AXIS;
  ctx.fillRect(0, bottom, width, 1);
  if (start < 0 && end > 0) ctx.fillRect(Math.round(x(0)), bottom, 1, 4);
  ctx.font = LABEL_FONT;
  ctx.fillStyle = MUTED;
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  ctx.fillText(formatCompact(start), 0, height);
  ctx.textAlign = "right";
  ctx.fillText(formatCompact(end), width, height);
}

// ---------------------------------------------------------------- weights

function renderWeightHistogram(histogram) {
  const canvas = $("weight-histogram").querySelector("canvas");
  const note = $("weight-zero-fraction");
  if (!isHistogram(histogram)) {
    fitCanvas(canvas);
    note.textContent = "";
    return;
  }
  drawHistogram(canvas, histogram, widen(histogram.lo, histogram.hi), weightBinColor);
  const percent = 100 * histogram.zero_fraction;
  note.textContent = Number.isFinite(percent) ? `${percent.toFixed(1)} % of the weights \u2248 0` : "";
}

// Orange for negative weights, blue for positive ones, grey for the bins at zero (those
// across it or ending at it, up to rounding): where L1 gathers the weights.
function weightBinColor(binLo, binHi) {
  const rounding = 1e-9 * Math.max(Math.abs(binLo), Math.abs(binHi));
  if (binLo <= rounding && binHi >= -rounding) return BAR;
  return binHi < 0 ? NEGATIVE_COLOR : POSITIVE_COLOR;
}

// ---------------------------------------------------------------- preprocessing

function renderPreprocessView(snapshot) {
  const regression = snapshot.problem === "regression";
  const colorOfLabel = snapshot.problem === "digits" ? (y) => DIGIT_COLORS[y] ?? MUTED : (y) => pointColor(y, regression);
  const preprocess = snapshot.config?.preprocess;
  $("preprocess-after-label").textContent = `After ${PREPROCESS_LABELS[preprocess] ?? ""}`.trim();
  drawScatter($("preprocess-before"), snapshot.inputs_before, colorOfLabel);
  drawScatter($("preprocess-after"), snapshot.inputs_after, colorOfLabel);
}

// The points on equal scales for both axes, the origin in the middle, so that centering
// moves the cloud to the crossing and whitening makes it round; each coloured by its label.
function drawScatter(canvas, points, colorOfLabel) {
  const { ctx, width, height } = fitCanvas(canvas);
  const valid = Array.isArray(points) ? points.filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])) : [];
  const extent = 1.08 * Math.max(1e-9, ...valid.map(([a, b]) => Math.max(Math.abs(a), Math.abs(b))));
  const scale = Math.min(width, height) / (2 * extent);
  const toPixel = (a, b) => [width / 2 + a * scale, height / 2 - b * scale];
  ctx.fillStyle = AXIS;
  ctx.fillRect(0, Math.round(height / 2), width, 1);
  ctx.fillRect(Math.round(width / 2), 0, 1, height);
  ctx.lineWidth = 0.75;
  ctx.strokeStyle = "#ffffff";
  for (const [a, b, y] of valid) {
    const [px, py] = toPixel(a, b);
    ctx.fillStyle = colorOfLabel(y);
    ctx.beginPath();
    ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  if (valid.length === 0) return;
  ctx.font = LABEL_FONT;
  ctx.fillStyle = MUTED;
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  ctx.fillText(`\u00b1${formatCompact(extent)}`, width - 2, height - 1);
}
