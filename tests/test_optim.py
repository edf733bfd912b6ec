"""Tests of nntricks.optim: hand-worked steps, PyTorch trajectories, convergence, contracts."""

from __future__ import annotations

import dataclasses
import json
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nntricks import optim, schedules

DATA = Path(__file__).parent / "data"

# ---------------------------------------------------------------------------------------------
# 1. The first three steps on f(θ) = θ²/2 (so g = θ), from θ₀ = 1, worked by hand.
# ---------------------------------------------------------------------------------------------


def _adagrad_hand():
    # α = 0.5, ε = 1e-8 under the root (the notes): cache ← cache + g²; θ ← θ − α g / √(cache + ε)
    th1 = 1 - 0.5 * 1 / math.sqrt(1 + 1e-8)  # cache = 1                       ≈ 0.5
    th2 = th1 - 0.5 * th1 / math.sqrt(1 + th1**2 + 1e-8)  # cache = 1.25        ≈ 0.2763932
    th3 = th2 - 0.5 * th2 / math.sqrt(1 + th1**2 + th2**2 + 1e-8)  # ≈ 1.3263932 ≈ 0.1563987
    return [th1, th2, th3]


def _adagrad_torch_style_hand():
    # α = 0.5, ε = 0.1 outside the root, cache starts at 3: θ ← θ − α g / (√cache + ε)
    th1 = 1 - 0.5 * 1 / (math.sqrt(3 + 1) + 0.1)  # 1 − 0.5/2.1                    ≈ 0.7619048
    th2 = th1 - 0.5 * th1 / (math.sqrt(4 + th1**2) + 0.1)
    th3 = th2 - 0.5 * th2 / (math.sqrt(4 + th1**2 + th2**2) + 0.1)
    return [th1, th2, th3]


def _rmsprop_hand():
    # α = 0.1, d = 0.9, ε = 1e-8: cache ← d cache + (1 − d) g²; θ ← θ − α g / (√cache + ε)
    c1 = 0.1 * 1**2  # 0.1
    th1 = 1 - 0.1 * 1 / (math.sqrt(c1) + 1e-8)  # 1 − 0.1/0.3162278             ≈ 0.6837722
    c2 = 0.9 * c1 + 0.1 * th1**2
    th2 = th1 - 0.1 * th1 / (math.sqrt(c2) + 1e-8)
    c3 = 0.9 * c2 + 0.1 * th2**2
    th3 = th2 - 0.1 * th2 / (math.sqrt(c3) + 1e-8)
    return [th1, th2, th3]


def _adam_hand(weight_decay=0.0, corrected=True):
    # α = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8
    # m ← β₁ m + (1−β₁) g;  v ← β₂ v + (1−β₂) g²;  θ ← θ − αλθ − α m̂ / (√v̂ + ε)
    # 1 − β₁ᵗ = 0.1, 0.19, 0.271;  1 − β₂ᵗ = 0.001, 0.001999, 0.002997001
    c1 = [0.1, 0.19, 0.271] if corrected else [1, 1, 1]
    c2 = [0.001, 0.001999, 0.002997001] if corrected else [1, 1, 1]
    m1, v1 = 0.1 * 1, 0.001 * 1**2  # m̂ = 1, v̂ = 1 when corrected
    th1 = 1 - 0.1 * weight_decay * 1 - 0.1 * (m1 / c1[0]) / (math.sqrt(v1 / c2[0]) + 1e-8)
    m2, v2 = 0.9 * m1 + 0.1 * th1, 0.999 * v1 + 0.001 * th1**2
    th2 = th1 - 0.1 * weight_decay * th1 - 0.1 * (m2 / c1[1]) / (math.sqrt(v2 / c2[1]) + 1e-8)
    m3, v3 = 0.9 * m2 + 0.1 * th2, 0.999 * v2 + 0.001 * th2**2
    th3 = th2 - 0.1 * weight_decay * th2 - 0.1 * (m3 / c1[2]) / (math.sqrt(v3 / c2[2]) + 1e-8)
    return [th1, th2, th3]


