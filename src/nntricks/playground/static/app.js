// nntricks playground: browser client. Talks to the local server with JSON requests
// and renders the Server-Sent Events snapshots of a training run, or of two (A/B comparison).

import { LossChart } from "./chart.js";
import {
  B_PREFIX, SHARED_KEYS, compareHash, compareRequested, perRunKeys, renderCompareLayout, renderSummaries,
} from "./compare.js";
import { applyProblemLayout, renderDigitPanel, renderScores } from "./digits.js";
import { drawFeatureMap, drawHeatmap, drawOutputMap, fillNeutral, fitCanvas, maxAbs } from "./draw.js";
import { RunClient, cloneConfig } from "./runclient.js";
import {
  TRICK_CHOICES, TRICK_DEFAULTS, TRICK_LABELS, renderGradcheck, renderGradcheckMessage, renderSchedule,
  showApplicableTricks,
} from "./tricks.js";
import { renderViews } from "./views.js";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"];
const FEATURE_LABELS = {
  x1: "X<sub>1</sub>",
  x2: "X<sub>2</sub>",
  "x1^2": "X<sub>1</sub><sup>2</sup>",
  "x2^2": "X<sub>2</sub><sup>2</sup>",
  "x1*x2": "X<sub>1</sub>X<sub>2</sub>",
  sin_x1: "sin(X<sub>1</sub>)",
  sin_x2: "sin(X<sub>2</sub>)",
};
// Feature values over the plane [-6, 6]^2, scaled to [-1, 1] for display.
const FEATURE_MAPS = {
  x1: (a) => a / 6,
  x2: (a, b) => b / 6,
  "x1^2": (a) => (a * a) / 18 - 1,
  "x2^2": (a, b) => (b * b) / 18 - 1,
  "x1*x2": (a, b) => (a * b) / 36,
  sin_x1: (a) => Math.sin(a),
  sin_x2: (a, b) => Math.sin(b),
};
const DATASETS = [
  ["circle", "Circle"], ["xor", "Exclusive or"], ["gauss", "Gaussian"], ["spiral", "Spiral"],
  ["plane", "Plane (regression)"], ["multigauss", "Multi Gaussian (regression)"],
  ["digits", "Digits (8\u00d78 images, real data)"],
];
const REGRESSION_DATASETS = new Set(["plane", "multigauss"]);
const PROBLEM_LABELS = { classification: "Classification", regression: "Regression", digits: "Digits, 10 classes" };
const CHOICES = {
  dataset: DATASETS.map(([value]) => value),
  activation: ["tanh", "relu", "sigmoid", "identity", "hardtanh", "softsign", "leaky_relu"],
  learning_rate: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  regularization: ["none", "l1", "l2"],
  regularization_rate: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  ...TRICK_CHOICES,
};
const CHOICE_LABELS = {
  dataset: Object.fromEntries(DATASETS),
  activation: { tanh: "Tanh", relu: "ReLU", sigmoid: "Sigmoid", identity: "Linear", hardtanh: "Hard tanh", softsign: "Softsign", leaky_relu: "Leaky ReLU" },
  regularization: { none: "None", l1: "L1", l2: "L2" },
  ...TRICK_LABELS,
};
const SELECTS = Object.keys(CHOICES);
const CHECKBOXES = ["fan_in"];
const RANGES = { noise: [0, 50], train_percent: [10, 90], batch_size: [1, 30], seed: [0, 2 ** 31 - 1] };
const SLIDERS = ["noise", "train_percent", "batch_size"];
const MAX_LAYERS = 6;
const MAX_NEURONS = 8;
const DEFAULT_CONFIG = Object.freeze({
  dataset: "circle", noise: 0, train_percent: 50, batch_size: 10,
  features: ["x1", "x2"], hidden: [4, 2], activation: "tanh",
  learning_rate: 0.03, regularization: "none", regularization_rate: 0, seed: 0,
  ...TRICK_DEFAULTS,
});
const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG);
const FEATURE_MAP_SIZE = 40;
const NEURON_MAP_SIZE = 40;

const $ = (id) => document.getElementById(id);

let runA = null; // the page's run
let runB = null; // the second run while comparing, else null
let editing = "a"; // which run the controls, the network diagram and the views show

