"""Load benchmark: simulated phones and projectors against the real server, on loopback.

Run: python bench/load.py --scenario day|room|soak|scaleout [--method dots|ranking|pairwise]
     [--phones N] [--window S] ...

Each run has two halves on the same machine, one after the other:

1. **The app.** `workshop serve` (gevent, SQLite) — or, for `scaleout`, several processes
   on PostgreSQL and the Redis message queue behind nginx. A facilitator creates a
   workshop; N phones open the page, connect their socket and join; some submit ideas,
   which are approved; a dot vote opens and every phone votes once at a random moment of
   the window; projectors record when each snapshot arrives. Then a closed loop of ballot
   changes measures the app's throughput at saturation. The database is read back: every
   acknowledged ballot must be there exactly once.
2. **The framework ceiling.** bench/bare.py, the same layout with no application work,
   gets the same phones, the same timed round trips and the same closed loop.

Prints a table, then one JSON line with every figure (keys include phones,
connected_ratio, ack_p95_ms, ack_p99_ms, lag_p95_ms, lost, duplicated, ceiling_ratio: ballots
over the phones' sockets against the bare framework's acknowledged Socket.IO round trips;
ceiling_ratio_http is the POST fallback against bare HTTP round trips).
Latencies count from each command's intended send time; projector lag runs from a ballot's
acknowledgement to the first snapshot, on each projector, whose count includes it (the
ballot's position in commit order is read from the database afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from tests.support.cluster import Cluster  # noqa: E402
from tests.support.room import (  # noqa: E402
    DOTS,
    Load,
    Projector,
    Spec,
    app_half,
    flat,
    load_average,
    machine_busy,
    spread,
)

SCENARIOS: dict[str, dict[str, Any]] = {
    # the day itself: 150 phones, every ballot within 10 s
    "day": {"phones": 150, "window": 10.0, "workers": 1},
    # a large room: 2,000 phones in one process, every ballot within 20 s
    "room": {"phones": 2000, "window": 20.0, "workers": 2},
    # a soak: 5,000 connected to one process for 5 minutes, ballots spread over the 5 minutes
    "soak": {"phones": 5000, "window": 300.0, "workers": 3},
    # scale-out: 6,000 phones over 3 processes behind nginx, Redis and PostgreSQL; on two
    # cores that also run PostgreSQL, Redis, nginx and the load, ballots over 2 minutes
    "scaleout": {"phones": 6000, "window": 120.0, "workers": 3, "processes": 3},
}
# A hall of thousands behind one NAT address joins within a minute: the operator raises
# the per-address join limits (workshop/guard/http_limits.py, socket_throttles.py) and
# connections (workshop/serving.py: by default one address holds half the server) with
# `workshop serve --set`. One process keeps the limiter's counts in memory (the default);
# several share them in Redis, whose client pool refuses more than 100 connections unless
# told otherwise.
BIG_HALL = {"RATELIMIT_JOIN": "20000 per minute;100000 per hour",
            "SOCKET_JOIN_PER_ADDRESS": [20000, 2000],
            "CONNECTIONS_PER_ADDRESS": 20000,  # as many as the file limit allows
            "RATELIMIT_STORAGE_OPTIONS": {"max_connections": 1000}}
# The saturation loops send a phone's ballots back to back (a dozen a second each): the
# per-participant ballot limits (60 a minute) would refuse most of them, so every scenario
# raises them. The limiter still runs for every ballot; it just never says no.
SATURATION = {"RATELIMIT_BALLOTS": "1000000 per minute", "SOCKET_BALLOTS": [1000000, 100000]}
SCENARIOS["day"]["settings"] = SATURATION
for _name in ("room", "soak", "scaleout"):
    SCENARIOS[_name]["settings"] = {**BIG_HALL, **SATURATION}


async def bare_half(spec: Spec) -> dict[str, Any]:
    """The framework ceiling: same phones, same round trips, no application work."""
    out: dict[str, Any] = {}
    with Cluster(kind="bare", processes=spec.processes, async_mode=spec.async_mode) as cluster:
        started = cluster.stats()
        code = "BARE00"
        screen = Projector(cluster.url, code)
        await screen.connect()
        before = cluster.stats()
        load = Load(spec.workers, spec.phones, [cluster.url], code, spec.seed)
        try:
            joined = flat(await load.call("join"))
            connected = [j["index"] for j in joined if j["ok"]]
            after = cluster.stats()
            out["bare_connected_ratio"] = round(len(connected) / spec.phones, 4)
            out["bare_mem_per_conn_kb"] = round((after["rss"] - before["rss"]) / 1024 /
                                                max(1, len(connected)), 1)
            t0 = time.monotonic() + 1.0  # the soak's schedule is not worth 5 minutes here
            timed = flat(await load.call("timed", kind="ballot", t0=t0,
                                         window=min(spec.window, 20.0),
                                         options=list(range(1, 11)), dots=DOTS))
            out.update(spread("bare_ack", [t["acked"] - t["intended"] for t in timed
                                           if t["ok"]]))
            if spec.saturate_seconds > 0:
                runners = connected[:spec.saturate_phones]
                for transport, key in (("http", "ceiling_rps"), ("socketio", "ceiling_sio_rps")):
                    cpu0 = cluster.stats()["cpu_s"]
                    parts = await load.call("saturate", only=runners,
                                            seconds=spec.saturate_seconds, transport=transport,
                                            options=list(range(1, 11)), dots=DOTS)
                    done = sum(p["done"] for p in parts)
                    out[key] = round(done / max(p["elapsed"] for p in parts), 1)
                    out[f"{key[:-4]}_cpu_ms_per_rt"] = round(
                        (cluster.stats()["cpu_s"] - cpu0) * 1000 / max(1, done), 2)
                    out.update(spread(f"{key[:-4]}_ack",
                                      flat([p["latencies"] for p in parts])))
        finally:
            await load.close()
            await screen.close()
            ended = cluster.stats()
            out["bare_cpu_s"] = round(ended["cpu_s"] - started["cpu_s"], 2)
            out["bare_peak_mb"] = round(ended["hwm"] / 2**20, 1)
    return out


async def run(spec: Spec) -> dict[str, Any]:
    """Run both halves; return every figure."""
    figures: dict[str, Any] = {"scenario": spec.scenario, "method": spec.method,
                               "phones": spec.phones,
                               "processes": spec.processes, "async_mode": spec.async_mode,
                               "window_s": spec.window, "cores": os.cpu_count(),
                               "load_before": load_average(),
                               "cpu_busy_before": machine_busy()}
    figures.update(await app_half(spec))
    figures["load_after_app"] = load_average()
    if spec.ceiling:
        figures.update(await bare_half(spec))
        figures["load_after_bare"] = load_average()
        # The headline ratio is the phones' own path: ballots as acknowledged socket events
        # against the bare framework's acknowledged round trips. By POST (the fallback
        # when a phone's socket is down) against bare HTTP round trips: ceiling_ratio_http.
        if figures.get("app_sio_rps") and figures.get("ceiling_sio_rps"):
            figures["ceiling_ratio"] = round(
                figures["app_sio_rps"] / figures["ceiling_sio_rps"], 3)
        if figures.get("app_rps") and figures.get("ceiling_rps"):
            figures["ceiling_ratio_http"] = round(figures["app_rps"] / figures["ceiling_rps"], 3)
    figures.setdefault("ceiling_ratio", None)
    figures.update(spec.notes)
    return figures


# --- output ------------------------------------------------------------------------------

ROWS = [
    ("phones connected", "connected", "connected_ratio"),
    ("connect p95 (ms)", "connect_p95_ms", None),
    ("command ack p50/p95/p99/max (ms)", "ack_p50_ms", "ack_p95_ms", "ack_p99_ms",
     "ack_max_ms"),
    ("  ballots only p95/p99 (ms)", "ballot_ack_p95_ms", "ballot_ack_p99_ms"),
    ("  bare framework, same schedule p95/p99 (ms)", "bare_ack_p95_ms", "bare_ack_p99_ms"),
    ("projector lag p50/p95/p99 (ms)", "lag_p50_ms", "lag_p95_ms", "lag_p99_ms"),
    ("phone push (vote opens) p95 (ms), reached", "phone_push_p95_ms", "phones_reached_ratio"),
    ("pulls after push (phones' and screens' GETs)", "pulls_after_push", None),
    ("facilitator page lag p50/p95 (ms), fetches", "facilitator_lag_p50_ms",
     "facilitator_lag_p95_ms", "facilitator_fetches"),
    ("ballots acked / counted in db", "acked", "counted"),
    ("lost / duplicated", "lost", "duplicated"),
    ("projectors converged", "converged", None),
    ("disconnections (phones, projectors)", "disconnections", "projector_disconnections"),
    ("server CPU s (whole run), peak MB", "server_cpu_s", "server_peak_mb"),
    ("memory per connection KB: app / bare", "mem_per_conn_kb", "bare_mem_per_conn_kb"),
    ("saturation: app ballots/s by POST, ms CPU each", "app_rps", "app_cpu_ms_per_ballot"),
    ("saturation: app ballots/s by socket, ms CPU each", "app_sio_rps",
     "app_sio_cpu_ms_per_ballot"),
    ("ceiling: bare HTTP / Socket.IO round trips/s", "ceiling_rps", "ceiling_sio_rps"),
    ("ceiling: bare ms CPU per round trip HTTP / S.IO", "ceiling_cpu_ms_per_rt",
     "ceiling_sio_cpu_ms_per_rt"),
    ("ceiling ratio: socket vs Socket.IO / POST vs HTTP", "ceiling_ratio",
     "ceiling_ratio_http"),
    ("load average before / after", "load_before", "load_after_bare"),
    ("machine CPU busy before the run (others)", "cpu_busy_before", None),
]


def table(figures: dict[str, Any]) -> str:
    lines = [f"scenario {figures['scenario']} ({figures.get('method', 'dots')}): "
             f"{figures['phones']} phones, "
             f"{figures['processes']} process(es), {figures['async_mode']}, "
             f"{figures['cores']} cores"]
    for label, *keys in ROWS:
        values = [str(figures.get(k)) for k in keys if k is not None]
        lines.append(f"  {label:<48} {' / '.join(values)}")
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> Spec:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="day")
    parser.add_argument("--method", choices=["dots", "ranking", "pairwise"], default="dots",
                        help="the vote the phones cast (pairwise: --pairs judgements each, "
                             "no saturation loop)")
    parser.add_argument("--pairs", type=int, default=10,
                        help="judgements per phone in a pairwise vote")
    parser.add_argument("--phones", type=int)
    parser.add_argument("--window", type=float, help="seconds in which every phone votes")
    parser.add_argument("--workers", type=int, help="load-generator processes (0: this one)")
    parser.add_argument("--processes", type=int, help="server processes (>1: nginx, Redis, "
                                                      "PostgreSQL)")
    parser.add_argument("--saturate-seconds", type=float, default=5.0)
    parser.add_argument("--saturate-phones", type=int, default=150)
    parser.add_argument("--async-mode", choices=["gevent", "threading"], default="gevent")
    parser.add_argument("--no-ceiling", action="store_true",
                        help="skip the bare framework half")
    parser.add_argument("--keep", default="", help="keep server logs and data here")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="NAME=JSON", help="an extra `workshop serve --set` setting")
    args = parser.parse_args(argv)
    base = {"processes": 1, **SCENARIOS[args.scenario]}
    extra = {}
    for setting in args.settings:
        name, _, value = setting.partition("=")
        try:
            extra[name] = json.loads(value)
        except ValueError:
            extra[name] = value
    if extra:
        base["settings"] = {**base.get("settings", {}), **extra}
    for name in ("phones", "window", "workers", "processes"):
        if getattr(args, name) is not None:
            base[name] = getattr(args, name)
    return Spec(scenario=args.scenario, method=args.method, pairs=args.pairs,
                saturate_seconds=args.saturate_seconds,
                saturate_phones=args.saturate_phones, async_mode=args.async_mode,
                keep=args.keep,
                ceiling=not args.no_ceiling, **base)


def main(argv: list[str] | None = None) -> None:
    spec = parse(argv)
    figures = asyncio.run(run(spec))
    print(table(figures))
    print(json.dumps({**figures, "spec": {k: v for k, v in asdict(spec).items()
                                          if k != "notes"}}, sort_keys=True))


if __name__ == "__main__":
    main()
