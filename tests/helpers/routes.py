"""REST route modules of the assist channel served in-process (no model, no Rasa).

A Sanic app with the routes a module adds to the ``/webhooks/assist`` blueprint, on a free
port in this test's event loop, and signed-in accounts of a real Redis: what
tests/channels/test_review_routes.py and test_qa_routes.py share. The client (``Api``) and
``signed_in`` also serve tests/channels/inprocess.py and tests/helpers/staff.py; the
library's tests (tests/channels/test_library.py) go through inprocess.py.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import AsyncIterator, Callable, Dict, Mapping, Optional

import aiohttp

from bot.services import get_services
from bot.store.accounts import Account, save_account_sync
from tests.helpers.serve import bound_socket, create_server


@contextlib.asynccontextmanager
async def routes_served(add_routes: Callable) -> AsyncIterator[str]:
    """Yield the base URL (…/webhooks/assist) of an app with ``add_routes``'s routes."""
    from sanic import Blueprint, Sanic

    Sanic.test_mode = True  # several apps in one process
    app = Sanic(f"routes_{uuid.uuid4().hex[:8]}")
    bp = Blueprint("assist_webhook", url_prefix="/webhooks/assist")
    add_routes(bp)
    app.blueprint(bp)
    server, port = await create_server(app, bound_socket())
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/assist"
    finally:
        server.close()
        await server.wait_closed()


async def signed_in(
    redis_client, roles: Mapping[str, str], names: Optional[Mapping[str, str]] = None
) -> Dict[str, str]:
    """Accounts ``{username: role}`` saved (password "pw") and signed in: their tokens."""
    for username, role in roles.items():
        name = (names or {}).get(username, username)
        save_account_sync(redis_client, Account(username, name, role), "pw")
    accounts = get_services().accounts
    return {user: (await accounts.login(user, "pw"))[0] for user in roles}


class Api:
    """Calls as a signed-in account: ``tokens`` maps the names tests use to tokens."""

    def __init__(self, base: str, tokens: Dict[str, str]) -> None:
        self.base, self.tokens = base, tokens

    def _headers(self, user: Optional[str]) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    async def call(self, method: str, path: str, user: Optional[str], body=None) -> tuple:
        """(status, JSON body)."""
        async with aiohttp.ClientSession() as session:
            async with session.request(
                method, self.base + path, headers=self._headers(user), json=body
            ) as answer:
                return answer.status, await answer.json()

    async def text(self, path: str, user: Optional[str]) -> tuple:
        """GET: (status, body as text)."""
        async with aiohttp.ClientSession() as session:
            async with session.get(self.base + path, headers=self._headers(user)) as answer:
                return answer.status, await answer.text()
