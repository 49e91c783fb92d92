"""The next step that answers 「你們打算怎麼處理？」 fits the complaint and the business."""

from __future__ import annotations

import pytest

from bot.assist.claims import PROMISES
from bot.assist.next_step import NextStepsError, choose, load_next_steps
from bot.assist.replies import load_replies
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def kinds():
    return load_replies(ROOT / "data/replies").next_steps


@pytest.mark.parametrize(
    "said, complaint_type, business, kind, words",
    [
        (
            "備註寫了不要香菜，打開整碗都是香菜",
            "complaint_special_request",
            "restaurant",
            "wrong_order",
            "重新做一份",
        ),
        ("退房時多扣了我押金三千", "complaint_escalation", "hotel", "overcharge", "申請退還"),
        ("這期帳單每期多收了86元的手續費", "complaint_price_error", "bank", "overcharge", "沖銷"),
        ("洗衣機用不到半年就發出很大的噪音", "complaint_defect", "online_shop", "defect", "檢測"),
        (
            "主機板送修第三次了，每次拿回來不到一個月又壞",
            "complaint_escalation",
            None,
            "repeated_defect",
            "換新或退貨的申請",
        ),
        ("小孩下課後老師還是讓他自己下樓", "complaint_special_request", None, "safety", "安全"),
        (
            "信用卡出現一筆不明的海外消費",
            "complaint_escalation",
            "bank",
            "unauthorized_charge",
            "爭議",
        ),
        ("你們把我的包裹弄丟", "complaint_demanding", None, "lost", "追查"),
        # what is already filed or done is followed up, never started again
        (
            "信用卡出現一筆不明的海外消費，我一發現就掛失並申請爭議，現在已經過了一個月",
            "complaint_escalation",
            "bank",
            "already_handled",
            "之前的處理紀錄",
        ),
        (
            "結帳時多收了一道菜，找服務員核對了半天才給退",
            "complaint_price_error",
            "restaurant",
            "already_handled",
            "改善的流程",
        ),
        ("燃氣表壞了兩個星期沒人來修", "complaint_escalation", None, "not_repaired", "到場的日期"),
        (
            "第一位專員說可以申請，轉到第二位又說條件不符合",
            "complaint_miscommunication",
            "bank",
            "miscommunication",
            "說清楚",
        ),
        ("老师太水了", "complaint_defect", None, "quality", "改善"),
        ("理賠超慢", "complaint_defect", None, "delay", "完成時間"),
        ("中介太坑", "complaint_defect", None, "investigate", "查清楚"),
        ("結帳時價格怪怪的", "complaint_price_error", None, "overcharge", "差額"),
    ],
)
def test_the_step_fits_what_the_customer_said(kinds, said, complaint_type, business, kind, words):
    step = choose(
        kinds, [said, "訂單編號 KF20261102001，你們打算怎麼處理？"], complaint_type, business
    )
    assert step.kind == kind
    assert words in step.text


def test_simplified_input_is_read(kinds):
    assert choose(kinds, ["送到的时候汤洒了一半"], "complaint_defect", "restaurant").kind == (
        "wrong_order"
    )


def test_the_business_wording_and_the_generic_one(kinds):
    hotel = choose(kinds, ["冷氣壞了"], "complaint_defect", "hotel")
    generic = choose(kinds, ["冷氣壞了"], "complaint_defect", None)
    unknown = choose(kinds, ["冷氣壞了"], "complaint_defect", "zoo")
    assert "房間" in hotel.text and "房間" not in generic.text
    assert unknown.text == generic.text


def test_only_small_inconveniences_allow_a_gesture(kinds):
    assert choose(kinds, ["雞排冷掉了"], "complaint_defect", "restaurant").gesture
    for serious in ("信用卡被盜刷三萬", "小孩一個人站在路邊，很危險", "包裹弄丟了", "螢幕壞了"):
        assert not choose(kinds, [serious], "complaint_defect", None).gesture, serious


def test_no_step_promises_what_needs_approval(kinds):
    for kind in kinds:
        for text in kind.step.values():
            assert not PROMISES.search(text), (kind.kind, text)
            assert "{" not in text and "}" not in text


def test_a_broken_file_is_named(tmp_path):
    path = tmp_path / "next_steps.yml"
    path.write_text("kinds:\n  - kind: a\n    cues: 壞\n    step: {hotel: 修}\n", encoding="utf-8")
    with pytest.raises(NextStepsError, match="generic"):
        load_next_steps(path)
    path.write_text(
        "kinds:\n  - kind: a\n    cues: 壞\n    step: {generic: 修}\n", encoding="utf-8"
    )
    with pytest.raises(NextStepsError, match="fallback"):
        load_next_steps(path)
    path.write_text(
        "kinds:\n  - kind: a\n    types: [complaint_x]\n    step: {generic: 修}\n", encoding="utf-8"
    )
    with pytest.raises(NextStepsError, match="complaint type"):
        load_next_steps(path, ["complaint_defect"])
    assert load_next_steps(tmp_path / "missing.yml") == ()
    assert choose((), ["壞了"], "complaint_defect") is None
