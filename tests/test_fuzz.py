"""Fuzzing: hypothesis-generated payloads for every HTTP command and socket event.

Wrong types, huge and nested values, unicode (lone surrogates and NUL included), missing
and extra fields, non-JSON bodies, any content type. The answer is never a 500 and never
an unhandled exception (the test app propagates exceptions), and after every call the
workshop's invariants hold: one valid ballot per participant and round, at most one open
round and it is the current one in the vote phase, clean idea texts, views and exports
that still build.

WORKSHOP_FUZZ_EXAMPLES sets how many examples each test runs (default 100; the long run
in docs/reliability.md used 1500).
"""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import join_phone
from tests.factories import client_id
from tests.security_support import http_routes
from workshop import ops
from workshop.core import export
from workshop.core.export.day import report_json
from workshop.core.phases import Phase
from workshop.core.text import clean_text
from workshop.core.voting import get_method
from workshop.live.sockets import socketio
from workshop.ops.ideas import IDEA_STATUSES
from workshop.store import views
from workshop.store.db import session_for
from workshop.store.models import IDEA_MAX, TITLE_MAX, Ballot, Idea, Participant, Round, Workshop
from workshop.store.report import day_report

EXAMPLES = int(os.environ.get("WORKSHOP_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
GENEROUS = {name: "100000 per minute" for name in (
    "RATELIMIT_JOIN", "RATELIMIT_GUESS", "RATELIMIT_NEW_WORKSHOP", "RATELIMIT_IDEAS",
    "RATELIMIT_BALLOTS", "RATELIMIT_FACILITATOR", "RATELIMIT_EXPORT", "RATELIMIT_TICKET",
    "RATELIMIT_TICKET_ADDRESS")}

NASTY_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e\u2066", "🙂" * 50,
              "\r\n\t", "=1+1", "<script>alert(1)</script>", "9" * 400, "x" * 70_000,
              "é" * 281, "null", "true", "[]", "{}", "-1", "1e309", "NaN"]
scalars = (st.none() | st.booleans()
           | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.integers(min_value=-3, max_value=40)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=40)
           | st.sampled_from(NASTY_TEXT))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=6)
                      | st.dictionaries(st.text(max_size=8) | st.sampled_from(["1", "2", "3"]),
                                        inner, max_size=6), max_leaves=25)
FIELDS = ["text", "client_id", "ballot", "judgement", "title", "method", "dots",
          "max_per_option", "points", "max_approvals", "top", "pairs", "show_live", "show",
          "reveal", "idea", "into", "code", "left", "right", "choice", "dots-1", "dots-2",
          "approve-1", "rank-1", "rank-2", "points-1", "csrf_token", "ticket", "count",
          "require_ticket"]
field_dicts = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values,
                              max_size=8)
# Ballots shaped almost right, so that validation is exercised, not only parsing.
plausible = st.fixed_dictionaries({
    "client_id": st.sampled_from(["fuzz-client-01", "fuzz-client-02"]) | st.text(max_size=70),
    "ballot": (st.dictionaries(st.sampled_from(["1", "2", "3", "4", "99", "-1", "x"]),
                               st.integers(min_value=-2, max_value=12) | values, max_size=4)
               | st.lists(st.integers(min_value=-1, max_value=6) | values, max_size=5)),
    "judgement": st.lists(st.integers(min_value=0, max_value=5) | st.none() | values,
                          max_size=4)})
# A browser cannot put a lone surrogate in a form (it is not UTF-8): no such form fields.
FORM_TEXT = [t for t in NASTY_TEXT if not re.search("[\ud800-\udfff]", t)]
form_fields = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8),
                              st.text(max_size=30) | st.sampled_from(FORM_TEXT), max_size=8)
raw_bodies = st.binary(max_size=300) | st.sampled_from(
    [b"{", b"[" * 5000, b'{"a":' * 3000, b"\xff\xfe", b"\x00" * 10, b"null", b"1e999999",
     b'{"text": "\\ud800", "client_id": "aaaaaaaaaa"}'])
content_types = st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                 "multipart/form-data", "text/plain", "application/json; x",
                                 "", "application/json; charset=latin-1"])