// Public state, read by tests.
const state = (window.playground = {});
const publicFields = {
  runId: () => runA?.id ?? null,
  config: () => runA?.config ?? null,
  lastSnapshot: () => runA?.lastSnapshot ?? null,
  snapshotsReceived: () => runA?.snapshotsReceived ?? 0,
  runIdB: () => runB?.id ?? null,
  configB: () => runB?.config ?? null,
  lastSnapshotB: () => runB?.lastSnapshot ?? null,
  snapshotsReceivedB: () => runB?.snapshotsReceived ?? 0,
  // the loss chart's curves: label and number of points drawn
  lossCurves: () => (lossChart?.plot ? lossChart.plot.series.slice(1).map((series, i) => ({
    label: series.label, points: lossChart.plot.data[i + 1].filter((v) => v !== null).length,
  })) : []),
};
for (const [name, get] of Object.entries(publicFields)) Object.defineProperty(state, name, { get, enumerable: true });

let playing = false;
let renderPending = false;
let lossChart = null;
const errors = { request: null, requestB: null, snapshot: null, snapshotB: null, stream: null, streamB: null };

const runs = () => (runB ? [runA, runB] : [runA]);
const editedRun = () => (editing === "b" && runB ? runB : runA);

function problemOf(config) {
  if (config.dataset === "digits") return "digits";
  return REGRESSION_DATASETS.has(config.dataset) ? "regression" : "classification";
}

// ---------------------------------------------------------------- config <-> URL

// Missing fields fall back to `config`'s. Values that are present are passed on as written,
// even when out of range: the server validates them and its 400 message names the bad field.
function readParams(params, config, prefix, keys) {
  const asNumber = (raw) => (raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw);
  for (const key of keys) {
    if (!params.has(prefix + key)) continue;
    const raw = params.get(prefix + key);
    if (key === "features") {
      const wanted = raw.split(",").filter(Boolean);
      config.features = [...FEATURES.filter((name) => wanted.includes(name)), ...wanted.filter((name) => !FEATURES.includes(name))];
    } else if (key === "hidden") {
      config.hidden = raw === "" ? [] : raw.split(",").map(asNumber);
    } else if (key in RANGES || typeof DEFAULT_CONFIG[key] === "number") {
      config[key] = asNumber(raw);
    } else if (typeof DEFAULT_CONFIG[key] === "boolean") {
      config[key] = { true: true, false: false }[raw] ?? raw;
    } else {
      config[key] = raw;
    }
  }
  return config;
}

// Run A's settings, and run B's when the address asks to compare ("compare=1"): A's, but for
// B's own settings written as "b.<field>=<value>" (the data settings are always A's).
function hashState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const a = readParams(params, cloneConfig(DEFAULT_CONFIG), "", CONFIG_KEYS);
  const b = compareRequested(params) ? readParams(params, cloneConfig(a), B_PREFIX, perRunKeys(CONFIG_KEYS)) : null;
  return { a, b };
}

function encodeValue(value) {
  const text = Array.isArray(value) ? value.join(",") : String(value);
  return encodeURIComponent(text).replace(/%2C/g, ",").replace(/%5E/g, "^");
}

function configToHash(config) {
  return CONFIG_KEYS.map((key) => `${key}=${encodeValue(config[key])}`).join("&");
}

// The settings changed: the address and the runs' labels follow.
function writeHash() {
  const parts = [configToHash(runA.config)];
  if (runB) parts.push(compareHash(runA.config, runB.config, CONFIG_KEYS, encodeValue));
  history.replaceState(null, "", `#${parts.join("&")}`);
  renderSummaries(runA.config, runB?.config ?? null, CONFIG_KEYS);
}

// ---------------------------------------------------------------- runs

function makeRun(name, config) {
  return new RunClient(name, config, { setError, adopt: adoptServerConfig, snapshot: scheduleRender });
}

function adoptServerConfig(run, serverConfig) {
  if (!serverConfig || typeof serverConfig !== "object" || (run !== runA && run !== runB)) return;
  const merged = cloneConfig(run.config);
  for (const key of CONFIG_KEYS) if (key in serverConfig) merged[key] = serverConfig[key];
  merged.features = FEATURES.filter((name) => merged.features.includes(name));
  run.config = merged;
  if (run === editedRun()) writeControls(merged);
  writeHash();
}

// Play, pause, step and reset act on every run.
async function sendCommand(action) {
  const results = await Promise.all(runs().map((run) => run.command(action)));
  const answered = results.filter((result) => result !== null);
  if (answered.length) setPlaying(answered.some(Boolean));
}

