"""``nntricks playground``: the notes' tricks live in the browser (see nntricks.playground)."""

from __future__ import annotations

import argparse
import socket
import sys
import webbrowser

from ._checks import port

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MISSING = ('the playground needs Starlette and uvicorn: pip install "nntricks[playground]" '
           '(or, in the source repository, pip install -e ".[playground]")')


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "playground",
        help="train networks live in the browser, with every trick of the notes",
        description=(
            "Start a local web server that trains nntricks' own networks on 2-D data sets while "
            "the page draws the losses, the decision boundary, every neuron and the weights. It "
            "prints the address and opens the default browser; Ctrl-C stops it (exit status "
            "0). The settings live in the page's address: copy it to share a setting, seed "
            "included. Needs "
            'pip install "nntricks[playground]"; works with no network.'
        ),
    )
    parser.add_argument("--port", type=port, default=0,
                        help="port to listen on, 0 to 65535 (default: 0, a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..playground.server import create_app
    except ImportError as error:
        raise ImportError(MISSING) from error
    if args.host not in LOOPBACK:
        print(f"nntricks playground: warning: listening on {args.host}, not only on this "
              "machine: anyone who can reach it can start runs on it", file=sys.stderr)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host, args.port))  # port 0: the system picks a free one
    except OSError as error:
        listener.close()
        raise ValueError(f"cannot listen on --host {args.host} --port {args.port}: "
                         f"{error.strerror or error}") from None
    port = listener.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    url = f"http://{host}:{port}/"
    print(f"nntricks playground: {url}  (Ctrl-C stops it)", flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning",
                                           timeout_graceful_shutdown=2))
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn stops gracefully on Ctrl-C, then raises it again
        pass
    print("nntricks playground: stopped")
    return 0
