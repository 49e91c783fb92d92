"""The record of one conversation (the hash ``kefu:conv:<id>`` that
bot/store/conversations.py keeps), typed.

The hash holds strings only; :meth:`ConversationRecord.from_hash` reads them into
numbers, flags and ``None``. Who writes what:

* ``create``: id, status, agent, customer_id, created, updated;
* ``claim``: agent, status, updated;
* a customer turn: updated, and sentiment, score, complaint_type and escalated
  (``"1"``, once set) when the NLU says so;
* an agent reply: updated, status;
* ``close``: status, closed_at, closed_by, resolution, note, updated;
* ``rate``: rating.

A text field that is absent or empty reads as ``None``: ``agent is None`` while the
conversation is unassigned (the hash keeps ``""``), ``customer_id is None`` when the
channel named no customer. Fields this module does not know (written by another
version) are left out, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional


def _text(data: Mapping[str, str], name: str) -> Optional[str]:
    return data.get(name) or None


def _float(data: Mapping[str, str], name: str) -> Optional[float]:
    raw = data.get(name)
    return float(raw) if raw else None


@dataclass(frozen=True)
class ConversationRecord:
    """One conversation: who handles it, where it stands, how it ended.

    ``status``: new, active, waiting, closed (bot/store/conversations.py ``STATUSES``);
    ``agent``: the username handling it, None while unassigned; ``sentiment`` and
    ``score``: the latest customer message's; ``escalated``: any message ever was;
    ``resolution``, ``closed_at``, ``closed_by``, ``note``: set at the close; ``rating``:
    the customer's 1–5, once given.
    """

    id: str
    status: str = "new"
    agent: Optional[str] = None
    customer_id: Optional[str] = None
    created: float = 0.0
    updated: float = 0.0
    sentiment: Optional[str] = None
    score: Optional[float] = None
    complaint_type: Optional[str] = None
    escalated: bool = False
    closed_at: Optional[float] = None
    closed_by: Optional[str] = None
    resolution: Optional[str] = None
    note: Optional[str] = None
    rating: Optional[int] = None

    @classmethod
    def from_hash(cls, data: Mapping[str, str], cid: str = "") -> "ConversationRecord":
        """The record from its decoded hash; ``cid`` (the key's id) stands in for a
        missing ``id`` field. A hash read while ``create`` is still writing it may hold
        only ``id``: the rest then reads as a new conversation's defaults."""
        rating = data.get("rating")
        return cls(
            id=data.get("id") or cid,
            status=data.get("status") or "new",
            agent=_text(data, "agent"),
            customer_id=_text(data, "customer_id"),
            created=_float(data, "created") or 0.0,
            updated=_float(data, "updated") or 0.0,
            sentiment=_text(data, "sentiment"),
            score=_float(data, "score"),
            complaint_type=_text(data, "complaint_type"),
            escalated=data.get("escalated") == "1",
            closed_at=_float(data, "closed_at"),
            closed_by=_text(data, "closed_by"),
            resolution=_text(data, "resolution"),
            note=_text(data, "note"),
            rating=int(rating) if rating else None,
        )

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class RecentConversation:
    """A row of :meth:`bot.store.conversations.Conversations.recent`: the record and the
    transcript's last message (None before the first)."""

    record: ConversationRecord
    last_message: Optional[Dict[str, Any]]
