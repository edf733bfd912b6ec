"""Peak memory of one training epoch, run in a fresh process (``python -m benchmarks._memory``).

Measured with :mod:`tracemalloc`, which NumPy reports its array allocations to, so the peak is
that of the Python objects and NumPy arrays alive at once during ``fit`` (the data set
included), free of what the interpreter and the imported libraries hold. It leaves out the BLAS
library's own work buffers (allocated once per thread, outside Python). A fresh process keeps
earlier benchmarks' arrays out of the count. ``getrusage``'s peak resident size would add the
~100 MB of imported libraries, which says nothing about the training loop.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tracemalloc

import numpy as np

from ._libraries import FITTERS


def budget(n_samples, n_features, hidden, n_classes, batch_size, X, y) -> dict:
    """Data set + parameters + one batch's activations (input, and z and f(z) per layer)."""
    sizes = [n_features, *hidden, n_classes]
    n_params = sum(a * b + b for a, b in itertools.pairwise(sizes))
    itemsize = np.dtype(np.float32).itemsize
    widths = n_features + 2 * sum(hidden) + n_classes
    parts = {"data": X.nbytes + y.nbytes, "parameters": n_params * itemsize,
             "activations": batch_size * widths * itemsize}
    parts["total"] = sum(parts.values())
    return parts


def _data(n_samples, n_features, n_classes):
    rng = np.random.default_rng(0)
    X = rng.random((n_samples, n_features), dtype=np.float32)
    return X, rng.integers(0, n_classes, n_samples)


def measure(library, solver, n_samples, n_features, hidden, n_classes, batch_size) -> dict:
    # a small fit first, untraced, so that lazily imported modules are not counted
    FITTERS[library](*_data(2 * batch_size, n_features, n_classes), hidden, solver, batch_size)
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    X, y = _data(n_samples, n_features, n_classes)
    FITTERS[library](X, y, hidden, solver, batch_size, epochs=1)
    _, peak = tracemalloc.get_traced_memory()
    peak -= before
    tracemalloc.stop()
    parts = budget(n_samples, n_features, hidden, n_classes, batch_size, X, y)
    return {"library": library, "peak_bytes": peak, "budget_bytes": parts,
            "ratio": peak / parts["total"]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", default="nntricks")
    parser.add_argument("--solver", default="sgd")
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--hidden", type=int, nargs="+", default=[512, 256])
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.library, args.solver, args.samples, args.features,
                             args.hidden, args.classes, args.batch_size)))


if __name__ == "__main__":
    main()
