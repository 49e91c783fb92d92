import numpy as np
import pytest

from bot.nlu.polarity import Lexicon, cues
from bot.nlu.reading_features import Reading
from bot.nlu.sentiment_model import NEUTRAL, SentimentModel, example_label

LEXICON = Lexicon(negative=("爛", "生氣", "很差"), positive=("謝謝", "讚", "很好"))


def _reading(text: str) -> Reading:
    # vectors are left at zero: these tests are about the words and the cues
    return Reading(
        tuple(text.split()),
        text.replace(" ", ""),
        np.zeros((2, 512), np.float32),
        cues(text.replace(" ", ""), LEXICON),
    )


TRAIN = [
    ("東西 壞 了 很 爛", "negative"),
    ("你們 服務 爛 透 了", "negative"),
    ("多 收 我 錢 很 生氣", "negative"),
    ("等 好久 還 沒 到 很差", "negative"),
    ("請問 訂單 到 哪 了", "neutral"),
    ("我 的 單號 是 123", "neutral"),
    ("你好", "neutral"),
    ("好 的", "neutral"),
    ("謝謝 你 幫忙", "positive"),
    ("服務 很好 謝謝", "positive"),
    ("超 讚 的 店", "positive"),
    ("感謝 客服 讚", "positive"),
]


@pytest.fixture(scope="module")
def model():
    return SentimentModel.train([_reading(t) for t, _ in TRAIN], [y for _, y in TRAIN])


def test_learns_the_three_classes(model):
    assert model.predict(_reading("真的 很 爛")).label == "negative"
    assert model.predict(_reading("謝謝 你們 讚")).label == "positive"
    assert model.predict(_reading("請問 單號")).label == "neutral"


def test_the_score_is_p_positive_minus_p_negative(model):
    negative = model.predict(_reading("爛 爛 很差"))
    positive = model.predict(_reading("謝謝 讚 很好"))
    assert -1.0 <= negative.score < 0 < positive.score <= 1.0


def test_negation_reaches_the_reader(model):
    assert model.predict(_reading("不是 很好")).score < model.predict(_reading("很好")).score


def test_untrained_or_empty_is_neutral(model):
    assert SentimentModel.train([], []).predict(_reading("很 爛")) == NEUTRAL
    assert model.predict(_reading("")) == NEUTRAL


def test_round_trip_to_disk(model, tmp_path):
    model.to_disk(tmp_path)
    loaded = SentimentModel.from_disk(tmp_path)
    text = _reading("服務 很差 很 生氣")
    assert loaded.predict(text) == model.predict(text)
    assert SentimentModel.from_disk(tmp_path / "missing").predict(text) == NEUTRAL


def test_example_label_reads_rasa_metadata():
    assert example_label({"example": {"sentiment": "positive"}}) == "positive"
    assert example_label({"example": {"sentiment": "angry"}}) is None
    assert example_label(None) is None


def test_a_model_stored_for_other_features_is_refused_in_words(model, tmp_path):
    import pickle

    from bot.nlu.linear import StaleModel

    model.to_disk(tmp_path)
    stored = tmp_path / "sentiment.pkl"
    data = pickle.loads(stored.read_bytes())
    data["cues"] = data["cues"][:-1]
    stored.write_bytes(pickle.dumps(data))
    with pytest.raises(StaleModel, match="retrain the model"):
        SentimentModel.from_disk(tmp_path)
