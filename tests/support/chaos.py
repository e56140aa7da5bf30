"""Chaos: SIGKILL the server at random moments of a vote burst; no acknowledged ballot is
lost, none is counted twice, and phones resync.

A real `workshop serve` process on loopback and a fresh SQLite database. Hundreds of
phones (HTTP sessions with their cookies, all from 127.0.0.1 like a hall behind one NAT)
vote, some change their vote; a phone that gets no answer sends the same command again
with the same client id until it is acknowledged, as phone.js does. Meanwhile the server
is killed with SIGKILL at random points of the burst and started again on the same port
and database. At the end: every phone's state shows its last acknowledged ballot, the
database holds exactly one ballot per phone and one receipt per command, the export
counts each ballot once, the database passes its integrity check, the log shows no
error, and sample phones holding sockets are back in sync by themselves.

`run()` is one run: tests/test_durability.py runs it with the CI figures, and
bench/chaos.py on the command line (its long variant: more phones, kills and runs).

Test support: imports the standard library, requests and the socketio client; it starts
`workshop serve` as a process and reads its SQLite database, never importing `workshop`
except to find how the server boots.
"""

from __future__ import annotations

import gc
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]  # the repository

OPTIONS = ("Transport", "Logement", "Alimentation", "Internet", "Garderies", "Santé")
DOTS, CAP = 3, 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `workshop serve` process at a time, on a fixed port and instance folder."""

    def __init__(self, instance: Path, port: int, log: Path) -> None:
        self.instance, self.port, self.log = instance, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def command(self) -> list[str]:
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--public-url", self.url]
        try:  # start gevent-patched at once, as `serve` would after re-executing itself
            from workshop.serving import BOOT
        except ImportError:
            return [sys.executable, "-m", "workshop", *args]
        return [sys.executable, "-c", BOOT, *args]

    def start(self, timeout: float = 120) -> None:
        env = {**os.environ, "WORKSHOP_INSTANCE": str(self.instance)}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(self.command(), stdout=out,
                                            stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed that was not already."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Phone:
    """One phone: its cookie, the ballots it means to cast, and what was acknowledged."""

    n: int
    http: requests.Session
    csrf: str = ""
    plan: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    acked: list[tuple[str, dict]] = field(default_factory=list)
    retries: int = 0


@dataclass
class Report:
    phones: int
    kills: int
    starts: int
    commands_sent: int
    acknowledged: int
    retries: int
    duplicates_answered: int
    ballots_counted: int
    lost: int
    duplicated: int
    mismatched: int
    receipts: int
    export_voters: int
    export_matches: bool
    integrity: str
    log_errors: int
    sockets: int
    sockets_resynced: int
    seconds: float

    def ok(self) -> bool:
        return (self.lost == 0 and self.duplicated == 0 and self.mismatched == 0
                and self.ballots_counted == self.phones and self.export_matches
                and self.export_voters == self.phones and self.receipts == self.commands_sent
                and self.integrity == "ok" and self.log_errors == 0
                and self.sockets_resynced == self.sockets)


def csrf_of(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def until_answered(send, phone: Phone, stop: float) -> requests.Response:
    """Send until the server answers (not a network failure, not a 5xx), or give up."""
    pause = 0.05
    while True:
        try:
            answer = send()
            if answer.status_code < 500:
                return answer
        except requests.RequestException:
            pass
        phone.retries += 1
        if time.monotonic() > stop:
            raise RuntimeError(f"phone {phone.n} got no answer in time")
        time.sleep(pause)
        pause = min(0.5, pause * 1.6)


def run(workdir: Path, phones: int = 500, kills: int = 10, changes: float = 0.3,
        seed: int = 2026, sockets: int = 10, workers: int = 24, budget: float = 600,
        log=print) -> Report:
    """One chaos run; returns its report (check `report.ok()`)."""
    rng = random.Random(seed)
    began = time.monotonic()
    stop = began + budget
    workdir.mkdir(parents=True, exist_ok=True)
    server = Server(workdir / "instance", free_port(), workdir / "server.log")
    server.start()
    listeners: list = []
    sessions: list[requests.Session] = []
    try:
        # The facilitator sets up a dot vote.
        boss = requests.Session()
        sessions.append(boss)
        form = boss.get(f"{server.url}/new", timeout=30)
        made = boss.post(f"{server.url}/new", data={"title": "Chaos",
                                                    "csrf_token": csrf_of(form.text)},
                         allow_redirects=False, timeout=30)
        link = made.headers["Location"].split("?")[0]
        page = boss.get(server.url + link, timeout=30).text
        boss_csrf = csrf_of(page)
        code = page.split('data-code="', 1)[1].split('"', 1)[0]

        def steer(command: str, **fields) -> dict:
            answer = until_answered(lambda: boss.post(
                f"{server.url}{link}/do/{command}", json=fields,
                headers={"X-CSRFToken": boss_csrf}, timeout=30), Phone(-1, boss), stop)
            assert answer.status_code == 200, answer.text
            return answer.json()

        for text in OPTIONS:
            steer("add-idea", text=text)
        round_id = steer("open-round", title="Chaos", dots=DOTS, max_per_option=CAP,
                         show_live=True)["round"]

        # The hall joins (one address), and each phone plans its ballot(s).
        crowd = [Phone(n, requests.Session()) for n in range(phones)]
        sessions.extend(phone.http for phone in crowd)

        def join(phone: Phone) -> list[int]:
            page = phone.http.get(f"{server.url}/j/{code}/state", timeout=30)
            page.raise_for_status()
            phone.csrf = csrf_of(phone.http.get(f"{server.url}/j/{code}", timeout=30).text)
            # Join before the burst, as phone.js does on opening the page: a first ballot
            # that joined on its own and lost its answer to a kill would come back without
            # the cookie, as another participant.
            joined = phone.http.post(f"{server.url}/j/{code}/join", timeout=30,
                                     headers={"X-CSRFToken": phone.csrf,
                                              "Accept": "application/json"})
            joined.raise_for_status()
            return page.json()["round"]["options"]

        with ThreadPoolExecutor(max_workers=workers) as pool:
            options = list(pool.map(join, crowd))[0]
        log(f"  {phones} phones joined after {time.monotonic() - began:.1f} s")
        for phone in crowd:
            for k in range(2 if rng.random() < changes else 1):
                ballot: Counter = Counter()
                for _ in range(rng.randint(1, DOTS)):
                    choice = rng.choice(options)
                    if ballot[choice] < CAP:
                        ballot[choice] += 1
                phone.plan.append((f"chaos-{seed}-{phone.n:05d}-{k}",
                                   {str(o): d for o, d in ballot.items()}))
        total = sum(len(p.plan) for p in crowd)

        # Sample phones also hold sockets that re-join on every reconnect.
        import socketio as socketio_client

        for phone in crowd[:sockets]:
            client = socketio_client.Client(reconnection=True, reconnection_delay=0.2,
                                            reconnection_delay_max=1, http_session=phone.http)
            client.last_state = None

            def on_connect(client=client):
                client.emit("join", {"code": code, "role": "phone"},
                            callback=lambda answer, c=client: setattr(
                                c, "last_state", answer.get("state")))

            client.on("connect", on_connect)
            client.on("workshop_changed", lambda state, c=client: setattr(c, "last_state",
                                                                         state))
            client.connect(server.url, transports=["websocket"], wait_timeout=30)
            listeners.append(client)

        # The burst, with the killer watching the number of acknowledged commands.
        acked = [0]
        acked_lock = threading.Lock()
        thresholds = sorted(rng.sample(range(1, total), kills)) if kills else []
        killed = [0]
        restarts: list[float] = []

        def killer() -> None:
            for threshold in thresholds:
                while True:
                    with acked_lock:
                        if acked[0] >= threshold:
                            break
                    time.sleep(0.005)
                time.sleep(rng.uniform(0, 0.05))
                server.kill()
                killed[0] += 1
                time.sleep(rng.uniform(0, 0.3))
                restarting = time.monotonic()
                server.start()
                restarts.append(time.monotonic() - restarting)

        def vote(phone: Phone) -> None:
            for client_id, ballot in phone.plan:
                body = {"client_id": client_id, "ballot": ballot}
                answer = until_answered(lambda b=body: phone.http.post(
                    f"{server.url}/j/{code}/ballot", json=b,
                    headers={"X-CSRFToken": phone.csrf}, timeout=10), phone, stop)
                if answer.status_code == 429:
                    time.sleep(int(answer.headers.get("Retry-After", "1")))
                    answer = until_answered(lambda b=body: phone.http.post(
                        f"{server.url}/j/{code}/ballot", json=b,
                        headers={"X-CSRFToken": phone.csrf}, timeout=10), phone, stop)
                assert answer.status_code == 200, (phone.n, answer.status_code, answer.text)
                phone.acked.append((client_id, answer.json()))
                with acked_lock:
                    acked[0] += 1
                time.sleep(rng.uniform(0, 0.01))

        murderer = threading.Thread(target=killer, daemon=True)
        murderer.start()
        order = list(crowd)
        rng.shuffle(order)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(vote, order))
        murderer.join(timeout=max(1.0, stop - time.monotonic()))
        if murderer.is_alive():
            raise RuntimeError("the killer did not finish")
        log(f"  burst over after {time.monotonic() - began:.1f} s; restarts took "
            f"{sum(restarts):.1f} s in all")

        # What each phone sees now (it resyncs from the server, over HTTP).
        def state(phone: Phone) -> dict:
            return until_answered(lambda: phone.http.get(f"{server.url}/j/{code}/state",
                                                         timeout=30), phone, stop).json()

        with ThreadPoolExecutor(max_workers=workers) as pool:
            states = list(pool.map(state, crowd))
        mismatched = sum(1 for phone, seen in zip(crowd, states, strict=True)
                         if seen["ballot"] != phone.acked[-1][1]["ballot"])
        duplicates_answered = sum(1 for p in crowd for _cid, a in p.acked if a.get("duplicate"))

        # What the database holds.
        with sqlite3.connect(f"file:{workdir / 'instance' / 'workshop.db'}?mode=ro",
                             uri=True) as db:
            counted = db.execute("SELECT count(*) FROM ballots WHERE round_id = ?",
                                 (round_id,)).fetchone()[0]
            per_participant = db.execute(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM ballots WHERE round_id = ? "
                "GROUP BY participant_id)", (round_id,)).fetchone()[0] or 0
            sent = {cid for p in crowd for cid, _b in p.plan}
            receipts = db.execute("SELECT client_id, count(*) FROM receipts WHERE kind = "
                                  "'ballot' GROUP BY client_id").fetchall()
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        seen_receipts = {cid: n for cid, n in receipts if cid in sent}
        lost = len(sent - set(seen_receipts)) + max(0, phones - counted)
        duplicated = sum(n - 1 for n in seen_receipts.values()) + max(0, per_participant - 1)

        # Close, reveal, and check the count and the phones holding sockets.
        steer("close-round")
        steer("reveal", reveal=True)
        expected: Counter = Counter()
        for phone in crowd:
            for option, dots in phone.acked[-1][1]["ballot"].items():
                expected[int(option)] += dots
        exported = until_answered(lambda: boss.get(f"{server.url}{link}/export.json",
                                                   timeout=30), Phone(-1, boss), stop)
        exported = exported.json()["votes"]
        texts = {o: t for o, t in zip(options, OPTIONS, strict=False)}
        by_text = {row["text"]: row["score"] for row in exported[0]["ranking"]}
        export_matches = all(by_text.get(texts[o], 0) == expected[o] for o in options)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
                (c.last_state or {}).get("results") for c in listeners):
            time.sleep(0.05)
        resynced = sum(1 for c in listeners if (c.last_state or {}).get("results"))
        log_text = server.log.read_text(errors="replace")
        report = Report(
            phones=phones, kills=killed[0], starts=server.starts, commands_sent=total,
            acknowledged=sum(len(p.acked) for p in crowd),
            retries=sum(p.retries for p in crowd),
            duplicates_answered=duplicates_answered, ballots_counted=counted, lost=lost,
            duplicated=duplicated, mismatched=mismatched, receipts=sum(seen_receipts.values()),
            export_voters=exported[0]["voters"], export_matches=export_matches,
            integrity=integrity, log_errors=log_text.count("Traceback"),
            sockets=len(listeners), sockets_resynced=resynced,
            seconds=round(time.monotonic() - began, 1))
        log(f"seed {seed}: {phones} phones, {report.kills} kills, "
            f"{report.acknowledged}/{total} acknowledged, {counted} counted, lost {lost}, "
            f"duplicated {duplicated}, retries {report.retries}, "
            f"sockets resynced {resynced}/{len(listeners)} ({report.seconds} s)")
        return report
    finally:
        def hang_up(client) -> None:
            client.reconnection = False
            client.shutdown()  # disconnects, or stops a reconnection loop and waits for it

        with ThreadPoolExecutor(max_workers=max(1, len(listeners))) as pool:
            list(pool.map(hang_up, listeners))  # each may wait for its closing handshake
        for session in sessions:
            session.close()
        server.stop()
        # Connection attempts made while the server was down (the socket clients' own
        # reconnections) leave sockets for the garbage collector: collect them now, quietly.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
