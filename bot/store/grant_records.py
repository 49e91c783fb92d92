"""The records of compensation grants and approval requests (bot/store/grants.py keeps
them in Redis): typed, with no HTTP status and no sentence for people.

Records written by earlier versions (an idempotency answer kept as
``{"fingerprint", "status": 200 | 403, "body": …}``, and that same answer pushed to a
conversation's grants list) are still read, by :meth:`Answer.from_stored` and
:meth:`Grant.from_stored`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, Mapping, Optional, Tuple


@dataclass(frozen=True)
class Grant:
    """Compensation given in a conversation: directly, or by an approval (``approval_id``
    and ``requested_by`` then say which and who asked)."""

    conversation_id: str
    option_id: str
    label: str
    cost: int
    granted_by: str
    granted_at: float
    approval_id: Optional[str] = None
    requested_by: Optional[str] = None

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> "Grant":
        """A grant as stored now, as an earlier version stored an approved one (with
        ``granted: true``), or as it stored a direct one (its whole idempotent answer)."""
        if "fingerprint" in data and "body" in data:
            data = data["body"]
        return cls(
            conversation_id=str(data["conversation_id"]),
            option_id=str(data["option_id"]),
            label=str(data["label"]),
            cost=int(data["cost"]),
            granted_by=str(data["granted_by"]),
            granted_at=float(data["granted_at"]),
            approval_id=data.get("approval_id") or None,
            requested_by=data.get("requested_by") or None,
        )

    def stored(self) -> Dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ApprovalOpened:
    """An approval request opened for a grant beyond the caller's authority."""

    approval_id: str
    approver: str
    reason: str
    limits: Tuple[str, ...]

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> "ApprovalOpened":
        return cls(
            approval_id=str(data["approval_id"]),
            approver=str(data["approver"]),
            reason=str(data["reason"]),
            limits=tuple(data.get("limits") or ()),
        )

    def stored(self) -> Dict[str, Any]:
        return {**asdict(self), "limits": list(self.limits)}


@dataclass(frozen=True)
class Answer:
    """What a grant request came to, kept under its idempotency key: a retry with the
    same key (and the same request, ``fingerprint``) gets it again. Exactly one of
    ``grant`` and ``opened`` is set."""

    fingerprint: str
    grant: Optional[Grant] = None
    opened: Optional[ApprovalOpened] = None

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> "Answer":
        """Also an earlier version's ``{"fingerprint", "status": 200 | 403, "body"}``."""
        fingerprint = str(data["fingerprint"])
        if "status" in data:  # written by an earlier version
            if int(data["status"]) == 200:
                return cls(fingerprint, grant=Grant.from_stored(data["body"]))
            return cls(fingerprint, opened=ApprovalOpened.from_stored(data["body"]))
        if data.get("grant") is not None:
            return cls(fingerprint, grant=Grant.from_stored(data["grant"]))
        return cls(fingerprint, opened=ApprovalOpened.from_stored(data["opened"]))

    def stored(self) -> Dict[str, Any]:
        if self.grant is not None:
            return {"fingerprint": self.fingerprint, "grant": self.grant.stored()}
        assert self.opened is not None
        return {"fingerprint": self.fingerprint, "opened": self.opened.stored()}


@dataclass(frozen=True)
class Approval:
    """An approval request as tracked (hash ``kefu:approval:<id>``)."""

    id: str
    conversation_id: str
    option_id: str
    label: str
    cost: int
    requested_by: str
    requested_at: float
    approver: str
    reason: str
    limits: Tuple[str, ...]
    status: str  # pending, approved, denied
    decided_by: Optional[str] = None
    decided_at: Optional[float] = None

    @classmethod
    def from_hash(cls, data: Mapping[str, str]) -> "Approval":
        return cls(
            id=data["id"],
            conversation_id=data["conversation_id"],
            option_id=data["option_id"],
            label=data["label"],
            cost=int(data["cost"]),
            requested_by=data["requested_by"],
            requested_at=float(data["requested_at"]),
            approver=data["approver"],
            reason=data["reason"],
            limits=tuple(limit for limit in data.get("limits", "").split(",") if limit),
            status=data["status"],
            decided_by=data.get("decided_by") or None,
            decided_at=float(data["decided_at"]) if data.get("decided_at") else None,
        )


@dataclass(frozen=True)
class Outcome:
    """What a grant or a decision came to.

    ``status``: granted, replay (the answer kept for an earlier request with the same
    key), already (this option was already granted in the conversation), over (the
    budget would be overspent; ``spent`` says how much is gone), opened (an approval
    request), approved, denied, decided (someone decided before; ``decided`` says how),
    missing. ``answer``: with granted, replay and opened.
    """

    status: str
    answer: Optional[Answer] = None
    spent: int = 0
    decided: Optional[str] = None
