import pytest

from bot.nlu.polarity import FEATURE_NAMES, Lexicon, cues, find_cues, verdict_clause

LEXICON = Lexicon(
    negative=("爛", "很差", "不滿意", "普通", "太貴", "不會再"),
    positive=("很好", "漂亮", "好吃", "推薦", "不錯"),
)


@pytest.mark.parametrize(
    "text, clause",
    [
        ("外型很漂亮，按鍵手感也很好，就是電池普通", "外型很漂亮，按鍵手感也很好"),
        ("雖然貴，但是很好吃", "很好吃"),
        ("東西還可以，但客服態度真的很差，不會再買", "客服態度真的很差，不會再買"),
        ("房間小了點，總之還是推薦", "還是推薦"),
        ("就是很爛", "就是很爛"),  # 就是 inside a clause is not a reservation
        ("很好", "很好"),
    ],
)
def test_the_clause_that_carries_the_verdict(text, clause):
    assert verdict_clause(text) == clause


def _polarities(text):
    return [(text[h.start : h.end], h.polarity) for h in find_cues(text, LEXICON)]


def test_negation_flips_a_cue():
    assert _polarities("不是很好") == [("很好", -1)]
    assert _polarities("沒有不滿意") == [("不滿意", 1)]


def test_the_longest_cue_wins_and_is_counted_once():
    assert _polarities("我很不滿意") == [("不滿意", -1)]


def test_a_negator_in_the_previous_clause_does_not_reach():
    assert _polarities("不，很好") == [("很好", 1)]


def test_intensity_and_the_verdict_weigh_more():
    reservation = dict(zip(FEATURE_NAMES, cues("外型很漂亮，就是電池普通", LEXICON)))
    turn = dict(zip(FEATURE_NAMES, cues("電池普通，但是外型很漂亮", LEXICON)))
    assert reservation["pos_verdict"] == 1.5  # 很 before 漂亮
    assert reservation["neg_rest"] == 1.0
    assert reservation["has_reservation"] == 1.0 and turn["has_turn"] == 1.0
    assert reservation["lexicon_score"] > 0 and turn["lexicon_score"] > 0
    complaint = dict(zip(FEATURE_NAMES, cues("雖然好吃，但是太貴了，不會再來", LEXICON)))
    assert complaint["lexicon_score"] < 0


def test_every_text_gives_every_feature():
    for text in ("", "😡😡", "1、很爛 2、太貴 3、不會再來", "a" * 5000):
        assert len(cues(text, LEXICON)) == len(FEATURE_NAMES)
    assert (
        dict(zip(FEATURE_NAMES, cues("1、很爛 2、太貴 3、不會再來", LEXICON)))["numbered_points"]
        == 3
    )
