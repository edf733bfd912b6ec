import re
import subprocess
import sys

import pytest


def nntricks(*args):
    return subprocess.run([sys.executable, "-m", "nntricks", *args], capture_output=True,
                          text=True, timeout=120)


def test_gradcheck_prints_a_passing_report():
    result = nntricks("gradcheck")
    assert result.returncode == 0, result.stderr
    assert "PASSED" in result.stdout
    for name in ["W[0]", "b[0]", "W[3]", "b[3]"]:
        assert name in result.stdout


def test_gradcheck_with_kinked_units_flags_probes():
    result = nntricks("gradcheck", "--activation", "relu", "--h", "0.05", "--samples", "64")
    assert "straddled a kink" in result.stdout


def test_gradcheck_help_explains_the_options():
    result = nntricks("gradcheck", "--help")
    assert result.returncode == 0
    for option in ["--hidden", "--activation", "--max-probes", "--method", "--h"]:
        assert option in result.stdout


@pytest.mark.parametrize("method", ["centered", "forward"])
def test_gradcheck_help_states_the_tolerance_the_check_uses(method):
    report = nntricks("gradcheck", "--method", method, "--max-probes", "2").stdout
    used = re.search(r"tolerance=([^,\s]+),", report).group(1)
    help_text = " ".join(nntricks("gradcheck", "--help").stdout.split())
    assert f"{used} for {method}" in help_text


def test_gradcheck_reports_bad_arguments():
    result = nntricks("gradcheck", "--activation", "swish")
    assert result.returncode == 2
    assert "unknown activation 'swish'" in result.stderr
    result = nntricks("gradcheck", "--h", "-1")
    assert result.returncode == 2
    assert "argument --h: must be a number > 0, got '-1'" in result.stderr
    result = nntricks("gradcheck", "--samples", "0")
    assert result.returncode == 2
    assert "argument --samples: must be an integer >= 1, got '0'" in result.stderr
