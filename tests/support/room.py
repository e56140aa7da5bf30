"""The load benchmark's room against the real app: a facilitator, projectors and simulated
phones; every figure of the app's half of bench/load.py, and the checks that every
acknowledged ballot is in the database exactly once.

Shared by bench/load.py (which adds the scenarios, the bare framework's half and the table)
and tests/test_load_small.py (200 phones, asserting only what must always hold).

Test support: imports the standard library, aiohttp, the socketio client, sqlalchemy and
tests/support (cluster, phones); it drives servers over the wire, never `workshop` itself.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import math
import multiprocessing
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from tests.support.cluster import Cluster
from tests.support.phones import PhoneGroup, worker_main

SEED_IDEAS = 8
DOTS = 3


@dataclass
class Spec:
    """What one run does."""

    scenario: str = "day"
    method: str = "dots"          # the vote: dots, ranking or pairwise
    pairs: int = 10               # judgements per phone in a pairwise vote
    phones: int = 150
    window: float = 10.0
    workers: int = 1
    processes: int = 1
    idea_phones: int = 0          # phones that submit an idea (default: 10 %, at most 40)
    idea_window: float = 3.0
    saturate_phones: int = 150
    saturate_seconds: float = 5.0
    ceiling: bool = True
    async_mode: str = "gevent"
    converge_timeout: float = 60.0
    seed: int = 2026
    settings: dict[str, Any] = field(default_factory=dict)
    keep: str = ""                # a folder to keep the servers' logs and data in
    notes: dict[str, Any] = field(default_factory=dict)


# --- figures ------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def spread(prefix: str, seconds: list[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds under `prefix`."""
    return {f"{prefix}_p50_ms": ms(percentile(seconds, 50)),
            f"{prefix}_p95_ms": ms(percentile(seconds, 95)),
            f"{prefix}_p99_ms": ms(percentile(seconds, 99)),
            f"{prefix}_max_ms": ms(max(seconds) if seconds else None)}


def machine_busy(seconds: float = 1.0) -> float:
    """Fraction of the machine's CPU time in use over `seconds` (by anyone), from /proc."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    try:
        busy0, total0 = sample()
        time.sleep(seconds)
        busy1, total1 = sample()
    except OSError:
        return -1.0
    return round((busy1 - busy0) / max(1, total1 - total0), 3)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- the people driving the room ------------------------------------------------------------

class Facilitator:
    """The facilitator's browser: creates the workshop and steers it over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                          timeout=aiohttp.ClientTimeout(total=120))
        self.secret = self.code = self.csrf = ""

    async def create(self, title: str) -> None:
        async with self.http.get(f"{self.base}/new") as page:
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', await page.text()).group(1)
        async with self.http.post(f"{self.base}/new", data={"title": title, "csrf_token": csrf},
                                  allow_redirects=False) as created:
            path = created.headers["Location"].split("?")[0]
        self.secret = path.rsplit("/", 1)[1]
        async with self.http.get(f"{self.base}/f/{self.secret}") as page:
            text = await page.text()
        self.code = re.search(r'data-code="([A-Z0-9]+)"', text).group(1)
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', text).group(1)

    async def do(self, command: str, **fields: Any) -> dict[str, Any]:
        async with self.http.post(f"{self.base}/f/{self.secret}/do/{command}", json=fields,
                                  headers={"X-CSRFToken": self.csrf}) as answer:
            body = await answer.json(content_type=None)
            if answer.status != 200:
                raise RuntimeError(f"{command}: {answer.status} {body}")
            return body

    async def export(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.base}/f/{self.secret}/export.json") as answer:
            return (await answer.json(content_type=None))["votes"]

    async def close(self) -> None:
        await self.http.close()


