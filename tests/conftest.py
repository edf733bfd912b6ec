import os

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)


def require_system(available: bool, reason: str) -> None:
    """Skip a test that needs something ``.ci/run`` installs with apt, saying why; under CI
    (``CI`` set) fail instead, since CI must run it."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run this test (.ci/run installs it)")
    pytest.skip(reason)
