"""The session cookie cache: a verified cookie is reused for a minute, a forged or altered
one is still refused, the cache is bounded, and a session changed by one request does not
change what the next request with the same cookie sees."""

from __future__ import annotations

import pytest

from workshop import sessions


@pytest.fixture
def interface(app):
    return app.session_interface


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def test_the_app_uses_the_cached_interface(app):
    assert isinstance(app.session_interface, sessions.CachedCookieSessionInterface)


def test_a_joined_phone_is_recognised_from_the_cache_and_a_forgery_is_not(app, db, client,
                                                                            interface):
    from tests.factories import workshop_with_ideas

    workshop, _secret, _ideas = workshop_with_ideas(db)
    client.get(f"/j/{workshop.code}")
    first = client.get(f"/j/{workshop.code}/state").get_json()
    hits = interface.hits
    again = client.get(f"/j/{workshop.code}/state").get_json()
    assert interface.hits > hits and again["phase"] == first["phase"]
    # The same payload with its last signature character changed: verified, refused, and
    # the page treats the browser as a newcomer (a fresh cookie).
    value = cookie_of(client)
    forged = value[:-1] + ("A" if value[-1] != "A" else "B")
    stranger = app.test_client()
    stranger.set_cookie("session", forged)
    answer = stranger.post(f"/j/{workshop.code}/ideas", json={"text": "x", "client_id":
                                                                "forged-cookie-01"})
    assert answer.status_code in (403, 409) and forged not in interface._verified


def test_entries_expire_and_the_cache_is_bounded(app, client, interface, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(interface, "MAX_ENTRIES", 3)
    browsers = []
    for n in range(5):
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["participants"] = {"ABCDEF": f"{n}" * 43}
        browser.get("/static/css/app.css").close()
        browsers.append(browser)
    assert len(interface._verified) == 3  # the two oldest were dropped
    hits = interface.hits
    browsers[-1].get("/static/css/app.css").close()
    assert interface.hits == hits + 1
    clock[0] += interface.KEEP_SECONDS + 1
    browsers[-1].get("/static/css/app.css").close()
    assert interface.hits == hits + 1  # expired: verified again, not a hit


def test_a_session_changed_by_one_request_leaves_the_cached_copy_alone(app, interface):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["participants"] = {"ABCDEF": "y" * 43}
    with app.test_request_context("/", headers={"Cookie": browser.get_cookie(
            "session").key + "=" + browser.get_cookie("session").value}) as ctx:
        opened = interface.open_session(app, ctx.request)
        opened["participants"]["ABCDEF"] = "changed"
        again = interface.open_session(app, ctx.request)
    assert again["participants"]["ABCDEF"] == "y" * 43
