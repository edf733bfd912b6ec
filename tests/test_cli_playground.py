"""``nntricks playground``: starts on a free loopback port, serves the page, stops on Ctrl-C."""

import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from nntricks.cli import main

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn", reason='the playground needs pip install "nntricks[playground]"')


def start(*options):
    process = subprocess.Popen([sys.executable, "-m", "nntricks", "playground", "--no-browser",
                                *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    line = process.stdout.readline()
    match = re.search(r"(http://\S+/)", line)
    assert match, (line, process.stderr.read() if process.poll() is not None else "")
    return process, match.group(1)


def test_the_playground_serves_the_page_offline_and_stops_on_ctrl_c():
    process, url = start()
    try:
        assert url.startswith("http://127.0.0.1:")
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert httpx.get(url.rstrip("/") + asset, timeout=10).status_code == 200
        assert not re.search(r'(?:src|href)="https?://', page.text)  # nothing from the network
        created = httpx.post(url + "api/runs", json={}, timeout=10)
        assert created.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_another_host_gets_a_warning():
    process, url = start("--host", "0.0.0.0")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert "warning: listening on 0.0.0.0, not only on this machine" in err


def test_without_the_extra_the_command_says_which_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["playground", "--no-browser"]) == 2
    assert 'pip install "nntricks[playground]"' in capsys.readouterr().err
    time.sleep(0)  # nothing was started


def test_a_port_in_use_is_a_usage_error_naming_it(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["playground", "--no-browser", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot listen on --host 127.0.0.1 --port {port}" in err
