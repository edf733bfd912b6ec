"""The machinery every optimizer is built from: transforms, ``chain`` and ``Optimizer``.

A *gradient transformation* turns a gradient into a parameter step. It has two functions:

``init(params) -> state``
    allocate its state (moment vectors, scratch buffers) once, shaped like ``params``;
``update(updates, state, params) -> None``
    overwrite ``updates`` in place with the transformed updates, advancing ``state`` in place.

Transforms compose with :func:`chain`, and an :class:`Optimizer` wraps a chain: it copies the
gradient into a buffer allocated once in ``init``, lets every transform rewrite that buffer in
place, then adds it to the parameters, ``θ += u``. A step therefore allocates no array of the
size of the parameters; every transform works with ``out=`` arguments and in-place ufuncs.

Sign convention (Optax's): a transform chain turns the gradient ``g`` into the *step*
``u`` that is **added** to the parameters; :func:`~nntricks.optim.scale_by_learning_rate`
multiplies by ``-α`` so that plain SGD is ``θ += -α g``.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from nntricks._validation import check_scalar

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


class GradientTransformation(NamedTuple):
    """A pair of functions that turn gradients into parameter steps, in place.

    Parameters
    ----------
    init : callable ``init(params) -> state``
        Allocates the state for a parameter vector ``params`` of shape ``(n_params,)``
        (any shape works; state arrays take the shape and dtype of ``params``).
    update : callable ``update(updates, state, params) -> None``
        Rewrites ``updates`` (same shape and dtype as ``params``) in place and advances
        ``state`` in place. ``params`` holds the current parameters, read only.
    update_from : callable ``update_from(source, updates, state, params) -> None``, optional
        The same transform reading its input from ``source`` and writing the result into
        ``updates`` (which may be ``source`` itself). Optional: it lets the first transform
        of a chain read the gradient directly, saving the copy of the gradient into the
        update buffer (one pass over the vector). Without it, ``source`` is copied into
        ``updates`` and ``update`` is called.

    Notes
    -----
    The state is a small dataclass (or named tuple) with math names (``mu``, ``nu``,
    ``count``). Arrays in it are saved by :meth:`Optimizer.state_dict` except the fields
    named in its class attribute ``transient_fields`` (scratch buffers). Integer and float
    fields are saved as 0-d arrays.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], None]
    update_from: Callable[[np.ndarray, np.ndarray, Any, np.ndarray], None] | None = None


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Compose transforms: each one rewrites the updates left by the one before.

    ``chain(a, b, c)`` applies ``a``, then ``b``, then ``c`` to the same update buffer.
    Its state is the tuple of their states.

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
    transforms = tuple(transforms)

    def init(params: np.ndarray) -> tuple:
        return tuple(t.init(params) for t in transforms)

    first, rest = transforms[0], transforms[1:]
    first_from = getattr(first, "update_from", None) or _copy_then(first.update)
    rest_updates = tuple(t.update for t in rest)

    def update(updates: np.ndarray, state: tuple, params: np.ndarray) -> None:
        for t, s in zip(transforms, state, strict=True):
            t.update(updates, s, params)

    def update_from(
        source: np.ndarray, updates: np.ndarray, state: tuple, params: np.ndarray
    ) -> None:
        first_from(source, updates, state[0], params)
        for rest_update, s in zip(rest_updates, state[1:], strict=True):
            rest_update(updates, s, params)

    return GradientTransformation(init, update, update_from)


def _copy_then(update: Callable[[np.ndarray, Any, np.ndarray], None]):
    """``update_from`` of a transform that has only ``update``: copy the source, then update."""

    def update_from(source, updates, state, params) -> None:
        if source is not updates:
            np.copyto(updates, source)
        update(updates, state, params)

    return update_from


@dataclasses.dataclass
class OptimizerState:
    """State of an :class:`Optimizer`: the chain's state and the update buffer.

    Attributes
    ----------
    inner : tuple
        The state of each chained transform, in order.
    updates : ndarray
        Scratch buffer shaped like the parameters, reused by every step (not saved).
    """

    inner: tuple
    updates: np.ndarray = dataclasses.field(repr=False)

    transient_fields = ("updates",)


def check_learning_rate(learning_rate: ScalarOrSchedule) -> None:
    """Raise ``ValueError`` unless ``learning_rate`` is a number >= 0 or a callable."""
    if callable(learning_rate):
        return
    check_scalar(learning_rate, "learning_rate", low=0.0)


