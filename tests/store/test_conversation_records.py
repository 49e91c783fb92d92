"""A conversation's hash read as a typed record (bot/store/conversation_records.py)."""

from __future__ import annotations

import pytest

from bot.store.conversation_records import ConversationRecord
from bot.store.conversations import Conversations

# every field the store writes, as Redis holds them: strings
FULL = {
    "id": "c1",
    "status": "closed",
    "agent": "agent1",
    "customer_id": "C001",
    "created": "1763884800.123",
    "updated": "1763885100.500",
    "sentiment": "negative",
    "score": "-0.820",
    "complaint_type": "complaint_defect",
    "escalated": "1",
    "closed_at": "1763885100.500",
    "closed_by": "agent1",
    "resolution": "resolved",
    "note": "已換新",
    "rating": "4",
}


def test_a_full_hash_reads_into_every_field():
    assert ConversationRecord.from_hash(FULL) == ConversationRecord(
        id="c1",
        status="closed",
        agent="agent1",
        customer_id="C001",
        created=1763884800.123,
        updated=1763885100.5,
        sentiment="negative",
        score=-0.82,
        complaint_type="complaint_defect",
        escalated=True,
        closed_at=1763885100.5,
        closed_by="agent1",
        resolution="resolved",
        note="已換新",
        rating=4,
    )
    assert ConversationRecord.from_hash(FULL).is_closed


def test_numeric_fields_parse_to_numbers():
    record = ConversationRecord.from_hash(FULL)
    assert isinstance(record.created, float) and isinstance(record.updated, float)
    assert isinstance(record.score, float) and isinstance(record.closed_at, float)
    assert isinstance(record.rating, int) and isinstance(record.escalated, bool)
    assert ConversationRecord.from_hash({**FULL, "score": "0.000"}).score == 0.0  # not None
    with pytest.raises(ValueError):
        ConversationRecord.from_hash({**FULL, "rating": "good"})


def test_a_new_conversation_as_create_writes_it():
    new = {
        "id": "c2",
        "status": "new",
        "agent": "",
        "customer_id": "",
        "created": "100.000",
        "updated": "100.000",
    }
    record = ConversationRecord.from_hash(new)
    assert record == ConversationRecord("c2", status="new", created=100.0, updated=100.0)
    # unassigned and no customer named: None, not ""
    assert record.agent is None and record.customer_id is None
    assert (record.sentiment, record.score, record.complaint_type) == (None, None, None)
    assert record.escalated is False and not record.is_closed
    assert (record.closed_at, record.closed_by, record.resolution, record.note) == (None,) * 4
    assert record.rating is None


def test_a_hash_create_has_not_finished_writing_reads_as_new():
    assert ConversationRecord.from_hash({"id": "c3"}) == ConversationRecord("c3")
    assert ConversationRecord.from_hash({"status": "active"}, "c4").id == "c4"


def test_fields_it_does_not_know_are_left_out():
    legacy = {**FULL, "channel": "line", "priority": "high", "escalated": "0"}
    record = ConversationRecord.from_hash(legacy)
    assert record == ConversationRecord.from_hash({**FULL, "escalated": ""})
    assert record.escalated is False
    assert not hasattr(record, "channel")


async def test_the_store_reads_back_what_each_step_wrote(aioredis):
    conversations = Conversations(aioredis)
    created = await conversations.create("c5", "C001")
    assert (created.id, created.status, created.agent, created.customer_id) == (
        "c5",
        "new",
        None,
        "C001",
    )
    assert created.created == created.updated > 0
    await conversations.claim("c5", "agent1")
    analysis = {
        "sentiment": {"label": "negative", "score": -0.5},
        "complaint_type": "complaint_defect",
    }
    await conversations.record_customer_turn(
        "c5", "壞了", {"analysis": analysis}, [], [], {}, escalated=True
    )
    turned = await conversations.get("c5")
    assert (turned.status, turned.agent, turned.sentiment, turned.score) == (
        "waiting",
        "agent1",
        "negative",
        -0.5,
    )
    assert turned.complaint_type == "complaint_defect" and turned.escalated
    assert await conversations.close("c5", "agent1", "resolved", "已換新") == "ok"
    assert await conversations.rate("c5", 5)
    closed = await conversations.get("c5")
    assert closed.is_closed and (closed.closed_by, closed.resolution, closed.note) == (
        "agent1",
        "resolved",
        "已換新",
    )
    assert closed.closed_at == closed.updated >= turned.updated and closed.rating == 5
    assert await conversations.get("nope") is None


async def test_recent_rows_are_the_record_and_its_last_message(aioredis):
    conversations = Conversations(aioredis)
    await conversations.create("quiet", agent="agent1")
    await conversations.create("busy")
    await conversations.record_customer_turn("busy", "有人在嗎", {}, [], [], {})
    await aioredis.hset("kefu:conv:busy", "channel", "line")  # a field of another version
    busy, quiet = await conversations.recent()
    assert busy.record.id == "busy" and busy.record.agent is None
    assert busy.last_message["text"] == "有人在嗎"
    assert quiet.record == await conversations.get("quiet") and quiet.last_message is None
