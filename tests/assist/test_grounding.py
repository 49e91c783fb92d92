"""The customer's own words, said back by the agent: problem, impact, request."""

from __future__ import annotations

import pytest

from bot.assist.grounding import (
    FIRST_MESSAGES,
    INSULTS,
    LAST_MESSAGES,
    MAX_CHARS,
    clauses,
    customer_messages,
    ground,
    ground_message,
    has_insult,
    message_window,
    to_agent_voice,
)


def test_problem_impact_and_request_from_one_message():
    said = ground_message("房間隔音很差，害我整晚都沒睡好，我要退一晚的房費")
    assert said.problem.text == "房間隔音很差"
    assert said.impact.text == "害您整晚都沒睡好"
    assert said.request.text == "退一晚的房費"
    assert ground_message("請幫我查是不是電表抄錯了").request.text == "我們幫您查是不是電表抄錯了"
    assert ground_message("這次扣了 28,900 元").problem.text == "這次扣了28,900元"
    assert said.problem.source == "房間隔音很差，害我整晚都沒睡好，我要退一晚的房費"


def test_the_person_is_changed_to_the_agents_point_of_view():
    assert to_agent_voice("我買的吹風機") == "您買的吹風機"
    assert to_agent_voice("你們的客服不理我") == "我們的客服不理您"
    assert to_agent_voice("我們全家都等你回覆") == "您們全家都等我回覆"
    said = ground_message("你們寄錯顏色給我，麻煩你們幫我換貨")
    assert said.problem.text == "我們寄錯顏色給您"
    assert said.request.text == "我們幫您換貨"  # 您希望我們幫您換貨


def test_insults_and_profanity_are_never_quoted_back():
    said = ground_message("你們這些廢物，東西壞了也不處理，幹")
    for part in (said.problem, said.impact, said.request):
        assert part is None or not any(word in part.text for word in INSULTS)
    assert said.problem is not None and "壞了" in said.problem.text


@pytest.mark.parametrize(
    "message",
    ["我不管什麼合約規定，你們網路爛成這樣，我現在就要解約", "中介太坑", "老师太水了", "黑心店家"],
)
def test_contempt_is_never_the_problem_said_back(message):
    """「我們網路爛成這樣」「中介太坑」「老師太水了」 read as the agent agreeing (review D)."""
    said = ground([message])
    for part in (said.problem, said.impact, said.request):
        assert part is None or not has_insult(part.text), part
    assert said.problem is None


def test_a_named_cue_comes_before_a_clause_that_only_opens_with_結果():
    said = ground(["我在贵行办理分期，结果第一期账单出来，每期多收了86元的手续费"])
    assert said.problem.text == "每期多收了86元的手續費"


def test_a_long_account_gives_a_short_clause():
    message = (
        "住在新北的老公寓，辦了你們的光纖 500M，結果：\n1. 實測最快只有 80M，晚上更只剩 20 幾；\n"
        "2. 每天晚上九點到十一點固定斷線，數據機燈號一直閃紅燈；\n3. 打客服只會叫我重開機。"
    )
    said = ground_message(message)
    assert said.problem is not None and len(said.problem.text) <= MAX_CHARS


def test_simplified_input_is_read_and_said_back_in_traditional():
    said = ground_message("耳机左边没声音，换了两个设备都一样")
    assert said.problem.text == "耳機左邊沒聲音"


def test_connectives_intensifiers_and_greetings_are_dropped():
    assert clauses("你好，然後根本沒收到貨啦！") == ["根本沒收到貨啦"]
    said = ground_message("你好，然後根本沒收到貨啦！")
    assert said.problem.text == "沒收到貨"


def test_threats_are_not_requests_and_questions_are_not_problems():
    said = ground_message("再不處理我就直接找消基會")
    assert said.request is None
    said = ground_message("訂單編號 KF20261102001，你們打算怎麼處理？")
    assert said.problem is None and said.request is None


