"""A run's settings as the page sends them, checked field by field on the server.

The page sends the whole configuration with every change; :func:`parse_config` returns it
normalized or raises :class:`ConfigError` naming the first field that is wrong, so that a bad
value shows as a message in the page and the server keeps running.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields

from ..activations import ACTIVATIONS
from .data import DATASETS, DIGITS, FEATURES, REGRESSION

__all__ = ["Config", "ConfigError", "LEARNING_RATES", "MAX_LAYERS", "MAX_NEURONS",
           "REGULARIZATION_RATES", "parse_config"]

MAX_LAYERS = 6
MAX_NEURONS = 8
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATIONS = ("none", "l1", "l2")
INITS = ("xavier", "he", "normal", "zeros")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adam_notes")
SCHEDULES = ("constant", "step", "exponential", "inverse")
PREPROCESSINGS = ("none", "center", "standardize", "pca", "zca")
CHOICES = {  # the values a hyperparameter may take on the page
    "dropout": (0.0, 0.1, 0.2, 0.3, 0.5),
    "init_std": (0.001, 0.01, 0.1, 1.0),
    "momentum": (0.5, 0.9, 0.95, 0.99),
    "beta_1": (0.8, 0.9, 0.95, 0.99),
    "beta_2": (0.9, 0.99, 0.999, 0.9999),
    "rho": (0.5, 0.9, 0.99),
    "epsilon": (1e-8, 1e-6, 1e-4, 0.01),
    "decay_every": (10, 50, 100, 500),
    "decay_factor": (0.1, 0.5, 0.9),
    "decay_rate": (0.001, 0.01, 0.1),
    "tau": (10, 50, 100, 500),
}
PAGE_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "logistic")


class ConfigError(ValueError):
    """A setting from the page is missing, of the wrong kind or out of range."""


@dataclass(frozen=True)
class Config:
    """One run's settings (see the page's controls)."""

    dataset: str = "circle"
    noise: int = 0                   # percent, 0..50
    train_percent: int = 50          # 10..90
    batch_size: int = 10             # 1..30
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    regularization_rate: float = 0.0
    seed: int = 0
    dropout: float = 0.0
    init: str = "xavier"
    init_std: float = 0.1
    optimizer: str = "sgd"
    momentum: float = 0.9
    beta_1: float = 0.9
    beta_2: float = 0.999
    rho: float = 0.9
    epsilon: float = 1e-8
    schedule: str = "constant"
    decay_every: int = 100
    decay_factor: float = 0.5
    decay_rate: float = 0.01
    tau: int = 100
    fan_in: bool = False
    preprocess: str = "none"

    @property
    def problem(self) -> str:
        """``"classification"`` (two classes), ``"regression"`` or ``"digits"`` (ten classes)."""
        if self.dataset == DIGITS:
            return "digits"
        return "regression" if self.dataset in REGRESSION else "classification"

    def structure(self) -> tuple:
        """What fixes the data and the weights: a change here starts the run afresh."""
        return (self.dataset, self.noise, self.train_percent, self.features, self.hidden,
                self.activation, self.seed, self.init, self.init_std, self.preprocess)

    def optimizer_settings(self) -> tuple:
        """What fixes the optimizer: a change here starts its state afresh, weights kept."""
        return (self.optimizer, self.momentum, self.beta_1, self.beta_2, self.rho, self.epsilon,
                self.fan_in)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["features"], data["hidden"] = list(self.features), list(self.hidden)
        return data


def _integer(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{name} must be an integer, got {_short(value)}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must lie in [{low}, {high}], got {_short(value)}")
    return int(value)


def _finite(value: numbers.Real) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _short(value) -> str:
    """``repr(value)``, cut to 40 characters (a request may send a 400-digit number)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _choice(value, name: str, choices) -> object:
    if value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; expected one of "
                          + ", ".join(repr(c) for c in choices))
    return value


def _rate(value, name: str, choices) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{name} must be a number, got {_short(value)}")
    if not _finite(value):  # NaN, Infinity (Python's JSON reads them), or too large
        raise ConfigError(f"{name} must be one of {', '.join(map(str, choices))}, got "
                          f"{_short(value)}")
    closest = min(choices, key=lambda c: abs(c - value))
    if abs(closest - value) > 1e-9 * max(1.0, abs(value)):
        raise ConfigError(f"{name} must be one of {', '.join(map(str, choices))}, got "
                          f"{_short(value)}")
    return closest  # the listed value itself (an int stays an int)


def parse_config(data: object) -> Config:
    """The :class:`Config` of a JSON object from the page; ``ConfigError`` names what is wrong."""
    if not isinstance(data, dict):
        raise ConfigError("the configuration must be a JSON object")
    known = {field.name for field in fields(Config)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown settings {unknown}")
    data = {**Config().as_dict(), **data}
    names = data["features"]
    if not isinstance(names, list) or not names:
        raise ConfigError("features must be a non-empty list of feature names")
    for name in names:
        _choice(name, "feature", tuple(FEATURES))
    hidden = data["hidden"]
    if not isinstance(hidden, list) or len(hidden) > MAX_LAYERS:
        raise ConfigError(f"hidden must be a list of at most {MAX_LAYERS} layer sizes")
    return Config(
        dataset=_choice(data["dataset"], "dataset", (*DATASETS, DIGITS)),
        noise=_integer(data["noise"], "noise", 0, 50),
        train_percent=_integer(data["train_percent"], "train_percent", 10, 90),
        batch_size=_integer(data["batch_size"], "batch_size", 1, 30),
        features=tuple(dict.fromkeys(names)),
        hidden=tuple(_integer(size, "a hidden layer's size", 1, MAX_NEURONS) for size in hidden),
        activation=_choice(data["activation"], "activation", PAGE_ACTIVATIONS),
        learning_rate=_rate(data["learning_rate"], "learning_rate", LEARNING_RATES),
        regularization=_choice(data["regularization"], "regularization", REGULARIZATIONS),
        regularization_rate=_rate(data["regularization_rate"], "regularization_rate",
                                  REGULARIZATION_RATES),
        seed=_integer(data["seed"], "seed", 0, 2**31 - 1),
        init=_choice(data["init"], "init", INITS),
        optimizer=_choice(data["optimizer"], "optimizer", OPTIMIZERS),
        schedule=_choice(data["schedule"], "schedule", SCHEDULES),
        preprocess=_choice(data["preprocess"], "preprocess", PREPROCESSINGS),
        fan_in=_boolean(data["fan_in"], "fan_in"),
        **{name: _rate(data[name], name, choices) for name, choices in CHOICES.items()},
    )


def _boolean(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, got {_short(value)}")
    return value
