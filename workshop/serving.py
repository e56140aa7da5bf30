"""How `workshop serve` runs the app: gevent by default, Werkzeug threads as a fallback.

Wiring layer. gevent serves every socket from one thread with greenlets, so a room of
thousands of phones costs tens of kilobytes each instead of several threads each (figures
in docs/performance.md). gevent must patch the standard library before anything else is
imported, so `serve` re-executes the interpreter with the patch applied first.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from workshop.core.voting.declare import N_
from workshop.guard.headers import RedactSecrets, redact

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


def _as_is(text: str) -> str:
    return text


def unavailable(host: str, port: int, _: Callable[[str], str] = _as_is) -> str | None:
    """Say in one sentence why this server could not listen on host:port, or None if it can
    (in the command line's language when it passes its gettext as `_`).

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
                return _("Port %(port)s is already in use (another workshop server?): stop "
                         "it or choose another port with --port.") % {"port": port}
            return _("Cannot listen on %(host)s:%(port)s: %(reason)s.") % {
                "host": host, "port": port, "reason": error.strerror or error}
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
    file_limit = raise_file_limit()
    quiet_garbage_collector()
    serve_gevent(app, host, port, transport_of(app, file_limit))


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


# --- the HTTP server: gevent's pywsgi, bounded in time and in connections per address ---

IDLE_TIMEOUT = 30.0  # s a connection may wait before its (next) request starts
REQUEST_TIMEOUT = 15.0  # s from a request's first byte to its last (line, headers, body)
RESERVED_FILES = 128  # descriptors kept for the database, Redis, logs and the listener
BODY_CAP = 64 * 1024  # bytes of a request body read ahead of the app (its own cap)

TIMED_OUT = N_("The request took too long to arrive. Try again.")
TOO_MANY = N_("Too many connections from this network. Try again in a few seconds.")


def plain_answer(status: str, text: str, *headers: str) -> bytes:
    """A whole HTTP response the server sends by itself, before the app: plain text, and
    the connection closed after it."""
    body = (text + "\n").encode()
    head = [f"HTTP/1.1 {status}", "Connection: close", *headers,
            "Content-Type: text/plain; charset=utf-8", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass(frozen=True)
class Transport:
    """How long a client may take to send a request, and how many connections the server
    and each address may hold (docs/deploy.md, "Timeouts, connections and the open-file limit")."""

    idle_timeout: float = IDLE_TIMEOUT
    request_timeout: float = REQUEST_TIMEOUT
    capacity: int = 10_000
    per_address: int = 5_000
    body_cap: int = BODY_CAP
    timed_out: bytes = plain_answer("408 Request Timeout", TIMED_OUT)
    too_many: bytes = plain_answer("503 Service Unavailable", TOO_MANY, "Retry-After: 10")


def capacity(file_limit: int) -> int:
    """Return how many connections fit under this open-file limit: a WebSocket holds two
    descriptors (simple-websocket duplicates the connection's), and some are reserved."""
    return max(16, (file_limit - RESERVED_FILES) // 2)


def in_both_languages(app: Flask, text: str) -> str:
    """The server's own answers come before any request is read, so before its language
    is known: French, then English."""
    from flask_babel import gettext

    said = []
    for lang in app.config["LANGUAGES"]:
        with app.test_request_context(f"/?lang={lang}"):
            said.append(gettext(text))
    return "\n".join(dict.fromkeys(said))


def transport_of(app: Flask, file_limit: int) -> Transport:
    """Read the transport settings (HTTP_IDLE_TIMEOUT, HTTP_REQUEST_TIMEOUT,
    CONNECTIONS_PER_ADDRESS) from the app's config.

    One address may hold at most half of what the process can hold, unless the setting says
    more (never more than all): the other half stays for everyone else. Behind a trusted
    reverse proxy every connection comes from the proxy, so there is no per-address cap
    (the proxy's own, nginx's `limit_conn`, is the one that sees callers).
    """
    config = app.config
    most = capacity(file_limit)
    per_address = config.get("CONNECTIONS_PER_ADDRESS") or most // 2
    if int(config.get("TRUSTED_PROXIES") or 0):
        per_address = most
    return Transport(idle_timeout=float(config.get("HTTP_IDLE_TIMEOUT") or IDLE_TIMEOUT),
                     request_timeout=float(config.get("HTTP_REQUEST_TIMEOUT")
                                           or REQUEST_TIMEOUT),
                     capacity=most, per_address=min(int(per_address), most),
                     body_cap=int(config.get("MAX_CONTENT_LENGTH") or BODY_CAP),
                     timed_out=plain_answer("408 Request Timeout",
                                            in_both_languages(app, TIMED_OUT)),
                     too_many=plain_answer("503 Service Unavailable",
                                           in_both_languages(app, TOO_MANY),
                                           "Retry-After: 10"))


def address_key(client_address: Any) -> str:
    """Name the place a connection comes from: its IPv4 address, or its IPv6 /64 (one
    device may use any address of its /64)."""
    host = client_address[0] if isinstance(client_address, tuple) else str(client_address)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # an IPv4 client of a dual-stack listener
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


class TooSlow(Exception):
    """A request (line, headers or body) took longer than the request timeout."""


class _RedactedStream:
    """Where gevent's hub prints the errors of greenlets: stderr, facilitator links
    redacted (a traceback's context names the request's path)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(redact(text))

    def flush(self) -> None:
        self.stream.flush()


def serve_gevent(wsgi_app: Any, host: str, port: int,
                 transport: Transport | None = None) -> None:
    """Serve a WSGI app (Socket.IO's middleware included) on gevent's pywsgi server.

    Nagle's algorithm is off: gevent writes a response's headers and body in two sends, and
    a client that delays its acknowledgement (Linux: 40 ms, some phones: 200 ms) would
    otherwise hold every answer back that long. The rest bounds what a client can hold:

    - time: a connection waits at most `idle_timeout` for a request to start, and a request
      must arrive whole (line, headers and a body up to the app's 64 KiB cap, read before
      the app runs) within `request_timeout`, else 408 and the connection is closed. The
      app never waits on a slow client, and half-sent requests do not pile up.
    - connections: at most `capacity` at once (then new ones wait in the listen queue
      instead of failing for want of descriptors), at most `per_address` from one address
      (then 503 and closed at once).
    - after a WebSocket upgrade the connection belongs to the WebSocket: when it ends, the
      connection is closed, never read again as HTTP (its last frames would be parsed as a
      request line: "Expected GET method; Got command='\\x81\\x82...'").
    - a client that left (reset, broken pipe) is not an error; pywsgi's own error lines go
      through the `gevent.pywsgi` logger, facilitator links redacted.
    """
    import io
    import socket
    from collections import Counter

    import gevent
    from gevent import pywsgi
    from gevent.pool import Pool

    limits = transport or Transport()
    held: Counter[str] = Counter()
    # Not under the app's logger ("workshop"): Flask's handler writes to wsgi.errors, which
    # must stay stderr, or a line logged in a request would come back here for ever.
    error_log = logging.getLogger("gevent.pywsgi")
    if not any(isinstance(f, RedactSecrets) for f in error_log.filters):
        error_log.addFilter(RedactSecrets())
    gevent.get_hub().exception_stream = _RedactedStream(sys.stderr)

    class Handler(pywsgi.WSGIHandler):
        deadline: Any = None

        def handle(self) -> None:
            with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to do
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            place = address_key(self.client_address)
            if held[place] >= limits.per_address:
                self._answer(limits.too_many)
                self.rfile.close()
                self.socket.close()
                return
            held[place] += 1
            try:
                super().handle()
            except ConnectionError:  # the client left mid-answer: nothing to tell anyone
                pass
            finally:
                self._stop_clock()
                held[place] -= 1
                if not held[place]:
                    del held[place]

        def read_requestline(self) -> str:
            started = False
            with gevent.Timeout(limits.idle_timeout, False):
                self.rfile.peek(1)  # the first byte of the request, or the end of the stream
                started = True
            if not started:
                return ""  # idle: close quietly
            self.deadline = gevent.Timeout.start_new(limits.request_timeout, TooSlow)
            try:
                return super().read_requestline()
            except TooSlow:
                self._answer(limits.timed_out)
                return ""

        def handle_one_request(self) -> Any:
            try:
                return super().handle_one_request()
            finally:
                self._stop_clock()

        def handle_one_response(self) -> None:
            if self._connection_upgrade_requested():
                self._stop_clock()  # a WebSocket lives as long as it likes
                try:
                    super().handle_one_response()
                finally:
                    self.close_connection = True
                return
            try:
                self._read_body()
            except TooSlow:
                self._answer(limits.timed_out)
                self.close_connection = True
                return
            except OSError:  # the body ended early (the client left)
                self.close_connection = True
                return
            finally:
                self._stop_clock()
            super().handle_one_response()

        def _read_body(self) -> None:
            """Read the body ahead of the app, within the request's time; a body over the
            cap is not read at all (the app refuses it by its length) and the connection is
            closed after the answer."""
            body = self.wsgi_input
            if not (self.content_length or body.chunked_input):
                return
            if self.content_length and self.content_length > limits.body_cap:
                data = b""
                self.close_connection = True
            else:
                data = body.read(limits.body_cap + 1)
                if len(data) > limits.body_cap:  # chunked, and longer than the cap
                    self.close_connection = True
            self.wsgi_input = pywsgi.Input(io.BytesIO(data), len(data))
            self.environ["wsgi.input"] = self.wsgi_input

        def _handle_client_error(self, ex: BaseException) -> Any:
            if isinstance(ex, TooSlow):  # headers still coming when time ran out
                return ("408", limits.timed_out)
            return super()._handle_client_error(ex)

        def _answer(self, response: bytes) -> None:
            with contextlib.suppress(OSError):
                self.socket.sendall(response)

        def _stop_clock(self) -> None:
            if self.deadline is not None:
                self.deadline.close()
                self.deadline = None

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(BACKLOG)
    pywsgi.WSGIServer(listener, wsgi_app, handler_class=Handler, log=None,
                      error_log=error_log, environ={"wsgi.errors": sys.stderr},
                      spawn=Pool(limits.capacity)).serve_forever()
