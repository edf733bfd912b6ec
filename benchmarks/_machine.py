"""What machine and software a benchmark ran on."""

from __future__ import annotations

import datetime
import os
import platform


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict:
    """Date, CPU, cores, load, BLAS libraries and thread counts, package versions."""
    import numpy as np
    import scipy
    import sklearn
    import threadpoolctl

    from ._libraries import torch

    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "scipy": scipy.__version__, "scikit-learn": sklearn.__version__}
    try:
        from importlib.metadata import version

        versions["nntricks"] = version("nntricks")
    except Exception:  # noqa: BLE001 - running from a checkout without installing
        versions["nntricks"] = "checkout"
    if torch is not None:
        versions["torch"] = torch.__version__
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "versions": versions,
        "threadpools": [{key: pool.get(key) for key in
                         ("user_api", "internal_api", "prefix", "version", "num_threads",
                          "architecture", "threading_layer")}
                        for pool in threadpoolctl.threadpool_info()],
        "blas_environment": {key: value for key, value in os.environ.items()
                             if any(word in key for word in
                                    ("BLAS", "OMP_", "MKL", "CORETYPE", "THREADS"))},
    }
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
    return info
