"""Who is calling: the staff-route decorator and the authority checks every route shares.

The caller's role comes from the server's own account record (the bearer token names
it), never from the request.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable

from redis.exceptions import RedisError
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError, bearer_token
from bot.services import Services, get_services
from bot.store.accounts import Account
from bot.store.conversation_records import ConversationRecord

logger = logging.getLogger(__name__)


def rank(services: Services, account: Account) -> int:
    return services.policy.role(account.role).rank


def is_supervisor(services: Services, account: Account) -> bool:
    return rank(services, account) >= services.policy.role("supervisor").rank


def route(
    handler: Callable[..., Awaitable[HTTPResponse]],
) -> Callable[..., Awaitable[HTTPResponse]]:
    """Turns ApiError into its JSON answer and a lost Redis into 503."""

    @functools.wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, *args, **kwargs)
        except ApiError as error:
            return response.json(error.body(), status=error.status, headers=error.headers)
        except RedisError as error:
            logger.warning("redis unavailable during %s: %s", request.path, error)
            return response.json({"error": "系統暫時無法存取資料，請稍後再試"}, status=503)

    return wrapped


def staff_route(
    handler: Callable[..., Awaitable[HTTPResponse]],
) -> Callable[..., Awaitable[HTTPResponse]]:
    """A route for logged-in staff: the handler also gets the services and the caller."""

    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        services = get_services()
        account = await caller(request, services)
        return await handler(request, services, account, *args, **kwargs)

    wrapped.__name__ = wrapped.__qualname__ = handler.__name__  # Sanic names routes by it
    return route(wrapped)


ABOVE_THE_LOWEST = 1  # the rank of every role but the first of data/policy/roles.yml


def requires(
    role: str | int, refusal: str = "這個功能只開放給主管"
) -> Callable[[Callable[..., Awaitable[HTTPResponse]]], Callable[..., Awaitable[HTTPResponse]]]:
    """A staff route open only to accounts ranked at least ``role`` in data/policy/roles.yml
    (a role's name, or a rank: roles are ranked from 0, the least authority, as the file
    lists them), as Starlette's ``requires``; others get 403 with ``refusal``."""

    def decorate(
        handler: Callable[..., Awaitable[HTTPResponse]],
    ) -> Callable[..., Awaitable[HTTPResponse]]:
        async def guarded(
            request: Request, services: Services, account: Account, *args: Any, **kwargs: Any
        ) -> HTTPResponse:
            needed = role if isinstance(role, int) else services.policy.role(role).rank
            if rank(services, account) < needed:
                raise ApiError(403, refusal)
            return await handler(request, services, account, *args, **kwargs)

        guarded.__name__ = guarded.__qualname__ = handler.__name__
        return staff_route(guarded)

    return decorate


async def caller(request: Request, services: Services) -> Account:
    token = bearer_token(request)
    try:
        account = await services.accounts.authenticate(token)
    except RedisError:
        # Redis away: a token this process saw valid a few minutes ago still counts
        account = services.recollection.account_for(token)
        if account is None:
            raise
    else:
        if account is not None:
            services.recollection.signed_in(token, account)
    if account is None:
        raise ApiError(401, "登入已過期或權杖無效，請重新登入")
    return account


async def conversation_for(services: Services, account: Account, cid: str) -> ConversationRecord:
    conversation = await services.conversations.get(cid)
    if conversation is None:
        raise ApiError(404, f"找不到對話 {cid}")
    if conversation.agent not in (None, account.username) and not is_supervisor(services, account):
        raise ApiError(403, "這個對話由其他客服處理，您無法操作")
    services.recollection.assigned(cid, conversation.agent or "")
    return conversation