def check_params(params: object, name: str = "params") -> None:
    """Raise ``ValueError`` unless ``params`` is a floating-point ndarray."""
    if not isinstance(params, np.ndarray):
        raise ValueError(f"{name} must be a numpy ndarray, got {type(params).__name__}")
    if not np.issubdtype(params.dtype, np.floating):
        raise ValueError(f"{name} must have a floating dtype, got {params.dtype}")


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
    """

    def __init__(self, *transforms: GradientTransformation, name: str | None = None) -> None:
        self.transform = chain(*transforms)
        self.name = name or "Optimizer"

    def __repr__(self) -> str:
        return f"<nntricks.optim {self.name}>"

    def init(self, params: np.ndarray) -> OptimizerState:
        """Allocate the optimizer state for ``params`` (shape ``(n_params,)``).

        All arrays a step needs (moments, scratch) are allocated here, with the dtype of
        ``params`` (float32 stays float32).
        """
        check_params(params)
        return OptimizerState(inner=self.transform.init(params), updates=np.empty_like(params))

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
        updates = state.updates
        if not isinstance(params, np.ndarray) or not isinstance(grads, np.ndarray):
            raise ValueError("params and grads must be numpy ndarrays")
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
        self.transform.update_from(grads, updates, state.inner, params)
        params += updates

    # -- saving and restoring ---------------------------------------------------------------

    def state_dict(self, state: OptimizerState) -> dict[str, np.ndarray]:
        """Return the state as a flat ``{name: ndarray}`` dict of plain arrays (copies).

        Names are ``"<index>.<field>"`` (e.g. ``"0.mu"``, ``"0.count"``; nested chains add
        more indices). No object arrays: the dict can be written with ``np.savez`` and read
        back with ``np.load(..., allow_pickle=False)``. Scratch buffers are left out.
        """
        out: dict[str, np.ndarray] = {}
        _flatten(state.inner, "", out)
        return out

    def load_state_dict(
        self, state: OptimizerState, arrays: Mapping[str, np.ndarray]
    ) -> OptimizerState:
        """Copy saved arrays into ``state`` (from :meth:`init` on the same-shaped params).

        The names, shapes and dtypes must match those of :meth:`state_dict` exactly,
        otherwise ``ValueError``. Arrays are copied in place; the (possibly same) state
        object is returned.
        """
        expected: dict[str, np.ndarray] = {}
        _flatten(state.inner, "", expected)
        missing = sorted(set(expected) - set(arrays))
        extra = sorted(set(arrays) - set(expected))
        if missing or extra:
            raise ValueError(
                f"state arrays do not match this optimizer: missing {missing}, unexpected {extra}"
            )
        for key, ref in expected.items():
            got = np.asarray(arrays[key])
            if got.shape != ref.shape or got.dtype != ref.dtype:
                raise ValueError(
                    f"state array {key!r} has shape {got.shape} and dtype {got.dtype}, "
                    f"expected shape {ref.shape} and dtype {ref.dtype}"
                )
        state.inner = _load(state.inner, "", arrays)
        return state

    def restore(self, params: np.ndarray, arrays: Mapping[str, np.ndarray]) -> OptimizerState:
        """Build a state for ``params`` from arrays saved by :meth:`state_dict`.

        Continuing from the restored state gives bit-identical parameters to never having
        stopped (given the same parameters and gradients).
        """
        return self.load_state_dict(self.init(params), arrays)


def _state_fields(state: Any) -> list[tuple[str, Any]]:
    transient = set(getattr(state, "transient_fields", ()))
    if dataclasses.is_dataclass(state) and not isinstance(state, type):
        items = [(f.name, getattr(state, f.name)) for f in dataclasses.fields(state)]
    elif hasattr(state, "_fields"):  # NamedTuple
        items = list(zip(state._fields, state, strict=True))
    else:
        raise ValueError(f"cannot save optimizer state of type {type(state).__name__}")
    return [(k, v) for k, v in items if k not in transient]


def _flatten(state: Any, prefix: str, out: dict[str, np.ndarray]) -> None:
    if state is None:
        return
    if isinstance(state, tuple) and not hasattr(state, "_fields"):
        for i, sub in enumerate(state):
            _flatten(sub, f"{prefix}{i}.", out)
        return
    for name, value in _state_fields(state):
        key = prefix + name
        if isinstance(value, np.ndarray):
            out[key] = value.copy()
        elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
            out[key] = np.asarray(value, dtype=np.int64)
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            out[key] = np.asarray(value, dtype=np.float64)
        else:
            raise ValueError(f"cannot save state field {key!r} of type {type(value).__name__}")


def _load(state: Any, prefix: str, arrays: Mapping[str, np.ndarray]) -> Any:
    if state is None:
        return None
    if isinstance(state, tuple) and not hasattr(state, "_fields"):
        return tuple(_load(sub, f"{prefix}{i}.", arrays) for i, sub in enumerate(state))
    replacements = {}
    for name, value in _state_fields(state):
        saved = np.asarray(arrays[prefix + name])
        if isinstance(value, np.ndarray):
            np.copyto(value, saved)
        elif isinstance(value, numbers.Integral):
            replacements[name] = int(saved)
        else:
            replacements[name] = float(saved)
    if not replacements:
        return state
    if hasattr(state, "_fields"):
        return state._replace(**replacements)
    for name, value in replacements.items():
        setattr(state, name, value)
    return state
