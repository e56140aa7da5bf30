"""What a client can hold of a real `workshop serve` by the way it sends, at full size: a
compressed WebSocket frame that inflates to ~1 GB, a plain 20 MB frame, and 1,100
half-sent requests under a 1,024 open-file limit. Prints one line per attack: the
server's memory (resident before, peak after), how long a visitor from another address
waited for a page meanwhile, and what the attacking connections got.

    python bench/transport.py [--inflated-mb 1000] [--plain-mb 20] [--half-sent 1100]
                              [--nofile 1024]

The figures are in docs/security.md ("Transport") and docs/reliability.md. The small
versions run in CI: tests/test_transport.py.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.raw_http import (  # noqa: E402 - after the path is set
    answered,
    deflate_bomb,
    ends,
    frame_header,
    half_sent,
    memory_kib,
    outcome,
    peak_memory_kib,
    websocket_open,
)


def start(instance: Path, nofile: int) -> tuple[subprocess.Popen, int]:
    """Start `workshop serve` under an open-file limit; return it and its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["sh", "-c", f'ulimit -n {nofile} && exec "$0" -m workshop "$@"',
               sys.executable, "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env={**os.environ,
                                             "WORKSHOP_INSTANCE": str(instance)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with suppress(requests.ConnectionError):
            if requests.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return process, port
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


class Visitor(threading.Thread):
    """Asks for the home page from 127.0.0.2 over and over; keeps the slowest wait."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.slowest, self.unanswered = port, threading.Event(), 0.0, 0

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.monotonic()
            if answered(self.port, "127.0.0.2", timeout=30) != 200:
                self.unanswered += 1
            self.slowest = max(self.slowest, time.monotonic() - began)
            time.sleep(0.05)

    def finish(self) -> str:
        self.stop.set()
        self.join()
        return f"visitor's slowest page {self.slowest:.3f} s, unanswered {self.unanswered}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def bomb(pid: int, port: int, inflated_mb: int) -> str:
    payload = deflate_bomb(inflated_mb << 20)
    sock, head = websocket_open(port)
    negotiated = "permessage-deflate" in head.lower()
    before = memory_kib(pid)
    visitor = Visitor(port)
    visitor.start()
    began = time.monotonic()
    with sock:
        with suppress(OSError):
            sock.sendall(frame_header(len(payload), compressed=True) + payload)
        code = ends(sock)
    closed = time.monotonic() - began
    time.sleep(0.5)
    return (f"compressed frame of {len(payload) / 1000:.0f} KB inflating to {inflated_mb} MiB:"
            f" deflate negotiated {negotiated}, closed with {code} after {closed:.3f} s;"
            f" memory {mib(before)} before, peak {mib(peak_memory_kib(pid))};"
            f" {visitor.finish()}")


def plain(pid: int, port: int, plain_mb: int) -> str:
    total = plain_mb << 20
    sock, _head = websocket_open(port)
    before = memory_kib(pid)
    visitor = Visitor(port)
    visitor.start()
    chunk = b"4" + b"a" * ((1 << 16) - 1)
    sent = 0
    with sock:
        try:
            sock.sendall(frame_header(total))
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        code = ends(sock)
    time.sleep(0.5)
    return (f"plain frame of {plain_mb} MiB: closed with {code} after the client sent"
            f" {sent / 1024:.0f} KiB; memory {mib(before)} before, peak"
            f" {mib(peak_memory_kib(pid))}; {visitor.finish()}")


def slow(pid: int, port: int, count: int) -> str:
    before = memory_kib(pid)
    visitor = Visitor(port)
    visitor.start()
    began = time.monotonic()
    try:
        held = half_sent(port, count)
    except OSError as error:
        return f"half-sent requests: could not open {count}: {error}"
    during = answered(port, "127.0.0.2", timeout=30)
    deadline = began + 40  # "held": still open 40 s after it was sent
    outcomes: Counter[str] = Counter()
    for sock in held:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        outcomes[outcome(sock)] += 1
    ended = time.monotonic() - began
    for sock in held:
        sock.close()
    return (f"{count} half-sent requests from one address: {dict(outcomes)} within"
            f" {ended:.1f} s; a visitor from another address got {during} meanwhile;"
            f" memory {mib(before)} before, peak {mib(peak_memory_kib(pid))};"
            f" {visitor.finish()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inflated-mb", type=int, default=1000)
    parser.add_argument("--plain-mb", type=int, default=20)
    parser.add_argument("--half-sent", type=int, default=1100)
    parser.add_argument("--nofile", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for attack, size in ((bomb, args.inflated_mb), (plain, args.plain_mb),
                             (slow, args.half_sent)):
            process, port = start(Path(tmp) / attack.__name__, args.nofile)
            try:
                print(attack(process.pid, port, size), flush=True)
            finally:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
