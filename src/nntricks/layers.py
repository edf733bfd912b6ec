"""Layers: dense, activation and dropout, each with its forward and backward side by side.

A layer works on a batch ``x`` of shape ``(n_samples, n_in)``. Parameters do not belong to the
layer: :meth:`Layer.bind` hands it views into the network's one flat parameter vector and the
matching views into the flat gradient vector. Every array a layer writes in a training step lives
in a buffer it allocates once and reuses (a smaller batch gets a view of the first rows), so a
step allocates no batch-sized array.

``backward(grad_out)`` receives :math:`\\partial L/\\partial\\,\\text{output}`, writes the
gradient of its parameters into its gradient views, and returns
:math:`\\partial L/\\partial x` (or ``None`` when the network says nobody needs it, as for the
first layer).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import check_choice, check_scalar
from .activations import ActivationFunction, get_activation
from .initializers import Initializer, get_initializer

__all__ = ["Activation", "Dense", "Dropout", "Layer"]


class _Buffers:
    """Named 2-D work arrays that grow to the largest batch seen and are then reused."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, n_rows: int, n_cols: int, dtype: np.dtype) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None or array.shape[0] < n_rows or array.shape[1] != n_cols \
                or array.dtype != dtype:
            array = self._arrays[name] = np.empty((n_rows, n_cols), dtype=dtype)
        return array[:n_rows]

    def clear(self) -> None:
        self._arrays.clear()


