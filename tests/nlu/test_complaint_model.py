import numpy as np
import pytest

from bot.nlu.complaint_model import (
    NOT_READ,
    ComplaintModel,
    ComplaintReading,
    Thresholds,
    resolve_intents,
)
from bot.nlu.polarity import Lexicon, cues
from bot.nlu.reading_features import Reading

LEXICON = Lexicon(negative=("壞", "多收", "爛"), positive=("喜歡", "很好", "推薦"))


def _reading(text: str) -> Reading:
    return Reading(
        tuple(text.split()),
        text.replace(" ", ""),
        np.zeros((2, 512), np.float32),
        cues(text.replace(" ", ""), LEXICON),
    )


TRAIN = [
    ("東西 壞 了", "complaint_defect"),
    ("螢幕 壞 掉 很 爛", "complaint_defect"),
    ("收到 就 壞", "complaint_defect"),
    ("多收 我 兩百 元", "complaint_price_error"),
    ("價格 標 錯 多收 錢", "complaint_price_error"),
    ("結帳 多收 五十 元", "complaint_price_error"),
    ("很 喜歡 會 再來", "praise"),
    ("服務 很好 推薦", "praise"),
    ("外型 很好 喜歡", "praise"),
    ("請問 營業 時間", "out_of_scope"),
    ("單號 是 123", "inform_order"),
    ("我 要 退款", "request_refund"),
] * 3


@pytest.fixture(scope="module")
def model():
    return ComplaintModel.train([_reading(t) for t, _ in TRAIN], [i for _, i in TRAIN])


def test_the_gate_says_whether_it_is_a_complaint_at_all(model):
    praise = model.read(_reading("很 喜歡 推薦"))
    assert not praise.is_complaint and praise.type is None
    defect = model.read(_reading("買 的 東西 壞 了"))
    assert defect.is_complaint and defect.type == "complaint_defect"
    assert model.read(_reading("又 多收 錢")).type == "complaint_price_error"


def test_the_top_two_types_are_given(model):
    reading = model.read(_reading("東西 壞 了 還 多收 錢"))
    assert [t for t, _ in reading.candidates][:2] == sorted(
        ["complaint_defect", "complaint_price_error"],
        key=lambda t: -dict(reading.candidates)[t],
    )
    assert reading.confidence == reading.candidates[0][1]


def test_a_close_call_is_uncertain(model):
    def margin(reading):
        return reading.candidates[0][1] - reading.candidates[1][1]

    mixed = model.read(_reading("東西 壞 了 還 多收 錢"))
    sure = model.read(_reading("東西 壞 了 很 爛"))
    assert margin(sure) > margin(mixed)
    between = (margin(sure) + margin(mixed)) / 2
    strict = ComplaintModel(
        model._gate,
        model._types,
        thresholds=Thresholds(min_type_margin=between, min_type_confidence=0),
    )
    assert strict.read(_reading("東西 壞 了 還 多收 錢")).uncertain
    assert not strict.read(_reading("東西 壞 了 很 爛")).uncertain


def test_a_gate_near_its_threshold_is_uncertain(model):
    middle = ComplaintModel(
        model._gate, model._types, thresholds=Thresholds(uncertain_low=0.0, uncertain_high=1.0)
    )
    assert middle.read(_reading("很 喜歡 推薦")).uncertain


def test_the_intent_ranking_is_blended_in(model):
    text = _reading("請問 一下")
    alone = model.read(text)
    blended = model.read(text, [{"name": "complaint_defect", "confidence": 1.0}])
    assert blended.probability == pytest.approx(0.7 * alone.probability + 0.3)


def test_untrained_or_empty_reads_nothing(model):
    assert ComplaintModel().read(_reading("壞 了")) == NOT_READ
    assert model.read(_reading("")) == NOT_READ


def test_round_trip_to_disk(model, tmp_path):
    model.to_disk(tmp_path)
    loaded = ComplaintModel.from_disk(tmp_path)
    assert loaded.read(_reading("東西 壞 了")) == model.read(_reading("東西 壞 了"))


RANKING = [
    {"name": "complaint_special_request", "confidence": 0.91},
    {"name": "praise", "confidence": 0.06},
    {"name": "inform_order", "confidence": 0.03},
]


def test_no_complaint_never_keeps_a_complaint_intent():
    reading = ComplaintReading(False, 0.2, None, 0.6, False, (("complaint_special_request", 0.6),))
    ranked = resolve_intents(RANKING, reading)
    assert ranked[0]["name"] == "praise"
    assert ranked[0]["confidence"] == pytest.approx(0.8 * 0.06 / 0.09)
    assert sum(r["confidence"] for r in ranked) == pytest.approx(1.0)


def test_a_complaint_replaces_a_non_move_but_keeps_a_move():
    reading = ComplaintReading(
        True,
        0.55,
        "complaint_defect",
        0.4,
        True,
        (("complaint_defect", 0.4), ("complaint_price_error", 0.3)),
    )
    praise_first = [
        {"name": "praise", "confidence": 0.9},
        {"name": "complaint_defect", "confidence": 0.1},
    ]
    assert resolve_intents(praise_first, reading)[0]["name"] == "complaint_defect"
    order_first = [
        {"name": "inform_order", "confidence": 0.9},
        {"name": "complaint_defect", "confidence": 0.1},
    ]
    assert resolve_intents(order_first, reading)[0]["name"] == "inform_order"