class Projector:
    """A projector (or the facilitator's page) on the real Socket.IO client: records every
    snapshot with its arrival time.

    As the facilitator's page (facilitator.js), a push that carries its panel is shown at
    once; one without (an older server) makes the page GET /f/<secret>/panel, one request
    at a time, and the view is shown when the panel arrives: such GETs are `fetches`."""

    def __init__(self, base: str, code: str, role: str = "screen", secret: str = "") -> None:
        self.base, self.code, self.role, self.secret = base, code, role, secret
        self.sio = socketio.AsyncClient(reconnection=False)
        self.snapshots: list[tuple[float, int, dict[int, int] | None, str, int]] = []
        self.disconnected = False
        self.fetches: list[float] = []  # when the page asked for its panel
        self._http: aiohttp.ClientSession | None = None
        self._fetching = False
        self._waiting: dict[str, Any] | None = None
        self.sio.on("screen_changed" if role == "screen" else "facilitator_changed", self._on)
        self.sio.on("disconnect", self._gone)

    async def _gone(self, *_args: Any) -> None:
        self.disconnected = True

    def _record(self, state: dict[str, Any]) -> None:
        results = state.get("results") if self.role == "screen" else state.get("live_results")
        scores = {r["idea"]: r["score"] for r in results["ranking"]} if results else None
        self.snapshots.append((time.monotonic(), state.get("voted", 0), scores,
                               state.get("phase", ""), state.get("connected", 0)))

    async def _on(self, state: dict[str, Any]) -> None:
        if self.role == "screen" or isinstance(state.get("panel"), str):
            self._record(state)
            return
        self._waiting = state
        if not self._fetching:
            self._fetching = True
            asyncio.get_running_loop().create_task(self._fetch())

    async def _fetch(self) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        try:
            while self._waiting is not None:
                state, self._waiting = self._waiting, None
                self.fetches.append(time.monotonic())
                with contextlib.suppress(TimeoutError, aiohttp.ClientError):
                    async with self._http.get(
                            f"{self.base}/f/{self.secret}/panel") as answer:
                        await answer.read()
                self._record(state)
        finally:
            self._fetching = False

    async def connect(self) -> None:
        await self.sio.connect(self.base, transports=["websocket"], wait_timeout=30)
        answer = await self.sio.call("join", {"code": self.code, "role": self.role,
                                              "secret": self.secret}, timeout=30)
        if not answer.get("ok"):
            raise RuntimeError(f"projector join refused: {answer}")
        self._record(answer["state"])  # the page just loaded shows it

    def last(self) -> tuple[float, int, dict[int, int] | None, str, int]:
        return self.snapshots[-1]

    async def close(self) -> None:
        await self.sio.disconnect()
        if self._http is not None:
            await self._http.close()


