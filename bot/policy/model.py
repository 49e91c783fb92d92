"""The typed shapes of the compensation policy and of one case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Mapping, Optional, Tuple

# the four organisational limits of note 4 (docs/domain.md#note-4), as the agent reads them
LIMIT_NAMES = {"authority": "權限", "budget": "預算", "margin": "利潤", "policy": "政策"}


@dataclass(frozen=True)
class Role:
    """A level of authority (roles.yml)."""

    name: str
    label: str
    per_case_cap: int
    order_share_cap: float
    daily_budget: int
    may_exceed_margin: bool
    rank: int


@dataclass(frozen=True)
class Remedy:
    """One entry of the remedy catalogue (remedies.yml); costs in NT$."""

    id: str
    kind: str
    label: str
    suits: FrozenSet[str]
    fixed: int = 0
    order_value: float = 0.0
    goods_cost: float = 0.0
    claimed_amount: float = 0.0
    face_value: Optional[int] = None
    needs: FrozenSet[str] = frozenset()
    approver: Optional[str] = None
    approver_reason: str = ""
    loyalty: bool = False


@dataclass(frozen=True)
class Tier:
    """A customer tier (rules.yml)."""

    name: str
    label: str
    points_multiplier: float
    loyalty_first: bool


@dataclass(frozen=True)
class RefundWindow:
    days: int
    approver: str
    remedies: FrozenSet[str]


@dataclass(frozen=True)
class Policy:
    """Everything in data/policy/, validated."""

    roles: Tuple[Role, ...]  # least authority first
    remedies: Tuple[Remedy, ...]  # the company's preferred order
    tiers: Mapping[str, Tier]
    margin_share: float
    refund_window: RefundWindow

    def role(self, name: str) -> Role:
        for role in self.roles:
            if role.name == name:
                return role
        raise KeyError(f"unknown role '{name}'")

    def remedy(self, remedy_id: str) -> Remedy:
        for remedy in self.remedies:
            if remedy.id == remedy_id:
                return remedy
        raise KeyError(f"unknown remedy '{remedy_id}'")


@dataclass(frozen=True)
class OrderFacts:
    """What the policy needs to know about the order (NT$, integers)."""

    order_id: str
    value: int
    cost: int
    margin: int
    delivered: Optional[dt.date] = None


@dataclass(frozen=True)
class CustomerFacts:
    tier: str = "regular"
    birthday: Optional[dt.date] = None


@dataclass(frozen=True)
class Case:
    """One complaint as far as compensation is concerned."""

    complaint_type: Optional[str]
    today: dt.date
    order: Optional[OrderFacts] = None
    customer: Optional[CustomerFacts] = None
    claimed_amount: Optional[int] = None  # an amount the customer named (price errors)
    escalated: bool = False


@dataclass(frozen=True)
class Breach:
    """A limit an option breaks, who may lift it, and why, in words for the agent."""

    limit: str  # a key of LIMIT_NAMES
    approver: str  # a role name
    reason: str


@dataclass(frozen=True)
class Option:
    """A remedy priced for this case and checked against one role's limits."""

    id: str
    kind: str
    label: str
    cost: int
    face_value: Optional[int]
    breaches: Tuple[Breach, ...] = field(default_factory=tuple)
    approver: Optional[str] = None
    reason: str = ""

    @property
    def within_authority(self) -> bool:
        return not self.breaches

    @property
    def limits(self) -> Tuple[str, ...]:
        return tuple(breach.limit for breach in self.breaches)

    def as_dict(self) -> Dict[str, Any]:
        """A ``compensation`` item (docs/design.md#the-assist-payload), with the broken limits."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "cost": self.cost,
            "face_value": self.face_value,
            "within_authority": self.within_authority,
            "approver": self.approver,
            "limits": list(self.limits),
            "reason": self.reason,
        }
