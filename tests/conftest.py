"""Fixtures: a fresh app and database per test (SQLite, or PostgreSQL: `pg_app`, both:
`any_app`), clients, joining as a phone, and a real server process. Every fixture shared by
several test modules lives here; code shared with bench/ lives in tests/support/."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.support.cluster import POSTGRES
from tests.support.services import postgres_or_skip
from workshop import create_app
from workshop.store.db import session_for, upgrade


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """Return an empty SQLite database brought to the newest migration, made once.

    Each test's app starts from a copy of it: running the migrations for every test was
    most of what the fast loop spent (tests/test_migrations.py runs them for real).
    """
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def app(tmp_path, monkeypatch, migrated_sqlite):
    """Build an app on a temporary SQLite database, pushes flushed by hand."""
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    shutil.copyfile(migrated_sqlite, tmp_path / "test.db")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
        "MIGRATE_ON_START": False,
        "PUSH_INTERVAL": None,
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_URL": "http://192.0.2.10:5000",
    })
    yield app
    app.extensions["workshop.engine"].dispose()


@pytest.fixture
def pg_app(tmp_path, monkeypatch):
    """An app on a fresh PostgreSQL schema, dropped afterwards."""
    postgres_or_skip()
    admin = sa.create_engine(POSTGRES)
    schema = f"ws_test_{secrets.token_hex(4)}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url,
                      "PUSH_INTERVAL": None, "WTF_CSRF_ENABLED": False,
                      "MIGRATE_ON_START": True})
    yield app
    app.extensions["workshop.engine"].dispose()
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request):
    """The app on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("app")
    return request.getfixturevalue("pg_app")


@pytest.fixture
def client(app):
    """An HTTP client, like one browser."""
    return app.test_client()


def join_phone(client, code: str) -> None:
    """Make a test client a participant as phone.js does: POST the join (pages make nobody)."""
    answer = client.post(f"/j/{code}/join", headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json() == {"ok": True, "joined": True}, \
        answer.get_data(as_text=True)


@pytest.fixture
def db(app):
    """A database session for arranging and checking state."""
    with app.app_context(), session_for(app) as session:
        yield session


@pytest.fixture
def sockets(app):
    """Open Socket.IO test clients on the app (optionally sharing an HTTP client's cookie);
    every one still connected is disconnected afterwards."""
    from workshop.live.sockets import socketio

    opened = []

    def open_socket(http_client=None):
        sio = socketio.test_client(app, flask_test_client=http_client)
        opened.append(sio)
        return sio

    yield open_socket
    for sio in opened:
        if sio.is_connected():
            sio.disconnect()


@pytest.fixture
def runner(app):
    """A runner for the command line."""
    return app.test_cli_runner()


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A real `workshop serve` process on a free loopback port."""

    url: str
    instance: Path
    process: subprocess.Popen
    log: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "WORKSHOP_INSTANCE": str(self.instance)}


def start_server(instance: Path, extra_env: dict[str, str] | None = None,
                 args: tuple[str, ...] | None = None,
                 command: tuple[str, ...] = (sys.executable, "-m", "workshop")) -> Server:
    """Start `workshop serve` and wait until it answers on loopback."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if args is None:
        args = ("--host", "127.0.0.1", "--public-url", url)
    log = instance.parent / f"server-{port}.log"
    env = {**os.environ, "WORKSHOP_INSTANCE": str(instance), **(extra_env or {})}
    if "DATABASE_URL" not in (extra_env or {}):
        env.pop("DATABASE_URL", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if requests.get(url + "/", timeout=1).status_code == 200:
                return Server(url, instance, process, log)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


def stop_server(server: Server) -> None:
    """Stop a server process and wait for it."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture
def live_server(tmp_path) -> Iterator[Server]:
    """A real server process on a fresh SQLite database."""
    server = start_server(tmp_path / "instance")
    yield server
    stop_server(server)


CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_of(html: str) -> str:
    """Return the CSRF token a page carries."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def join_over_http(http: requests.Session, base: str, code: str) -> str:
    """Open the phone page, then POST the join with its CSRF token as phone.js does (the
    page makes nobody a participant); return the token, valid for the session's commands."""
    page = http.get(f"{base}/j/{code}", timeout=10)
    page.raise_for_status()
    token = csrf_of(page.text)
    joined = http.post(f"{base}/j/{code}/join", timeout=10,
                       headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert joined.status_code == 200 and joined.json()["ok"], joined.text
    return token


class Facilitator:
    """A browser that creates a workshop over HTTP and steers it through its secret link."""

    def __init__(self, base: str, title: str) -> None:
        self.base = base
        self.http = requests.Session()
        created = self.http.get(f"{base}/new", timeout=10)
        answer = self.http.post(f"{base}/new", data={"title": title,
                                                     "csrf_token": csrf_of(created.text)},
                                allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        self.path = answer.headers["Location"].split("?")[0]
        self.secret = self.path.rsplit("/", 1)[1]
        page = self.http.get(base + self.path, timeout=10).text
        self.code = re.search(r'data-code="([A-Z0-9]+)"', page).group(1)
        self.csrf = csrf_of(page)

    def steer(self, command: str, body: dict | None = None) -> dict:
        """Run a facilitator command and return its answer (it must succeed)."""
        reply = self.http.post(f"{self.base}{self.path}/do/{command}", json=body or {},
                               headers={"X-CSRFToken": self.csrf}, timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def export(self) -> list:
        """Return the votes of the JSON report (one object per round, by number)."""
        return self.http.get(f"{self.base}{self.path}/export.json", timeout=10).json()["votes"]


# --- the browser tests' shared fixtures (test_browser*, test_accessibility, test_injection) ---

@pytest.fixture(scope="module")
def server(request, tmp_path_factory) -> Iterator[Server]:
    """One real server process per browser test module (each test makes its own workshop);
    a module needing another server defines its own `server`."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    running = start_server(tmp_path_factory.mktemp(name) / "instance")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium (Debian's) per module."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser_support import CHROMIUM, LAUNCH_ARGS

    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def watch(browser):
    """Watch every page a test opens; fail the test on any console error or CSP report."""
    from tests.browser_support import Watcher

    watcher = Watcher()
    contexts_before = set(browser.contexts)
    yield watcher
    for context in browser.contexts:
        if context not in contexts_before:
            context.close()
    assert watcher.errors == [], "\n".join(watcher.errors)
