"""Who is asking: the caller's address, participant and facilitator link, as limit keys.

Edge layer helper (Flask request and session); imports only the core. Used by the HTTP
limits and the socket throttles. Only digests of secrets are ever kept as keys.
"""

from __future__ import annotations

import hashlib

from flask import Flask, request, session

from workshop.core import tokens


def address() -> str:
    """The caller's network address (the venue's NAT address for a whole hall)."""
    return request.remote_addr or "unknown"


def digest(value: str) -> str:
    """Return a short digest of `value`, to keep as a key instead of a secret."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def participant_key() -> str:
    """The participant a phone is in the workshop of the URL, else its address."""
    code = tokens.normalise_code((request.view_args or {}).get("code"))
    secret = session.get("participants", {}).get(code) if code else None
    if isinstance(secret, str) and secret:
        return "participant:" + digest(secret)
    return "address:" + address()


def facilitator_key() -> str:
    """The facilitator link used (never the secret itself: only a digest is kept)."""
    secret = (request.view_args or {}).get("secret")
    return "link:" + digest(secret if isinstance(secret, str) else "")


def device_key() -> str:
    """The kiosk or helper link used, from the address or the kiosk's session (a digest)."""
    token = (request.view_args or {}).get("token") or session.get("kiosk")
    return "device:" + digest(token if isinstance(token, str) else "")


def already_joined() -> bool:
    """Whether this browser already is a participant of the workshop in the URL."""
    code = tokens.normalise_code((request.view_args or {}).get("code"))
    return bool(code and session.get("participants", {}).get(code))


def trust_proxies(app: Flask) -> None:
    """Take the caller's address from X-Forwarded-For, set by TRUSTED_PROXIES proxies.

    Behind nginx every request comes from the proxy's address: per-address limits would
    then count the whole world as one caller. Only the address is taken (not the host or
    scheme, which the Socket.IO origin check compares); without the setting the header is
    ignored, so that nobody can pick their own address to dodge a limit.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0,
                                x_port=0, x_prefix=0)  # type: ignore[method-assign]
