"""Benchmarks (not tests), run from the repo root.

``python -m benchmarks`` runs the training benchmark (:mod:`benchmarks.training`);
``python -m benchmarks.optimizers`` times the optimizers alone; ``python -m benchmarks gpu`` is
the device check on a machine with an NVIDIA GPU (:mod:`benchmarks.gpu`).
"""


def main(argv: list[str] | None = None) -> dict:
    """Run the training benchmark with command-line arguments ``argv``; return its results."""
    from benchmarks.training import main as training_main

    return training_main(argv)
