"""Tests of nntricks.schedules: each schedule against its formula, written here independently."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntricks import schedules

# (name, schedule, the same formula written with math, τ: the schedule's characteristic step)
CASES = [
    ("constant", schedules.constant(0.3), lambda t: 0.3, 7),
    (
        "step_decay",
        schedules.step_decay(0.1, factor=0.5, every=10),
        lambda t: 0.1 * 0.5 ** math.floor(t / 10),
        10,
    ),
    (
        "exponential_decay",
        schedules.exponential_decay(0.1, rate=0.05),
        lambda t: 0.1 * math.exp(-0.05 * t),
        20,
    ),
    (
        "inverse_decay",
        schedules.inverse_decay(0.1, tau=25),
        lambda t: 0.1 * 25 / max(t, 25),
        25,
    ),
    (
        "invscaling",
        schedules.invscaling(0.1, power_t=0.5),
        lambda t: 0.1 / math.sqrt(t + 1),
        16,
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "schedule", "formula", "tau"), CASES, ids=IDS)
def test_schedule_matches_formula(name, schedule, formula, tau):
    for t in (0, 1, tau - 1, tau, 10 * tau):
        value = schedule(t)
        assert isinstance(value, float)
        assert value == pytest.approx(formula(t), rel=1e-14, abs=0.0), (name, t)


@pytest.mark.parametrize(("name", "schedule", "formula", "tau"), CASES, ids=IDS)
def test_schedule_accepts_integer_arrays(name, schedule, formula, tau):
    t = np.arange(0, 10 * tau + 1).reshape(-1, 1)
    values = schedule(t)
    assert isinstance(values, np.ndarray)
    assert values.shape == t.shape
    assert values.dtype == np.float64
    expected = np.array([[formula(int(k))] for k in t.ravel()])
    np.testing.assert_allclose(values, expected, rtol=1e-14, atol=0)
    # numpy integer scalars are counts too
    assert schedule(np.int32(3)) == pytest.approx(formula(3), rel=1e-14)


def test_known_values():
    # worked by hand
    assert schedules.step_decay(1.0, 0.1, 3)(7) == pytest.approx(0.01)  # 7 // 3 = 2 drops
    assert schedules.inverse_decay(2.0, 4)(8) == pytest.approx(1.0)  # 2 * 4 / 8
    assert schedules.exponential_decay(1.0, math.log(2))(3) == pytest.approx(0.125)  # halves
    assert schedules.invscaling(1.0, 0.5)(3) == pytest.approx(0.5)  # 1 / sqrt(4)
    assert schedules.invscaling(1.0, 1.0)(9) == pytest.approx(0.1)  # 1 / 10


@pytest.mark.parametrize("every", [1, 3, 10])
def test_step_decay_changes_exactly_at_multiples(every):
    schedule = schedules.step_decay(0.8, factor=0.5, every=every)
    values = [schedule(t) for t in range(5 * every + 1)]
    for t in range(1, len(values)):
        if t % every == 0:
            assert values[t] == pytest.approx(values[t - 1] * 0.5, rel=1e-15), t
        else:
            assert values[t] == values[t - 1], t
    assert values[0] == 0.8


def test_inverse_decay_is_flat_until_tau():
    schedule = schedules.inverse_decay(0.5, tau=10)
    assert all(schedule(t) == 0.5 for t in range(11))
    assert schedule(11) < 0.5


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: schedules.constant(-0.1), "value"),
        (lambda: schedules.step_decay(-0.1, 0.5, 10), "initial"),
        (lambda: schedules.step_decay(0.1, 0.0, 10), "factor"),
        (lambda: schedules.step_decay(0.1, 1.5, 10), "factor"),
        (lambda: schedules.step_decay(0.1, 0.5, 0), "every"),
        (lambda: schedules.step_decay(0.1, 0.5, -3), "every"),
        (lambda: schedules.step_decay(0.1, 0.5, 2.5), "every"),
        (lambda: schedules.exponential_decay(0.1, -0.01), "rate"),
        (lambda: schedules.exponential_decay(float("nan"), 0.01), "initial"),
        (lambda: schedules.inverse_decay(0.1, 0), "tau"),
        (lambda: schedules.inverse_decay(0.1, -5), "tau"),
        (lambda: schedules.invscaling(0.1, -0.5), "power_t"),
        (lambda: schedules.invscaling("0.1", 0.5), "initial"),
    ],
)
def test_bad_arguments_raise_at_once(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


@pytest.mark.parametrize("t", [-1, 1.5, True, np.array([0, -2]), np.array([0.5])])
def test_bad_step_count_raises(t):
    schedule = schedules.inverse_decay(0.1, tau=10)
    with pytest.raises(ValueError, match="step count"):
        schedule(t)


@pytest.mark.parametrize("t", [np.uint64(2**63 + 5), 10**20, np.array([0, 2**63 + 1], np.uint64)])
def test_a_step_count_above_the_int64_range_is_refused_not_wrapped(t):
    # the cast to int64 came after the check: 2**63 + 5 wrapped to a negative count and gave 1.0
    for schedule in (schedules.inverse_decay(1, 4), schedules.invscaling(1)):
        with pytest.raises(ValueError, match="above the largest count, 2\\*\\*63 - 1"):
            schedule(t)


def test_the_largest_counts_are_taken():
    assert schedules.inverse_decay(1, 4)(np.uint64(2**63 - 1)) == 4 / (2**63 - 1)
    assert schedules.invscaling(1, 1)(2**63 - 1) == 2.0**-63
