"""Snapshots per second of ``nntricks playground`` (issue 16: >= 10 for 2-8-8-1 on 500 points).

Run from the repository root: ``python -m benchmarks.playground``. It starts the server on a free
loopback port, plays a 2-8-8-1 network on the circle data (500 points), reads the event stream as
the page does for ``--seconds`` and prints the snapshots and epochs per second, for one page and
for several pages at once.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from playground_server import running_server  # noqa: E402

CONFIG = {"dataset": "circle", "hidden": [8, 8], "features": ["x1", "x2"]}


def watch(base: str, seconds: float, results: list) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        run_id = client.post("/api/runs", json=CONFIG).json()["id"]
        client.post(f"/api/runs/{run_id}/command", json={"action": "play"})
        snapshots, first_epoch, last_epoch = 0, None, None
        start = time.monotonic()
        with client.stream("GET", f"/api/runs/{run_id}/events") as response:
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                epoch = json.loads(line[6:])["epoch"]
                first_epoch = epoch if first_epoch is None else first_epoch
                last_epoch, snapshots = epoch, snapshots + 1
                if time.monotonic() - start >= seconds:
                    break
        elapsed = time.monotonic() - start
        client.delete(f"/api/runs/{run_id}")
    results.append((snapshots / elapsed, (last_epoch - first_epoch) / elapsed))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    with running_server() as (base, _):
        for pages in args.pages:
            results: list = []
            threads = [threading.Thread(target=watch, args=(base, args.seconds, results))
                       for _ in range(pages)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rates = ", ".join(f"{s:.1f} snapshots/s ({e:.0f} epochs/s)" for s, e in results)
            print(f"{pages} page(s) playing 2-8-8-1 on 500 points: {rates}")


if __name__ == "__main__":
    main()
