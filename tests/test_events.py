"""Socket.IO: joining rooms, whole-state pushes, and nothing a phone can steer."""

from __future__ import annotations

import re

from flask import request
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from tests.conftest import join_phone
from tests.factories import client_id, ids_of, voting_workshop, workshop_with_ideas
from workshop import ops
from workshop.live.sockets import socketio
from workshop.store import lookups
from workshop.store.models import Ballot, Participant, Receipt
from workshop.web.flask_app import SOCKET_ENVIRON_KEY


def pushes(sio, name):
    """Return the payloads of one event a test socket received since last asked."""
    return [m["args"][0] for m in sio.get_received() if m["name"] == name]


def flush(app) -> None:
    app.extensions["workshop.broadcaster"].flush()


def test_phone_join_answers_the_whole_public_state(app, db, sockets):
    workshop, _secret, ideas = workshop_with_ideas(db)
    sio = sockets()
    answer = sio.emit("join", {"code": workshop.code.lower(), "role": "phone"}, callback=True)
    assert answer["ok"] is True
    state = answer["state"]
    assert state["phase"] == "lobby" and [i["text"] for i in state["ideas"]] == \
        [i.text for i in ideas]
    assert "all_ideas" not in state and "connected" not in state


def test_join_with_bad_payloads_is_refused(app, db, sockets):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    sio = sockets()
    for payload in (None, "x", [1], {"code": workshop.code}, {"code": "nope", "role": "phone"},
                    {"code": workshop.code, "role": "admin"},
                    {"code": {"$ne": 1}, "role": "phone"}):
        answer = sio.emit("join", payload, callback=True)
        assert answer["ok"] is False, payload


def test_phone_cannot_join_as_facilitator(app, db, sockets):
    workshop, secret, _ideas = workshop_with_ideas(db)
    _other, other_secret, _ = workshop_with_ideas(db, ("Ailleurs",))
    sio = sockets()
    for guess in (None, "", secret[:-1], other_secret, "A" * 43, 12):
        answer = sio.emit("join", {"code": workshop.code, "role": "facilitator",
                                   "secret": guess}, callback=True)
        assert answer == {"ok": False, "error": "forbidden"}, guess
    sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    sio.get_received()
    ops.open_ideas(db, workshop)
    flush(app)
    names = {m["name"] for m in sio.get_received()}
    assert names == {"workshop_changed"}


def test_socket_events_other_than_join_change_nothing(app, db, sockets):
    workshop, secret, ideas, vote = voting_workshop(db)
    sio = sockets()
    sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    for event in ("close_round", "close-round", "open_round", "reveal", "approve", "hide",
                  "edit", "merge", "open_ideas", "set_phase", "cast_ballot", "message"):
        sio.emit(event, {"code": workshop.code, "secret": secret, "idea": ideas[0].id,
                         "reveal": True})
    db.expire_all()
    db.rollback()
    current = lookups.find_workshop(db, workshop.code)
    assert current.phase == "vote"
    assert db.get(type(vote), vote.id).status == "open"


def test_pushes_are_coalesced_and_carry_the_whole_state(app, db, sockets, client):
    workshop, secret = ops.create_workshop(db, "Atelier")
    join_phone(client, workshop.code)  # a participant's phone: it counts as connected
    phone, screen, facilitator = sockets(client), sockets(), sockets()
    phone.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    screen.emit("join", {"code": workshop.code, "role": "screen"}, callback=True)
    answer = facilitator.emit("join", {"code": workshop.code, "role": "facilitator",
                                       "secret": secret}, callback=True)
    assert answer["ok"] and answer["state"]["connected"] == 1
    flush(app)
    for sio in (phone, screen, facilitator):
        sio.get_received()
    ops.open_ideas(db, workshop)
    for n in range(5):
        ops.add_idea(db, workshop, f"Idée {n}")
    flush(app)
    phone_pushes = pushes(phone, "workshop_changed")
    assert len(phone_pushes) == 1  # six changes, one push
    assert phone_pushes[0]["phase"] == "ideas" and len(phone_pushes[0]["ideas"]) == 5
    screen_pushes = pushes(screen, "screen_changed")
    assert len(screen_pushes) == 1 and screen_pushes[0]["connected"] == 1
    facilitator_pushes = pushes(facilitator, "facilitator_changed")
    assert len(facilitator_pushes) == 1
    assert facilitator_pushes[0]["idea_counts"] == {"pending": 0, "approved": 5, "hidden": 0,
                                                    "merged": 0}
    # Nothing changed: nothing is pushed again.
    app.extensions["workshop.broadcaster"].mark(workshop.code)
    flush(app)
    assert phone.get_received() == [] and screen.get_received() == []


