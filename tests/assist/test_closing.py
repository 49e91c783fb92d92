from bot.assist.closing import close_summary
from bot.store.conversation_records import ConversationRecord
from tests.helpers.grants import grant


def test_close_summary_figures():
    record = ConversationRecord(
        id="c1",
        status="closed",
        agent="agent1",
        resolution="resolved",
        created=100.0,
        closed_at=400.5,
    )
    messages = [
        {"role": "customer", "text": "壞了", "ts": 110.0},
        {"role": "customer", "text": "KF1", "ts": 130.0},
        {"role": "agent", "text": "您好", "ts": 155.5},
    ]
    grants = [grant("coupon", cost=120), grant("free_shipping", cost=80)]
    summary = close_summary(record, messages, grants)
    assert (summary["conversation_id"], summary["agent"], summary["resolution"]) == (
        "c1",
        "agent1",
        "resolved",
    )
    assert summary["handle_time_s"] == 300.5
    assert summary["first_response_s"] == 45.5
    assert (
        summary["compensation"] == ["coupon", "free_shipping"]
        and summary["compensation_cost"] == 200
    )
    assert (summary["customer_messages"], summary["agent_messages"]) == (2, 1)


def test_no_agent_reply_no_first_response_time():
    summary = close_summary(
        ConversationRecord("c1", status="closed", created=1.0, closed_at=2.0),
        [{"role": "customer", "ts": 1.5}],
        [],
    )
    assert summary["first_response_s"] is None and summary["compensation_cost"] == 0
