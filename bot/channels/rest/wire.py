"""The JSON the assist API answers with (docs/openapi.yaml), as TypedDicts, and the
serialisers from the stores' records. The assist payload of a turn is the actions' own
(bot/assist/turn.py) and passes through as it is."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from bot.store.conversation_records import RecentConversation
from bot.store.grant_records import Approval, Grant


class Health(TypedDict):
    status: str  # ok, degraded
    redis: str  # ok, down
    model: bool


class Login(TypedDict):
    token: str
    role: str
    role_label: str
    supervisor: bool
    name: str
    expires_in: int


class Sentiment(TypedDict):
    label: str
    score: float


class LastMessage(TypedDict):
    role: str
    text: str


class ConversationRow(TypedDict):
    conversation_id: str
    agent: Optional[str]
    status: Optional[str]
    updated: float
    complaint_type: Optional[str]
    sentiment: Optional[Sentiment]
    escalated: bool
    last_message: Optional[LastMessage]


class ConversationList(TypedDict):
    conversations: List[ConversationRow]


class _GrantRequired(TypedDict):
    granted: bool
    conversation_id: str
    option_id: str
    label: str
    cost: int
    granted_by: str
    granted_at: float


class GrantView(_GrantRequired, total=False):
    approval_id: str  # granted by this approval
    requested_by: str


class ApprovalView(TypedDict):
    id: str
    conversation_id: str
    option_id: str
    label: str
    cost: int
    requested_by: str
    requested_at: float
    approver: str
    reason: str
    limits: List[str]
    status: str  # pending, approved, denied
    decided_by: Optional[str]
    decided_at: Optional[float]


class ApprovalList(TypedDict):
    approvals: List[ApprovalView]


class ConversationView(TypedDict):
    conversation_id: str
    agent: Optional[str]
    status: Optional[str]
    messages: List[Dict[str, Any]]
    messages_total: int
    messages_from: int
    assist: Optional[Dict[str, Any]]
    granted: List[GrantView]
    approvals: List[ApprovalView]
    rating: Optional[int]
    summary: Optional[Dict[str, Any]]


class Claimed(TypedDict):
    conversation_id: str
    agent: str
    status: str


class _ReplyRequired(TypedDict):
    conversation_id: str
    recorded: bool
    relayed: bool
    agent: str
    suggestion_id: Optional[str]
    technique: Optional[str]
    technique_label: Optional[str]
    edited: bool


class ReplyRecorded(_ReplyRequired, total=False):
    deferred: bool  # only while Redis is away


def grant_view(grant: Grant) -> GrantView:
    view: GrantView = {
        "granted": True,
        "conversation_id": grant.conversation_id,
        "option_id": grant.option_id,
        "label": grant.label,
        "cost": grant.cost,
        "granted_by": grant.granted_by,
        "granted_at": grant.granted_at,
    }
    if grant.approval_id is not None:
        view["approval_id"] = grant.approval_id
    if grant.requested_by is not None:
        view["requested_by"] = grant.requested_by
    return view


def approval_view(approval: Approval) -> ApprovalView:
    return {
        "id": approval.id,
        "conversation_id": approval.conversation_id,
        "option_id": approval.option_id,
        "label": approval.label,
        "cost": approval.cost,
        "requested_by": approval.requested_by,
        "requested_at": approval.requested_at,
        "approver": approval.approver,
        "reason": approval.reason,
        "limits": list(approval.limits),
        "status": approval.status,
        "decided_by": approval.decided_by,
        "decided_at": approval.decided_at,
    }


def conversation_row(row: RecentConversation) -> ConversationRow:
    """One row of the list, from a row of ``Conversations.recent``."""
    record, last = row.record, row.last_message
    return {
        "conversation_id": record.id,
        "agent": record.agent,
        "status": record.status,
        "updated": record.updated,
        "complaint_type": record.complaint_type,
        "sentiment": {"label": record.sentiment, "score": record.score or 0.0}
        if record.sentiment
        else None,
        "escalated": record.escalated,
        "last_message": {"role": last["role"], "text": last["text"][:80]} if last else None,
    }
