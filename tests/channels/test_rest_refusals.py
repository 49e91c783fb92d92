"""Each refusal of the compensation domain has one status and one sentence in Chinese
(bot/channels/rest/refusals.py)."""

from __future__ import annotations

from bot.assist import compensation
from bot.assist.compensation import (
    AlreadyDecided,
    AlreadyGranted,
    ApprovalNotFound,
    BeyondAuthority,
    CompensationRefused,
    KeyReused,
    NotYours,
    OverBudget,
)
from bot.channels.rest.refusals import REFUSALS, refusal
from bot.store.grant_records import ApprovalOpened


def test_every_refusal_the_domain_names_is_in_the_table():
    named = {
        value
        for value in vars(compensation).values()
        if isinstance(value, type)
        and issubclass(value, CompensationRefused)
        and value is not CompensationRefused
    }
    assert named == set(REFUSALS)


def test_each_refusal_is_said_with_its_status_and_details():
    opened = ApprovalOpened("a1", "supervisor", "需客服主管核准（權限）", ("authority",))
    cases = [
        (KeyReused(), 422, {}),
        (AlreadyGranted("折價券"), 409, {}),
        (
            BeyondAuthority(opened),
            403,
            {
                "approver": "supervisor",
                "reason": "需客服主管核准（權限）",
                "limits": ["authority"],
                "approval_id": "a1",
            },
        ),
        (NotYours("supervisor", "客服主管"), 403, {}),
        (ApprovalNotFound("a1"), 404, {}),
        (AlreadyDecided("denied"), 409, {"status": "denied"}),
        (OverBudget(1000, 2980), 409, {}),
    ]
    for error, status, details in cases:
        answer = refusal(error)
        assert answer.status == status, error
        body = answer.body()
        assert not body["error"].isascii(), error
        assert {k: v for k, v in body.items() if k != "error"} == details
    assert "折價券" in refusal(AlreadyGranted("折價券")).message
    assert "客服主管" in refusal(NotYours("supervisor", "客服主管")).message
    assert "需客服主管核准（權限）" in refusal(BeyondAuthority(opened)).message
