"""The machinery every optimizer is built from: transforms, ``chain`` and ``Optimizer``.

A *gradient transformation* turns a gradient into a parameter step. It has two functions:

``init(params) -> state``
    allocate its state (moment vectors, scratch buffers) once, shaped like ``params``;
``update(source, updates, state, params) -> None``
    write the transformed ``source`` into ``updates`` (which may be ``source`` itself),
    advancing ``state`` in place.

Transforms compose with :func:`chain`, and an :class:`Optimizer` wraps a chain: the first
transform reads the gradient and writes into an update buffer allocated once in ``init``, every
further transform rewrites that buffer in place, and the result is added to the parameters,
``θ += u``. A step therefore allocates no array of the size of the parameters.

Sign convention (Optax's): a transform chain turns the gradient ``g`` into the *step*
``u`` that is **added** to the parameters; :func:`~nntricks.optim.scale_by_learning_rate`
multiplies by ``-α`` so that plain SGD is ``θ += -α g``.

Hyperparameters in the state (Optax's ``inject_hyperparams``): a state class names the fields
that are hyperparameters in its class attribute ``hyperparameters``; the learning rate is one.
``state.learning_rate`` reads the rate the last step used and sets the one the next step uses,
so a schedule, a plateau rule and a logger all meet in one place.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from nntricks._validation import check_scalar
from nntricks.backend import backend_of, is_array, namespace, to_numpy

__all__ = [
    "GradientTransformation",
    "Optimizer",
    "OptimizerState",
    "Schedule",
    "ScalarOrSchedule",
    "chain",
]

#: A learning-rate schedule: a function of the step count (an ``int`` >= 0) returning a float.
Schedule = Callable[[int], float]
#: A learning rate given either as a constant or as a schedule.
ScalarOrSchedule = float | Schedule
#: A whole optimizer step in one pass, ``fused(params, grads, inner_state) -> done``.
FusedStep = Callable[[Any, Any, tuple], bool]


class GradientTransformation(NamedTuple):
    """A pair of functions that turn gradients into parameter steps, in place.

    Parameters
    ----------
    init : callable ``init(params) -> state``
        Allocates the state for a parameter vector ``params`` of shape ``(n_params,)``
        (state arrays take the shape and dtype of ``params``).
    update : callable ``update(source, updates, state, params) -> None``
        Writes the transformed ``source`` into ``updates`` (same shape and dtype as
        ``params``; it may be ``source`` itself) and advances ``state`` in place. ``params``
        holds the current parameters, read only.

    Notes
    -----
    The state is a small dataclass with math names (``mu``, ``nu``, ``count``), updated in
    place. :meth:`Optimizer.state_dict` saves its array, integer and float fields except those
    named in its class attribute ``transient_fields`` (scratch buffers); the fields named in its
    class attribute ``hyperparameters`` can be read and set through :class:`OptimizerState`.
    :meth:`Optimizer.load_state_dict` accepts only finite values, integers (counts) >= 0, and
    values >= 0 in the fields named in its class attribute ``nonnegative_fields``.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, np.ndarray, Any, np.ndarray], None]


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Compose transforms: each one rewrites the updates left by the one before.

    ``chain(a, b, c)`` applies ``a`` to the source, then ``b`` and ``c`` to the update buffer
    in place. Its state is the tuple of their states.

    Parameters
    ----------
    *transforms : GradientTransformation
        At least one transform (anything with ``init`` and ``update``).

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> from nntricks.optim import chain, scale_by_adam, scale_by_learning_rate, Optimizer
    >>> opt = Optimizer(chain(scale_by_adam(), scale_by_learning_rate(1e-3)))
    """
    if not transforms:
        raise ValueError("chain needs at least one transform")
    for i, t in enumerate(transforms):
        if not (callable(getattr(t, "init", None)) and callable(getattr(t, "update", None))):
            raise ValueError(
                f"transforms[{i}] must have callable init and update methods, got {t!r}"
            )
    first, rest = transforms[0].update, tuple(t.update for t in transforms[1:])

    def init(params: np.ndarray) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(source: np.ndarray, updates: np.ndarray, state: tuple, params: np.ndarray) -> None:
        first(source, updates, state[0], params)
        for rest_update, s in zip(rest, state[1:], strict=True):
            rest_update(updates, updates, s, params)

    return GradientTransformation(init, update)


@dataclasses.dataclass
class OptimizerState:
    """State of an :class:`Optimizer`: the chain's state and the update buffer.

    Attributes
    ----------
    inner : tuple
        The state of each chained transform, in order.
    updates : ndarray
        Scratch buffer shaped like the parameters, reused by every step (not saved).
    learning_rate : float
        The learning rate of the chain's learning-rate transform: the one the last step used
        (with a schedule) and the one the next step uses (set it to change the rate).
    """

    inner: tuple
    updates: np.ndarray = dataclasses.field(repr=False)

    @property
    def learning_rate(self) -> float:
        return float(self._holder("learning_rate").learning_rate)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        check_learning_rate_value(value)
        for holder in _hyperparameter_holders(self.inner, "learning_rate"):
            holder.learning_rate = float(value)

    def _holder(self, name: str):
        holder = next(_hyperparameter_holders(self.inner, name), None)
        if holder is None:
            raise ValueError(f"this optimizer has no {name} in its state")
        return holder


def _hyperparameter_holders(state: Any, name: str) -> Iterator[Any]:
    """The transform states, depth first, that declare the hyperparameter ``name``."""
    if isinstance(state, tuple):
        for sub in state:
            yield from _hyperparameter_holders(sub, name)
    elif name in getattr(state, "hyperparameters", ()):
        yield state


def check_learning_rate(learning_rate: ScalarOrSchedule) -> None:
    """Raise ``ValueError`` unless ``learning_rate`` is a number >= 0 or a callable."""
    if callable(learning_rate):
        return
    check_scalar(learning_rate, "learning_rate", low=0.0)


def check_learning_rate_value(value: float, what: str = "learning_rate") -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number >= 0 (a rate a step can use)."""
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0
    ):
        raise ValueError(f"{what} is {value!r}; it must be a finite number >= 0")


