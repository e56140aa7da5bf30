"""Redis restarts in the middle of a vote across three processes: nothing acknowledged is
lost, every process subscribes again, and every projector converges to the final totals.

The test runs its own Redis server on a free port, so stopping it disturbs nothing else.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.conftest import Facilitator, free_port
from tests.support.cluster import Cluster
from tests.support.scaleout import Phone, Screen, close_all
from tests.support.services import services_or_skip

pytestmark = pytest.mark.server
PHONES = 24


class RedisServer:
    """A throw-away redis-server on a free loopback port, that keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def test_redis_restart_during_a_vote_loses_nothing_and_projectors_converge():
    services_or_skip()
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    queue = RedisServer()
    queue.start()
    try:
        with Cluster(kind="app", processes=3, redis_url=queue.url) as cluster:
            base = cluster.url
            facilitator = Facilitator(base, "Redis redémarre")
            code, steer = facilitator.code, facilitator.steer

            for n in range(5):
                steer("add-idea", {"text": f"Priorité {n}"})
            screens = [Screen(backend, code) for backend in cluster.backends]
            with ThreadPoolExecutor(max_workers=8) as pool:
                phones = list(pool.map(lambda _n: Phone(base, code, "websocket"),
                                       range(PHONES)))
            try:
                steer("open-round", {"dots": 2, "max_per_option": 1, "show_live": True})
                options = screens[0].wait_for(lambda s: s["phase"] == "vote")["round"]["options"]
                rng = random.Random(11)
                ballots = [{str(o): 1 for o in rng.sample(options, 2)} for _ in phones]
                half = PHONES // 2
                with ThreadPoolExecutor(max_workers=8) as pool:
                    first = list(pool.map(lambda i: phones[i].vote(ballots[i]), range(half)))

                queue.stop()  # Redis goes away with whatever it held...
                during = phones[half].vote(ballots[half])  # ...and a ballot still lands
                queue.start()  # ...and comes back empty

                with ThreadPoolExecutor(max_workers=8) as pool:
                    rest = list(pool.map(lambda i: phones[i].vote(ballots[i]),
                                         range(half + 1, PHONES)))
                assert all(a["ok"] for a in [*first, during, *rest])

                expected = Counter()
                for ballot in ballots:
                    expected.update({int(k): v for k, v in ballot.items()})
                totals = {o: expected[o] for o in options}
                for screen in screens:  # each process subscribed again: pushes arrive
                    screen.wait_for(lambda s: s["voted"] == PHONES and s["results"] and
                                    {r["idea"]: r["score"] for r in s["results"]["ranking"]}
                                    == totals, timeout=60)
                steer("close-round")
                [exported] = facilitator.export()
                assert exported["voters"] == PHONES
                assert {r["text"]: r["score"] for r in exported["ranking"]} == \
                    {f"Priorité {n}": expected[o] for n, o in enumerate(options)}
            finally:
                close_all([*(p.sio for p in phones), *(s.sio for s in screens)])
    finally:
        queue.stop()