class Load:
    """The phones, in `workers` processes (0: in this process), each an asyncio loop."""

    def __init__(self, workers: int, phones: int, bases: list[str], code: str,
                 seed: int) -> None:
        indices = list(range(phones))
        self.local: PhoneGroup | None = None
        self.pipes: list[Any] = []
        self.processes: list[Any] = []
        if workers == 0:
            self.local = PhoneGroup(indices, bases, code, seed)
            return
        context = multiprocessing.get_context("spawn")
        for n in range(workers):
            mine = indices[n::workers]
            parent, child = context.Pipe()
            process = context.Process(target=worker_main, args=(child, mine, bases, code,
                                                                seed + n), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    async def call(self, op: str, **args: Any) -> list[Any]:
        """Run one operation on every group of phones at once; return each group's result."""
        if self.local is not None:
            if op == "status":
                return [self.local.status()]
            return [await getattr(self.local, op)(**args)]
        loop = asyncio.get_running_loop()
        for pipe in self.pipes:
            pipe.send((op, args))
        return list(await asyncio.gather(*(loop.run_in_executor(None, pipe.recv)
                                           for pipe in self.pipes)))

    async def close(self) -> list[Any]:
        results = await self.call("close")
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
        return results


def flat(results: list[list[Any]]) -> list[Any]:
    return [item for part in results for item in part]


# --- the database read back -----------------------------------------------------------------

def read_back(database_url: str, code: str) -> dict[str, Any]:
    """Return the round's ballots and ballot receipts, by participant digest, in id order."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as db:
            workshop = db.execute(sa.text("SELECT id, current_round_id FROM workshops "
                                          "WHERE code = :c"), {"c": code}).one()
            ballots = db.execute(sa.text(
                "SELECT b.id, p.secret_digest, b.content FROM ballots b JOIN participants p "
                "ON p.id = b.participant_id WHERE b.round_id = :r ORDER BY b.id"),
                {"r": workshop.current_round_id}).all()
            receipts = db.execute(sa.text(
                "SELECT p.secret_digest, r.client_id FROM receipts r JOIN participants p "
                "ON p.id = r.participant_id WHERE p.workshop_id = :w "
                "AND r.kind IN ('ballot', 'pair')"),
                {"w": workshop.id}).all()
    finally:
        engine.dispose()

    def content(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return {"ballots": [(row[1], content(row[2])) for row in ballots],
            "receipts": [(row[0], row[1]) for row in receipts]}


def check_ballots(acked: set[tuple[str, str]], final: dict[str, dict[str, Any]],
                  sent: set[tuple[str, str]], db: dict[str, Any]) -> dict[str, int]:
    """Count lost and duplicated ballots from what the phones were told and the database.

    lost: an acknowledged command without its receipt, or a phone whose stored ballot is
    not the last one it was told was recorded. duplicated: a participant with more than one
    ballot row, a command with more than one receipt, a receipt for no command sent.
    """
    rows: dict[str, list[dict[str, int]]] = {}
    for who, content in db["ballots"]:
        rows.setdefault(who, []).append(content)
    receipts: dict[tuple[str, str], int] = {}
    for key in db["receipts"]:
        receipts[key] = receipts.get(key, 0) + 1
    lost = sum(1 for key in acked if key not in receipts)
    lost += sum(1 for who, last in final.items() if rows.get(who, [None])[-1] != last["ballot"])
    duplicated = sum(len(r) - 1 for r in rows.values() if len(r) > 1)
    duplicated += sum(n - 1 for n in receipts.values() if n > 1)
    duplicated += sum(1 for key in receipts if key not in sent)
    return {"lost": lost, "duplicated": duplicated, "counted": len(rows),
            "receipts": len(receipts),
            "unacked_committed": sum(1 for key in receipts if key not in acked)}


def projector_lag(projectors: list[Projector], ballots: list[dict[str, Any]],
                  positions: dict[str, int]) -> tuple[list[float], int]:
    """Seconds from each acknowledged ballot to the first snapshot including it, on each
    projector; and how many (ballot, projector) pairs never saw it."""
    lags: list[float] = []
    missing = 0
    for projector in projectors:
        times, counts, best = [], [], 0
        for arrived, voted, _scores, _phase, _conn in projector.snapshots:
            best = max(best, voted)
            times.append(arrived)
            counts.append(best)
        for ballot in ballots:
            position = positions.get(ballot["digest"])
            if position is None:
                continue
            index = bisect.bisect_left(counts, position)
            if index >= len(counts):
                missing += 1
                continue
            lags.append(max(0.0, times[index] - ballot["acked"]))
    return lags, missing


async def converge(projectors: list[Projector], voted: int, totals: dict[int, int] | None,
                   timeout: float) -> bool:
    """Wait until every projector's last snapshot shows these totals (None: a method
    whose scores are not sums of the ballots, only the number of voters)."""
    deadline = time.monotonic() + timeout
    while True:
        done = all(p.snapshots and p.last()[1] == voted and
                   (totals is None or (p.last()[2] or {}) == totals) for p in projectors)
        if done or time.monotonic() > deadline:
            return done
        await asyncio.sleep(0.1)


def totals_of(ballots: list[tuple[str, Any]], options: list[int], method: str = "dots"
              ) -> dict[int, int] | None:
    """The projector's totals of a dot vote (None for the other methods)."""
    if method != "dots":
        return None
    totals = dict.fromkeys(options, 0)
    for _who, content in ballots:
        for key, dots in content.items():
            totals[int(key)] += dots
    return totals


# --- the two halves -------------------------------------------------------------------------

