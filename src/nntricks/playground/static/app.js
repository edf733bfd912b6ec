// nntricks playground: browser client. Talks to the local server with JSON requests
// and renders the Server-Sent Events snapshots of a training run.

import { FADED_PALETTE, PALETTE, colorOf, paletteIndex, pointColor } from "./draw.js";
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
];
const REGRESSION_DATASETS = new Set(["plane", "multigauss"]);
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
const OUTPUT_MAP_SIZE = 300;

const $ = (id) => document.getElementById(id);

// Public state, read by tests.
const state = (window.playground = { runId: null, config: null, lastSnapshot: null, snapshotsReceived: 0 });

let eventSource = null;
let pendingRunCreation = null;
let playing = false;
let editVersion = 0;
let syncTimer = null;
let recoverTimer = null;
let renderPending = false;
let lossChart = null;
let lossChartKey = "";
const errors = { request: null, snapshot: null, stream: null };
const heatmapBuffers = new Map();

// ---------------------------------------------------------------- config <-> URL

function cloneConfig(config) {
  return { ...config, features: [...config.features], hidden: [...config.hidden] };
}

// Missing fields fall back to the defaults. Values that are present are passed on as written,
// even when out of range: the server validates them and its 400 message names the bad field.
function configFromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const config = cloneConfig(DEFAULT_CONFIG);
  const asNumber = (raw) => (raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw);
  for (const key of CONFIG_KEYS) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
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

function configToHash(config) {
  return CONFIG_KEYS.map((key) => {
    const value = Array.isArray(config[key]) ? config[key].join(",") : String(config[key]);
    return `${key}=${encodeURIComponent(value).replace(/%2C/g, ",").replace(/%5E/g, "^")}`;
  }).join("&");
}

function writeHash() {
  history.replaceState(null, "", `#${configToHash(state.config)}`);
}

function isRegression(config) {
  return REGRESSION_DATASETS.has(config.dataset);
}

// ---------------------------------------------------------------- server calls

async function api(method, path, body) {
  const options = { method };
  if (body !== undefined) {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(path, options);
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const message = (data && data.error) || `${method} ${path} failed (HTTP ${response.status})`;
      setError("request", message);
      return { ok: false, status: response.status, body: data };
    }
    setError("request", null);
    return { ok: true, status: response.status, body: data };
  } catch (err) {
    setError("request", `Cannot reach the server (${err.message})`);
    return { ok: false, status: 0, body: null };
  }
}

function createRun() {
  if (!pendingRunCreation) {
    pendingRunCreation = (async () => {
      const version = editVersion;
      const result = await api("POST", "/api/runs", state.config);
      if (result.ok) {
        state.runId = result.body.id;
        if (version === editVersion) adoptServerConfig(result.body.config);
        openEventStream();
      }
      return result.ok;
    })().finally(() => { pendingRunCreation = null; });
  }
  return pendingRunCreation;
}

async function ensureRun() {
  if (pendingRunCreation) await pendingRunCreation;
  return state.runId !== null || createRun();
}

async function syncConfig() {
  clearTimeout(syncTimer);
  if (pendingRunCreation) await pendingRunCreation;
  if (state.runId === null) return createRun();
  const version = editVersion;
  const result = await api("PUT", `/api/runs/${encodeURIComponent(state.runId)}/config`, state.config);
  if (result.ok && version === editVersion) adoptServerConfig(result.body.config);
  if (result.status === 404) return recreateRun();
  return result.ok;
}

async function sendCommand(action) {
  if (!(await ensureRun())) return;
  const result = await api("POST", `/api/runs/${encodeURIComponent(state.runId)}/command`, { action });
  if (result.ok) setPlaying(result.body.playing);
  else if (result.status === 404 && (await recreateRun())) sendCommand(action);
}

