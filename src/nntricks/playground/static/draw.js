// Drawing helpers shared by the page's modules: the orange-to-blue palette of the maps,
// canvases sized for the screen, and number formats.

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