def test_pushes_carry_each_audience_panel_rendered_once_per_workshop(app, db, sockets,
                                                                   client, monkeypatch):
    """Phones and facilitators are pushed the HTML their page swaps in, in their page's
    language, rendered once per workshop, view and language whatever the sockets; the
    phone's has nobody's own things, the facilitator's no secret and no CSRF token."""
    from workshop.web import pushed

    workshop, secret = ops.create_workshop(db, "Atelier")
    join_phone(client, workshop.code)
    broadcaster = app.extensions["workshop.broadcaster"]
    renders = []
    for audience, render in list(broadcaster.renderers.items()):
        monkeypatch.setitem(broadcaster.renderers, audience, lambda *a, _r=render, _n=audience:
                            renders.append((_n, a[2])) or _r(*a))
    phones = [sockets(client) for _ in range(3)]
    for sio in phones:
        sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    english = sockets()
    english.emit("join", {"code": workshop.code, "role": "phone", "lang": "en"},
                 callback=True)
    facilitator = sockets()
    facilitator.emit("join", {"code": workshop.code, "role": "facilitator",
                              "secret": secret}, callback=True)
    flush(app)
    for sio in (*phones, english, facilitator):
        sio.get_received()
    renders.clear()
    ops.open_ideas(db, workshop)
    ops.add_idea(db, workshop, "Des <b>cuisines</b> collectives")
    ops.issue_tickets(db, workshop, 2)
    flush(app)
    assert sorted(renders) == [("ws:{code}", "en"), ("ws:{code}", "fr"),
                               ("ws:{code}:facilitators", "fr")]
    french = [pushes(sio, "workshop_changed") for sio in phones]
    assert all(len(p) == 1 for p in french) and french[0] == french[1] == french[2]
    push = french[0][0]
    assert push["phase"] == "ideas"
    assert 'id="idea-form"' in push["panel"] and "Proposez" in push["panel"]
    assert "Des &lt;b&gt;cuisines&lt;/b&gt; collectives" in push["panel"]
    assert 'data-live="mine" hidden' in push["panel"]  # nobody's own ideas
    assert 'name="csrf_token" value=""' in push["panel"]  # each page puts its own
    assert 'name="client_id" value=""' in push["panel"]
    assert 'id="ticket-form"' in push["panel"]  # tickets issued: the holder's variant too
    assert 'id="ticket-form"' not in push["panel_ticket"]
    assert "Propose a priority" in pushes(english, "workshop_changed")[0]["panel"]
    panel = pushes(facilitator, "facilitator_changed")[0]
    assert f"/f/{pushed.SECRET_PLACEHOLDER}/do/approve" in panel["panel"] or \
        f"/f/{pushed.SECRET_PLACEHOLDER}/do/hide" in panel["panel"]
    assert panel["secret_placeholder"] == pushed.SECRET_PLACEHOLDER
    assert secret not in panel["panel"] and 'name="csrf_token" value=""' in panel["panel"]


def test_ballots_update_screens_but_do_not_push_to_phones(app, db, sockets):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    phone, screen = sockets(), sockets()
    phone.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    screen.emit("join", {"code": workshop.code, "role": "screen"}, callback=True)
    flush(app)
    phone.get_received()
    screen.get_received()
    for n in range(3):
        person, _ = ops.join_workshop(db, workshop)
        ops.cast_ballot(db, ids_of(workshop, person), {ideas[n].id: 1}, client_id())
    flush(app)
    assert pushes(phone, "workshop_changed") == []
    [snapshot] = pushes(screen, "screen_changed")
    assert snapshot["voted"] == 3
    assert sorted(r["score"] for r in snapshot["results"]["ranking"]) == [1, 1, 1]


def test_hidden_totals_never_reach_screens_or_phones(app, db, sockets):
    workshop, secret, ideas, _vote = voting_workshop(db)
    ops.show_live_results(db, workshop, False)
    phone, screen = sockets(), sockets()
    phone.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    screen.emit("join", {"code": workshop.code, "role": "screen"}, callback=True)
    person, _ = ops.join_workshop(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, person), {ideas[0].id: 1}, client_id())
    flush(app)
    received = phone.get_received() + screen.get_received()
    assert received and all(m["args"][0]["results"] is None for m in received)


def test_disconnect_lowers_the_connected_count(app, db, sockets):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    broadcaster = app.extensions["workshop.broadcaster"]
    phones = []
    for _n in range(3):  # three participants (sockets without one count for nobody)
        browser = app.test_client()
        join_phone(browser, workshop.code)
        phones.append(sockets(browser))
    for sio in phones:
        sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    assert broadcaster.connected_phones(workshop.code) == 3
    phones[0].disconnect()
    assert broadcaster.connected_phones(workshop.code) == 2


