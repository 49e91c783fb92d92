"""Grant and approval records as bot/store/grants.py returns them, for the tests of
their pure readers (bot/assist/summary.py, bot/assist/closing.py): a test names what it
is about; the rest is a plausible default (conversation c1, asked by agent1)."""

from __future__ import annotations

from typing import Optional

from bot.store.grant_records import Approval, Grant

AT = 1763884800.0  # 2025-11-23 16:00 in Taipei


def grant(
    option_id: str, label: Optional[str] = None, *, cost: int = 0, granted_at: float = AT
) -> Grant:
    """A grant of ``option_id`` by agent1 (its label the option id unless named)."""
    return Grant(
        conversation_id="c1",
        option_id=option_id,
        label=label or option_id,
        cost=cost,
        granted_by="agent1",
        granted_at=granted_at,
    )


def approval(
    option_id: str,
    label: Optional[str] = None,
    *,
    status: str = "pending",
    approver: str = "supervisor",
    requested_at: float = AT,
) -> Approval:
    """agent1's approval request for ``option_id`` (pending unless ``status`` says)."""
    return Approval(
        id=f"approval-{option_id}",
        conversation_id="c1",
        option_id=option_id,
        label=label or option_id,
        cost=0,
        requested_by="agent1",
        requested_at=requested_at,
        approver=approver,
        reason="需客服主管核准（權限）",
        limits=("authority",),
        status=status,
    )
