"""Several server processes behind nginx, on Redis and PostgreSQL, as docs/deploy.md sets up.

Three `workshop serve` processes share one PostgreSQL schema and the Redis message queue;
nginx in front gives each browser a process by cookie (every phone here comes from
127.0.0.1, like a hall behind one NAT address). Phones on different processes vote,
projectors on every process receive every result, and the export matches the ballots.
Also: presence and the single pusher in Redis, and the pusher's views.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import Facilitator
from tests.support.cluster import REDIS, Cluster
from tests.support.scaleout import Phone, Screen, close_all
from tests.support.services import redis_or_skip, services_or_skip
from workshop.live.presence import RedisPresence

PHONES = 30


@pytest.mark.server
def test_three_processes_behind_nginx_share_pushes_presence_and_ballots():
    services_or_skip()
    with Cluster(kind="app", processes=3) as cluster:
        base = cluster.url
        facilitator = Facilitator(base, "Trois processus")
        code, steer = facilitator.code, facilitator.steer

        for n in range(6):
            steer("add-idea", {"text": f"Priorité {n}"})
        screens = [Screen(backend, code) for backend in cluster.backends]
        screens.append(Screen(base, code))
        with ThreadPoolExecutor(max_workers=10) as pool:
            phones = list(pool.map(
                lambda n: Phone(base, code, "polling" if n % 3 == 0 else "websocket"),
                range(PHONES)))
        try:
            # One address, yet the phones are spread over every process (cookie affinity),
            # and long-polling phones work, which needs every request on one process.
            assert len({p.upstream for p in phones}) == 3
            for screen in screens:  # presence is summed over the processes
                screen.wait_for(lambda s: s["connected"] == PHONES)

            steer("open-round", {"dots": 3, "max_per_option": 1, "show_live": True})
            state = screens[0].wait_for(lambda s: s["phase"] == "vote")
            options = state["round"]["options"]
            deadline = time.monotonic() + 30
            while not all("vote" in p.phases for p in phones):  # pushed to every process
                assert time.monotonic() < deadline, [p.phases for p in phones]
                time.sleep(0.1)

            rng = random.Random(7)
            ballots = [{str(o): 1 for o in rng.sample(options, rng.randint(1, 3))}
                       for _ in phones]
            with ThreadPoolExecutor(max_workers=10) as pool:
                acks = list(pool.map(lambda pair: pair[0].vote(pair[1]),
                                     zip(phones, ballots, strict=True)))
            assert all(a["ok"] for a in acks)
            expected = Counter()
            for ballot in ballots:
                expected.update({int(k): v for k, v in ballot.items()})
            totals = {o: expected[o] for o in options}
            for screen in screens:  # every process's projector gets the final result
                final = screen.wait_for(lambda s: s["voted"] == PHONES and s["results"] and
                                        {r["idea"]: r["score"] for r in s["results"]["ranking"]}
                                        == totals)
                assert final["connected"] == PHONES

            steer("close-round")
            [exported] = facilitator.export()
            assert exported["voters"] == PHONES
            assert {row["text"]: row["score"] for row in exported["ranking"]} == \
                {f"Priorité {n}": expected[o] for n, o in enumerate(options)}
        finally:
            close_all([*(p.sio for p in phones), *(s.sio for s in screens)])


def test_presence_sums_processes_and_forgets_a_dead_one():
    redis_or_skip()
    namespace = f"test-{secrets.token_hex(4)}"
    one = RedisPresence(REDIS, 0.25, namespace)
    two = RedisPresence(REDIS, 0.25, namespace)
    try:
        one.arrive("ABC234", "s1", "phone", 1)  # sockets of participants 1, 2 and 3
        one.arrive("ABC234", "s2", "phone", 2)
        two.arrive("ABC234", "s3", "phone", 3)
        two.arrive("ABC234", "s4", "screen")
        one.tick()
        two.tick()
        assert one.phones("ABC234") == 3 and two.phones("ABC234") == 3
        two.redis.delete(f"{two.prefix}proc:{two.id}")  # process two stops proving it lives
        assert one.phones("ABC234") == 2
        one.leave("s1")
        assert one.phones("ABC234") == 1  # its own sockets count at once
    finally:
        one.forget_process()
        two.forget_process()
        _drop(one)


def test_one_pusher_and_no_change_is_lost_during_a_push():
    redis_or_skip()
    namespace = f"test-{secrets.token_hex(4)}"
    one = RedisPresence(REDIS, 0.25, namespace)
    two = RedisPresence(REDIS, 0.25, namespace)
    try:
        assert [one.tick(), two.tick()] == [True, False]  # exactly one pusher
        assert one.became_pusher() and not two.became_pusher()
        two.mark("ABC234")
        taken = one.take()
        assert list(taken) == ["ABC234"]
        two.mark("ABC234")  # a ballot commits while the pusher builds its views
        one.done(taken)
        assert list(one.take()) == ["ABC234"]  # so it is pushed again
        one.done(one.take())
        assert one.take() == {}
        one.forget_process()  # the pusher stops: the other takes over
        assert two.tick() is True and two.became_pusher()
    finally:
        one.forget_process()
        two.forget_process()
        _drop(one)


def _drop(presence: RedisPresence) -> None:
    keys = list(presence.redis.scan_iter(f"{presence.prefix}*"))
    if keys:
        presence.redis.delete(*keys)
