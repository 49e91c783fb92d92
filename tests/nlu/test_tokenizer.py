import pytest

from bot.nlu.tokenizer import segment


def _words(segmenter, text):
    return [t.text for t in segment(segmenter, text)]


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("我上週買的吹風機用兩天就壞了", "吹風機"),
        ("我要退貨", "退貨"),
        ("折價券不能用", "折價券"),
        ("客服專員一直沒回", "客服專員"),
        ("外送員沒放管理室", "外送員"),
        ("要去消基會申訴", "消基會"),
        ("優惠券過期了", "優惠券"),
    ],
)
def test_domain_words_come_out_whole(segmenter, text, whole):
    assert whole in _words(segmenter, text)


def test_simplified_input_gives_the_same_words_as_traditional(segmenter):
    assert _words(segmenter, "我买的吹风机用了两天就坏了") == _words(
        segmenter, "我買的吹風機用了兩天就壞了"
    )


def test_offsets_point_into_the_original_text(segmenter):
    text = "订单的吹风机 坏了"
    for token in segment(segmenter, text):
        assert len(text[token.start : token.end]) == len(token.text)
    blower = next(t for t in segment(segmenter, text) if t.text == "吹風機")
    assert text[blower.start : blower.end] == "吹风机"


def test_whitespace_is_not_a_token(segmenter):
    assert _words(segmenter, "  你好   客服 ") == ["你好", "客服"]
    assert _words(segmenter, "   ") == []
    assert _words(segmenter, "") == []


def test_a_tokens_fingerprint_changes_with_each_of_its_fields(segmenter):
    from rasa.shared.utils.io import deep_container_fingerprint

    token = segment(segmenter, "訂單")[0]
    again = segment(segmenter, "訂單")[0]
    assert deep_container_fingerprint(token) == deep_container_fingerprint(again)
    fingerprints = {deep_container_fingerprint(token)}
    for change in ("text", "start", "end", "lemma"):
        other = segment(segmenter, "訂單")[0]
        setattr(other, change, getattr(other, change) + (1 if change in ("start", "end") else "x"))
        fingerprints.add(deep_container_fingerprint(other))
    other = segment(segmenter, "訂單")[0]
    other.set("pattern", 1)
    fingerprints.add(deep_container_fingerprint(other))
    assert len(fingerprints) == 6
