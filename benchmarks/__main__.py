"""``python -m benchmarks``: the training-speed benchmark of issue 7 (see benchmarks.training);
``python -m benchmarks gpu``: the device check of issue 15 (see benchmarks.gpu)."""

import sys

if sys.argv[1:2] == ["gpu"]:
    from benchmarks.gpu import main

    main(sys.argv[2:])
else:
    from benchmarks.training import main

    main()
