// The notes' tricks: their settings (choices, labels, which hyperparameter applies when),
// the learning-rate schedule's plot and the gradient check's table.

import { fitCanvas, formatCompact, formatExponent } from "./draw.js";

export const TRICK_DEFAULTS = Object.freeze({
  dropout: 0, init: "xavier", init_std: 0.1,
  optimizer: "sgd", momentum: 0.9, beta_1: 0.9, beta_2: 0.999, rho: 0.9, epsilon: 1e-8,
  schedule: "constant", decay_every: 100, decay_factor: 0.5, decay_rate: 0.01, tau: 100,
  fan_in: false, preprocess: "none",
});

// The settings chosen from a list (fan_in is a checkbox).
export const TRICK_CHOICES = {
  init: ["xavier", "he", "normal", "zeros"],
  init_std: [0.001, 0.01, 0.1, 1],
  preprocess: ["none", "center", "standardize", "pca", "zca"],
  dropout: [0, 0.1, 0.2, 0.3, 0.5],
  optimizer: ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adam_notes"],
  momentum: [0.5, 0.9, 0.95, 0.99],
  beta_1: [0.8, 0.9, 0.95, 0.99],
  beta_2: [0.9, 0.99, 0.999, 0.9999],
  rho: [0.5, 0.9, 0.99],
  epsilon: [1e-8, 1e-6, 1e-4, 0.01],
  schedule: ["constant", "step", "exponential", "inverse"],
  decay_every: [10, 50, 100, 500],
  decay_factor: [0.1, 0.5, 0.9],
  decay_rate: [0.001, 0.01, 0.1],
  tau: [10, 50, 100, 500],
};

export const TRICK_LABELS = {
  init: { xavier: "Xavier", he: "He", normal: "Normal, fixed \u03c3", zeros: "Zeros" },
  preprocess: { none: "None", center: "Mean subtraction", standardize: "Standardization", pca: "PCA whitening", zca: "ZCA whitening" },
  dropout: { 0: "0 (off)" },
  optimizer: {
    sgd: "SGD", momentum: "Momentum", nesterov: "Nesterov", adagrad: "AdaGrad", rmsprop: "RMSProp",
    adam: "Adam", adam_notes: "Adam, notes' form (no bias correction)",
  },
  schedule: { constant: "Constant", step: "Step", exponential: "Exponential \u03b10\u00b7e^(\u2212kt)", inverse: "\u03b10\u00b7\u03c4/max(t, \u03c4)" },
};

const ADAPTIVE = new Set(["adagrad", "rmsprop", "adam", "adam_notes"]);
const ADAM = new Set(["adam", "adam_notes"]);
const MOMENTUM = new Set(["momentum", "nesterov"]);

// When each hyperparameter applies; the others are always shown.
const APPLIES = {
  init_std: (config) => config.init === "normal",
  momentum: (config) => MOMENTUM.has(config.optimizer),
  beta_1: (config) => ADAM.has(config.optimizer),
  beta_2: (config) => ADAM.has(config.optimizer),
  rho: (config) => config.optimizer === "rmsprop",
  epsilon: (config) => ADAPTIVE.has(config.optimizer),
  decay_every: (config) => config.schedule === "step",
  decay_factor: (config) => config.schedule === "step",
  decay_rate: (config) => config.schedule === "exponential",
  tau: (config) => config.schedule === "inverse",
};

const $ = (id) => document.getElementById(id);

// Whether a setting matters under the others (a hyperparameter of another optimizer does not).
export function trickApplies(key, config) {
  return APPLIES[key] ? APPLIES[key](config) : true;
}

// Hide the hyperparameters that do not apply; they keep their values.
export function showApplicableTricks(config) {
  for (const [key, applies] of Object.entries(APPLIES)) {
    $(key).closest(".trick-field").hidden = !applies(config);
  }
}

// ---------------------------------------------------------------- learning-rate schedule

const PLOT_MARGIN = { left: 40, right: 8, top: 8, bottom: 18 };
const PLOT_FONT = "10px system-ui, sans-serif";

export function renderSchedule(snapshot) {
  const preview = validPairs(snapshot.schedule_preview);
  const used = validPairs(snapshot.learning_rates);
  const current = Number.isFinite(snapshot.learning_rate) ? snapshot.learning_rate : rateAt(preview, snapshot.epoch ?? 0);
  $("current-rate").textContent = formatCompact(current);
  drawSchedulePlot($("schedule-plot"), preview, used, snapshot.epoch ?? 0);
  const effective = validPairs(snapshot.effective_rates);
  $("effective-rate").textContent = effective.length ? formatCompact(effective[effective.length - 1][1]) : "\u2013";
  drawSchedulePlot($("effective-rate-plot"), [], effective, snapshot.epoch ?? 0);
}

