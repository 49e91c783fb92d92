"""A customer of the live chat, as Rasa's socket.io widgets speak it (shared by tests)."""

from __future__ import annotations

import asyncio

import socketio


class Customer:
    def __init__(self, base: str) -> None:
        self.base = base
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: list = []
        self.history: list = []
        self.session: asyncio.Future | None = None

    async def connect(self, session_id=None) -> str:
        loop = asyncio.get_running_loop()
        self.session = loop.create_future()

        @self.client.on("session_confirm")
        async def confirmed(data):
            if not self.session.done():
                self.session.set_result(data)

        @self.client.on("bot_uttered")
        async def uttered(data):
            self.received.append(data)

        @self.client.on("kefu_history")
        async def history(data):
            self.history.append(data)

        await self.client.connect(self.base, transports=["polling"], socketio_path="/socket.io")
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.session, 10)

    async def say(self, session_id: str, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})

    async def close(self) -> None:
        await hang_up(self.client)


async def hang_up(client: socketio.AsyncClient) -> None:
    """Close without waiting for the pending long-poll (up to the 25 s ping interval)."""
    await client.eio.disconnect(abort=True)


async def wait_for(predicate, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = predicate()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")
