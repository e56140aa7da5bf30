"""The Flask application class: Flask, minus a URL match that can only fail.

Edge layer. Flask-SocketIO runs every socket event inside a request context built from
the socket's connection environ, whose path is the Engine.IO endpoint ("/socket.io/...").
Flask matches that path against the app's routes on every event, fails (no route serves
it: the Engine.IO middleware answers those requests before Flask sees them), and keeps
the NotFound for a dispatch that never comes. That match was 5.5 % of the server's time
in a 5,000-phone room's socket loop (docs/performance.md).

So a socket's connect handler marks its connection's environ (`mark_socket_environ`),
and contexts built from a marked environ get no URL adapter. An HTTP request always
brings a fresh environ from the WSGI server, so pages are matched as before. The price:
`url_for` cannot build links inside socket handlers (none does: pushes carry data, and
pages build their own links).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from werkzeug.routing import MapAdapter

SOCKET_ENVIRON_KEY = "workshop.socket_connection"


def mark_socket_environ(environ: dict[str, Any]) -> None:
    """Say that this environ is a Socket.IO connection's, shared by all its events."""
    environ[SOCKET_ENVIRON_KEY] = True


class WorkshopFlask(Flask):
    """Flask, whose socket-event contexts skip matching the Engine.IO path to a route."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Return no URL adapter for a socket event's context: no route could match."""
        if request is not None and request.environ.get(SOCKET_ENVIRON_KEY):
            return None
        return super().create_url_adapter(request)
