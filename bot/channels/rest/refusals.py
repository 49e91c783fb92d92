"""What the domain's refusals are called over HTTP: a status and a sentence for people.

The compensation domain (bot/assist/compensation.py) raises named exceptions and knows
no HTTP; :data:`REFUSALS` is the one place that says each: its status, its sentence and
what else the answer carries.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple, Type

from bot.assist.compensation import (
    AlreadyDecided,
    AlreadyGranted,
    ApprovalNotFound,
    BeyondAuthority,
    CompensationRefused,
    KeyReused,
    NotYours,
    OverBudget,
)
from bot.channels.http import ApiError
from bot.policy import budget_reason

Sentence = Callable[[Any], str]
Details = Callable[[Any], Dict[str, Any]]


def _nothing(_: CompensationRefused) -> Dict[str, Any]:
    return {}


def _approval_opened(error: BeyondAuthority) -> Dict[str, Any]:
    opened = error.opened
    return {
        "approver": opened.approver,
        "reason": opened.reason,
        "limits": list(opened.limits),
        "approval_id": opened.approval_id,
    }


REFUSALS: Dict[Type[CompensationRefused], Tuple[int, Sentence, Details]] = {
    KeyReused: (422, lambda e: "這個 idempotency_key 已用於另一個請求，請換一個新的", _nothing),
    AlreadyGranted: (409, lambda e: f"「{e.label}」已經在這個對話中提供過了", _nothing),
    BeyondAuthority: (
        403,
        lambda e: f"超出您的權限，已送出核准申請：{e.opened.reason}",
        _approval_opened,
    ),
    NotYours: (403, lambda e: f"這筆申請需由{e.approver_label}或更高層級決定", _nothing),
    ApprovalNotFound: (404, lambda e: "找不到這筆核准申請", _nothing),
    AlreadyDecided: (409, lambda e: "這筆申請已經有人決定了", lambda e: {"status": e.status}),
    OverBudget: (409, lambda e: budget_reason(e.left, e.cost), _nothing),
}


def refusal(error: CompensationRefused) -> ApiError:
    """The answer to a refused grant or decision."""
    status, sentence, details = REFUSALS[type(error)]
    return ApiError(status, sentence(error), **details(error))
