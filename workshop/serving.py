"""How `workshop serve` runs the app: gevent by default, Werkzeug threads as a fallback.

Wiring layer. gevent serves every socket from one thread with greenlets, so a room of
thousands of phones costs tens of kilobytes each instead of several threads each (figures
in docs/performance.md). gevent must patch the standard library before anything else is
imported, so `serve` re-executes the interpreter with the patch applied first.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
from typing import Any

from flask import Flask

BOOT = ("from gevent import monkey; monkey.patch_all(); "
        "from workshop.cli import main; main(prog_name='workshop')")
BACKLOG = 4096  # a hall's phones connect within seconds of the QR code appearing


def gevent_available() -> bool:
    """Say whether gevent is installed."""
    try:
        import gevent  # noqa: F401
    except ImportError:
        return False
    return True


def gevent_patched() -> bool:
    """Say whether this interpreter was monkey-patched by gevent."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


def restart_patched() -> None:
    """Replace this process with the same `workshop serve` command, gevent-patched first."""
    if "serve" not in sys.argv[1:]:
        raise RuntimeError("gevent needs `workshop serve` to run as its own process; "
                           "use --async-mode threading here")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-c", BOOT, *sys.argv[1:]])  # noqa: S606


def unavailable(host: str, port: int) -> str | None:
    """Say in one sentence why this server could not listen on host:port, or None if it can.

    Bound the way serve_gevent binds (SO_REUSEADDR), then let go at once: whatever must
    not happen twice (a demo workshop) waits until the port is known to be free.
    """
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (f"Port {port} is already in use (another workshop server?): stop it "
                        f"or choose another port with --port.")
            return f"Cannot listen on {host}:{port}: {error.strerror or error}."
    return None


def raise_file_limit() -> int:
    """Allow as many open sockets as the system lets this user have; return the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    return soft


def run(app: Flask, socketio: Any, host: str, port: int, async_mode: str) -> None:
    """Serve until stopped; on SIGTERM, withdraw this process's presence first."""
    if async_mode != "gevent":
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
        return
    import gevent

    def stop() -> None:
        presence = app.extensions["workshop.broadcaster"].presence
        try:
            if presence.shared:
                presence.forget_process()
        finally:
            sys.stdout.flush()
            os._exit(0)

    signal.signal(signal.SIGTERM, lambda *_args: gevent.spawn(stop))
    raise_file_limit()
    quiet_garbage_collector()
    serve_gevent(app, host, port)


def quiet_garbage_collector() -> None:
    """Keep the cycle collector from stalling the one thread that serves every socket.

    What exists at start-up (modules, the app) is frozen out of its scans, and young
    collections run less often: with thousands of connections a full scan of everything
    took long enough to show in the slowest acknowledgements.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def serve_gevent(wsgi_app: Any, host: str, port: int) -> None:
    """Serve a WSGI app (Socket.IO's middleware included) on gevent's server, with Nagle's
    algorithm off: gevent writes a response's headers and body in two sends, and a client
    that delays its acknowledgement (Linux: 40 ms, some phones: 200 ms) would otherwise hold
    every answer back that long."""
    import socket

    from gevent import pywsgi

    class Handler(pywsgi.WSGIHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to do
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(BACKLOG)
    pywsgi.WSGIServer(listener, wsgi_app, handler_class=Handler, log=None).serve_forever()
