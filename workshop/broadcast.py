"""Outbound pushes: coalesced whole-state snapshots to each audience's Socket.IO room.

Infra layer. Operations call `changed(code)` after each commit; at most every
PUSH_INTERVAL seconds a background task rebuilds each changed workshop's views once and
emits them, and only to the audiences whose view actually changed. So the cost follows the
number of screens, not votes times clients, and a missed push never matters because every
push carries the whole state.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Any

from flask import Flask, current_app, has_app_context

from workshop import snapshots
from workshop.db import session_for
from workshop.models import Workshop

PHONES = "ws:{code}"
SCREENS = "ws:{code}:screens"
FACILITATORS = "ws:{code}:facilitators"


def room(template: str, code: str) -> str:
    """Return the Socket.IO room name of one audience of one workshop."""
    return template.format(code=code)


def changed(code: str) -> None:
    """Note that a workshop changed, so its audiences get a fresh snapshot soon."""
    if has_app_context():
        broadcaster = current_app.extensions.get("workshop.broadcaster")
        if broadcaster is not None:
            broadcaster.mark(code)


class Broadcaster:
    """Collects changed workshops and pushes their snapshots, a few times a second at most."""

    def __init__(self, app: Flask, socketio: Any, interval: float | None) -> None:
        self.app = app
        self.socketio = socketio
        self.interval = interval
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._last: dict[tuple[str, str], str] = {}
        self._presence: dict[str, dict[str, str]] = defaultdict(dict)
        self._started = False
        self.flushes = 0

    # presence -------------------------------------------------------------------------
    def arrive(self, code: str, sid: str, role: str) -> None:
        """Count a socket that joined a workshop (phones are what the projector shows)."""
        with self._lock:
            self._presence[code][sid] = role
            self._dirty.add(code)

    def leave(self, sid: str) -> None:
        """Forget a socket that disconnected, wherever it had joined."""
        with self._lock:
            for code, members in self._presence.items():
                if members.pop(sid, None) is not None:
                    self._dirty.add(code)

    def connected_phones(self, code: str) -> int:
        """Return how many phones are connected to a workshop on this process."""
        with self._lock:
            return sum(1 for role in self._presence.get(code, {}).values() if role == "phone")

    # pushes ---------------------------------------------------------------------------
    def mark(self, code: str) -> None:
        """Queue a workshop for the next push."""
        with self._lock:
            self._dirty.add(code)

    def start(self) -> None:
        """Start the push loop once (no loop when the interval is None, as in unit tests)."""
        with self._lock:
            if self._started or self.interval is None:
                return
            self._started = True
        self.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        while True:
            self.socketio.sleep(self.interval)
            try:
                self.flush()
            except Exception:  # keep pushing: one bad snapshot must not silence the room
                self.app.logger.exception("push failed")

    def flush(self) -> int:
        """Push every changed workshop's new views now; return how many were pushed."""
        with self._lock:
            codes, self._dirty = self._dirty, set()
        for code in codes:
            self._push(code)
        self.flushes += 1
        return len(codes)

    def views(self, code: str) -> dict[str, dict[str, Any]] | None:
        """Build the three views of a workshop in one database session."""
        with self.app.app_context(), session_for(self.app) as session:
            from workshop.operations import find_workshop

            workshop: Workshop | None = find_workshop(session, code)
            if workshop is None:
                return None
            connected = self.connected_phones(code)
            return {
                PHONES: snapshots.public_view(session, workshop),
                SCREENS: snapshots.screen_view(session, workshop, connected),
                FACILITATORS: snapshots.facilitator_view(session, workshop, connected),
            }

    def _push(self, code: str) -> None:
        views = self.views(code)
        if views is None:
            return
        events = {PHONES: "workshop_changed", SCREENS: "screen_changed",
                  FACILITATORS: "facilitator_changed"}
        for template, payload in views.items():
            text = json.dumps(payload, sort_keys=True, default=str)
            key = (code, template)
            if self._last.get(key) == text:
                continue
            self._last[key] = text
            self.socketio.emit(events[template], payload, to=room(template, code))
