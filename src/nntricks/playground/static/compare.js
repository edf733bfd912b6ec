// A/B comparison: a second run B beside run A, on the same data. The data settings are shared,
// everything else is B's own. This module holds which settings are which, B's part of the
// address, the short line that says how B differs from A, and the page's layout for the two.

import { formatCompact, formatExponent } from "./draw.js";
import { trickApplies } from "./tricks.js";

const $ = (id) => document.getElementById(id);

// The settings that fix the data: changing them changes both runs.
export const SHARED_KEYS = new Set(["dataset", "noise", "train_percent", "seed", "features", "batch_size"]);
export const B_PREFIX = "b.";

export function perRunKeys(keys) {
  return keys.filter((key) => !SHARED_KEYS.has(key));
}

// The address's part for B: "compare=1" and B's own settings that differ from A's.
export function compareHash(configA, configB, keys, encode) {
  const differing = perRunKeys(keys).filter((key) => encode(configA[key]) !== encode(configB[key]));
  return ["compare=1", ...differing.map((key) => `${B_PREFIX}${key}=${encode(configB[key])}`)].join("&");
}

export function compareRequested(params) {
  return ["1", "true", "yes"].includes((params.get("compare") ?? "").toLowerCase());
}

// ---------------------------------------------------------------- how B differs from A

const SHORT = {
  hidden: (c) => (c.hidden.length ? `layers ${c.hidden.join("-")}` : "no hidden layer"),
  activation: (c) => c.activation,
  learning_rate: (c) => `rate ${formatCompact(c.learning_rate)}`,
  regularization: (c) => (c.regularization === "none" ? "no penalty" : c.regularization.toUpperCase()),
  regularization_rate: (c) => `\u03bb ${formatCompact(c.regularization_rate)}`,
  dropout: (c) => (c.dropout ? `dropout ${c.dropout}` : "no dropout"),
  init: (c) => `${c.init} init`,
  init_std: (c) => `\u03c3 ${c.init_std}`,
  optimizer: (c) => (c.optimizer === "adam_notes" ? "adam (notes)" : c.optimizer),
  momentum: (c) => `\u03bc ${c.momentum}`,
  beta_1: (c) => `\u03b21 ${c.beta_1}`,
  beta_2: (c) => `\u03b22 ${c.beta_2}`,
  rho: (c) => `\u03c1 ${c.rho}`,
  epsilon: (c) => `\u03b5 ${formatExponent(c.epsilon)}`,
  schedule: (c) => (c.schedule === "constant" ? "constant rate" : `${c.schedule} decay`),
  decay_every: (c) => `every ${c.decay_every}`,
  decay_factor: (c) => `\u00d7${c.decay_factor}`,
  decay_rate: (c) => `k ${c.decay_rate}`,
  tau: (c) => `\u03c4 ${c.tau}`,
  fan_in: (c) => (c.fan_in ? "fan-in scaling" : "no fan-in scaling"),
  preprocess: (c) => (c.preprocess === "none" ? "raw inputs" : c.preprocess),
};

function matters(key, config) {
  if (key === "regularization_rate") return config.regularization !== "none";
  return trickApplies(key, config);
}

// The settings, of those that matter, in which B differs from A.
export function differences(configA, configB, keys) {
  return perRunKeys(keys).filter((key) => SHORT[key]
    && JSON.stringify(configA[key]) !== JSON.stringify(configB[key])
    && (matters(key, configA) || matters(key, configB)));
}

// Each run's values of the settings in which they differ: "tanh, sgd" and "relu, adam".
export function renderSummaries(configA, configB, keys) {
  const keysDiffering = configB ? differences(configA, configB, keys) : [];
  const line = (config) => keysDiffering.map((key) => SHORT[key](config)).join(", ");
  const summaryA = configB && keysDiffering.length ? `: ${line(configA)}` : "";
  const summaryB = !configB ? "" : keysDiffering.length ? `: ${line(configB)}` : ": same settings as A";
  for (const [id, text] of [["summary-a", summaryA], ["summary-b", summaryB]]) {
    $(id).textContent = text;
    $(id).closest(".run-label").title = `Run ${id.slice(-1).toUpperCase()}${text}`;
  }
}

// ---------------------------------------------------------------- layout

// One output or two side by side; which run the controls, the diagram and the views show.
export function renderCompareLayout(comparing, editing) {
  $("compare").checked = comparing;
  $("edit-a").closest(".edit-switch").hidden = !comparing;
  for (const run of ["a", "b"]) {
    const button = $(`edit-${run}`);
    button.classList.toggle("active", run === editing);
    button.setAttribute("aria-pressed", String(run === editing));
  }
  $("network").classList.toggle("comparing", comparing);
  $("output-b").hidden = !comparing;
  for (const panel of document.querySelectorAll(".output-panel")) {
    panel.classList.toggle("editing", comparing && panel.dataset.run === editing);
    panel.title = comparing && panel.dataset.run !== editing ? `Click to edit run ${panel.dataset.run.toUpperCase()}` : "";
  }
  const table = document.querySelector(".loss-values");
  table.classList.toggle("comparing", comparing);
  table.querySelector("tr.run-b").hidden = !comparing;
  for (const tag of document.querySelectorAll(".run-tag")) {
    tag.hidden = !comparing;
    tag.textContent = `run ${editing.toUpperCase()}`;
    tag.classList.toggle("run-b", editing === "b");
  }
}
