"""A stack of layers, a loss and penalties over ONE flat parameter vector.

Every dense layer's ``W`` (shape ``(n_in, n_out)``) and ``b`` are views into
:attr:`Network.params`, laid out layer after layer as ``W0, b0, W1, b1, ...``; their gradients
are the same views into :attr:`Network.grads`. Per-coordinate constants are vectors of the same
layout computed once: :attr:`Network.weight_mask` (1 on weights, 0 on biases) for the penalties,
:attr:`Network.fan_in_scale` (:math:`1/\\sqrt{n_{in}}`) for Collobert's learning-rate scaling.

One training step reads straight down and back up::

    batch -> layers forward -> loss -> layers backward (into grads) -> penalties add their term
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from ._validation import check_finite, check_same_length
from .layers import Activation, Dense, Dropout, Layer, _Buffers
from .losses import Loss, get_loss
from .regularizers import Regularizer

__all__ = ["Network"]

DTYPES = (np.float32, np.float64)


class Network:
    """Feed-forward network over one flat parameter vector.

    Parameters
    ----------
    layers : sequence of Layer
        The stack, e.g. ``[Dense(64, 32), Activation("tanh"), Dropout(0.2), Dense(32, 10)]``.
        Consecutive dense sizes must match.
    loss : str or Loss, default="softmax_cross_entropy"
        The loss on the last layer's output (see :mod:`nntricks.losses`).
    regularizers : sequence of Regularizer, default=()
        Penalties on the weights (never the biases), e.g. ``[L2(1e-4)]``.
    n_features : int, optional
        Input width; taken from the first dense layer when omitted.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating type of parameters, gradients and activations: float32 to train fast, float64
        to check gradients.

    Attributes
    ----------
    params, grads : ndarray of shape (n_params,)
        The flat parameter vector and the flat gradient of the last :meth:`loss_and_grad`.
    weight_mask : ndarray of shape (n_params,)
        1 on weight coordinates, 0 on biases.
    fan_in_scale : ndarray of shape (n_params,)
        :math:`1/\\sqrt{n_{in}}` of each coordinate's dense layer, for a unit's weights and its bias
        alike (the bias is a weight on a constant input).
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        loss: str | Loss = "softmax_cross_entropy",
        regularizers: Sequence[Regularizer] = (),
        *,
        n_features: int | None = None,
        dtype: type = np.float32,
    ) -> None:
        self.layers = list(layers)
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        if not dense:
            raise ValueError("a network needs at least one Dense layer")
        if np.dtype(dtype) not in [np.dtype(d) for d in DTYPES]:
            raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        self.loss_function = get_loss(loss)
        self.regularizers = list(regularizers)
        self.dtype = np.dtype(dtype)
        self.n_features = dense[0].n_in if n_features is None else int(n_features)
        width = self.n_features
        for layer in self.layers:
            width = layer.build(width)
        self.n_outputs = width
        self.layers[0].needs_input_grad = False
        self.params = np.zeros(sum(layer.n_params for layer in self.layers), dtype=self.dtype)
        self.grads = np.zeros_like(self.params)
        self._bind()
        self.weight_mask = np.zeros_like(self.params)
        self.fan_in_scale = np.ones_like(self.params)
        for name, span in self._spans().items():
            self.weight_mask[span] = name.startswith("W")
            self.fan_in_scale[span] = 1 / np.sqrt(self.dense_layers[int(name[2:-1])].n_in)
        self._scratch = np.empty_like(self.params) if self.regularizers else None
        self._buffers = _Buffers()
        self._penalized = self._weight_blocks()

    # -- layout ------------------------------------------------------------------------------

    def _bind(self) -> None:
        offset = 0
        for layer in self.layers:
            layer.bind(self.params[offset:offset + layer.n_params],
                       self.grads[offset:offset + layer.n_params])
            offset += layer.n_params

    def _weight_blocks(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(W, dW, scratch)`` of each dense layer as flat views: the coordinates the mask
        selects, handed to the penalties block by block (no pass over the mask)."""
        if self._scratch is None:
            return []
        return [(layer.W.reshape(-1), layer.dW.reshape(-1), self._scratch[:layer.W.size])
                for layer in self.dense_layers]

    @property
    def dense_layers(self) -> list[Dense]:
        """The dense layers, in order."""
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    def _spans(self) -> dict[str, slice]:
        spans, offset = {}, 0
        for layer in self.layers:
            if isinstance(layer, Dense):
                i = len(spans) // 2
                n_weights = layer.n_in * layer.n_out
                spans[f"W[{i}]"] = slice(offset, offset + n_weights)
                spans[f"b[{i}]"] = slice(offset + n_weights, offset + layer.n_params)
            offset += layer.n_params
        return spans

    def parameter_arrays(self) -> list[tuple[str, np.ndarray]]:
        """Name and view of every parameter array: ``("W[0]", W0), ("b[0]", b0), ...``."""
        arrays = []
        for i, layer in enumerate(self.dense_layers):
            arrays += [(f"W[{i}]", layer.W), (f"b[{i}]", layer.b)]
        return arrays

    def parameter_slices(self) -> dict[str, slice]:
        """Where each parameter array lies in the flat vector, by name."""
        return self._spans()

    @property
    def coefs(self) -> list[np.ndarray]:
        """Weight matrices, views of shape ``(n_in, n_out)`` into :attr:`params`."""
        return [layer.W for layer in self.dense_layers]

    @property
    def intercepts(self) -> list[np.ndarray]:
        """Bias vectors, views into :attr:`params`."""
        return [layer.b for layer in self.dense_layers]

    def initialize(self, random_state: int | np.random.Generator | None = None) -> Network:
        """Draw the weights (each dense layer's initializer), zero the biases, seed dropout.

        Parameters
        ----------
        random_state : int, Generator or None
            Seed or generator; the same seed gives the same weights and dropout masks.
        """
        rng = np.random.default_rng(random_state)
        for layer in self.layers:
            if isinstance(layer, Dense):
                layer.initialize(rng)
            elif isinstance(layer, Dropout):
                layer.rng = rng.spawn(1)[0]
        return self

    # -- computation ---------------------------------------------------------------------------

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Raw output ``z`` of the last layer for a batch ``X`` of shape ``(n, n_features)``.

        The result is a work buffer, overwritten by the next call: copy it to keep it.
        """
        out = X
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def predict(self, X: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Network predictions (the loss's output function applied), inference mode.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        batch_size : int, default=2048
            Rows per forward pass; bounds the work memory.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
        """
        X = self._check_X(X)
        result = np.empty((X.shape[0], self.n_outputs), dtype=self.dtype)
        for start in range(0, X.shape[0], batch_size):
            stop = start + batch_size
            self.loss_function.output(self.forward(X[start:stop]), out=result[start:stop])
        return result

    def loss(self, X: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None,
             training: bool = False) -> float:
        """Regularized loss :math:`J + \\sum R` on ``(X, Y)``, without touching :attr:`grads`."""
        return self._loss(*self._check_data(X, Y, sample_weight), training)

    def _loss(self, X, Y, sample_weight=None, training=False, penalty_scale=1.0):
        """:meth:`loss` on data already validated and of :attr:`dtype`."""
        value = self.loss_function.value(self.forward(X, training), Y, sample_weight)
        for regularizer in self.regularizers:
            value += penalty_scale * regularizer.penalty(self.params, self.weight_mask)
        return value

    def loss_and_grad(self, X: np.ndarray, Y: np.ndarray,
                      sample_weight: np.ndarray | None = None,
                      training: bool = True) -> tuple[float, np.ndarray]:
        """Regularized loss and its flat gradient on ``(X, Y)``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
            Targets (one-hot rows for classification).
        sample_weight : ndarray of shape (n_samples,), optional
        training : bool, default=True
            Training mode (dropout active) or inference mode.

        Returns
        -------
        loss : float
        grads : ndarray of shape (n_params,)
            :attr:`grads` itself, overwritten by the next call.
        """
        X, Y, sample_weight = self._check_data(X, Y, sample_weight)
        return self._loss_and_grad(X, Y, sample_weight, training)

    def _loss_and_grad(self, X, Y, sample_weight=None, training=True, penalty_scale=1.0):
        """:meth:`loss_and_grad` on data already validated and of :attr:`dtype`.

        ``penalty_scale`` multiplies the penalties (the estimators divide them by the batch
        size, as scikit-learn does with ``alpha``).
        """
        z = self.forward(X, training)
        delta = self._buffers.get("delta", z.shape[0], z.shape[1], self.dtype)
        value = self.loss_function.value_and_grad(z, Y, delta, sample_weight)
        for layer in reversed(self.layers):
            delta = layer.backward(delta)
        for regularizer in self.regularizers:
            for weights, grads, scratch in self._penalized:
                value += regularizer.accumulate(weights, None, grads, scratch, penalty_scale)
        return value, self.grads

    @contextmanager
    def fixed_dropout_masks(self) -> Iterator[Network]:
        """Reuse each dropout layer's current mask inside the block (for gradient checking).

        A layer without a mask of the batch's shape draws one on its first forward pass.
        """
        dropouts = [layer for layer in self.layers if isinstance(layer, Dropout)]
        for layer in dropouts:
            layer.frozen = True
        try:
            yield self
        finally:
            for layer in dropouts:
                layer.frozen = False

    def kink_pieces(self) -> np.ndarray:
        """Linear piece of every kinked unit (ReLU, leaky ReLU, hard tanh) in the last forward.

        Two forward passes whose pieces differ straddle a kink, where a finite difference
        does not estimate a derivative.
        """
        pieces = [layer.function.piece(layer._a).ravel() for layer in self.layers
                  if isinstance(layer, Activation) and layer.function.kinks
                  and layer._a is not None]
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int8)

    # -- validation ----------------------------------------------------------------------------

    def _check_X(self, X) -> np.ndarray:
        sparse = hasattr(X, "tocsr") and not isinstance(X, np.ndarray)
        X = X.tocsr().astype(self.dtype) if sparse else np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(
                f"X must have shape (n_samples, {self.n_features}), got {X.shape}"
            )
        if sparse:
            check_finite(X.data, "X")
            return X
        X = np.ascontiguousarray(X, dtype=self.dtype)
        check_finite(X, "X")
        return X

    def _check_data(self, X, Y, sample_weight):
        X = self._check_X(X)
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.ndim == 1 and self.n_outputs == 1:
            Y = Y[:, None]
        if Y.ndim != 2 or Y.shape[1] != self.n_outputs:
            raise ValueError(f"Y must have shape (n_samples, {self.n_outputs}), got {Y.shape}")
        check_finite(Y, "Y")
        check_same_length(X, Y, ("X", "Y"))
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=self.dtype)
            if sample_weight.shape != (X.shape[0],):
                raise ValueError(f"sample_weight must have shape ({X.shape[0]},), "
                                 f"got {sample_weight.shape}")
            check_finite(sample_weight, "sample_weight")
            if np.any(sample_weight < 0) or not sample_weight.sum() > 0:
                raise ValueError("sample_weight must be non-negative with a positive sum")
        return X, Y, sample_weight

    # -- pickling: layers hold views into params, rebuilt after loading -------------------------

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_buffers"] = _Buffers()
        del state["_penalized"]  # views, rebuilt on loading
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()
        self._penalized = self._weight_blocks()

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{inner}], loss={self.loss_function!r}, dtype={self.dtype.name})"
