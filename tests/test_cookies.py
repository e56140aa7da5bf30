"""The session cookie is a phone's identity: a refused request never sets or changes it, and
an https public address makes it Secure.

A page on another site can make a phone's browser post to us (an auto-submitted form).
SameSite=Lax keeps the phone's cookie out of that request, so the server sees a browser with
no session; if the refusal then answered with Set-Cookie (a flashed message, a CSRF token
drawn for the error page), the browser would replace the phone's real cookie with that
empty session, and the phone would lose its participant and its paper ticket. So: an
answer with a status of 400 or more never carries Set-Cookie, whatever the route.
"""

from __future__ import annotations

import re

import pytest
from flask import g

from tests.conftest import join_phone
from tests.factories import client_id, voting_workshop
from tests.security_support import arrange, http_routes, url_for_role
from workshop import create_app, ops

JSON = {"Accept": "application/json"}


def set_cookies(answer) -> list[str]:
    return answer.headers.getlist("Set-Cookie")


def test_every_post_route_refused_for_csrf_sets_no_cookie(app, db):
    """Every POST route from the url_map, as a foreign page would send it: no cookie at all
    (SameSite kept it home), a form or JSON, with and without a foreign Origin; and as the
    phone itself with a forged token. Refused, and no Set-Cookie."""
    scene = arrange(app, db)
    app.config["WTF_CSRF_ENABLED"] = True
    routes = sorted(r for r in http_routes(app) if r.startswith("POST "))
    assert len(routes) > 20  # the phone's commands and every facilitator command
    phone = scene.browsers["participant"]
    before = phone.get_cookie("session").value
    for route in routes:
        url = url_for_role(route, scene, "facilitator")
        for accept in ({}, JSON):
            for origin in ({}, {"Origin": "http://evil.example"}):
                g.pop("csrf_token", None)
                foreign = app.test_client()  # what the foreign page's request carries
                answer = foreign.post(url, data={"code": scene.w.code, "text": "x"},
                                      headers={**accept, **origin})
                assert answer.status_code == 400, (route, accept, origin)
                assert set_cookies(answer) == [], (route, accept, origin)
            g.pop("csrf_token", None)
            answer = phone.post(url, data={"text": "x"},
                                headers={"X-CSRFToken": "forged", **accept})
            assert answer.status_code == 400 and set_cookies(answer) == [], route
    assert phone.get_cookie("session").value == before


def test_a_cross_site_join_leaves_the_phone_its_participant_and_ticket(app, db):
    """The reported attack end to end: the phone joined and holds a ticket; a foreign page
    auto-submits a form to /join (and to the phone's own join); the phone keeps both."""
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=1, cap=1)
    code = ops.issue_tickets(db, workshop, 1)[0]
    phone = app.test_client()
    join_phone(phone, workshop.code)
    assert phone.post(f"/j/{workshop.code}/ticket", json={"ticket": code}).json["ok"]
    app.config["WTF_CSRF_ENABLED"] = True
    for path in ("/join", f"/j/{workshop.code}/join", f"/j/{workshop.code}/ballot"):
        # The browser sends the request without the Lax cookie, then stores what it got.
        foreign = app.test_client()
        answer = foreign.post(path, data={"code": workshop.code},
                              headers={"Origin": "http://evil.example"})
        for header in set_cookies(answer):
            name, _, rest = header.partition("=")
            phone.set_cookie(name, rest.split(";", 1)[0])
    state = phone.get(f"/j/{workshop.code}/state").get_json()
    assert state["has_ticket"] is True and state["ticket_needed"] is False
    app.config["WTF_CSRF_ENABLED"] = False
    voted = phone.post(f"/j/{workshop.code}/ballot", json={
        "client_id": client_id(), "ballot": {str(ideas[0].id): 1}})
    assert voted.status_code == 200 and voted.json["ok"], voted.json


def test_rate_limits_and_other_refusals_set_no_cookie(app, db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    app.config["RATELIMIT_NEW_WORKSHOP"] = "1 per hour"
    browser = app.test_client()
    assert browser.post("/new", data={"title": "Premier"}).status_code == 302
    for accept in ({}, JSON):
        answer = browser.post("/new", data={"title": "Encore"}, headers=accept)
        assert answer.status_code == 429 and set_cookies(answer) == [], accept
    # A plain form refused for what it says: the message is on the page, not in a cookie.
    stranger = app.test_client()
    answer = stranger.post("/join", data={"code": "ZZZZZZ"})
    assert answer.status_code == 404 and set_cookies(answer) == []
    assert 'class="flash flash-error"' in answer.get_data(as_text=True)
    # A missing page asked in English: the page is English, the choice is not stored.
    g.pop("_flask_babel", None)  # the db fixture's app context outlives requests
    answer = stranger.get("/nowhere?lang=en")
    assert answer.status_code == 404 and set_cookies(answer) == []
    assert "This page does not exist" in answer.get_data(as_text=True)


def test_a_refused_plain_form_says_why_and_links_back(app, db):
    """Without JavaScript the refusal is the answer itself: the message, in the reader's
    language, and a link back to the page the form came from."""
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    phone = app.test_client()
    join_phone(phone, workshop.code)
    phone.get(f"/j/{workshop.code}?lang=en")
    answer = phone.post(f"/j/{workshop.code}/ideas", data={"text": "x", "client_id":
                                                           client_id()})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409 and set_cookies(answer) == [], answer.status_code
    assert "Ideas are not being collected right now." in page
    assert f'href="/j/{workshop.code}"' in page


@pytest.mark.parametrize(("public_url", "secure"), [
    ("https://atelier.example.org", True), ("http://192.0.2.10:5000", False)])
def test_an_https_public_address_makes_the_session_cookie_secure(tmp_path, monkeypatch,
                                                                 migrated_sqlite, public_url,
                                                                 secure):
    import shutil

    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    shutil.copyfile(migrated_sqlite, tmp_path / "c.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "PUSH_INTERVAL": None,
                      "WTF_CSRF_ENABLED": False, "MIGRATE_ON_START": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
                      "PUBLIC_URL": public_url})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is secure
        browser = app.test_client()
        made = browser.post("/new", data={"title": "Atelier"}, base_url=public_url)
        page = browser.get(made.headers["Location"], base_url=public_url)
        code = re.search(r'data-code="([A-Z0-9]+)"', page.get_data(as_text=True)).group(1)
        answer = browser.post(f"/j/{code}/join", headers=JSON, base_url=public_url)
        assert answer.status_code == 200
        [cookie] = set_cookies(answer)
        assert ("; Secure" in cookie) is secure, cookie
    finally:
        app.extensions["workshop.engine"].dispose()


def test_secure_can_still_be_turned_off_by_hand(tmp_path, monkeypatch, migrated_sqlite):
    import shutil

    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    shutil.copyfile(migrated_sqlite, tmp_path / "c.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "MIGRATE_ON_START": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
                      "PUBLIC_URL": "https://atelier.example.org",
                      "SESSION_COOKIE_SECURE": False})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is False
    finally:
        app.extensions["workshop.engine"].dispose()
