"""Compensation within organisational limits (note 4, docs/domain.md#note-4): pure functions.

``load_policy(folder)`` reads ``data/policy/``; ``rank_options(case, role, spent_today,
policy)`` lists the remedies that fit a case, each marked within the role's authority
or naming the approver and the limit it breaks.
"""

from bot.policy.engine import approver_for, breaches, budget_reason, explain, rank_options
from bot.policy.loader import PolicyError, load_policy
from bot.policy.model import (
    LIMIT_NAMES,
    Breach,
    Case,
    CustomerFacts,
    Option,
    OrderFacts,
    Policy,
    Remedy,
    Role,
)

__all__ = [
    "LIMIT_NAMES",
    "Breach",
    "Case",
    "CustomerFacts",
    "Option",
    "OrderFacts",
    "Policy",
    "PolicyError",
    "approver_for",
    "budget_reason",
    "explain",
    "Remedy",
    "Role",
    "load_policy",
    "rank_options",
    "breaches",
]
