"""Socket.IO handlers: the only inbound event is `join`; everything else is pushed.

Edge layer. Commands travel over HTTP (see docs/protocol.md); a socket only subscribes
to its audience's room and receives whole-state snapshots, so a participant's socket has
nothing it could send to act as the facilitator. Unknown events are ignored.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_socketio import SocketIO, join_room

from workshop import operations as ops
from workshop import tokens
from workshop.broadcast import FACILITATORS, PHONES, SCREENS, Broadcaster, room
from workshop.db import session_for

socketio = SocketIO()


def _broadcaster() -> Broadcaster:
    return current_app.extensions["workshop.broadcaster"]


@socketio.on("join")
def on_join(data: Any) -> dict[str, Any]:
    """Sent by every page on each (re)connect: {code, role, secret?}; answers the state.

    role is "phone", "screen" or "facilitator"; the facilitator must present the secret
    from its link. The answer carries the audience's whole current state, so a phone that
    reconnects is back in sync at once.
    """
    if not isinstance(data, dict):
        return {"ok": False, "error": "bad_request"}
    role = data.get("role")
    code = tokens.normalise_code(data.get("code"))
    if role not in ("phone", "screen", "facilitator") or code is None:
        return {"ok": False, "error": "bad_request"}
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with session_for(app) as db:
        workshop = ops.find_workshop(db, code)
        if workshop is None:
            return {"ok": False, "error": "workshop_not_found"}
        if role == "facilitator":
            secret = data.get("secret")
            if not isinstance(secret, str) or not tokens.looks_like_secret(secret) or \
                    not tokens.same_digest(secret, workshop.facilitator_digest):
                return {"ok": False, "error": "forbidden"}
    broadcaster = _broadcaster()
    broadcaster.start()
    join_room(room(PHONES, code))
    if role in ("screen", "facilitator"):
        join_room(room(SCREENS, code))
    if role == "facilitator":
        join_room(room(FACILITATORS, code))
    broadcaster.arrive(code, request.sid, role)  # type: ignore[attr-defined]
    views = broadcaster.views(code) or {}
    audience = {"phone": PHONES, "screen": SCREENS, "facilitator": FACILITATORS}[role]
    return {"ok": True, "state": views.get(audience)}


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Stop counting a socket that went away."""
    _broadcaster().leave(request.sid)  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Attach Socket.IO (threading mode) and the push broadcaster to the app."""
    socketio.init_app(app, async_mode=app.config.get("ASYNC_MODE", "threading"),
                      message_queue=app.config.get("REDIS_URL"),
                      manage_session=False, max_http_buffer_size=64 * 1024)
    app.extensions["workshop.broadcaster"] = Broadcaster(
        app, socketio, app.config.get("PUSH_INTERVAL"))