def test_the_conversation_keeps_what_was_said_when_a_later_message_says_nothing_new():
    said = ground(["我上週買的吹風機用兩天就壞了", "訂單編號 KF20261102001，你們打算怎麼處理？"])
    assert said.problem.text == "您上週買的吹風機用兩天就壞了"
    assert said.problem.source == "我上週買的吹風機用兩天就壞了"
    later = ground(["吹風機壞了", "而且充電線也斷了，害我沒辦法出門"])
    assert later.problem.text == "充電線也斷了"
    assert later.impact.text == "害您沒辦法出門"
    assert set(later.details()) == {"problem", "impact"}


def test_a_short_message_without_a_cue_is_its_own_problem():
    assert ground_message("備註寫了不要香菜，打開整碗都是香菜").problem.text == (
        "備註寫了不要香菜，打開整碗都是香菜"
    )


def test_customer_messages_come_from_user_events_only():
    events = [
        {"event": "user", "text": "東西壞了", "parse_data": {"intent": {"name": "x"}}},
        {"event": "bot", "text": "agent"},
        {"event": "user", "text": ""},
        {"event": "user", "text": "訂單編號 KF1"},
    ]
    assert [text for text, _ in customer_messages(events)] == ["東西壞了", "訂單編號 KF1"]


@pytest.mark.parametrize(
    "message, demand",
    [
        ("我不管什麼合約規定，網路爛成這樣，我現在就要解約", "解約"),
        ("盜刷不是我的錯，今天就要先把那三萬塊退回我的戶頭", "把那三萬塊退回您的戶頭"),
    ],
)
def test_an_explicit_demand_is_read_as_the_request(message, demand):
    assert ground_message(message).request.text == demand


def test_the_window_is_the_opening_and_the_latest_messages():
    assert message_window(list(range(FIRST_MESSAGES + LAST_MESSAGES))) == tuple(
        range(FIRST_MESSAGES + LAST_MESSAGES)
    )
    window = message_window(list(range(200)))
    assert window == (*range(FIRST_MESSAGES), *range(200 - LAST_MESSAGES, 200))


def test_customer_messages_of_a_long_conversation_are_its_window():
    events = []
    for n in range(200):
        events.append({"event": "user", "text": f"第 {n} 則", "parse_data": {"n": n}})
        events.append({"event": "bot", "text": "agent"})
    read = customer_messages(events)
    assert [parse["n"] for _, parse in read] == [
        *range(FIRST_MESSAGES),
        *range(200 - LAST_MESSAGES, 200),
    ]
    # reading the window again gives the window: the Rasa server may send only these
    assert customer_messages({"event": "user", "text": t, "parse_data": p} for t, p in read) == read


def test_mainland_words_are_said_back_in_taiwan_usage():
    said = ground_message("我們小區的電梯壞了三天，結賬的時候還多收了錢")
    texts = " ".join(s.text for s in (said.problem, said.impact, said.request) if s)
    assert "小區" not in texts and "結賬" not in texts
    assert "社區" in texts or "結帳" in texts
    assert to_agent_voice("我在小區門口結賬") == "您在社區門口結帳"
    # a word already in Taiwan usage is left as it is
    assert to_agent_voice("結帳時多收了錢") == "結帳時多收了錢"


def test_the_usage_map_never_grows_a_word_into_itself():
    from bot.assist.grounding import _taiwan_words

    for word, taiwan in _taiwan_words():
        assert word not in taiwan, word


def test_a_tip_to_other_customers_is_not_a_demand():
    said = ground_message("昨天結賬被多收了200，後來有退回來了，提醒大家結賬記得看小票")
    assert said.request is None
    assert said.problem is not None and "結帳" in said.problem.text


def test_two_demands_side_by_side_are_both_kept():
    said = ground_message("外送晚了一小時還少了薯條，我要你們馬上重送，兩餐都要免費")
    assert said.request is not None
    assert said.request.text == "馬上重送、兩餐都要免費"
    assert ground_message("我希望你們退款").request.text == "退款"
