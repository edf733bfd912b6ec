"""Weight initializers of the notes' §2.6; biases always start at zero.

Each initializer fills a weight matrix of shape ``(n_in, n_out)`` in place from a seeded
:class:`numpy.random.Generator`:

``xavier``
    Glorot & Bengio (2010): :math:`W \\sim U[-r, r]`, :math:`r = \\sqrt{6/(n_{in}+n_{out})}`,
    so that
    :math:`\\operatorname{Var} W = r^2/3 = 2/(n_{in}+n_{out})` keeps the variance of activations
    (forward) and of gradients (backward) roughly constant across sigmoid or tanh layers.
``normal``
    The notes' "small zero-mean normal": :math:`W \\sim \\mathcal N(0, \\sigma^2)`, ``std``
    default 0.01.
``he``
    He et al. (2015) for ReLU: :math:`W \\sim \\mathcal N(0, 2/n_{in})`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import check_choice, check_scalar

__all__ = ["INITIALIZERS", "get_initializer", "he_normal", "normal", "xavier_uniform"]

Initializer = Callable[[np.ndarray, np.random.Generator], None]


def xavier_uniform(weights: np.ndarray, rng: np.random.Generator) -> None:
    """Fill ``weights`` (shape ``(n_in, n_out)``) from :math:`U[\\pm\\sqrt{6/(n_{in}+n_{out})}]`."""
    n_in, n_out = weights.shape
    bound = np.sqrt(6.0 / (n_in + n_out))
    weights[...] = rng.uniform(-bound, bound, size=weights.shape)


def he_normal(weights: np.ndarray, rng: np.random.Generator) -> None:
    """Fill ``weights`` (shape ``(n_in, n_out)``) from :math:`\\mathcal N(0, 2/n_{in})`."""
    n_in = weights.shape[0]
    weights[...] = rng.normal(0.0, np.sqrt(2.0 / n_in), size=weights.shape)


def normal(std: float = 0.01) -> Initializer:
    """Return an initializer filling weights from :math:`\\mathcal N(0, \\mathrm{std}^2)`.

    Parameters
    ----------
    std : float, default=0.01
        Standard deviation; must be positive.
    """
    check_scalar(std, "std", low=0, low_inclusive=False)

    def initialize(weights: np.ndarray, rng: np.random.Generator) -> None:
        weights[...] = rng.normal(0.0, std, size=weights.shape)

    initialize.std = std  # type: ignore[attr-defined]
    return initialize


INITIALIZERS = {"xavier": lambda: xavier_uniform, "he": lambda: he_normal, "normal": normal}
"""Initializer factories by name: ``"xavier"``, ``"he"``, ``"normal"`` (takes ``std``)."""


def get_initializer(init: str | Initializer, **params: float) -> Initializer:
    """Return the initializer for a name (``"xavier"``, ``"he"``, ``"normal"``) or a callable.

    Parameters
    ----------
    init : str or callable
        A name of ``INITIALIZERS`` or a function ``init(weights, rng)`` filling ``weights``.
    **params
        Parameters of the named initializer (``std`` for ``"normal"``).
    """
    if callable(init):
        return init
    check_choice(init, "init", tuple(INITIALIZERS))
    try:
        return INITIALIZERS[init](**params)
    except TypeError as error:
        raise ValueError(f"init {init!r} got unexpected parameters {params}") from error
