"""``nntricks gradcheck``: check a network's analytic gradient against finite differences."""

from __future__ import annotations

import argparse

import numpy as np

from ..gradcheck import DEFAULT_TOLERANCES, METHODS, check_network
from ..mlp import build_mlp
from ..network import Network
from ..regularizers import L1, L2
from ._checks import (
    drop_rate,
    non_negative_float,
    positive_float,
    positive_int,
    random_seed,
)
from ._formatting import DefaultsOnceFormatter


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "gradcheck",
        help="check a network's back-propagated gradient against finite differences",
        description=(
            "Build a small float64 network on random data (by default 10 inputs, hidden layers "
            "16-12-8 with tanh, ReLU and soft sign, dropout with its mask held fixed, L2 and L1 "
            "penalties, softmax cross-entropy over 4 classes), compare every coordinate of its "
            "analytic gradient with a finite difference, and print the largest relative error "
            "per parameter array. Probes that straddle a ReLU/hard-tanh kink are flagged, not "
            "failed. Exit status 0 when every array passes, 1 otherwise."
        ),
        formatter_class=DefaultsOnceFormatter,
    )
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=[16, 12, 8], metavar="N",
                        help="hidden layer sizes")
    parser.add_argument("--activation", nargs="+", default=["tanh", "relu", "softsign"],
                        metavar="NAME",
                        help="activation of each hidden layer (cycled when fewer than layers)")
    parser.add_argument("--dropout", type=drop_rate, default=0.2, help="dropout rate after each "
                        "hidden layer (0 for none)")
    parser.add_argument("--batch-norm", action="store_true",
                        help="batch normalization after each hidden Dense layer")
    parser.add_argument("--l2", type=non_negative_float, default=1e-3, help="L2 strength λ")
    parser.add_argument("--l1", type=non_negative_float, default=1e-3, help="L1 strength λ")
    parser.add_argument("--features", type=positive_int, default=10, help="input width")
    parser.add_argument("--classes", type=positive_int, default=4, help="number of classes")
    parser.add_argument("--samples", type=positive_int, default=16, help="batch size of the check")
    parser.add_argument("--h", type=positive_float, default=1e-5, help="finite-difference step")
    parser.add_argument("--method", choices=METHODS, default="centered",
                        help="finite-difference formula")
    parser.add_argument("--max-probes", type=positive_int, default=None, metavar="N",
                        help="probe at most N random coordinates per array (all by default)")
    parser.add_argument("--tolerance", type=non_negative_float, default=None,
                        help="largest relative error that passes (by default "
                        f"{DEFAULT_TOLERANCES['centered']:g} for centered and "
                        f"{DEFAULT_TOLERANCES['forward']:g} for forward differences)")
    parser.add_argument("--seed", type=random_seed, default=0,
                        help="seed of data, weights and probes")
    parser.set_defaults(run=run)


def build_network(args: argparse.Namespace) -> Network:
    """The network the command checks."""
    activations = [args.activation[i % len(args.activation)] for i in range(len(args.hidden))]
    penalties = [penalty(strength) for penalty, strength in ((L2, args.l2), (L1, args.l1))
                 if strength > 0]
    return build_mlp(args.features, args.hidden, args.classes, activation=activations,
                     dropout=args.dropout, batch_norm=args.batch_norm,
                     loss="softmax_cross_entropy", regularizers=penalties, dtype=np.float64)


def run(args: argparse.Namespace) -> int:
    network = build_network(args).initialize(args.seed)
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.samples, args.features))
    Y = np.eye(args.classes)[rng.integers(args.classes, size=args.samples)]
    print(network)
    report = check_network(network, X, Y, h=args.h, method=args.method,
                           max_probes=args.max_probes, tolerance=args.tolerance,
                           random_state=args.seed)
    print(report)
    return 0 if report.passed else 1