class Layer:
    """Base class of the layers.

    Attributes
    ----------
    n_in, n_out : int or None
        Width of the input and of the output; ``None`` for a layer that keeps the width of its
        input (activation, dropout) until the network fixes it.
    n_params : int
        Number of parameters the layer takes from the flat vector.
    needs_input_grad : bool
        Whether :meth:`backward` must return the gradient with respect to the input; the network
        switches it off for its first layer.
    """

    n_params: int = 0

    def __init__(self) -> None:
        self.n_in: int | None = None
        self.n_out: int | None = None
        self.needs_input_grad = True
        self._buffers = _Buffers()

    def build(self, n_in: int) -> int:
        """Fix the input width and return the output width."""
        self.n_in = self.n_out = n_in
        return n_in

    def bind(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Take this layer's slices of the flat parameter and gradient vectors."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Return the layer's output for a batch ``x``."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Return :math:`\\partial L/\\partial x` given :math:`\\partial L/\\partial\\,\\text{out}`.
        """
        raise NotImplementedError

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_buffers"] = _Buffers()
        return state


class Dense(Layer):
    """Affine layer :math:`z = xW + b`.

    The input may also be a SciPy sparse matrix (as the first layer receives it), multiplied
    without densifying.

    Parameters
    ----------
    n_in, n_out : int
        Input and output width; ``W`` has shape ``(n_in, n_out)`` (scikit-learn's ``coefs_``
        layout) and ``b`` shape ``(n_out,)``.
    init : str or callable, default="xavier"
        Weight initializer (see :mod:`nntricks.initializers`); biases start at zero.
    **init_params
        Parameters of the initializer, e.g. ``std=0.01`` for ``init="normal"``.

    Notes
    -----
    Backward, with :math:`\\delta = \\partial L/\\partial z`:
    :math:`\\partial L/\\partial W = x^\\top\\delta`,
    :math:`\\partial L/\\partial b = \\sum_n \\delta_n`,
    :math:`\\partial L/\\partial x = \\delta W^\\top`.
    """

    def __init__(self, n_in: int, n_out: int, init: str | Initializer = "xavier",
                 **init_params: float) -> None:
        super().__init__()
        check_scalar(n_in, "n_in", low=1, integer=True)
        check_scalar(n_out, "n_out", low=1, integer=True)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.init = init
        self.initializer: Callable = get_initializer(init, **init_params)
        self.n_params = self.n_in * self.n_out + self.n_out
        self._x: np.ndarray | None = None

    def build(self, n_in: int) -> int:
        if n_in != self.n_in:
            raise ValueError(
                f"mismatched layer sizes: Dense({self.n_in}, {self.n_out}) receives {n_in} inputs"
            )
        return self.n_out

    def bind(self, params: np.ndarray, grads: np.ndarray) -> None:
        n_weights = self.n_in * self.n_out
        self.W = params[:n_weights].reshape(self.n_in, self.n_out)
        self.b = params[n_weights:]
        self.dW = grads[:n_weights].reshape(self.n_in, self.n_out)
        self.db = grads[n_weights:]

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw ``W`` from the initializer and set ``b`` to zero."""
        self.initializer(self.W, rng)
        self.b[...] = 0

    def forward(self, x, training=False):
        z = self._buffers.get("z", x.shape[0], self.n_out, self.W.dtype)
        if isinstance(x, np.ndarray):
            np.matmul(x, self.W, out=z)
        else:  # a SciPy sparse batch, for the first layer
            z[...] = x @ self.W
        z += self.b
        self._x = x
        return z

    def backward(self, grad_out):
        if isinstance(self._x, np.ndarray):
            np.matmul(self._x.T, grad_out, out=self.dW)
        else:
            self.dW[...] = self._x.T @ grad_out
        np.add.reduce(grad_out, axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        dx = self._buffers.get("dx", grad_out.shape[0], self.n_in, grad_out.dtype)
        return np.matmul(grad_out, self.W.T, out=dx)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"


class Activation(Layer):
    """Elementwise nonlinearity :math:`a = f(z)` (see :mod:`nntricks.activations`).

    Parameters
    ----------
    activation : str or ActivationFunction
        Name (``"relu"``, ``"tanh"``, ...) or instance.
    **params
        Parameters of the activation, e.g. ``slope=0.1`` for ``"leaky_relu"``.

    Notes
    -----
    Backward: :math:`\\partial L/\\partial z = \\partial L/\\partial a \\odot f'(z)`, with
    :math:`f'` computed from the stored output :math:`a`.
    """

    def __init__(self, activation: str | ActivationFunction, **params: float) -> None:
        super().__init__()
        self.function = get_activation(activation, **params)
        self._a: np.ndarray | None = None

    def forward(self, x, training=False):
        a = self._buffers.get("a", x.shape[0], x.shape[1], x.dtype)
        self.function.value(x, out=a)
        self._a = a
        return a

    def backward(self, grad_out):
        dz = self._buffers.get("dz", grad_out.shape[0], grad_out.shape[1], grad_out.dtype)
        scratch = self._buffers.get("scratch", grad_out.shape[0], grad_out.shape[1],
                                    grad_out.dtype)
        self.function.backward(self._a, grad_out, scratch, out=dz)
        return dz

    def __repr__(self) -> str:
        return f"Activation({self.function!r})"


DROPOUT_SCALINGS = ("inverted", "inference")


class Dropout(Layer):
    """Dropout (notes §2.3): keep each unit with probability :math:`1 - \\text{rate}` in training.

    Parameters
    ----------
    rate : float
        Probability of *dropping* a unit, in [0, 1) (PyTorch's and Keras' ``p``; the notes' ``p``
        is the keep probability ``1 - rate``).
    scaling : {"inverted", "inference"}, default="inverted"
        How the expected activation is matched between training and inference.
        ``"inverted"`` divides kept units by the keep probability while training and makes
        inference the identity (the common choice). ``"inference"`` is the notes' answer to the
        question they leave to the reader: train with the raw mask and multiply every unit by the
        keep probability at inference. Both give the same expectation.

    Notes
    -----
    Training: :math:`a = x \\odot m`, :math:`m_{ij} = \\mathbb 1[u_{ij} \\ge \\text{rate}] / s`
    with :math:`u \\sim U[0, 1)` and :math:`s` the keep probability (inverted) or 1.
    Backward: :math:`\\partial L/\\partial x = \\partial L/\\partial a \\odot m`, so gradients
    flow only through kept units.
    """

    def __init__(self, rate: float, scaling: str = "inverted") -> None:
        super().__init__()
        check_scalar(rate, "dropout rate", low=0, high=1, high_inclusive=False)
        check_choice(scaling, "dropout scaling", DROPOUT_SCALINGS)
        self.rate = float(rate)
        self.scaling = scaling
        self.rng = np.random.default_rng()
        self.frozen = False
        self._training = False
        self._mask: np.ndarray | None = None

    @property
    def keep(self) -> float:
        """Probability of keeping a unit, :math:`1 - \\text{rate}`."""
        return 1.0 - self.rate

    def forward(self, x, training=False):
        out = self._buffers.get("out", x.shape[0], x.shape[1], x.dtype)
        self._training = training
        if not training:
            return np.multiply(x, self._inference_scale, out=out)
        if not (self.frozen and self._mask is not None and self._mask.shape == x.shape):
            mask = self._buffers.get("mask", x.shape[0], x.shape[1], x.dtype)
            self.rng.random(dtype=mask.dtype, out=mask)
            np.greater_equal(mask, self.rate, out=mask)
            if self.scaling == "inverted":
                mask *= 1.0 / self.keep
            self._mask = mask
        return np.multiply(x, self._mask, out=out)

    @property
    def _inference_scale(self) -> float:
        return self.keep if self.scaling == "inference" else 1.0

    def backward(self, grad_out):
        dx = self._buffers.get("dx", grad_out.shape[0], grad_out.shape[1], grad_out.dtype)
        scale = self._mask if self._training else self._inference_scale
        return np.multiply(grad_out, scale, out=dx)

    def __repr__(self) -> str:
        return f"Dropout({self.rate!r}, scaling={self.scaling!r})"
