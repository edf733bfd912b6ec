"""The training loop's ownership rules: the learning rate it records is the one the optimizer
used; Ctrl-C keeps the weights its message names; L-BFGS beside the minibatch loop."""

import warnings

import numpy as np
import pytest
import scipy.optimize
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from nntricks import MLPClassifier, optim, schedules
from nntricks.layers import Activation, Dense
from nntricks.network import Network
from nntricks.regularizers import L2
from nntricks.training import Trainer, TrainingInterrupted, fit_lbfgs


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(n_samples=90, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)
    return X, y


def network(seed=0):
    return Network([Dense(6, 7), Activation("tanh"), Dense(7, 3)],
                   dtype=np.float64).initialize(seed)


def one_hot(y):
    return np.eye(3)[y]


@pytest.mark.parametrize("learning_rate", ["constant", "invscaling", "adaptive", "step",
                                           "exponential", "inverse"])
def test_the_recorded_rate_is_the_rate_applied_to_the_parameters(learning_rate, small):
    # One full-batch plain-SGD step per epoch: θ_k − θ_{k−1} = −α_k ∇J(θ_{k−1}), so the rate
    # the optimizer applied is measured from the parameters and compared with the history.
    X, y = small
    snapshots = []
    stall = {"tol": 1e9, "n_iter_no_change": 1} if learning_rate == "adaptive" else {}
    model = MLPClassifier(
        hidden_layer_sizes=(7,), solver="sgd", momentum=0, alpha=0, batch_size=len(X),
        learning_rate=learning_rate, learning_rate_init=0.5, lr_decay_every=2,
        lr_decay_rate=0.3, lr_tau=2, power_t=0.5, max_iter=8, shuffle=False, random_state=0,
        **stall,
        callbacks=[lambda record, trainer: snapshots.append(trainer.network.params.copy())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.partial_fit(X, y, classes=[0, 1, 2])  # epoch 1: records θ_1
        start = model.network_.params.copy()
        model.set_params(warm_start=True)
        model.fit(X, y)
    net = model.network_
    Y = np.eye(3)[y]
    previous = start
    applied = []
    for params in snapshots[1:]:
        net.params[...] = previous
        _, grads = net.loss_and_grad(X, Y)
        step = params - previous
        applied.append(float(-(step @ grads) / (grads @ grads)))
        np.testing.assert_allclose(step, -applied[-1] * grads, rtol=1e-6, atol=1e-12)
        previous = params
    recorded = [record.learning_rate for record in model.history_[1:]]
    np.testing.assert_allclose(applied, recorded, rtol=1e-9)
    if learning_rate != "constant":
        assert len(set(np.round(recorded, 12))) > 1  # the rate did change


def test_adaptive_divides_the_rate_in_the_optimizer_state(small):
    X, y = small
    trainer = Trainer(network(), optim.sgd(0.4), batch_size=30, tol=1e9, n_iter_no_change=1,
                      adaptive=True, random_state=0)
    trainer.run(X, one_hot(y), max_epochs=6)
    rates = [record.learning_rate for record in trainer.history]
    # the best loss stalls from epoch 2; after more than one stalled epoch the rate is divided
    assert rates == pytest.approx([0.4, 0.4, 0.4, 0.08, 0.08, 0.016], rel=1e-12)
    assert trainer.optimizer_state.learning_rate == trainer.learning_rate == rates[-1]


def test_a_schedule_and_adaptive_are_refused_together():
    with pytest.raises(ValueError, match="adaptive changes the learning rate itself"):
        Trainer(network(), optim.sgd(0.1), schedule=schedules.constant(0.1), adaptive=True)


class InterruptAtStep:
    """A transform that raises KeyboardInterrupt on its ``step``-th update, as Ctrl-C would."""

    def __init__(self, step):
        self.step, self.count = step, 0
        self.transform = optim.GradientTransformation(lambda params: None, self.update)

    def update(self, source, updates, state, params):
        self.count += 1
        if self.count == self.step:
            raise KeyboardInterrupt
        np.copyto(updates, source)


def test_ctrl_c_mid_epoch_without_validation_keeps_the_last_completed_epoch(small):
    X, y = small
    after_epoch = []
    interrupt = InterruptAtStep(5)  # batch 2 of epoch 2 (3 batches an epoch)
    opt = optim.Optimizer(interrupt.transform, optim.scale_by_learning_rate(0.1))
    trainer = Trainer(network(), opt, batch_size=30, random_state=0,
                      callbacks=[lambda record, t: after_epoch.append(t.network.params.copy())])
    with pytest.warns(TrainingInterrupted, match="after 1 completed epoch; keeping the weights "
                                                 "at the end of epoch 1"):
        assert trainer.run(X, one_hot(y), max_epochs=5) == "interrupted"
    np.testing.assert_array_equal(trainer.network.params, after_epoch[0])


def test_ctrl_c_in_the_first_epoch_keeps_the_initial_weights(small):
    X, y = small
    net = network()
    initial = net.params.copy()
    opt = optim.Optimizer(InterruptAtStep(2).transform, optim.scale_by_learning_rate(0.1))
    with pytest.warns(TrainingInterrupted, match="keeping the initial weights"):
        Trainer(net, opt, batch_size=30).run(X, one_hot(y), max_epochs=5)
    np.testing.assert_array_equal(net.params, initial)


def test_ctrl_c_with_validation_keeps_the_best_scoring_weights(small):
    X, y = small
    params_at, scores = {}, {}

    def score(X_val, Y_val, _):
        return -float(np.mean((trainer.network.predict(X_val) - Y_val) ** 2))

    def watch(record, t):
        params_at[record.epoch] = t.network.params.copy()
        scores[record.epoch] = record.validation_score
        if record.epoch == 6:
            raise KeyboardInterrupt

    trainer = Trainer(network(), optim.sgd(0.5), batch_size=30, random_state=0,
                      callbacks=[watch])
    with pytest.warns(TrainingInterrupted, match="best validation score"):
        trainer.run(X[:60], one_hot(y[:60]), max_epochs=20,
                    validation=(X[60:], one_hot(y[60:]), None), score=score)
    best = max(scores, key=scores.get)
    np.testing.assert_array_equal(trainer.network.params, params_at[best])


def test_fit_lbfgs_minimizes_the_regularized_loss(small):
    X, y = small
    net = network()
    before = net.loss(X, one_hot(y))
    result = fit_lbfgs(net, X, one_hot(y), max_iter=50)
    assert result.n_iter <= 50 and result.n_evaluations >= result.n_iter
    assert result.loss == pytest.approx(net.loss(X, one_hot(y)), rel=1e-12)
    assert result.loss < 0.5 * before


def test_fit_lbfgs_leaves_no_nan_weights(small, monkeypatch):
    X, y = small
    net = network()
    initial = net.params.copy()

    def minimize_to_nan(fun, x0, **options):
        fun(x0 * np.nan)  # the network sees NaN parameters, as a blown-up search would leave
        return scipy.optimize.OptimizeResult(x=x0 * np.nan, nit=1, fun=np.nan, success=False,
                                             message="diverged")

    monkeypatch.setattr(scipy.optimize, "minimize", minimize_to_nan)
    with pytest.raises(ValueError, match="non-finite parameter weights"):
        fit_lbfgs(net, X, one_hot(y), max_iter=5)
    np.testing.assert_array_equal(net.params, initial)


def test_the_validation_loss_is_the_loss_of_the_validation_set_after_each_epoch(small):
    X, y = small
    losses = []
    net = Network([Dense(6, 7), Activation("tanh"), Dense(7, 3)], regularizers=[L2(1e-2)],
                  dtype=np.float64).initialize(0)
    trainer = Trainer(net, optim.sgd(0.3), batch_size=30, random_state=0, callbacks=[
        lambda record, t: losses.append(t.network.loss(X[60:], one_hot(y[60:]),
                                                       penalty_scale=1 / 30))])
    trainer.run(X[:60], one_hot(y[:60]), max_epochs=4, stop_early=False,
                validation=(X[60:], one_hot(y[60:]), None), score=lambda *_: 0.0)
    recorded = [record.validation_loss for record in trainer.history]
    np.testing.assert_allclose(recorded, losses, rtol=1e-12)
    assert recorded[-1] < recorded[0]


def test_estimators_record_the_validation_loss_curve(small):
    X, y = small
    model = MLPClassifier(hidden_layer_sizes=(7,), early_stopping=True, max_iter=5,
                          n_iter_no_change=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert len(model.validation_loss_curve_) == len(model.loss_curve_) == 5
    assert all(np.isfinite(model.validation_loss_curve_))
    plain = MLPClassifier(hidden_layer_sizes=(7,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert plain.fit(X, y).validation_loss_curve_ is None


def test_after_a_divergence_the_weights_and_the_optimizer_can_go_on(small):
    """The diverging steps fill momentum's velocity with NaN or infinity: the trainer puts
    back the last finite weights and restarts the moments, keeping the learning rate, so the
    next epoch (at a smaller rate) trains from finite values."""
    from nntricks.training import DivergenceError

    X, y = small
    net = Network([Dense(6, 3)], "squared_error", dtype=np.float64).initialize(0)
    trainer = Trainer(net, optim.sgd(1e3, momentum=0.99), batch_size=10, random_state=0)
    with pytest.raises(DivergenceError, match="moments start afresh"):
        trainer.run(X * 1e3, one_hot(y), max_epochs=100, stop_early=False)
    assert np.all(np.isfinite(net.params))
    velocity = trainer.optimizer_state.inner[1].v
    assert np.all(velocity == 0) and trainer.learning_rate == 1e3
    trainer.optimizer_state.learning_rate = 1e-3
    trainer.run(X, one_hot(y), max_epochs=1, stop_early=False)
    assert np.all(np.isfinite(net.params)) and np.isfinite(trainer.history[-1].loss)
