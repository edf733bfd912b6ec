"""The small transforms the optimizers are chained from (notes §2.7–2.9).

Each function validates its hyperparameters at once and returns a
:class:`~nntricks.optim.GradientTransformation` whose one ``update(source, updates, state,
params)`` writes the transformed ``source`` into ``updates`` (the same array, except for the
first transform of a chain, which reads the gradient without copying it). In the formulas, ``u`` on
the right is the incoming update (the gradient ``g`` when the transform comes first in the
chain), ``t`` counts the steps taken before this one (0 on the first step), and all operations
are elementwise over the flat vector.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from nntricks._validation import check_scalar
from nntricks.backend import backend_of, is_array, kernels_for, namespace, to_numpy
from nntricks.optim._base import (
    GradientTransformation,
    ScalarOrSchedule,
    Schedule,
    check_learning_rate,
    check_learning_rate_value,
    check_params,
)

__all__ = [
    "AdagradState",
    "AdamState",
    "DecayedWeightsState",
    "FanInState",
    "LearningRateState",
    "RmsState",
    "TraceState",
    "add_decayed_weights",
    "scale_by_adagrad",
    "scale_by_adam",
    "scale_by_fan_in",
    "scale_by_learning_rate",
    "scale_by_rms",
    "trace",
]


def _check_epsilon(epsilon: float) -> None:
    check_scalar(epsilon, "epsilon", low=0.0, low_inclusive=False)


def _check_unit_interval(value: float, name: str) -> None:
    """``value`` in [0, 1): a decay rate (β, μ, d)."""
    check_scalar(value, name, low=0.0, high=1.0, high_inclusive=False)


# -- learning rate ---------------------------------------------------------------------------


@dataclasses.dataclass
class LearningRateState:
    """State of :func:`scale_by_learning_rate`.

    Attributes
    ----------
    count : int
        Number of steps taken so far (the ``t`` given to the schedule on the next step).
    learning_rate : float
        The rate the last step used, and the one the next step uses unless a schedule sets it:
        a hyperparameter in the state (see :class:`~nntricks.optim.OptimizerState`).
    """

    count: int
    learning_rate: float

    hyperparameters = ("learning_rate",)
    nonnegative_fields = ("learning_rate",)

    def take_step(self, schedule: Schedule | None) -> float:
        """Count a step and return its rate: the schedule's at the current count if there is
        one (kept in :attr:`learning_rate`), else :attr:`learning_rate` as it is."""
        if schedule is not None:
            self.learning_rate = _scheduled_rate(schedule, self.count)
        self.count += 1
        return self.learning_rate


def _scheduled_rate(schedule: Schedule, count: int) -> float:
    """The schedule's rate at step ``count``, refused unless it is one finite number >= 0."""
    rate = schedule(count)
    if is_array(rate) and rate.ndim == 0:
        rate = float(rate)
    check_learning_rate_value(rate, f"the learning_rate schedule at step {count}")
    return float(rate)


def scale_by_learning_rate(learning_rate: ScalarOrSchedule) -> GradientTransformation:
    r"""Multiply the updates by the negative learning rate: ``u ← -α_t · u``.

    Parameters
    ----------
    learning_rate : float >= 0 or callable
        The learning rate α, or a schedule ``α_t = learning_rate(t)`` (see
        :mod:`nntricks.schedules`), where ``t`` is the number of steps this transform has
        taken before the current one: ``t = 0`` on the first step, 1 on the second, …

    Returns
    -------
    GradientTransformation
        State: :class:`LearningRateState`. With a schedule, each step first writes
        ``α_t`` into ``state.learning_rate``; with a constant, the step uses whatever
        ``state.learning_rate`` holds, so a training loop can change it between steps.

    Notes
    -----
    The minus sign makes the chain's output the step that is *added* to the parameters,
    so ``chain(scale_by_learning_rate(α))`` is plain gradient descent ``θ ← θ − α ∇J``
    (notes §2.7).
    """
    check_learning_rate(learning_rate)
    schedule = learning_rate if callable(learning_rate) else None

    def init(params: np.ndarray) -> LearningRateState:
        first = _scheduled_rate(schedule, 0) if schedule is not None else learning_rate
        return LearningRateState(count=0, learning_rate=float(first))

    def update(src: np.ndarray, dst: np.ndarray, state: LearningRateState, params) -> None:
        namespace(src).multiply(src, -state.take_step(schedule), out=dst)

    return GradientTransformation(init, update)


