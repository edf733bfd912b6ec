"""The named optimizers of the notes (§2.7–2.9), each a chain of small transforms."""

from __future__ import annotations

from nntricks.backend import kernels_for
from nntricks.optim._base import FusedStep, Optimizer, ScalarOrSchedule, check_learning_rate
from nntricks.optim._transforms import (
    add_decayed_weights,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_rms,
    trace,
)

__all__ = ["adagrad", "adam", "adamw", "rmsprop", "sgd"]


def sgd(
    learning_rate: ScalarOrSchedule = 0.01,
    momentum: float = 0.0,
    nesterov: bool = False,
) -> Optimizer:
    r"""Stochastic gradient descent, with optional (Nesterov) momentum in the notes' form.

    Without momentum (notes §2.7)::

        θ ← θ − α_t g

    With momentum μ > 0 (notes §2.8)::

        v ← μ v − α_t g
        θ ← θ + v                     (heavy ball)
        θ ← θ + μ v − α_t g           (nesterov=True)

    Parameters
    ----------
    learning_rate : float >= 0 or callable, default=0.01
        α, or a schedule ``α_t = learning_rate(t)`` with ``t`` the number of steps taken
        before this one (0 on the first step).
    momentum : float in [0, 1), default=0.0
        μ. 0 gives plain SGD.
    nesterov : bool, default=False
        Nesterov's accelerated gradient (needs ``momentum > 0``).

    Returns
    -------
    Optimizer
        ``chain(scale_by_learning_rate(α), trace(μ, nesterov))``.

    Notes
    -----
    PyTorch's ``torch.optim.SGD`` (dampening 0) keeps ``b ← μ b + g`` and steps
    ``θ ← θ − α b`` (Nesterov: ``θ ← θ − α (g + μ b)``). With a constant learning rate this is
    the same trajectory (``v = −α b``); with a schedule it differs, and
    ``Optimizer(trace(μ, nesterov), scale_by_learning_rate(schedule))`` gives PyTorch's form.
    """
    check_learning_rate(learning_rate)
    lr_transform = scale_by_learning_rate(learning_rate)
    if momentum == 0:
        if nesterov:
            raise ValueError("nesterov=True requires momentum > 0")
        return Optimizer(lr_transform, name=f"sgd(learning_rate={learning_rate!r})")
    return Optimizer(
        lr_transform,
        trace(momentum, nesterov=nesterov),
        name=f"sgd(learning_rate={learning_rate!r}, momentum={momentum!r}, nesterov={nesterov})",
        fused=_fused_momentum(learning_rate, momentum, nesterov),
    )


def _fused_momentum(learning_rate: ScalarOrSchedule, momentum: float,
                    nesterov: bool) -> FusedStep:
    """``chain(scale_by_learning_rate, trace)`` and the addition, in one kernel."""
    schedule = learning_rate if callable(learning_rate) else None

    def step(params, grads, inner) -> bool:
        rates, velocity = inner
        kernels = kernels_for(params, grads, velocity.v)
        if kernels is None:
            return False
        kernels.sgd_step(params, grads, velocity.v, rates.take_step(schedule), momentum,
                         nesterov)
        return True

    return step


def adagrad(
    learning_rate: ScalarOrSchedule = 0.01,
    epsilon: float = 1e-8,
    *,
    eps_inside_root: bool = True,
    initial_accumulator_value: float = 0.0,
) -> Optimizer:
    r"""AdaGrad (Duchi, Hazan & Singer, 2011), notes §2.9.

    ::

        ν ← ν + g²                                     (the notes' cache)
        θ ← θ − α_t g / √(ν + ε)      eps_inside_root=True  (the notes)
        θ ← θ − α_t g / (√ν + ε)      eps_inside_root=False (PyTorch's Adagrad)

    Parameters
    ----------
    learning_rate : float >= 0 or callable, default=0.01
        α, or a schedule of the step count (see :func:`sgd`).
    epsilon : float > 0, default=1e-8
        ε. To follow ``torch.optim.Adagrad(lr, eps=e, initial_accumulator_value=a)``
        (``lr_decay=0``, ``weight_decay=0``), use
        ``adagrad(lr, epsilon=e, eps_inside_root=False, initial_accumulator_value=a)``.
    eps_inside_root : bool, default=True
        Where ε sits (see above).
    initial_accumulator_value : float >= 0, default=0.0
        Starting value of ν.

    Returns
    -------
    Optimizer
        ``chain(scale_by_adagrad(...), scale_by_learning_rate(α))``.
    """
    check_learning_rate(learning_rate)
    return Optimizer(
        scale_by_adagrad(
            epsilon,
            eps_inside_root=eps_inside_root,
            initial_accumulator_value=initial_accumulator_value,
        ),
        scale_by_learning_rate(learning_rate),
        name=f"adagrad(learning_rate={learning_rate!r}, epsilon={epsilon!r})",
    )


