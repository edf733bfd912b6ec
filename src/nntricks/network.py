"""A stack of layers, a loss and penalties over ONE flat parameter vector.

The network only concatenates what its layers declare (see :mod:`nntricks.layers`): every
parameter array a layer declares is a view into :attr:`Network.params`, laid out layer after
layer in declaration order (``W[0], b[0], W[1], b[1], ...`` for dense layers); its gradient is the
same view into :attr:`Network.grads`, and the arrays a layer keeps without training them
(running statistics) are views into :attr:`Network.buffers`. Per-coordinate constants are
vectors of the parameters' layout computed once from the declarations:
:attr:`Network.weight_mask` (1 where the penalties apply) and :attr:`Network.fan_in_scale`
(:math:`1/\\sqrt{n_{in}}`) for Collobert's learning-rate scaling.

One training step reads straight down and back up::

    batch -> layers forward -> loss -> layers backward (into grads) -> penalties add their term
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ._validation import check_finite, check_same_length, check_sample_weight, check_scalar
from .backend import Backend, get_backend, is_array, is_sparse, to_numpy
from .layers import ArraySpec, Layer
from .losses import Loss, get_loss
from .regularizers import Regularizer
from .workspace import Workspace

__all__ = ["Network", "NetworkArray"]

DTYPES = (np.float32, np.float64)


@dataclass(frozen=True)
class NetworkArray:
    """Where one declared array of a layer lies in the network's flat vector.

    Attributes
    ----------
    name : str
        ``"<declared name>[k]"``: the k-th array of that name in the network (``"W[1]"``).
    spec : ArraySpec
        The layer's declaration.
    layer : Layer
    span : slice
        Its coordinates in :attr:`Network.params` (or :attr:`Network.buffers`).
    """

    name: str
    spec: ArraySpec
    layer: Layer
    span: slice


def _view(vector: np.ndarray, array: NetworkArray) -> np.ndarray:
    return vector[array.span].reshape(array.spec.shape)


def _layout(layers: Sequence[Layer], declared: str) -> list[NetworkArray]:
    """Lay out the arrays the layers declare (``"parameters"`` or ``"buffers"``) end to end."""
    arrays, counts, offset = [], Counter(), 0
    for layer in layers:
        for spec in getattr(layer, declared)():
            arrays.append(NetworkArray(f"{spec.name}[{counts[spec.name]}]", spec, layer,
                                       slice(offset, offset + spec.size)))
            counts[spec.name] += 1
            offset += spec.size
    return arrays


def _penalties(regularizers: Sequence[Regularizer]) -> list[Regularizer]:
    """``regularizers`` as a list, each checked to be a penalty (it declares ``accumulate``
    and ``penalty``)."""
    if not isinstance(regularizers, Sequence | Iterator):
        raise TypeError(f"regularizers must be a list of penalties such as [L2(1e-4)], got "
                        f"{regularizers!r}")
    regularizers = list(regularizers)
    for regularizer in regularizers:
        if not all(callable(getattr(regularizer, name, None))
                   for name in ("accumulate", "penalty")):
            raise TypeError(f"regularizers must be penalties such as L2(1e-4) or L1(1e-5), "
                            f"got {regularizer!r}")
    return regularizers


class Network:
    """Feed-forward network over one flat parameter vector.

    Parameters
    ----------
    layers : sequence of Layer
        The stack, e.g. ``[Dense(64, 32), Activation("tanh"), Dropout(0.2), Dense(32, 10)]``:
        any objects following the layer protocol of :mod:`nntricks.layers`.
    loss : str or Loss, default="softmax_cross_entropy"
        The loss on the last layer's output (see :mod:`nntricks.losses`).
    regularizers : sequence of Regularizer, default=()
        Penalties on the arrays the layers declare as penalized (weights, never biases),
        e.g. ``[L2(1e-4)]``.
    n_features : int, optional
        Input width; taken from the first layer (its ``n_in``) when omitted.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating type of parameters, gradients and activations: float32 to train fast, float64
        to check gradients.
    device : {"cpu", "cuda"} or Backend, default="cpu"
        Where every array of the network lives: NumPy arrays on the CPU, or CuPy arrays on an
        NVIDIA GPU (see :mod:`nntricks.backend`). Data given to the network is copied there.

    Attributes
    ----------
    backend : Backend
        The backend of ``device``; ``backend.xp`` is the array namespace of every array below.
    params, grads : ndarray of shape (n_params,)
        The flat parameter vector and the flat gradient of the last :meth:`loss_and_grad`.
    buffers : ndarray of shape (n_buffers,)
        The flat vector of the layers' untrained arrays (running statistics; often empty).
    arrays, buffer_arrays : list of NetworkArray
        The layout of :attr:`params` and of :attr:`buffers`, in order.
    weight_mask : ndarray of shape (n_params,)
        1 on the coordinates the penalties apply to, 0 elsewhere.
    fan_in_scale : ndarray of shape (n_params,)
        :math:`1/\\sqrt{n_{in}}` of each coordinate's declared fan-in, 1 where none is declared.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        loss: str | Loss = "softmax_cross_entropy",
        regularizers: Sequence[Regularizer] = (),
        *,
        n_features: int | None = None,
        dtype: type = np.float32,
        device: str | Backend = "cpu",
    ) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        if np.dtype(dtype) not in [np.dtype(d) for d in DTYPES]:
            raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        self.loss_function = get_loss(loss)
        self.regularizers = _penalties(regularizers)
        self.dtype = np.dtype(dtype)
        self.backend = get_backend(device)
        n_features = self.layers[0].n_in if n_features is None else n_features
        if n_features is None:
            raise ValueError("give n_features: the first layer does not fix its input width")
        self.n_features = int(n_features)
        width = self.n_features
        for layer in self.layers:
            width = layer.build(width)
        self.n_outputs = width
        self.layers[0].needs_input_grad = False
        self.arrays = _layout(self.layers, "parameters")
        self.buffer_arrays = _layout(self.layers, "buffers")
        if not self.arrays:
            raise ValueError("a network needs at least one layer with parameters")
        xp = self.backend.xp
        self.params = xp.zeros(self.arrays[-1].span.stop, dtype=self.dtype)
        self.grads = xp.zeros_like(self.params)
        n_buffers = self.buffer_arrays[-1].span.stop if self.buffer_arrays else 0
        self.buffers = xp.zeros(n_buffers, dtype=self.dtype)
        weight_mask = np.zeros(self.params.shape, dtype=self.dtype)
        fan_in_scale = np.ones(self.params.shape, dtype=self.dtype)
        for array in self.arrays:
            weight_mask[array.span] = array.spec.penalized
            if array.spec.fan_in is not None:
                fan_in_scale[array.span] = 1 / np.sqrt(array.spec.fan_in)
        self.weight_mask = self.backend.asarray(weight_mask)
        self.fan_in_scale = self.backend.asarray(fan_in_scale)
        self._bind()
        self._workspace = Workspace()

    # -- layout ------------------------------------------------------------------------------

    def _bind(self) -> None:
        for layer in self.layers:
            mine = [a for a in self.arrays if a.layer is layer]
            layer.bind({a.spec.name: _view(self.params, a) for a in mine},
                       {a.spec.name: _view(self.grads, a) for a in mine},
                       {a.spec.name: _view(self.buffers, a) for a in self.buffer_arrays
                        if a.layer is layer})
        scratch = self.backend.xp.empty(
            max((a.spec.size for a in self.arrays if a.spec.penalized), default=0),
            dtype=self.dtype)
        # (weights, gradient, scratch) of each penalized array as flat views: the penalties
        # work block by block, with no pass over the mask.
        self._penalized = [(self.params[a.span], self.grads[a.span], scratch[:a.spec.size])
                           for a in self.arrays if a.spec.penalized]

    def parameter_arrays(self) -> list[tuple[str, np.ndarray]]:
        """Name and view of every parameter array: ``("W[0]", W0), ("b[0]", b0), ...``."""
        return [(a.name, _view(self.params, a)) for a in self.arrays]

    def parameter_slices(self) -> dict[str, slice]:
        """Where each parameter array lies in the flat vector, by name."""
        return {a.name: a.span for a in self.arrays}

    def buffer_slices(self) -> dict[str, slice]:
        """Where each buffer (untrained array) lies in :attr:`buffers`, by name."""
        return {a.name: a.span for a in self.buffer_arrays}

    def _declared(self, name: str) -> list[np.ndarray]:
        return [_view(self.params, a) for a in self.arrays if a.spec.name == name]

    @property
    def coefs(self) -> list[np.ndarray]:
        """The weight matrices (arrays declared ``W``), views into :attr:`params`."""
        return self._declared("W")

    @property
    def intercepts(self) -> list[np.ndarray]:
        """The bias vectors (arrays declared ``b``), views into :attr:`params`."""
        return self._declared("b")

    def initialize(self, random_state: int | np.random.Generator | None = None) -> Network:
        """Fill every declared array with its initializer and seed the layers' random draws.

        Parameters
        ----------
        random_state : int, Generator or None
            Seed or generator; the same seed gives the same weights and dropout masks.
        """
        rng = np.random.default_rng(random_state)
        # drawn on the host, so that a seed gives the same network on every device
        params, buffers = to_numpy(self.params).copy(), to_numpy(self.buffers).copy()
        for layer in self.layers:
            for vector, layout in ((params, self.arrays), (buffers, self.buffer_arrays)):
                for array in layout:
                    if array.layer is layer:
                        array.spec.fill(_view(vector, array), rng)
            layer.seed(rng)
        self.params[...] = self.backend.asarray(params)
        self.buffers[...] = self.backend.asarray(buffers)
        return self

    def to(self, device: str | Backend) -> Network:
        """Move every array of the network to ``device`` (``"cpu"`` or ``"cuda"``); returns it.

        Parameters, buffers and the per-coordinate constants are copied; optimizer states made
        for the old arrays must be made afresh (or restored from a ``state_dict``).
        """
        backend = get_backend(device)
        if backend is not self.backend:
            for name in ("params", "grads", "buffers", "weight_mask", "fan_in_scale"):
                setattr(self, name, backend.asarray(getattr(self, name)))
            self.backend = backend
            self._bind()
        return self

    # -- computation ---------------------------------------------------------------------------

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Raw output ``z`` of the last layer for a batch ``X`` of shape ``(n, n_features)``.

        The result is a work buffer, overwritten by the next call: copy it to keep it. ``X``
        is used as given (an array of :attr:`dtype` on the network's device, as
        :meth:`check_input` makes it); only its shape is checked here.
        """
        self._check_shape(X)
        out = X
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def predict(self, X: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Network predictions (the loss's output function applied), inference mode.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            On any device: it is copied to the network's.
        batch_size : int, default=2048
            Rows per forward pass; bounds the work memory.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            On the network's device.
        """
        check_scalar(batch_size, "batch_size", low=1, integer=True)
        X = self.check_input(X)
        result = self.backend.xp.empty((X.shape[0], self.n_outputs), dtype=self.dtype)
        for start in range(0, X.shape[0], batch_size):
            stop = start + batch_size
            self.loss_function.output(self.forward(X[start:stop]), out=result[start:stop])
        return result

    def loss(self, X: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None,
             training: bool = False, *, penalty_scale: float = 1.0,
             check_input: bool = True) -> float:
        """Regularized loss :math:`J + \\sum R` on ``(X, Y)``, without touching :attr:`grads`.

        Parameters are those of :meth:`loss_and_grad` (here ``training`` defaults to False).
        """
        if check_input:
            X, Y, sample_weight = self.check_data(X, Y, sample_weight)
        value = self.loss_function.value(self.forward(X, training), Y, sample_weight)
        for regularizer in self.regularizers:
            value += penalty_scale * regularizer.penalty(self.params, self.weight_mask)
        return float(value)

    def loss_and_grad(self, X: np.ndarray, Y: np.ndarray,
                      sample_weight: np.ndarray | None = None, training: bool = True, *,
                      penalty_scale: float = 1.0,
                      check_input: bool = True) -> tuple[np.floating, np.ndarray]:
        """Regularized loss and its flat gradient on ``(X, Y)``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
            Targets (one-hot rows for classification).
        sample_weight : ndarray of shape (n_samples,), optional
        training : bool, default=True
            Training mode (dropout active, batch statistics) or inference mode.
        penalty_scale : float, default=1.0
            Multiplies the penalties (the estimators divide them by the batch's total sample
            weight, as scikit-learn does with ``alpha``).
        check_input : bool, default=True
            Validate and convert the data (see :meth:`check_data`); ``False`` for data already
            checked and of :attr:`dtype`, as in a training loop.

        Returns
        -------
        loss : scalar
            A 0-d value on the network's device (NumPy scalar, or CuPy 0-d array), so that a
            training loop can add losses up without waiting for the device; ``float(loss)``
            reads it.
        grads : ndarray of shape (n_params,)
            :attr:`grads` itself, overwritten by the next call.
        """
        if check_input:
            X, Y, sample_weight = self.check_data(X, Y, sample_weight)
        z = self.forward(X, training)
        delta = self._workspace.get("delta", z.shape[0], z.shape[1], like=z)
        value = self.loss_function.value_and_grad(z, Y, delta, sample_weight)
        for layer in reversed(self.layers):
            delta = layer.backward(delta)
        for regularizer in self.regularizers:
            for weights, grads, scratch in self._penalized:
                value += regularizer.accumulate(weights, None, grads, scratch, penalty_scale)
        return value, self.grads

    def activity(self, X: np.ndarray, Y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The activity of every layer of units, and its gradient, on ``(X, Y)``.

        For each layer declaring :attr:`~nntricks.layers.Layer.activity` (the activation
        layers), in order: its output and the gradient of the loss with respect to its input
        (:math:`\\partial L/\\partial z`, the pre-activations), in inference mode, as copies on
        the network's device. The spreads of both, layer after layer, are what Xavier
        initialization keeps steady (notes §2.6). Overwrites :attr:`grads`.
        """
        X, Y, _ = self.check_data(X, Y)
        outputs, out = [], X
        for layer in self.layers:
            out = layer.forward(out, False)
            if layer.activity:
                outputs.append(out.copy())
        delta = self.backend.xp.empty_like(out)
        self.loss_function.value_and_grad(out, Y, delta)
        gradients = []
        for layer in reversed(self.layers):
            delta = layer.backward(delta)
            if layer.activity:
                gradients.append(delta.copy())
        return list(zip(outputs, reversed(gradients), strict=True))

    @contextmanager
    def frozen(self) -> Iterator[Network]:
        """Hold every layer's random draws and buffers fixed inside the block.

        Dropout reuses its current masks (a layer without a mask of the batch's shape draws one
        on its first forward pass) and batch normalization leaves its running statistics alone,
        so the loss is a deterministic function of the parameters: what gradient checking needs.
        """
        before = [layer.frozen for layer in self.layers]  # an outer block stays frozen
        for layer in self.layers:
            layer.frozen = True
        try:
            yield self
        finally:
            for layer, frozen in zip(self.layers, before, strict=True):
                layer.frozen = frozen

    def kink_pieces(self) -> np.ndarray:
        """Linear piece of every kinked unit (ReLU, leaky ReLU, hard tanh) in the last forward.

        Two forward passes whose pieces differ straddle a kink, where a finite difference
        does not estimate a derivative.
        """
        pieces = [to_numpy(p).ravel() for p in (layer.kink_pieces() for layer in self.layers)
                  if p is not None]
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int8)

    # -- validation ----------------------------------------------------------------------------

    def check_input(self, X) -> np.ndarray:
        """``X`` as a C-contiguous array (or CSR matrix) of :attr:`dtype` on the network's
        device, checked.

        Raises ``ValueError`` for a wrong shape or NaN/infinite values.
        """
        sparse = is_sparse(X)
        if not (sparse or is_array(X)):
            X = np.asarray(X)
        self._check_shape(X)
        X = self.backend.asarray(X, self.dtype)
        check_finite(X.data if sparse else X, "X")
        return X

    def _check_shape(self, X) -> None:
        """Raise ``ValueError`` unless ``X`` is 2-D with :attr:`n_features` columns."""
        if getattr(X, "ndim", None) != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n_samples, {self.n_features}), got "
                             f"{getattr(X, 'shape', type(X).__name__)}")

    def check_data(self, X, Y, sample_weight=None):
        """``(X, Y, sample_weight)`` checked and converted to :attr:`dtype`.

        Raises ``ValueError`` naming the problem: shapes, lengths, NaN or infinity, targets
        outside the loss's domain (:meth:`~nntricks.losses.Loss.check_targets`), negative or
        all-zero sample weights.
        """
        X = self.check_input(X)
        if X.shape[0] == 0:
            raise ValueError("X has no samples: a loss needs at least one")
        Y = np.asarray(to_numpy(Y), dtype=self.dtype)
        if Y.ndim == 1 and self.n_outputs == 1:
            Y = Y[:, None]
        if Y.ndim != 2 or Y.shape[1] != self.n_outputs:
            raise ValueError(f"Y must have shape (n_samples, {self.n_outputs}), got {Y.shape}")
        check_finite(Y, "Y")
        check_same_length(X, Y, ("X", "Y"))
        self.loss_function.check_targets(Y)
        if sample_weight is not None:
            sample_weight = check_sample_weight(to_numpy(sample_weight), X.shape[0], self.dtype)
            sample_weight = self.backend.asarray(sample_weight)
        return X, self.backend.asarray(Y), sample_weight

    # -- pickling: layers hold views into params, rebuilt after loading -------------------------

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_penalized"]  # views, rebuilt on loading
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{inner}], loss={self.loss_function!r}, dtype={self.dtype.name})"