# -- momentum ------------------------------------------------------------------------------


@dataclasses.dataclass
class TraceState:
    """State of :func:`trace`.

    Attributes
    ----------
    v : ndarray of shape (n_params,)
        The velocity (momentum buffer), zero at first.
    scratch : ndarray of shape (n_params,) or None
        Work buffer for Nesterov's ``μ v`` (not saved); ``None`` without Nesterov.
    """

    v: np.ndarray
    scratch: np.ndarray | None = dataclasses.field(default=None, repr=False)

    transient_fields = ("scratch",)


def trace(momentum: float = 0.9, nesterov: bool = False) -> GradientTransformation:
    r"""Momentum: accumulate a velocity ``v ← μ v + u`` and output it.

    Plain (heavy ball)::

        v ← μ v + u
        u ← v

    Nesterov (the reformulation of Sutskever et al. that needs no look-ahead gradient)::

        v ← μ v + u
        u ← u + μ v

    Parameters
    ----------
    momentum : float in [0, 1)
        μ, the fraction of the velocity kept from one step to the next.
    nesterov : bool, default=False
        Use Nesterov's accelerated gradient.

    Returns
    -------
    GradientTransformation
        State: :class:`TraceState`.

    Notes
    -----
    Where the trace sits in the chain decides which of two published forms you get:

    * ``chain(scale_by_learning_rate(α), trace(μ))`` is the notes' form (§2.8):
      ``v ← μ v − α g;  θ ← θ + v`` (Nesterov: ``θ ← θ + μ v − α g``). The learning rate
      enters the velocity, so a schedule changes only the new contributions.
    * ``chain(trace(μ), scale_by_learning_rate(α))`` is PyTorch's ``SGD`` form (dampening 0):
      ``b ← μ b + g;  θ ← θ − α b`` (Nesterov: ``θ ← θ − α (g + μ b)``). A schedule
      rescales the whole velocity at once.

    With a constant learning rate the two give the same trajectory, with ``v = −α b``.
    """
    _check_unit_interval(momentum, "momentum")
    if not isinstance(nesterov, bool):
        raise ValueError(f"nesterov must be True or False, got {nesterov!r}")
    mu = float(momentum)

    def init(params: np.ndarray) -> TraceState:
        xp = namespace(params)
        scratch = xp.empty_like(params) if nesterov else None
        return TraceState(v=xp.zeros_like(params), scratch=scratch)

    if nesterov:

        def update(src: np.ndarray, dst: np.ndarray, state: TraceState, params) -> None:
            kernels = kernels_for(src, dst, state.v)
            if kernels is not None:
                return kernels.trace(src, dst, state.v, mu, nesterov)
            xp = namespace(src)
            v, s = state.v, state.scratch
            v *= mu
            v += src
            xp.multiply(v, mu, out=s)
            xp.add(src, s, out=dst)

    else:

        def update(src: np.ndarray, dst: np.ndarray, state: TraceState, params) -> None:
            kernels = kernels_for(src, dst, state.v)
            if kernels is not None:
                return kernels.trace(src, dst, state.v, mu, nesterov)
            xp = namespace(src)
            v = state.v
            v *= mu
            v += src
            xp.copyto(dst, v)

    return GradientTransformation(init, update)


# -- adaptive methods ----------------------------------------------------------------------


@dataclasses.dataclass
class AdagradState:
    """State of :func:`scale_by_adagrad`.

    Attributes
    ----------
    nu : ndarray of shape (n_params,)
        The running sum of squared gradients (the notes' ``cache``).
    scratch : ndarray of shape (n_params,)
        Work buffer (not saved).
    """

    nu: np.ndarray
    scratch: np.ndarray = dataclasses.field(repr=False)

    transient_fields = ("scratch",)
    nonnegative_fields = ("nu",)


