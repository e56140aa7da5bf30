"""Clients that speak HTTP and WebSocket by hand, to send what no library would: a
compressed or huge WebSocket frame, half a request, a connection from another loopback
address. Used by tests/test_transport.py and bench/transport.py.

Test support: imports only the standard library.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import struct
import zlib
from pathlib import Path


def peak_memory_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def memory_kib(pid: int) -> int:
    """The process's resident memory now (VmRSS), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def websocket_open(port: int, source: str = "127.0.0.1") -> tuple[socket.socket, str]:
    """Open a Socket.IO WebSocket by hand, offering permessage-deflate as browsers do, with
    no cookie; return the socket (after the Engine.IO open packet) and the 101's head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    try:
        return sock, _upgrade(sock, port)
    except BaseException:
        sock.close()
        raise


def _upgrade(sock: socket.socket, port: int) -> str:
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                  f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\n"
                  f"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                  f"\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(f"no upgrade: {head!r}")
    first, payload = _frame(sock)
    if first & 0x40:  # compressed: the server took up the offer (first message: no context)
        payload = zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")
    if first & 0x0F != 1 or not payload.startswith(b"0{"):  # Engine.IO open
        raise ConnectionError(f"no Engine.IO open packet: {payload!r}")
    return head.decode("latin-1")


def frame_header(length: int, opcode: int = 1, compressed: bool = False) -> bytes:
    """A client frame's header (final, masked with a zero key, so the payload goes as is)."""
    first = 0x80 | (0x40 if compressed else 0) | opcode
    if length < 126:
        sized = struct.pack("!BB", first, 0x80 | length)
    elif length < 1 << 16:
        sized = struct.pack("!BBH", first, 0x80 | 126, length)
    else:
        sized = struct.pack("!BBQ", first, 0x80 | 127, length)
    return sized + b"\x00\x00\x00\x00"


def deflate_bomb(inflated: int) -> bytes:
    """A permessage-deflate payload that inflates to `inflated` bytes of an Engine.IO
    message ("4aaaa…"), about a thousandth of that size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"a" * (1 << 20)
    parts = [packer.compress(b"4" + block[:(inflated - 1) % len(block)])]
    parts += [packer.compress(block) for _ in range((inflated - 1) // len(block))]
    parts.append(packer.flush(zlib.Z_SYNC_FLUSH))
    return b"".join(parts)[:-4]  # permessage-deflate drops the sync flush's 00 00 ff ff


def _frame(sock: socket.socket) -> tuple[int, bytes]:
    """Read one server frame: its first byte (FIN, RSV1-3, opcode) and its payload."""
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    return first, exactly(length)


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """Read one server frame; (opcode, payload), or (-1, b"") if the connection ended."""
    try:
        first, payload = _frame(sock)
    except OSError:
        return -1, b""
    return first & 0x0F, payload


def ends(sock: socket.socket) -> int | None:
    """Read until the server closes; return the close frame's code (None without one)."""
    while True:
        opcode, payload = read_frame(sock)
        if opcode == -1:
            return None
        if opcode == 8:
            return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def answered(port: int, source: str, path: str = "/", timeout: float = 10) -> int:
    """A visitor from `source` asks for a page; return the status (0: no answer)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                      source_address=(source, 0)) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         f"Connection: close\r\n\r\n".encode())
            head = sock.recv(64)
    except OSError:
        return 0
    match = re.match(rb"HTTP/1\.1 (\d{3})", head)
    return int(match.group(1)) if match else 0


def half_sent(port: int, count: int, source: str = "127.0.0.1") -> list[socket.socket]:
    """Open `count` connections that each send half a request and then nothing."""
    held = []
    try:
        for _ in range(count):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=15,
                                                 source_address=(source, 0)))
            held[-1].sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo")
    except BaseException:
        for sock in held:
            sock.close()
        raise
    return held


def outcome(sock: socket.socket) -> str:
    """What the server did with a held connection: its status code, "closed" (no answer,
    connection ended) or "held" (still open when the socket's timeout ran out)."""
    try:
        data = sock.recv(64)
    except TimeoutError:
        return "held"
    except OSError:
        return "closed"
    match = re.match(rb"HTTP/1\.1 (\d{3})", data)
    return match.group(1).decode() if match else "closed"
