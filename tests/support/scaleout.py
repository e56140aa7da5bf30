"""A projector and a phone of the scaled-out setup (several processes behind nginx), over
the wire with requests and the python-socketio client.

Test support: imports requests, socketio and tests/ helpers (conftest's csrf_of, factories).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import socketio

from tests.conftest import csrf_of
from tests.factories import client_id


class Screen:
    """A projector on one process: every snapshot it receives."""

    def __init__(self, base: str, code: str) -> None:
        self.snapshots: list[dict] = []
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("screen_changed", self._on)
        self.sio.connect(base, transports=["websocket"], wait_timeout=10)
        answer = self.sio.call("join", {"code": code, "role": "screen"}, timeout=10)
        assert answer["ok"], answer
        self._on(answer["state"])

    def _on(self, state: dict) -> None:
        with self.changed:
            self.snapshots.append(state)
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (self.snapshots and predicate(self.snapshots[-1])):
                left = deadline - time.monotonic()
                assert left > 0, f"never saw it; last: {self.snapshots[-1:]}"
                self.changed.wait(left)
            return self.snapshots[-1]


class Phone:
    """A browser through nginx: its cookies (session and affinity) and its socket."""

    def __init__(self, base: str, code: str, transport: str) -> None:
        self.base, self.code = base, code
        self.http = requests.Session()
        page = self.http.get(f"{base}/j/{code}", timeout=10)
        page.raise_for_status()
        self.upstream = page.headers["X-Upstream"]
        self.csrf = csrf_of(page.text)
        joined = self.http.post(f"{base}/j/{code}/join", timeout=10,  # before the socket
                                headers={"X-CSRFToken": self.csrf, "Accept": "application/json"})
        assert joined.status_code == 200, joined.text
        self.phases: list[str] = []
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        self.sio.on("workshop_changed", lambda state: self.phases.append(state["phase"]))
        self.sio.connect(base, transports=[transport], wait_timeout=10)
        answer = self.sio.call("join", {"code": code, "role": "phone"}, timeout=10)
        assert answer["ok"], answer
        self.phases.append(answer["state"]["phase"])

    def vote(self, ballot: dict) -> dict:
        body = {"client_id": client_id(), "ballot": ballot}
        answer = self.http.post(f"{self.base}/j/{self.code}/ballot", json=body, timeout=30,
                                headers={"X-CSRFToken": self.csrf})
        assert answer.status_code == 200, answer.text
        again = self.http.post(f"{self.base}/j/{self.code}/ballot", json=body, timeout=30,
                               headers={"X-CSRFToken": self.csrf})
        assert again.json()["duplicate"] is True  # a retry, maybe through another process
        return answer.json()


def close_all(clients) -> None:
    """Disconnect Socket.IO clients side by side."""
    with ThreadPoolExecutor(max_workers=max(1, len(clients))) as pool:
        list(pool.map(lambda c: c.disconnect() if c.connected else None, clients))