def scale_by_adagrad(
    epsilon: float = 1e-8,
    *,
    eps_inside_root: bool = True,
    initial_accumulator_value: float = 0.0,
) -> GradientTransformation:
    r"""AdaGrad's per-coordinate scaling by the root of the summed squared gradients.

    ::

        ν ← ν + u²                                  (the notes' cache)
        u ← u / √(ν + ε)        if eps_inside_root  (the notes, §2.9)
        u ← u / (√ν + ε)        otherwise            (PyTorch's ``Adagrad``)

    Parameters
    ----------
    epsilon : float > 0, default=1e-8
        ε, keeps the division finite. The notes print ``1e-8`` under the root.
    eps_inside_root : bool, default=True
        Where ε sits. ``True`` follows the notes; ``False`` follows PyTorch (whose default
        ε is 1e-10).
    initial_accumulator_value : float >= 0, default=0.0
        Starting value of ν (PyTorch's ``initial_accumulator_value``).

    Returns
    -------
    GradientTransformation
        State: :class:`AdagradState`.
    """
    _check_epsilon(epsilon)
    if not isinstance(eps_inside_root, bool):
        raise ValueError(f"eps_inside_root must be True or False, got {eps_inside_root!r}")
    check_scalar(initial_accumulator_value, "initial_accumulator_value", low=0.0)
    eps = float(epsilon)
    nu0 = float(initial_accumulator_value)

    def init(params: np.ndarray) -> AdagradState:
        xp = namespace(params)
        return AdagradState(nu=xp.full_like(params, nu0), scratch=xp.empty_like(params))

    def update(src: np.ndarray, dst: np.ndarray, state: AdagradState, params) -> None:
        xp = namespace(src)
        nu, s = state.nu, state.scratch
        xp.multiply(src, src, out=s)
        nu += s
        if eps_inside_root:
            xp.add(nu, eps, out=s)
            xp.sqrt(s, out=s)
        else:
            xp.sqrt(nu, out=s)
            s += eps
        xp.divide(src, s, out=dst)

    return GradientTransformation(init, update)


@dataclasses.dataclass
class RmsState:
    """State of :func:`scale_by_rms`.

    Attributes
    ----------
    nu : ndarray of shape (n_params,)
        The running average of squared gradients (the notes' ``cache``), zero at first.
    scratch : ndarray of shape (n_params,)
        Work buffer (not saved).
    """

    nu: np.ndarray
    scratch: np.ndarray = dataclasses.field(repr=False)

    transient_fields = ("scratch",)
    nonnegative_fields = ("nu",)


def scale_by_rms(decay: float = 0.99, epsilon: float = 1e-8) -> GradientTransformation:
    r"""RMSProp's per-coordinate scaling by a running root mean square of the gradients.

    ::

        ν ← d ν + (1 − d) u²        (the notes' cache, d = decay)
        u ← u / (√ν + ε)

    This is the notes' form (§2.9) and PyTorch's ``RMSprop`` (``alpha`` = d, not centered,
    no momentum), with ν starting at zero.

    Parameters
    ----------
    decay : float in [0, 1), default=0.99
        d, how much of the running average is kept each step (PyTorch's ``alpha``,
        default 0.99; Hinton's lecture used 0.9).
    epsilon : float > 0, default=1e-8
        ε, added to the root.

    Returns
    -------
    GradientTransformation
        State: :class:`RmsState`.
    """
    _check_unit_interval(decay, "decay")
    _check_epsilon(epsilon)
    d, one_minus_d, eps = float(decay), 1.0 - float(decay), float(epsilon)

    def init(params: np.ndarray) -> RmsState:
        xp = namespace(params)
        return RmsState(nu=xp.zeros_like(params), scratch=xp.empty_like(params))

    def update(src: np.ndarray, dst: np.ndarray, state: RmsState, params) -> None:
        xp = namespace(src)
        nu, s = state.nu, state.scratch
        nu *= d
        xp.multiply(src, src, out=s)
        s *= one_minus_d
        nu += s
        xp.sqrt(nu, out=s)
        s += eps
        xp.divide(src, s, out=dst)

    return GradientTransformation(init, update)


