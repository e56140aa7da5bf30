"""Who counts as connected: participants only, never a socket that merely joined as "phone".

The projector's "N connected" and the facilitator's "Phones connected" are the figures a
facilitator compares with the people in the room (docs/security.md). A socket carries no
identity of its own: anyone can open hundreds and join them as phones. Only a socket whose
connect-time cookie names a participant of the workshop counts, and a participant counts
once however many tabs it has open (on one process).
"""

from __future__ import annotations

import json
import os
import re
import secrets

import pytest
import requests
import websocket

from tests.conftest import join_over_http, join_phone, start_server, stop_server
from tests.factories import workshop_with_ideas
from tests.support.cluster import REDIS
from tests.support.services import redis_or_skip
from tests.test_limits import finish
from workshop.live.presence import LocalPresence, RedisPresence


def screen_counts(received) -> list[int]:
    return [m["args"][0]["connected"] for m in received
            if m["name"] in ("screen_changed", "facilitator_changed")]


def test_sockets_without_a_participant_are_not_counted_anywhere(app, db, client, sockets):
    workshop, secret, _ideas = workshop_with_ideas(db)
    broadcaster = app.extensions["workshop.broadcaster"]
    strangers = [sockets() for _ in range(5)]
    for sio in strangers:
        assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    screen = sockets()
    answer = screen.emit("join", {"code": workshop.code, "role": "screen"}, callback=True)
    facilitator = sockets()
    steering = facilitator.emit("join", {"code": workshop.code, "role": "facilitator",
                                         "secret": secret}, callback=True)
    assert broadcaster.connected_phones(workshop.code) == 0
    assert answer["state"]["connected"] == 0 and steering["state"]["connected"] == 0
    page = app.test_client().get(f"/f/{secret}").get_data(as_text=True)
    assert re.search(r"data-connected>0<", page)
    # One participant with two tabs open: one person in the room.
    join_phone(client, workshop.code)
    tabs = [sockets(client), sockets(client)]
    for sio in tabs:
        assert sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)["ok"]
    assert broadcaster.connected_phones(workshop.code) == 1
    screen.get_received()
    facilitator.get_received()
    broadcaster.flush()
    counts = screen_counts(screen.get_received() + facilitator.get_received())
    assert counts and set(counts) == {1}, counts
    page = app.test_client().get(f"/f/{secret}").get_data(as_text=True)
    assert re.search(r"data-connected>1<", page)
    tabs[0].disconnect()
    assert broadcaster.connected_phones(workshop.code) == 1  # the other tab is still open
    tabs[1].disconnect()
    for sio in strangers:
        sio.disconnect()
    assert broadcaster.connected_phones(workshop.code) == 0


def test_a_socket_that_joins_again_as_something_else_stops_counting(app, db, client, sockets):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    broadcaster = app.extensions["workshop.broadcaster"]
    join_phone(client, workshop.code)
    sio = sockets(client)
    sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    assert broadcaster.connected_phones(workshop.code) == 1
    sio.emit("join", {"code": workshop.code, "role": "screen"}, callback=True)
    assert broadcaster.connected_phones(workshop.code) == 0


def test_local_presence_counts_distinct_participants():
    presence = LocalPresence()
    presence.arrive("ABC234", "s1", "phone", None)
    presence.arrive("ABC234", "s2", "phone", 7)
    presence.arrive("ABC234", "s3", "phone", 7)
    presence.arrive("ABC234", "s4", "phone", 8)
    presence.arrive("ABC234", "s5", "screen", None)
    assert presence.phones("ABC234") == 2
    presence.leave("s2")
    assert presence.phones("ABC234") == 2
    presence.leave("s3")
    presence.leave("s1")
    assert presence.phones("ABC234") == 1
    presence.arrive("ABC234", "s4", "phone", None)  # the same socket, no longer a participant
    assert presence.phones("ABC234") == 0


