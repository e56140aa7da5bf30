"""The WebSocket every Socket.IO connection runs on, bounded while its frames are read.

Live layer. Engine.IO reads WebSocket frames through simple-websocket (over wsproto), in
gevent and threading mode alike. As shipped, that reader (1) accepts permessage-deflate,
inflating whatever a client compressed, and (2) assembles a whole message before Engine.IO
compares it with `max_http_buffer_size`: one 949 KB compressed frame became 1 GB in memory
and froze the server for seconds, and a plain 20 MB frame was buffered whole.

Here both are closed at the root, for every socket, before it has a cookie or a room:

- compression is refused at the handshake: the `Sec-WebSocket-Extensions` offer is not
  passed on, so no extension is negotiated and a compressed frame (RSV1 set) is a protocol
  error that closes the socket (1002) without inflating a byte. It also spares each socket
  zlib's state and each push its compression (the pushes are small JSON documents): 500
  sockets from a client offering compression, as browsers do, cost the server 154 KiB
  each with it and 67 KiB without.
- the size cap is given to simple-websocket, which counts a message's bytes as they are
  read (4 KiB at a time) and closes the socket with 1009 "Message is too big" as soon as
  they pass the cap: at most the cap and one read are ever held for a message.

A peer that vanishes while the server says goodbye is not an error either: the close
frame then meets a reset connection, which used to end a greenlet with a traceback.
"""

from __future__ import annotations

import contextlib
from typing import Any

EXTENSIONS_OFFER = "HTTP_SEC_WEBSOCKET_EXTENSIONS"


def bounded(websocket_class: type) -> type:
    """Return a subclass of Engine.IO's WebSocket wrapper for this async mode that refuses
    compression and caps each message at the Engine.IO server's max_http_buffer_size."""

    class BoundedWebSocket(websocket_class):  # type: ignore[misc, valid-type]
        def __init__(self, handler: Any, server: Any) -> None:
            super().__init__(handler, server)
            self.server_args = {**self.server_args,
                                "max_message_size": server.max_http_buffer_size}

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            offered = {key: value for key, value in environ.items()
                       if key != EXTENSIONS_OFFER}
            return super().__call__(offered, start_response)

        def close(self) -> None:
            with contextlib.suppress(OSError):  # the peer left first: nothing to say goodbye to
                super().close()

    BoundedWebSocket.__name__ = BoundedWebSocket.__qualname__ = (
        f"Bounded{websocket_class.__name__}")
    return BoundedWebSocket


def install(engineio_server: Any) -> None:
    """Make this Engine.IO server read its WebSockets through the bounded wrapper.

    Engine.IO takes the wrapper class from its async driver's table, shared by every server
    of that mode; this server gets its own copy of the table, so nothing global changes.
    """
    table = engineio_server._async  # the one place Engine.IO looks it up
    current = table.get("websocket")
    if current is None or getattr(current, "bounded", False):
        return
    wrapper = bounded(current)
    wrapper.bounded = True  # type: ignore[attr-defined]
    engineio_server._async = {**table, "websocket": wrapper}
