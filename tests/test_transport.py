"""What a client can hold of a real `workshop serve` by the way it sends: a compressed or
huge WebSocket frame, half-sent requests, many connections from one address, and the log
of a day of reconnections. Sizes are small here; the figures at full size are in
docs/security.md ("Transport") and docs/reliability.md."""

from __future__ import annotations

import socket
import sys
import time
from contextlib import suppress

import pytest
import requests
import socketio

from tests.conftest import Facilitator, join_over_http, start_server, stop_server
from tests.support.raw_http import (
    answered,
    deflate_bomb,
    ends,
    frame_header,
    half_sent,
    outcome,
    peak_memory_kib,
    websocket_open,
)


def port_of(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


@pytest.fixture
def server(tmp_path):
    started = start_server(tmp_path / "instance")
    yield started
    stop_server(started)


@pytest.fixture
def opened():
    """Sockets a test opened by hand, closed when it ends, whatever happened."""
    held: list[socket.socket] = []
    yield held
    for sock in held:
        sock.close()


# --- item 1: WebSocket frames are bounded while they are read ---------------------------

@pytest.mark.server
def test_a_compressed_bomb_is_refused_before_it_is_inflated(server, opened):
    """48 KB of deflate that would inflate to 48 MB, from a socket with no cookie: the
    socket is closed, the server's memory does not grow by the inflated size, and a visitor
    is answered. Compression is not negotiated at all."""
    inflated = 48 << 20
    payload = deflate_bomb(inflated)
    assert len(payload) < inflated // 500
    sock, head = websocket_open(port_of(server))
    opened.append(sock)
    assert "permessage-deflate" not in head.lower()
    before = peak_memory_kib(server.process.pid)
    with sock:
        with suppress(OSError):
            sock.sendall(frame_header(len(payload), compressed=True) + payload)
        ends(sock)
    grown = peak_memory_kib(server.process.pid) - before
    assert grown < 16 * 1024, f"peak memory grew by {grown} KiB"
    assert answered(port_of(server), "127.0.0.1") == 200


@pytest.mark.server
def test_a_huge_plain_frame_is_refused_while_it_is_read(server, opened):
    """A 32 MB frame is cut off near the 64 KiB cap: the server closes before the client
    could send it all, and never holds it."""
    total = 32 << 20
    sock, _head = websocket_open(port_of(server))
    opened.append(sock)
    before = peak_memory_kib(server.process.pid)
    sent = 0
    chunk = b"4" + b"a" * (64 * 1024 - 1)
    with sock:
        try:
            sock.sendall(frame_header(total))
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        code = ends(sock)
    grown = peak_memory_kib(server.process.pid) - before
    assert sent < total, "the server read the whole 32 MB frame"
    assert code in (1009, None)  # "message too big", unless the reset came first
    assert grown < 16 * 1024, f"peak memory grew by {grown} KiB"
    assert answered(port_of(server), "127.0.0.1") == 200


# --- item 3: idle and slow requests time out; one address cannot take every socket ------

@pytest.mark.server
def test_idle_and_half_sent_requests_are_timed_out(tmp_path, opened):
    server = start_server(tmp_path / "instance", args=(
        "--host", "127.0.0.1", "--set", "HTTP_REQUEST_TIMEOUT=1", "--set",
        "HTTP_IDLE_TIMEOUT=1"))
    port = port_of(server)
    try:
        heads = half_sent(port, 20)
        opened.extend(heads)
        silent = [socket.create_connection(("127.0.0.1", port), timeout=15) for _ in range(5)]
        opened.extend(silent)
        body = socket.create_connection(("127.0.0.1", port), timeout=15)
        opened.append(body)
        body.sendall(b"POST /new HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n\r\ntitle=x")
        assert [outcome(sock) for sock in heads] == ["408"] * 20
        assert [outcome(sock) for sock in silent] == ["closed"] * 5
        assert outcome(body) == "408"
        # a keep-alive connection is served, then closed once idle
        kept = socket.create_connection(("127.0.0.1", port), timeout=15)
        opened.append(kept)
        kept.sendall(b"GET /static/css/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while chunk := kept.recv(65536):
            data += chunk
        assert data.startswith(b"HTTP/1.1 200")
        assert answered(port, "127.0.0.1") == 200
    finally:
        stop_server(server)


@pytest.mark.server
def test_one_address_cannot_hold_every_connection(tmp_path, opened):
    server = start_server(tmp_path / "instance", args=(
        "--host", "127.0.0.1", "--set", "CONNECTIONS_PER_ADDRESS=20"))
    port = port_of(server)
    try:
        held = half_sent(port, 30)
        opened.extend(held)
        assert [outcome(sock) for sock in held[20:]] == ["503"] * 10
        assert answered(port, "127.0.0.1") == 503
        assert answered(port, "127.0.0.2") == 200  # another address is served meanwhile
        for sock in held:
            sock.close()
        deadline = time.monotonic() + 10
        while answered(port, "127.0.0.1") != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answered(port, "127.0.0.1") == 200  # released as they close
    finally:
        stop_server(server)


@pytest.mark.server
def test_half_sent_requests_under_a_small_file_limit_leave_visitors_answered(tmp_path,
                                                                             opened):
    """The 1,024-descriptor scenario at 256: 400 half-sent requests from one address would
    take every descriptor; the per-address share and the capacity keep a visitor served."""
    limited = ("sh", "-c", 'ulimit -n 256 && exec "$0" -m workshop "$@"', sys.executable)
    server = start_server(tmp_path / "instance", command=limited)
    port = port_of(server)
    try:
        opened.extend(half_sent(port, 400))
        assert answered(port, "127.0.0.2") == 200
        assert answered(port, "127.0.0.2", "/static/css/app.css") == 200
    finally:
        stop_server(server)


def test_transport_settings_follow_the_file_limit_and_the_proxy(app):
    from workshop.serving import address_key, capacity, transport_of

    assert capacity(1024) == 448 and capacity(65536) == 32704
    default = transport_of(app, 1024)
    assert default.per_address == 224 and default.capacity == 448
    assert (default.idle_timeout, default.request_timeout, default.body_cap) == (
        30.0, 15.0, 64 * 1024)
    assert "Trop de connexions" in default.too_many.decode()
    assert "Too many connections" in default.too_many.decode()
    app.config.update(CONNECTIONS_PER_ADDRESS=100_000, HTTP_REQUEST_TIMEOUT=3)
    assert transport_of(app, 1024).per_address == 448
    assert transport_of(app, 1024).request_timeout == 3.0
    app.config.update(CONNECTIONS_PER_ADDRESS=None, TRUSTED_PROXIES=1)
    assert transport_of(app, 1024).per_address == 448
    assert address_key(("192.0.2.7", 5000)) == "192.0.2.7"
    assert address_key(("2001:db8::1", 5000, 0, 0)) == address_key(("2001:db8::ff", 1, 0, 0))
    assert address_key(("::ffff:192.0.2.7", 5000, 0, 0)) == "192.0.2.7"


# --- item 12: a day of reconnections leaves no traceback in the log -----------------------

@pytest.mark.server
def test_a_reconnect_storm_leaves_no_error_in_the_log(server):
    """Phones connect, join and leave, politely or by dropping the connection; one sends
    frames after the server closed its socket; one sends a malformed request line naming a
    facilitator link. The log stays free of tracebacks and of the secret."""
    facilitator = Facilitator(server.url, "Tempête")
    browsers = [requests.Session() for _ in range(6)]
    for browser in browsers:
        join_over_http(browser, server.url, facilitator.code)
    for _round in range(4):
        clients = []
        for browser in browsers:
            client = socketio.Client(http_session=browser, reconnection=False)
            client.connect(server.url, transports=["websocket"], wait_timeout=10)
            assert client.call("join", {"code": facilitator.code, "role": "phone"},
                               timeout=10)["ok"]
            clients.append(client)
        for n, client in enumerate(clients):
            if n % 2:
                client.disconnect()
            else:  # the phone walks out of the Wi-Fi: the connection just ends
                connection = client.eio.ws.sock
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
                with suppress(Exception):  # its own goodbye finds the connection gone
                    client.disconnect()
    for _ in range(5):  # too big a message, then more frames after the server's close
        sock, _head = websocket_open(port_of(server))
        with sock, suppress(OSError):
            sock.sendall(frame_header(100_000) + b"4" * 100_000)
            time.sleep(0.2)
            for _ in range(3):
                sock.sendall(frame_header(2) + b"41")
                time.sleep(0.05)
    for _ in range(5):  # an Engine.IO close, then frames, then the connection drops
        sock, _head = websocket_open(port_of(server))
        with sock, suppress(OSError):
            sock.sendall(frame_header(1) + b"1")
            time.sleep(0.1)
            sock.sendall((frame_header(2) + b"41") * 3)
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=10) as sock:
        sock.sendall(f"BREW /f/{facilitator.secret}\r\n\r\n".encode())
        assert sock.recv(64).startswith(b"HTTP/1.1 400")
    assert answered(port_of(server), "127.0.0.1") == 200
    time.sleep(1)  # let the last closes be logged, if they are
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log and "failed with" not in log, log[-3000:]
    assert "\\x81" not in log and "\\x88" not in log, log[-3000:]  # no frame read as HTTP
    assert facilitator.secret not in log and "/f/<redacted>" in log