def check_params(params: object, name: str = "params") -> None:
    """Raise ``ValueError`` unless ``params`` is a flat float32 or float64 array (NumPy's or
    CuPy's): the vector a step and its kernels index as ``(n_params,)``."""
    if not is_array(params):
        raise ValueError(f"{name} must be a NumPy (or CuPy) array, got {type(params).__name__}")
    if params.ndim != 1:
        raise ValueError(
            f"{name} must be a flat vector of shape (n_params,), got shape {params.shape}"
        )
    if params.dtype not in _PARAM_DTYPES:
        raise ValueError(f"{name} must have dtype float32 or float64, got {params.dtype}")


# float16 is refused: its epsilon (1e-8 rounds to 0) turns Adam's, RMSProp's and AdaGrad's 0/0
# into NaN
_PARAM_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class Optimizer:
    """An optimizer over one flat parameter vector, built from chained transforms.

    ``step`` performs, for a gradient ``g`` of the loss at ``θ``::

        u ← transform_1(g)         (into a buffer allocated once; g is not modified)
        u ← transform_k(u)         (each further transform in place, k = 2 … K)
        θ ← θ + u                  (in place)

    Parameters
    ----------
    *transforms : GradientTransformation
        One or more transforms; several are chained with :func:`chain`.
    name : str, optional
        Shown in ``repr``.
    fused : callable, optional
        ``fused(params, grads, inner_state) -> bool``: the whole step (the transforms and the
        addition) in one pass over memory, where a compiled kernel for these arrays exists
        (:mod:`nntricks.cpu_kernels`); it returns False, having done nothing, where none
        does. It must give the transforms' result, to the bit: the named optimizers bring one.

    Examples
    --------
    >>> import numpy as np
    >>> import nntricks.optim as optim
    >>> params = np.ones(4)
    >>> opt = optim.adam(learning_rate=1e-3)
    >>> state = opt.init(params)
    >>> opt.step(params, 2 * params, state)   # gradient of sum(θ²)
    >>> bool(np.all(params < 1))
    True
    >>> state.learning_rate
    0.001
    """

    def __init__(self, *transforms: GradientTransformation, name: str | None = None,
                 fused: FusedStep | None = None) -> None:
        self.transform = chain(*transforms)
        self.name = name or "Optimizer"
        self.fused = fused

    def __repr__(self) -> str:
        return f"<nntricks.optim {self.name}>"

    def init(self, params: np.ndarray) -> OptimizerState:
        """Allocate the optimizer state for ``params`` (shape ``(n_params,)``).

        All arrays a step needs (moments, scratch) are allocated here, with the dtype of
        ``params`` (float32 stays float32).
        """
        check_params(params)
        return OptimizerState(inner=self.transform.init(params),
                              updates=namespace(params).empty_like(params))

    def step(self, params: np.ndarray, grads: np.ndarray, state: OptimizerState) -> None:
        """Update ``params`` in place by one step from the gradient ``grads``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            The parameter vector, updated in place.
        grads : ndarray of shape (n_params,)
            The gradient of the loss at ``params``; same shape and dtype. Not modified.
        state : OptimizerState
            From :meth:`init` (or :meth:`restore`) for a vector of this shape and dtype;
            advanced in place.
        """
        if not isinstance(state, OptimizerState):
            raise ValueError(
                f"state must be an OptimizerState from init or restore, got {type(state).__name__}"
            )
        updates = state.updates
        if not (is_array(params) and is_array(grads)):
            raise ValueError("params and grads must be NumPy (or CuPy) arrays")
        if params.shape != grads.shape:
            raise ValueError(
                f"params and grads have different shapes: {params.shape} != {grads.shape}"
            )
        if params.dtype != grads.dtype:
            raise ValueError(
                f"params and grads have different dtypes: {params.dtype} != {grads.dtype}"
            )
        if params.shape != updates.shape or params.dtype != updates.dtype:
            raise ValueError(
                f"params of shape {params.shape} and dtype {params.dtype} do not match the "
                f"state, made for shape {updates.shape} and dtype {updates.dtype}"
            )
        if self.fused is not None and self.fused(params, grads, state.inner):
            return
        self.transform.update(grads, updates, state.inner, params)
        params += updates

    # -- saving and restoring ---------------------------------------------------------------

    def state_dict(self, state: OptimizerState) -> dict[str, np.ndarray]:
        """Return the state as a flat ``{name: ndarray}`` dict of plain arrays (copies).

        Names are ``"<index>.<field>"`` (e.g. ``"0.mu"``, ``"1.learning_rate"``; nested chains
        add more indices). No object arrays: the dict can be written with ``np.savez`` and
        read back with ``np.load(..., allow_pickle=False)``. Scratch buffers are left out.
        """
        return {key: _saved(key, value) for key, value in _fields(state.inner, "")}

    def load_state_dict(
        self, state: OptimizerState, arrays: Mapping[str, np.ndarray]
    ) -> OptimizerState:
        """Copy saved arrays into ``state`` (from :meth:`init` on the same-shaped params).

        The names, shapes and dtypes must match those of :meth:`state_dict` exactly, and the
        values must be valid: finite, counts >= 0, the learning rate and the accumulated
        squares (``nu``) >= 0. Otherwise ``ValueError`` naming the array, and nothing is
        changed. Returns ``state``.
        """
        expected = self.state_dict(state)
        missing = sorted(set(expected) - set(arrays))
        extra = sorted(set(arrays) - set(expected))
        if missing or extra:
            raise ValueError(
                f"state arrays do not match this optimizer: missing {missing}, unexpected {extra}"
            )
        owners = dict(_field_owners(state.inner, ""))
        for key, ref in expected.items():
            got = np.asarray(arrays[key])
            if got.shape != ref.shape or got.dtype != ref.dtype:
                raise ValueError(
                    f"state array {key!r} has shape {got.shape} and dtype {got.dtype}, "
                    f"expected shape {ref.shape} and dtype {ref.dtype}"
                )
            holder, name = owners[key]
            _check_saved_values(key, got, name in getattr(holder, "nonnegative_fields", ()))
        for key, (holder, name) in owners.items():
            saved = np.asarray(arrays[key])
            value = getattr(holder, name)
            if is_array(value):
                value[...] = backend_of(value).asarray(saved)
            else:
                setattr(holder, name, type(value)(saved))
        return state

    def restore(self, params: np.ndarray, arrays: Mapping[str, np.ndarray]) -> OptimizerState:
        """Build a state for ``params`` from arrays saved by :meth:`state_dict`.

        Continuing from the restored state gives bit-identical parameters to never having
        stopped (given the same parameters and gradients).
        """
        return self.load_state_dict(self.init(params), arrays)


