"""The case facts both compensation test modules grant against (as the turn stores them:
bot/assist/case.py): a defect on a NT$2,980 order with NT$1,130 margin, a gold customer."""

from __future__ import annotations

DEFECT_CASE = {
    "complaint_type": "complaint_defect",
    "claimed_amount": None,
    "escalated": False,
    "order": {
        "order_id": "KF20261102001",
        "value": 2980,
        "cost": 1850,
        "margin": 1130,
        "delivered": None,
    },
    "customer": {"tier": "gold", "birthday": None},
}
