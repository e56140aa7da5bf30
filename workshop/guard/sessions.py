"""The signed session cookie: verified once a minute per distinct cookie, never past its
age limit, and never sent with a refusal.

Edge layer (Flask). A phone's cookie never changes during a workshop (it holds the
participant's secret), yet Flask verifies its signature and decodes it on every request
and, through Flask-SocketIO, on every socket event: about 0.05-0.09 ms each time, a fifth
of what a ballot sent over the socket costs the server (docs/performance.md). Here the
verified content of each cookie string is kept for a minute in a bounded cache. Only a
cookie whose signature checked out is kept, keyed by the whole cookie string, so a forged
or altered cookie is verified (and refused) like before. An entry is kept for a minute,
or until the cookie's own age limit if that comes sooner: expiry holds to the second
whether the cookie was cached or not. A socket's events reuse what its connection's environ
already verified, without parsing the cookie again.

The cookie is a phone's identity (its participant, its paper ticket). An answer with a
status of 400 or more never carries Set-Cookie: a page on another site can make a phone
post here without its cookie (SameSite=Lax keeps it home), and a refusal that saved the
empty session it saw (a flashed message, a CSRF token drawn for the error page) would
replace the phone's real cookie with it. A refusal has nothing to keep in the session:
refusals answer with their message in the answer itself (workshop/web/answers.py).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
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
        """Return the request's session, from the cache when this cookie was verified lately.

        A socket's events all run on the WSGI environ of its connection, whose cookie
        cannot change: the verified content is kept in that environ too, so an event does
        not even parse the cookie header (a tenth of a socket ballot's cost).
        """
        if not app.secret_key:
            return None  # as Flask: no sessions without a key to sign them
        now = time.monotonic()
        entry = request.environ.get(_VERIFIED_KEY)
        if entry is not None and entry[0] > now:
            self.hits += 1
            return self.session_class(_copied(entry[1]))
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        with self._lock:
            entry = self._verified.get(value)
            if entry is not None and entry[0] > now:
                self._verified.move_to_end(value)
                self.hits += 1
            else:
                entry = None
        if entry is None:
            serializer = self.get_signing_serializer(app)  # built only on a miss: it costs
            if serializer is None:
                return None
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:
                data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            # itsdangerous accepts the cookie while int(now) - signed <= max_age, that is
            # until signed + max_age + 1: keep it no longer than that.
            left = signed.timestamp() + max_age + 1 - time.time()
            entry = (now + min(self.KEEP_SECONDS, left), data)
            with self._lock:
                self._verified[value] = entry
                self._verified.move_to_end(value)
                while len(self._verified) > self.MAX_ENTRIES:
                    self._verified.popitem(last=False)
        request.environ[_VERIFIED_KEY] = entry
        return self.session_class(_copied(entry[1]))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Send the cookie as Flask does, except with a refusal (status 400 or more)."""
        if response.status_code >= 400:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


_VERIFIED_KEY = "workshop.verified_session"


def _copied(value: Any) -> Any:
    """Copy what a request may change in place: a session's dicts and lists (the rest of
    what a cookie decodes to is immutable). Several times cheaper than `copy.deepcopy`."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def init_app(app: Flask) -> None:
    """Use the cached cookie sessions for this app."""
    app.session_interface = CachedCookieSessionInterface()
