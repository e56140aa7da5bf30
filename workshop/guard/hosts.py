"""Serve only the hosts the app is reached by: any other Host header gets 400 (DNS rebinding).

Edge layer (a WSGI wrapper around the whole app, the Socket.IO endpoint included; Flask
for the refusal's page). A page at evil.example can point its name at the laptop's LAN
address a few seconds after loading ("DNS rebinding"): the browser then sends our server
`Host: evil.example` and treats the answers as the attacker page's own, so it could read
the pages, and its socket would pass the Socket.IO origin check, which compares Origin with
that very Host. Refusing unknown Host names closes this; the allowed names are:

- `localhost` (the test client's and a laptop's own browser);
- the public URL's host (`--public-url`, PUBLIC_URL);
- whatever ALLOWED_HOSTS adds (a comma-separated list, or a JSON list with `--set`;
  `*` turns the check off, for a proxy that rewrites Host in ways nobody can list);
- any address written as digits, IPv4 or IPv6: that is how phones reach the laptop on the
  venue Wi-Fi (the LAN address `serve` prints, or another address of the same machine).
  Nothing can rebind an address: a page that asks for `http://192.168.1.20:5000` *is* of
  that origin, and a page elsewhere cannot read it.

The port is not compared: a rebinding page must use our port anyway, and proxies differ
in whether they pass it on.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT = re.compile(r":\d{1,5}")
_REMEMBERED = 256  # distinct Host headers whose answer is kept (a hall uses one or two)


def host_name(header: str) -> str | None:
    """Return the host a Host header names: lower case, without port or final dot, an IPv6
    address without brackets; None if it is not a well-formed host."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        name, rest = (value[1:end], value[end + 1:]) if end > 0 else ("", "")
        if rest and not _PORT.fullmatch(rest):
            return None
        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            return None
    name, colon, port = value.partition(":")
    if colon and not _PORT.fullmatch(colon + port):
        return None
    name = name.removesuffix(".")
    return name if len(name) <= 253 and _NAME.fullmatch(name) else None


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_host_names(public_url: str | None, extra: str | Iterable[str] | None) -> set[str]:
    """Return the host names served: localhost, the public URL's host, and `extra`."""
    names = {"localhost"}
    if public_url:
        public = urlsplit(str(public_url)).hostname
        if public:
            names.add(public.lower().removesuffix("."))
    if isinstance(extra, str):
        extra = extra.replace(",", " ").split()
    for item in extra or ():
        item = str(item).strip()
        if item == "*":
            names.add("*")
            continue
        name = host_name(item)
        if name:
            names.add(name)
    return names


class AllowedHosts:
    """The WSGI wrapper: requests for an allowed host go on, others get the 400 page."""

    def __init__(self, app: Flask, wsgi_app: Any, names: set[str]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.names = frozenset(names)
        self._allowed: set[str] = set()

    def allows(self, header: str) -> bool:
        """Say whether a Host header names a host this app is reached by."""
        if header in self._allowed or "*" in self.names:
            return True
        name = host_name(header)
        if name is None or (name not in self.names and not _is_address(name)):
            return False
        if len(self._allowed) < _REMEMBERED:
            self._allowed.add(header)
        return True

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        host = environ.get("HTTP_HOST")
        if host is None or self.allows(host):  # no Host: HTTP/1.0, not a browser
            return self.wsgi_app(environ, start_response)
        return self.refuse(environ, start_response)

    def refuse(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Answer 400 `unknown_host`, in the reader's language, as a page or as JSON.

        Drawn by Flask (templates, translations, security headers) without running the
        route: nothing of the request reaches the views or Socket.IO, and, like every
        refusal, it sets no cookie.
        """
        from workshop.core.errors import Refused
        from workshop.web.answers import refusal_body, wants_json
        from workshop.web.i18n import refusal_message

        error = Refused("unknown_host", 400)
        with self.app.request_context(environ):
            if wants_json():
                response = self.app.make_response((jsonify(refusal_body(error)), 400))
            else:
                page = render_template("error.html", message=refusal_message(error),
                                       status=400)
                response = self.app.make_response((page, 400))
            response = self.app.process_response(response)
        return response(environ, start_response)


def init_app(app: Flask) -> None:
    """Serve only the allowed hosts (call it last: it must wrap every other layer)."""
    names = allowed_host_names(app.config.get("PUBLIC_URL"), app.config.get("ALLOWED_HOSTS"))
    app.extensions["workshop.allowed_hosts"] = names
    app.wsgi_app = AllowedHosts(app, app.wsgi_app, names)  # type: ignore[method-assign]