// The library's gradient check on the edited run's network as it is now, shown in a table.
async function checkGradient() {
  const button = $("gradcheck");
  const run = editedRun();
  button.disabled = true;
  renderGradcheckMessage("Checking\u2026");
  try {
    if (!(await run.ensure())) {
      renderGradcheckMessage("No run to check: see the message above.", "failed");
      return;
    }
    let epoch = run.lastSnapshot?.epoch ?? 0;
    let result = await run.request("POST", "/gradcheck");
    if (result.status === 404 && (await run.recreate())) {
      epoch = 0; // a fresh network
      result = await run.request("POST", "/gradcheck");
    }
    if (result.ok) renderGradcheck(result.body, epoch);
    else renderGradcheckMessage(result.body?.error ?? "The gradient check failed: see the message above.", "failed");
  } finally {
    button.disabled = false;
  }
}

function deleteRunsOnExit() {
  for (const run of runs()) run.leave();
}

// Start comparing (run B: a copy of A, or the given settings on A's data) or stop (B's run is
// deleted and the page shows A alone).
function setComparing(on, configB = null) {
  if (on) {
    const shared = Object.fromEntries([...SHARED_KEYS].map((key) => [key, runA.config[key]]));
    const config = { ...cloneConfig(configB ?? runA.config), ...shared, features: [...runA.config.features] };
    if (runB) {
      runB.edit(config);
      runB.sync();
    } else {
      const created = (runB = makeRun("B", config));
      created.create().then((ok) => { if (ok && playing && created === runB) created.command("play"); });
    }
  } else if (runB) {
    runB.dispose();
    runB = null;
    for (const kind of ["requestB", "snapshotB", "streamB"]) setError(kind, null);
  }
  if (!runB) editing = "a";
  modeChanged();
}

function setEditing(run) {
  editing = run === "b" && runB ? "b" : "a";
  modeChanged();
}

function modeChanged() {
  renderCompareLayout(Boolean(runB), editing);
  writeControls(editedRun().config);
  writeHash();
  scheduleRender();
}

// ---------------------------------------------------------------- controls

function fillSelect(select, values, labels = {}) {
  select.replaceChildren(...values.map((value) => new Option(labels[value] ?? String(value), String(value))));
}

function buildControls() {
  for (const key of SELECTS) fillSelect($(key), CHOICES[key], CHOICE_LABELS[key]);
  buildFeatureList();
}

function buildFeatureList() {
  const list = $("features");
  for (const name of FEATURES) {
    const row = document.createElement("label");
    row.className = "feature";
    row.dataset.feature = name;
    row.innerHTML = `<input type="checkbox" id="feature-${name}" data-feature="${name}">
      <span class="feature-name">${FEATURE_LABELS[name]}</span>`;
    const canvas = createMapCanvas("feature-map", FEATURE_MAP_SIZE);
    row.append(canvas);
    list.append(row);
    drawFeatureMap(canvas, FEATURE_MAPS[name]);
  }
}

function writeControls(config) {
  for (const key of SELECTS) $(key).value = String(config[key]);
  for (const key of CHECKBOXES) $(key).checked = config[key] === true;
  for (const key of SLIDERS) {
    $(key).value = String(config[key]);
    $(`${key}-value`).textContent = String(config[key]);
  }
  if (document.activeElement !== $("seed")) $("seed").value = String(config.seed);
  for (const name of FEATURES) {
    const checked = config.features.includes(name);
    $(`feature-${name}`).checked = checked;
    $(`feature-${name}`).closest(".feature").classList.toggle("inactive", !checked);
  }
  const problem = problemOf(config);
  $("problem").textContent = PROBLEM_LABELS[problem];
  applyProblemLayout(problem);
  showApplicableTricks(config);
  renderHiddenLayers(config.hidden);
}

function readControlValue(key) {
  const element = $(key);
  if (key in RANGES) {
    const [low, high] = RANGES[key];
    const value = Math.round(Number(element.value));
    return Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : editedRun().config[key];
  }
  if (CHECKBOXES.includes(key)) return element.checked;
  return typeof CHOICES[key][0] === "number" ? Number(element.value) : element.value;
}

// Apply a change made in the page: update the settings, URL and controls, then tell the server.
// A change of the data goes to both runs when comparing; any other to the edited run only.
function changeConfig(patch, { debounce = false } = {}) {
  const edited = editedRun();
  const shared = Object.fromEntries(Object.entries(patch).filter(([key]) => SHARED_KEYS.has(key)));
  const changed = runs().filter((run) => run === edited || Object.keys(shared).length > 0);
  for (const run of changed) run.edit(run === edited ? patch : shared);
  writeControls(edited.config);
  writeHash();
  for (const run of changed) run.sync({ debounce });
}

