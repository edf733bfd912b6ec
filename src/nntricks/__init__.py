"""nntricks: the tricks of "Neural Networks: Tips and Tricks" as verified, fast components."""

from . import datasets, optim, schedules, tabular
from .activations import ACTIVATIONS, get_activation
from .estimators import MLPClassifier, MLPRegressor
from .gradcheck import check_network, numerical_gradient, relative_error
from .layers import Activation, ArraySpec, BatchNorm, Dense, Dropout, Layer
from .losses import (
    BinaryCrossEntropy,
    MeanSquaredError,
    PoissonDeviance,
    SoftmaxCrossEntropy,
)
from .mlp import build_mlp
from .network import Network
from .persistence import load, save
from .preprocessing import MeanCenter, Standardize, Whiten
from .regularizers import L1, L2
from .version import __version__

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "ArraySpec",
    "BatchNorm",
    "BinaryCrossEntropy",
    "Dense",
    "Dropout",
    "L1",
    "L2",
    "Layer",
    "MLPClassifier",
    "MLPRegressor",
    "MeanCenter",
    "MeanSquaredError",
    "Network",
    "PoissonDeviance",
    "SoftmaxCrossEntropy",
    "Standardize",
    "Whiten",
    "__version__",
    "build_mlp",
    "check_network",
    "datasets",
    "get_activation",
    "load",
    "numerical_gradient",
    "optim",
    "relative_error",
    "save",
    "schedules",
    "tabular",
]
