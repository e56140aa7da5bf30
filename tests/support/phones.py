"""Simulated phones for bench/load.py and tests/test_load_small.py (through
tests/support/room.py): HTTP commands with aiohttp, a light Socket.IO client.

One python-socketio AsyncClient costs about 0.5 ms of CPU per message and saturates a core
near 2,000 clients, so phones speak the wire protocol themselves over aiohttp WebSockets
(Engine.IO 4 / Socket.IO 5 text frames: `0` open, `40` connect, `2`/`3` ping/pong, `42`
event, `43<id>` acknowledgement). Projectors, which must decode every snapshot exactly, use
the real AsyncClient (bench/load.py).

Every timestamp is time.monotonic(), which is one clock for every process of the machine,
so the load generator can run in several processes and its figures still line up.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import random
import re
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
COMMAND_TIMEOUT = 30.0
RETRIES = 3


def session_secret(cookie: str, code: str) -> str | None:
    """Return the participant secret a Flask session cookie carries (it is signed, not
    encrypted), so that the benchmark can find this phone's rows in the database."""
    try:
        compressed = cookie.startswith(".")
        data = (cookie[1:] if compressed else cookie).split(".")[0]
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        payload = json.loads(zlib.decompress(raw) if compressed else raw)
        return payload.get("participants", {}).get(code)
    except (ValueError, zlib.error, AttributeError):
        return None


def digest(secret: str | None) -> str | None:
    """The digest under which the server stores a participant secret (tokens.digest)."""
    return hashlib.sha256(secret.encode()).hexdigest() if secret else None


def new_client_id() -> str:
    return secrets.token_hex(12)


def random_ballot(rng: random.Random, options: list[int], dots: int,
                  method: str = "dots") -> Any:
    """A valid ballot: dots, 1 to `dots` distinct ideas with one dot each; ranking, 1 to
    all the ideas in a random order (so a hall's rankings nearly all differ)."""
    if method == "ranking":
        return rng.sample(options, rng.randint(1, len(options)))
    chosen = rng.sample(options, rng.randint(1, min(dots, len(options))))
    return {str(option): 1 for option in chosen}


def view_key(state: dict[str, Any]) -> str:
    """What makes phone.js draw a new panel (its viewKey): phase, round, activity."""
    vote = state.get("round") or {}
    activity = state.get("activity") or {}
    return ":".join(str(part) for part in (
        state.get("phase"), vote.get("id"), vote.get("status"), vote.get("revealed"),
        activity.get("id"), state.get("profiles_open")))


@dataclass
class Phone:
    """One simulated phone: its cookies, CSRF token and WebSocket."""

    index: int
    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    digest: str | None = None
    ws: aiohttp.ClientWebSocketResponse | None = None
    reader: asyncio.Task | None = None
    connected: bool = False
    closing: bool = False
    disconnected_at: float | None = None
    vote_seen_at: float | None = None
    pushes: int = 0
    pulls: int = 0                # HTTP requests made in reaction to a push (phone.js's)
    shown: str = ""               # the view key of the panel shown
    pair: list[int] | None = None  # the pair a pairwise round served this phone
    acks: dict[int, asyncio.Future] = field(default_factory=dict)
    next_ack: int = 0

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


async def _retried(once: Callable[[], Awaitable[tuple[dict[str, Any] | None, str, bool]]]
                   ) -> dict[str, Any]:
    """Run a command until it is answered: `once` returns (answer, error, worth retrying);
    a timeout or a broken connection is retried too, RETRIES times in all. Return a
    record: ok, when it was acknowledged, how many attempts, the answer or the error."""
    error = ""
    for attempt in range(1, RETRIES + 1):
        try:
            answer, error, again = await once()
            if answer is not None:
                return {"ok": True, "acked": time.monotonic(), "attempts": attempt,
                        "answer": answer}
            if not again:
                break
        except (TimeoutError, ConnectionError, aiohttp.ClientError, ValueError) as failure:
            error = repr(failure)[:120]
        await asyncio.sleep(0.2 * attempt)
    return {"ok": False, "acked": None, "attempts": attempt, "error": error}


