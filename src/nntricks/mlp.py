"""The fully connected network every part of nntricks builds: one builder, used everywhere."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from ._validation import check_scalar
from .activations import ActivationFunction
from .backend import Backend
from .initializers import Initializer
from .layers import Activation, BatchNorm, Dense, Dropout, Layer
from .losses import Loss
from .network import Network
from .regularizers import Regularizer

__all__ = ["build_mlp", "per_layer"]


def per_layer(value, n_layers: int, name: str) -> list:
    """``value`` for each of ``n_layers`` hidden layers: one value for all, or one per layer."""
    if isinstance(value, str | numbers.Real | ActivationFunction) or callable(value):
        return [value] * n_layers
    values = list(value)
    if len(values) != n_layers:
        raise ValueError(f"{name} has {len(values)} entries for {n_layers} hidden layers")
    return values


def build_mlp(
    n_features: int,
    hidden_layer_sizes: Sequence[int],
    n_outputs: int,
    *,
    activation: str | ActivationFunction | Sequence[str | ActivationFunction] = "relu",
    activation_params: Mapping[str, float] | None = None,
    init: str | Initializer = "xavier",
    init_params: Mapping[str, float] | None = None,
    dropout: float | Sequence[float] = 0.0,
    input_dropout: float = 0.0,
    batch_norm: bool = False,
    loss: str | Loss = "softmax_cross_entropy",
    regularizers: Sequence[Regularizer] = (),
    dtype: type = np.float32,
    device: str | Backend = "cpu",
) -> Network:
    """A multi-layer perceptron: ``[Dropout]`` on the input, per hidden layer ``Dense →
    [BatchNorm] → activation → [Dropout]``, then an output ``Dense``.

    Parameters
    ----------
    n_features, n_outputs : int
        Input and output widths.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer (may be empty: a linear model).
    activation : str, ActivationFunction or sequence of them, default="relu"
        One for every hidden layer, or one per hidden layer.
    activation_params : mapping, optional
        Parameters of the activations, e.g. ``{"slope": 0.1}`` for ``"leaky_relu"``.
    init : str or callable, default="xavier"
        Initializer of every weight matrix (biases start at zero).
    init_params : mapping, optional
        Parameters of the initializer, e.g. ``{"std": 0.01}`` for ``"normal"``.
    dropout : float or sequence of float, default=0.0
        Drop rate after each hidden layer's activation (one for all, or one per layer); 0 adds
        no dropout layer.
    input_dropout : float, default=0.0
        Drop rate of the input features (a Dropout before the first layer; Hinton et al. drop
        about 20 % of the input pixels); 0 adds none.
    batch_norm : bool, default=False
        Insert :class:`~nntricks.layers.BatchNorm` after each hidden ``Dense``, before the
        activation (as Ioffe & Szegedy do).
    loss, regularizers, dtype, device
        As for :class:`~nntricks.network.Network`.

    Returns
    -------
    Network
        Not initialized: call :meth:`~nntricks.network.Network.initialize`.
    """
    hidden = [int(size) for size in hidden_layer_sizes]
    for size in hidden:
        check_scalar(size, "each hidden layer size", low=1, integer=True)
    activations = per_layer(activation, len(hidden), "activation")
    rates = per_layer(dropout, len(hidden), "dropout")
    layers: list[Layer] = [Dropout(input_dropout)] if input_dropout > 0 else []
    width = n_features
    for size, function, rate in zip(hidden, activations, rates, strict=True):
        layers.append(Dense(width, size, init, **(init_params or {})))
        if batch_norm:
            layers.append(BatchNorm(size))
        layers.append(Activation(function, **(activation_params or {})))
        if rate > 0:
            layers.append(Dropout(rate))
        width = size
    layers.append(Dense(width, n_outputs, init, **(init_params or {})))
    return Network(layers, loss, list(regularizers), n_features=n_features, dtype=dtype,
                   device=device)
