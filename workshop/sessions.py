"""The signed session cookie, verified once a minute per distinct cookie, not per request.

Edge layer (Flask). A phone's cookie never changes during a workshop (it holds the
participant's secret), yet Flask verifies its signature and decodes it on every request
and, through Flask-SocketIO, on every socket event: about 0.05-0.09 ms each time, a fifth
of what a ballot sent over the socket costs the server (docs/performance.md). Here the
verified content of each cookie string is kept for a minute in a bounded cache. Only a
cookie whose signature checked out is kept, keyed by the whole cookie string, so a forged
or altered cookie is verified (and refused) like before; the minute bounds how far past
its age limit a cookie could be accepted.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with a short cache of verified cookies."""

    KEEP_SECONDS = 60.0
    MAX_ENTRIES = 20_000  # a big hall's phones, with room to spare (a few MB at most)

    def __init__(self) -> None:
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Return the request's session, from the cache when this cookie was verified lately."""
        if not app.secret_key:
            return None  # as Flask: no sessions without a key to sign them
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        now = time.monotonic()
        with self._lock:
            cached = self._verified.get(value)
            if cached is not None and cached[0] > now:
                self._verified.move_to_end(value)
                self.hits += 1
                return self.session_class(copy.deepcopy(cached[1]))
        serializer = self.get_signing_serializer(app)  # built only on a miss: it costs
        if serializer is None:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except BadSignature:
            return self.session_class()
        with self._lock:
            self._verified[value] = (now + self.KEEP_SECONDS, copy.deepcopy(data))
            self._verified.move_to_end(value)
            while len(self._verified) > self.MAX_ENTRIES:
                self._verified.popitem(last=False)
        return self.session_class(data)


def init_app(app: Flask) -> None:
    """Use the cached cookie sessions for this app."""
    app.session_interface = CachedCookieSessionInterface()
