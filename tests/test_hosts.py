"""DNS rebinding: only the hosts the app is reached by are served.

A page at evil.example whose name the attacker later points at the laptop's LAN address
would be same-origin with itself, yet talking to us: it could read the pages and open a
socket whose Origin matches its Host. So every request, the Socket.IO endpoint included,
must name a host the app is reached by (the public URL's, localhost, an address typed as
digits, or one listed in ALLOWED_HOSTS); any other Host gets 400 and nothing else.
"""

from __future__ import annotations

import shutil
import socket

import pytest
import requests
import websocket

from tests.conftest import start_server, stop_server
from workshop import create_app

SOCKET_POLL = "/socket.io/?EIO=4&transport=polling"


def test_unknown_hosts_get_400_and_nothing_else(app):
    browser = app.test_client()
    for host in ("evil.example", "evil.example:5000", "192.0.2.10.evil.example",
                 "localhost.evil.example", "atelier.example.org"):
        for path in ("/", "/new", SOCKET_POLL, "/static/css/app.css", "/nowhere"):
            answer = browser.get(path, headers={"Host": host,
                                                "Origin": f"http://{host}"})
            assert answer.status_code == 400, (host, path, answer.status_code)
            assert answer.headers.getlist("Set-Cookie") == [], (host, path)
            assert "sid" not in answer.get_data(as_text=True), (host, path)
        posted = browser.post("/join", data={"code": "ABCDEF"}, headers={"Host": host})
        assert posted.status_code == 400 and not posted.headers.getlist("Set-Cookie")


def test_the_refusal_says_why_in_the_readers_language(app):
    browser = app.test_client()
    french = browser.get("/", headers={"Host": "evil.example"}).get_data(as_text=True)
    english = browser.get("/?lang=en", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "Cette adresse ne mène pas à cet atelier" in french
    assert "This address does not lead to this workshop" in english
    answer = browser.get("/", headers={"Host": "evil.example", "Accept": "application/json"})
    assert answer.status_code == 400 and answer.json["error"] == "unknown_host"


def test_the_hosts_the_app_is_reached_by_are_served(app):
    browser = app.test_client()
    # the test client's own (localhost), the public URL's, loopback and LAN addresses typed
    # as digits (nothing can rebind them), with or without a port, any case
    for host in ("localhost", "LOCALHOST:5000", "192.0.2.10:5000", "127.0.0.1",
                 "127.0.0.1:8080", "10.1.2.3:5000", "[::1]:5000", "[fe80::1]", "localhost."):
        assert browser.get("/", headers={"Host": host}).status_code == 200, host
        assert browser.get(SOCKET_POLL, headers={"Host": host}).status_code == 200, host


def test_extra_hosts_come_from_the_setting(tmp_path, monkeypatch, migrated_sqlite):
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("ALLOWED_HOSTS", "atelier.example.org, Salle-B.local")
    shutil.copyfile(migrated_sqlite, tmp_path / "h.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "PUSH_INTERVAL": None,
                      "MIGRATE_ON_START": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
                      "PUBLIC_URL": "https://public.example.net"})
    try:
        browser = app.test_client()
        for host in ("atelier.example.org", "salle-b.local:5000", "public.example.net",
                     "PUBLIC.example.net:443"):
            assert browser.get("/", headers={"Host": host}).status_code == 200, host
        assert browser.get("/", headers={"Host": "example.org"}).status_code == 400
    finally:
        app.extensions["workshop.engine"].dispose()


def test_host_names_are_read_strictly():
    from workshop.guard.hosts import allowed_host_names, host_name

    assert host_name("Example.ORG:8080") == "example.org"
    assert host_name("example.org.") == "example.org"
    assert host_name("[::1]:5000") == "::1"
    assert host_name("[::1]") == "::1"
    for bad in ("", "a b", "example.org:port", "[::1", "exa/mple", "ex@mple.org", "::1"):
        assert host_name(bad) is None, bad
    assert allowed_host_names("https://Atelier.example.org/", ["x.test", " "]) == \
        {"localhost", "atelier.example.org", "x.test"}
    assert allowed_host_names(None, "a.test,b.test") == {"localhost", "a.test", "b.test"}


@pytest.mark.server
def test_a_rebound_name_gets_no_page_and_no_socket_on_a_real_server(tmp_path):
    """The attack as a browser would make it: Host and Origin both the attacker's name,
    over the WebSocket and polling transports. The public name and the address the server
    printed still work; an https public address makes the cookie Secure."""
    server = start_server(tmp_path / "instance",
                          args=("--host", "127.0.0.1", "--public-url",
                                "https://atelier.example.test"))
    try:
        port = int(server.url.rsplit(":", 1)[1])
        for host, expected in ((f"evil.example:{port}", 400), ("atelier.example.test", 200),
                               (f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200)):
            page = requests.get(f"{server.url}/", headers={"Host": host}, timeout=10)
            assert page.status_code == expected, host
            polling = requests.get(f"{server.url}{SOCKET_POLL}", timeout=10,
                                   headers={"Host": host, "Origin": f"http://{host}"})
            assert polling.status_code == expected, host
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                if expected == 400:
                    with pytest.raises(websocket.WebSocketBadStatusException) as refusal:
                        websocket.create_connection(
                            f"ws://{host}/socket.io/?EIO=4&transport=websocket",
                            origin=f"http://{host}", timeout=5, socket=sock)
                    assert refusal.value.status_code == 400
                else:
                    ws = websocket.create_connection(
                        f"ws://{host}/socket.io/?EIO=4&transport=websocket",
                        origin=f"http://{host}", timeout=5, socket=sock)
                    assert ws.recv().startswith("0{")
                    ws.close()
        # The page draws a CSRF token into the session: the cookie it sets is Secure.
        page = requests.get(f"{server.url}/new", timeout=10)
        assert page.status_code == 200 and "; Secure" in page.headers["Set-Cookie"]
    finally:
        stop_server(server)
