"""Load the demo data of ``data/demo/`` into Redis: ``python -m bot.demo``.

Orders and customers (so the assistant has real context on a bare machine) and the
demo staff accounts, whose password is ``$KEFU_DEMO_PASSWORD`` (default ``kefu-demo``).
The files are checked first; nothing is written unless all of them are valid.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.store import keys
from bot.store.accounts import Account, save_account_sync

DEFAULT_PASSWORD = "kefu-demo"


class DemoDataError(ValueError):
    """A demo file is inconsistent; the message names the record."""


def _default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def read_demo(folder: Path, roles: set) -> Dict[str, List[dict]]:
    """The three demo files, checked: ids, arithmetic, references, roles."""
    customers = yaml.safe_load((folder / "customers.yml").read_text(encoding="utf-8"))["customers"]
    orders = yaml.safe_load((folder / "orders.yml").read_text(encoding="utf-8"))["orders"]
    accounts = yaml.safe_load((folder / "accounts.yml").read_text(encoding="utf-8"))["accounts"]
    customer_ids = set()
    for customer in customers:
        keys.check_id(customer["id"], "customer id")
        customer_ids.add(customer["id"])
    for order in orders:
        keys.check_id(order["id"], "order id")
        value = sum(i["price"] * i["quantity"] for i in order["items"]) + order["shipping_fee"]
        cost = sum(i["cost"] * i["quantity"] for i in order["items"])
        if (order["value"], order["cost"], order["margin"]) != (value, cost, value - cost):
            raise DemoDataError(f"order {order['id']}: value, cost and margin do not add up")
        if order["customer"] not in customer_ids:
            raise DemoDataError(f"order {order['id']}: unknown customer {order['customer']}")
    for account in accounts:
        keys.check_id(account["username"], "username")
        if account["role"] not in roles:
            raise DemoDataError(f"account {account['username']}: unknown role {account['role']}")
    return {"customers": customers, "orders": orders, "accounts": accounts}


def load(redis, folder: Path, roles: set, password: str) -> Dict[str, int]:  # noqa: ANN001
    """Write the demo data (sync client); returns how many records of each kind."""
    data = read_demo(folder, roles)
    pipe = redis.pipeline()
    for customer in data["customers"]:
        pipe.set(
            keys.customer(customer["id"]),
            json.dumps(customer, default=_default, ensure_ascii=False),
        )
    for order in data["orders"]:
        pipe.set(keys.order(order["id"]), json.dumps(order, default=_default, ensure_ascii=False))
    pipe.execute()
    for account in data["accounts"]:
        save_account_sync(
            redis, Account(account["username"], account["name"], account["role"]), password
        )
    return {name: len(records) for name, records in data.items()}


def main() -> int:
    import redis as redis_lib

    from bot.config import Settings
    from bot.policy import load_policy

    settings = Settings.from_env(os.environ)
    roles = {role.name for role in load_policy(Path("data/policy")).roles}
    client = redis_lib.Redis.from_url(settings.redis_target().url)
    counts = load(client, Path("data/demo"), roles, settings.demo_password)
    print("loaded " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
