"""A supervisor's feedback on a reviewed conversation: ``POST /review/corrections`` (the
complaint type or sentiment a customer message should have had: training data for
``GET /export/nlu``) and ``POST /review/suggestion-ratings`` (a suggestion judged good or
bad). Each is stored masked (bot/store/corrections.py) and logged as an outcome event.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, TypedDict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError, field_choice, field_id, field_text, read_json
from bot.channels.review.query import for_supervisors
from bot.labels import COMPLAINT_TYPES
from bot.log.kpis import SENTIMENTS
from bot.log.pii import mask
from bot.services import Services
from bot.store.accounts import Account

VERDICTS = ("good", "bad")
MAX_REASON = 500


@dataclass(frozen=True)
class CorrectionRequest:
    conversation_id: str
    turn: int
    complaint_type: Optional[str]
    sentiment: Optional[str]

    @classmethod
    def from_body(cls, body: Dict[str, Any]) -> "CorrectionRequest":
        cid = field_id(body, "conversation_id")
        turn = body.get("turn")
        if not isinstance(turn, int) or isinstance(turn, bool) or turn < 0:
            raise ApiError(400, "turn 必須是訊息的序號（從 0 起算的整數）")
        complaint = body.get("complaint_type")
        sentiment = body.get("sentiment")
        if complaint is not None and complaint not in COMPLAINT_TYPES:
            raise ApiError(400, "complaint_type 必須是六種客訴類型之一")
        if sentiment is not None and sentiment not in SENTIMENTS:
            raise ApiError(400, "sentiment 必須是 negative / neutral / positive")
        if complaint is None and sentiment is None:
            raise ApiError(400, "請至少更正客訴類型或情緒其中一項")
        return cls(cid, turn, complaint, sentiment)


class Correction(TypedDict):
    """As stored and answered (Correction in docs/openapi.yaml)."""

    conversation_id: str
    turn: int
    text: str  # the customer's message, masked
    intent: Optional[str]
    model_sentiment: Optional[str]
    complaint_type: Optional[str]
    sentiment: Optional[str]
    by: str
    at: float


@dataclass(frozen=True)
class RatingRequest:
    conversation_id: str
    suggestion_id: str
    verdict: str
    reason: Optional[str]

    @classmethod
    def from_body(cls, body: Dict[str, Any]) -> "RatingRequest":
        cid = field_id(body, "conversation_id")
        sid = field_id(body, "suggestion_id")
        verdict = field_choice(body, "verdict", VERDICTS)
        reason = field_text(body, "reason", required=False)
        if reason is not None and len(reason) > MAX_REASON:
            raise ApiError(413, f"原因太長（上限 {MAX_REASON} 字）")
        return cls(cid, sid, verdict, reason)


class Rating(TypedDict):
    conversation_id: str
    suggestion_id: str
    verdict: str
    reason: Optional[str]  # masked
    by: str
    at: float


async def store_correction(services: Services, asked: CorrectionRequest, by: str) -> Correction:
    """Store and log the correction of a customer message; 404 if the turn is not one."""
    cid, turn = asked.conversation_id, asked.turn
    messages = await services.conversations.messages(cid)
    if turn >= len(messages) or messages[turn].get("role") != "customer":
        raise ApiError(404, f"對話 {cid} 沒有第 {turn} 則顧客訊息")
    message = messages[turn]
    record: Correction = {
        "conversation_id": cid,
        "turn": turn,
        "text": mask(message["text"]),
        "intent": message.get("intent"),
        "model_sentiment": (message.get("sentiment") or {}).get("label"),
        "complaint_type": asked.complaint_type,
        "sentiment": asked.sentiment,
        "by": by,
        "at": round(time.time(), 3),
    }
    await services.corrections.correct(record)
    await services.outcomes.append(
        {
            "action": "corrected",
            "conversation_id": cid,
            "agent": by,
            "turn": turn,
            "complaint_type": asked.complaint_type,
            "sentiment": asked.sentiment,
        }
    )
    return record


async def store_rating(services: Services, asked: RatingRequest, by: str) -> Rating:
    """Store and log a verdict on a suggestion; 404 if the conversation did not show it."""
    cid, sid = asked.conversation_id, asked.suggestion_id
    if await services.conversations.suggestion(cid, sid) is None:
        raise ApiError(404, f"這個對話沒有建議 {sid}")
    record: Rating = {
        "conversation_id": cid,
        "suggestion_id": sid,
        "verdict": asked.verdict,
        "reason": mask(asked.reason) if asked.reason else None,
        "by": by,
        "at": round(time.time(), 3),
    }
    await services.corrections.rate_suggestion(record)
    await services.outcomes.append(
        {
            "action": "suggestion_rated",
            "conversation_id": cid,
            "agent": by,
            "suggestion_id": sid,
            "verdict": asked.verdict,
            "reason": asked.reason,  # the log masks free text as it writes
        }
    )
    return record


@for_supervisors
async def correct(request: Request, services: Services, account: Account) -> HTTPResponse:
    asked = CorrectionRequest.from_body(read_json(request))
    return response.json(await store_correction(services, asked, account.username))


@for_supervisors
async def rate_suggestion(request: Request, services: Services, account: Account) -> HTTPResponse:
    asked = RatingRequest.from_body(read_json(request))
    return response.json(await store_rating(services, asked, account.username))


ROUTES = (
    ("POST", "/review/corrections", correct),
    ("POST", "/review/suggestion-ratings", rate_suggestion),
)
