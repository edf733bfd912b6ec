import math

import numpy as np
import pytest

from nntricks.gradcheck import numerical_gradient, relative_error
from nntricks.losses import (
    BinaryCrossEntropy,
    MeanSquaredError,
    PoissonDeviance,
    SoftmaxCrossEntropy,
    get_loss,
)


def targets_for(loss, rng, shape):
    if isinstance(loss, SoftmaxCrossEntropy):
        return np.eye(shape[1])[rng.integers(shape[1], size=shape[0])]
    if isinstance(loss, BinaryCrossEntropy):
        return rng.integers(0, 2, size=shape).astype(float)
    if isinstance(loss, PoissonDeviance):
        return rng.poisson(2.0, size=shape).astype(float)
    return rng.normal(size=shape)


LOSSES = [SoftmaxCrossEntropy(), BinaryCrossEntropy(), MeanSquaredError(), PoissonDeviance()]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_passes_the_checker(loss, weighted, rng):
    z = rng.normal(size=(6, 4))
    Y = targets_for(loss, rng, z.shape)
    weights = rng.uniform(0.5, 2, size=6) if weighted else None
    numerical = numerical_gradient(lambda v: loss.value(v, Y, weights), z)
    assert np.max(relative_error(loss.gradient(z, Y, weights), numerical)) < 1e-7


