"""Signed-in staff calling the REST assist API of the in-process Rasa app
(tests/channels/inprocess.py: our channels, a real Redis, no model).

One app a test module: the in-process tests of the channels' error paths share it
(``pytestmark = pytest.mark.asyncio(loop_scope="module")`` and a module-scoped fixture
entering :func:`staff_api`), so each refusal is checked in milliseconds.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import AsyncIterator, Dict, Mapping, Optional

import aiohttp
import redis

from tests.channels.inprocess import serving
from tests.helpers.routes import Api, signed_in

SUPERVISORS_ONLY = "這個頁面只開放給主管"


class StaffApi(Api):
    """:class:`~tests.helpers.routes.Api` on the whole assist blueprint, plus raw bodies."""

    async def raw(self, method: str, path: str, user: Optional[str], data: bytes) -> tuple:
        """(status, JSON body) of a request whose body is ``data`` as it is."""
        async with aiohttp.ClientSession() as session:
            async with session.request(
                method, self.base + path, headers=self._headers(user), data=data
            ) as answer:
                return answer.status, await answer.json()


@contextlib.asynccontextmanager
async def staff_api(
    redis_server,  # noqa: ANN001 (conftest's)
    data_dir: Path,
    roles: Mapping[str, str],
    environ: Optional[Dict[str, str]] = None,
) -> AsyncIterator[StaffApi]:
    """The app served with ``environ`` (beside REDIS_URL and KEFU_DATA_DIR), and the
    accounts ``{username: role}`` signed in."""
    settings = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(data_dir), **(environ or {})}
    async with serving(settings) as server:
        client = redis.Redis(port=redis_server.port)
        try:
            tokens = await signed_in(client, roles)
        finally:
            client.close()
        yield StaffApi(server["base"] + "/webhooks/assist", tokens)