def test_a_ballot_over_the_socket_counts_once_even_when_posted_again(app, db, sockets,
                                                                     client):
    """The phone's socket sends its ballot; the answer is lost, so the page posts the same
    form (same client id) over HTTP: one ballot, one receipt, and the second answer says
    it was a duplicate. Form fields and JSON ballots are both read."""
    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=2)
    join_phone(client, workshop.code)
    sio = sockets(client)
    assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    same = client_id()
    fields = {"client_id": same, f"dots-{ideas[0].id}": "2", f"dots-{ideas[1].id}": "1"}
    first = sio.emit("ballot", {"client_id": same, "fields": fields}, callback=True)
    assert first == {"ok": True, "round": vote.id,
                     "ballot": {str(ideas[0].id): 2, str(ideas[1].id): 1}}
    again = client.post(f"/j/{workshop.code}/ballot", json={
        "client_id": same, "ballot": {str(ideas[0].id): 2, str(ideas[1].id): 1}})
    assert again.get_json()["duplicate"] is True
    changed = sio.emit("ballot", {"client_id": client_id(),
                                  "ballot": {str(ideas[2].id): 3}}, callback=True)
    assert changed["ok"] is False and changed["error"] == "bad_ballot"  # over the cap of 2
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.scalar(select(func.count()).select_from(Receipt)
                     .where(Receipt.client_id == same)) == 1


def test_socket_ballots_are_refused_to_strangers_and_throttled(app, db, sockets, client):
    from workshop.guard.socket_throttles import SocketThrottle

    app.extensions["workshop.socket_throttles"]["ballots"] = SocketThrottle(3, 0.001)
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=3, cap=1)
    stranger = sockets()  # never opened the phone page: no participant
    stranger.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    refused = stranger.emit("ballot", {"client_id": client_id(),
                                       "ballot": {str(ideas[0].id): 1}}, callback=True)
    assert refused["ok"] is False and refused["error"] == "not_joined"
    join_phone(client, workshop.code)
    phone = sockets(client)
    phone.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    answers = [phone.emit("ballot", {"client_id": client_id(),
                                     "ballot": {str(ideas[n % 3].id): 1}}, callback=True)
               for n in range(5)]
    assert [a["ok"] for a in answers] == [True, True, True, False, False]
    assert answers[-1]["error"] == "rate_limited" and answers[-1]["retry_after"] >= 1


def test_socket_events_skip_url_matching_while_pages_are_still_routed(app, db, sockets,
                                                                       client, monkeypatch):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    bound = []
    bind = app.url_map.bind_to_environ
    monkeypatch.setattr(app.url_map, "bind_to_environ",
                        lambda *args, **kwargs: bound.append(args) or bind(*args, **kwargs))
    sio = sockets()
    # The first join renders the panel a phone's pushes carry (once per workshop and view,
    # in a request context of its own: workshop/web/pushed.py); the next ones reuse it.
    assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    bound.clear()  # the real connect is matched once, before it marks its connection
    assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    assert sio.emit("ballot", {"client_id": client_id(), "ballot": {}}, callback=True)
    assert bound == []  # no event built a URL adapter
    environ = socketio.server.environ[sio.eio_sid]
    assert environ[SOCKET_ENVIRON_KEY] is True  # marked by the connect handler
    with app.request_context(environ):  # how Flask-SocketIO runs each of its events
        assert request.url_rule is None and request.routing_exception is None
    with app.test_request_context("/socket.io/"):  # an unmarked environ is matched
        assert isinstance(request.routing_exception, NotFound)
    assert client.get(f"/j/{workshop.code}").status_code == 200
    assert bound  # pages are matched
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/socket.io").status_code == 404


def test_a_scripted_phone_posts_the_join_then_votes_over_its_socket(app, db, sockets):
    """What phone.js does: the page makes nobody; the join POST (with the page's CSRF token)
    sets the cookie the socket's handshake then carries, so its ballot counts as that
    participant. A socket opened before the join votes as nobody."""
    app.config["WTF_CSRF_ENABLED"] = True
    workshop, _secret, ideas, vote = voting_workshop(db)
    browser = app.test_client()
    page = browser.get(f"/j/{workshop.code}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    too_early = sockets(browser)
    assert too_early.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    assert too_early.emit("ballot", {"client_id": client_id(), "ballot": {}},
                          callback=True)["error"] == "not_joined"
    assert browser.post(f"/j/{workshop.code}/join",
                        headers={"Accept": "application/json"}).status_code == 400  # no token
    joined = browser.post(f"/j/{workshop.code}/join",
                          headers={"Accept": "application/json", "X-CSRFToken": token})
    assert joined.get_json() == {"ok": True, "joined": True}
    sio = sockets(browser)
    assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    answer = sio.emit("ballot", {"client_id": client_id(), "ballot": {str(ideas[1].id): 1}},
                      callback=True)
    assert answer == {"ok": True, "round": vote.id, "ballot": {str(ideas[1].id): 1}}
    db.rollback()
    assert db.scalar(select(func.count(Participant.id))) == 1
    assert browser.get(f"/j/{workshop.code}/state").get_json()["ballot"] == \
        {str(ideas[1].id): 1}
