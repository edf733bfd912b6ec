// Drawing helpers shared by the page's modules: the orange-to-blue palette of the maps, heat
// maps and the output map, canvases sized for the screen, and number formats.

export const NEGATIVE_COLOR = "#f59322";
export const POSITIVE_COLOR = "#0877bd";
const NEGATIVE_RGB = [245, 147, 34]; // NEGATIVE_COLOR
const NEUTRAL_RGB = [246, 246, 246];
const POSITIVE_RGB = [8, 119, 189]; // POSITIVE_COLOR
export const PALETTE = buildPalette(256);
export const FADED_PALETTE = buildPalette(256, 0.7); // output map background, so the data points stand out

function buildPalette(steps, strength = 1) {
  const palette = new Uint8ClampedArray(steps * 3);
  for (let i = 0; i < steps; i += 1) {
    const t = (i / (steps - 1)) * 2 - 1;
    const [from, to, f] = t < 0 ? [NEUTRAL_RGB, NEGATIVE_RGB, -t * strength] : [NEUTRAL_RGB, POSITIVE_RGB, t * strength];
    for (let c = 0; c < 3; c += 1) palette[i * 3 + c] = from[c] + (to[c] - from[c]) * f;
  }
  return palette;
}

export function paletteIndex(value) {
  if (!Number.isFinite(value)) return 127;
  const t = Math.max(-1, Math.min(1, value));
  return Math.round(((t + 1) / 2) * 255);
}

export function colorOf(value) {
  const k = paletteIndex(value) * 3;
  return `rgb(${PALETTE[k]},${PALETTE[k + 1]},${PALETTE[k + 2]})`;
}

// A data point's colour, as on the output map: its class, or its target on the palette.
export function pointColor(y, regression) {
  if (regression) return colorOf(y);
  return y > 0 ? POSITIVE_COLOR : NEGATIVE_COLOR;
}

// The canvas's 2-D context in CSS pixels, its backing store matched to its size on screen.
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

// Three significant digits, in exponent form (3.2e-9) when very small or very large.
export function formatCompact(value) {
  if (!Number.isFinite(value)) return "\u2013";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  const rounded = Number(value.toPrecision(3));
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(rounded);
  return formatExponent(rounded);
}

// Exponent form with `digits` decimals, or as many as needed when none are given: 3.2e-9, 1e-6.
export function formatExponent(value, digits) {
  if (!Number.isFinite(value)) return "\u2013";
  if (value === 0) return "0";
  return value.toExponential(digits).replace("e+", "e");
}

// ---------------------------------------------------------------- heat maps

const heatmapBuffers = new Map();

export function maxAbs(values) {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m > 1e-12 ? m : 1;
}

// Draw an n×n row-major grid (row 0 at the top) scaled to the whole canvas.
export function drawHeatmap(canvas, values, n, scale = 1, palette = PALETTE) {
  if (!heatmapBuffers.has(n)) {
    const buffer = document.createElement("canvas");
    buffer.width = n;
    buffer.height = n;
    heatmapBuffers.set(n, buffer);
  }
  const buffer = heatmapBuffers.get(n);
  const bufferCtx = buffer.getContext("2d");
  const image = bufferCtx.createImageData(n, n);
  fillImage(image, values, scale, palette);
  bufferCtx.putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(buffer, 0, 0, canvas.width, canvas.height);
}

// The pixels of `image` coloured from `values` (one per pixel, row-major) times `scale`.
export function fillImage(image, values, scale = 1, palette = PALETTE) {
  const count = image.width * image.height;
  for (let i = 0; i < count; i += 1) {
    const k = paletteIndex(values[i] * scale) * 3;
    image.data[i * 4] = palette[k];
    image.data[i * 4 + 1] = palette[k + 1];
    image.data[i * 4 + 2] = palette[k + 2];
    image.data[i * 4 + 3] = 255;
  }
}

export function fillNeutral(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = colorOf(0);
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}

export function drawFeatureMap(canvas, fn) {
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

// A run's output over the plane with its training points (and test points when showTest),
// drawn at the canvas's size on screen.
export function drawOutputMap(canvas, snapshot, showTest) {
  const dpr = window.devicePixelRatio || 1;
  const cssSize = canvas.clientWidth || 300;
  const size = Math.round(cssSize * dpr);
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const grid = snapshot?.grid;
  if (grid && Array.isArray(grid.output) && grid.size) drawHeatmap(canvas, grid.output, grid.size, 1, FADED_PALETTE);
  else fillNeutral(canvas);
  if (!snapshot) return;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const extent = grid?.extent || 6;
  const toPixel = (x, y) => [((x + extent) / (2 * extent)) * cssSize, ((extent - y) / (2 * extent)) * cssSize];
  const regression = snapshot.problem === "regression";
  const radius = Math.max(2.5, (3.5 * cssSize) / 300);
  const drawPoints = (points, edge) => {
    ctx.strokeStyle = edge;
    ctx.lineWidth = 1;
    for (const [x1, x2, y] of points ?? []) {
      const [px, py] = toPixel(x1, x2);
      ctx.fillStyle = pointColor(y, regression);
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  };
  drawPoints(snapshot.points?.train, "#ffffff");
  if (showTest) drawPoints(snapshot.points?.test, "#1f2328");
}
