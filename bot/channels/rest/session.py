"""``GET /health`` (no token) and ``POST /login``: a token for an account."""

from __future__ import annotations

from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError, read_json
from bot.channels.rest.wire import Health, Login
from bot.channels.staff import is_supervisor, route
from bot.services import get_services


def _wait_in_words(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分鐘"


async def health(request: Request) -> HTTPResponse:
    services = get_services()
    try:
        await services.redis.ping()
        redis_state = "ok"
    except (RedisError, OSError):
        redis_state = "down"
    rasa_agent = getattr(request.app.ctx, "agent", None)  # Rasa's Agent, once the model loaded
    model = rasa_agent is not None and rasa_agent.is_ready()
    answer: Health = {
        "status": "ok" if redis_state == "ok" and model else "degraded",
        "redis": redis_state,
        "model": bool(model),
    }
    return response.json(answer)


@route
async def login(request: Request) -> HTTPResponse:
    body = read_json(request)
    username = body.get("username")
    password = body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(400, "請提供帳號與密碼")
    services = get_services()
    address = request.remote_addr or request.ip or "unknown"
    wait = await services.throttle.blocked_for(username, address)
    if wait is not None:
        raise ApiError(
            429,
            f"登入失敗次數過多，請 {_wait_in_words(wait)}後再試",
            headers={"Retry-After": str(wait)},
        )
    result = await services.accounts.login(username, password)
    if result is None:
        await services.throttle.failed(username, address)
        raise ApiError(401, "帳號或密碼錯誤")
    await services.throttle.succeeded(username, address)
    token, account = result
    answer: Login = {
        "token": token,
        "role": account.role,
        "role_label": services.policy.role(account.role).label,
        "supervisor": is_supervisor(services, account),
        "name": account.name,
        "expires_in": services.settings.token_ttl,
    }
    return response.json(answer)


def add_routes(bp: Blueprint) -> None:
    bp.add_route(health, "/health", methods=["GET"])
    bp.add_route(login, "/login", methods=["POST"])
