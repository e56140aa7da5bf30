"""Socket.IO handlers: the only inbound event is `join`; everything else is pushed.

Edge layer. Commands travel over HTTP (see docs/protocol.md); a socket only subscribes
to its audience's room and receives whole-state snapshots, so a participant's socket has
nothing it could send to act as the facilitator. Unknown events are ignored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import SocketIO, join_room

from workshop import operations as ops
from workshop import tokens
from workshop.broadcast import FACILITATORS, PHONES, SCREENS, Broadcaster, room
from workshop.db import session_for
from workshop.presence import RedisPresence

socketio = SocketIO()


def _broadcaster() -> Broadcaster:
    return current_app.extensions["workshop.broadcaster"]


@socketio.on("join")
def on_join(data: Any, *_extra: Any) -> dict[str, Any]:
    """Sent by every page on each (re)connect: {code, role, secret?}; answers the state.

    role is "phone", "screen" or "facilitator"; the facilitator must present the secret
    from its link. The answer carries the audience's whole current state, so a phone that
    reconnects is back in sync at once.
    """
    from workshop.limits import check_socket_join

    refusal = check_socket_join(data)  # joins too often, or too many unknown codes
    if refusal is not None:
        return refusal
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
    return {"ok": True, "state": broadcaster.view(code, role)}


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Stop counting a socket that went away."""
    _broadcaster().leave(request.sid)  # type: ignore[attr-defined]


def deployment_name(app: Flask) -> str:
    """Name what processes sharing one database form, so that two deployments (or test
    runs) on one Redis never hear each other's pushes or counts."""
    return hashlib.sha256(app.config["DATABASE_URL"].encode()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Attach Socket.IO and the push broadcaster to the app.

    ASYNC_MODE is "threading" unless set: `workshop serve` runs gevent (see
    docs/performance.md). With REDIS_URL, several processes share pushes through the Redis
    message queue, and presence and the choice of pusher through Redis (presence.py).
    """
    redis_url = app.config.get("REDIS_URL")
    options: dict[str, Any] = {}
    if redis_url:
        options["channel"] = f"workshop-{deployment_name(app)}"
    socketio.init_app(app, async_mode=app.config.get("ASYNC_MODE", "threading"),
                      message_queue=redis_url, manage_session=False,
                      max_http_buffer_size=64 * 1024, **options)
    interval = app.config.get("PUSH_INTERVAL")
    presence = None
    if redis_url:
        presence = RedisPresence(redis_url, interval or 0.25, deployment_name(app))
    app.extensions["workshop.broadcaster"] = Broadcaster(
        app, socketio, interval, presence, app.config.get("SCREEN_PUSH_INTERVAL", 0.15))
