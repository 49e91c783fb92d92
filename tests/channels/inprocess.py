"""Our two input channels in a Rasa app in this test's event loop, on a free port.

As Rasa's own channel tests do (``rasa.core.run.configure_app``), but served for real, so
that socket.io clients and plain HTTP clients can talk to it: CORS and delivery to the
customer's socket checked in about a second, with a real Redis and no trained model
(no route used here needs one).

:func:`assist_api` adds signed-in staff to it, for the REST routes' refusals
(tests/channels/test_rest_*.py): what they answer before a message reaches Rasa.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, AsyncIterator, Dict, Mapping, Optional, Sequence, Tuple

import aiohttp

from tests.helpers.api import check
from tests.helpers.routes import Api, signed_in
from tests.helpers.serve import bound_socket, create_server

STAFF = {"agent1": "agent", "agent2": "agent", "senior1": "senior_agent", "super1": "supervisor"}


@contextlib.asynccontextmanager
async def serving(environ: Dict[str, str]) -> AsyncIterator[Dict]:
    """Yield ``{"base", "app"}`` of a Rasa server with our channels; ``environ`` (REDIS_URL,
    KEFU_CORS_ORIGINS …) is what the channels read while they start."""
    from rasa.core.run import configure_app
    from sanic import Sanic

    from bot.channels.assist import AssistInput
    from bot.channels.live import LiveChatInput

    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    Sanic.test_mode = True  # several apps in one process
    sock = bound_socket()
    port = sock.getsockname()[1]
    try:
        app = configure_app([AssistInput(), LiveChatInput()], enable_api=False, port=port)
        app.ctx.agent = None
        server, _ = await create_server(app, sock)
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            yield {"base": f"http://127.0.0.1:{port}", "app": app}
        finally:
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await server.after_stop()
            listener = getattr(app.ctx.kefu_sio.manager, "thread", None)
            if listener is not None:  # python-socketio's Redis listener
                listener.cancel()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ModelLoaded:
    """Stands in for Rasa's Agent where a route only asks whether the model is loaded
    (its refusals come before the message reaches Rasa); any other use fails the test."""

    def is_ready(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the route used Rasa's Agent.{name}: not a refusal")


class AssistApi(Api):
    """:class:`tests.helpers.routes.Api` on ``/webhooks/assist`` of :func:`serving`."""

    def __init__(self, base: str, tokens: Dict[str, str], app: Any) -> None:
        super().__init__(base, tokens)
        self.app = app

    async def raw(self, method: str, path: str, user: Optional[str], data: bytes) -> tuple:
        """(status, JSON body) for a body sent as it is."""
        async with aiohttp.ClientSession() as session:
            async with session.request(
                method, self.base + path, headers=self._headers(user), data=data
            ) as answer:
                return answer.status, await answer.json()

    async def refused(
        self, method: str, path: str, user: Optional[str], body: Any = None
    ) -> Tuple[int, Dict[str, Any]]:
        """(status, body) of a refusal: an Error of docs/openapi.yaml, in Chinese."""
        status, answer = await self.call(method, path, user, body)
        check(answer, "Error")
        assert answer["error"] and not answer["error"].isascii(), answer
        return status, answer


@contextlib.asynccontextmanager
async def assist_api(
    environ: Dict[str, str], redis_client: Any, roles: Mapping[str, str] = STAFF
) -> AsyncIterator[AssistApi]:
    """:func:`serving`, with ``roles`` ({username: role}) signed in."""
    async with serving(environ) as server:
        tokens = await signed_in(redis_client, roles)
        yield AssistApi(server["base"] + "/webhooks/assist", tokens, server["app"])


async def conversation(
    cid: str,
    agent: str = "agent1",
    *,
    suggestions: Sequence[Mapping[str, Any]] = (),
    options: Sequence[Mapping[str, Any]] = (),
    case: Optional[Mapping[str, Any]] = None,
) -> None:
    """A conversation held by ``agent`` ("" for none) with one customer message, as the
    webhook leaves it (with the suggestions, options and case of its assist)."""
    from bot.services import get_services

    conversations = get_services().conversations
    await conversations.create(cid, agent=agent)
    assist = {"analysis": {"complaint_type": "complaint_defect"}}
    await conversations.record_customer_turn(
        cid, "我的吹風機壞了", assist, list(suggestions), list(options), dict(case or {})
    )
