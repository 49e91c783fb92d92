"""The demo data loads into a real Redis and is consistent."""

from __future__ import annotations

import shutil

import pytest

from bot.demo import DemoDataError, load, read_demo
from bot.store.accounts import verify_password
from tests.conftest import ROOT

ROLES = {"agent", "senior_agent", "supervisor", "manager"}


def test_demo_data_loads(redis_client):
    counts = load(redis_client, ROOT / "data/demo", ROLES, "secret-pw")
    assert counts["customers"] >= 20 and counts["orders"] >= 40
    assert {"agent1", "senior1", "super1"} <= {
        a["username"] for a in read_demo(ROOT / "data/demo", ROLES)["accounts"]
    }
    assert redis_client.hget("kefu:user:super1", "role") == b"supervisor"
    assert verify_password("secret-pw", redis_client.hget("kefu:user:agent1", "password").decode())
    assert redis_client.exists("kefu:order:KF20261102001")


def test_inconsistent_orders_are_refused_before_anything_is_written(tmp_path, redis_client):
    folder = tmp_path / "demo"
    shutil.copytree(ROOT / "data/demo", folder)
    path = folder / "orders.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("margin: 11000", "margin: 11001", 1), encoding="utf-8")
    with pytest.raises(DemoDataError, match="do not add up"):
        load(redis_client, folder, ROLES, "pw")
    assert redis_client.dbsize() == 0
