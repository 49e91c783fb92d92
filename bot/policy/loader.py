"""Reading ``data/policy/`` into a :class:`~bot.policy.model.Policy`, or saying what is wrong.

Supervisors edit these files by hand, so every mistake is reported with the file and
the entry, in a sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

from bot.labels import COMPLAINT_TYPES as COMPLAINT_NAMES
from bot.policy.model import Policy, RefundWindow, Remedy, Role, Tier

COMPLAINT_TYPES = frozenset(COMPLAINT_NAMES)
KINDS = frozenset({"refund", "replacement", "redelivery", "voucher", "loyalty", "gift", "apology"})
NEEDS = frozenset({"order", "delivered", "amount", "birthday_month"})
COST_KEYS = {"fixed", "order_value", "goods_cost", "claimed_amount"}


class PolicyError(ValueError):
    """A policy file is missing or wrong; the message names the file and the entry."""


def _read(path: Path) -> Dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping at the top")
    return data


def _number(value: Any, where: str, *, share: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(f"{where}: expected a number ≥ 0, got {value!r}")
    if share and value > 1:
        raise PolicyError(f"{where}: a share must be between 0 and 1, got {value!r}")
    return value


def _roles(path: Path) -> List[Role]:
    entries = _read(path).get("roles")
    if not isinstance(entries, dict) or not entries:
        raise PolicyError(f"{path}: 'roles' must map role names to their limits")
    roles = []
    for rank, (name, entry) in enumerate(entries.items()):
        where = f"{path}: role '{name}'"
        if not isinstance(entry, dict):
            raise PolicyError(f"{where}: expected a mapping")
        try:
            roles.append(
                Role(
                    name=name,
                    label=str(entry["label"]),
                    per_case_cap=int(_number(entry["per_case_cap"], f"{where} per_case_cap")),
                    order_share_cap=_number(
                        entry["order_share_cap"], f"{where} order_share_cap", share=True
                    ),
                    daily_budget=int(_number(entry["daily_budget"], f"{where} daily_budget")),
                    may_exceed_margin=bool(entry.get("may_exceed_margin", False)),
                    rank=rank,
                )
            )
        except KeyError as exc:
            raise PolicyError(f"{where}: missing {exc.args[0]}") from exc
    return roles


def _remedies(path: Path, role_names: set) -> List[Remedy]:
    entries = _read(path).get("remedies")
    if not isinstance(entries, list) or not entries:
        raise PolicyError(f"{path}: 'remedies' must be a list")
    remedies, seen = [], set()
    for entry in entries:
        rid = entry.get("id") if isinstance(entry, dict) else None
        where = f"{path}: remedy '{rid}'"
        if not rid or rid in seen:
            raise PolicyError(f"{where}: every remedy needs a unique id")
        seen.add(rid)
        suits = set(entry.get("suits") or ())
        if not suits or not suits <= COMPLAINT_TYPES:
            raise PolicyError(f"{where}: suits must list complaint types, got {sorted(suits)}")
        if entry.get("kind") not in KINDS:
            raise PolicyError(f"{where}: kind must be one of {sorted(KINDS)}")
        cost = entry.get("cost") or {}
        if not isinstance(cost, dict) or not set(cost) <= COST_KEYS:
            raise PolicyError(f"{where}: cost may only use {sorted(COST_KEYS)}")
        needs = set(entry.get("needs") or ())
        if not needs <= NEEDS:
            raise PolicyError(f"{where}: unknown needs {sorted(needs - NEEDS)}")
        approver = entry.get("approver")
        if approver is not None and approver not in role_names:
            raise PolicyError(f"{where}: approver '{approver}' is not a role")
        face_value = entry.get("face_value")
        if "{value}" in str(entry.get("label", "")) and face_value is None:
            raise PolicyError(f"{where}: the label shows {{value}} but there is no face_value")
        remedies.append(
            Remedy(
                id=rid,
                kind=entry["kind"],
                label=str(entry.get("label") or rid),
                suits=frozenset(suits),
                fixed=int(_number(cost.get("fixed", 0), f"{where} cost.fixed")),
                order_value=_number(cost.get("order_value", 0), f"{where} cost", share=True),
                goods_cost=_number(cost.get("goods_cost", 0), f"{where} cost", share=True),
                claimed_amount=_number(cost.get("claimed_amount", 0), f"{where} cost", share=True),
                face_value=None if face_value is None else int(_number(face_value, where)),
                needs=frozenset(needs),
                approver=approver,
                approver_reason=str(entry.get("approver_reason", "")),
                loyalty=bool(entry.get("loyalty", False)),
            )
        )
    return remedies


def _tiers(data: Mapping[str, Any], path: Path) -> Dict[str, Tier]:
    entries = data.get("tiers")
    if not isinstance(entries, dict) or "regular" not in entries:
        raise PolicyError(f"{path}: 'tiers' must map tier names (including 'regular')")
    return {
        name: Tier(
            name=name,
            label=str(entry.get("label", name)),
            points_multiplier=_number(entry.get("points_multiplier", 1.0), f"{path}: tier {name}"),
            loyalty_first=bool(entry.get("loyalty_first", False)),
        )
        for name, entry in entries.items()
    }


def load_policy(folder: Path) -> Policy:
    """Read roles.yml, remedies.yml and rules.yml from ``folder``."""
    folder = Path(folder)
    roles = _roles(folder / "roles.yml")
    names = {role.name for role in roles}
    remedies = _remedies(folder / "remedies.yml", names)
    rules_path = folder / "rules.yml"
    rules = _read(rules_path)
    window = rules.get("refund_window") or {}
    if window.get("approver") not in names:
        raise PolicyError(f"{rules_path}: refund_window.approver must be a role")
    unknown = set(window.get("remedies") or ()) - {remedy.id for remedy in remedies}
    if unknown:
        raise PolicyError(f"{rules_path}: refund_window names unknown remedies {sorted(unknown)}")
    return Policy(
        roles=tuple(roles),
        remedies=tuple(remedies),
        tiers=_tiers(rules, rules_path),
        margin_share=_number(rules.get("margin_share"), f"{rules_path}: margin_share", share=True),
        refund_window=RefundWindow(
            days=int(_number(window.get("days"), f"{rules_path}: refund_window.days")),
            approver=window["approver"],
            remedies=frozenset(window.get("remedies") or ()),
        ),
    )
