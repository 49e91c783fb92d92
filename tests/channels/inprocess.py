"""Our two input channels in a Rasa app in this test's event loop, on a free port.

As Rasa's own channel tests do (``rasa.core.run.configure_app``), but served for real, so
that socket.io clients and plain HTTP clients can talk to it: CORS and delivery to the
customer's socket checked in about a second, with a real Redis and no trained model
(no route used here needs one).
"""

from __future__ import annotations

import contextlib
import os
from typing import AsyncIterator, Dict

from tests.conftest import free_port


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
    port = free_port()
    try:
        app = configure_app([AssistInput(), LiveChatInput()], enable_api=False, port=port)
        app.ctx.agent = None
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
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
