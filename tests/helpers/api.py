"""Calling the REST assist API of the running system (the ``system`` fixture) and checking
every answer against docs/openapi.yaml."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import jsonschema
import yaml

from tests.conftest import ROOT

SPEC = yaml.safe_load((ROOT / "docs/openapi.yaml").read_text(encoding="utf-8"))


def _schema(ref: str) -> dict:
    return {"$ref": ref, "components": SPEC["components"]}


def _nullable(node):
    """OpenAPI 3.0 `nullable` to JSON Schema, so jsonschema can check answers."""
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            elif "allOf" in node:
                node = {"anyOf": [{"type": "null"}, {"allOf": node.pop("allOf")}]}
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


SPEC["components"] = _nullable(SPEC["components"])


def check(body, name: str) -> None:
    jsonschema.validate(body, _schema(f"#/components/schemas/{name}"))


def call(system, method: str, path: str, body=None, token=None, raw: bytes | None = None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(system["assist"] + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def new_id() -> str:
    return "c-" + uuid.uuid4().hex[:12]


def say(system, token, cid, text, **metadata):
    body = {"sender": cid, "message": text}
    if metadata:
        body["metadata"] = metadata
    status, answer = call(system, "POST", "/webhook", body, token)
    assert status == 200, answer
    check(answer, "Assist")
    return answer


def login(system, user: str) -> str:
    """A bearer token of a demo account."""
    status, body = call(
        system, "POST", "/login", {"username": user, "password": system["password"]}
    )
    assert status == 200, body
    check(body, "Login")
    return body["token"]
