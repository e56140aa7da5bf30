"""How every page and HTTP command answers: refusals, confirmations, error pages.

Edge layer (Flask). A command answers JSON to scripts (Accept: application/json); to a
plain form, so that phones without JavaScript still work, a command carried out redirects
back with a flashed confirmation, and a refused one answers a page with the refusal's
status, its message and a link back. A refusal never goes through the session: a status of
400 or more never sets a cookie (workshop/guard/sessions.py says why).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.web.i18n import refusal_message


def wants_json() -> bool:
    """Say whether the caller is a script expecting JSON rather than a page."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def public_url() -> str:
    """Return the base address phones should use: configured, else the one asked for."""
    configured = current_app.config.get("PUBLIC_URL")
    return (configured or request.host_url).rstrip("/")


def join_url(code: str) -> str:
    """Return the address a phone opens to join a workshop (what the QR code holds)."""
    return f"{public_url()}/j/{code}"


def refusal_body(error: Refused) -> dict[str, Any]:
    """The JSON a refused command answers, over HTTP or as a socket acknowledgement."""
    return {"ok": False, "error": error.code, "message": refusal_message(error),
            "params": {k: v for k, v in error.params.items()
                       if isinstance(v, str | int | float | bool | None)}}


def refused(error: Refused, back: str | None = None) -> Response:
    """Answer a refused command: JSON with a stable code, or a page with the message and a
    link `back` to the page the form came from (the status is the refusal's either way)."""
    if wants_json() or back is None:
        return jsonify(refusal_body(error)), error.status  # type: ignore[return-value]
    page = render_template("error.html", message=refusal_message(error), status=error.status,
                           back=back)
    return current_app.make_response((page, error.status))


def form_page() -> str:
    """Where a plain form goes back to after a refusal: the page it belongs to, read from
    the address it was posted to (never from the Referer, which another site writes)."""
    args = request.view_args or {}
    if "secret" in args:
        return f"/f/{args['secret']}"
    code = tokens.normalise_code(args.get("code"))
    return f"/j/{code}" if code else "/"


def done(payload: dict[str, Any], back: str, message: str | None = None) -> Response:
    """Answer a command carried out: JSON, or a flashed confirmation and redirect."""
    if wants_json():
        return jsonify(payload)
    if message:
        flash(message, "ok")
    return redirect(back)


def _json_or_page(error: Refused) -> Response:
    return refused(error, form_page() if request.method == "POST" else
                   url_for("participant.home"))


def init_app(app: Flask) -> None:
    """Install the answers to refusals and errors, and the pages' shared globals."""

    @app.errorhandler(Refused)
    def _on_refused(error: Refused):
        return _json_or_page(error)

    @app.errorhandler(CSRFError)
    def _on_csrf(_error: CSRFError):
        return _json_or_page(Refused("csrf", 400))

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(OperationalError)
    def _on_busy(error: Exception):
        # The database stayed locked (another process writing) or the writing connection
        # stayed taken past its wait: nothing was written, the client may send it again.
        if isinstance(error, OperationalError) and "locked" not in str(error) and \
                "busy" not in str(error):
            raise error
        return refused(Refused("busy", 503))

    @app.errorhandler(RequestEntityTooLarge)
    def _on_too_large(_error: RequestEntityTooLarge):
        return refused(Refused("too_large", 413))

    @app.errorhandler(HTTPException)
    def _on_http(error: HTTPException):
        code = error.code or 500
        message = refusal_message(Refused(f"http_{code}" if code in (404, 405) else "http_500"))
        if wants_json():
            return jsonify({"ok": False, "error": f"http_{code}", "message": message}), code
        return render_template("error.html", message=message, status=code), code

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from workshop.web.i18n import select_locale

        return {"current_lang": select_locale(), "join_url": join_url}
