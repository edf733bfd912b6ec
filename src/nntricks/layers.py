"""Layers: each declares its arrays and keeps its forward and backward side by side.

The layer protocol
------------------
A layer works on a batch ``x`` of shape ``(n_samples, n_in)`` and declares what it has; the
:class:`~nntricks.network.Network` derives everything else from those declarations:

``build(n_in) -> n_out``
    fix the input width (raise ``ValueError`` on a mismatch) and return the output width;
``parameters() -> list[ArraySpec]``
    the trained arrays: name, shape, initializer, whether the L2/L1 penalty applies, and the
    fan-in used by the notes' fan-in learning-rate scaling;
``buffers() -> list[ArraySpec]``
    the arrays it keeps but does not train (running statistics), saved with the model;
``bind(params, grads, buffers)``
    receive views into the network's flat vectors, one per declared array; by default
    ``self.<name>`` is the parameter and ``self.d<name>`` its gradient;
``forward(x, training) -> out`` and ``backward(grad_out) -> grad_in``
    ``backward`` receives :math:`\\partial L/\\partial\\,\\text{out}`, *writes* the gradient of
    each parameter into ``self.d<name>`` and returns :math:`\\partial L/\\partial x` (or ``None``
    when :attr:`Layer.needs_input_grad` is false, as for the first layer);
``seed(rng)``
    take a generator for the layer's own randomness (dropout masks); most layers ignore it;
``kink_pieces()``
    for layers with kinks (ReLU, hard tanh), the linear piece of every unit in the last forward
    pass, so that the gradient checker can set aside probes that straddle a kink.

Every array a layer writes in a training step lives in a :class:`~nntricks.workspace.Workspace`
allocated once (a smaller batch gets a view of the first rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import check_choice, check_scalar
from .activations import ActivationFunction, get_activation
from .backend import backend_of, is_sparse, namespace
from .initializers import Initializer, get_initializer
from .workspace import Workspace

__all__ = ["Activation", "ArraySpec", "BatchNorm", "Dense", "Dropout", "Layer"]


@dataclass(frozen=True)
class ArraySpec:
    """The declaration of one array of a layer.

    Attributes
    ----------
    name : str
        The attribute name in the layer (``"W"``, ``"gamma"``, ``"running_mean"``); the
        network names the array ``"<name>[k]"`` for the k-th array of that name.
    shape : tuple of int
    init : float or callable
        A constant fill, or ``init(array, rng)`` filling the array in place (see
        :mod:`nntricks.initializers`).
    penalized : bool, default=False
        Whether the L2/L1 penalties apply (weights: yes; biases, γ, β: no).
    fan_in : int or None, default=None
        Inputs of the unit each entry feeds: fan-in scaling multiplies its learning rate by
        :math:`1/\\sqrt{\\text{fan\\_in}}`; ``None`` leaves it unscaled.
    """

    name: str
    shape: tuple[int, ...]
    init: float | Initializer = 0.0
    penalized: bool = False
    fan_in: int | None = None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def fill(self, array: np.ndarray, rng: np.random.Generator) -> None:
        """Initialize ``array`` (of this shape) in place."""
        if callable(self.init):
            self.init(array, rng)
        else:
            array[...] = self.init


class Layer:
    """Base class of the layers: no parameters, no buffers, width unchanged.

    Attributes
    ----------
    n_in, n_out : int or None
        Width of the input and of the output, fixed by :meth:`build`.
    needs_input_grad : bool
        Whether :meth:`backward` must return the gradient with respect to the input; the network
        switches it off for its first layer.
    frozen : bool
        Set by :meth:`Network.frozen <nntricks.network.Network.frozen>`: the layer must repeat
        its random draws (dropout masks) and leave its buffers (running statistics) alone, so
        that the loss is a deterministic function of the parameters.
    activity : bool
        Class attribute: whether the layer's output is the activity of a layer of units (an
        activation layer), what :meth:`Network.activity <nntricks.network.Network.activity>`
        reports and the notes' argument for Xavier initialization looks at.
    """

    activity = False

    def __init__(self) -> None:
        self.n_in: int | None = None
        self.n_out: int | None = None
        self.needs_input_grad = True
        self.frozen = False
        self.workspace = Workspace()

    def build(self, n_in: int) -> int:
        """Fix the input width and return the output width."""
        self.n_in = self.n_out = n_in
        return n_in

    def parameters(self) -> list[ArraySpec]:
        """The trained arrays of the layer (after :meth:`build`)."""
        return []

    def buffers(self) -> list[ArraySpec]:
        """The arrays the layer keeps but does not train (after :meth:`build`)."""
        return []

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
             buffers: dict[str, np.ndarray]) -> None:
        """Receive views, by declared name: ``self.<name>``, ``self.d<name>`` for gradients."""
        for name, view in params.items():
            setattr(self, name, view)
            setattr(self, f"d{name}", grads[name])
        for name, view in buffers.items():
            setattr(self, name, view)

    def seed(self, rng: np.random.Generator) -> None:
        """Take a generator for the layer's own random draws (none by default)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Return the layer's output for a batch ``x``."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Return :math:`\\partial L/\\partial x` given :math:`\\partial L/\\partial\\,\\text{out}`.
        """
        raise NotImplementedError

    def kink_pieces(self) -> np.ndarray | None:
        """The linear piece of each unit in the last forward pass, for layers with kinks."""
        return None


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
    ``W`` is penalized, ``b`` is not; both have fan-in ``n_in`` (the bias is a weight on a
    constant input). Backward, with :math:`\\delta = \\partial L/\\partial z`:
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
        self._x: np.ndarray | None = None

    def build(self, n_in: int) -> int:
        if n_in != self.n_in:
            raise ValueError(
                f"mismatched layer sizes: Dense({self.n_in}, {self.n_out}) receives {n_in} inputs"
            )
        return self.n_out

    def parameters(self) -> list[ArraySpec]:
        return [ArraySpec("W", (self.n_in, self.n_out), self.initializer, penalized=True,
                          fan_in=self.n_in),
                ArraySpec("b", (self.n_out,), 0.0, fan_in=self.n_in)]

    def forward(self, x, training=False):
        z = self.workspace.get("z", x.shape[0], self.n_out, like=self.W)
        if is_sparse(x):  # a sparse batch, for the first layer
            z[...] = x @ self.W
        else:
            namespace(x).matmul(x, self.W, out=z)
        z += self.b
        self._x = x
        return z

    def backward(self, grad_out):
        xp = namespace(grad_out)
        if is_sparse(self._x):
            self.dW[...] = self._x.T @ grad_out
        else:
            xp.matmul(self._x.T, grad_out, out=self.dW)
        grad_out.sum(axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        dx = self.workspace.get("dx", grad_out.shape[0], self.n_in, like=grad_out)
        return xp.matmul(grad_out, self.W.T, out=dx)

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

    activity = True

    def __init__(self, activation: str | ActivationFunction, **params: float) -> None:
        super().__init__()
        self.function = get_activation(activation, **params)
        self._a: np.ndarray | None = None

    def forward(self, x, training=False):
        a = self.workspace.get("a", x.shape[0], x.shape[1], like=x)
        self.function.value(x, out=a)
        self._a = a
        return a

    def backward(self, grad_out):
        dz = self.workspace.get("dz", grad_out.shape[0], grad_out.shape[1], like=grad_out)
        scratch = self.workspace.get("scratch", grad_out.shape[0], grad_out.shape[1],
                                     like=grad_out)
        self.function.backward(self._a, grad_out, scratch, out=dz)
        return dz

    def kink_pieces(self) -> np.ndarray | None:
        if not self.function.kinks or self._a is None:
            return None
        return self.function.piece(self._a)

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
    flow only through kept units. While :attr:`frozen`, the last mask is reused.
    """

    def __init__(self, rate: float, scaling: str = "inverted") -> None:
        super().__init__()
        check_scalar(rate, "dropout rate", low=0, high=1, high_inclusive=False)
        check_choice(scaling, "dropout scaling", DROPOUT_SCALINGS)
        self.rate = float(rate)
        self.scaling = scaling
        self.rng = np.random.default_rng()
        self._draws: tuple | None = None  # (rng, backend, generator on the backend's device)
        self._training = False
        self._mask: np.ndarray | None = None

    @property
    def keep(self) -> float:
        """Probability of keeping a unit, :math:`1 - \\text{rate}`."""
        return 1.0 - self.rate

    def seed(self, rng: np.random.Generator) -> None:
        self.rng = rng.spawn(1)[0]

    def forward(self, x, training=False):
        xp = namespace(x)
        out = self.workspace.get("out", x.shape[0], x.shape[1], like=x)
        self._training = training
        if not training:
            return xp.multiply(x, self._inference_scale, out=out)
        if not (self.frozen and self._mask is not None and self._mask.shape == x.shape):
            mask = self.workspace.get("mask", x.shape[0], x.shape[1], like=x)
            backend = backend_of(x)
            backend.uniform(self._generator(backend), out=mask)
            xp.greater_equal(mask, self.rate, out=mask)
            if self.scaling == "inverted":
                mask *= 1.0 / self.keep
            self._mask = mask
        return xp.multiply(x, self._mask, out=out)

    def _generator(self, backend):
        """The generator drawing the masks on ``backend``'s device, made from :attr:`rng`."""
        if self._draws is None or self._draws[0] is not self.rng or self._draws[1] is not backend:
            self._draws = (self.rng, backend, backend.generator(self.rng))
        return self._draws[2]

    @property
    def _inference_scale(self) -> float:
        return self.keep if self.scaling == "inference" else 1.0

    def backward(self, grad_out):
        dx = self.workspace.get("dx", grad_out.shape[0], grad_out.shape[1], like=grad_out)
        scale = self._mask if self._training else self._inference_scale
        return namespace(grad_out).multiply(grad_out, scale, out=dx)

    def __repr__(self) -> str:
        return f"Dropout({self.rate!r}, scaling={self.scaling!r})"


