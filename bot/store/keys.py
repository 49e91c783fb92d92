"""Redis key names, in one place, and the check every outside id goes through."""

from __future__ import annotations

import re

PREFIX = "kefu"
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class BadId(ValueError):
    """An id from outside that must not become part of a Redis key."""


def check_id(value: object, what: str = "id") -> str:
    """``value`` if it is 1–64 letters, digits, ``_``, ``.`` or ``-``; otherwise :class:`BadId`."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise BadId(f"{what} must be 1–64 letters, digits, '_', '.' or '-'")
    return value


def user(username: str) -> str:
    return f"{PREFIX}:user:{username}"


def token(digest: str) -> str:
    return f"{PREFIX}:token:{digest}"


def conversation(cid: str) -> str:
    return f"{PREFIX}:conv:{cid}"


def conversation_part(cid: str, part: str) -> str:
    return f"{PREFIX}:conv:{cid}:{part}"


CONVERSATIONS = f"{PREFIX}:convs"


def order(order_id: str) -> str:
    return f"{PREFIX}:order:{order_id.upper()}"


def customer(customer_id: str) -> str:
    return f"{PREFIX}:customer:{customer_id}"


def customer_summaries(customer_id: str) -> str:
    """A customer's newest closed conversations' summaries (bot/assist/summary.py)."""
    return f"{PREFIX}:customer:{customer_id}:summaries"


def budget(username: str, day: str) -> str:
    return f"{PREFIX}:budget:{username}:{day}"


def idempotency(username: str, key: str) -> str:
    return f"{PREFIX}:idem:{username}:{key}"


def live_session(session_id: str) -> str:
    """A session id the live chat channel issued (only those may be resumed)."""
    return f"{PREFIX}:live:{session_id}"


def approval(approval_id: str) -> str:
    return f"{PREFIX}:approval:{approval_id}"


APPROVALS = f"{PREFIX}:approvals"
GRANTS = f"{PREFIX}:grants"

OUTCOMES = f"{PREFIX}:outcomes"