HAND_CASES = {
    # θ ← θ − α g, α = 0.1: 1 → 0.9 → 0.81 → 0.729
    "sgd": (lambda: optim.sgd(0.1), [0.9, 0.81, 0.729]),
    # v ← μv − αg; θ ← θ + v, α = 0.1, μ = 0.5:
    # v = −0.1 → θ = 0.9; v = −0.05 − 0.09 = −0.14 → 0.76; v = −0.07 − 0.076 = −0.146 → 0.614
    "momentum": (lambda: optim.sgd(0.1, momentum=0.5), [0.9, 0.76, 0.614]),
    # v ← μv − αg; θ ← θ + μv − αg:
    # v = −0.1, θ = 1 − 0.05 − 0.1 = 0.85; v = −0.05 − 0.085 = −0.135, θ = 0.85 − 0.0675 − 0.085
    # = 0.6975; v = −0.0675 − 0.06975 = −0.13725, θ = 0.6975 − 0.068625 − 0.06975 = 0.559125
    "nesterov": (
        lambda: optim.sgd(0.1, momentum=0.5, nesterov=True),
        [0.85, 0.6975, 0.559125],
    ),
    "adagrad": (lambda: optim.adagrad(0.5, epsilon=1e-8), _adagrad_hand()),
    "adagrad_torch_style": (
        lambda: optim.adagrad(
            0.5, epsilon=0.1, eps_inside_root=False, initial_accumulator_value=3.0
        ),
        _adagrad_torch_style_hand(),
    ),
    "rmsprop": (lambda: optim.rmsprop(0.1, decay=0.9, epsilon=1e-8), _rmsprop_hand()),
    # step 1 of published Adam: m̂ = g, v̂ = g², so θ₁ = 1 − 0.1·1/(1 + 1e-8) ≈ 0.9
    "adam": (lambda: optim.adam(0.1, 0.9, 0.999, 1e-8), _adam_hand()),
    # notes' printed form: θ₁ = 1 − 0.1·0.1/(√0.001 + 1e-8) ≈ 0.6837722
    "adam_notes_form": (
        lambda: optim.adam(0.1, 0.9, 0.999, 1e-8, bias_correction=False),
        _adam_hand(corrected=False),
    ),
    # λ = 0.5: θ₁ = 1 − 0.1·0.5·1 − 0.1·1/(1 + 1e-8) ≈ 0.85
    "adamw": (
        lambda: optim.adamw(0.1, 0.9, 0.999, 1e-8, weight_decay=0.5),
        _adam_hand(weight_decay=0.5),
    ),
    # per-coordinate scale 0.5, α = 0.1: θ ← θ(1 − 0.05): 0.95, 0.9025, 0.857375
    "fan_in": (
        lambda: optim.Optimizer(
            optim.scale_by_fan_in(np.array([0.5])), optim.scale_by_learning_rate(0.1)
        ),
        [0.95, 0.9025, 0.857375],
    ),
    # α_t = 0.1 · 0.5^⌊t/2⌋ with t = 0, 1, 2: 0.1, 0.1, 0.05 → 0.9, 0.81, 0.81·0.95 = 0.7695
    "sgd_step_decay": (
        lambda: optim.sgd(schedules.step_decay(0.1, factor=0.5, every=2)),
        [0.9, 0.81, 0.7695],
    ),
}


@pytest.mark.parametrize("name", list(HAND_CASES))
def test_first_three_steps_match_hand_computation(name):
    factory, expected = HAND_CASES[name]
    opt = factory()
    params = np.array([1.0])
    state = opt.init(params)
    got = []
    for _ in range(3):
        opt.step(params, params.copy(), state)  # g = θ for f(θ) = θ²/2
        got.append(float(params[0]))
    assert got == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_hand_values_are_what_the_comments_say():
    # guards the helper arithmetic above against a slip (values to 7 digits)
    assert _adagrad_hand() == pytest.approx([0.5, 0.2763932, 0.1563987], rel=1e-6)
    assert _adagrad_torch_style_hand()[0] == pytest.approx(0.7619048, rel=1e-6)
    assert _rmsprop_hand()[0] == pytest.approx(0.6837722, rel=1e-6)
    assert _adam_hand()[0] == pytest.approx(0.9, rel=1e-7)
    assert _adam_hand(corrected=False)[0] == pytest.approx(0.6837722, rel=1e-6)
    assert _adam_hand(weight_decay=0.5)[0] == pytest.approx(0.85, rel=1e-7)


