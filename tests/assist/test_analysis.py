from bot.assist.analysis import HISTORY_LENGTH, analyse


def _parse(intent="complaint_defect", label="negative", score=-0.7, flag=False):
    return {
        "intent": {"name": intent, "confidence": 0.9},
        "sentiment": {"label": label, "score": score},
        "escalation": {"flag": flag, "cues": []},
    }


def test_a_complaint_sets_the_type_and_starts_the_history():
    analysis = analyse(_parse())
    assert analysis.complaint_type == "complaint_defect"
    assert analysis.sentiment_history == (-0.7,)
    assert not analysis.escalated
    assert analysis.summary == "客訴類型：服務或產品問題或瑕疵｜情緒：負面（-0.70）"


def test_other_intents_keep_the_complaint_type_and_the_trend_is_shown():
    analysis = analyse(_parse("thank", "positive", 0.6), [-0.7], "complaint_defect")
    assert analysis.complaint_type == "complaint_defect"
    assert analysis.sentiment_history == (-0.7, 0.6)
    assert "情緒好轉" in analysis.summary


def test_escalation_stays_flagged_for_the_rest_of_the_conversation():
    first = analyse(_parse(flag=True))
    assert first.escalated and "⚠" in first.summary
    later = analyse(
        _parse("thank", "positive", 0.5), first.sentiment_history, None, first.escalated
    )
    assert later.escalated


def test_history_is_bounded():
    analysis = analyse(_parse(), [0.0] * HISTORY_LENGTH)
    assert len(analysis.sentiment_history) == HISTORY_LENGTH
    assert analysis.sentiment_history[-1] == -0.7


def test_a_parse_without_analysis_fields_is_neutral():
    analysis = analyse({"intent": {"name": "greet"}})
    assert analysis.complaint_type is None
    assert analysis.sentiment_history == (0.0,)
    assert analysis.summary == "情緒：中性（+0.00）"
