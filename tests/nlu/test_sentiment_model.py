import pytest

from bot.nlu.sentiment_model import (
    NEUTRAL,
    Featurizer,
    PolarityLexicon,
    SentimentExample,
    SentimentModel,
    example_label,
)

LEXICON = PolarityLexicon(negative=("爛",), positive=("謝謝",))


def _ex(text, label=None, intent=None):
    return SentimentExample(tuple(text.split()), intent, label)


TRAIN = [
    _ex("東西 壞 了 很 爛", "negative", "complaint_defect"),
    _ex("你們 服務 爛 透 了", "negative", "complaint_defect"),
    _ex("多 收 我 錢 很 生氣", "negative", "complaint_price_error"),
    _ex("等 好久 還 沒 到", "negative", "ask_status"),
    _ex("請問 訂單 到 哪 了", "neutral", "ask_status"),
    _ex("我 的 單號 是 123", "neutral", "inform_order"),
    _ex("你好", "neutral", "greet"),
    _ex("好 的", "neutral", "accept_offer"),
    _ex("謝謝 你 幫忙", "positive", "thank"),
    _ex("服務 很 好 謝謝", "positive", "praise"),
    _ex("超 讚 的 店", "positive", "praise"),
    _ex("感謝 客服", "positive", "thank"),
]


@pytest.fixture(scope="module")
def model():
    return SentimentModel.train(TRAIN * 3, LEXICON, epochs=15)


def test_learns_the_three_classes(model):
    assert model.predict(_ex("很 爛", intent="complaint_defect")).label == "negative"
    assert model.predict(_ex("謝謝", intent="thank")).label == "positive"
    assert model.predict(_ex("單號 是 456", intent="inform_order")).label == "neutral"


def test_score_is_positive_minus_negative_and_within_bounds(model):
    negative = model.predict(_ex("很 爛 很 生氣", intent="complaint_defect"))
    positive = model.predict(_ex("謝謝 超 讚", intent="praise"))
    assert -1.0 <= negative.score < 0 < positive.score <= 1.0


def test_nothing_to_read_is_neutral(model):
    assert model.predict(_ex("")) == NEUTRAL


def test_an_untrained_model_says_neutral():
    assert SentimentModel.train([]).predict(_ex("很 爛")) == NEUTRAL


def test_featurizer_adds_lexicon_and_intent_tokens():
    tokens = Featurizer(LEXICON).tokens(_ex("東西 很 爛 謝謝", intent="complaint_defect"))
    assert tokens[-3:] == ["__neg__", "__pos__", "__intent_complaint_defect"]


def test_round_trip_through_disk(model, tmp_path):
    model.to_disk(tmp_path)
    loaded = SentimentModel.from_disk(tmp_path)
    example = _ex("很 爛 很 生氣", intent="complaint_defect")
    assert loaded.predict(example) == model.predict(example)


@pytest.mark.parametrize(
    ("metadata", "label"),
    [
        ({"example": {"sentiment": "negative"}}, "negative"),
        ({"example": {"sentiment": "angry"}}, None),
        ({"intent": {"sentiment": "negative"}}, None),
        (None, None),
    ],
)
def test_example_label(metadata, label):
    assert example_label(metadata) == label
