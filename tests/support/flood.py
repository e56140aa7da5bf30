"""An idea flood against a real server, from one address, while another room votes.

Test support for tests/test_flood.py (`-m server`, small sizes) and bench/flood.py (by
hand, at the sizes of issue 12: 250 participants, 2,500 ideas). What it measures: how many
participants and ideas got in and how the rest were refused; the facilitator's page (size
and time to answer) once the flood is in; and the latency of another room's ballots before
and during the flood. Plain `requests` in threads: the flood is about the server's cost,
not about the client's.
"""

from __future__ import annotations

import re
import secrets
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _csrf(html: str) -> str:
    found = CSRF_RE.search(html)
    if not found:
        raise RuntimeError("page without a CSRF token")
    return found.group(1)


class Facilitator:
    """A browser holding a workshop's secret link."""

    def __init__(self, base: str, title: str) -> None:
        self.base = base
        self.http = requests.Session()
        form = self.http.get(f"{base}/new", timeout=30)
        created = self.http.post(f"{base}/new", allow_redirects=False, timeout=30,
                                 data={"title": title, "csrf_token": _csrf(form.text)})
        self.path = created.headers["Location"].split("?")[0]
        page = self.http.get(base + self.path, timeout=30).text
        self.code = re.search(r'data-code="([A-Z0-9]+)"', page).group(1)
        self.csrf = _csrf(page)

    def do(self, command: str, **fields: Any) -> dict[str, Any]:
        answer = self.http.post(f"{self.base}{self.path}/do/{command}", json=fields,
                                headers={"X-CSRFToken": self.csrf}, timeout=60)
        if answer.status_code != 200:
            raise RuntimeError(f"{command}: {answer.status_code} {answer.text[:200]}")
        return answer.json()

    def page(self, query: str = "") -> tuple[int, float, str]:
        """GET the facilitator page; return (bytes, milliseconds, text)."""
        start = time.perf_counter()
        answer = self.http.get(f"{self.base}{self.path}{query}", timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        return len(answer.content), elapsed, answer.text


class Phone:
    """A browser of the room: opens the page (gets a CSRF token), then sends commands."""

    def __init__(self, base: str, code: str) -> None:
        self.base, self.code = base, code
        self.http = requests.Session()
        self.csrf = _csrf(self.http.get(f"{base}/j/{code}", timeout=60).text)

    def post(self, what: str, body: dict[str, Any]) -> requests.Response:
        return self.http.post(f"{self.base}/j/{self.code}/{what}", json=body, timeout=60,
                              headers={"X-CSRFToken": self.csrf, "Accept": "application/json"})


@dataclass
class Voters:
    """Another room's phones, voting again and again; records each ballot's latency."""

    base: str
    count: int
    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.room = Facilitator(self.base, "Autre salle")
        for n in range(5):
            self.room.do("add-idea", text=f"Priorité {n}")
        self.room.do("open-round", method="dots", dots=3)
        page = self.room.http.get(f"{self.base}/j/{self.room.code}/state", timeout=30).json()
        self.options = page["round"]["options"]
        self.phones = [Phone(self.base, self.room.code) for _ in range(self.count)]
        for phone in self.phones:
            joined = phone.http.post(f"{self.base}/j/{self.room.code}/join", timeout=30,
                                     headers={"X-CSRFToken": phone.csrf,
                                              "Accept": "application/json"})
            joined.raise_for_status()

    def vote_until(self, stop: threading.Event) -> list[float]:
        """Each phone votes in turn until `stop`, each about once a second (within its
        ballot limit, 60 a minute); return this run's latencies (ms)."""
        pause = 1.1 / len(self.phones)
        mine: list[float] = []
        n = 0
        while not stop.is_set():
            phone = self.phones[n % len(self.phones)]
            ballot = {str(self.options[(n + k) % len(self.options)]): 1 for k in range(3)}
            start = time.perf_counter()
            answer = phone.post("ballot", {"client_id": secrets.token_hex(8), "ballot": ballot})
            mine.append((time.perf_counter() - start) * 1000)
            if answer.status_code != 200:
                self.failures[answer.status_code] += 1
            n += 1
            time.sleep(pause)
        self.latencies += mine
        return mine


def latency_summary(values: list[float]) -> dict[str, float | int | None]:
    """Count, median and slowest of some latencies (ms)."""
    if not values:
        return {"ballots": 0, "median_ms": None, "slowest_ms": None}
    return {"ballots": len(values), "median_ms": round(statistics.median(values), 1),
            "slowest_ms": round(max(values), 1)}


def run_flood(base: str, participants: int, ideas_each: int, threads: int = 16,
              voters: int = 5, baseline_seconds: float = 2.0,
              approved: int = 0) -> dict[str, Any]:
    """Flood one workshop from this address while another room votes; return the figures.

    `approved` ideas are on the flooded room's wall first (the facilitator's merge menus
    grew with them)."""
    room = Facilitator(base, "Salle inondée")
    room.do("open-ideas")
    for n in range(approved):
        room.do("add-idea", text=f"Idée du mur {n}")
    other = Voters(base, voters)

    stop = threading.Event()
    timer = threading.Timer(baseline_seconds, stop.set)
    timer.start()
    before = other.vote_until(stop)

    joins: Counter = Counter()
    answers: Counter = Counter()
    accepted_by: Counter = Counter()
    lock = threading.Lock()

    def flooder(n: int) -> None:
        phone = Phone(base, room.code)
        for k in range(ideas_each):
            answer = phone.post("ideas", {"text": f"Idée {n}-{k} " + secrets.token_hex(4),
                                          "client_id": secrets.token_hex(8)})
            body = answer.json() if answer.headers.get("Content-Type", "").startswith(
                "application/json") else {}
            with lock:
                if k == 0:
                    joins["refused" if body.get("error") == "rate_limited" else "joined"] += 1
                code = "accepted" if body.get("ok") else body.get("error", answer.status_code)
                answers[code] += 1
                if body.get("ok"):
                    accepted_by[n] += 1

    # The facilitator's page stays open: facilitator.js fetches the panel after each push
    # (at most every 0.15 s), as this loop does.
    panels: list[tuple[int, float]] = []

    def refresh_panel() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            answer = room.http.get(f"{base}{room.path}/panel", timeout=120)
            panels.append((len(answer.content), (time.perf_counter() - start) * 1000))
            time.sleep(0.15)

    stop = threading.Event()
    during: list[float] = []
    voting = threading.Thread(target=lambda: during.extend(other.vote_until(stop)))
    refreshing = threading.Thread(target=refresh_panel)
    voting.start()
    refreshing.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(flooder, range(participants)))
    flood_seconds = time.perf_counter() - start
    stop.set()
    voting.join()
    refreshing.join()

    pages = [room.page("?lang=en") for _ in range(3)]
    size, _ms, html = pages[-1]
    waiting = re.search(r"\((\d+) waiting\)", html)
    return {
        "participants": participants, "ideas_sent": participants * ideas_each,
        "joins": dict(joins), "answers": dict(answers),
        "accepted_per_participant_max": max(accepted_by.values(), default=0),
        "participants_heard": len(accepted_by),
        "flood_seconds": round(flood_seconds, 2),
        "pending_shown": int(waiting.group(1)) if waiting else None,
        "panel_bytes": size, "panel_ms": [round(ms, 1) for _b, ms, _t in pages],
        "panel_refreshes_during": len(panels),
        "panel_refresh_bytes_max": max((b for b, _ms in panels), default=0),
        "panel_refresh_slowest_ms": round(max((ms for _b, ms in panels), default=0), 1),
        "panel_html": html,
        "other_room_before": latency_summary(before),
        "other_room_during": latency_summary(during),
        "other_room_failures": dict(other.failures),
    }