def test_local_presence_says_who_is_connected(monkeypatch):
    """The representativeness monitor counts the people connected by group: presence
    names them, phones with a socket and phones without script alike."""
    from workshop.live import presence as module

    clock = [50.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    presence = LocalPresence()
    presence.arrive("ABC234", "s1", "phone", 7)
    presence.arrive("ABC234", "s2", "phone", 7)
    presence.arrive("ABC234", "s3", "phone", None)
    presence.arrive("OTHER2", "s4", "phone", 9)
    presence.page_seen("ABC234", 11)
    assert presence.present("ABC234") == frozenset({7, 11})
    assert presence.present("OTHER2") == frozenset({9})
    presence.leave("s1")
    assert presence.present("ABC234") == frozenset({7, 11})  # still one tab open
    presence.leave("s2")
    clock[0] += module.PAGE_PRESENCE + 1
    assert presence.present("ABC234") == frozenset()
    assert presence.phones("ABC234") == 0


def test_shared_presence_publishes_participants_only():
    redis_or_skip()
    namespace = f"test-{secrets.token_hex(4)}"
    one = RedisPresence(REDIS, 0.25, namespace)
    two = RedisPresence(REDIS, 0.25, namespace)
    try:
        for n in range(20):
            one.arrive("ABC234", f"stranger-{n}", "phone", None)
        one.arrive("ABC234", "s1", "phone", 1)
        one.arrive("ABC234", "s2", "phone", 1)
        two.arrive("ABC234", "s3", "phone", 2)
        two.arrive("ABC234", "s4", "phone", None)
        two.page_seen("ABC234", 5)  # a phone without script, shown a page by process two
        one.tick()
        two.tick()
        assert one.phones("ABC234") == 3 and two.phones("ABC234") == 3
        assert one.present("ABC234") == two.present("ABC234") == frozenset({1, 2, 5})
        two.leave("s3")
        two.tick()
        assert one.present("ABC234") == frozenset({1, 5})
        two.forget_process()  # its phones stop counting on the others at once
        assert one.present("ABC234") == frozenset({1})
    finally:
        one.forget_process()
        two.forget_process()
        keys = one.redis.keys(f"{one.prefix}*")
        if keys:
            one.redis.delete(*keys)


# --- on a real server ---------------------------------------------------------------------

# How many cookie-less sockets the real-server check opens: a few dozen in CI; run once by
# hand with WORKSHOP_STRANGER_SOCKETS=300 for the figure in docs/security.md.
STRANGERS = int(os.environ.get("WORKSHOP_STRANGER_SOCKETS", "30"))


def open_socket(base: str, cookie: str | None = None) -> websocket.WebSocket:
    """A Socket.IO connection spoken by hand (Engine.IO 4 / Socket.IO 5), as any script can."""
    host = base.split("://", 1)[1]
    headers = [f"Cookie: session={cookie}"] if cookie else None
    ws = websocket.create_connection(f"ws://{host}/socket.io/?EIO=4&transport=websocket",
                                     timeout=10, header=headers)
    assert ws.recv().startswith("0{")
    ws.send("40")
    assert ws.recv().startswith("40")
    return ws


def join(ws: websocket.WebSocket, payload: dict) -> dict:
    """Send a join and return its acknowledgement, skipping pushes and pings."""
    ws.send("420" + json.dumps(["join", payload]))
    while True:
        message = ws.recv()
        if message == "2":
            ws.send("3")
        elif message.startswith("430"):
            return json.loads(message[3:])[0]


@pytest.mark.server
def test_cookie_less_sockets_do_not_change_the_connected_count_on_a_real_server(tmp_path):
    server = start_server(tmp_path / "instance")
    opened: list[websocket.WebSocket] = []
    try:
        http = requests.Session()
        form = http.get(f"{server.url}/new", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', form).group(1)
        made = http.post(f"{server.url}/new", data={"title": "Présence",
                                                     "csrf_token": token},
                         allow_redirects=False, timeout=10)
        secret = made.headers["Location"].split("?")[0].rsplit("/", 1)[1]
        code = re.search(r'data-code="([A-Z0-9]+)"',
                         http.get(f"{server.url}/f/{secret}", timeout=10).text).group(1)
        phone = requests.Session()
        join_over_http(phone, server.url, code)
        opened.append(open_socket(server.url, phone.cookies.get("session")))
        assert join(opened[-1], {"code": code, "role": "phone"})["ok"]
        for _n in range(STRANGERS):
            opened.append(open_socket(server.url))
            assert join(opened[-1], {"code": code, "role": "phone"})["ok"]
        screen = open_socket(server.url)
        opened.append(screen)
        assert join(screen, {"code": code, "role": "screen"})["state"]["connected"] == 1
        page = http.get(f"{server.url}/f/{secret}", timeout=10).text
        assert re.search(r"data-connected>1<", page), STRANGERS
    finally:
        for ws in opened:
            finish(ws)
        stop_server(server)


def test_a_phone_without_script_counts_while_it_shows_pages(monkeypatch):
    """A phone without script never opens a socket: it counts as connected for
    PAGE_PRESENCE seconds after each page it shows. A phone with script is counted by its
    socket only, and stops counting when it leaves."""
    from workshop.live import presence as module

    clock = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    presence = LocalPresence()
    presence.page_seen("ABCDEF", 7)
    presence.page_seen("ABCDEF", 7)  # the same person, another page
    presence.page_seen("ABCDEF", 8)
    assert presence.local_phones("ABCDEF") == 2
    presence.arrive("ABCDEF", "sid-8", "phone", 8)  # 8 has script after all
    assert presence.local_phones("ABCDEF") == 2
    presence.leave("sid-8")
    presence.page_seen("ABCDEF", 8)  # its pages no longer count: its socket did
    assert presence.local_phones("ABCDEF") == 1
    clock[0] += module.PAGE_PRESENCE + 1
    assert presence.local_phones("ABCDEF") == 0  # 7 showed no page for too long
    presence.page_seen("ABCDEF", 7)
    assert presence.local_phones("ABCDEF") == 1


def test_a_phone_without_script_is_counted_on_the_facilitator_page(app, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    plain = app.test_client()  # no script: forms and pages only
    page = plain.get(f"/j/{workshop.code}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    broadcaster = app.extensions["workshop.broadcaster"]
    assert broadcaster.connected_phones(workshop.code) == 0  # not joined: nobody
    plain.post(f"/j/{workshop.code}/join", data={"csrf_token": token}, follow_redirects=True)
    assert broadcaster.connected_phones(workshop.code) == 1
    facilitator = app.test_client().get(f"/f/{secret}").get_data(as_text=True)
    assert re.search(r"data-connected>1<", facilitator)