async def app_half(spec: Spec) -> dict[str, Any]:
    """Run the room against the app; return its figures."""
    out: dict[str, Any] = {}
    keep = Path(spec.keep) / "app" if spec.keep else None
    with Cluster(kind="app", processes=spec.processes, async_mode=spec.async_mode,
                 settings=spec.settings, workdir=keep) as cluster:
        started = cluster.stats()
        facilitator = Facilitator(cluster.url)
        projectors: list[Projector] = []
        load: Load | None = None
        try:
            await facilitator.create("Banc d'essai — priorités régionales")
            for n in range(SEED_IDEAS):
                await facilitator.do("add-idea", text=f"Priorité de départ numéro {n + 1}")
            await facilitator.do("open-ideas")
            code = facilitator.code
            bases = cluster.backends if spec.processes > 1 else [cluster.url]
            for base in [*bases, cluster.url] if spec.processes > 1 else [cluster.url] * 2:
                projectors.append(Projector(base, code))
            projectors.append(Projector(cluster.url, code, "facilitator", facilitator.secret))
            for projector in projectors:
                await projector.connect()
            before = cluster.stats()

            load = Load(spec.workers, spec.phones, [cluster.url], code, spec.seed)
            joined = flat(await load.call("join"))
            connected = [j for j in joined if j["ok"]]
            after_join = cluster.stats()
            out["connected"] = len(connected)
            out["connected_ratio"] = round(len(connected) / spec.phones, 4)
            out["connect_errors"] = sorted({j["error"] for j in joined if not j["ok"]})[:5]
            out["connect_p95_ms"] = ms(percentile([j["seconds"] for j in connected], 95))
            out["mem_per_conn_kb"] = round((after_join["rss"] - before["rss"]) / 1024 /
                                           max(1, len(connected)), 1)

            # ideas: a tenth of the phones submit one; the facilitator approves them
            idea_count = spec.idea_phones or min(40, max(1, spec.phones // 10))
            rng = random.Random(spec.seed)
            authors = sorted(rng.sample([j["index"] for j in connected],
                                        min(idea_count, len(connected))))
            t0 = time.monotonic() + 0.5
            ideas = flat(await load.call("timed", kind="idea", t0=t0, window=spec.idea_window,
                                         only=authors))
            for idea in ideas:
                if idea["ok"]:
                    await facilitator.do("approve", idea=idea["idea"])

            # the vote
            opened = time.monotonic()
            settings = {"dots": {"dots": DOTS, "max_per_option": 1},
                        "pairwise": {"pairs": spec.pairs}}.get(spec.method, {})
            await facilitator.do("open-round", method=spec.method, show_live=True,
                                 title="Banc d'essai", **settings)
            deadline = time.monotonic() + 30
            while projectors[0].last()[3] != "vote" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            state = await _round_options(projectors[0], cluster.url, code)
            options = state
            t0 = time.monotonic() + 1.0
            fetched_before = len(projectors[-1].fetches)
            ballots = flat(await load.call("timed", kind="ballot", t0=t0, window=spec.window,
                                           options=options, dots=DOTS, method=spec.method,
                                           pairs=spec.pairs))
            vote_done = time.monotonic()
            acked = [b for b in ballots if b["ok"]]
            joined_ok = {j["index"] for j in connected}
            status = [s for s in flat([s["phones"] for s in await load.call("status")])
                      if s["index"] in joined_ok]
            seen = [s["vote_seen_at"] - opened for s in status if s["vote_seen_at"]]
            out["phones_reached_ratio"] = round(len(seen) / max(1, len(connected)), 4)
            out.update(spread("phone_push", seen))
            out["disconnections"] = sum(1 for s in status if s["disconnected_at"])
            # phones GET their panel only after a push without it; projectors never do
            out["pulls_after_push"] = sum(s["pulls"] for s in status)

            db = read_back(cluster.database_url, code)
            positions = {who: n + 1 for n, (who, _content) in enumerate(db["ballots"])}
            converged_vote = await converge(projectors, len(db["ballots"]),
                                            totals_of(db["ballots"], options, spec.method),
                                            spec.converge_timeout)
            # a pairwise phone's first judgement adds it to the count; the next ones do not
            firsts = list({b["digest"]: b for b in reversed(acked)}.values())
            lags, never = projector_lag(projectors[:-1], firsts, positions)
            facilitator_page = projectors[-1]
            out.update(spread("facilitator_lag", projector_lag([facilitator_page], firsts,
                                                                positions)[0]))
            out["facilitator_fetches"] = len(facilitator_page.fetches) - fetched_before
            commands = [*ideas, *ballots]
            out["commands"] = len(commands)
            out["acked"] = len(acked)
            out["failed_commands"] = sum(1 for c in commands if not c["ok"])
            out["retried_commands"] = sum(1 for c in commands if c["ok"] and c["attempts"] > 1)
            out.update(spread("ack", [c["acked"] - c["intended"] for c in commands if c["ok"]]))
            out.update(spread("ballot_ack", [b["acked"] - b["intended"] for b in acked]))
            out.update(spread("idea_ack", [i["acked"] - i["intended"] for i in ideas
                                           if i["ok"]]))
            out.update(spread("lag", lags))
            out["lag_never_seen"] = never
            out["vote_phase_s"] = round(vote_done - t0, 2)
            cpu_vote = cluster.stats()["cpu_s"] - after_join["cpu_s"]
            out["server_cpu_s_vote"] = round(cpu_vote, 2)

            # throughput at saturation: closed loops of ballot changes, by POST and then
            # over the phones' sockets (what phone.js does while its socket is up)
            final: dict[str, Any] = {}
            sat_sent: set[tuple[Any, ...]] = set()
            sat_acked: set[tuple[Any, ...]] = set()
            # pairwise judgements are served one pair at a time, `pairs` per phone: no
            # closed loop of ballot changes (ceiling_ratio None)
            if spec.saturate_seconds > 0 and spec.method != "pairwise":
                runners = [j["index"] for j in connected][:spec.saturate_phones]
                for transport, prefix in (("http", "app"), ("socketio-ballot", "app_sio")):
                    cpu0 = cluster.stats()["cpu_s"]
                    parts = await load.call("saturate", only=runners,
                                            seconds=spec.saturate_seconds,
                                            transport=transport, options=options, dots=DOTS,
                                            method=spec.method)
                    done = sum(p["done"] for p in parts)
                    elapsed = max(p["elapsed"] for p in parts)
                    out[f"{prefix}_rps"] = round(done / elapsed, 1)
                    out[f"{prefix}_sat_failures"] = sum(p["failures"] for p in parts)
                    out.update(spread(f"{prefix}_sat_ack",
                                      flat([p["latencies"] for p in parts])))
                    out[f"{prefix}_cpu_ms_per_ballot"] = round(
                        (cluster.stats()["cpu_s"] - cpu0) * 1000 / max(1, done), 2)
                    final.update({f["digest"]: f for f in flat([p["last"] for p in parts])})
                    sat_sent |= {tuple(x) for x in flat([p["sent"] for p in parts])}
                    sat_acked |= {tuple(x) for x in flat([p["acked"] for p in parts])}

            # read back and converge on the final totals
            db = read_back(cluster.database_url, code)
            out["converged"] = converged_vote and await converge(
                projectors, len(db["ballots"]), totals_of(db["ballots"], options, spec.method),
                spec.converge_timeout)
            if spec.method == "pairwise":  # each phone's judgements, in the order acked
                judged: dict[str, list[Any]] = {}
                for b in sorted(acked, key=lambda b: b["acked"]):
                    judged.setdefault(b["digest"], []).append(b["body"]["judgement"])
                final.update({who: {"ballot": steps} for who, steps in judged.items()})
            for b in acked:  # the timed ballot is the last one unless saturation replaced it
                if "ballot" in b["body"]:
                    final.setdefault(b["digest"], {"ballot": b["body"]["ballot"]})
            sent = {(b["digest"], b["client_id"]) for b in ballots} | sat_sent
            acked_ids = {(b["digest"], b["client_id"]) for b in acked} | sat_acked
            checks = check_ballots(acked_ids, final, sent, db)
            out.update(checks)
            out["counted_expected"] = len({b["digest"] for b in acked})
            out["lost"] += max(0, out["counted_expected"] - checks["counted"])
            exported = await facilitator.export()
            out["export_voters"] = exported[-1]["voters"] if exported else None
            out["projectors"] = len(projectors)
            out["projector_disconnections"] = sum(p.disconnected for p in projectors)
            out["connected_on_projector"] = projectors[0].last()[4]
            final_status = [s for s in flat([s["phones"] for s in await load.call("status")])
                            if s["index"] in joined_ok]
            out["disconnections"] = sum(1 for s in final_status if s["disconnected_at"])
        finally:
            if load is not None:
                await load.close()
            for projector in projectors:
                await projector.close()
            await facilitator.close()
            ended = cluster.stats()
            out["server_cpu_s"] = round(ended["cpu_s"] - started["cpu_s"], 2)
            out["server_peak_mb"] = round(ended["hwm"] / 2**20, 1)
            out["server_alive"] = cluster.alive()
    return out


async def _round_options(projector: Projector, _base: str, _code: str) -> list[int]:
    """The options of the open round, from the facilitator's or projector's snapshots."""
    for _attempt in range(100):
        for snapshot in reversed(projector.snapshots):
            if snapshot[3] == "vote" and snapshot[2] is not None:
                return sorted(snapshot[2])
        await asyncio.sleep(0.1)
    raise RuntimeError("the projector never showed the open round")
