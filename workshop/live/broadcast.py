"""Outbound pushes: coalesced whole-state snapshots to each audience's Socket.IO room.

Infra layer. Operations call `changed(code)` after each commit; at most every
PUSH_INTERVAL seconds a background task rebuilds each changed workshop's views once and
emits them, and only to the audiences whose view actually changed. So the cost follows the
number of screens, not votes times clients, and a missed push never matters because every
push carries the whole state.

Who is connected and which workshops changed live in `presence` (in memory for one process,
in Redis for several); with several processes exactly one of them, the pusher, builds and
emits the views, through the message queue, so that pushes reach every process's sockets in
the order of the reads they were built from (see presence.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from workshop.live.presence import LocalPresence
from workshop.store import views
from workshop.store.db import session_for
from workshop.store.lookups import find_workshop
from workshop.store.models import Workshop
from workshop.store.room import monitor

RESEND_EVERY = 10.0  # seconds; see Broadcaster._resend_now_and_then
ROOM_EVERY = 1.0  # seconds between two counts of who is in the room (Broadcaster._room)
DUE_EVERY = 1.0  # seconds between the pusher's chores (a timer closes within this)
PHONES = "ws:{code}"
SCREENS = "ws:{code}:screens"
FACILITATORS = "ws:{code}:facilitators"
MODERATORS = "ws:{code}:moderators"
# One participant's phones (every socket joined with its cookie): the only room told
# about that participant's own ideas (`tell_authors`).
AUTHOR = "ws:{code}:participant:{participant}"


def room(template: str, code: str, lang: str | None = None) -> str:
    """Return the Socket.IO room name of one audience of one workshop; phones and
    facilitators join the room of their page's language (`lang`), as their pushes carry
    the page's changing part rendered in it."""
    name = template.format(code=code)
    return f"{name}:{lang}" if lang else name


# A template that renders one audience's changing part of a page from its view:
# (app, code, lang, view) -> {"panel": html, ...} (workshop/web/pushed.py)
Renderer = Callable[[Flask, str, str, dict[str, Any]], dict[str, str]]


def author_room(code: str, participant: int) -> str:
    """Return the room of one participant's phones in a workshop."""
    return AUTHOR.format(code=code, participant=participant)


def tell_authors(code: str, changes: list[tuple[int, int, str]]) -> None:
    """Tell each author's phones the new status of their own ideas, after the commit:
    event `own_ideas` {ideas: [{id, status}]} to the room of that participant only, as
    the pushes carry nobody's own ideas. A phone that misses it (not connected then) is
    told again by its next join's answer (`own_ideas` there too)."""
    if not changes or not has_app_context():
        return
    broadcaster = current_app.extensions.get("workshop.broadcaster")
    if broadcaster is None:
        return
    mine: dict[int, list[dict[str, Any]]] = {}
    for participant, idea, status in changes:
        mine.setdefault(participant, []).append({"id": idea, "status": status})
    for participant, ideas in mine.items():
        broadcaster.socketio.emit("own_ideas", {"ideas": ideas},
                                  to=author_room(code, participant))


def server_now() -> int:
    """Return the server's time in milliseconds since the epoch. Every push and join
    answer carries it (`now`, added as it is sent, never part of the view compared for
    changes), so that a page counts a deadline down against the server's clock, not a
    phone's own, which may be minutes off."""
    return int(time.time() * 1000)


def changed(code: str) -> None:
    """Note that a workshop changed, so its audiences get a fresh snapshot soon."""
    if has_app_context():
        broadcaster = current_app.extensions.get("workshop.broadcaster")
        if broadcaster is not None:
            broadcaster.mark(code)


EVENTS = {PHONES: "workshop_changed", SCREENS: "screen_changed",
          FACILITATORS: "facilitator_changed", MODERATORS: "moderator_changed"}
AUDIENCES = {"phone": PHONES, "screen": SCREENS, "facilitator": FACILITATORS,
             "moderator": MODERATORS}
# What a moderator's page steers by: the queue's counts, the themes an idea can carry and
# how many carry each, and the open vote's options (its ideas cannot be hidden or merged),
# nothing else of the facilitator's view.
MODERATOR_KEYS = ("code", "phase", "pending", "idea_counts", "pending_ideas", "ideas",
                  "themes", "theme_counts")


def moderator_view(facilitator: dict[str, Any]) -> dict[str, Any] | None:
    """Return the moderator's view: the part of the facilitator's view about ideas; None
    while the workshop has no open moderator link (nothing to push, nothing rendered: with
    several processes the pusher cannot see which rooms have sockets)."""
    if not any(link.get("kind") == "moderator" for link in facilitator.get("devices") or []):
        return None
    view = {key: facilitator.get(key) for key in MODERATOR_KEYS}
    vote = facilitator.get("round")
    view["in_open_vote"] = list(vote.get("options") or []) \
        if isinstance(vote, dict) and vote.get("status") == "open" else []
    return view