@dataclasses.dataclass
class AdamState:
    """State of :func:`scale_by_adam`.

    Attributes
    ----------
    count : int
        Number of steps taken so far; the current step is ``t = count + 1`` in the formula.
    mu : ndarray of shape (n_params,)
        First moment, the running average of gradients ``m``.
    nu : ndarray of shape (n_params,)
        Second moment, the running average of squared gradients ``v``.
    scratch : ndarray of shape (n_params,)
        Work buffer (not saved).
    """

    count: int
    mu: np.ndarray
    nu: np.ndarray
    scratch: np.ndarray = dataclasses.field(repr=False)

    transient_fields = ("scratch",)
    nonnegative_fields = ("nu",)

    def take_step(self, beta_1: float, beta_2: float, bias_correction: bool) -> tuple[float, float]:
        """Count a step and return its bias corrections as two scalars ``(r, c)``:
        ``m̂ / (√v̂ + ε) = c · m / (√v + r ε)``, with ``r = √(1 − β₂ᵗ)`` and ``c = r / (1 − β₁ᵗ)``
        (both 1 without bias correction)."""
        self.count += 1
        if not bias_correction:
            return 1.0, 1.0
        root = math.sqrt(1.0 - beta_2**self.count)
        return root, root / (1.0 - beta_1**self.count)


def scale_by_adam(
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-8,
    *,
    bias_correction: bool = True,
) -> GradientTransformation:
    r"""Adam's scaling by bias-corrected first and second moment estimates.

    On step ``t = 1, 2, …``::

        m ← β₁ m + (1 − β₁) u
        v ← β₂ v + (1 − β₂) u²
        u ← m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)

    With ``bias_correction=False``, ``m̂ = m`` and ``v̂ = v``: the form printed in the notes
    (§2.9). The notes omit the correction; the published Adam (Kingma & Ba, 2015) and
    PyTorch's ``Adam`` include it. Without it the step is the published one times
    ``(1 − β₁ᵗ)/√(1 − β₂ᵗ)`` (about 3.2 at ``t = 1`` and 6.5 at ``t = 10`` with the default
    betas, tending to 1 as ``t`` grows): the early steps are several times too large.
    Both forms are offered.

    Parameters
    ----------
    beta_1 : float in [0, 1), default=0.9
        β₁, decay of the first moment (scikit-learn's name).
    beta_2 : float in [0, 1), default=0.999
        β₂, decay of the second moment.
    epsilon : float > 0, default=1e-8
        ε, added to ``√v̂`` (outside the root, as in the paper and PyTorch).
    bias_correction : bool, default=True
        Divide the moments by ``1 − βᵗ`` (published Adam) or not (the notes' printed form).

    Returns
    -------
    GradientTransformation
        State: :class:`AdamState`.

    Notes
    -----
    The corrected update is computed as ``(√(1−β₂ᵗ)/(1−β₁ᵗ)) · m / (√v + ε √(1−β₂ᵗ))``,
    which is algebraically the same as ``m̂ / (√v̂ + ε)`` and saves one pass over the vector.
    """
    _check_unit_interval(beta_1, "beta_1")
    _check_unit_interval(beta_2, "beta_2")
    _check_epsilon(epsilon)
    if not isinstance(bias_correction, bool):
        raise ValueError(f"bias_correction must be True or False, got {bias_correction!r}")
    b1, b2, eps = float(beta_1), float(beta_2), float(epsilon)

    def init(params: np.ndarray) -> AdamState:
        xp = namespace(params)
        return AdamState(
            count=0,
            mu=xp.zeros_like(params),
            nu=xp.zeros_like(params),
            scratch=xp.empty_like(params),
        )

    def update(src: np.ndarray, dst: np.ndarray, state: AdamState, params) -> None:
        mu, nu, s = state.mu, state.nu, state.scratch
        root_c2, scale = state.take_step(b1, b2, bias_correction)
        kernels = kernels_for(src, dst, mu, nu)
        if kernels is not None:
            return kernels.adam_direction(src, dst, mu, nu, b1, b2, eps * root_c2, scale)
        xp = namespace(src)
        # m ← β₁ m + (1 − β₁) u
        mu *= b1
        xp.multiply(src, 1.0 - b1, out=s)
        mu += s
        # v ← β₂ v + (1 − β₂) u²
        nu *= b2
        xp.multiply(src, src, out=s)
        s *= 1.0 - b2
        nu += s
        # u ← m̂ / (√v̂ + ε)
        xp.sqrt(nu, out=s)
        s += eps * root_c2
        xp.divide(mu, s, out=dst)
        if bias_correction:
            dst *= scale

    return GradientTransformation(init, update)