def _field_owners(state: Any, prefix: str) -> Iterator[tuple[str, tuple[Any, str]]]:
    """``(key, (state object, field name))`` of every saved field, depth first."""
    if isinstance(state, tuple):
        for i, sub in enumerate(state):
            yield from _field_owners(sub, f"{prefix}{i}.")
        return
    if not dataclasses.is_dataclass(state) or isinstance(state, type):
        raise ValueError(f"cannot save optimizer state of type {type(state).__name__}: "
                         "a transform's state must be a dataclass (or a tuple of them)")
    transient = set(getattr(state, "transient_fields", ()))
    for field in dataclasses.fields(state):
        if field.name not in transient:
            yield prefix + field.name, (state, field.name)


def _fields(state: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    for key, (holder, name) in _field_owners(state, prefix):
        yield key, getattr(holder, name)


def _check_saved_values(key: str, values: np.ndarray, nonnegative: bool) -> None:
    """Raise ``ValueError`` unless the saved ``values`` are ones a step can continue from."""
    if np.issubdtype(values.dtype, np.integer):
        if np.any(values < 0):
            raise ValueError(f"state array {key!r} holds a negative count; counts are >= 0")
        return
    if not np.all(np.isfinite(values)):
        raise ValueError(f"state array {key!r} holds NaN or infinite values")
    if nonnegative and np.any(values < 0):
        raise ValueError(f"state array {key!r} holds negative values; it must be >= 0")


def _saved(key: str, value: Any) -> np.ndarray:
    if is_array(value):
        return np.array(to_numpy(value))
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return np.asarray(value, dtype=np.int64)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return np.asarray(value, dtype=np.float64)
    raise ValueError(f"cannot save state field {key!r} of type {type(value).__name__}")