class Broadcaster:
    """Collects changed workshops and pushes their snapshots, a few times a second at most."""

    def __init__(self, app: Flask, socketio: Any, interval: float | None,
                 presence: LocalPresence | None = None,
                 screen_interval: float | None = None) -> None:
        self.app = app
        self.socketio = socketio
        self.interval = interval  # phones, facilitators: at most one push per workshop this often
        # projectors and facilitators: results, more often (the loop's tick)
        self.tick = min(screen_interval or interval, interval) if interval else None
        self.presence = presence if presence is not None else LocalPresence()
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], str] = {}
        self._panels_pushed: dict[tuple[str, str], float] = {}  # (code, audience) -> when
        self._started = False
        # The audiences whose pushes carry rendered parts (PHONES, FACILITATORS), set by
        # the web layer; rendered once per workshop, view and language, never per socket.
        self.renderers: dict[str, Renderer] = {}
        self.languages: tuple[str, ...] = tuple(app.config.get("LANGUAGES", ("fr",)))
        self._rendered: dict[tuple[str, str, str], tuple[str, dict[str, str]]] = {}
        self._resent = time.monotonic()
        self.flushes = 0
        # code -> (when counted, the monitor); the codes shown a count older than the room
        self._rooms: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._rooms_due: set[str] = set()
        # Chores only one process may do, run by the pusher about once a second (closing
        # the activities whose timer ran out: set by the web layer, web/pushed.py).
        self.due_tasks: list[Callable[[], Any]] = []
        self._due_run = -1e9

    # presence -------------------------------------------------------------------------
    def arrive(self, code: str, sid: str, role: str, participant: int | None = None) -> None:
        """Note a socket that joined a workshop; the projector counts the participants
        whose phones are connected (`participant`: the socket's, if it has one)."""
        self.presence.arrive(code, sid, role, participant)

    def page_seen(self, code: str, participant: int) -> None:
        """Note a participant's page shown over HTTP: a phone without script counts as
        connected for a while after each (presence.PAGE_PRESENCE)."""
        self.presence.page_seen(code, participant)

    def leave(self, sid: str) -> None:
        """Forget a socket that disconnected, wherever it had joined."""
        self.presence.leave(sid)

    def present(self, code: str) -> frozenset[int]:
        """Return the participants with a phone connected to a workshop (on every process):
        the representativeness monitor counts them by group."""
        return self.presence.present(code)

    def connected_phones(self, code: str) -> int:
        """Return how many participants have a phone connected to a workshop (on every
        process): cookie-less sockets joined as phones count for nobody."""
        return self.presence.phones(code)

    # pushes ---------------------------------------------------------------------------
    def mark(self, code: str) -> None:
        """Queue a workshop for the next push."""
        self.presence.mark(code)

    def start(self) -> None:
        """Start the push loop once (no loop when the interval is None, as in unit tests)."""
        with self._lock:
            if self._started or self.interval is None:
                return
            self._started = True
        self.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        tick = self.tick or 0.25
        due = time.monotonic()
        while True:
            due += tick
            self.socketio.sleep(max(0.0, due - time.monotonic()))
            due = max(due, time.monotonic() - tick)  # after a stall, do not rush to catch up
            try:
                self.flush()
            except Exception:  # keep pushing: one bad snapshot must not silence the room
                self.app.logger.exception("push failed")

    def flush(self) -> int:
        """Push every changed workshop's new views now; return how many were pushed.

        With several processes only the pusher pushes; the others just publish their
        connection counts (presence.tick).
        """
        self.flushes += 1
        if not self.presence.tick():
            return 0
        if self.presence.became_pusher():
            self._last.clear()  # what another pusher sent is unknown: send everything
        self.run_due_tasks()
        self._resend_now_and_then()
        now = time.monotonic()
        for code in [c for c in self._rooms_due if now - self._rooms[c][0] >= ROOM_EVERY]:
            self._rooms_due.discard(code)  # its monitor was shown older than the room
            self.presence.mark(code)
        taken = self.presence.take()
        later: list[str] = []
        try:
            for code in taken:
                try:
                    if self._push(code):
                        later.append(code)
                except Exception:
                    self.app.logger.exception("push of %s failed", code)
        finally:
            self.presence.done(taken)
            for code in later:  # the phones' view changed too soon after the last one
                self.presence.mark(code)
        return len(taken)

    def run_due_tasks(self, every: float = DUE_EVERY) -> None:
        """Run the pusher's chores (`due_tasks`) if `every` seconds have passed since the
        last run. Only the pusher calls this (`flush`, after `presence.tick` said so):
        with several processes behind Redis, the lease makes it one process at a time."""
        now = time.monotonic()
        if now - self._due_run < every:
            return
        self._due_run = now
        for task in self.due_tasks:
            try:
                task()
            except Exception:  # a chore that failed is tried again at the next run
                self.app.logger.exception("due task failed")

    def _resend_now_and_then(self) -> None:
        """With several processes, send every view again every RESEND_EVERY seconds.

        A push published while Redis was restarting reaches nobody, and the processes
        subscribe again only after a back-off; without this the pusher would believe it
        had sent the latest views and the room would stay on old ones until the next change.
        """
        if not self.presence.shared:
            return
        now = time.monotonic()
        if now - self._resent < RESEND_EVERY:
            return
        self._resent = now
        self._last.clear()
        for code in self.presence.active_codes():
            self.presence.mark(code)

    def views(self, code: str) -> dict[str, dict[str, Any] | None] | None:
        """Build the three views of a workshop in one database session, tallying once."""
        with self.app.app_context(), session_for(self.app) as session:
            workshop: Workshop | None = find_workshop(session, code)
            if workshop is None:
                return None
            public, screen, facilitator = views.audience_views(
                session, workshop, self.connected_phones(code))
            facilitator["room"] = self._room(session, workshop)
            return {PHONES: public, SCREENS: screen, FACILITATORS: facilitator,
                    MODERATORS: moderator_view(facilitator)}

    def _room(self, session: Session, workshop: Workshop) -> dict[str, Any] | None:
        """Who is in the room by group (store/room.py), counted at most every ROOM_EVERY
        seconds per workshop: while ballots arrive the views are built every tick, and
        the monitor reads every participant's answers. A workshop shown an older count is
        queued again for when it is due (see flush), so the last change is shown too."""
        now = time.monotonic()
        cached = self._rooms.get(workshop.code)
        if cached is not None and now - cached[0] < ROOM_EVERY:
            self._rooms_due.add(workshop.code)
            return cached[1]
        counted = monitor(session, workshop, lambda: self.presence.present(workshop.code))
        self._rooms[workshop.code] = (now, counted)
        self._rooms_due.discard(workshop.code)
        return counted

    def view(self, code: str, role: str) -> dict[str, Any] | None:
        """Build only the view one role sees (what a join is answered with)."""
        with self.app.app_context(), session_for(self.app) as session:
            workshop: Workshop | None = find_workshop(session, code)
            if workshop is None:
                return None
            if role == "phone":
                return views.public_view(session, workshop)
            connected = self.connected_phones(code)
            if role == "screen":
                return views.screen_view(session, workshop, connected)
            facilitator = views.facilitator_view(session, workshop, connected,
                                                 lambda: self.presence.present(code))
            return moderator_view(facilitator) if role == "moderator" else facilitator

    def _push(self, code: str) -> bool:
        """Emit the views of a workshop that changed; return True when the phones' or the
        facilitators' view changed but must wait (at most one push per `interval`)."""
        views = self.views(code)
        if views is None:
            return False
        held = False
        now = time.monotonic()
        for template, payload in views.items():
            if payload is None:  # an audience this workshop does not have (moderators)
                continue
            text = json.dumps(payload, sort_keys=True, default=str)
            key = (code, template)
            if self._last.get(key) == text:
                continue
            # Phones and facilitators get at most one push per `interval`: each carries a
            # panel rendered for it (web/pushed.py), which the projector's does not.
            if template in (PHONES, FACILITATORS, MODERATORS) and self.interval and \
                    now - self._panels_pushed.get((code, template), -1e9) < self.interval - 1e-3:
                held = True
                continue
            if template not in self.renderers:
                targets = [(room(template, code), {**payload, "now": server_now()})]
            else:  # rendered before anything is noted as sent: a failure is tried again
                targets = [(room(template, code, lang),
                            {**payload, **self.parts(code, template, lang, payload, text),
                             "now": server_now()})
                           for lang in self.languages
                           if self._occupied(room(template, code, lang))]
            if template in (PHONES, FACILITATORS, MODERATORS):
                self._panels_pushed[(code, template)] = now
            self._last[key] = text
            for target, body in targets:
                self.socketio.emit(EVENTS[template], body, to=target)
        return held

    def _occupied(self, target: str) -> bool:
        """Say whether a room may have sockets: those of this process when it is alone;
        with several processes, any may (they are not counted per language)."""
        if self.presence.shared:
            return True
        rooms = getattr(self.socketio.server.manager, "rooms", {}).get("/", {})
        return bool(rooms.get(target))

    def parts(self, code: str, template: str, lang: str, view: dict[str, Any],
              text: str | None = None) -> dict[str, str]:
        """Return the parts of a page an audience's push carries for this view, rendered
        once per workshop, view and language (pushes and joins share them)."""
        renderer = self.renderers.get(template)
        if renderer is None:
            return {}
        if text is None:
            text = json.dumps(view, sort_keys=True, default=str)
        key = (code, template, lang)
        cached = self._rendered.get(key)
        if cached is not None and cached[0] == text:
            return cached[1]
        parts = renderer(self.app, code, lang, view)
        self._rendered[key] = (text, parts)
        return parts