// The address was edited by hand: both runs take its settings.
function applyHash() {
  const { a, b } = hashState(location.hash);
  runA.edit(a);
  runA.sync();
  setComparing(Boolean(b), b);
}

function onFeatureToggle(event) {
  const name = event.target.dataset.feature;
  const current = editedRun().config.features;
  const features = FEATURES.filter((f) => (f === name ? event.target.checked : current.includes(f)));
  if (features.length === 0) {
    event.target.checked = true; // at least one input is required
    return;
  }
  changeConfig({ features });
}

// Only the layer count or the neuron count that changed must be valid, so a bad value
// that came from the address can still be edited away.
function changeHidden(update) {
  const before = editedRun().config.hidden;
  const hidden = [...before];
  update(hidden);
  if (hidden.length > before.length && hidden.length > MAX_LAYERS) return;
  const invalid = (n) => !Number.isInteger(n) || n < 1 || n > MAX_NEURONS;
  if (hidden.some((n, i) => n !== before[i] && invalid(n))) return;
  changeConfig({ hidden });
}

function onHiddenLayersClick(event) {
  const button = event.target.closest("button[data-layer]");
  if (!button) return;
  const layer = Number(button.dataset.layer);
  const delta = button.classList.contains("add-neuron") ? 1 : -1;
  changeHidden((hidden) => { hidden[layer] += delta; });
}

function bindControls() {
  for (const key of [...SELECTS, ...CHECKBOXES]) {
    $(key).addEventListener("change", () => changeConfig({ [key]: readControlValue(key) }));
  }
  for (const key of SLIDERS) {
    $(key).addEventListener("input", () => changeConfig({ [key]: readControlValue(key) }, { debounce: true }));
  }
  $("seed").addEventListener("change", () => changeConfig({ seed: readControlValue("seed") }));
  $("regenerate").addEventListener("click", () => changeConfig({ seed: Math.floor(Math.random() * 2 ** 31) }));
  $("features").addEventListener("change", onFeatureToggle);
  $("add-layer").addEventListener("click", () => changeHidden((h) => h.push(h.length ? h[h.length - 1] : 2)));
  $("remove-layer").addEventListener("click", () => changeHidden((h) => h.pop()));
  $("hidden-layers").addEventListener("click", onHiddenLayersClick);
  $("play").addEventListener("click", () => sendCommand(playing ? "pause" : "play"));
  $("step").addEventListener("click", () => sendCommand("step"));
  $("reset").addEventListener("click", () => sendCommand("reset"));
  $("gradcheck").addEventListener("click", checkGradient);
  $("show-test").addEventListener("change", scheduleRender);
  $("share").addEventListener("click", shareLink);
  $("compare").addEventListener("change", (event) => setComparing(event.target.checked));
  $("edit-a").addEventListener("click", () => setEditing("a"));
  $("edit-b").addEventListener("click", () => setEditing("b"));
  for (const panel of document.querySelectorAll(".output-panel")) {
    panel.addEventListener("click", () => { if (runB && panel.dataset.run !== editing) setEditing(panel.dataset.run); });
  }
  window.addEventListener("hashchange", applyHash);
  window.addEventListener("resize", scheduleRender);
  window.addEventListener("pagehide", deleteRunsOnExit);
  window.addEventListener("beforeunload", deleteRunsOnExit);
  window.addEventListener("pageshow", (event) => { if (event.persisted) for (const run of runs()) run.create(); });
}

async function shareLink() {
  const field = $("share-link");
  const note = $("share-note");
  field.value = location.href;
  field.focus();
  field.select();
  try {
    await navigator.clipboard.writeText(location.href);
    note.textContent = "Copied";
  } catch {
    note.textContent = "Copy it below";
  }
}

function setPlaying(value) {
  playing = Boolean(value);
  const button = $("play");
  button.classList.toggle("playing", playing);
  button.setAttribute("aria-pressed", String(playing));
  button.setAttribute("aria-label", playing ? "Pause" : "Play");
}

// Messages by kind ("request", "snapshot", "stream"; run B's with the suffix "B").
function setError(kind, message) {
  errors[kind] = message || null;
  const parts = [];
  for (const base of ["request", "snapshot", "stream"]) {
    if (errors[base]) parts.push(errors[base]);
    const ofB = errors[`${base}B`];
    if (ofB && ofB !== errors[base]) parts.push(`B: ${ofB}`);
  }
  const text = parts.join(" \u00b7 ");
  const element = $("error");
  element.textContent = text;
  element.hidden = !text;
}

