"""The playground's web server: the page, and a small JSON API over the runs (Starlette).

``GET /`` serves the page and ``/static/`` its scripts, styles and the vendored chart library,
all from the installed package (no network needed). The API:

``POST /api/runs``                 a new run from a configuration → ``{"id", "config"}``
``PUT /api/runs/{id}/config``      new settings for a run → ``{"config"}``
``POST /api/runs/{id}/command``    ``{"action": "play" | "pause" | "step" | "reset"}``
``POST /api/runs/{id}/gradcheck``  the gradient checker on the run's network, in float64
``DELETE /api/runs/{id}``          stop a run
``GET /api/runs/{id}/events``      the run's snapshots as Server-Sent Events

Every value from the page is checked (:func:`~nntricks.playground.config.parse_config`): a bad
one answers 400 with a message and nothing else changes. The number of runs is bounded, a run
whose page has gone (no event stream for :data:`ORPHAN_SECONDS`) is stopped, and no request
reads or writes any file but the package's own static files.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from importlib.resources import files

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .config import ConfigError, parse_config
from .run import SNAPSHOTS_PER_SECOND, Run

__all__ = ["MAX_RUNS", "ORPHAN_SECONDS", "Runs", "create_app"]

MAX_RUNS = 16
ORPHAN_SECONDS = 15.0
STATIC = files("nntricks.playground") / "static"


class Runs:
    """The server's runs by id, bounded, with the ones no page watches stopped."""

    def __init__(self, max_runs: int = MAX_RUNS, orphan_seconds: float = ORPHAN_SECONDS) -> None:
        self.max_runs, self.orphan_seconds = max_runs, orphan_seconds
        self._runs: dict[str, Run] = {}
        self._watchers: dict[str, int] = {}
        self._lock = threading.Lock()

    def create(self, config) -> tuple[str, Run]:
        self.reap()
        with self._lock:
            if len(self._runs) >= self.max_runs:
                raise ConfigError(f"this server already trains {self.max_runs} runs; close a "
                                  "tab and try again")
            run_id = secrets.token_hex(8)
            self._runs[run_id] = run = Run(config)
            self._watchers[run_id] = 0
        return run_id, run

    def get(self, run_id: str) -> Run | None:
        with self._lock:
            run = self._runs.get(run_id)
        if run is not None:
            run.last_seen = time.monotonic()
        return run

    def watch(self, run_id: str, delta: int) -> None:
        with self._lock:
            if run_id in self._watchers:
                self._watchers[run_id] += delta

    def delete(self, run_id: str) -> None:
        with self._lock:
            run = self._runs.pop(run_id, None)
            self._watchers.pop(run_id, None)
        if run is not None:
            run.stop()

    def reap(self) -> None:
        """Stop the runs no page has watched for ``orphan_seconds`` (a closed tab's run)."""
        now = time.monotonic()
        with self._lock:
            orphans = [run_id for run_id, run in self._runs.items()
                       if not self._watchers[run_id] and now - run.last_seen > self.orphan_seconds]
        for run_id in orphans:
            self.delete(run_id)

    def stop_all(self) -> None:
        for run_id in list(self._runs):
            self.delete(run_id)

    def __len__(self) -> int:
        return len(self._runs)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request):
    try:
        return await request.json()
    except ValueError as error:
        raise ConfigError(f"the request is not JSON: {error}") from error
    except RecursionError:
        raise ConfigError("the request is not JSON the page sends: it nests too deeply") from None


def create_app(runs: Runs | None = None) -> Starlette:
    """The playground's Starlette application (``app.state.runs`` holds its runs)."""
    runs = runs if runs is not None else Runs()
    stopping = threading.Event()

    def known(handler):
        async def wrapped(request: Request):
            run = runs.get(request.path_params["run_id"])
            if run is None:
                return _error("no such run (it may have been stopped: reload the page)", 404)
            try:
                return await handler(request, run)
            except ConfigError as error:
                return _error(str(error))
        return wrapped

    async def page(request: Request):
        return FileResponse(STATIC / "index.html")

    async def create(request: Request):
        try:
            config = parse_config(await _json(request))
            run_id, run = runs.create(config)
        except ConfigError as error:
            return _error(str(error))
        return JSONResponse({"id": run_id, "config": run.config.as_dict()})

    @known
    async def configure(request: Request, run: Run):
        run.configure(parse_config(await _json(request)))
        return JSONResponse({"config": run.config.as_dict()})

    @known
    async def command(request: Request, run: Run):
        body = await _json(request)
        action = body.get("action") if isinstance(body, dict) else None
        if action not in ("play", "pause", "step", "reset"):
            raise ConfigError(f"unknown action {action!r}; expected play, pause, step or reset")
        run.command(action)
        return JSONResponse({"playing": run.playing})

    @known
    async def gradcheck(request: Request, run: Run):
        return JSONResponse(await asyncio.to_thread(run.check_gradient))

    async def delete(request: Request):
        runs.delete(request.path_params["run_id"])
        return Response(status_code=204)

    @known
    async def events(request: Request, run: Run):
        run_id = request.path_params["run_id"]

        async def stream():
            runs.watch(run_id, +1)
            sent = -1
            try:
                while not stopping.is_set() and runs.get(run_id) is run:
                    if run.version != sent:
                        sent = run.version
                        yield f"data: {json.dumps(run.snapshot)}\n\n"
                    await asyncio.sleep(1 / SNAPSHOTS_PER_SECOND)
                    if await request.is_disconnected():
                        break
            finally:
                runs.watch(run_id, -1)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        async def reap_now_and_then():
            while True:
                await asyncio.sleep(runs.orphan_seconds / 3)
                runs.reap()

        reaper = asyncio.create_task(reap_now_and_then())
        yield
        reaper.cancel()
        stopping.set()  # ends the event streams, so that the server can stop
        runs.stop_all()

    app = Starlette(routes=[
        Route("/", page),
        Route("/api/runs", create, methods=["POST"]),
        Route("/api/runs/{run_id}/config", configure, methods=["PUT"]),
        Route("/api/runs/{run_id}/command", command, methods=["POST"]),
        Route("/api/runs/{run_id}/gradcheck", gradcheck, methods=["POST"]),
        Route("/api/runs/{run_id}", delete, methods=["DELETE"]),
        Route("/api/runs/{run_id}/events", events),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ], lifespan=lifespan)
    app.state.runs = runs
    return app
