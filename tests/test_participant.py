"""The phone's HTTP pages and commands, as plain forms and as JSON."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import join_phone
from tests.factories import client_id, voting_workshop, workshop_with_ideas
from workshop import ops
from workshop.store import lookups
from workshop.store.models import Ballot, Participant, Workshop

JSON = {"Accept": "application/json"}


def test_home_page_offers_join_and_create(client):
    page = client.get("/").get_data(as_text=True)
    assert 'action="/join"' in page and 'href="/new"' in page


def test_typed_code_is_normalised_and_unknown_code_is_explained(client, db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    typed = workshop.code.lower()[:3] + " " + workshop.code.lower()[3:]
    answer = client.post("/join", data={"code": typed})
    assert answer.status_code == 302 and answer.headers["Location"] == f"/j/{workshop.code}"
    answer = client.post("/join", data={"code": "ZZZZZZ"})
    assert answer.status_code == 404  # the refusal is the page: no redirect, no cookie
    assert 'class="flash flash-error"' in answer.get_data(as_text=True)
    assert 'href="/"' in answer.get_data(as_text=True)


def participants(db) -> int:
    db.rollback()
    return db.scalar(select(func.count(Participant.id)))


def test_opening_the_phone_pages_makes_nobody_a_participant(client, db):
    """A link preview, a crawler or a curious look: GETs render the room and write nothing."""
    workshop, _secret, ideas = workshop_with_ideas(db)
    ops.open_ideas(db, workshop)
    code = workshop.code
    for phase in ("ideas", "vote"):
        if phase == "vote":
            ops.open_round(db, workshop, settings={"dots": 3, "max_per_option": 1})
        for url in (f"/j/{code}", f"/j/{code}/panel", f"/j/{code}/state"):
            before = participants(db)
            answer = client.get(url)
            assert answer.status_code == 200, url
            assert participants(db) == before == 0, f"GET {url} in {phase} made a participant"
        page = client.get(f"/j/{code}").get_data(as_text=True)
        assert 'data-joined="false"' in page  # phone.js posts the join before its socket
    # The anonymous viewer sees the room, with nothing of its own.
    state = client.get(f"/j/{code}/state").json
    assert state["phase"] == "vote" and [i["text"] for i in state["ideas"]] == \
        [i.text for i in ideas]
    assert (state["mine"], state["ballot"], state["has_ticket"]) == ([], None, False)
    assert f'name="dots-{ideas[0].id}"' in client.get(f"/j/{code}").get_data(as_text=True)
    assert client.get("/j/ZZZZZZ").status_code == 404


def test_joining_is_a_post_made_once_per_browser(client, db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    url = f"/j/{workshop.code}/join"
    assert client.post(url, headers=JSON).json == {"ok": True, "joined": True}
    assert client.post(url, headers=JSON).json == {"ok": True, "joined": True}
    assert participants(db) == 1
    assert 'data-joined="true"' in client.get(f"/j/{workshop.code}").get_data(as_text=True)
    # A plain form comes back to the phone page; an unknown code joins nothing.
    other = client.application.test_client()
    answer = other.post(f"/j/{workshop.code.lower()}/join")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/j/{workshop.code.lower()}"
    assert participants(db) == 2
    assert other.post("/j/ZZZZZZ/join", headers=JSON).status_code == 404
    assert participants(db) == 2


def test_idea_form_without_javascript_redirects_with_confirmation(client, db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    join_phone(client, workshop.code)
    page = client.post(f"/j/{workshop.code}/ideas",
                       data={"text": "Des logements", "client_id": client_id()},
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-ok" in page and "Des logements" in page


def test_ballot_as_plain_form_is_recorded_and_shown_back(client, db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=2)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    cid = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    form = {f"dots-{ideas[0].id}": "2", f"dots-{ideas[1].id}": "1", "client_id": cid}
    assert client.post(f"/j/{workshop.code}/ballot", data=form).status_code == 302
    # The same form posted again (a double tap, a refresh) is not a second ballot.
    assert client.post(f"/j/{workshop.code}/ballot", data=form).status_code == 302
    stored = db.scalars(select(Ballot)).all()
    assert len(stored) == 1
    assert stored[0].content == {str(ideas[0].id): 2, str(ideas[1].id): 1}
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert f'name="dots-{ideas[0].id}" value="2"' in page


def test_a_plain_form_ballot_is_confirmed_once(client, db):
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=3, cap=2)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    cid = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    form = {f"dots-{ideas[0].id}": "2", "client_id": cid}
    back = client.post(f"/j/{workshop.code}/ballot", data=form, follow_redirects=True)
    said = 'flash-ok" role="status">Votre vote est enregistré'
    assert back.get_data(as_text=True).count(said) == 1
    assert "flashes" not in back.get_data(as_text=True)


def test_a_refused_plain_form_ballot_keeps_what_was_typed(client, db):
    """Without script, an over-budget ballot comes back as typed, with the reason above
    it: the person corrects a number instead of typing everything again."""
    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    cid = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    form = {f"dots-{ideas[0].id}": "3", f"dots-{ideas[1].id}": "2", "client_id": cid}
    answer = client.post(f"/j/{workshop.code}/ballot", data=form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'role="alert"' in html and "flash-ok" not in html
    assert f'name="dots-{ideas[0].id}" value="3"' in html
    assert f'name="dots-{ideas[1].id}" value="2"' in html
    assert db.scalar(select(func.count(Ballot.id))) == 0
    ops.close_round(db, workshop)
    closed = client.post(f"/j/{workshop.code}/ballot", data=form)
    assert closed.status_code == 409 and "flash-error" in closed.get_data(as_text=True)


def test_ballot_as_json_gets_its_acknowledgement_after_commit(client, db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    join_phone(client, workshop.code)
    cid = client_id()
    body = {"client_id": cid, "ballot": {str(ideas[2].id): 1}}
    answer = client.post(f"/j/{workshop.code}/ballot", json=body)
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "round": vote.id, "ballot": {str(ideas[2].id): 1}}
    again = client.post(f"/j/{workshop.code}/ballot", json=body)
    assert again.json["duplicate"] is True


def test_bad_ballot_payloads_get_clear_errors_and_change_nothing(client, db):
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=2)
    join_phone(client, workshop.code)
    url = f"/j/{workshop.code}/ballot"
    cases = [
        {"client_id": client_id(), "ballot": {str(ideas[0].id): 1, str(ideas[1].id): 1,
                                              str(ideas[2].id): 1}},
        {"client_id": client_id(), "ballot": {"999": 1}},
        {"client_id": client_id(), "ballot": {str(ideas[0].id): -1}},
        {"client_id": client_id(), "ballot": {str(ideas[0].id): "1"}},
        {"client_id": client_id(), "ballot": [1, 2]},
        {"client_id": client_id()},
        {"client_id": 12345678, "ballot": {str(ideas[0].id): 1}},
        ["not", "an", "object"],
    ]
    for body in cases:
        answer = client.post(url, json=body)
        assert answer.status_code == 400, body
        assert answer.json["ok"] is False and answer.json["message"], body
    assert client.post(url, data={"dots-x": "1", "client_id": client_id()},
                       headers=JSON).status_code == 400
    assert client.post(url, data={f"dots-{ideas[0].id}": "9" * 20, "client_id": client_id()},
                       headers=JSON).status_code == 400
    assert db.scalar(select(func.count(Ballot.id))) == 0


def test_a_first_command_joins_the_browser_then_carries_out(client, db, app):
    workshop, _secret, ideas, vote = voting_workshop(db)
    stranger = app.test_client()
    answer = stranger.post(f"/j/{workshop.code}/ballot",
                           json={"client_id": client_id(), "ballot": {str(ideas[0].id): 1}})
    assert answer.json == {"ok": True, "round": vote.id, "ballot": {str(ideas[0].id): 1}}
    assert participants(db) == 1
    assert stranger.get(f"/j/{workshop.code}/state").json["ballot"] == {str(ideas[0].id): 1}
    assert stranger.post("/j/ZZZZZZ/ballot", json={"client_id": client_id(), "ballot": {}}
                         ).status_code == 404
    assert participants(db) == 1


def test_state_json_resyncs_a_phone_with_its_own_ballot(client, db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    join_phone(client, workshop.code)
    client.post(f"/j/{workshop.code}/ballot",
                json={"client_id": client_id(), "ballot": {str(ideas[0].id): 1}})
    state = client.get(f"/j/{workshop.code}/state").json
    assert state["phase"] == "vote" and state["round"]["id"] == vote.id
    assert state["ballot"] == {str(ideas[0].id): 1}
    assert state["results"] is None


def test_state_changing_routes_require_a_csrf_token(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    workshop, secret, _ideas = workshop_with_ideas(db)
    browser = app.test_client()
    page = browser.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert browser.post("/new", data={"title": "x"}, headers=JSON).status_code == 400
    assert browser.post("/new", data={"title": "x"}).status_code == 400  # a page saying why
    db.rollback()
    assert db.scalar(select(func.count(Workshop.id))) == 1
    assert browser.post(f"/f/{secret}/do/open-ideas", headers=JSON).status_code == 400
    assert lookups.find_workshop(db, workshop.code).phase == "lobby"
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = browser.post(f"/f/{secret}/do/open-ideas", headers={**JSON, "X-CSRFToken": token})
    assert answer.status_code == 200


def test_pages_send_a_strict_content_security_policy(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    for url in ("/", f"/j/{workshop.code}", f"/s/{workshop.code}", f"/f/{secret}"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"


def test_participant_text_is_escaped_on_every_page(client, db):
    workshop, secret = ops.create_workshop(db, "<b>Atelier</b>")
    ops.add_idea(db, workshop, '<script>alert("x")</script>')
    ops.open_ideas(db, workshop)
    for url in (f"/j/{workshop.code}", f"/s/{workshop.code}", f"/f/{secret}"):
        page = client.get(url).get_data(as_text=True)
        assert '<script>alert("x")</script>' not in page
        assert "<b>Atelier</b>" not in page
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_request_size_is_capped(client, db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    join_phone(client, workshop.code)
    answer = client.post(f"/j/{workshop.code}/ideas", data={"text": "x" * 100_000,
                                                            "client_id": client_id()},
                         headers=JSON)
    assert answer.status_code == 413
