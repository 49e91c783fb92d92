"""The trained model end to end: intents, entities, sentiment, escalation, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.nlu_eval import COMPLAINT_INTENTS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.model


def _check_shape(result: dict) -> None:
    sentiment, escalation, complaint = (
        result["sentiment"],
        result["escalation"],
        result["complaint"],
    )
    assert isinstance(complaint["is_complaint"], bool) and isinstance(complaint["uncertain"], bool)
    assert 0.0 <= complaint["probability"] <= 1.0 and 0.0 <= complaint["confidence"] <= 1.0
    assert complaint["type"] is None or complaint["type"] in COMPLAINT_INTENTS
    assert len(complaint["candidates"]) <= 2
    assert sentiment["label"] in ("negative", "neutral", "positive")
    assert -1.0 <= sentiment["score"] <= 1.0
    assert isinstance(escalation["flag"], bool)
    assert isinstance(escalation["cues"], list)
    assert all(isinstance(c, str) for c in escalation["cues"])
    assert isinstance(result["intent"]["name"], str)
    assert 0.0 <= result["intent"]["confidence"] <= 1.0


def test_the_issue_example(parse):
    result = parse("我上週買的吹風機用兩天就壞了，你們到底要不要處理？")
    _check_shape(result)
    assert result["intent"]["name"] == "complaint_defect"
    assert result["sentiment"]["label"] == "negative"
    entities = {(e["entity"], e["value"]) for e in result["entities"]}
    assert {("product", "吹風機"), ("date", "上週")} <= entities


@pytest.mark.parametrize(
    "text",
    [
        "外型很漂亮，按鍵手感也很好",
        "很喜歡，下次還會再來買",
        "房間乾淨，早餐也不錯，就是隔音差了一點，整體還是推薦",
        "物流很快，包装完好，质量不错，好评",
    ],
)
def test_praise_even_with_a_reservation_is_no_complaint_and_positive(parse, text):
    result = parse(text)
    assert result["intent"]["name"] not in COMPLAINT_INTENTS, result["intent"]
    assert result["complaint"]["is_complaint"] is False and result["complaint"]["type"] is None
    assert result["sentiment"]["label"] == "positive", result["sentiment"]


def test_the_verdict_after_a_contrast_decides(parse):
    result = parse("外觀很好看，但是用兩天就壞了，真的很失望")
    assert result["complaint"]["is_complaint"] is True
    assert result["intent"]["name"] == "complaint_defect"
    assert result["sentiment"]["label"] == "negative"


def test_the_intent_ranking_agrees_with_the_complaint_reading(parse):
    result = parse("我上週買的吹風機用兩天就壞了")
    complaint = result["complaint"]
    assert complaint["is_complaint"] and complaint["type"] == result["intent"]["name"]
    assert complaint["candidates"][0]["type"] == complaint["type"]
    ranking = result["intent_ranking"]
    assert ranking[0]["name"] == result["intent"]["name"]
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_escalation_is_flagged_with_its_cues(parse):
    result = parse("這已經是我第三次反映了，再不處理我就去消基會申訴！！！")
    assert result["intent"]["name"] == "complaint_escalation"
    assert result["escalation"]["flag"] is True
    assert "authority:消基會" in result["escalation"]["cues"]
    assert "repeat:第三次" in result["escalation"]["cues"]


def test_a_calm_question_is_neither_negative_nor_escalating(parse):
    result = parse("你好，請問我的訂單什麼時候會出貨？")
    assert result["sentiment"]["label"] != "negative"
    assert result["escalation"]["flag"] is False


def test_thanks_are_positive(parse):
    result = parse("好的，謝謝你幫我處理，辛苦了！")
    assert result["sentiment"]["label"] == "positive"
    assert result["sentiment"]["score"] > 0


def test_simplified_is_understood_like_traditional_and_offsets_refer_to_the_original(parse):
    simplified = parse("我买的吹风机用了两天就坏了，订单号 TW20241103015")
    traditional = parse("我買的吹風機用了兩天就壞了，訂單號 TW20241103015")
    assert simplified["intent"]["name"] == traditional["intent"]["name"] == "complaint_defect"
    assert simplified["sentiment"]["label"] == traditional["sentiment"]["label"]
    product = next(e for e in simplified["entities"] if e["entity"] == "product")
    assert simplified["text"][product["start"] : product["end"]] == "吹风机"
    assert product["value"] == "吹風機"
    assert simplified["text"].startswith("我买的")  # the original text, not the normalised one


def test_the_annotated_test_file(parse):
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "tests/test_nlu.yml"))
    wrong_intents = []
    for message in data.intent_examples:
        result = parse(message.get("text"))
        _check_shape(result)
        if result["intent"]["name"] != message.get("intent"):
            wrong_intents.append((message.get("text"), result["intent"]["name"]))
        found = {(e["entity"], str(e["value"]), e["start"], e["end"]) for e in result["entities"]}
        for expected in message.get("entities", []):
            key = (expected["entity"], str(expected["value"]), expected["start"], expected["end"])
            assert key in found, (message.get("text"), expected, found)
    assert len(wrong_intents) <= 2, wrong_intents  # 36 messages: at least 94 % right


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "😡😡😡",
        "🙏",
        "The hair dryer broke after two days, I want a refund",
        "asdfghjkl",
        "我买的东西坏了，你们怎么处理",
        "我買的东西壞了 please refund ASAP!!!",
        "壞\x00了\x07\x1b[31m",
        "退" * 5000,
        "我上週買的吹風機用兩天就壞了。" * 350,
        "/退貨",  # a slash that is not an intent command goes through NLU like any text
        "/ 東西壞了",
        "　",  # ideographic space
    ],
)
def test_bad_input_never_crashes_and_fields_are_always_well_formed(parse, text):
    result = parse(text)
    assert "sentiment" in result and "escalation" in result, result.keys()
    _check_shape(result)


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "asdfghjkl"])
def test_messages_without_words_are_not_confident_complaints(parse, text):
    result = parse(text)
    confident_complaint = (
        result["intent"]["name"] in COMPLAINT_INTENTS and result["intent"]["confidence"] >= 0.9
    )
    assert not confident_complaint, result["intent"]


def test_only_rasas_own_intent_commands_bypass_nlu(parse):
    """`/greet` is Rasa's intent-command syntax (buttons, `/restart`): NLU does not run.

    Known limit, by Rasa's design: such a result has no sentiment or escalation. Customer
    channels must escape a leading slash in customer text so a customer cannot send one.
    """
    result = parse("/greet")
    assert result["intent"] == {"name": "greet", "confidence": 1.0}
    assert "sentiment" not in result
