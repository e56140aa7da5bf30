"""The framework ceiling: a bare Flask-SocketIO server with the app's shape and no app work.

Run by bench/load.py: `python bench/bare.py --port P [--async-mode gevent] [--redis URL]`.
It answers the same requests as the app, doing nothing with them:

- `GET /` and `GET /j/<code>`: a tiny page with a CSRF meta tag, and a session cookie;
- `POST /j/<code>/ballot` (and `/ideas`, `/join`): parses the JSON body, answers `{"ok": true}`;
- Socket.IO `join`: joins the rooms, answers a 1 KB state; `cmd`: acknowledged at once;
- a 1 KB snapshot to the screens of every joined workshop 4 times a second.

So the load generator measures HTTP command round trips and Socket.IO acknowledged round
trips of the framework itself, on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import sys

if __name__ == "__main__" and "--async-mode" in sys.argv and \
        sys.argv[sys.argv.index("--async-mode") + 1] == "gevent":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask, jsonify, make_response, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

STATE = {"phase": "vote", "title": "x" * 200, "ideas": [{"id": n, "text": "y" * 60}
                                                        for n in range(10)]}
SNAPSHOT = {**STATE, "voted": 0, "connected": 0}
PAGE = ('<!doctype html><html><head><meta name="csrf-token" content="bare-token">'
        '</head><body>bare</body></html>')


def build(async_mode: str, redis: str | None, channel: str) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bare"
    options = {"channel": channel} if redis else {}
    socketio = SocketIO(app, async_mode=async_mode, message_queue=redis, manage_session=False,
                        **options)
    codes: set[str] = set()

    @app.get("/")
    def home():
        return "ok"

    @app.get("/j/<code>")
    def page(code: str):
        answer = make_response(PAGE)
        answer.set_cookie("session", "bare-session-" + code, httponly=True)
        return answer

    @app.post("/j/<code>/<command>")
    def command(code: str, command: str):
        body = request.get_json(silent=True) or {}
        return jsonify({"ok": True, "client_id": body.get("client_id")})

    @socketio.on("join")
    def on_join(data):
        code = str((data or {}).get("code", ""))
        join_room(f"ws:{code}")
        if (data or {}).get("role") in ("screen", "facilitator"):
            join_room(f"ws:{code}:screens")
        codes.add(code)
        return {"ok": True, "state": STATE}

    @socketio.on("cmd")
    def on_cmd(data):
        return {"ok": True}

    def snapshots() -> None:
        while True:
            socketio.sleep(0.25)
            for code in list(codes):
                socketio.emit("screen_changed", SNAPSHOT, to=f"ws:{code}:screens")

    @app.before_request
    def start_snapshots():
        app.before_request_funcs[None].remove(start_snapshots)
        socketio.start_background_task(snapshots)

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", default="gevent", choices=["gevent", "threading"])
    parser.add_argument("--redis", default=None)
    parser.add_argument("--channel", default="bare")
    args = parser.parse_args()
    app, socketio = build(args.async_mode, args.redis, args.channel)
    if args.async_mode == "gevent":
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
        from workshop.serving import serve_gevent  # the same server set-up as the app's

        serve_gevent(app, "127.0.0.1", args.port)
    else:
        socketio.run(app, host="127.0.0.1", port=args.port, log_output=False,
                     allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
