"""Who is connected, and which workshops need a fresh push: in one process, or shared.

Infra layer, used only by broadcast.py and sockets.py; imports only its two helpers
(`dirty_workshops`, `pusher_lease`). One process keeps both in memory. Several processes
behind a load balancer (REDIS_URL set) share them through Redis, under keys
`workshop:<deployment>:...` where the deployment is named after the database URL:

- **Presence.** Each process counts its own participants with a phone connected per
  workshop (see LocalPresence: sockets without a participant count for nobody; a
  participant whose tabs sit on two processes counts on each) and publishes the counts
  in the hash `...:presence:<code>` (field: the process id), at most once per push
  interval, and who they are in `...:present:<code>` (the representativeness monitor
  counts them by group). A process proves it is alive with a key that expires (`...:proc:<id>`);
  the counts of a process that died stop counting when its key expires, and the pusher
  drops them. The total is this process's own live count plus the others' published ones.
- **Dirty workshops** (dirty_workshops.py). `mark(code)` increments `...:dirty[code]` right
  after the commit, on whichever process ran the command. The pusher takes the whole hash,
  pushes, and then deletes only the entries whose counter did not move meanwhile, so a
  change that lands during a push is pushed again, and a pusher that dies mid-push leaves
  its work.
- **One pusher** (pusher_lease.py). Exactly one process at a time (a lease `...:pusher`,
  renewed every interval, taken over by another process within PUSHER_LEASE seconds if it
  dies) builds the views and emits them through the message queue. Pushes are therefore
  emitted in the order of the database reads they were built from, and its "same as last
  time" check compares with what it itself sent last: it cannot suppress a push that
  another process's stale view would need, because no other process emits. A new pusher
  starts with an empty memory and re-pushes every workshop that has sockets.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

from workshop.live.dirty_workshops import DirtyWorkshops
from workshop.live.pusher_lease import PusherLease

PREFIX = "workshop:"
PUSHER_LEASE = 3.0      # seconds another process waits before taking over a dead pusher
PROCESS_TTL = 10.0      # seconds a silent process's presence counts keep counting
# A phone without script has no socket: it counts as connected while it has shown a page
# of the workshop within this many seconds (a person reading the ballot, then voting).
PAGE_PRESENCE = 600.0


class LocalPresence:
    """Sockets per workshop and changed workshops, for a single server process.

    What is counted is participants, not sockets: a socket counts only when it joined as a
    phone with a cookie naming a participant of that workshop, and a participant with
    several tabs open counts once. A socket is not a person: anyone can open hundreds
    without a cookie, and the count is what the facilitator compares with the room.
    """

    shared = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # code -> sid -> the participant it counts for (None: it counts for nobody)
        self._members: dict[str, dict[str, int | None]] = defaultdict(dict)
        self._joined: dict[str, set[str]] = defaultdict(set)
        # code -> participant -> how many of its sockets are here
        self._phones: dict[str, dict[int, int]] = defaultdict(dict)
        # code -> participant -> when a phone without script last showed a page of it
        self._paged: dict[str, dict[int, float]] = defaultdict(dict)
        # participants that have had a socket here: phones with script, counted by sockets
        # only (one that left must not count on for PAGE_PRESENCE)
        self._scripted: set[int] = set()
        self._dirty: set[str] = set()

    # sockets ---------------------------------------------------------------------------
    def arrive(self, code: str, sid: str, role: str, participant: int | None = None) -> None:
        """Note a socket that joined a workshop; it counts as connected only as a phone of
        a participant (`participant`: its id, found from the socket's cookie)."""
        with self._lock:
            self._uncount(code, self._members[code].get(sid))
            counted = participant if role == "phone" else None
            self._members[code][sid] = counted
            self._joined[sid].add(code)
            if counted is not None:
                sockets = self._phones[code]
                sockets[counted] = sockets.get(counted, 0) + 1
                self._scripted.add(counted)
                self._paged.get(code, {}).pop(counted, None)
            self._counts_changed(code)

    def page_seen(self, code: str, participant: int) -> None:
        """Note that a participant's browser showed a page of a workshop over HTTP: a phone
        without script, which never opens a socket, counts as connected for
        PAGE_PRESENCE seconds after each page (a phone with script counts by its socket)."""
        now = time.monotonic()
        with self._lock:
            if participant in self._scripted:
                return
            seen = self._paged[code]
            fresh = now - seen.get(participant, -1e18) > PAGE_PRESENCE
            seen[participant] = now
            if fresh:
                self._counts_changed(code)

    def leave(self, sid: str) -> list[str]:
        """Forget a socket that disconnected; return the workshops it had joined."""
        with self._lock:
            codes = sorted(self._joined.pop(sid, ()))
            for code in codes:
                members = self._members.get(code)
                if members is None:
                    continue
                self._uncount(code, members.pop(sid, None))
                if not members:
                    del self._members[code]
                self._counts_changed(code)
            return codes

    def _uncount(self, code: str, participant: int | None) -> None:  # with the lock held
        if participant is None:
            return
        sockets = self._phones.get(code)
        if sockets is None or participant not in sockets:
            return
        sockets[participant] -= 1
        if sockets[participant] <= 0:
            del sockets[participant]
        if not sockets:
            del self._phones[code]

    def local_present(self, code: str) -> frozenset[int]:
        """Return the participants with a phone connected to a workshop on this process:
        by a socket, or without script by a page shown lately."""
        now = time.monotonic()
        with self._lock:
            sockets = self._phones.get(code, {})
            seen = self._paged.get(code)
            if not seen:
                return frozenset(sockets)
            for participant in [p for p, at in seen.items() if now - at > PAGE_PRESENCE]:
                del seen[participant]
            return frozenset(sockets).union(seen)

    def local_phones(self, code: str) -> int:
        """Return how many participants have a phone connected to a workshop on this
        process (see local_present)."""
        return len(self.local_present(code))

    def present(self, code: str) -> frozenset[int]:
        """Return the participants with a phone connected to a workshop, on every process
        (the representativeness monitor counts them by group)."""
        return self.local_present(code)

    def phones(self, code: str) -> int:
        """Return how many participants have a phone connected to a workshop, on every
        process."""
        return self.local_phones(code)

    def _counts_changed(self, code: str) -> None:  # called with the lock held
        self._dirty.add(code)

    # changed workshops -----------------------------------------------------------------
    def mark(self, code: str) -> None:
        """Note that a workshop changed, so the pusher builds its views again."""
        with self._lock:
            self._dirty.add(code)

    def tick(self) -> bool:
        """Do the periodic shared-state chores; return whether this process is the pusher."""
        return True

    def take(self) -> dict[str, Any]:
        """Return the changed workshops (with a token to pass to `done`)."""
        with self._lock:
            taken, self._dirty = self._dirty, set()
        return dict.fromkeys(taken)

    def done(self, taken: dict[str, Any]) -> None:
        """Forget the workshops pushed by the last `take` (nothing to do in one process)."""

    def became_pusher(self) -> bool:
        """Say whether the pusher's memory of sent views must be dropped (never here)."""
        return False

    def active_codes(self) -> list[str]:
        """Return the workshops that have sockets connected (on this process)."""
        with self._lock:
            return list(self._members)


class RedisPresence(LocalPresence):
    """The same, shared by every server process through Redis (see the module doc)."""

    shared = True

    def __init__(self, url: str, interval: float, namespace: str = "") -> None:
        super().__init__()
        import redis

        # Blocking: under gevent hundreds of requests may mark at once; they wait for one
        # of a few connections instead of failing (redis-py's default pool refuses past 100).
        self.redis = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
            url, max_connections=32, timeout=20))
        self.prefix = f"{PREFIX}{namespace}:" if namespace else PREFIX
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.interval = interval
        self._publish: set[str] = set()
        self._ticks = 0
        self.changes = DirtyWorkshops(self.redis, f"{self.prefix}dirty")
        self.lease = PusherLease(self.redis, f"{self.prefix}pusher", self.id, PUSHER_LEASE)
        self._alive()

    def _alive(self) -> None:
        self.redis.set(f"{self.prefix}proc:{self.id}", "1", px=int(PROCESS_TTL * 1000))

    def _counts_changed(self, code: str) -> None:  # called with the lock held
        self._publish.add(code)

    def phones(self, code: str) -> int:
        counts = self.redis.hgetall(f"{self.prefix}presence:{code}")
        others = [key.decode() for key in counts if key.decode() != self.id]
        alive = self.redis.mget([f"{self.prefix}proc:{o}" for o in others]) if others else []
        total = sum(int(counts[other.encode()]) for other, up in zip(others, alive, strict=True)
                    if up is not None)
        return total + self.local_phones(code)

    def present(self, code: str) -> frozenset[int]:
        published = self.redis.hgetall(f"{self.prefix}present:{code}")
        others = [key.decode() for key in published if key.decode() != self.id]
        alive = self.redis.mget([f"{self.prefix}proc:{o}" for o in others]) if others else []
        ids = set(self.local_present(code))
        for other, up in zip(others, alive, strict=True):
            if up is not None:
                ids.update(int(n) for n in published[other.encode()].split(b",") if n)
        return frozenset(ids)

    def mark(self, code: str) -> None:
        try:
            self.changes.mark(code)
        except Exception:  # the change is committed: never turn it into an error
            from flask import current_app, has_app_context

            if has_app_context():
                current_app.logger.exception("could not queue a push for %s", code)

    def tick(self) -> bool:
        """Publish changed counts, prove this process alive, hold or take the pusher lease."""
        with self._lock:
            if self._ticks % max(1, int(2 / self.interval)) == 0:
                # Every two seconds, all of them: a restarted Redis has forgotten them.
                self._publish.update(self._members)
                self._publish.update(self._paged)
            publish, self._publish = self._publish, set()
        present = {code: self.local_present(code) for code in publish}
        if present:
            pipe = self.redis.pipeline(transaction=False)
            for code, ids in present.items():
                key = f"{self.prefix}presence:{code}"
                who = f"{self.prefix}present:{code}"
                if ids:
                    pipe.hset(key, self.id, len(ids))
                    pipe.hset(who, self.id, ",".join(map(str, sorted(ids))))
                    pipe.sadd(f"{self.prefix}presence-codes", code)
                else:
                    pipe.hdel(key, self.id)
                    pipe.hdel(who, self.id)
                self.changes.mark(code, pipe)
            pipe.execute()
        self._ticks += 1
        if self._ticks % max(1, int(1 / self.interval)) == 0:
            self._alive()
        was = self.lease.held
        pusher = self.lease.renew()
        if pusher and not was:
            self._repush_everything()
        if pusher and self._ticks % max(1, int(2 / self.interval)) == 0:
            self._drop_dead_processes()
        return pusher

    def became_pusher(self) -> bool:
        return self.lease.just_taken()

    def _repush_everything(self) -> None:
        self.changes.mark_all(
            [c.decode() for c in self.redis.smembers(f"{self.prefix}presence-codes")])

    def _drop_dead_processes(self) -> None:
        """Stop counting the sockets of processes that stopped proving they are alive."""
        for raw in self.redis.smembers(f"{self.prefix}presence-codes"):
            code = raw.decode()
            key = f"{self.prefix}presence:{code}"
            fields = [f.decode() for f in self.redis.hkeys(key)]
            if not fields:
                self.redis.srem(f"{self.prefix}presence-codes", code)
                continue
            alive = self.redis.mget([f"{self.prefix}proc:{f}" for f in fields])
            dead = [f for f, up in zip(fields, alive, strict=True) if up is None]
            if dead:
                self.redis.hdel(key, *dead)
                self.redis.hdel(f"{self.prefix}present:{code}", *dead)
                self.mark(code)

    def active_codes(self) -> list[str]:
        return [c.decode() for c in self.redis.smembers(f"{self.prefix}presence-codes")]

    def take(self) -> dict[str, Any]:
        return self.changes.take()

    def done(self, taken: dict[str, Any]) -> None:
        self.changes.done(taken)

    def forget_process(self) -> None:
        """Withdraw this process's counts and lease (on a clean shutdown)."""
        with self._lock:
            codes = set(self._phones) | set(self._members) | self._publish
        pipe = self.redis.pipeline(transaction=False)
        for code in codes:
            pipe.hdel(f"{self.prefix}presence:{code}", self.id)
            pipe.hdel(f"{self.prefix}present:{code}", self.id)
            self.changes.mark(code, pipe)
        pipe.delete(f"{self.prefix}proc:{self.id}")
        pipe.execute()
        self.lease.release()