// The library's gradient check on the run's network as it is now, shown in a table.
async function checkGradient() {
  const button = $("gradcheck");
  button.disabled = true;
  renderGradcheckMessage("Checking\u2026");
  try {
    if (!(await ensureRun())) {
      renderGradcheckMessage("No run to check: see the message above.", "failed");
      return;
    }
    let epoch = state.lastSnapshot?.epoch ?? 0;
    let result = await api("POST", `/api/runs/${encodeURIComponent(state.runId)}/gradcheck`);
    if (result.status === 404 && (await recreateRun())) {
      epoch = 0; // a fresh network
      result = await api("POST", `/api/runs/${encodeURIComponent(state.runId)}/gradcheck`);
    }
    if (result.ok) renderGradcheck(result.body, epoch);
    else renderGradcheckMessage(result.body?.error ?? "The gradient check failed: see the message above.", "failed");
  } finally {
    button.disabled = false;
  }
}

function recreateRun() {
  eventSource?.close();
  eventSource = null;
  state.runId = null;
  return createRun();
}

function deleteRunOnExit() {
  eventSource?.close();
  eventSource = null;
  if (state.runId === null) return;
  fetch(`/api/runs/${encodeURIComponent(state.runId)}`, { method: "DELETE", keepalive: true }).catch(() => {});
  state.runId = null;
}

function openEventStream() {
  eventSource?.close();
  clearTimeout(recoverTimer);
  const source = new EventSource(`/api/runs/${encodeURIComponent(state.runId)}/events`);
  eventSource = source;
  source.onopen = () => setError("stream", null);
  source.onmessage = (event) => {
    let snapshot;
    try {
      snapshot = JSON.parse(event.data);
    } catch {
      return;
    }
    state.lastSnapshot = snapshot;
    state.snapshotsReceived += 1;
    setError("stream", null);
    scheduleRender();
  };
  source.onerror = () => {
    if (source !== eventSource) return;
    setError("stream", "disconnected");
    // The browser retries by itself unless the stream was refused; then check the run still exists.
    if (source.readyState === EventSource.CLOSED) recoverTimer = setTimeout(recoverStream, 3000);
  };
}

async function recoverStream() {
  if (state.runId === null) return createRun();
  const ok = await syncConfig(); // a 404 here recreates the run
  if (ok && eventSource?.readyState === EventSource.CLOSED) openEventStream();
  else if (!ok) recoverTimer = setTimeout(recoverStream, 3000);
}

function adoptServerConfig(serverConfig) {
  if (!serverConfig || typeof serverConfig !== "object") return;
  const merged = cloneConfig(state.config);
  for (const key of CONFIG_KEYS) if (key in serverConfig) merged[key] = serverConfig[key];
  merged.features = FEATURES.filter((name) => merged.features.includes(name));
  state.config = merged;
  writeControls(merged);
  writeHash();
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
  $("problem").textContent = isRegression(config) ? "Regression" : "Classification";
  showApplicableTricks(config);
  renderHiddenLayers(config.hidden);
}

function readControlValue(key) {
  const element = $(key);
  if (key in RANGES) {
    const [low, high] = RANGES[key];
    const value = Math.round(Number(element.value));
    return Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : state.config[key];
  }
  if (CHECKBOXES.includes(key)) return element.checked;
  return typeof CHOICES[key][0] === "number" ? Number(element.value) : element.value;
}

// Apply a change made in the page: update state, URL and controls, then tell the server.
function changeConfig(patch, { debounce = false } = {}) {
  state.config = { ...cloneConfig(state.config), ...patch };
  editVersion += 1;
  writeControls(state.config);
  writeHash();
  clearTimeout(syncTimer);
  if (debounce) syncTimer = setTimeout(syncConfig, 150);
  else syncConfig();
}

function onFeatureToggle(event) {
  const name = event.target.dataset.feature;
  const features = FEATURES.filter((f) => (f === name ? event.target.checked : state.config.features.includes(f)));
  if (features.length === 0) {
    event.target.checked = true; // at least one input is required
    return;
  }
  changeConfig({ features });
}

