"""What protects every HTTP answer: CSRF tokens, security headers, bounded JSON, no secrets
in the logs.

Edge layer (Flask). Installed once by create_app, before any blueprint.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")

JSON_DEPTH = 32  # no command needs more than a few levels of nesting

_SECRET_IN_PATH = re.compile(r"/f/[A-Za-z0-9_-]{8,}")


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than JSON_DEPTH as malformed.

    A 64 KiB body of brackets is otherwise a RecursionError (a 500) in the decoder.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
        if _depth(value) > JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        return value


def _depth(value: Any) -> int:
    """Return how deeply lists and objects nest in a decoded JSON value (no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= JSON_DEPTH:
                stack.extend((child, level + 1) for child in item)
    return deepest


def redact(text: str) -> str:
    """Return text with every facilitator link replaced by /f/<redacted>."""
    return _SECRET_IN_PATH.sub("/f/<redacted>", text) if "/f/" in text else text


class RedactSecrets(logging.Filter):
    """Replace facilitator links in log records with /f/<redacted> (they are passwords)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/f/" in message:
            record.msg = redact(message)
            record.args = ()
        return True


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if request.path.startswith("/f/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Install CSRF protection, security headers, the bounded JSON reader and log redaction."""
    csrf.init_app(app)
    app.after_request(_security_headers)
    app.json = SafeJSONProvider(app)
    redact = RedactSecrets()
    for logger in (app.logger, logging.getLogger("werkzeug"),
                   logging.getLogger("socketio.server"), logging.getLogger("engineio.server")):
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(redact)
