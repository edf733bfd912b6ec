// The digits, the real data set (8×8 images of handwritten digits, ten classes): the page's
// layout for them (no features, no noise, no maps over the plane) and what replaces the output
// map: the test accuracy, big, and each first-layer unit's weights as an 8×8 image.

import { PALETTE, fillImage, formatCompact, maxAbs } from "./draw.js";

const $ = (id) => document.getElementById(id);
const SIDE = 8;

export function formatAccuracy(value) {
  return Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : "\u2013";
}

// Show and hide what depends on the problem: "classification", "regression" or "digits".
export function applyProblemLayout(problem) {
  const digits = problem === "digits";
  $("network").classList.toggle("digits", digits);
  $("features").hidden = digits;
  $("features-hint").hidden = digits;
  $("pixels-note").hidden = !digits;
  $("pixel-input").hidden = !digits;
  $("noise").disabled = digits;
  $("noise").closest(".slider-field").classList.toggle("disabled", digits);
  $("noise").title = digits ? "The digits are real data: no noise to add" : "";
  $("show-test-label").hidden = digits;
  for (const suffix of ["", "-b"]) {
    $(`output-map${suffix}`).hidden = digits;
    $(`digits${suffix ? "-b" : "-a"}`).hidden = !digits;
  }
  $("legend-low").textContent = digits ? "\u2212w" : "\u22121";
  $("legend-high").textContent = digits ? "+w" : "1";
  for (const cell of document.querySelectorAll(".loss-values .accuracy-cell")) cell.hidden = problem === "regression";
}

// A run's losses and accuracies next to the chart (suffix "" for run A, "-b" for run B).
export function renderScores(snapshot, suffix, formatLoss) {
  $(`train-loss${suffix}`).textContent = formatLoss(snapshot?.train_loss);
  $(`test-loss${suffix}`).textContent = formatLoss(snapshot?.test_loss);
  $(`train-accuracy${suffix}`).textContent = formatAccuracy(snapshot?.train_accuracy);
  $(`test-accuracy${suffix}`).textContent = formatAccuracy(snapshot?.test_accuracy);
}

// The test accuracy and the first layer's weight images of a digits snapshot.
export function renderDigitPanel(snapshot, suffix) {
  $(`test-accuracy-big${suffix}`).textContent = formatAccuracy(snapshot?.test_accuracy);
  const container = $(`digit-weights${suffix}`);
  const units = Array.isArray(snapshot?.digit_weights) ? snapshot.digit_weights.filter((w) => Array.isArray(w) && w.length === SIDE * SIDE) : [];
  if (container.childElementCount !== units.length) {
    container.replaceChildren(...units.map((_, i) => {
      const canvas = document.createElement("canvas");
      canvas.className = "digit-weight";
      canvas.width = SIDE;
      canvas.height = SIDE;
      canvas.setAttribute("aria-label", `Unit ${i + 1}'s weights from the 8\u00d78 pixels`);
      return canvas;
    }));
  }
  container.style.setProperty("--columns", String(units.length > 8 ? 5 : Math.min(4, Math.max(1, units.length))));
  units.forEach((weights, i) => {
    const canvas = container.children[i];
    const largest = maxAbs(weights);
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(SIDE, SIDE);
    fillImage(image, weights, 1 / largest, PALETTE); // blue positive, orange negative, each unit on its own scale
    ctx.putImageData(image, 0, 0);
    canvas.title = `Unit ${i + 1}: largest |w| ${formatCompact(largest)}`;
  });
}
