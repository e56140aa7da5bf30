"""The Socket.IO server every push goes out through, and how it is attached to the app.

Infra layer. It lives with the outbound pushes: the inbound handlers
(`workshop.web.events`) register on it, the broadcaster emits through it, and the abuse
guards (`workshop.guard`) disconnect a flooding socket with it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from workshop.core.ids import json_integer
from workshop.live.broadcast import Broadcaster
from workshop.live.presence import RedisPresence


class SocketJSON:
    """The JSON of socket messages: the standard module, with integer literals of more
    than `JSON_DIGITS` digits read as their digits (`json_integer`) instead of raising
    inside the packet decoder (engineio's default), which drops the message unanswered:
    a ballot holding such a number is refused and acknowledged like any malformed one."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        return json.loads(text, **{"parse_int": json_integer, **kwargs})


socketio = SocketIO(json=SocketJSON)


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