bodies = st.one_of(
    st.tuples(st.just("json"), st.one_of(field_dicts, plausible, values)),
    st.tuples(st.just("form"), form_fields),
    st.tuples(st.just("raw"), st.tuples(raw_bodies, content_types)))


@pytest.fixture
def fuzz_app(app):
    app.config.update(GENEROUS)
    app.config["SOCKET_JOIN_PER_SOCKET"] = (10**6, 10**6)
    return app


def arrange(app) -> dict:
    """A workshop with ideas in every status, a phone that joined, and the facilitator."""
    with app.app_context(), session_for(app) as db:
        workshop, secret = ops.create_workshop(db, "Atelier fuzz")
        ops.open_ideas(db, workshop)
        author, _ = ops.join_workshop(db, workshop)
        for n in range(4):
            ops.add_idea(db, workshop, f"Idée {n}")
        ops.submit_idea(db, workshop, author, "En attente", client_id())
        code = workshop.code
    phone = app.test_client()
    join_phone(phone, code)
    return {"code": code, "secret": secret, "phone": phone,
            "facilitator": app.test_client(), "stranger": app.test_client()}


def scene_of(app) -> dict:
    """The one workshop every example of a test works on (built on the first)."""
    if "fuzz.scene" not in app.extensions:
        app.extensions["fuzz.scene"] = arrange(app)
    return app.extensions["fuzz.scene"]


def check_invariants(app) -> None:
    """What must hold whatever was sent."""
    with app.app_context(), session_for(app) as db:
        for workshop in db.scalars(select(Workshop)):
            assert 0 < len(workshop.title) <= TITLE_MAX
            assert workshop.phase in {p.value for p in Phase}
            rounds = db.scalars(select(Round).where(Round.workshop_id == workshop.id)).all()
            open_rounds = [r for r in rounds if r.status == "open"]
            assert len(open_rounds) <= 1
            if open_rounds:
                assert workshop.current_round_id == open_rounds[0].id
                assert workshop.phase == Phase.VOTE
            if workshop.phase == Phase.VOTE:
                assert open_rounds, "the vote phase needs an open round"
            ideas = {i.id: i for i in db.scalars(select(Idea).where(
                Idea.workshop_id == workshop.id))}
            for idea in ideas.values():
                assert 0 < len(idea.text) <= IDEA_MAX
                # Stored text is already clean: cleaning it again changes nothing (the
                # no-break spaces French puts before : ; ! ? stay as typed).
                assert clean_text(idea.text, IDEA_MAX, "idea") == idea.text
                assert not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff]", idea.text)
                assert idea.status in IDEA_STATUSES
                if idea.status == "merged":
                    assert idea.merged_into_id in ideas
            for vote in rounds:
                assert set(vote.options) <= set(ideas)
                method = get_method(vote.method)
                for ballot in views.round_ballots(db, vote):
                    content = views.ballot_for_tally(ballot.content)
                    if vote.method == "pairwise":
                        method.validate(content, vote.options, vote.settings)
                    else:
                        assert method.validate(content, vote.options, vote.settings) is not None
                    owner = db.get(Participant, ballot.participant_id)
                    assert owner.workshop_id == workshop.id
                views.tally_round(db, vote)
            views.facilitator_view(db, workshop, 0)
            report_json(day_report(db, workshop))
            export.render_ballots(views.export_ballots(db, workshop))
        pairs = db.execute(select(Ballot.round_id, Ballot.participant_id, func.count())
                           .group_by(Ballot.round_id, Ballot.participant_id)).all()
        assert all(count == 1 for _r, _p, count in pairs)


def send(client, method: str, url: str, body) -> int:
    kind, payload = body
    if method == "GET":
        answer = client.get(url, query_string={"lang": "en"})
    elif kind == "json":
        answer = client.post(url, data=json.dumps(payload), content_type="application/json",
                             headers={"Accept": "application/json"})
    elif kind == "form":
        answer = client.post(url, data=payload)
    else:
        raw, content_type = payload
        answer = client.post(url, data=raw, content_type=content_type or None)
    status = answer.status_code
    answer.close()
    return status


