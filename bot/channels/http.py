"""Small HTTP helpers for the channels: JSON errors in plain words, body checks, auth.

Every refusal is an :class:`ApiError` with a status and a Traditional Chinese sentence
the caller can show; routes raise it and the channel turns it into ``{"error": …}``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Optional

from sanic.request import Request

from bot.store.keys import BadId, check_id

MAX_BODY_BYTES = 16 * 1024
MAX_TEXT_CHARS = 2000


class ApiError(Exception):
    """A refusal: HTTP status and a message for people."""

    def __init__(
        self,
        status: int,
        message: str,
        /,
        headers: Optional[Dict[str, str]] = None,
        **extra: Any,  # more fields of the answer (``status`` among them, if need be)
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> Dict[str, Any]:
        return {"error": self.message, **self.extra}


def read_json(request: Request) -> Dict[str, Any]:
    """The request body as a JSON object, or a 4xx that says what is wrong."""
    raw = request.body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, f"請求內容太大（上限 {MAX_BODY_BYTES // 1024} KB）")
    if not raw:
        raise ApiError(400, "請求內容是空的，需要 JSON 物件")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "請求內容不是有效的 JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "請求內容必須是 JSON 物件")
    return body


def field_id(body: Dict[str, Any], name: str, *, required: bool = True) -> Optional[str]:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(400, f"缺少欄位 {name}")
        return None
    try:
        return check_id(value, name)
    except BadId:
        raise ApiError(400, f"欄位 {name} 只能是 1–64 個英數字、底線、句點或連字號") from None


def field_text(body: Dict[str, Any], name: str, *, required: bool = True) -> Optional[str]:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"欄位 {name} 必須是非空白的文字")
    if len(value) > MAX_TEXT_CHARS:
        raise ApiError(413, f"欄位 {name} 太長（上限 {MAX_TEXT_CHARS} 字）")
    return value.strip()


def field_choice(body: Dict[str, Any], name: str, choices: Iterable[str]) -> str:
    value = body.get(name)
    choices = tuple(choices)
    if value not in choices:
        raise ApiError(400, f"欄位 {name} 必須是 {' / '.join(choices)} 其中之一")
    return value


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "請先登入（缺少 Authorization: Bearer 權杖）")
    return token.strip()
