"""Abuse limits: size caps, per-participant rates, join-code guessing, socket throttles, and
a whole hall behind one NAT address that is never blocked; plus what only a real server
shows (cross-site sockets refused, oversized socket messages dropped, secrets kept out of
the log) and the pinned versions with the 2026 denial-of-service fixes."""

from __future__ import annotations

import json
import re
import socket
from importlib.metadata import version

import pytest
import requests
import websocket
from packaging.version import Version
from sqlalchemy import func, select

from tests.conftest import csrf_of, join_phone, start_server, stop_server
from tests.factories import client_id, voting_workshop
from workshop import ops
from workshop.guard.http_limits import ENDPOINT_LIMITS
from workshop.live.sockets import socketio
from workshop.store.models import IDEA_MAX, TITLE_MAX, Idea, Participant

JSON = {"Accept": "application/json"}


# --- every command has a limit -------------------------------------------------------

def test_every_state_changing_endpoint_has_a_limit_row(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - set(ENDPOINT_LIMITS) == set(), "a command without a row in ENDPOINT_LIMITS"
    for endpoint in ENDPOINT_LIMITS:
        assert endpoint in app.view_functions


def test_every_command_that_can_make_a_participant_counts_a_join(app):
    """A browser becomes a participant with its first POST under /j/<code>/: each of those
    counts against RATELIMIT_JOIN; pages (GET) make nobody and have no row."""
    makers = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and rule.rule.startswith("/j/<code>/")}
    assert makers >= {"participant.join", "participant.submit_idea", "participant.cast_ballot",
                      "participant.claim_ticket"}
    for endpoint in makers:
        assert "RATELIMIT_JOIN" in {rule.setting for rule in ENDPOINT_LIMITS[endpoint]}, endpoint
    pages = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" not in rule.methods and rule.rule.startswith("/j/<code>")}
    assert pages and pages & set(ENDPOINT_LIMITS) == set()


# --- sizes ----------------------------------------------------------------------------

def test_text_length_caps_are_enforced_with_the_limit_in_the_message(client, db):
    workshop, secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    client.get(f"/j/{workshop.code}?lang=en")
    answer = client.post(f"/j/{workshop.code}/ideas",
                         json={"text": "x" * (IDEA_MAX + 1), "client_id": client_id()})
    assert answer.status_code == 400 and answer.json["error"] == "bad_idea"
    assert str(IDEA_MAX) in answer.json["message"]
    assert client.post(f"/j/{workshop.code}/ideas", json={
        "text": "x" * IDEA_MAX, "client_id": client_id()}).status_code == 200
    answer = client.post(f"/f/{secret}/do/rename", json={"title": "t" * (TITLE_MAX + 1)})
    assert answer.status_code == 400 and str(TITLE_MAX) in answer.json["message"]


def test_oversized_and_deeply_nested_bodies_are_refused_not_crashed(client, db):
    workshop, secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    join_phone(client, workshop.code)
    url = f"/j/{workshop.code}/ideas"
    big = json.dumps({"text": "x" * 70_000, "client_id": client_id()})
    assert client.post(url, data=big, content_type="application/json").status_code == 413
    deep = "[" * 30_000 + "]" * 30_000
    for target in (url, f"/f/{secret}/do/rename"):
        answer = client.post(target, data=deep, content_type="application/json")
        assert answer.status_code == 400 and answer.json["error"] == "bad_request"
    nested: list = []
    for _ in range(40):  # deeper than any command needs (web.JSON_DEPTH)
        nested = [nested]
    nested = {"text": "ok", "client_id": client_id(), "x": nested}
    assert client.post(url, json=nested).status_code == 400
    db.rollback()
    assert db.scalar(select(func.count(Idea.id))) == 0


# --- per-participant rates ------------------------------------------------------------