@FUZZ
@given(data=st.data())
def test_every_http_route_survives_any_payload(fuzz_app, data):
    scene = scene_of(fuzz_app)
    routes = sorted(http_routes(fuzz_app))
    route = data.draw(st.sampled_from(routes), label="route")
    method, path = route.split(" ", 1)
    who = data.draw(st.sampled_from(["phone", "facilitator", "stranger"]), label="who")
    url = (path.replace("<code>", data.draw(st.sampled_from(
        [scene["code"], scene["code"].lower(), "ZZZZZZ", "%00", "x" * 300]), label="code"))
        .replace("<secret>", scene["secret"] if who == "facilitator" else "y" * 43)
        .replace("<path:filename>", "css/app.css"))
    body = data.draw(bodies, label="body")
    status = send(fuzz_app.test_client() if who == "stranger" else scene[who], method, url,
                  body)
    assert status < 500, (route, body, status)
    check_invariants(fuzz_app)


@FUZZ
@given(data=st.data())
def test_facilitator_commands_in_any_order_keep_the_workshop_consistent(fuzz_app, data):
    """Random sequences of commands, ballots and ideas, with plausible and wrong values."""
    scene = scene_of(fuzz_app)
    base = f"/f/{scene['secret']}/do"
    commands = [r.split("/do/")[1] for r in http_routes(fuzz_app) if "/do/" in r]
    for _step in range(data.draw(st.integers(min_value=1, max_value=6), label="steps")):
        choice = data.draw(st.sampled_from([*commands, "ballot", "idea"]), label="what")
        if choice in ("ballot", "idea"):
            url = f"/j/{scene['code']}/{'ballot' if choice == 'ballot' else 'ideas'}"
            body = data.draw(st.one_of(st.tuples(st.just("json"), plausible), bodies))
            status = send(scene["phone"], "POST", url, body)
        else:
            fields = data.draw(st.one_of(
                st.fixed_dictionaries({}, optional={
                    "idea": st.integers(min_value=1, max_value=8),
                    "into": st.integers(min_value=1, max_value=8),
                    "method": st.sampled_from(["dots", "approval", "points", "ranking",
                                               "pairwise", "nope"]),
                    "dots": st.integers(min_value=0, max_value=6),
                    "pairs": st.integers(min_value=0, max_value=6),
                    "text": st.sampled_from(NASTY_TEXT) | st.text(max_size=20),
                    "title": st.sampled_from(NASTY_TEXT) | st.text(max_size=20),
                    "show": st.booleans(), "reveal": st.booleans()}),
                field_dicts), label="fields")
            status = send(scene["facilitator"], "POST", f"{base}/{choice}", ("json", fields))
        assert status < 500, (choice, status)
    check_invariants(fuzz_app)


EVENTS = ["join", "ballot", "disconnect", "connect", "message", "json", "close-round", "*", "",
          "x" * 300]


@FUZZ
@given(event=st.sampled_from(EVENTS) | st.text(max_size=20), payload=values | plausible
       | st.fixed_dictionaries({"client_id": st.just("fuzz-client-03"),
                                "fields": field_dicts}),
       extra=st.lists(values, max_size=2), role=st.sampled_from(
           ["phone", "screen", "facilitator", None, 1, "", "admin"]))
def test_every_socket_event_survives_any_payload(fuzz_app, event, payload, extra, role):
    scene = scene_of(fuzz_app)
    sio = socketio.test_client(fuzz_app, flask_test_client=scene["phone"])
    try:
        if event in ("connect", "disconnect"):
            event = "join"  # reserved names cannot be sent by a client
        sio.emit(event, payload, *extra)
        joined = sio.emit("join", {"code": scene["code"], "role": role, "secret": payload},
                          callback=True)
        assert isinstance(joined, dict) and "ok" in joined
        sio.emit("join", {"code": scene["code"], "role": "phone"}, callback=True)
        voted = sio.emit("ballot", payload, *extra, callback=True)
        assert isinstance(voted, dict) and "ok" in voted, voted
        sio.emit("join", {"code": payload, "role": "phone"}, callback=True)
    finally:
        if sio.is_connected():
            sio.disconnect()
    check_invariants(fuzz_app)