function validPairs(pairs) {
  return Array.isArray(pairs) ? pairs.filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])) : [];
}

// The schedule's rate at an epoch: the preview's last point at or before it.
function rateAt(preview, epoch) {
  let rate;
  for (const [t, value] of preview) {
    if (t > epoch) break;
    rate = value;
  }
  return rate;
}

function drawSchedulePlot(canvas, preview, used, epoch) {
  const { ctx, width, height } = fitCanvas(canvas);
  const m = PLOT_MARGIN;
  const tMax = Math.max(1, ...preview.map((p) => p[0]), ...used.map((p) => p[0]));
  const rateMax = Math.max(0, ...preview.map((p) => p[1]), ...used.map((p) => p[1])) || 1;
  const x = (t) => m.left + (t / tMax) * (width - m.left - m.right);
  const y = (rate) => height - m.bottom - (rate / (1.08 * rateMax)) * (height - m.top - m.bottom);

  ctx.font = PLOT_FONT;
  ctx.fillStyle = "#6b7280";
  ctx.strokeStyle = "#eceef1";
  ctx.lineWidth = 1;
  ctx.textBaseline = "middle";
  ctx.textAlign = "right";
  for (const rate of [0, rateMax / 2, rateMax]) {
    ctx.beginPath();
    ctx.moveTo(m.left, Math.round(y(rate)) + 0.5);
    ctx.lineTo(width - m.right, Math.round(y(rate)) + 0.5);
    ctx.stroke();
    ctx.fillText(formatCompact(rate), m.left - 4, y(rate));
  }
  ctx.textBaseline = "top";
  ctx.textAlign = "center";
  for (const t of [0, tMax / 2, tMax]) {
    ctx.textAlign = t === 0 ? "left" : t === tMax ? "right" : "center";
    ctx.fillText(String(Math.round(t)), x(t), height - m.bottom + 4);
  }

  ctx.strokeStyle = "#c9ced4";
  ctx.beginPath();
  ctx.moveTo(Math.round(x(epoch)) + 0.5, m.top);
  ctx.lineTo(Math.round(x(epoch)) + 0.5, height - m.bottom);
  ctx.stroke();

  ctx.setLineDash([4, 3]);
  strokeLine(ctx, preview, x, y, "#7aa7c7", 1.5);
  ctx.setLineDash([]);
  strokeLine(ctx, used, x, y, "#1f2328", 2);
}

function strokeLine(ctx, points, x, y, color, lineWidth) {
  if (points.length === 1) {
    ctx.fillStyle = color;
    ctx.fillRect(x(points[0][0]) - lineWidth, y(points[0][1]) - lineWidth, 2 * lineWidth, 2 * lineWidth);
  }
  if (points.length < 2) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = lineWidth;
  ctx.beginPath();
  points.forEach(([t, rate], i) => (i === 0 ? ctx.moveTo(x(t), y(rate)) : ctx.lineTo(x(t), y(rate))));
  ctx.stroke();
}

// ---------------------------------------------------------------- gradient check

export function renderGradcheckMessage(message, kind = "") {
  const table = $("gradcheck-result");
  table.hidden = false;
  table.className = `gradcheck-table ${kind}`.trim();
  table.tBodies[0].replaceChildren();
  table.tHead.hidden = true;
  table.caption.textContent = message;
}

export function renderGradcheck(result, epoch) {
  const table = $("gradcheck-result");
  const tolerance = formatExponent(result.tolerance);
  const passes = (array) => array.max_relative_error === null || array.max_relative_error <= result.tolerance;
  table.hidden = false;
  table.className = `gradcheck-table ${result.passed ? "passed" : "failed"}`;
  table.tHead.hidden = false;
  table.caption.textContent = (result.passed ? `Passed: every error within the tolerance ${tolerance}` : `Failed: errors above the tolerance ${tolerance}`)
    + ` (loss ${formatCompact(result.loss)}, epoch ${epoch})`;
  table.tBodies[0].replaceChildren(...result.arrays.map((array) => {
    const row = document.createElement("tr");
    const cells = [
      array.name,
      array.max_relative_error === null ? "\u2013" : formatExponent(array.max_relative_error, 1),
      String(array.n_probed),
      kinkNote(array.n_kinks),
      passes(array) ? "\u2713 ok" : "\u2717 fail",
    ];
    row.replaceChildren(...cells.map((text) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      return cell;
    }));
    row.title = `shape ${JSON.stringify(array.shape)}`;
    row.classList.toggle("failed", !passes(array));
    return row;
  }));
}

function kinkNote(count) {
  if (!count) return "none";
  return `${count} probe${count === 1 ? "" : "s"} at a kink, set aside`;
}
