"""The REST assist API (docs/design.md#rest-assist-api), a Rasa input channel mounted at
``/webhooks/assist/``.

Registered in credentials.yml as ``bot.channels.assist.AssistInput``. A customer message
posted to ``webhook`` runs through Rasa (NLU, the stage rules, the actions); the assist
payload the actions produce goes back to the caller, the agent's side, and is kept with
the conversation. Every route but ``login``, ``health`` and ``labels`` needs a bearer
token; the caller's role comes from the server's own account record, never from the
request.
The OpenAPI description is docs/openapi.yaml.

This module only puts the channel together: the routes live in bot/channels/rest/ (by
concern), bot/channels/review/, bot/channels/library.py and bot/channels/labels.py.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot.channels import cors, heap, labels, library, review, speedups
from bot.channels.background import background, stop_background
from bot.channels.rest import compensation, conversations, messages, session
from bot.log.outcomes import replay_forever
from bot.services import get_services


class AssistInput(InputChannel):
    """``/webhooks/assist/…``: the REST assist API."""

    @classmethod
    def name(cls) -> str:
        return "assist"

    def __init__(self) -> None:
        speedups.install()  # the channel is created once, inside the Rasa server

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("assist_webhook", __name__)

        @bp.listener("after_server_start")
        async def replay_spooled_events(app, _loop) -> None:  # noqa: ANN001
            # events spooled while Redis was away (also by an earlier run) go back in
            background(app, replay_forever(lambda: get_services().outcomes))
            background(app, library.warm_up(get_services()))

        @bp.listener("after_server_start")
        async def freeze_start_up_heap(_app, _loop) -> None:  # noqa: ANN001
            # Rasa loaded the model before the server started: out of full collections
            heap.freeze_start_up_heap()

        @bp.listener("before_server_stop")
        async def stop_background_tasks(app, _loop) -> None:  # noqa: ANN001
            await stop_background(app)

        @bp.listener("before_server_start")
        async def allow_listed_origins(app, _loop) -> None:  # noqa: ANN001
            # pages on the websites in KEFU_CORS_ORIGINS may call every route
            cors.allow(app, f"/webhooks/{self.name()}/", get_services().settings.cors_origins)

        session.add_routes(bp)
        conversations.add_routes(bp)
        messages.add_routes(bp, on_new_message, self.name())
        compensation.add_routes(bp)
        review.add_routes(bp)
        library.add_routes(bp)
        labels.add_routes(bp)
        return bp
