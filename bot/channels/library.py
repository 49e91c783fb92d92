"""The reply library routes of the assist API: ``GET /webhooks/assist/replies`` and the
agent's own snippets, ``GET``/``POST /snippets`` and ``DELETE /snippets/<id>``.

Mounted on the assist channel's blueprint by :func:`add_routes`. For agents and up
(``for_agents``: a bearer token, 401 without; 403 for a role ranked below the agent's in
data/policy/roles.yml). ``q`` (words, at most MAX_QUERY characters), ``technique``
and ``stage`` (400 in words when unknown) go to the pure search of
:mod:`bot.assist.library`; with ``conversation_id`` (one the caller may see: the same
check as the conversation view) the templates are filled with that conversation's
details, from its latest assist payload. Each account may search ``KEFU_LIBRARY_RATE``
times a minute (429 with ``Retry-After`` beyond). The library is built once per process,
with the knowledge index (bot/knowledge/shared.py), in the background when the server
starts (:func:`warm_up`), so that the first agent to search does not wait for it.

Snippets are each agent's own (bot/store/snippets.py): only the agent who saved one sees,
searches and deletes it (another's id is simply not found); at most MAX_SNIPPETS each.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Dict, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.assist.library import (
    MAX_QUERY,
    MAX_SNIPPET,
    InvalidSnippet,
    Query,
    QueryTooLong,
    ReplyLibrary,
    Snippet,
    UnknownStage,
    UnknownTechnique,
    check_snippet,
    details_from_assist,
)
from bot.channels.http import ApiError, field_id, read_json
from bot.channels.staff import conversation_for, requires
from bot.knowledge import KnowledgeError, shared_index
from bot.labels import STAGES, TECHNIQUES
from bot.services import Services
from bot.store.accounts import Account
from bot.store.keys import BadId, check_id
from bot.store.rate import RateLimit
from bot.store.snippets import MAX_SNIPPETS, Snippets, TooManySnippets

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_libraries: Dict[Tuple[int, str], ReplyLibrary] = {}


def _library(services: Services) -> ReplyLibrary:
    """This process's library of its replies and the knowledge folder's articles."""
    folder = services.settings.knowledge_dir
    key = (id(services.replies), str(folder))
    with _lock:
        library = _libraries.get(key)
        if library is None:
            library = ReplyLibrary.build(services.replies, shared_index(folder))
            _libraries.clear()
            _libraries[key] = library
        return library


async def warm_up(services: Services) -> None:
    """Build the library off the event loop; a broken knowledge folder is logged here and
    answered 503 by each search."""
    try:
        await asyncio.to_thread(_library, services)
    except KnowledgeError as error:
        logger.error("reply library not built: %s", error)


def _query(request: Request) -> Query:
    try:
        return Query(
            q=request.args.get("q") or "",
            technique=request.args.get("technique"),
            stage=request.args.get("stage"),
        ).checked()
    except QueryTooLong:
        raise ApiError(400, f"搜尋文字太長（上限 {MAX_QUERY} 字）") from None
    except UnknownTechnique:
        raise ApiError(
            400,
            "technique 必須是這些技巧之一："
            + "、".join(f"{k}（{v}）" for k, v in TECHNIQUES.items()),
        ) from None
    except UnknownStage:
        raise ApiError(
            400, "stage 必須是這些階段之一：" + "、".join(f"{k}（{v}）" for k, v in STAGES.items())
        ) from None


async def _details(services: Services, account: Account, cid: Optional[str]) -> Dict[str, str]:
    words = services.replies.words(services.settings.business)
    if cid is None:
        return dict(words)
    await conversation_for(services, account, cid)  # 404 / 403 as the conversation view
    assist = await services.conversations.assist(cid) or {}
    return details_from_assist(assist, agent=account.name, words=words)


SNIPPET_PROBLEMS = {
    "empty": "請輸入要儲存的常用回覆",
    "long": f"常用回覆最多 {MAX_SNIPPET} 字",
    "placeholder": "常用回覆裡的 {…} 只能是回覆範本的欄位，例如 {customer}、{order_id}",
    "brace": "常用回覆裡的大括號只能用在欄位，例如 {customer}",
}


for_agents = requires("agent", "只有客服人員可以使用回覆庫")


@for_agents
async def snippets(request: Request, services: Services, account: Account) -> HTTPResponse:
    return response.json({"snippets": await Snippets(services.redis).all(account.username)})


@for_agents
async def save_snippet(request: Request, services: Services, account: Account) -> HTTPResponse:
    body = read_json(request)
    try:
        text = check_snippet(body.get("text"))
    except InvalidSnippet as error:
        raise ApiError(400, SNIPPET_PROBLEMS[error.reason]) from None
    try:
        snippet = await Snippets(services.redis).add(account.username, text)
    except TooManySnippets:
        raise ApiError(409, f"常用回覆最多 {MAX_SNIPPETS} 則，請先刪除不再使用的") from None
    return response.json(snippet, status=201)


@for_agents
async def delete_snippet(
    request: Request, services: Services, account: Account, sid: str
) -> HTTPResponse:
    try:
        check_id(sid, "snippet id")
    except BadId:
        raise ApiError(404, "找不到這則常用回覆") from None
    if not await Snippets(services.redis).delete(account.username, sid):
        raise ApiError(404, "找不到這則常用回覆")
    return response.json({"deleted": sid})


@for_agents
async def replies(request: Request, services: Services, account: Account) -> HTTPResponse:
    query = _query(request)
    cid = request.args.get("conversation_id") or None
    if cid is not None:
        cid = field_id({"conversation_id": cid}, "conversation_id")
    limit = RateLimit(services.redis, "library", services.settings.library_rate)
    wait = await limit.wait(account.username)
    if wait is not None:
        raise ApiError(429, f"搜尋太頻繁，請 {wait} 秒後再試", headers={"Retry-After": str(wait)})
    details = await _details(services, account, cid)
    try:
        library = await asyncio.to_thread(_library, services)
    except KnowledgeError as error:
        logger.error("reply library not built: %s", error)
        raise ApiError(503, "回覆庫暫時無法使用，請稍後再試") from None
    own = [
        Snippet(str(s["id"]), s["text"])
        for s in await Snippets(services.redis).all(account.username)
    ]
    results = library.search(query, details, own)
    return response.json({"results": [result.as_dict() for result in results]})


ROUTES = (
    ("GET", "/snippets", snippets),
    ("POST", "/snippets", save_snippet),
    ("DELETE", "/snippets/<sid>", delete_snippet),
    ("GET", "/replies", replies),
)


def add_routes(bp: Blueprint) -> None:
    for method, path, handler in ROUTES:
        bp.add_route(handler, path, methods=[method])
