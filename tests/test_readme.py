"""The README's Python code blocks run, in order, on the digits (the documented API works)."""

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from nntricks.backend import DeviceUnavailableError, get_backend

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
# The Dask example names a scheduler on another machine; here an in-process cluster stands in.
CLUSTER = ('Client("tcp://HOST:8786")',
           "Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None)")


def gpu_here() -> bool:
    try:
        get_backend("cuda")
    except DeviceUnavailableError:
        return False
    return True


def test_the_readme_has_code_blocks():
    assert len(BLOCKS) >= 4


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_readme_code_blocks_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the blocks write model files
    X, y = load_digits(return_X_y=True)
    X = X / 16
    namespace = {"X": X, "y": y, "Y": np.eye(10)[y]}
    for block in BLOCKS:
        if "dask" in block:
            pytest.importorskip("dask.distributed")
        code = compile(block.replace(*CLUSTER), str(README), "exec")
        if 'device="cuda"' in block and not gpu_here():
            with pytest.raises(DeviceUnavailableError, match="CuPy|CUDA"):  # as documented
                exec(code, namespace)
            continue
        exec(code, namespace)
    assert "PASSED" in capsys.readouterr().out  # the gradient checks printed their verdicts
