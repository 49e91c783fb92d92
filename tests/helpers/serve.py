"""A Sanic app served in the test's event loop on a port that is held from the start.

Picking a free port and binding it later leaves a moment in which another worker's server
can take it (``address already in use``, a flaky failure seen in CI); here the socket is
bound first and handed to Sanic.
"""

from __future__ import annotations

import socket
from typing import Any, Tuple


def bound_socket() -> socket.socket:
    """A socket bound to a free loopback port, for ``create_server(sock=...)``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


async def create_server(app: Any, sock: socket.socket) -> Tuple[Any, int]:
    """Sanic's ``AsyncioServer`` for ``app`` on ``sock`` (not started), and its port."""
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    return server, sock.getsockname()[1]
