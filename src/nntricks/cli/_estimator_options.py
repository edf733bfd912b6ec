"""Command-line options for every estimator parameter, generated from the estimator itself."""

from __future__ import annotations

import argparse
import math

from ..estimators import MLPRegressor

HELP = {
    "hidden_layer_sizes": "sizes of the hidden layers, e.g. 256 128",
    "activation": "hidden activation: relu, tanh, logistic, identity, hardtanh, softsign, "
                  "leaky_relu",
    "solver": "sgd, momentum, adam, adagrad, rmsprop or lbfgs",
    "alpha": "L2 strength (divided by the batch size, as in scikit-learn)",
    "l1": "L1 strength (divided by the batch size)",
    "dropout": "drop rate after each hidden layer",
    "learning_rate": "schedule: constant, invscaling, adaptive, step, exponential, inverse",
    "init": "weight initializer: xavier, normal, he",
    "dtype": "training precision: float32, float64, or none to follow the data",
    "loss": "regression loss: squared_error or poisson",
}
SKIPPED = {"callbacks"}


def _int_or_auto(text: str):
    return text if text == "auto" else int(text)


def _int_or_inf(text: str):
    return math.inf if text in ("inf", "infinity") else int(text)


def _none_or(kind):
    def parse(text: str):
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = kind.__name__
    return parse


def add_estimator_options(parser: argparse.ArgumentParser, defaults: dict) -> None:
    """One ``--name`` option per estimator parameter, with ``defaults`` overriding the class's."""
    group = parser.add_argument_group(
        "estimator parameters",
        "every parameter of nntricks.MLPClassifier / MLPRegressor, with its meaning there")
    for name, default in MLPRegressor().get_params().items():
        if name in SKIPPED:
            continue
        default = defaults.get(name, default)
        flag = "--" + name.replace("_", "-")
        help_text = HELP.get(name, f"the estimator's {name}")
        if isinstance(default, bool):
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=default,
                               help=help_text)
        elif name == "hidden_layer_sizes":
            group.add_argument(flag, type=int, nargs="+", default=list(default), metavar="N",
                               help=help_text)
        elif name == "batch_size":
            group.add_argument(flag, type=_int_or_auto, default=default, help=help_text)
        elif name == "n_iter_no_change":
            group.add_argument(flag, type=_int_or_inf, default=default, help=help_text)
        elif name in ("random_state", "dtype"):
            kind = int if name == "random_state" else str
            group.add_argument(flag, type=_none_or(kind), default=default, help=help_text)
        else:
            kind = type(default) if default is not None else str
            group.add_argument(flag, type=kind, default=default, help=help_text)


def estimator_params(args: argparse.Namespace, regression: bool) -> dict:
    """The estimator's keyword arguments from parsed options."""
    params = {name: getattr(args, name) for name in MLPRegressor().get_params()
              if name not in SKIPPED}
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    if not regression:
        params.pop("loss")
    return params