// ---------------------------------------------------------------- network diagram

function createMapCanvas(className, size) {
  const canvas = document.createElement("canvas");
  canvas.className = className;
  canvas.width = size;
  canvas.height = size;
  return canvas;
}

function renderHiddenLayers(hidden) {
  const container = $("hidden-layers");
  const shape = hidden.join(",");
  $("layer-count").textContent = String(hidden.length);
  $("layer-word").textContent = hidden.length === 1 ? "hidden layer" : "hidden layers";
  $("add-layer").disabled = hidden.length >= MAX_LAYERS;
  $("remove-layer").disabled = hidden.length === 0;
  if (container.dataset.shape === shape) return;
  container.dataset.shape = shape;
  container.replaceChildren(...hidden.map((count, layer) => buildLayerColumn(count, layer)));
  if (hidden.length === 0) {
    const empty = document.createElement("p");
    empty.className = "column-hint";
    empty.textContent = "No hidden layers: the inputs feed the output directly.";
    container.append(empty);
  }
  scheduleRender();
}

function buildLayerColumn(count, layer) {
  const column = document.createElement("div");
  column.className = "layer";
  column.dataset.layer = String(layer);
  column.innerHTML = `<div class="layer-header">
      <button type="button" class="round-button small add-neuron" data-layer="${layer}" title="Add a neuron" aria-label="Add neuron to layer ${layer + 1}" ${count >= MAX_NEURONS ? "disabled" : ""}>+</button>
      <button type="button" class="round-button small remove-neuron" data-layer="${layer}" title="Remove a neuron" aria-label="Remove neuron from layer ${layer + 1}" ${count <= 1 ? "disabled" : ""}>&minus;</button>
    </div>
    <div class="layer-caption">${count} neuron${count === 1 ? "" : "s"}</div>`;
  const neurons = document.createElement("div");
  neurons.className = "neurons";
  const shown = Number.isInteger(count) ? Math.max(0, Math.min(count, MAX_NEURONS)) : 0;
  for (let i = 0; i < shown; i += 1) {
    const canvas = createMapCanvas("neuron", NEURON_MAP_SIZE);
    canvas.dataset.layer = String(layer);
    canvas.dataset.index = String(i);
    fillNeutral(canvas);
    neurons.append(canvas);
  }
  column.append(neurons);
  return column;
}

// True when the snapshot describes the network the page shows for these settings.
function snapshotMatches(snapshot, config) {
  const { layers, inputs } = snapshot;
  const hidden = config.hidden;
  if (!Array.isArray(layers) || !Array.isArray(inputs) || layers.length !== hidden.length + 2
    || !hidden.every((n, i) => layers[i + 1] === n)) return false;
  if (problemOf(config) === "digits") return snapshot.problem === "digits";
  return snapshot.problem !== "digits"
    && inputs.length === config.features.length
    && inputs.every((name) => config.features.includes(name));
}

// Each hidden neuron's map over the plane; plain units for the digits (no plane).
function renderNeurons(snapshot) {
  const maps = snapshot.grid?.neurons ?? [];
  const size = snapshot.grid?.neuron_size;
  document.querySelectorAll("#hidden-layers canvas.neuron").forEach((canvas, i) => {
    if (maps[i] && size) drawHeatmap(canvas, maps[i], size, 1 / maxAbs(maps[i]));
    else fillNeutral(canvas);
  });
}

// The elements each layer's units are drawn as: the features (or the digits' one box of 64
// pixels), the hidden neurons, and run A's output (the map, or the digits' accuracy panel).
function unitAnchors(snapshot) {
  const digits = snapshot.problem === "digits";
  const inputs = digits ? [$("pixel-input")]
    : snapshot.inputs.map((name) => $(`feature-${name}`)?.closest(".feature").querySelector("canvas"));
  const hidden = [...document.querySelectorAll("#hidden-layers .layer")].map((column) => [...column.querySelectorAll("canvas.neuron")]);
  return [inputs, ...hidden, [digits ? $("digits-a") : $("output-map")]];
}

