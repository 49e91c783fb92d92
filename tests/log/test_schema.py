"""The version-1 event schema."""

from __future__ import annotations

import pytest

from bot.log import schema

BASE = {"v": 1, "id": "a" * 32, "ts": 1.0, "conversation_id": "c1", "agent": None}


def test_every_action_names_its_fields_and_accepts_a_complete_event():
    samples = {str: "x", int: 1, float: 1.5, list: [], type(None): None}
    for action, fields in schema.ACTIONS.items():
        record = {**BASE, "action": action}
        record.update({name: samples[types[0]] for name, types in fields.items()})
        schema.check(record)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"v": 2}, "version"),
        ({"action": "nope"}, "unknown action"),
        ({"rating": "5"}, "wrong type"),
        ({"rating": True}, "wrong type"),
        ({"conversation_id": None}, "wrong type"),
    ],
)
def test_bad_events_name_the_problem(change, reason):
    record = {**BASE, "action": "rated", "rating": 5, **change}
    with pytest.raises(schema.SchemaError, match=reason):
        schema.check(record)


def test_a_missing_field_is_named():
    with pytest.raises(schema.SchemaError, match="missing rating"):
        schema.check({**BASE, "action": "rated"})