# ---------------------------------------------------------------------------------------------
# 2. Trajectories of torch.optim (scripts/make_torch_references.py, torch 2.13.0), float64.
# ---------------------------------------------------------------------------------------------

ADAM_KW = {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8}
ADAMW_KW = {**ADAM_KW, "weight_decay": 0.1}

# case -> (our equivalent optimizer, the torch configuration it maps to)
TORCH_CASES = {
    "sgd": (lambda: optim.sgd(0.05), ("SGD", {"lr": 0.05}, None)),
    "sgd_momentum": (
        # torch: b ← μb + g; θ ← θ − lr·b. Ours: v ← μv − lr·g; θ ← θ + v. Same for constant lr.
        lambda: optim.sgd(0.05, momentum=0.9),
        ("SGD", {"lr": 0.05, "momentum": 0.9}, None),
    ),
    "sgd_nesterov": (
        # torch: θ ← θ − lr(g + μb). Ours: θ ← θ + μv − lr·g.
        lambda: optim.sgd(0.05, momentum=0.9, nesterov=True),
        ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    ),
    "sgd_momentum_step_decay": (
        # with a schedule, torch's form is the trace *before* the learning rate
        lambda: optim.Optimizer(
            optim.trace(0.9),
            optim.scale_by_learning_rate(schedules.step_decay(0.05, factor=0.5, every=50)),
        ),
        ("SGD", {"lr": 0.05, "momentum": 0.9}, ["step_decay", 0.5, 50]),
    ),
    "adagrad": (
        # torch puts eps outside the root
        lambda: optim.adagrad(
            0.1, epsilon=1e-10, eps_inside_root=False, initial_accumulator_value=0.1
        ),
        ("Adagrad", {"lr": 0.1, "eps": 1e-10, "initial_accumulator_value": 0.1}, None),
    ),
    "rmsprop": (
        # torch's alpha is the notes' d
        lambda: optim.rmsprop(0.01, decay=0.9, epsilon=1e-8),
        ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8}, None),
    ),
    "adam": (lambda: optim.adam(0.01, 0.9, 0.999, 1e-8), ("Adam", ADAM_KW, None)),
    "adam_exponential_decay": (
        lambda: optim.adam(schedules.exponential_decay(0.01, rate=0.01), 0.9, 0.999, 1e-8),
        ("Adam", ADAM_KW, ["exponential_decay", 0.01]),
    ),
    "adamw": (
        lambda: optim.adamw(0.01, 0.9, 0.999, 1e-8, weight_decay=0.1),
        ("AdamW", ADAMW_KW, None),
    ),
    "adamw_step_decay": (
        # the decay θ ← θ − lr_t·λ·θ uses the scheduled lr in both
        lambda: optim.adamw(
            schedules.step_decay(0.01, factor=0.5, every=50), 0.9, 0.999, 1e-8, weight_decay=0.1
        ),
        ("AdamW", ADAMW_KW, ["step_decay", 0.5, 50]),
    ),
}