def test_idea_rate_limit_names_the_wait_and_spares_other_phones(app, db):
    app.config["RATELIMIT_IDEAS"] = "3 per minute"
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    eager, calm = app.test_client(), app.test_client()
    for phone in (eager, calm):
        phone.get(f"/j/{workshop.code}?lang=en")
    join_phone(eager, workshop.code)  # calm joins with its idea, its first command
    url = f"/j/{workshop.code}/ideas"
    for n in range(3):
        assert eager.post(url, json={"text": f"Idée {n}", "client_id": client_id()}).json["ok"]
    answer = eager.post(url, json={"text": "Encore", "client_id": client_id()})
    assert answer.status_code == 429 and answer.json["error"] == "rate_limited"
    seconds = answer.json["params"]["seconds"]
    assert 1 <= seconds <= 61 and int(answer.headers["Retry-After"]) == seconds
    assert f"Wait {seconds} seconds" in answer.json["message"]
    # The same person with a plain form gets a page with the message and a way back.
    page = eager.post(url, data={"text": "Encore", "client_id": client_id()})
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "Too many attempts" in page.get_data(as_text=True)
    assert f'href="/j/{workshop.code}"' in page.get_data(as_text=True)
    # Someone else at the same address is not affected.
    assert calm.post(url, json={"text": "La mienne", "client_id": client_id()}).json["ok"]
    db.rollback()
    assert db.scalar(select(func.count(Idea.id))) == 4


def test_ballot_rate_limit_is_per_participant(app, db):
    app.config["RATELIMIT_BALLOTS"] = "5 per minute"
    workshop, _secret, ideas, _vote = voting_workshop(db)
    one, two = app.test_client(), app.test_client()
    for phone in (one, two):
        join_phone(phone, workshop.code)
    url = f"/j/{workshop.code}/ballot"
    codes = [one.post(url, json={"client_id": client_id(),
                                 "ballot": {str(ideas[n % 3].id): 1}}).status_code
             for n in range(7)]
    assert codes == [200] * 5 + [429] * 2
    assert two.post(url, json={"client_id": client_id(),
                               "ballot": {str(ideas[0].id): 1}}).status_code == 200


def test_new_workshops_are_limited_per_address(app, db):
    app.config["RATELIMIT_NEW_WORKSHOP"] = "2 per hour"
    browser = app.test_client()
    codes = [browser.post("/new", data={"title": f"Atelier {n}"}, headers=JSON).status_code
             for n in range(3)]
    assert codes[:2] == [302, 302] and codes[2] == 429


# --- join codes and the hall behind one NAT --------------------------------------------

def test_guessing_join_codes_is_limited_but_joined_phones_carry_on(app, db):
    app.config["RATELIMIT_GUESS"] = "5 per minute"
    workshop, _secret = ops.create_workshop(db, "Atelier")
    joined, guesser = app.test_client(), app.test_client()
    join_phone(joined, workshop.code)
    wrong = [c for c in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE", "FFFFFF")
             if c != workshop.code]
    answers = [guesser.post("/join", data={"code": code}, headers=JSON).status_code
               for code in wrong[:3]]
    answers += [guesser.get(f"/j/{code}").status_code for code in wrong[3:5]]
    assert answers == [404] * 5
    # Now every lookup by code from this address waits, the right code too (no oracle)...
    page = guesser.get(f"/j/{wrong[5]}")
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "Attendez" in page.get_data(as_text=True)  # a page saying how long, in French
    assert guesser.get(f"/j/{workshop.code}").status_code == 429
    sio = socketio.test_client(app, flask_test_client=guesser)
    assert sio.emit("join", {"code": workshop.code, "role": "screen"},
                    callback=True)["error"] == "rate_limited"
    sio.disconnect()
    # ...except for phones that had already joined that workshop.
    assert joined.get(f"/j/{workshop.code}").status_code == 200
    assert joined.get(f"/j/{workshop.code}/state").status_code == 200


def test_new_participants_are_limited_per_address_where_they_are_made(app, db):
    """Pages make nobody, so they never count; the join and a browser's first command do,
    and browsers that joined carry on."""
    app.config["RATELIMIT_JOIN"] = "3 per minute"
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    code = workshop.code
    browsers = [app.test_client() for _ in range(5)]
    for browser in browsers:
        for _ in range(3):
            assert browser.get(f"/j/{code}/state").status_code == 200

    def idea(browser):
        return browser.post(f"/j/{code}/ideas", json={"text": "Idée", "client_id": client_id()})

    made = [browsers[0].post(f"/j/{code}/join", headers=JSON).status_code,
            idea(browsers[1]).status_code,
            browsers[2].post(f"/j/{code}/join", headers=JSON).status_code,
            idea(browsers[3]).status_code,
            browsers[4].post(f"/j/{code}/join", headers=JSON).status_code]
    assert made == [200, 200, 200, 429, 429]
    assert idea(browsers[0]).status_code == 200 and idea(browsers[1]).status_code == 200
    assert browsers[2].post(f"/j/{code}/join", headers=JSON).status_code == 200
    db.rollback()
    assert db.scalar(select(func.count(Participant.id))) == 3


