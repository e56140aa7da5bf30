"""Socket.IO handlers: `connect`, `join`, a phone's `ballot`, `disconnect`; the rest is pushed.

Edge layer. Commands travel over HTTP (see docs/protocol.md), except a phone's ballot,
which may also come over the phone's own socket: a hall votes within seconds, and a
socket event skips the HTTP request, cookie and CSRF work a socket did once at connect
(docs/performance.md). A socket acts only as the participant its connect-time cookie
names, in the workshop it joined as a phone; nothing a socket sends can act as the
facilitator. Unknown events are ignored.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_socketio import join_room

from workshop import ops
from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.core.fields import UnreadBallot
from workshop.live.broadcast import (
    FACILITATORS,
    MODERATORS,
    PHONES,
    SCREENS,
    Broadcaster,
    author_room,
    room,
    server_now,
)
from workshop.live.sockets import socketio
from workshop.store import lookups, views
from workshop.store.db import session_for
from workshop.web.flask_app import mark_socket_environ

# sid -> the participant of sockets joined as a phone of a workshop their browser joined
# (found once, at join: a participant's ids never change); per process, as a socket lives
# on one process.
_phones: dict[str, lookups.ParticipantIds] = {}


def _broadcaster() -> Broadcaster:
    return current_app.extensions["workshop.broadcaster"]


def _sent_as_event() -> bool:
    """Say whether "connect" or "disconnect" came from the client as an ordinary event.

    python-socketio passes such events on to the handlers of the real ones. During a real
    connect the socket is still connecting, and during a real disconnect already leaving:
    only an event sent on an established connection finds it connected.
    """
    return bool(socketio.server.manager.is_connected(
        request.sid, request.namespace))  # type: ignore[attr-defined]


def _ignore_sent_event() -> None:
    from workshop.guard.socket_throttles import count_unknown_event

    count_unknown_event(current_app, socketio.server, request.sid)  # type: ignore[attr-defined]


@socketio.on("connect")
def on_connect(*_args: Any) -> None:
    """Accept any socket (joining is what checks who it is); mark its connection so that
    its events skip Flask's URL matching (workshop/web/flask_app.py)."""
    if _sent_as_event():
        _ignore_sent_event()
        return
    mark_socket_environ(request.environ)


@socketio.on("join")
def on_join(data: Any, *_extra: Any) -> dict[str, Any]:
    """Sent by every page on each (re)connect: {code, role, secret?}; answers the state.

    role is "phone", "screen", "facilitator" or "moderator"; a facilitator presents the
    secret of its link (the workshop's own or a co-facilitator's), a moderator its
    moderator link's. The answer carries the audience's whole current state, so a phone
    that reconnects is back in sync at once (with its own ideas' statuses, `own_ideas`).
    """
    from workshop.guard.socket_throttles import check_socket_join

    refusal = check_socket_join(data)  # joins too often, or too many unknown codes
    if refusal is not None:
        return refusal
    if not isinstance(data, dict):
        return {"ok": False, "error": "bad_request"}
    role = data.get("role")
    code = tokens.normalise_code(data.get("code"))
    if role not in ("phone", "screen", "facilitator", "moderator") or code is None:
        return {"ok": False, "error": "bad_request"}
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    voter = None
    own_ideas: list[dict[str, Any]] = []
    with session_for(app) as db:
        workshop = lookups.find_workshop(db, code)
        if workshop is None:
            return {"ok": False, "error": "workshop_not_found"}
        if role == "phone":
            voter = lookups.find_participant_ids(
                db, code, session.get("participants", {}).get(code))
            if voter is not None:
                own_ideas = lookups.own_idea_statuses(db, voter.participant_id)
        if role in ("facilitator", "moderator"):
            found = lookups.find_facilitator_link(db, data.get("secret"))
            link = found[1] if found is not None and found[0].id == workshop.id else None
            allowed = ("facilitator", "cofacilitator") if role == "facilitator" \
                else ("moderator",)
            if link not in allowed:
                return {"ok": False, "error": "forbidden"}
    broadcaster = _broadcaster()
    broadcaster.start()
    lang = _language(data.get("lang"))
    if role == "phone":  # the pushes carry the panel in the page's language
        join_room(room(PHONES, code, lang))
    if role in ("screen", "facilitator"):
        join_room(room(SCREENS, code))
    if role == "facilitator":
        join_room(room(FACILITATORS, code, lang))
    if role == "moderator":
        join_room(room(MODERATORS, code, lang))
    if voter is not None:  # told of its own ideas' statuses (broadcast.tell_authors)
        join_room(author_room(code, voter.participant_id))
    # Counted as connected only as a participant: a socket is not a person.
    broadcaster.arrive(code, request.sid, role,  # type: ignore[attr-defined]
                       voter.participant_id if voter is not None else None)
    if voter is not None:
        _phones[request.sid] = voter  # type: ignore[attr-defined]
    else:
        _phones.pop(request.sid, None)  # type: ignore[attr-defined]
    state = broadcaster.view(code, role)
    audience = {"phone": PHONES, "facilitator": FACILITATORS,
                "moderator": MODERATORS}.get(role)
    if state is not None and audience is not None:  # with the panel, as a push
        state = {**state, **broadcaster.parts(code, audience, lang, state)}
    if state is not None and voter is not None:
        state = {**state, "own_ideas": own_ideas}
    if state is not None:  # the server's clock, as every push carries it
        state = {**state, "now": server_now()}
    return {"ok": True, "state": state}


