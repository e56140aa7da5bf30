"""The phone's HTTP pages and commands, as plain forms and as JSON."""

from __future__ import annotations

import re

from sqlalchemy import func, select

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
    answer = client.post("/join", data={"code": "ZZZZZZ"}, follow_redirects=True)
    assert answer.status_code == 200
    assert 'class="flash flash-error"' in answer.get_data(as_text=True)


def test_phone_joins_without_account_once_per_browser(client, db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    assert client.get(f"/j/{workshop.code}").status_code == 200
    assert client.get(f"/j/{workshop.code}").status_code == 200
    db.rollback()
    assert db.scalar(select(func.count(Participant.id))) == 1
    assert client.get("/j/ZZZZZZ").status_code == 404


def test_idea_form_without_javascript_redirects_with_confirmation(client, db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    client.get(f"/j/{workshop.code}")
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


def test_ballot_as_json_gets_its_acknowledgement_after_commit(client, db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    client.get(f"/j/{workshop.code}")
    cid = client_id()
    body = {"client_id": cid, "ballot": {str(ideas[2].id): 1}}
    answer = client.post(f"/j/{workshop.code}/ballot", json=body)
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "round": vote.id, "ballot": {str(ideas[2].id): 1}}
    again = client.post(f"/j/{workshop.code}/ballot", json=body)
    assert again.json["duplicate"] is True


def test_bad_ballot_payloads_get_clear_errors_and_change_nothing(client, db):
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=2)
    client.get(f"/j/{workshop.code}")
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


def test_commands_need_a_joined_browser(client, db, app):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    stranger = app.test_client()
    answer = stranger.post(f"/j/{workshop.code}/ballot",
                           json={"client_id": client_id(), "ballot": {str(ideas[0].id): 1}})
    assert answer.status_code == 403 and answer.json["error"] == "not_joined"


def test_state_json_resyncs_a_phone_with_its_own_ballot(client, db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    client.get(f"/j/{workshop.code}")
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
    assert browser.post("/new", data={"title": "x"}).status_code == 302  # back, with a message
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
    client.get(f"/j/{workshop.code}")
    answer = client.post(f"/j/{workshop.code}/ideas", data={"text": "x" * 100_000,
                                                            "client_id": client_id()},
                         headers=JSON)
    assert answer.status_code == 413