def test_socket_guesses_count_too(app, db):
    app.config["RATELIMIT_GUESS"] = "3 per minute"
    sio = socketio.test_client(app, flask_test_client=app.test_client())
    answers = [sio.emit("join", {"code": code, "role": "phone"}, callback=True)["error"]
               for code in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD")]
    assert answers == ["workshop_not_found"] * 3 + ["rate_limited"]
    sio.disconnect()
    assert app.test_client().get("/j/EEEEEE").status_code == 429


def test_five_hundred_phones_behind_one_address_all_join_within_a_minute(app, db):
    """The default limits, one NAT address (127.0.0.1): a whole hall joins, by the QR code
    or by typing the code, and opens its sockets. (The same 500 phones then vote from one
    address in tests/test_durability.py, on a real server.)"""
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    phones = [app.test_client() for _ in range(500)]
    typed = {phone.post("/join", data={"code": workshop.code}).status_code
             for phone in phones[:100]}
    assert typed == {302}
    statuses = {phone.get(f"/j/{workshop.code}").status_code for phone in phones}
    assert statuses == {200}
    joins = {phone.post(f"/j/{workshop.code}/join", headers=JSON).status_code
             for phone in phones}  # what phone.js does before its socket connects
    assert joins == {200}
    sockets = [socketio.test_client(app, flask_test_client=phone) for phone in phones]
    try:
        answers = [s.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
                   for s in sockets]
        assert all(a["ok"] for a in answers)
    finally:
        for s in sockets:
            s.disconnect()
    db.rollback()
    assert db.scalar(select(func.count(Participant.id))) == 500


def test_joining_a_socket_too_often_is_throttled_with_a_wait(app, db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    sio = socketio.test_client(app)
    answers = [sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
               for _ in range(25)]
    refused = [a for a in answers if not a["ok"]]
    assert answers[0]["ok"] and refused
    assert refused[0]["error"] == "rate_limited" and refused[0]["retry_after"] >= 1
    sio.disconnect()
    # Another socket (another phone) is not affected.
    other = socketio.test_client(app)
    assert other.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    other.disconnect()


def test_a_socket_flooding_unknown_events_is_disconnected(app, db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    sio = socketio.test_client(app)
    sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    for n in range(60):
        if not sio.is_connected():
            break
        sio.emit("spam", {"n": n})
    assert not sio.is_connected()


@pytest.mark.parametrize("event", ["connect", "disconnect"])
def test_connect_and_disconnect_sent_as_events_are_ignored_and_throttled(app, db, event):
    # python-socketio hands these reserved names to the real handlers: sent by a client
    # they must neither drop its presence nor escape the flood guard.
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    broadcaster = app.extensions["workshop.broadcaster"]
    browser = app.test_client()
    join_phone(browser, workshop.code)  # a participant's socket: it counts as connected
    sio = socketio.test_client(app, flask_test_client=browser)
    sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    for n in range(5):
        sio.emit(event, {"n": n})
    assert sio.is_connected() and broadcaster.connected_phones(workshop.code) == 1
    for n in range(60):
        if not sio.is_connected():
            break
        sio.emit(event, {"n": n})
    assert not sio.is_connected()
    assert broadcaster.connected_phones(workshop.code) == 0  # the real disconnect counted

# --- on a real server ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("limits") / "instance")
    yield server
    stop_server(server)


def facilitated(server) -> tuple[str, str, requests.Session]:
    """Create a workshop over HTTP; return its code, secret and the facilitator's session."""
    browser = requests.Session()
    form = browser.get(f"{server.url}/new", timeout=10)
    answer = browser.post(f"{server.url}/new", data={"title": "Atelier réel",
                                                     "csrf_token": csrf_of(form.text)},
                          allow_redirects=False, timeout=10)
    secret = answer.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    page = browser.get(f"{server.url}/f/{secret}", timeout=10).text
    code = re.search(r'data-code="([A-Z0-9]+)"', page).group(1)
    return code, secret, browser


@pytest.mark.server
def test_sockets_from_another_origin_are_refused(server):
    """Cross-site WebSocket hijacking: a page elsewhere cannot open a socket with our
    cookies. Checked on the real server (the test client skips the origin check)."""
    code, _secret, browser = facilitated(server)
    browser.close()
    host = server.url.split("://", 1)[1]
    port = int(host.rsplit(":", 1)[1])
    for origin in ("http://evil.example", "null", f"https://{host}",
                   "http://127.0.0.1.evil.example"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock, \
                pytest.raises(websocket.WebSocketBadStatusException) as refusal:
            websocket.create_connection(f"ws://{host}/socket.io/?EIO=4&transport=websocket",
                                        origin=origin, timeout=5, socket=sock)
        assert refusal.value.status_code == 400, origin
        polling = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling",
                               headers={"Origin": origin}, timeout=5)
        assert polling.status_code == 400 and "origin" in polling.text, origin
    assert raw_join(server, code)["ok"]  # the page's own origin (and no origin) may


def raw_socket(server) -> websocket.WebSocket:
    """A Socket.IO connection spoken by hand, to send what no client library would."""
    host = server.url.split("://", 1)[1]
    ws = websocket.create_connection(f"ws://{host}/socket.io/?EIO=4&transport=websocket",
                                     timeout=5)
    assert ws.recv().startswith("0{")  # Engine.IO open
    ws.send("40")
    assert ws.recv().startswith("40")  # Socket.IO connected
    return ws


def raw_join(server, code: str) -> dict:
    """Join a workshop as a phone over a hand-spoken socket; return the answer."""
    ws = raw_socket(server)
    try:
        ws.send('420["join",' + json.dumps({"code": code, "role": "phone"}) + "]")
        while True:
            message = ws.recv()
            if message.startswith("430"):
                return json.loads(message[3:])[0]
    finally:
        finish(ws)


def finish(ws: websocket.WebSocket) -> None:
    """Close a hand-spoken socket, even one the server already dropped."""
    try:
        ws.close(timeout=1)
    except (websocket.WebSocketException, OSError):
        pass
    finally:
        ws.shutdown()


def closed_by_server(ws: websocket.WebSocket) -> bool:
    try:
        while True:
            message = ws.recv()
            if not message:
                return True
            if message == "2":  # a ping: answer it and keep listening
                ws.send("3")
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True
    except websocket.WebSocketTimeoutException:
        return False


@pytest.mark.server
def test_oversized_or_nested_socket_messages_never_take_the_server_down(server):
    code, _secret, browser = facilitated(server)
    browser.close()
    big = raw_socket(server)
    try:
        big.send('42["join",{"code":"' + code + '","role":"phone","pad":"' + "x" * 200_000
                 + '"}]')
        assert closed_by_server(big), "a 200 KB message should close the socket"
    finally:
        finish(big)
    for junk in ('42["join",' + "[" * 20_000 + "]" * 20_000 + "]",
                 '42["join",{"code":' + "{" * 10_000, "42" + r"[\ud800]" * 1000,
                 r'42["join",{"code":"\ud800\u0000","role":"phone"}]', "4" + "9" * 5000):
        ws = raw_socket(server)
        try:
            ws.send(junk)
        finally:
            finish(ws)
    assert raw_join(server, code)["ok"]
    assert requests.get(f"{server.url}/j/{code}/state", timeout=5).status_code == 200


@pytest.mark.server
def test_secrets_never_reach_the_log_or_a_referer(server):
    code, secret, browser = facilitated(server)
    token = csrf_of(browser.get(f"{server.url}/f/{secret}", timeout=10).text)
    for command in ("open-ideas", "no-such-command", "approve"):
        browser.post(f"{server.url}/f/{secret}/do/{command}", json={"idea": 10**6},
                     headers={"X-CSRFToken": token}, timeout=10)
    phone = requests.Session()
    for path in (f"/j/{code}", f"/j/{code}/state", f"/s/{code}", f"/f/{secret}/export.csv",
                 f"/f/{secret}/panel", "/static/css/app.css", "/nowhere"):
        answer = (browser if path.startswith("/f/") else phone).get(server.url + path,
                                                                     timeout=10)
        assert answer.headers["Referrer-Policy"] == "no-referrer", path
        if path.startswith("/f/"):
            assert answer.headers["Cache-Control"] == "no-store", path
    cookie = phone.cookies.get("session")
    phone.close()
    browser.close()
    log = server.log.read_text()
    assert secret not in log
    assert cookie and cookie not in log


def test_facilitator_links_are_redacted_from_error_logs(app, db, caplog):
    workshop, secret = ops.create_workshop(db, "Atelier")

    @app.get("/f/<secret>/boom")
    def boom(secret):
        raise RuntimeError("boom")

    app.testing = False  # log the exception the way production does
    with caplog.at_level("ERROR"):
        assert app.test_client().get(f"/f/{secret}/boom").status_code == 500
    assert caplog.records and secret not in caplog.text and "/f/<redacted>" in caplog.text


def test_secrets_are_long_random_and_stored_hashed(db):
    from workshop.core import tokens

    workshop, secret = ops.create_workshop(db, "Atelier")
    person, cookie_secret = ops.join_workshop(db, workshop)
    for value in (secret, cookie_secret):
        assert len(value) * 6 >= 256  # url-safe base64: 6 bits a character, 256 bits
    assert workshop.facilitator_digest == tokens.digest(secret) != secret
    assert person.secret_digest == tokens.digest(cookie_secret)
    assert secret not in json.dumps([workshop.facilitator_digest, person.secret_digest])


# --- dependencies ---------------------------------------------------------------------

@pytest.mark.parametrize("package, minimum", [("python-engineio", "4.13.3"),
                                              ("python-socketio", "5.16.3"),
                                              ("Flask-SocketIO", "5.6.1")])
def test_socket_libraries_have_the_2026_denial_of_service_fixes(package, minimum):
    assert Version(version(package)) >= Version(minimum)


def test_behind_a_trusted_proxy_each_caller_counts_alone_and_nobody_picks_an_address(
        tmp_path, monkeypatch):
    from workshop import create_app

    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    for proxies, expected in ((None, [404, 429, 429]), (1, [404, 404, 429])):
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "PUSH_INTERVAL": None,
                          "WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": proxies,
                          "MIGRATE_ON_START": True,
                          "RATELIMIT_GUESS": "1 per minute",
                          "DATABASE_URL": f"sqlite:///{tmp_path / f'p{proxies}.db'}"})
        try:
            browser = app.test_client()
            seen = [browser.get("/j/AAAAAA", headers={"X-Forwarded-For": f"203.0.113.{n}"})
                    .status_code for n in (1, 2)]
            seen.append(browser.get("/j/BBBBBB", headers={"X-Forwarded-For": "203.0.113.2"})
                        .status_code)
            assert seen == expected, proxies
        finally:
            app.extensions["workshop.engine"].dispose()


def test_the_in_memory_counters_sweep_inline_at_most_once_a_second(monkeypatch):
    """No timer thread per request (under gevent such timers piled up, about 120 sweeps a
    second in a 150-phone run): the sweep runs inline on the first call after a second,
    and an expired counter still stops counting when read."""
    import threading

    from limits import parse
    from limits.strategies import MovingWindowRateLimiter

    from workshop.guard.limiter_storage import RoomMemoryStorage

    clock = [1000.0]
    monkeypatch.setattr("workshop.guard.limiter_storage.time.monotonic", lambda: clock[0])
    storage = RoomMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    threads = threading.active_count()
    item = parse("2 per second")
    for n in range(500):
        limiter.hit(item, f"phone-{n % 50}")
    assert storage.sweeps == 0 and threading.active_count() <= threads
    clock[0] += 1.5
    limiter.hit(item, "phone-0")
    assert storage.sweeps == 1
    for _ in range(100):
        limiter.hit(item, "phone-1")
    assert storage.sweeps == 1


def test_a_socket_throttle_allows_a_burst_then_a_steady_rate_and_forgets_idle_keys():
    from workshop.guard.socket_throttles import SocketThrottle

    throttle = SocketThrottle(5, 1.0)
    now = 1000.0
    assert [throttle.allow("a", now) for _ in range(6)] == [True] * 5 + [False]
    assert throttle.wait("a", now) == 1  # one token comes back each second
    assert throttle.allow("b", now) and throttle.wait("b", now) == 0  # other keys unaffected
    allowed = 0
    for _ in range(40):  # then one a second, as long as it keeps asking twice a second
        now += 0.5
        allowed += throttle.allow("a", now)
    assert allowed == 20
    now += 60  # every bucket has refilled: the next sweep forgets them
    for n in range(1024):
        throttle.allow(f"other:{n}", now)
    assert throttle.active_keys() <= 1024