def test_softmax_cross_entropy_closed_forms():
    loss = SoftmaxCrossEntropy()
    # Equal logits: p = 1/K for every class, so the loss is log K.
    assert loss.value(np.zeros((3, 5)), np.eye(5)[[0, 2, 4]]) == pytest.approx(math.log(5))
    # One sample, logits (0, ln 3): p = (1/4, 3/4); label 1 gives -ln(3/4).
    z = np.array([[0.0, math.log(3)]])
    assert loss.value(z, np.array([[0.0, 1.0]])) == pytest.approx(-math.log(0.75))
    np.testing.assert_allclose(loss.gradient(z, np.array([[0.0, 1.0]])), [[0.25, -0.25]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_is_stable_for_huge_logits(dtype):
    loss = SoftmaxCrossEntropy()
    z = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=dtype)
    Y = np.array([[1, 0, 0], [1, 0, 0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.value(z, Y)
        grad = loss.gradient(z, Y)
        probabilities = loss.output(z)
    # Sample 1 is right with certainty (loss 0); sample 2 is wrong by 2e4 in logit: loss 2e4.
    assert value == pytest.approx((0 + 2e4) / 2, rel=1e-6)
    np.testing.assert_allclose(grad, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-7)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)


def test_binary_cross_entropy_matches_its_definition_and_is_stable(rng):
    loss = BinaryCrossEntropy()
    z = rng.normal(size=(5, 3))
    Y = rng.integers(0, 2, size=(5, 3)).astype(float)
    p = 1 / (1 + np.exp(-z))
    direct = -np.mean(np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1))
    assert loss.value(z, Y) == pytest.approx(direct, rel=1e-12)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = loss.value(np.array([[1e4], [-1e4]]), np.array([[0.0], [0.0]]))
    assert big == pytest.approx(1e4 / 2)


def test_squared_error_and_poisson_closed_forms():
    z = np.array([[1.0, 2.0], [0.0, -1.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    # Per-sample half sums of squares: (1 + 4)/2 and (1 + 4)/2.
    assert MeanSquaredError().value(z, Y) == pytest.approx(2.5)
    # Half Poisson deviance, sum over outputs of y log(y/mu) - y + mu with mu = e^z:
    # sample 1 (y = 0): e + e^2; sample 2 (y = 1): log(1/mu) - 1 + mu = -z - 1 + e^z,
    # which is 0 for z = 0 and 1/e for z = -1.
    expected = ((math.e + math.e**2) + (0 + 1 / math.e)) / 2
    assert PoissonDeviance().value(z, Y) == pytest.approx(expected)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
def test_integer_sample_weights_equal_repeated_rows(loss, rng):
    z = rng.normal(size=(4, 3))
    Y = targets_for(loss, rng, z.shape)
    counts = np.array([1, 3, 2, 1])
    repeated = loss.value(np.repeat(z, counts, axis=0), np.repeat(Y, counts, axis=0))
    assert loss.value(z, Y, counts.astype(float)) == pytest.approx(repeated, rel=1e-12)


def test_unknown_loss_is_refused():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        get_loss("hinge")


def test_every_registered_loss_has_its_own_label():
    from nntricks.losses import LOSSES as REGISTERED

    labels = [get_loss(name).label for name in REGISTERED]
    assert all(labels) and len(set(labels)) == len(labels)
    assert get_loss("poisson").label == "half Poisson deviance"
    assert get_loss("squared_error").label == "half squared error"


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_targets_in_the_domain_pass_the_check(loss, dtype, rng):
    Y = targets_for(loss, rng, (20, 4)).astype(dtype)
    assert loss.check_targets(Y) is None
    if isinstance(loss, SoftmaxCrossEntropy):
        soft = rng.dirichlet(np.ones(40), size=30).astype(dtype)
        loss.check_targets(soft)  # rounding of float32 rows of 40 classes is tolerated
        loss.check_targets(Y.astype(int).tolist())


@pytest.mark.parametrize("Y, message", [
    ([[1.0, 1.0], [0.0, 1.0]], r" \(non-negative, summing to 1\); row 0 sums to 2$"),
    ([[1.0, 0.0], [0.5, 0.5 + 1e-4]], "row 1 sums to 1.0001"),
    ([[1.0, 0.0], [1.5, -0.5]], r"Y\[1, 1\] is -0.5"),
    ([[0.0, 0.0]], "row 0 sums to 0"),
    ([[np.nan, 1.0]], r"Y\[0, 0\] is nan"),
])
def test_softmax_cross_entropy_refuses_targets_that_are_not_probability_vectors(Y, message):
    with pytest.raises(ValueError, match="softmax cross-entropy needs target rows that are "
                                         "probability vectors.*" + message):
        SoftmaxCrossEntropy().check_targets(np.array(Y))


@pytest.mark.parametrize("Y, entry", [([[0.5, 2.0]], r"Y\[0, 1\] is 2"),
                                      ([[1.0], [-0.1]], r"Y\[1, 0\] is -0.1")])
def test_binary_cross_entropy_refuses_targets_outside_the_unit_interval(Y, entry):
    with pytest.raises(ValueError, match=r"binary cross-entropy needs targets in \[0, 1\]; "
                                         + entry):
        BinaryCrossEntropy().check_targets(np.array(Y))


def test_poisson_refuses_negative_targets():
    with pytest.raises(ValueError, match=r"Poisson deviance needs non-negative targets.*"
                                         r"Y\[2, 0\] is -3"):
        PoissonDeviance().check_targets(np.array([[0.0], [4.0], [-3.0]]))
    PoissonDeviance().check_targets(np.array([[0.0], [4.5]]))


def test_squared_error_accepts_any_targets():
    MeanSquaredError().check_targets(np.array([[-1e9, 3.5], [0.0, 7.0]]))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
def test_sample_weight_may_be_a_list(loss, rng):
    z = rng.normal(size=(3, 2))
    Y = targets_for(loss, rng, z.shape)
    weights = [1, 2, 0.5]
    assert loss.value(z, Y, weights) == loss.value(z, Y, np.array(weights))
    np.testing.assert_array_equal(loss.gradient(z, Y, weights),
                                  loss.gradient(z, Y, np.array(weights)))


def test_sample_weight_that_is_not_one_number_per_sample_is_refused(rng):
    z, Y = rng.normal(size=(2, 1)), rng.normal(size=(2, 1))
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(2,\).*got \(3,\)"):
        MeanSquaredError().value(z, Y, [1, 2, 3])
    with pytest.raises(TypeError, match="sample_weight must be numbers"):
        MeanSquaredError().gradient(z, Y, ["a", "b"])