def _load_reference(case):
    with np.load(DATA / f"torch_{case}.npz", allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _replay(opt, params0, grads):
    params = params0.copy()
    state = opt.init(params)
    trajectory = np.empty_like(grads)
    for k, g in enumerate(grads):
        opt.step(params, g, state)
        trajectory[k] = params
    return trajectory


@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_follows_torch_optim(case):
    factory, (cls, kwargs, schedule) = TORCH_CASES[case]
    ref = _load_reference(case)
    config = json.loads(str(ref["torch_config"]))
    assert config == {"class": cls, "kwargs": kwargs, "schedule": schedule}
    assert str(ref["torch_version"]).startswith("2.13.0")
    grads = ref["grads"]
    assert grads.shape == (200, 8) and grads.dtype == np.float64
    trajectory = _replay(factory(), ref["params0"], grads)
    np.testing.assert_allclose(trajectory, ref["trajectory"], rtol=1e-6, atol=1e-12)
    # and relative to the size of the vector at every step
    err = np.linalg.norm(trajectory - ref["trajectory"], axis=1)
    assert np.all(err <= 1e-6 * np.linalg.norm(ref["trajectory"], axis=1))


def test_notes_momentum_differs_from_torch_under_a_schedule():
    # documented: the notes' v ← μv − α_t g is not torch's b ← μb + g; θ −= α_t b once α changes
    ref = _load_reference("sgd_momentum_step_decay")
    opt = optim.sgd(schedules.step_decay(0.05, factor=0.5, every=50), momentum=0.9)
    trajectory = _replay(opt, ref["params0"], ref["grads"])
    np.testing.assert_allclose(trajectory[:50], ref["trajectory"][:50], rtol=1e-6, atol=1e-12)
    assert np.max(np.abs(trajectory[50:] - ref["trajectory"][50:])) > 1e-3


# ---------------------------------------------------------------------------------------------
# 3. One table of optimizers, the same problems.
# ---------------------------------------------------------------------------------------------

OPTIMIZER_TABLE = {
    "sgd": lambda: optim.sgd(1.5e-3),
    "momentum": lambda: optim.sgd(2e-4, momentum=0.9),
    "nesterov": lambda: optim.sgd(2e-4, momentum=0.9, nesterov=True),
    "adagrad": lambda: optim.adagrad(0.5),
    "rmsprop": lambda: optim.rmsprop(schedules.exponential_decay(0.01, rate=1e-3)),
    "adam": lambda: optim.adam(0.02),
    "adam_notes_form": lambda: optim.adam(0.02, bias_correction=False),
    "adamw": lambda: optim.adamw(schedules.exponential_decay(0.02, rate=3e-4), weight_decay=1e-4),
}

QUAD_CURVATURE = np.array([1.0, 10.0])
QUAD_MINIMUM = np.array([1.0, -2.0])


def _quadratic_grad(x):
    # f(x) = ½ Σ a_i (x_i − c_i)², an ill-conditioned bowl (condition number 10)
    return QUAD_CURVATURE * (x - QUAD_MINIMUM)


def _rosenbrock_grad(x):
    # f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1)
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


PROBLEMS = {
    # name: (gradient, start, minimum)
    "quadratic": (_quadratic_grad, [0.0, 0.0], QUAD_MINIMUM),
    "rosenbrock": (_rosenbrock_grad, [-1.2, 1.0], np.array([1.0, 1.0])),
}
N_STEPS = 20_000
TOLERANCE = 1e-4  # max |θ_i − θ*_i| after N_STEPS


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("name", list(OPTIMIZER_TABLE))
def test_every_optimizer_minimises_the_same_problems(name, problem):
    grad, start, minimum = PROBLEMS[problem]
    opt = OPTIMIZER_TABLE[name]()
    params = np.array(start)
    state = opt.init(params)
    for _ in range(N_STEPS):
        opt.step(params, grad(params), state)
    assert np.max(np.abs(params - minimum)) <= TOLERANCE


# ---------------------------------------------------------------------------------------------
# 5. Bad input.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: optim.sgd(-0.1), "learning_rate"),
        (lambda: optim.adam(learning_rate=-1e-3), "learning_rate"),
        (lambda: optim.sgd(float("inf")), "learning_rate"),
        (lambda: optim.adam(beta_1=1.0), "beta_1"),
        (lambda: optim.adam(beta_1=-0.1), "beta_1"),
        (lambda: optim.adamw(beta_2=1.5), "beta_2"),
        (lambda: optim.scale_by_adam(beta_2=1.0), "beta_2"),
        (lambda: optim.sgd(0.1, momentum=1.0), "momentum"),
        (lambda: optim.sgd(0.1, momentum=-0.5), "momentum"),
        (lambda: optim.trace(momentum=2), "momentum"),
        (lambda: optim.sgd(0.1, nesterov=True), "nesterov"),
        (lambda: optim.adam(epsilon=0.0), "epsilon"),
        (lambda: optim.adagrad(epsilon=-1e-8), "epsilon"),
        (lambda: optim.rmsprop(epsilon=0), "epsilon"),
        (lambda: optim.rmsprop(decay=1.0), "decay"),
        (lambda: optim.adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda: optim.adamw(weight_decay=-0.1), "weight_decay"),
        (lambda: optim.scale_by_fan_in(np.array([1.0, -1.0])), "scale_vector"),
        (lambda: optim.scale_by_fan_in(2.0), "scale_vector"),
        (lambda: optim.chain(), "at least one"),
        (lambda: optim.chain(object()), "init and update"),
    ],
)
def test_bad_hyperparameters_raise(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_step_rejects_mismatched_shapes_and_dtypes():
    opt = optim.adam()
    params = np.zeros(5)
    state = opt.init(params)
    with pytest.raises(ValueError, match="params and grads have different shapes"):
        opt.step(params, np.zeros(4), state)
    with pytest.raises(ValueError, match="params and grads have different dtypes"):
        opt.step(params, np.zeros(5, dtype=np.float32), state)
    with pytest.raises(ValueError, match="do not match the state"):
        opt.step(np.zeros(6), np.zeros(6), state)
    with pytest.raises(ValueError, match="do not match the state"):
        opt.step(np.zeros(5, np.float32), np.zeros(5, np.float32), state)
    with pytest.raises(ValueError, match="params"):
        opt.init(np.zeros(5, dtype=np.int64))


@pytest.mark.parametrize("name", ["adam", "momentum", "adamw", "adagrad"])
@pytest.mark.parametrize("shape", [(2, 3), (1000, 300), ()])
def test_init_refuses_params_that_are_not_a_flat_vector(name, shape):
    # the fused kernels index a flat vector: a matrix made them write out of bounds
    make = {"adam": lambda: optim.adam(0.1), "momentum": lambda: optim.sgd(0.1, momentum=0.9),
            "adamw": lambda: optim.adamw(0.1), "adagrad": lambda: optim.adagrad(0.1)}[name]
    with pytest.raises(ValueError, match=r"flat vector of shape \(n_params,\)"):
        make().init(np.ones(shape))


@pytest.mark.parametrize("name", list(OPTIMIZER_TABLE))
def test_init_refuses_float16(name):
    # in float16 ε = 1e-8 is 0, and an adaptive step of a zero gradient is 0/0 = NaN
    with pytest.raises(ValueError, match="float32 or float64, got float16"):
        OPTIMIZER_TABLE[name]().init(np.ones(3, np.float16))


def test_step_refuses_a_state_that_is_not_one():
    opt = optim.adam(0.1)
    with pytest.raises(ValueError, match="state must be an OptimizerState .*, got NoneType"):
        opt.step(np.ones(3), np.ones(3), None)


def test_fan_in_vector_of_wrong_shape_raises_at_init():
    opt = optim.Optimizer(optim.scale_by_fan_in(np.ones(3)), optim.scale_by_learning_rate(0.1))
    with pytest.raises(ValueError, match="scale_vector has shape"):
        opt.init(np.zeros(4))


def test_schedule_returning_a_bad_rate_raises():
    params = np.ones(2)
    with pytest.raises(ValueError, match="learning_rate schedule at step 0"):
        optim.sgd(lambda t: -0.1).init(params)  # init asks the schedule for its first rate
    opt = optim.sgd(lambda t: 0.1 if t == 0 else -0.1)
    state = opt.init(params)
    opt.step(params, params.copy(), state)
    with pytest.raises(ValueError, match="learning_rate schedule at step 1"):
        opt.step(params, params.copy(), state)


# ---------------------------------------------------------------------------------------------
# 6. Contracts: no allocation, dtypes, chaining, the step count, save and resume.
# ---------------------------------------------------------------------------------------------

ALL_OPTIMIZERS = {
    **OPTIMIZER_TABLE,
    "adagrad_torch_style": lambda: optim.adagrad(0.1, eps_inside_root=False),
    "fan_in_adam": lambda: optim.Optimizer(
        optim.scale_by_adam(),
        optim.scale_by_fan_in(np.linspace(0.1, 1.0, 100_000)),
        optim.scale_by_learning_rate(schedules.inverse_decay(1e-3, tau=10)),
    ),
}


@pytest.mark.parametrize("name", list(ALL_OPTIMIZERS))
def test_step_does_not_allocate_parameter_sized_arrays(name):
    rng = np.random.default_rng(0)
    params = rng.standard_normal(100_000)
    grads = rng.standard_normal(100_000)
    opt = ALL_OPTIMIZERS[name]()
    state = opt.init(params)
    opt.step(params, grads, state)  # warm up (first-call caches)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(3):
            opt.step(params, grads, state)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one parameter-sized array is 800 kB; allow only small Python objects
    assert peak - before < params.nbytes / 20


@pytest.mark.parametrize("name", list(ALL_OPTIMIZERS))
def test_float32_stays_float32(name):
    rng = np.random.default_rng(1)
    params = rng.standard_normal(100_000).astype(np.float32)
    params64 = params.astype(np.float64)
    opt, opt64 = ALL_OPTIMIZERS[name](), ALL_OPTIMIZERS[name]()
    state, state64 = opt.init(params), opt64.init(params64)
    for _ in range(5):
        grads = (params + 0.1).astype(np.float32)
        opt.step(params, grads, state)
        opt64.step(params64, params64 + 0.1, state64)
    assert params.dtype == np.float32
    for key, array in opt.state_dict(state).items():
        if array.ndim:
            assert array.dtype == np.float32, key
    np.testing.assert_allclose(params, params64, rtol=1e-4, atol=1e-5)


@dataclasses.dataclass
class _ClipState:
    count: int
    n_clipped: np.ndarray  # per coordinate, how often it was clipped


def _clip_by_value(limit):
    """A user transform: u ← clip(u, −limit, limit), counting the clipped coordinates."""

    def init(params):
        return _ClipState(count=0, n_clipped=np.zeros(params.shape, dtype=np.int64))

    def update(source, updates, state, params):
        state.n_clipped += np.abs(source) > limit
        np.clip(source, -limit, limit, out=updates)
        state.count += 1

    return optim.GradientTransformation(init, update)


def test_user_defined_transform_chains():
    opt = optim.Optimizer(_clip_by_value(1.0), optim.scale_by_learning_rate(0.1))
    params = np.array([0.0, 0.0, 0.0])
    state = opt.init(params)
    opt.step(params, np.array([3.0, -0.5, -2.0]), state)
    # clip to [1, −0.5, −1], then θ ← θ − 0.1 u
    np.testing.assert_allclose(params, [-0.1, 0.05, 0.1])
    saved = opt.state_dict(state)
    assert saved["0.count"] == 1
    np.testing.assert_array_equal(saved["0.n_clipped"], [1, 0, 1])
    # chain(...) nests: the same steps through a nested chain
    nested = optim.Optimizer(optim.chain(_clip_by_value(1.0), optim.scale_by_learning_rate(0.1)))
    params2 = np.zeros(3)
    state2 = nested.init(params2)
    nested.step(params2, np.array([3.0, -0.5, -2.0]), state2)
    np.testing.assert_array_equal(params2, params)
    assert set(nested.state_dict(state2)) == {"0.0.count", "0.0.n_clipped", "0.1.count",
                                              "0.1.learning_rate"}


def test_schedule_sees_the_number_of_steps_taken_before():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1

    opt = optim.adam(schedule)
    params = np.ones(3)
    state = opt.init(params)
    assert seen == [0]  # init reads the rate of the first step
    seen.clear()
    for _ in range(4):
        opt.step(params, params.copy(), state)
    assert seen == [0, 1, 2, 3]


def test_learning_rate_lives_in_the_state():
    # the rate a step uses is the one in the state: set it between steps, read what was used
    opt = optim.sgd(0.1)
    params = np.zeros(2)
    state = opt.init(params)
    assert state.learning_rate == 0.1
    opt.step(params, np.array([1.0, -2.0]), state)
    np.testing.assert_allclose(params, [-0.1, 0.2])
    state.learning_rate = 0.5
    opt.step(params, np.array([1.0, -2.0]), state)
    np.testing.assert_allclose(params, [-0.6, 1.2])
    assert opt.state_dict(state)["0.learning_rate"] == 0.5
    with pytest.raises(ValueError, match="learning_rate is -1"):
        state.learning_rate = -1.0
    with pytest.raises(ValueError, match="learning_rate is nan"):
        state.learning_rate = float("nan")


def test_a_schedule_writes_the_rate_it_used_into_the_state():
    opt = optim.adam(schedules.step_decay(0.1, 0.5, 2))
    params = np.ones(3)
    state = opt.init(params)
    used = []
    for _ in range(5):
        opt.step(params, params.copy(), state)
        used.append(state.learning_rate)
    assert used == [0.1, 0.1, 0.05, 0.05, 0.025]


def test_an_optimizer_without_a_learning_rate_says_so():
    state = optim.Optimizer(optim.scale_by_adam()).init(np.ones(2))
    with pytest.raises(ValueError, match="no learning_rate"):
        _ = state.learning_rate


@pytest.mark.parametrize("name", list(ALL_OPTIMIZERS))
def test_grads_are_not_modified(name):
    rng = np.random.default_rng(3)
    params = rng.standard_normal(100_000)
    grads = rng.standard_normal(100_000)
    kept = grads.copy()
    opt = ALL_OPTIMIZERS[name]()
    state = opt.init(params)
    for _ in range(2):
        opt.step(params, grads, state)
    np.testing.assert_array_equal(grads, kept)


TRANSFORMS = {
    "scale_by_learning_rate": lambda: optim.scale_by_learning_rate(0.1),
    "scale_by_learning_rate_scheduled": lambda: optim.scale_by_learning_rate(
        schedules.step_decay(0.1, 0.5, 1)
    ),
    "trace": lambda: optim.trace(0.9),
    "trace_nesterov": lambda: optim.trace(0.9, nesterov=True),
    "scale_by_adagrad": lambda: optim.scale_by_adagrad(),
    "scale_by_adagrad_outside": lambda: optim.scale_by_adagrad(eps_inside_root=False),
    "scale_by_rms": lambda: optim.scale_by_rms(),
    "scale_by_adam": lambda: optim.scale_by_adam(),
    "scale_by_adam_notes_form": lambda: optim.scale_by_adam(bias_correction=False),
    "add_decayed_weights": lambda: optim.add_decayed_weights(0.1),
    "scale_by_fan_in": lambda: optim.scale_by_fan_in(np.linspace(0.0, 1.0, 50)),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_update_in_place_equals_update_into_another_array(name):
    # the chain's first transform writes into the update buffer, the others rewrite it in place
    rng = np.random.default_rng(4)
    params = rng.standard_normal(50)
    a, b = TRANSFORMS[name](), TRANSFORMS[name]()
    state_a, state_b = a.init(params), b.init(params)
    for _ in range(3):
        g = rng.standard_normal(50)
        in_place = g.copy()
        a.update(in_place, in_place, state_a, params)
        out = np.empty_like(g)
        b.update(g, out, state_b, params)
        np.testing.assert_array_equal(out, in_place)


@pytest.mark.parametrize("name", list(ALL_OPTIMIZERS))
def test_save_and_restore_resumes_bit_identically(name, tmp_path):
    rng = np.random.default_rng(2)
    n = 100_000
    grads = rng.standard_normal((20, n))
    params = rng.standard_normal(n)
    opt = ALL_OPTIMIZERS[name]()
    state = opt.init(params)
    for g in grads[:10]:
        opt.step(params, g, state)
    # stop: write params and optimizer state as plain arrays, read back without pickle
    np.savez(tmp_path / "ckpt.npz", params=params, **opt.state_dict(state))
    with np.load(tmp_path / "ckpt.npz", allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    resumed_params = arrays.pop("params")
    resumed_opt = ALL_OPTIMIZERS[name]()
    resumed_state = resumed_opt.restore(resumed_params, arrays)
    # continue both
    for g in grads[10:]:
        opt.step(params, g, state)
        resumed_opt.step(resumed_params, g, resumed_state)
    np.testing.assert_array_equal(resumed_params, params)
    for key, value in opt.state_dict(state).items():
        np.testing.assert_array_equal(resumed_opt.state_dict(resumed_state)[key], value)


def test_state_dict_is_plain_arrays_and_a_copy():
    opt = optim.adam()
    params = np.ones(3)
    state = opt.init(params)
    opt.step(params, params.copy(), state)
    saved = opt.state_dict(state)
    assert set(saved) == {"0.count", "0.mu", "0.nu", "1.count", "1.learning_rate"}
    assert all(isinstance(v, np.ndarray) and v.dtype != object for v in saved.values())
    saved["0.mu"][:] = 99.0
    assert not np.any(state.inner[0].mu == 99.0)


def test_load_state_dict_rejects_mismatched_arrays():
    opt = optim.adam()
    params = np.ones(3)
    saved = opt.state_dict(opt.init(params))
    with pytest.raises(ValueError, match="missing"):
        opt.restore(params, {k: v for k, v in saved.items() if k != "0.mu"})
    with pytest.raises(ValueError, match="0.mu"):
        opt.restore(params, {**saved, "0.mu": np.zeros(4)})
    with pytest.raises(ValueError, match="unexpected"):
        optim.sgd(0.1).restore(params, saved)


@pytest.mark.parametrize(
    ("name", "key", "value", "match"),
    [
        ("adam", "1.learning_rate", -5.0, "negative values"),
        ("adam", "1.learning_rate", np.nan, "NaN or infinite"),
        ("adam", "0.count", -1, "negative count"),
        ("adam", "1.count", -3, "negative count"),
        ("adam", "0.nu", -1.0, "negative values"),
        ("adam", "0.mu", np.nan, "NaN or infinite"),
        ("adam", "0.mu", np.inf, "NaN or infinite"),
        ("rmsprop", "0.nu", -1.0, "negative values"),
        ("adagrad", "0.nu", -1.0, "negative values"),
        ("momentum", "1.v", np.nan, "NaN or infinite"),
    ],
)
def test_restore_refuses_values_a_step_cannot_continue_from(name, key, value, match):
    # a restored Adam count of -1 made the next step divide by zero; a negative nu, a NaN root
    opt = OPTIMIZER_TABLE[name]()
    params = np.ones(3)
    state = opt.init(params)
    opt.step(params, params.copy(), state)
    saved = opt.state_dict(state)
    bad = {**saved, key: np.full_like(saved[key], value)}
    with pytest.raises(ValueError, match=f"'{key}' holds .*{match}"):
        opt.restore(params, bad)
    with pytest.raises(ValueError, match=f"'{key}'"):
        opt.load_state_dict(state, bad)
    for k, v in opt.state_dict(state).items():  # nothing was changed
        np.testing.assert_array_equal(v, saved[k])


def test_restore_accepts_negative_first_moments_and_velocities():
    opt = optim.adam(0.1)
    params = np.ones(3)
    saved = {**opt.state_dict(opt.init(params)), "0.mu": np.array([-1.0, 0.0, 2.0])}
    state = opt.restore(params, saved)
    np.testing.assert_array_equal(state.inner[0].mu, [-1.0, 0.0, 2.0])


@pytest.mark.parametrize("value", [True, False, np.True_, -1.0, np.nan, "0.1"])
def test_setting_the_learning_rate_refuses_what_the_factories_refuse(value):
    state = optim.adam(0.1).init(np.ones(3))
    with pytest.raises(ValueError, match="learning_rate"):
        state.learning_rate = value
    assert state.learning_rate == 0.1


@pytest.mark.parametrize("rate", [np.array([0.1]), np.ones((1, 1)), "0.1", True, None])
def test_a_schedule_returning_something_other_than_one_number_is_refused(rate):
    # a 1-element array gave NumPy's bare "only 0-dimensional arrays can be converted"
    opt = optim.sgd(lambda t: 0.1 if t == 0 else rate, momentum=0.9)
    params = np.ones(3)
    state = opt.init(params)
    opt.step(params, params.copy(), state)
    with pytest.raises(ValueError, match="the learning_rate schedule at step 1 is .*; it must"):
        opt.step(params, params.copy(), state)
    with pytest.raises(ValueError, match="the learning_rate schedule at step 0 is"):
        optim.sgd(lambda t: rate).init(params)


def test_a_schedule_may_return_a_0d_array():
    opt = optim.sgd(lambda t: np.array(0.5))
    params = np.ones(2)
    state = opt.init(params)
    opt.step(params, params.copy(), state)
    np.testing.assert_array_equal(params, [0.5, 0.5])
    assert state.learning_rate == 0.5


@pytest.mark.parametrize(
    ("vector", "match"),
    [
        ("a", "an array of numbers"),
        (["0.5", "b"], "an array of numbers"),
        ({"a": 1}, "an array of numbers"),
        (np.ones((2, 3)), "a 1-D array"),
    ],
)
def test_fan_in_vector_that_is_not_numbers_raises(vector, match):
    with pytest.raises(ValueError, match=f"scale_vector must be {match}"):
        optim.scale_by_fan_in(vector)