function drawWeights(snapshot, matches) {
  const network = $("network");
  const { ctx } = fitCanvas($("weights-overlay")); // the overlay covers the whole network
  if (!matches || !Array.isArray(snapshot.weights)) return;
  const origin = network.getBoundingClientRect();
  const columns = unitAnchors(snapshot).map((units) => units.map((el) => el?.getBoundingClientRect()));
  ctx.lineCap = "round";
  const link = (source, target, w, neutral) => {
    const x0 = source.right - origin.left;
    const y0 = source.top + source.height / 2 - origin.top;
    const x1 = target.left - origin.left;
    const y1 = target.top + target.height / 2 - origin.top;
    const magnitude = Math.min(Math.abs(w), 3);
    const alpha = 0.3 + 0.7 * Math.min(magnitude, 1);
    ctx.strokeStyle = neutral ? `rgba(107,114,128,${alpha})` : w >= 0 ? `rgba(8,119,189,${alpha})` : `rgba(245,147,34,${alpha})`;
    ctx.lineWidth = 0.5 + magnitude * 1.8;
    const mid = (x0 + x1) / 2;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.bezierCurveTo(mid, y0, mid, y1, x1, y1);
    ctx.stroke();
  };
  snapshot.weights.forEach((matrix, l) => {
    const sources = columns[l];
    const targets = columns[l + 1];
    if (!sources || !targets || !Array.isArray(matrix)) return;
    // One box for many units (the digits' 64 pixels, their 10 classes): one grey line per unit
    // on the other side, as thick as the root mean square of its weights to or from the box.
    const mergeRows = sources.length === 1 && matrix.length > 1;
    const mergeColumns = targets.length === 1 && (matrix[0]?.length ?? 0) > 1;
    if (!mergeRows && !mergeColumns) {
      matrix.forEach((row, i) => row.forEach((w, j) => {
        if (sources[i] && targets[j] && Number.isFinite(w)) link(sources[i], targets[j], w, false);
      }));
      return;
    }
    const sums = new Map();
    matrix.forEach((row, i) => row.forEach((w, j) => {
      if (!Number.isFinite(w)) return;
      const key = `${mergeRows ? 0 : i},${mergeColumns ? 0 : j}`;
      const [sum, count] = sums.get(key) ?? [0, 0];
      sums.set(key, [sum + w * w, count + 1]);
    }));
    for (const [key, [sum, count]] of sums) {
      const [i, j] = key.split(",").map(Number);
      if (sources[i] && targets[j]) link(sources[i], targets[j], Math.sqrt(sum / count), true);
    }
  });
}

// ---------------------------------------------------------------- snapshot rendering

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

function formatLoss(value) {
  return Number.isFinite(value) ? value.toFixed(3) : "\u2013";
}

// A run's output: its map over the plane, or for the digits its accuracy and weight images.
function renderOutput(snapshot, suffix) {
  if (problemOf(runA.config) === "digits") renderDigitPanel(snapshot, suffix);
  else drawOutputMap($(`output-map${suffix}`), snapshot, $("show-test").checked);
}

// Both runs' outputs, losses and curves; the edited run's epoch, network and views.
function render() {
  const snapshotA = runA.lastSnapshot;
  const snapshotB = runB?.lastSnapshot ?? null;
  renderScores(snapshotA, "", formatLoss);
  if (snapshotA) renderOutput(snapshotA, "");
  if (runB) {
    renderScores(snapshotB, "-b", formatLoss);
    renderOutput(snapshotB, "-b");
  }
  lossChart?.update(snapshotA?.losses ?? [], runB ? snapshotB?.losses ?? [] : null);
  if (snapshotA || snapshotB) setPlaying(runs().some((run) => run.lastSnapshot?.playing));
  setError("snapshot", snapshotA?.error);
  setError("snapshotB", snapshotB?.error);
  const run = editedRun();
  const snapshot = run.lastSnapshot;
  if (!snapshot) {
    drawWeights(null, false);
    return;
  }
  $("epoch").textContent = String(snapshot.epoch ?? 0);
  const matches = snapshotMatches(snapshot, run.config);
  if (matches) renderNeurons(snapshot);
  drawWeights(snapshot, matches);
  renderSchedule(snapshot);
  renderViews(snapshot);
}

// ---------------------------------------------------------------- start

function start() {
  buildControls();
  const { a, b } = hashState(location.hash);
  runA = makeRun("", a);
  lossChart = new LossChart($("loss-chart"));
  bindControls();
  fillNeutral($("output-map"));
  fillNeutral($("output-map-b"));
  runA.create();
  setComparing(Boolean(b), b);
}

start();