def rmsprop(
    learning_rate: ScalarOrSchedule = 0.01,
    decay: float = 0.99,
    epsilon: float = 1e-8,
) -> Optimizer:
    r"""RMSProp (Tieleman & Hinton, 2012), notes §2.9.

    ::

        ν ← d ν + (1 − d) g²          (the notes' cache; ν starts at 0)
        θ ← θ − α_t g / (√ν + ε)

    Parameters
    ----------
    learning_rate : float >= 0 or callable, default=0.01
        α, or a schedule of the step count (see :func:`sgd`).
    decay : float in [0, 1), default=0.99
        d; PyTorch's ``RMSprop(alpha=d, eps=ε)`` (not centered, no momentum) is the same
        update.
    epsilon : float > 0, default=1e-8
        ε.

    Returns
    -------
    Optimizer
        ``chain(scale_by_rms(d, ε), scale_by_learning_rate(α))``.
    """
    check_learning_rate(learning_rate)
    return Optimizer(
        scale_by_rms(decay, epsilon),
        scale_by_learning_rate(learning_rate),
        name=f"rmsprop(learning_rate={learning_rate!r}, decay={decay!r}, epsilon={epsilon!r})",
    )


def adam(
    learning_rate: ScalarOrSchedule = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-8,
    *,
    bias_correction: bool = True,
) -> Optimizer:
    r"""Adam (Kingma & Ba, 2015), notes §2.9, with the published bias correction by default.

    On step ``t = 1, 2, …``::

        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        θ ← θ − α m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)

    ``bias_correction=False`` gives the notes' printed form, ``m̂ = m, v̂ = v``.
    The scheduled learning rate is ``α = learning_rate(t − 1)``.
    Same as ``torch.optim.Adam(lr=α, betas=(β₁, β₂), eps=ε)``.

    Parameters
    ----------
    learning_rate : float >= 0 or callable, default=0.001
        α, or a schedule of the step count (see :func:`sgd`).
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
        Decay rates of the first and second moments (scikit-learn's names).
    epsilon : float > 0, default=1e-8
        ε.
    bias_correction : bool, default=True
        Published Adam (True) or the notes' printed form (False).

    Returns
    -------
    Optimizer
        ``chain(scale_by_adam(...), scale_by_learning_rate(α))``.
    """
    check_learning_rate(learning_rate)
    return Optimizer(
        scale_by_adam(beta_1, beta_2, epsilon, bias_correction=bias_correction),
        scale_by_learning_rate(learning_rate),
        name=f"adam(learning_rate={learning_rate!r}, beta_1={beta_1!r}, beta_2={beta_2!r})",
        fused=_fused_adam(learning_rate, beta_1, beta_2, epsilon, bias_correction),
    )


def _fused_adam(learning_rate: ScalarOrSchedule, beta_1: float, beta_2: float, epsilon: float,
                bias_correction: bool) -> FusedStep:
    """``chain(scale_by_adam, scale_by_learning_rate)`` and the addition, in one kernel."""
    schedule = learning_rate if callable(learning_rate) else None

    def step(params, grads, inner) -> bool:
        moments, rates = inner
        kernels = kernels_for(params, grads, moments.mu, moments.nu)
        if kernels is None:
            return False
        root, scale = moments.take_step(beta_1, beta_2, bias_correction)
        kernels.adam_step(params, grads, moments.mu, moments.nu, beta_1, beta_2,
                          epsilon * root, scale, rates.take_step(schedule))
        return True

    return step


def adamw(
    learning_rate: ScalarOrSchedule = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-8,
    weight_decay: float = 0.01,
    *,
    bias_correction: bool = True,
) -> Optimizer:
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    ::

        θ ← θ − α_t λ θ − α_t m̂ / (√v̂ + ε)

    with ``m̂, v̂`` as in :func:`adam`. The decay uses the parameters before the step and is
    multiplied by the scheduled learning rate ``α_t``, exactly as
    ``torch.optim.AdamW(lr=α, betas=(β₁, β₂), eps=ε, weight_decay=λ)`` (which applies
    ``θ ← θ (1 − α λ)`` and then the Adam step).

    Parameters
    ----------
    learning_rate : float >= 0 or callable, default=0.001
        α, or a schedule of the step count (see :func:`sgd`).
    beta_1, beta_2, epsilon, bias_correction
        As in :func:`adam`.
    weight_decay : float >= 0, default=0.01
        λ (PyTorch's default).

    Returns
    -------
    Optimizer
        ``chain(scale_by_adam(...), add_decayed_weights(λ), scale_by_learning_rate(α))``.
    """
    check_learning_rate(learning_rate)
    return Optimizer(
        scale_by_adam(beta_1, beta_2, epsilon, bias_correction=bias_correction),
        add_decayed_weights(weight_decay),
        scale_by_learning_rate(learning_rate),
        name=(
            f"adamw(learning_rate={learning_rate!r}, beta_1={beta_1!r}, beta_2={beta_2!r}, "
            f"weight_decay={weight_decay!r})"
        ),
    )
