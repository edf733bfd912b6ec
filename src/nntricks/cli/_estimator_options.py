"""Command-line options for every estimator parameter, generated from the estimator itself."""

from __future__ import annotations

import argparse
import math

from ..backend import DEVICES
from ..estimators import MLPClassifier, MLPRegressor

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
    "device": "where to train and predict: cpu (NumPy) or cuda (CuPy on an NVIDIA GPU; "
              'pip install "nntricks[gpu]")',
    "loss": "regression loss: squared_error or poisson",
    "class_weight": "classifier's class weights: balanced (weights inverse to the class "
                    "frequencies) or, when not given, none",
}
SKIPPED = {"callbacks"}


def _defaults() -> dict:
    """Every parameter of either estimator, with its default."""
    return MLPClassifier().get_params() | MLPRegressor().get_params()


def _int_or_auto(text: str):
    return text if text == "auto" else int(text)


def _int_or_inf(text: str):
    return math.inf if text in ("inf", "infinity") else int(text)


def _none_or(kind):
    def parse(text: str):
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = kind.__name__
    return parse


def add_estimator_options(parser: argparse.ArgumentParser) -> None:
    """One ``--name`` option per estimator parameter; an option not given is left out of the
    parsed arguments (``argparse.SUPPRESS``), so the recipe's value or the estimator's default
    applies."""
    group = parser.add_argument_group(
        "estimator parameters",
        "every parameter of nntricks.MLPClassifier / MLPRegressor, with its meaning there; an "
        "option not given takes the recipe's value (listed below), else the estimator default")
    for name, default in sorted(_defaults().items()):
        if name in SKIPPED:
            continue
        flag = "--" + name.replace("_", "-")
        help_text = f"{HELP.get(name, f'the estimator parameter {name}')} (estimator default: " \
                    f"{default!r})"
        kwargs = dict(default=argparse.SUPPRESS, help=help_text)
        if isinstance(default, bool):
            group.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
        elif name == "hidden_layer_sizes":
            group.add_argument(flag, type=int, nargs="+", metavar="N", **kwargs)
        elif name == "batch_size":
            group.add_argument(flag, type=_int_or_auto, **kwargs)
        elif name == "n_iter_no_change":
            group.add_argument(flag, type=_int_or_inf, **kwargs)
        elif name in ("random_state", "dtype"):
            group.add_argument(flag, type=_none_or(int if name == "random_state" else str),
                               **kwargs)
        elif name == "device":
            group.add_argument(flag, choices=DEVICES, **kwargs)
        elif name == "class_weight":
            group.add_argument(flag, choices=("balanced",), **kwargs)
        else:
            group.add_argument(flag, type=type(default) if default is not None else str,
                               **kwargs)


def estimator_params(args: argparse.Namespace, estimator: type, recipe: dict) -> dict:
    """The keyword arguments of ``estimator``: the options given, else the recipe's values."""
    names = set(estimator().get_params()) - SKIPPED
    params = {name: value for name, value in recipe.items() if name in names}
    params |= {name: value for name, value in vars(args).items() if name in names}
    if "hidden_layer_sizes" in params:
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    return params


def check_options_apply(args: argparse.Namespace, estimator: type, task: str) -> None:
    """Raise ``ValueError`` naming the options given that ``estimator`` has no parameter for
    (``--class-weight`` for a regression, ``--loss`` for a classification), which it would
    otherwise ignore."""
    others = set(_defaults()) - set(estimator().get_params())
    given = ["--" + name.replace("_", "-") for name in sorted(others) if name in vars(args)]
    if given:
        raise ValueError(f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply "
                         f"to {task}")
