"""A real `workshop serve` process: 30 phones, a projector and a facilitator over the wire."""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio

from tests.conftest import Facilitator, join_over_http

pytestmark = pytest.mark.server
PHONES = 30
AUTHORS = 10


def close_all(clients) -> None:
    """Disconnect clients side by side (each waits up to 3 s for the closing handshake)."""
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        list(pool.map(lambda c: c.disconnect() if c.connected else None, clients))


class Phone:
    """One simulated phone: an HTTP session with its cookie, and a Socket.IO client."""

    def __init__(self, base: str, code: str) -> None:
        self.base, self.code = base, code
        self.http = requests.Session()
        self.csrf = join_over_http(self.http, base, code)  # before the socket: its cookie
        self.states: list[dict] = []
        self.changed = threading.Condition()
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        self.sio.on("workshop_changed", self._on_state)

    def _on_state(self, state: dict) -> None:
        with self.changed:
            self.states.append(state)
            self.changed.notify_all()

    def connect(self) -> None:
        self.sio.connect(self.base, transports=["websocket"], wait_timeout=10)
        answer = self.sio.call("join", {"code": self.code, "role": "phone"}, timeout=10)
        assert answer["ok"], answer
        self._on_state(answer["state"])

    def wait_for(self, predicate, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for state in reversed(self.states):
                    if predicate(state):
                        return state
                left = deadline - time.monotonic()
                assert left > 0, f"phone never saw the expected state; last: {self.states[-1:]}"
                self.changed.wait(left)

    def command(self, path: str, body: dict) -> dict:
        answer = self.http.post(f"{self.base}/j/{self.code}/{path}", json=body, timeout=30,
                                headers={"X-CSRFToken": self.csrf})
        assert answer.status_code == 200, answer.text
        return answer.json()


def test_thirty_phones_submit_vote_and_the_export_matches_their_ballots(live_server):
    base = live_server.url
    facilitator = Facilitator(base, "Atelier en direct")
    code, secret, steer = facilitator.code, facilitator.secret, facilitator.steer

    projector = socketio.Client(reconnection=False)
    snapshots: list[dict] = []
    projector.on("screen_changed", snapshots.append)
    projector.connect(base, transports=["websocket"], wait_timeout=10)
    assert projector.call("join", {"code": code, "role": "screen"}, timeout=10)["ok"]
    moderator = socketio.Client(reconnection=False)
    moderator.connect(base, transports=["websocket"], wait_timeout=10)
    assert moderator.call("join", {"code": code, "role": "facilitator", "secret": secret},
                          timeout=10)["ok"]

    phones = [Phone(base, code) for _ in range(PHONES)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda p: p.connect(), phones))
    try:
        steer("open-ideas")
        for phone in phones:
            phone.wait_for(lambda s: s["phase"] == "ideas")
        texts = [f"Priorité numéro {n}" for n in range(AUTHORS)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            ideas = list(pool.map(
                lambda pair: pair[0].command("ideas", {"text": pair[1],
                                                       "client_id": f"idea-{pair[1][-1]}-abc"}),
                zip(phones[:AUTHORS], texts, strict=True)))
        for idea in ideas:
            steer("approve", {"idea": idea["idea"]["id"]})
        steer("open-round", {"dots": 3, "max_per_option": 2, "show_live": True})
        for phone in phones:
            state = phone.wait_for(lambda s: s["phase"] == "vote")
        options = state["round"]["options"]
        assert len(options) == AUTHORS

        rng = random.Random(2026)
        ballots = {}
        for n, phone in enumerate(phones):
            ballot: Counter = Counter()
            for _ in range(rng.randint(0, 3)):
                choice = rng.choice(options)
                if ballot[choice] < 2:
                    ballot[choice] += 1
            ballots[n] = {str(k): v for k, v in ballot.items()}

        def vote(n: int) -> dict:
            body = {"client_id": f"ballot-{n:04d}-xyz", "ballot": ballots[n]}
            first = phones[n].command("ballot", body)
            again = phones[n].command("ballot", body)  # a retry after a lost answer
            assert again["duplicate"] is True
            return first

        with ThreadPoolExecutor(max_workers=10) as pool:
            acks = list(pool.map(vote, range(PHONES)))
        assert all(a["ok"] for a in acks)

        expected = Counter()
        supporters = Counter()
        for ballot in ballots.values():
            for key, dots in ballot.items():
                expected[int(key)] += dots
                supporters[int(key)] += 1

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if snapshots and snapshots[-1].get("voted") == PHONES:
                break
            time.sleep(0.1)
        final = snapshots[-1]
        assert final["voted"] == PHONES and final["connected"] == PHONES
        assert {r["idea"]: r["score"] for r in final["results"]["ranking"]} == \
            {o: expected[o] for o in options}
        # Coalesced: the projector got far fewer snapshots than there were commands.
        assert len(snapshots) < PHONES * 2

        steer("close-round")
        steer("reveal", {"reveal": True})
        for phone in phones:
            phone.wait_for(lambda s: s["phase"] == "results" and s["results"] is not None)

        [round_export] = facilitator.export()
        assert round_export["voters"] == PHONES
        assert round_export["method"] == "dots"
        texts_by_id = {i["idea"]["id"]: i["idea"]["text"] for i in ideas}
        by_text = {r["text"]: r for r in round_export["ranking"]}
        for option in options:
            row = by_text[texts_by_id[option]]
            assert row["score"] == expected[option]
            assert row["supporters"] == supporters[option]
        # Ranks: ties share a rank, and a rank counts the options strictly ahead of it.
        for row in round_export["ranking"]:
            ahead = sum(1 for o in options if expected[o] > row["score"])
            assert row["rank"] == ahead + 1
    finally:
        close_all([*(p.sio for p in phones), projector, moderator])


def test_phone_reconnecting_resyncs_to_the_current_phase(live_server):
    base = live_server.url
    facilitator = Facilitator(base, "Reconnexion")
    code = facilitator.code
    phone = Phone(base, code)
    phone.connect()
    phone.sio.disconnect()
    facilitator.steer("open-ideas")
    phone.sio = socketio.Client(http_session=phone.http, reconnection=False)
    phone.sio.on("workshop_changed", phone._on_state)
    phone.connect()  # the join answer carries the state it missed
    assert phone.states[-1]["phase"] == "ideas"
    phone.sio.disconnect()


def test_serve_prints_a_join_address_phones_on_the_network_can_reach(tmp_path):
    from tests.conftest import start_server, stop_server

    server = start_server(tmp_path / "instance", args=("--demo",))
    try:
        log = server.log.read_text()
        # French by default, English when the machine's language is (the CLI's language)
        address = re.search(r"(?:join at|se joignent à)\s*: http://([\d.]+):(\d+)", log)
        assert address, log
        assert not address.group(1).startswith("127."), log
        demo = re.search(r"(?:phones|cellulaires)\s*:\s+(\S+)", log).group(1)
        path = demo.split(address.group(2), 1)[1]
        page = requests.get(server.url + path, timeout=10)
        assert page.status_code == 200 and "<html" in page.text
        assert ("Demo workshop" in log or "Atelier de démonstration" in log) and "/f/" in log
    finally:
        stop_server(server)


def participants_in(server) -> int:
    """How many participants the server's SQLite database holds."""
    import sqlite3

    with sqlite3.connect(server.instance / "workshop.db") as db:
        return db.execute("SELECT count(*) FROM participants").fetchone()[0]


def test_a_phone_without_script_proposes_and_votes_with_plain_forms(live_server):
    """No phone.js: the page's own forms (CSRF field, client id) are enough. Pages make
    nobody; the first form joins, and the phone stays one participant."""
    base = live_server.url
    facilitator = Facilitator(base, "Sans script")
    facilitator.steer("open-ideas")
    phone = requests.Session()

    def form_of(page: str, form_id: str) -> tuple[str, dict[str, str]]:
        form = re.search(rf'<form[^>]*action="([^"]+)"[^>]*id="{form_id}".*?</form>', page,
                         re.S)
        assert form, f"no #{form_id} on the page"
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
        return form.group(1), hidden

    page = phone.get(f"{base}/j/{facilitator.code}", timeout=10).text
    for part in ("panel", "state"):
        phone.get(f"{base}/j/{facilitator.code}/{part}", timeout=10).raise_for_status()
    assert participants_in(live_server) == 0
    action, fields = form_of(page, "idea-form")
    sent = phone.post(base + action, data={**fields, "text": "Une halte-garderie"}, timeout=10)
    assert sent.status_code == 200 and "flash-ok" in sent.text  # redirected to the page
    assert "Une halte-garderie" in sent.text
    idea = facilitator.http.get(f"{base}{facilitator.path}/panel", timeout=10)
    idea_id = re.search(r'name="idea" value="(\d+)"', idea.text).group(1)
    facilitator.steer("approve", {"idea": int(idea_id)})
    facilitator.steer("open-round", {"dots": 2, "max_per_option": 1})

    page = phone.get(f"{base}/j/{facilitator.code}", timeout=10).text
    action, fields = form_of(page, "ballot-form")
    voted = phone.post(base + action, data={**fields, f"dots-{idea_id}": "1"}, timeout=10)
    assert voted.status_code == 200 and "flash-ok" in voted.text
    assert f'name="dots-{idea_id}" value="1"' in voted.text
    assert participants_in(live_server) == 1
    (exported,) = facilitator.export()
    assert exported["voters"] == 1 and exported["ranking"][0]["score"] == 1