class PhoneGroup:
    """Some phones of the load, all driven from one asyncio loop (one process)."""

    def __init__(self, indices: list[int], bases: list[str], code: str, seed: int = 1) -> None:
        self.code = code
        self.phones = [Phone(i, bases[i % len(bases)]) for i in indices]
        self.rng = random.Random(seed)
        self.http: aiohttp.ClientSession | None = None

    async def _session(self) -> aiohttp.ClientSession:
        if self.http is None:
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, keepalive_timeout=600)
            self.http = aiohttp.ClientSession(connector=connector,
                                              cookie_jar=aiohttp.DummyCookieJar(),
                                              timeout=aiohttp.ClientTimeout(total=60))
        return self.http

    # joining ----------------------------------------------------------------------------
    async def join(self, concurrency: int = 100, role: str = "phone") -> list[dict[str, Any]]:
        """Open each phone's page (cookie, CSRF token), POST its join, connect its socket and
        join the room; a record's `seconds` counts all of it."""
        gate = asyncio.Semaphore(concurrency)

        async def one(phone: Phone) -> dict[str, Any]:
            async with gate:
                start = time.monotonic()
                try:
                    await self._join_one(phone, role)
                    return {"index": phone.index, "ok": True, "digest": phone.digest,
                            "seconds": time.monotonic() - start}
                except Exception as error:  # noqa: BLE001 - reported, not raised
                    return {"index": phone.index, "ok": False, "error": repr(error)[:200]}

        return list(await asyncio.gather(*(one(p) for p in self.phones)))

    async def _join_one(self, phone: Phone, role: str) -> None:
        http = await self._session()
        async with http.get(f"{phone.base}/j/{self.code}") as page:
            text = await page.text()
            if page.status != 200:
                raise RuntimeError(f"page {page.status}: {text[:160]}")
            for name, morsel in page.cookies.items():
                phone.cookies[name] = morsel.value
        match = CSRF_RE.search(text)
        phone.csrf = match.group(1) if match else ""
        if role == "phone":
            # The page makes nobody a participant: POST the join, as phone.js does, before
            # the socket connects, so that its handshake carries the participant's cookie.
            # Part of the phone's join time, as it is part of a real phone's.
            async with http.post(f"{phone.base}/j/{self.code}/join",
                                 headers={"X-CSRFToken": phone.csrf, "Accept": "application/json",
                                          "Cookie": phone.cookie_header()}) as joined:
                body = await joined.text()
                if joined.status != 200:
                    raise RuntimeError(f"join {joined.status}: {body[:160]}")
                for name, morsel in joined.cookies.items():
                    phone.cookies[name] = morsel.value
        phone.digest = digest(session_secret(phone.cookies.get("session", ""), self.code))
        url = phone.base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ws = await http.ws_connect(url, headers={"Cookie": phone.cookie_header()},
                                   autoping=True, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(
                                       ws_receive=None, ws_close=10))
        phone.ws = ws
        opened = await asyncio.wait_for(ws.receive_str(), 30)
        if not opened.startswith("0"):
            raise RuntimeError(f"unexpected open packet {opened[:40]}")
        await ws.send_str("40")
        connected = await asyncio.wait_for(ws.receive_str(), 30)
        if not connected.startswith("40"):
            raise RuntimeError(f"unexpected connect packet {connected[:40]}")
        phone.connected = True
        phone.reader = asyncio.get_running_loop().create_task(self._read(phone))
        answer = await self.emit(phone, "join", {"code": self.code, "role": role}, timeout=30)
        if not (isinstance(answer, dict) and answer.get("ok")):
            raise RuntimeError(f"join refused: {answer}")
        phone.shown = view_key(answer.get("state") or {})  # the page just loaded shows it

    # what phone.js does with a push ------------------------------------------------------------
    def _pushed(self, phone: Phone, state: dict[str, Any]) -> asyncio.Task | None:
        """A push: a new view is drawn from the panel it carries; a push without one (an
        older server) makes the page GET its panel, a pull after a push (the task)."""
        key = view_key(state)
        if key == phone.shown:
            return None
        phone.shown = key
        if isinstance(state.get("panel"), str):
            self._shown(phone, state)
            return None
        return asyncio.get_running_loop().create_task(self._pull(phone, state))

    async def _pull(self, phone: Phone, state: dict[str, Any]) -> None:
        phone.pulls += 1
        http = await self._session()
        try:
            async with http.get(f"{phone.base}/j/{self.code}/panel",
                                headers={"Cookie": phone.cookie_header()}) as answer:
                await answer.read()
                if answer.status != 200:
                    return
        except (TimeoutError, aiohttp.ClientError, ConnectionError):
            return
        self._shown(phone, state)

    def _shown(self, phone: Phone, state: dict[str, Any]) -> None:
        """The phone shows a view: a vote is shown at once, a pairwise vote once the
        phone's socket answered its pair (event `step`, as phone.js asks)."""
        if phone.vote_seen_at is not None or state.get("phase") != "vote":
            return
        if (state.get("round") or {}).get("method") == "pairwise":
            asyncio.get_running_loop().create_task(self._first_step(phone))
        else:
            phone.vote_seen_at = time.monotonic()

    async def _first_step(self, phone: Phone) -> None:
        with contextlib.suppress(TimeoutError, ConnectionError):
            answer = await self.emit(phone, "step", {}, timeout=COMMAND_TIMEOUT)
            if isinstance(answer, dict) and answer.get("ok"):
                phone.pair = answer.get("pair")
                if phone.vote_seen_at is None:
                    phone.vote_seen_at = time.monotonic()

    async def _read(self, phone: Phone) -> None:
        ws = phone.ws
        assert ws is not None
        try:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                data = message.data
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith("42"):
                    phone.pushes += 1
                    name, *args = json.loads(data[2:])
                    if name == "workshop_changed" and args:
                        self._pushed(phone, args[0])
                elif data.startswith("43"):
                    digits = re.match(r"43(\d+)", data)
                    if digits:
                        number = int(digits.group(1))
                        future = phone.acks.pop(number, None)
                        if future is not None and not future.done():
                            payload = json.loads(data[digits.end():])
                            future.set_result(payload[0] if payload else None)
                elif data.startswith("41") or data.startswith("1"):
                    break
        except (aiohttp.ClientError, asyncio.CancelledError, ConnectionError):
            pass
        finally:
            phone.connected = False
            if not phone.closing and phone.disconnected_at is None:
                phone.disconnected_at = time.monotonic()
            for future in phone.acks.values():
                if not future.done():
                    future.set_exception(ConnectionError("socket closed"))
            phone.acks.clear()

    async def emit(self, phone: Phone, event: str, data: Any, timeout: float = 30) -> Any:
        """Send an event with an acknowledgement id and wait for the answer."""
        assert phone.ws is not None
        number = phone.next_ack
        phone.next_ack += 1
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        phone.acks[number] = future
        await phone.ws.send_str(f"42{number}" + json.dumps([event, data],
                                                           separators=(",", ":")))
        return await asyncio.wait_for(future, timeout)

    # commands -----------------------------------------------------------------------------
    async def command(self, phone: Phone, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a command, re-sent with the same client id after a failure; return a record."""
        http = await self._session()
        headers = {"X-CSRFToken": phone.csrf, "Cookie": phone.cookie_header(),
                   "Accept": "application/json"}
        url = f"{phone.base}/j/{self.code}/{path}"

        async def once() -> tuple[dict[str, Any] | None, str, bool]:
            async with http.post(url, json=body, headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=COMMAND_TIMEOUT)) as r:
                answer = await r.json(content_type=None)
                if r.status == 200 and answer.get("ok"):
                    return answer, "", False
                return None, f"{r.status} {answer.get('error')}", r.status == 503

        return await _retried(once)

    async def socket_ballot(self, phone: Phone, body: dict[str, Any]) -> dict[str, Any]:
        """Send a ballot as a socket event, re-sent with the same client id (over the socket
        again, as long as it is up) when unanswered; return a record like `command`."""

        async def once() -> tuple[dict[str, Any] | None, str, bool]:
            answer = await self.emit(phone, "ballot", body, timeout=COMMAND_TIMEOUT)
            if isinstance(answer, dict) and answer.get("ok"):
                return answer, "", False
            error = str(answer.get("error") if isinstance(answer, dict) else answer)
            return None, error, error == "busy"

        return await _retried(once)

    async def timed(self, kind: str, t0: float, window: float, options: list[int] | None = None,
                    dots: int = 3, only: list[int] | None = None, method: str = "dots",
                    pairs: int = 0) -> list[dict[str, Any]]:
        """Each phone (or those in `only`) sends one command at a random moment of the
        window; latency counts from that intended moment, so a stalled server cannot hide.
        A pairwise ballot is `pairs` judgements, one after the other from that moment,
        each on the pair its socket served (event `step`, as phone.js does); the next one
        is intended as soon as the pair arrives."""
        chosen = [p for p in self.phones if only is None or p.index in set(only)]

        async def send(phone: Phone, path: str, body: dict[str, Any], intended: float
                       ) -> dict[str, Any]:
            await asyncio.sleep(max(0.0, intended - time.monotonic()))
            sent = time.monotonic()
            record = await self.command(phone, path, body)
            record.update(index=phone.index, digest=phone.digest, intended=intended, sent=sent,
                          client_id=body["client_id"], body=body)
            return record

        async def one(phone: Phone) -> list[dict[str, Any]]:
            intended = t0 + self.rng.random() * window
            if kind == "idea":
                record = await send(phone, "ideas", {
                    "client_id": new_client_id(), "text": f"Priorité du téléphone {phone.index}"},
                    intended)
                answer = record.pop("answer", None) or {}
                if record["ok"]:
                    record["idea"] = answer.get("idea", {}).get("id")
                return [record]
            if method != "pairwise":
                record = await send(phone, "ballot", {
                    "client_id": new_client_id(),
                    "ballot": random_ballot(self.rng, options or [], dots, method)}, intended)
                record.pop("answer", None)
                return [record]
            records = []
            for _step in range(pairs):
                await asyncio.sleep(max(0.0, intended - time.monotonic()))
                if phone.pair is None:
                    await self._first_step(phone)
                    intended = max(intended, time.monotonic())
                if not phone.pair:
                    break
                left, right = phone.pair
                choice = self.rng.choice([left, right, left, right, None])
                record = await send(phone, "ballot", {"client_id": new_client_id(),
                                                      "judgement": [left, right, choice]},
                                    intended)
                record.pop("answer", None)
                records.append(record)
                phone.pair = None
                if not record["ok"]:
                    break
                intended = time.monotonic()
            return records

        return [r for records in await asyncio.gather(*(one(p) for p in chosen))
                for r in records]

    async def saturate(self, only: list[int], seconds: float, transport: str,
                       options: list[int] | None = None, dots: int = 3,
                       method: str = "dots") -> dict[str, Any]:
        """Closed loop: each chosen phone sends its next command as soon as the last one is
        answered, for `seconds`. transport: "http" (a ballot POST), "socketio" (an
        acknowledged `cmd` event, the bare server only) or "socketio-ballot" (the app's
        acknowledged `ballot` event, what phone.js sends while its socket is up)."""
        chosen = [p for p in self.phones if p.index in set(only) and p.connected]
        stop = time.monotonic() + seconds
        latencies: list[float] = []
        last: dict[int, dict[str, Any]] = {}
        sent_ids: list[tuple[str | None, str]] = []
        acked_ids: list[tuple[str | None, str]] = []
        failures = 0

        async def loop(phone: Phone) -> None:
            nonlocal failures
            while time.monotonic() < stop:
                start = time.monotonic()
                if transport == "socketio":
                    try:
                        await self.emit(phone, "cmd", {"n": start}, timeout=COMMAND_TIMEOUT)
                        latencies.append(time.monotonic() - start)
                    except (TimeoutError, ConnectionError):
                        failures += 1
                    continue
                client_id = new_client_id()
                body = {"client_id": client_id,
                        "ballot": random_ballot(self.rng, options or [1], dots, method)}
                sent_ids.append((phone.digest, client_id))
                if transport == "socketio-ballot":
                    record = await self.socket_ballot(phone, body)
                else:
                    record = await self.command(phone, "ballot", body)
                if record["ok"]:
                    latencies.append(record["acked"] - start)
                    acked_ids.append((phone.digest, client_id))
                    last[phone.index] = {"digest": phone.digest, "ballot": body["ballot"],
                                         "client_id": client_id}
                else:
                    failures += 1

        began = time.monotonic()
        await asyncio.gather(*(loop(p) for p in chosen))
        elapsed = time.monotonic() - began
        return {"done": len(latencies), "failures": failures, "elapsed": elapsed,
                "latencies": latencies, "last": list(last.values()), "sent": sent_ids,
                "acked": acked_ids}

    # state --------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """Connection and push figures of every phone."""
        return {"phones": [{"index": p.index, "connected": p.connected,
                            "disconnected_at": p.disconnected_at,
                            "vote_seen_at": p.vote_seen_at, "pushes": p.pushes,
                            "pulls": p.pulls}
                           for p in self.phones]}

    async def close(self) -> dict[str, Any]:
        """Close every socket (clean close) and the HTTP session."""
        status = self.status()
        for phone in self.phones:
            phone.closing = True

        async def shut(phone: Phone) -> None:
            if phone.ws is not None and not phone.ws.closed:
                with contextlib.suppress(TimeoutError, aiohttp.ClientError, ConnectionError):
                    await asyncio.wait_for(phone.ws.close(), 5)
            if phone.reader is not None:
                phone.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await phone.reader

        gate = asyncio.Semaphore(500)

        async def gated(phone: Phone) -> None:
            async with gate:
                await shut(phone)

        await asyncio.gather(*(gated(p) for p in self.phones))
        if self.http is not None:
            await self.http.close()
            self.http = None
        return status


def worker_main(connection: Any, indices: list[int], bases: list[str], code: str,
                seed: int) -> None:
    """Entry point of a load-generator process: run commands from the pipe until "close"."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop  # optional: a faster loop when installed

        uvloop.install()
    except ImportError:
        pass

    async def serve() -> None:
        group = PhoneGroup(indices, bases, code, seed)
        loop = asyncio.get_running_loop()
        while True:
            op, args = await loop.run_in_executor(None, connection.recv)
            result = await getattr(group, op)(**args) if op != "status" else group.status()
            connection.send(result)
            if op == "close":
                return

    asyncio.run(serve())
