"""The playground's 2-D data sets and input features, after TensorFlow's Neural Network Playground.

Every data set is 500 points in the square [-6, 6]², drawn from a seed, with a noise level from 0
to 50 %. Classification sets label each point -1 or 1; regression sets give a value in [-1, 1].
The network sees the chosen *features* of a point, e.g. ``x1``, ``x1^2``, ``sin_x2``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["CLASSIFICATION", "DATASETS", "DIGITS", "EXTENT", "FEATURES", "REGRESSION", "features",
           "make_dataset"]

EXTENT = 6.0
"""Points and maps cover [-EXTENT, EXTENT]² (the data sets themselves reach ±5 or ±6)."""
N_POINTS = 500


def _circle(n, noise, rng):
    radius = 5.0
    inner = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, inner), rng.uniform(radius * 0.7, radius,
                                                                         n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = points + rng.uniform(-radius, radius, (n, 2)) * noise
    return points, np.where(np.hypot(*shifted.T) < radius * 0.5, 1.0, -1.0)


def _xor(n, noise, rng):
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)  # keep off the axes
    shifted = points + rng.uniform(-5, 5, (n, 2)) * noise
    return points, np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)


def _gauss(n, noise, rng):
    spread = 0.5 + 3.5 * noise / 0.5  # TensorFlow's variance scale: 0.5 at no noise, 4 at 50 %
    half = n // 2
    points = np.concatenate([rng.normal((2, 2), np.sqrt(spread), (half, 2)),
                             rng.normal((-2, -2), np.sqrt(spread), (n - half, 2))])
    return points, np.concatenate([np.ones(half), -np.ones(n - half)])


def _spiral(n, noise, rng):
    half = n // 2
    parts, labels = [], []
    for turn, label in ((0.0, 1.0), (np.pi, -1.0)):
        i = np.arange(half)
        r = i / half * 5
        t = 1.75 * i / half * 2 * np.pi + turn
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)])
                     + rng.uniform(-1, 1, (half, 2)) * noise)
        labels.append(np.full(half, label))
    return np.concatenate(parts), np.concatenate(labels)


def _plane(n, noise, rng):
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    shifted = points + rng.uniform(-EXTENT, EXTENT, (n, 2)) * noise
    return points, np.clip(shifted.sum(axis=1) / 10, -1, 1)


GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def _multigauss(n, noise, rng):
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    shifted = points + rng.uniform(-EXTENT, EXTENT, (n, 2)) * noise
    values = np.zeros(n)
    for cx, cy, sign in GAUSSIANS:
        bump = sign * np.clip(1 - np.hypot(shifted[:, 0] - cx, shifted[:, 1] - cy) / 2, 0, 1)
        values = np.where(np.abs(bump) > np.abs(values), bump, values)
    return points, values


CLASSIFICATION: dict[str, Callable] = {"circle": _circle, "xor": _xor, "gauss": _gauss,
                                       "spiral": _spiral}
REGRESSION: dict[str, Callable] = {"plane": _plane, "multigauss": _multigauss}
DATASETS = {**CLASSIFICATION, **REGRESSION}
DIGITS = "digits"
"""The real data set of the page: nntricks' bundled 8×8 digits (64 pixels, ten classes)."""


def make_dataset(name: str, noise: float, seed: int, n: int = N_POINTS) -> tuple[np.ndarray,
                                                                                 np.ndarray]:
    """``(points, targets)``: ``n`` points of shape ``(n, 2)`` and their labels (±1) or values.

    ``noise`` is a fraction in [0, 0.5]; the same name, noise and seed give the same points.
    """
    rng = np.random.default_rng(seed)
    points, targets = DATASETS[name](n, noise, rng)
    order = rng.permutation(len(points))  # so that any train/test cut mixes the classes
    return points[order], targets[order].astype(np.float64)


FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
"""The input features a point can offer the network, by name."""


def features(points: np.ndarray, names: list[str]) -> np.ndarray:
    """The columns ``names`` of :data:`FEATURES` for ``points`` of shape ``(n, 2)``, float32."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names]).astype(np.float32)
