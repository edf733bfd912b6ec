"""``python -m benchmarks``: the training-speed benchmark of issue 7 (see benchmarks.training)."""

from benchmarks.training import main

main()