class BatchNorm(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015): the notes' §2.5 inside the network.

    In training, each feature is standardized with the mean and (biased) variance of the batch,
    then scaled and shifted by learned :math:`\\gamma` and :math:`\\beta`:

    .. math:: \\hat x = \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + \\epsilon}}, \\qquad
              y = \\gamma \\odot \\hat x + \\beta.

    At inference the running averages replace the batch statistics, so a prediction does not
    depend on the other rows of its batch.

    Parameters
    ----------
    n_features : int, optional
        Width of the input; taken from the layer before when omitted.
    momentum : float in (0, 1], default=0.1
        PyTorch's convention: after each training batch, ``running = (1 − momentum) · running
        + momentum · batch_statistic``, with the *unbiased* batch variance for ``running_var``
        (a batch of one row leaves the running statistics unchanged).
    epsilon : float > 0, default=1e-5
        Added to the variance (PyTorch's ``eps``).
    penalized : bool, default=False
        Whether the L2/L1 penalties apply to γ and β (by default they do not).

    Notes
    -----
    Parameters ``gamma`` (init 1) and ``beta`` (init 0); buffers ``running_mean`` (init 0) and
    ``running_var`` (init 1). Backward in training, with :math:`N` rows and
    :math:`g = \\partial L/\\partial y`:
    :math:`\\partial L/\\partial\\beta = \\sum_n g_n`,
    :math:`\\partial L/\\partial\\gamma = \\sum_n g_n \\hat x_n`,
    :math:`\\partial L/\\partial x = \\frac{\\gamma}{\\sqrt{\\sigma_B^2+\\epsilon}}\\bigl(g
    - \\tfrac1N\\sum_n g_n - \\hat x\\,\\tfrac1N\\sum_n g_n\\hat x_n\\bigr)`
    (the batch statistics depend on every row). Sample weights do not enter the statistics.
    """

    def __init__(self, n_features: int | None = None, momentum: float = 0.1,
                 epsilon: float = 1e-5, penalized: bool = False) -> None:
        super().__init__()
        if n_features is not None:
            check_scalar(n_features, "n_features", low=1, integer=True)
        check_scalar(momentum, "momentum", low=0, high=1, low_inclusive=False)
        check_scalar(epsilon, "epsilon", low=0, low_inclusive=False)
        if not isinstance(penalized, bool):
            raise ValueError(f"penalized must be True or False, got {penalized!r}")
        self.n_features = n_features
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.penalized = penalized
        self._training = False
        self._x: np.ndarray | None = None
        self._x_hat: np.ndarray | None = None

    def build(self, n_in: int) -> int:
        if self.n_features is not None and n_in != self.n_features:
            raise ValueError(f"mismatched layer sizes: BatchNorm({self.n_features}) receives "
                             f"{n_in} inputs")
        return super().build(n_in)

    def parameters(self) -> list[ArraySpec]:
        return [ArraySpec("gamma", (self.n_in,), 1.0, penalized=self.penalized),
                ArraySpec("beta", (self.n_in,), 0.0, penalized=self.penalized)]

    def buffers(self) -> list[ArraySpec]:
        return [ArraySpec("running_mean", (self.n_in,), 0.0),
                ArraySpec("running_var", (self.n_in,), 1.0)]

    def _vector(self, name: str) -> np.ndarray:
        return self.workspace.get(name, 1, self.n_in, like=self.gamma)[0]

    def forward(self, x, training=False):
        xp = namespace(x)
        n = x.shape[0]
        self._training = training
        out = self.workspace.get("out", n, self.n_in, like=x)
        inv_std = self._vector("inv_std")
        if not training:  # y = x · γ/√(running var + ε) + (β − running mean · γ/√(...))
            xp.add(self.running_var, self.epsilon, out=inv_std)
            xp.sqrt(inv_std, out=inv_std)
            xp.divide(1.0, inv_std, out=inv_std)
            scale, shift = self._vector("scale"), self._vector("shift")
            xp.multiply(self.gamma, inv_std, out=scale)
            xp.multiply(self.running_mean, scale, out=shift)
            xp.subtract(self.beta, shift, out=shift)
            xp.multiply(x, scale, out=out)
            out += shift
            self._x = x
            return out
        mean, var = self._vector("mean"), self._vector("var")
        x_hat = self.workspace.get("x_hat", n, self.n_in, like=x)
        x.sum(axis=0, out=mean)
        mean /= n
        xp.subtract(x, mean, out=x_hat)
        xp.multiply(x_hat, x_hat, out=out)
        out.sum(axis=0, out=var)
        var /= n
        xp.add(var, self.epsilon, out=inv_std)
        xp.sqrt(inv_std, out=inv_std)
        xp.divide(1.0, inv_std, out=inv_std)
        x_hat *= inv_std
        xp.multiply(x_hat, self.gamma, out=out)
        out += self.beta
        if not self.frozen and n > 1:
            self._update_running(mean, var, n)
        self._x_hat = x_hat
        return out

    def _update_running(self, mean: np.ndarray, var: np.ndarray, n: int) -> None:
        keep = 1.0 - self.momentum
        self.running_mean *= keep
        self.running_mean += self.momentum * mean
        self.running_var *= keep
        self.running_var += (self.momentum * n / (n - 1)) * var

    def backward(self, grad_out):
        xp = namespace(grad_out)
        n = grad_out.shape[0]
        grad_out.sum(axis=0, out=self.dbeta)
        dx = self.workspace.get("dx", n, self.n_in, like=grad_out)
        inv_std = self._vector("inv_std")
        if not self._training:
            xp.multiply(self._x, inv_std, out=dx)
            dx -= self.running_mean * inv_std
            dx *= grad_out
            dx.sum(axis=0, out=self.dgamma)
            return xp.multiply(grad_out, self._vector("scale"), out=dx) \
                if self.needs_input_grad else None
        x_hat = self._x_hat
        xp.multiply(grad_out, x_hat, out=dx)
        dx.sum(axis=0, out=self.dgamma)
        if not self.needs_input_grad:
            return None
        # dx = γ/σ · (g − mean(g) − x̂ · mean(g x̂))
        xp.multiply(x_hat, self.dgamma, out=dx)
        dx *= -1.0 / n
        dx += grad_out
        dx -= self.dbeta / n
        factor = self._vector("factor")
        xp.multiply(self.gamma, inv_std, out=factor)
        dx *= factor
        return dx

    def __repr__(self) -> str:
        return f"BatchNorm(momentum={self.momentum!r}, epsilon={self.epsilon!r})"
