"""Optimizers over one flat parameter vector, built from small chained transforms (notes §2.7–2.9).

Use a named optimizer on any flat float array::

    opt = nntricks.optim.adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    state = opt.init(params)            # allocates every buffer once
    opt.step(params, grads, state)      # updates params in place, allocates nothing

or chain your own: ``Optimizer(scale_by_adam(), scale_by_fan_in(s), scale_by_learning_rate(lr))``.
The learning rate is a float or a schedule (:mod:`nntricks.schedules`) called with the number
of steps taken before the current one (0 on the first step).

Save and resume exactly: ``arrays = opt.state_dict(state)`` (plain arrays, fit for
``np.savez``), then ``state = opt.restore(params, arrays)``.
"""

from nntricks.optim._alias import adagrad, adam, adamw, rmsprop, sgd
from nntricks.optim._base import (
    GradientTransformation,
    Optimizer,
    OptimizerState,
    ScalarOrSchedule,
    Schedule,
    chain,
)
from nntricks.optim._transforms import (
    AdagradState,
    AdamState,
    DecayedWeightsState,
    FanInState,
    LearningRateState,
    RmsState,
    TraceState,
    add_decayed_weights,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_fan_in,
    scale_by_learning_rate,
    scale_by_rms,
    trace,
)

__all__ = [
    # named optimizers
    "adagrad",
    "adam",
    "adamw",
    "rmsprop",
    "sgd",
    # machinery
    "GradientTransformation",
    "Optimizer",
    "OptimizerState",
    "ScalarOrSchedule",
    "Schedule",
    "chain",
    # transforms
    "add_decayed_weights",
    "scale_by_adagrad",
    "scale_by_adam",
    "scale_by_fan_in",
    "scale_by_learning_rate",
    "scale_by_rms",
    "trace",
    # transform states
    "AdagradState",
    "AdamState",
    "DecayedWeightsState",
    "FanInState",
    "LearningRateState",
    "RmsState",
    "TraceState",
]
