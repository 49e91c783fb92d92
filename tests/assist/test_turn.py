"""The assist payload of one turn: the complaint reading reaches the agent, honestly."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.assist.grounding import FIRST_MESSAGES, LAST_MESSAGES
from bot.assist.presumptions import holds
from bot.assist.replies import load_replies
from bot.assist.turn import TurnFacts, build_assist
from bot.policy import load_policy
from tests.conftest import ROOT

UNCERTAIN = {
    "is_complaint": True,
    "probability": 0.81,
    "type": "complaint_defect",
    "confidence": 0.46,
    "uncertain": True,
    "candidates": [
        {"type": "complaint_defect", "confidence": 0.46},
        {"type": "complaint_price_error", "confidence": 0.4},
    ],
}


def _latest(complaint=None):
    return {
        "intent": {"name": "complaint_defect", "confidence": 0.37},
        "sentiment": {"label": "negative", "score": -0.4},
        "escalation": {"flag": False, "cues": []},
        "entities": [],
        **({"complaint": complaint} if complaint is not None else {}),
    }


@pytest.fixture(scope="module")
def resources():
    return load_replies(ROOT / "data/replies"), load_policy(ROOT / "data/policy")


def _assist(resources, latest):
    replies, policy = resources
    facts = TurnFacts.from_tracker("c-1", {"complaint_type": "complaint_defect"}, latest)
    return build_assist(
        facts, "clarify", replies=replies, policy=policy, today=dt.date(2026, 11, 27)
    )


def test_an_uncertain_reading_is_in_the_payload_with_its_two_types(resources):
    payload = _assist(resources, _latest(UNCERTAIN)).payload
    complaint = payload["analysis"]["complaint"]
    assert complaint["uncertain"] is True and complaint["type"] == "complaint_defect"
    assert [c["label"] for c in complaint["candidates"]] == [
        "服務或產品問題或瑕疵",
        "標價或報價錯誤",
    ]
    alert = next(a for a in payload["alerts"] if a["kind"] == "uncertain")
    assert "服務或產品問題或瑕疵" in alert["text"] and "標價或報價錯誤" in alert["text"]


def test_a_sure_reading_gets_no_uncertain_alert(resources):
    sure = {**UNCERTAIN, "uncertain": False, "confidence": 0.93}
    payload = _assist(resources, _latest(sure)).payload
    assert payload["analysis"]["complaint"]["uncertain"] is False
    assert not [a for a in payload["alerts"] if a["kind"] == "uncertain"]


def test_a_possible_non_complaint_says_so(resources):
    maybe = {**UNCERTAIN, "is_complaint": False, "probability": 0.42, "type": None}
    alert = next(
        a for a in _assist(resources, _latest(maybe)).payload["alerts"] if a["kind"] == "uncertain"
    )
    assert "可能不是客訴" in alert["text"]


def test_a_parse_without_a_reading_still_has_the_field(resources):
    complaint = _assist(resources, _latest()).payload["analysis"]["complaint"]
    assert complaint == {
        "is_complaint": False,
        "probability": 0.0,
        "type": None,
        "uncertain": False,
        "candidates": [],
    }


# --- issue 15: grounded, honest, answering, fitting the business ---

from bot.assist.presumptions import suggestion_basis  # noqa: E402
from bot.assist.turn import Staff  # noqa: E402
from bot.store.profiles import Order  # noqa: E402

ORDER = Order(
    "KF20261102001",
    "C001",
    dt.date(2026, 11, 2),
    dt.date(2026, 11, 4),
    "delivered",
    ("吹風機",),
    2980,
    1850,
    1130,
)
FIRST = "我上週買的吹風機用兩天就壞了，害我出門前都沒辦法吹頭髮，真的很失望"
SECOND = "訂單編號 KF20261102001，你們打算怎麼處理？"


def _events(*turns):
    return [
        {"event": "user", "text": text, "parse_data": {"text": text, **parse}}
        for text, parse in turns
    ]


def _conversation(resources, complaint=None, stage="assess", business=None, product="吹風機"):
    replies, policy = resources
    first = {**_latest(complaint), "text": FIRST}
    second = {
        "text": SECOND,
        "intent": {"name": "inform_order", "confidence": 0.9},
        "sentiment": {"label": "negative", "score": -0.3},
        "entities": [{"entity": "order_id", "value": "KF20261102001"}],
    }
    slots = {
        "complaint_type": "complaint_defect",
        "order_id": "KF20261102001",
        "product": product,
    }
    facts = TurnFacts.from_tracker("c-2", slots, second, _events((FIRST, first), (SECOND, second)))
    staff = Staff("agent1", "小美", policy.role("agent"), 0)
    return build_assist(
        facts,
        stage,
        replies=replies,
        policy=policy,
        today=dt.date(2026, 11, 27),
        staff=staff,
        order=ORDER,
        business=business,
    )


def test_turn_two_answers_how_with_a_step_that_fits_the_complaint(resources):
    assist = _conversation(resources, {**UNCERTAIN, "uncertain": False, "confidence": 0.9})
    payload = assist.payload
    suggestions = payload["suggestions"]
    assert payload["analysis"]["question"] == "how"
    assert payload["suggestions_basis"] == "confident"
    # every suggestion answers the question with the step for a broken product
    assert len({s["technique"] for s in suggestions}) == 3
    for s in suggestions:
        assert "檢測" in s["text"] and "申請" in s["text"], s
    # no option is listed instead of the step: not points, not a birthday gift, nothing
    # beyond the agent's authority
    labels = [o["label"] for o in payload["compensation"]]
    assert labels
    for s in suggestions:
        assert not any(label in s["text"] for label in labels), s


def test_a_coupon_only_follows_the_step_for_a_small_inconvenience(resources):
    replies, policy = resources
    spilled = "外送的湯灑了一半，袋子裡全是湯汁"
    first = {**_latest({**UNCERTAIN, "uncertain": False}), "text": spilled}
    second = {
        "text": SECOND,
        "intent": {"name": "inform_order", "confidence": 0.9},
        "sentiment": {"label": "negative", "score": -0.3},
        "entities": [{"entity": "order_id", "value": "KF20261102001"}],
    }
    slots = {"complaint_type": "complaint_defect", "order_id": "KF20261102001"}
    facts = TurnFacts.from_tracker(
        "c-4", slots, second, _events((spilled, first), (SECOND, second))
    )
    assist = build_assist(
        facts,
        "assess",
        replies=replies,
        policy=policy,
        today=dt.date(2026, 11, 27),
        staff=Staff("agent1", "小美", policy.role("agent"), 0),
        order=ORDER,
        business="restaurant",
    )
    first_reply = assist.payload["suggestions"][0]["text"]
    assert "重新做一份" in first_reply
    assert first_reply.index("重新做一份") < first_reply.index("折價券 NT$200")
    assert "會員點數" not in first_reply and "生日禮" not in first_reply
    # a broken hair dryer is no small matter: no coupon with its step
    broken = _conversation(resources, {**UNCERTAIN, "uncertain": False})
    assert not any("折價券" in s["text"] for s in broken.payload["suggestions"])


def test_the_customers_words_reach_the_payload_and_the_replies(resources):
    assist = _conversation(resources, {**UNCERTAIN, "uncertain": False, "confidence": 0.9})
    said = assist.payload["analysis"]["customer_said"]
    assert said["problem"] == {"text": "您上週買的吹風機用兩天就壞了", "source": FIRST}
    assert said["impact"]["text"].startswith("害您出門前")
    assert assist.said.problem.text == said["problem"]["text"]
    texts = " ".join(s["text"] for s in assist.payload["suggestions"])
    assert "吹風機用兩天就壞了" in texts
    assert assist.payload["analysis"]["emotion"] == "disappointed"


def test_an_uncertain_reading_gives_open_type_neutral_replies_and_says_so(resources):
    payload = _conversation(resources, UNCERTAIN).payload
    assert payload["suggestions_basis"] == "uncertain"
    for s in payload["suggestions"]:
        assert s["id"].split(".")[0] in ("general", "grounded", "answers"), s["id"]


def test_the_message_itself_can_support_a_type_when_the_reading_is_unsure():
    assert suggestion_basis("complaint_defect", UNCERTAIN, ["多收了我 200 元"]) == (
        "complaint_price_error",
        "message",
    )
    assert suggestion_basis("complaint_defect", UNCERTAIN, ["訂房時就備註要無菸房"]) == (
        "complaint_special_request",
        "message",
    )
    assert suggestion_basis("complaint_defect", UNCERTAIN, ["服務很慢"]) == (None, "uncertain")
    assert suggestion_basis(None, {}, ["你好"]) == (None, "none")


def test_the_business_words_are_used_and_generic_when_unset(resources):
    replies, _ = resources
    assert replies.words("hotel")["booking"] == "訂房"
    assert replies.words(None) == replies.words("generic") == replies.words("unknown_kind")
    for business, word in (("hotel", "訂房編號"), ("telecom", "門號"), (None, "預約編號")):
        facts = TurnFacts.from_tracker(
            "c-3",
            {"complaint_type": "complaint_defect"},
            {**_latest({**UNCERTAIN, "uncertain": False}), "text": "你們打算怎麼處理"},
        )
        assist = build_assist(
            facts,
            "clarify",
            replies=replies,
            policy=resources[1],
            today=dt.date(2026, 11, 27),
            business=business,
        )
        assert any(word in s["text"] for s in assist.payload["suggestions"]), business


def test_an_alert_when_the_order_is_for_another_product(resources):
    payload = _conversation(resources, product="電風扇").payload
    alert = next(a for a in payload["alerts"] if a["kind"] == "product_mismatch")
    assert "電風扇" in alert["text"] and "吹風機" in alert["text"]
    same = _conversation(resources).payload
    assert not [a for a in same["alerts"] if a["kind"] == "product_mismatch"]


def _facts(*texts):
    return TurnFacts.from_tracker(
        "c-5", {}, {"text": texts[-1]}, _events(*((t, {}) for t in texts))
    )


def test_what_the_conversation_shows_is_read_from_the_customers_words():
    from bot.assist.presumptions import holds

    repeated = holds(_facts("主機板送修第三次了，每次拿回來不到一個月又壞"), "acknowledge")
    assert "history" not in repeated  # a fault that came back is no report left unhandled
    reported = holds(_facts("我已經打了四次客服電話，每次都說已經派單"), "acknowledge")
    assert "history" in reported
    assert "threatened" in holds(_facts("再不處理我就找議員跟記者"), "acknowledge")
    assert "threatened" not in holds(_facts("洗衣機壞了"), "acknowledge")
    assert "told_unclear" in holds(_facts("每个人说的都不一样"), "acknowledge")
    assert "asked_more" in holds(_facts("我要你們整桌的餐點全部免單"), "acknowledge")
    assert "asked_more" not in holds(_facts("湯裡有一根頭髮"), "acknowledge")


def test_escalation_claims_need_a_history_and_a_threat(resources):
    replies, policy = resources
    by_id = replies.by_id()
    claim = "escalation.acknowledge.paraphrase_confirm.01"
    assert {"history", "threatened"} <= by_id[claim].presumes
    for texts in (("家裡燃氣表壞了，兩個星期沒人來修",), ("主機板送修第三次了，又壞了",)):
        facts = TurnFacts.from_tracker(
            "c-6",
            {"complaint_type": "complaint_escalation", "order_id": "KF20261102001"},
            {"text": texts[-1]},
            _events(*((t, {}) for t in texts)),
        )
        for stage in ("acknowledge", "assess", "refer"):
            assist = build_assist(
                facts, stage, replies=replies, policy=policy, today=dt.date(2026, 11, 27)
            )
            assert claim not in {s.id for s in assist.suggestions}, (texts, stage)


def test_the_reference_asked_follows_the_customers_words(resources):
    replies, policy = resources
    text = "外送送來的麵，備註寫了不要香菜，打開整碗都是香菜"
    facts = TurnFacts.from_tracker(
        "c-4",
        {"complaint_type": "complaint_special_request"},
        {**_latest({**UNCERTAIN, "uncertain": False}), "text": text},
    )
    assist = build_assist(
        facts,
        "clarify",
        replies=replies,
        policy=policy,
        today=dt.date(2026, 11, 27),
        business="restaurant",
    )
    texts = [s["text"] for s in assist.payload["suggestions"]]
    assert any("訂單編號" in t for t in texts), texts
    assert not any("訂位" in t for t in texts), texts


def _long_conversation(count):
    """``count`` customer messages: the problem first, a threat in the middle, then
    going round in circles, and an angry question at the end; the agent in between."""
    texts = [FIRST, SECOND, "我明天要出差，現在沒得用很困擾"]
    middle = count // 2
    for n in range(3, count - 1):
        texts.append(
            "再這樣拖下去我就去消基會申訴" if n == middle else "所以到底什麼時候會處理好？"
        )
    texts.append("你們到底打算怎麼處理？我真的很生氣！")
    events = []
    for n, text in enumerate(texts):
        score = -0.8 if n == count - 1 else -0.3
        parse = {"intent": {"name": "ask_status"}, "sentiment": {"score": score}}
        events.extend(_events((text, parse)))
        events.append({"event": "bot", "text": "好的，我了解"})
    return texts, events


def test_a_200_message_conversation_reads_its_window(resources):
    replies, policy = resources
    texts, events = _long_conversation(200)
    window = [e for e in events if e["event"] == "user"]
    window = window[:FIRST_MESSAGES] + window[-LAST_MESSAGES:]
    slots = {"complaint_type": "complaint_defect", "order_id": "KF20261102001"}
    latest = window[-1]["parse_data"]
    whole = TurnFacts.from_tracker("c-9", slots, latest, events)
    windowed = TurnFacts.from_tracker("c-9", slots, latest, window)
    assert whole == windowed
    assert len(whole.messages) == FIRST_MESSAGES + LAST_MESSAGES
    assert whole.texts[0] == FIRST and whole.texts[-1] == texts[-1]
    day = dt.date(2026, 11, 27)
    one, other = (
        build_assist(f, "acknowledge", replies=replies, policy=policy, today=day)
        for f in (whole, windowed)
    )
    assert one.payload == other.payload
    analysis = one.payload["analysis"]
    # the problem stated at the start, the emotion and the question of the latest message
    assert analysis["customer_said"]["problem"]["source"] in texts[:FIRST_MESSAGES]
    assert analysis["emotion"] == "angry"
    assert analysis["question"] == "how"
    # a threat in the middle of a long chat is outside the window, one in it is read
    assert "threatened" not in holds(whole, "acknowledge")
    recent = TurnFacts.from_tracker("c-9", slots, latest, _long_conversation(12)[1])
    assert "threatened" in holds(recent, "acknowledge")


def test_a_parse_alone_gives_the_analysis_a_turn_gives(resources):
    """With no turn action (pipeline.collect), the analysis is built by the same function
    from the parse alone: the same fields, the escalation read the same way."""
    from bot.assist.analysis import analysis_payload

    latest = {**_latest(), "escalation": {"flag": True, "cues": ["消基會"]}}
    turn = _assist(resources, latest).payload["analysis"]
    alone = analysis_payload(TurnFacts.from_tracker("c1", {}, latest))
    assert alone.keys() == turn.keys()
    assert alone["intent"] == turn["intent"] and alone["escalation"] == turn["escalation"]
    assert alone["escalated"] is True and alone["complaint"] == turn["complaint"]
    assert alone["customer_said"] == {} and alone["emotion"] is None
