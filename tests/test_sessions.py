"""The session cookie cache: a verified cookie is reused for a minute, a forged or altered
one is still refused, the cache is bounded, and a session changed by one request does not
change what the next request with the same cookie sees."""

from __future__ import annotations

import pytest

from tests.conftest import join_phone
from workshop.guard import sessions


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
    join_phone(client, workshop.code)
    first = client.get(f"/j/{workshop.code}/state").get_json()
    hits = interface.hits
    again = client.get(f"/j/{workshop.code}/state").get_json()
    assert interface.hits > hits and again["phase"] == first["phase"]
    # The same payload with a signature character changed: verified, refused, and the page
    # treats the browser as a newcomer (a fresh cookie). Not the last character: its low
    # bits are base64 padding, so changing it can leave the signature's bytes as they were.
    value = cookie_of(client)
    forged = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
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


def test_socket_events_reuse_their_connections_verified_session(app, db, client, interface,
                                                                monkeypatch):
    """A socket's events run on its connection's environ, whose cookie cannot change: after
    the first event the cookie header is not read again, and the events still know the
    phone. An HTTP request reads its own cookie as before."""
    from tests.factories import client_id, voting_workshop
    from workshop.live.sockets import socketio

    workshop, _secret, ideas, vote = voting_workshop(db, dots=1, cap=1)
    join_phone(client, workshop.code)
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    reads = []
    cookie_name = interface.get_cookie_name
    monkeypatch.setattr(interface, "get_cookie_name",
                        lambda flask_app: reads.append(1) or cookie_name(flask_app))
    answer = sio.emit("ballot", {"client_id": client_id(), "ballot": {str(ideas[0].id): 1}},
                      callback=True)
    again = sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    sio.disconnect()
    assert answer["ok"] is True and answer["round"] == vote.id and again["ok"] is True
    assert reads == []
    client.get(f"/j/{workshop.code}/state")
    assert reads  # opened (and saved) from its own cookie


def test_a_session_is_copied_deeply_enough():
    data = {"participants": {"ABCDEF": "s"}, "lang": "en", "list": [{"a": 1}], "t": (1, 2)}
    copy = sessions._copied(data)
    copy["participants"]["ABCDEF"] = "changed"
    copy["list"][0]["a"] = 2
    assert copy == {"participants": {"ABCDEF": "changed"}, "lang": "en", "list": [{"a": 2}],
                    "t": (1, 2)}
    assert data == {"participants": {"ABCDEF": "s"}, "lang": "en", "list": [{"a": 1}],
                    "t": (1, 2)}


def test_a_cached_cookie_expires_at_its_age_limit_to_the_second(app, interface, monkeypatch):
    """The cache keeps a verified cookie for a minute, but never past the moment the
    signature's own age check would refuse it: one second after the limit, it is refused
    whether it was cached or not (and a socket's connection environ follows the same)."""
    from datetime import timedelta

    wall, steady = [1_000_000.0], [500.0]
    monkeypatch.setattr(sessions.time, "time", lambda: wall[0])
    monkeypatch.setattr(sessions.time, "monotonic", lambda: steady[0])
    app.permanent_session_lifetime = timedelta(seconds=3600)
    browser = app.test_client()
    with browser.session_transaction() as session:  # signed now, at wall[0]
        session["participants"] = {"ABCDEF": "z" * 43}
    cookie = f"session={browser.get_cookie('session').value}"

    def opened(shared_environ=None) -> dict:
        with app.test_request_context("/", headers={"Cookie": cookie}) as ctx:
            if shared_environ is not None:
                ctx.request.environ.update(shared_environ)
            found = interface.open_session(app, ctx.request)
            return dict(found), dict(ctx.request.environ)

    for step in (3590.0, 5.0):  # verified 10 s before the limit, then a hit 5 s before it
        wall[0] += step
        steady[0] += step
        assert opened()[0]["participants"] == {"ABCDEF": "z" * 43}
    _first, socket_environ = opened()
    wall[0] += 6.0  # one second past the limit: 11 s after it was verified and cached
    steady[0] += 6.0
    assert "participants" not in opened()[0]
    assert "participants" not in opened({k: v for k, v in socket_environ.items()
                                         if k.startswith("workshop.")})[0]
