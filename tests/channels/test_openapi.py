"""docs/openapi.yaml describes exactly the routes the assist channel serves."""

from __future__ import annotations

import re

import yaml

from bot.channels.assist import AssistInput
from tests.conftest import ROOT


def _routes():
    blueprint = AssistInput().blueprint(lambda message: None)
    found = set()
    for route in blueprint._future_routes:
        path = re.sub(r"<(\w+)>", r"{\1}", route.uri)
        for method in route.methods:
            found.add((method.lower(), path))
    return found


def test_every_route_is_documented_and_nothing_else():
    spec = yaml.safe_load((ROOT / "docs/openapi.yaml").read_text(encoding="utf-8"))
    documented = {
        (method, re.sub(r"\{\w+\}", "{}", path))
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "delete"}
    }
    served = {(method, re.sub(r"\{\w+\}", "{}", path)) for method, path in _routes()}
    assert served == documented