# -- weight decay and per-coordinate scaling -----------------------------------------------


@dataclasses.dataclass
class DecayedWeightsState:
    """State of :func:`add_decayed_weights`: a work buffer only (nothing saved)."""

    scratch: np.ndarray = dataclasses.field(repr=False)

    transient_fields = ("scratch",)


def add_decayed_weights(weight_decay: float = 0.01) -> GradientTransformation:
    r"""Decoupled weight decay: add ``λ θ`` to the updates, ``u ← u + λ θ``.

    Placed before :func:`scale_by_learning_rate` (as in :func:`~nntricks.optim.adamw`),
    the step becomes ``θ ← θ − α_t (u + λ θ) = (1 − α_t λ) θ − α_t u``: the decay is
    *decoupled* from the adaptive scaling (Loshchilov & Hutter, "Decoupled Weight Decay
    Regularization"), unlike an L2 term added to the loss, which Adam would rescale. It is
    multiplied by the (scheduled) learning rate α_t, as in PyTorch's ``AdamW``.

    Parameters
    ----------
    weight_decay : float >= 0, default=0.01
        λ. Every coordinate is decayed, biases included (as PyTorch's ``AdamW`` on one
        tensor).

    Returns
    -------
    GradientTransformation
        State: :class:`DecayedWeightsState`.
    """
    check_scalar(weight_decay, "weight_decay", low=0.0)
    lam = float(weight_decay)

    def init(params: np.ndarray) -> DecayedWeightsState:
        xp = namespace(params)
        return DecayedWeightsState(scratch=xp.empty_like(params))

    def update(src: np.ndarray, dst: np.ndarray, state: DecayedWeightsState, params) -> None:
        xp = namespace(src)
        s = state.scratch
        xp.multiply(params, lam, out=s)
        xp.add(src, s, out=dst)

    return GradientTransformation(init, update)


@dataclasses.dataclass
class FanInState:
    """State of :func:`scale_by_fan_in`.

    Attributes
    ----------
    scale : ndarray of shape (n_params,)
        The per-coordinate scale, in the dtype of the parameters (a constant: not saved).
    """

    scale: np.ndarray = dataclasses.field(repr=False)

    transient_fields = ("scale",)


def scale_by_fan_in(scale_vector: np.ndarray) -> GradientTransformation:
    r"""Per-coordinate learning-rate scaling: ``u ← s ⊙ u`` (notes §2.7, after Collobert).

    The notes scale each weight's learning rate by ``1/√n_in``, where ``n_in`` is the
    number of inputs (fan-in) of the unit the weight feeds. The network computes the vector
    ``s`` once, with the layout of the flat parameter vector: for a layer with ``n_in``
    inputs, every entry of its weight matrix ``W`` and of its bias ``b`` gets
    ``1/√n_in``. A unit's bias shares the scale of its incoming weights because the bias is
    a weight on a constant input of 1 (LeCun, Bottou, Orr & Müller, "Efficient BackProp").

    Parameters
    ----------
    scale_vector : array_like of shape (n_params,)
        ``s``, finite and >= 0. Its shape is checked against the parameters in ``init``,
        where it is copied once in the parameters' dtype.

    Returns
    -------
    GradientTransformation
        State: :class:`FanInState`.
    """
    try:
        vector = np.array(to_numpy(scale_vector), dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scale_vector must be an array of numbers ({exc})") from None
    if vector.ndim != 1:
        raise ValueError("scale_vector must be a 1-D array with one entry per parameter")
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError("scale_vector must hold finite values >= 0")

    def init(params: np.ndarray) -> FanInState:
        check_params(params)
        if vector.shape != params.shape:
            raise ValueError(
                f"scale_vector has shape {vector.shape}, but params have shape {params.shape}"
            )
        return FanInState(scale=backend_of(params).asarray(vector, dtype=params.dtype))

    def update(src: np.ndarray, dst: np.ndarray, state: FanInState, params) -> None:
        xp = namespace(src)
        xp.multiply(src, state.scale, out=dst)

    return GradientTransformation(init, update)
