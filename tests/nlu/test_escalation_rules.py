import pytest

from bot.nlu.escalation_rules import CueLexicon, detect

LEXICON = CueLexicon.from_dict(
    {
        "strong_negative": -0.5,
        "strong": {
            "authority": ["消基會", "NCC", "消保官", "1999"],
            "social": ["IG"],
            "manager": ["找主管"],
            "media": ["PTT"],
        },
        "medium": {"complaint": ["投訴", "客訴"]},
        "weak": {"repeat": ["第三次", "講過了"]},
    }
)


@pytest.mark.parametrize(
    ("text", "score", "flag", "cues"),
    [
        ("再不處理我就去消基會", 0.0, True, ["authority:消基會"]),  # strong: any sentiment
        ("我要找主管", 0.2, True, ["manager:找主管"]),
        ("我要投訴你們", -0.2, True, ["complaint:投訴"]),  # medium + negative
        ("我想投訴一下外送員", 0.1, False, ["complaint:投訴"]),  # medium, not negative
        ("這是第三次了", -0.3, False, ["repeat:第三次"]),  # weak, mildly negative
        ("這是第三次了", -0.8, True, ["repeat:第三次"]),  # weak, strongly negative
        ("講過了第三次了", -0.1, True, ["repeat:第三次", "repeat:講過了"]),  # two weak cues
        ("到底要不要處理!!!", -0.6, True, ["punctuation:!!!"]),
        ("到底要不要處理！！！？？？", -0.2, False, ["punctuation:！！！"]),  # one run counts once
        ("WHY IS IT SO SLOW", -0.7, True, ["caps:WHY"]),
        ("已經向NCC申訴", 0.0, True, ["authority:NCC"]),
        ("PTT 上有人推薦你們的 APP", 0.6, False, ["media:PTT"]),  # praise mentioning PTT
        ("我會向消保官申訴，請給我地址", 0.1, True, ["authority:消保官"]),  # calm but strong
        ("你好，我想問運費", 0.0, False, []),
        ("", 0.0, False, []),
    ],
)
def test_cues_combined_with_sentiment(text, score, flag, cues):
    result = detect(text, score, LEXICON)
    assert result.flag is flag
    assert list(result.cues)[: len(cues)] == cues


def test_known_acronyms_are_not_shouting():
    assert detect("ATM 跟 LINE 的 VIP 都不能用", -0.9, LEXICON).cues == ()


def test_a_confident_escalation_intent_flags_even_without_cue_words():
    result = detect("你們給我等著看", -0.2, LEXICON, "complaint_escalation", 0.9)
    assert result.flag and "intent:complaint_escalation" in result.cues
    assert not detect("你們給我等著看", -0.2, LEXICON, "complaint_escalation", 0.3).flag


def test_lexicon_round_trips_through_a_dict():
    assert CueLexicon.from_dict(LEXICON.as_dict()) == LEXICON


def test_a_malformed_lexicon_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="must map kinds to word lists"):
        CueLexicon.from_dict({"strong": ["消基會"]})


def test_the_project_cue_file_loads():
    from rasa.shared.utils.io import read_yaml_file

    lexicon = CueLexicon.from_dict(read_yaml_file("data/dict/escalation_cues.yml"))
    for word in ["消基會", "律師", "媒體", "找主管", "投訴"]:
        assert detect(word, -0.6, lexicon).flag, word


@pytest.mark.parametrize(
    "text", ["這件外套 NT$1999 很貴", "19990元", "1999元", "big sale 買到爛貨", "bigger"]
)
def test_latin_and_digit_cues_only_match_whole_words(text):
    assert detect(text, -0.9, LEXICON).cues == ()


@pytest.mark.parametrize(
    ("text", "cue"), [("我要打1999陳情", "authority:1999"), ("發到ig上", "social:IG")]
)
def test_latin_and_digit_cues_still_match_next_to_chinese(text, cue):
    assert cue in detect(text, -0.9, LEXICON).cues
