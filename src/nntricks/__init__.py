"""nntricks: the tricks of "Neural Networks: Tips and Tricks" as verified, fast components."""

from importlib.metadata import PackageNotFoundError, version

from . import datasets, optim, schedules
from .activations import ACTIVATIONS, get_activation
from .estimators import MLPClassifier, MLPRegressor
from .gradcheck import check_network, numerical_gradient, relative_error
from .layers import Activation, Dense, Dropout
from .losses import (
    BinaryCrossEntropy,
    MeanSquaredError,
    PoissonDeviance,
    SoftmaxCrossEntropy,
)
from .network import Network
from .persistence import load
from .preprocessing import MeanCenter, Standardize, Whiten
from .regularizers import L1, L2

try:
    __version__ = version("nntricks")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BinaryCrossEntropy",
    "Dense",
    "Dropout",
    "L1",
    "L2",
    "MLPClassifier",
    "MLPRegressor",
    "MeanCenter",
    "MeanSquaredError",
    "Network",
    "PoissonDeviance",
    "SoftmaxCrossEntropy",
    "Standardize",
    "Whiten",
    "check_network",
    "datasets",
    "get_activation",
    "load",
    "numerical_gradient",
    "optim",
    "relative_error",
    "schedules",
]
