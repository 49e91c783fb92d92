"""Policy files are checked and every mistake is named in a sentence."""

from __future__ import annotations

import shutil

import pytest

from bot.policy import PolicyError, load_policy
from tests.conftest import ROOT


@pytest.fixture()
def folder(tmp_path):
    target = tmp_path / "policy"
    shutil.copytree(ROOT / "data/policy", target)
    return target


def test_the_shipped_policy_loads(folder):
    policy = load_policy(folder)
    assert [r.name for r in policy.roles] == ["agent", "senior_agent", "supervisor", "manager"]
    assert {r.id for r in policy.remedies} >= {
        "full_refund",
        "partial_refund",
        "replacement",
        "express_redelivery",
        "coupon",
        "free_shipping",
        "loyalty_points",
        "birthday_gift",
        "supervisor_call",
    }


@pytest.mark.parametrize(
    "filename, old, new, message",
    [
        ("roles.yml", "per_case_cap: 500", "per_case_cap: -5", "number ≥ 0"),
        ("roles.yml", "order_share_cap: 0.3", "order_share_cap: 3", "share"),
        ("roles.yml", "    daily_budget: 3000\n", "", "missing daily_budget"),
        ("remedies.yml", "approver: supervisor", "approver: boss", "not a role"),
        ("remedies.yml", "kind: voucher", "kind: cash", "kind must be"),
        ("remedies.yml", "needs: [birthday_month]", "needs: [full_moon]", "unknown needs"),
        ("remedies.yml", "suits: [complaint_price_error]", "suits: [complaint_weather]", "suits"),
        ("rules.yml", "margin_share: 0.5", "margin_share: 1.5", "share"),
        ("rules.yml", "approver: supervisor", "approver: nobody", "refund_window.approver"),
        ("rules.yml", "margin_share: 0.5", "margin_share: [", "not valid YAML"),
    ],
)
def test_a_broken_file_is_named(folder, filename, old, new, message):
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(folder)
    assert filename in str(error.value) and message in str(error.value)


def test_a_missing_file_is_named(folder):
    (folder / "roles.yml").unlink()
    with pytest.raises(PolicyError, match="roles.yml: file not found"):
        load_policy(folder)