def _language(asked: Any) -> str:
    """The language of the joining page (`lang`), else of its session, else the default."""
    languages = current_app.config["LANGUAGES"]
    if asked in languages:
        return asked
    remembered = session.get("lang")
    return remembered if remembered in languages else \
        current_app.config["BABEL_DEFAULT_LOCALE"]


@socketio.on("ballot")
def on_ballot(data: Any, *_extra: Any) -> dict[str, Any]:
    """A phone's ballot over its socket: {client_id, fields} (the ballot form's fields) or
    {client_id, ballot | judgement} (as JSON over HTTP); answers as POST /j/<code>/ballot.

    Only a socket that joined as a phone of a workshop its browser had joined may vote,
    as that participant, in that workshop. The same verb, checks and group commit as over
    HTTP, and the answer only after the commit; a re-send with the same client id, over
    either path, counts once.
    """
    from workshop.guard.socket_throttles import socket_ballot_wait
    from workshop.web.answers import refusal_body

    voter = _phones.get(request.sid)  # type: ignore[attr-defined]
    try:
        if voter is None:
            raise Refused("not_joined", 403)
        wait = socket_ballot_wait(voter.participant_id)
        if wait:
            raise Refused("rate_limited", 429, seconds=wait)
        if not isinstance(data, dict):
            raise Refused("bad_request")
        fields = data.get("fields")
        # Read by the rules of the round it is cast in, inside the write transaction.
        ballot = (UnreadBallot(fields, form=True) if isinstance(fields, dict)
                  else UnreadBallot(data, form=False))
        # No session: the writer needs none (the event's teardown closes one if made).
        return ops.cast_ballot(None, voter, ballot, data.get("client_id"))
    except Refused as error:
        answer = refusal_body(error)
        if error.code == "rate_limited":
            answer["retry_after"] = error.params["seconds"]
        return answer


@socketio.on("step")
def on_step(*_args: Any) -> dict[str, Any]:
    """A phone asks the step it is shown next in the current stepwise round (a pairwise
    round: its next pair), as the panel a push carries is the same for every phone:
    answers {ok, round, pair: [left, right] | null, texts: [left's, right's], judged}.

    Only for a socket joined as a phone of a workshop its browser had joined; counted
    with its ballots (a phone asks once per judgement).
    """
    from workshop.guard.socket_throttles import socket_ballot_wait
    from workshop.web.answers import refusal_body

    voter = _phones.get(request.sid)  # type: ignore[attr-defined]
    try:
        if voter is None:
            raise Refused("not_joined", 403)
        wait = socket_ballot_wait(voter.participant_id)
        if wait:
            raise Refused("rate_limited", 429, seconds=wait)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        with session_for(app) as db:
            workshop = lookups.find_workshop(db, voter.code)
            vote = views.current_round(db, workshop) if workshop is not None else None
            if vote is None or vote.status != "open":
                raise Refused("round_closed", 409)
            pair = views.next_step_for(db, vote, voter.participant_id)
            judged = len(views.own_ballot(db, vote, voter.participant_id) or [])
            texts = views.idea_texts(db, list(pair)) if pair else {}
            return {"ok": True, "round": vote.id, "judged": judged,
                    "pair": list(pair) if pair else None,
                    "texts": [texts.get(option, "") for option in pair] if pair else []}
    except Refused as error:
        answer = refusal_body(error)
        if error.code == "rate_limited":
            answer["retry_after"] = error.params["seconds"]
        return answer


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Stop counting a socket that went away."""
    if _sent_as_event():  # a client saying "disconnect" has not gone away
        _ignore_sent_event()
        return
    _phones.pop(request.sid, None)  # type: ignore[attr-defined]
    _broadcaster().leave(request.sid)  # type: ignore[attr-defined]