// Only the layer count or the neuron count that changed must be valid, so a bad value
// that came from the address can still be edited away.
function changeHidden(update) {
  const before = state.config.hidden;
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
  window.addEventListener("hashchange", () => changeConfig(configFromHash(location.hash)));
  window.addEventListener("resize", scheduleRender);
  window.addEventListener("pagehide", deleteRunOnExit);
  window.addEventListener("beforeunload", deleteRunOnExit);
  window.addEventListener("pageshow", (event) => { if (event.persisted) createRun(); });
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

function setError(kind, message) {
  errors[kind] = message || null;
  const text = [errors.request, errors.snapshot, errors.stream].filter(Boolean).join(" \u00b7 ");
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

// True when the snapshot describes the network currently shown on the page.
function snapshotMatchesPage(snapshot) {
  const { layers, inputs } = snapshot;
  const hidden = state.config.hidden;
  return Array.isArray(layers) && Array.isArray(inputs)
    && layers.length === hidden.length + 2
    && hidden.every((n, i) => layers[i + 1] === n)
    && inputs.length === state.config.features.length
    && inputs.every((name) => state.config.features.includes(name));
}

function renderNeurons(snapshot) {
  const maps = snapshot.grid?.neurons ?? [];
  const size = snapshot.grid?.neuron_size;
  document.querySelectorAll("#hidden-layers canvas.neuron").forEach((canvas, i) => {
    if (maps[i] && size) drawHeatmap(canvas, maps[i], size, 1 / maxAbs(maps[i]));
    else fillNeutral(canvas);
  });
}

function unitAnchors(snapshot) {
  const inputs = snapshot.inputs.map((name) => $(`feature-${name}`)?.closest(".feature").querySelector("canvas"));
  const hidden = [...document.querySelectorAll("#hidden-layers .layer")].map((column) => [...column.querySelectorAll("canvas.neuron")]);
  return [inputs, ...hidden, [$("output-map")]];
}

function drawWeights(snapshot, matches) {
  const network = $("network");
  const canvas = $("weights-overlay");
  const dpr = window.devicePixelRatio || 1;
  const width = network.clientWidth;
  const height = network.clientHeight;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (!matches || !Array.isArray(snapshot.weights)) return;
  const origin = network.getBoundingClientRect();
  const columns = unitAnchors(snapshot).map((units) => units.map((el) => el?.getBoundingClientRect()));
  ctx.lineCap = "round";
  snapshot.weights.forEach((matrix, l) => {
    const sources = columns[l];
    const targets = columns[l + 1];
    if (!sources || !targets) return;
    matrix.forEach((row, i) => row.forEach((w, j) => {
      if (!sources[i] || !targets[j] || !Number.isFinite(w)) return;
      const x0 = sources[i].right - origin.left;
      const y0 = sources[i].top + sources[i].height / 2 - origin.top;
      const x1 = targets[j].left - origin.left;
      const y1 = targets[j].top + targets[j].height / 2 - origin.top;
      const magnitude = Math.min(Math.abs(w), 3);
      const alpha = 0.3 + 0.7 * Math.min(magnitude, 1);
      ctx.strokeStyle = w >= 0 ? `rgba(8,119,189,${alpha})` : `rgba(245,147,34,${alpha})`;
      ctx.lineWidth = 0.5 + magnitude * 1.8;
      const mid = (x0 + x1) / 2;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.bezierCurveTo(mid, y0, mid, y1, x1, y1);
      ctx.stroke();
    }));
  });
}

// ---------------------------------------------------------------- heat maps

function maxAbs(values) {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m > 1e-12 ? m : 1;
}

// Draw an n×n row-major grid (row 0 at the top) scaled to the whole canvas.
function drawHeatmap(canvas, values, n, scale = 1, palette = PALETTE) {
  if (!heatmapBuffers.has(n)) {
    const buffer = document.createElement("canvas");
    buffer.width = n;
    buffer.height = n;
    heatmapBuffers.set(n, buffer);
  }
  const buffer = heatmapBuffers.get(n);
  const bufferCtx = buffer.getContext("2d");
  const image = bufferCtx.createImageData(n, n);
  for (let i = 0; i < n * n; i += 1) {
    const k = paletteIndex(values[i] * scale) * 3;
    image.data[i * 4] = palette[k];
    image.data[i * 4 + 1] = palette[k + 1];
    image.data[i * 4 + 2] = palette[k + 2];
    image.data[i * 4 + 3] = 255;
  }
  bufferCtx.putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(buffer, 0, 0, canvas.width, canvas.height);
}

function fillNeutral(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = colorOf(0);
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}

function drawFeatureMap(canvas, fn) {
  const n = 40;
  const values = new Float32Array(n * n);
  for (let row = 0; row < n; row += 1) {
    for (let col = 0; col < n; col += 1) {
      const x1 = -6 + (12 * (col + 0.5)) / n;
      const x2 = 6 - (12 * (row + 0.5)) / n;
      values[row * n + col] = fn(x1, x2);
    }
  }
  drawHeatmap(canvas, values, n);
}

function drawOutputMap(snapshot) {
  const canvas = $("output-map");
  const dpr = window.devicePixelRatio || 1;
  const size = Math.round(OUTPUT_MAP_SIZE * dpr);
  if (canvas.width !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const grid = snapshot.grid;
  if (grid && Array.isArray(grid.output) && grid.size) drawHeatmap(canvas, grid.output, grid.size, 1, FADED_PALETTE);
  else fillNeutral(canvas);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const extent = grid?.extent || 6;
  const toPixel = (x, y) => [((x + extent) / (2 * extent)) * OUTPUT_MAP_SIZE, ((extent - y) / (2 * extent)) * OUTPUT_MAP_SIZE];
  const regression = snapshot.problem === "regression";
  const drawPoints = (points, edge) => {
    ctx.strokeStyle = edge;
    ctx.lineWidth = 1;
    for (const [x1, x2, y] of points ?? []) {
      const [px, py] = toPixel(x1, x2);
      ctx.fillStyle = pointColor(y, regression);
      ctx.beginPath();
      ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  };
  drawPoints(snapshot.points?.train, "#ffffff");
  if ($("show-test").checked) drawPoints(snapshot.points?.test, "#1f2328");
}

// ---------------------------------------------------------------- loss chart

function createLossChart() {
  const container = $("loss-chart");
  if (typeof window.uPlot !== "function") return null;
  const axis = { stroke: "#6b7280", font: "10px system-ui, sans-serif", grid: { stroke: "#eceef1", width: 1 }, ticks: { show: false } };
  return new window.uPlot({
    width: container.clientWidth || 300,
    height: 120,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [{ ...axis, size: 22 }, { ...axis, size: 40 }],
    series: [
      {},
      { label: "Training loss", stroke: "#9aa3ad", width: 1.5, points: { show: false } },
      { label: "Test loss", stroke: "#1f2328", width: 1.5, points: { show: false } },
    ],
  }, [[], [], []], container);
}

function updateLossChart(losses) {
  if (!lossChart || !Array.isArray(losses)) return;
  const last = losses[losses.length - 1];
  const key = `${losses.length}:${last ? last.join(",") : ""}`;
  if (key === lossChartKey) return;
  lossChartKey = key;
  const finite = (v) => (Number.isFinite(v) ? v : null);
  lossChart.setData([losses.map((p) => p[0]), losses.map((p) => finite(p[1])), losses.map((p) => finite(p[2]))]);
}

// ---------------------------------------------------------------- snapshot rendering

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    if (state.lastSnapshot) renderSnapshot(state.lastSnapshot);
    else drawWeights(null, false);
  });
}

function formatLoss(value) {
  return Number.isFinite(value) ? value.toFixed(3) : "\u2013";
}

function renderSnapshot(snapshot) {
  $("epoch").textContent = String(snapshot.epoch ?? 0);
  $("train-loss").textContent = formatLoss(snapshot.train_loss);
  $("test-loss").textContent = formatLoss(snapshot.test_loss);
  setPlaying(snapshot.playing);
  setError("snapshot", snapshot.error);
  drawOutputMap(snapshot);
  updateLossChart(snapshot.losses);
  const matches = snapshotMatchesPage(snapshot);
  if (matches) renderNeurons(snapshot);
  drawWeights(snapshot, matches);
  renderSchedule(snapshot);
  renderViews(snapshot);
}

// ---------------------------------------------------------------- start

function start() {
  buildControls();
  state.config = configFromHash(location.hash);
  writeControls(state.config);
  writeHash();
  bindControls();
  fillNeutral($("output-map"));
  lossChart = createLossChart();
  createRun();
}

start();
