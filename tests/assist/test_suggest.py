"""Technique-labelled suggestions from the real templates in data/replies/."""

from __future__ import annotations

import collections
import re

import pytest

from bot.assist.analysis import COMPLAINT_TYPES
from bot.assist.replies import STAGES, TECHNIQUES, load_replies
from bot.assist.suggest import ReplyContext, details_from, render, suggest, technique_order
from tests.conftest import ROOT

FULL = details_from(
    customer="王先生",
    product="吹風機",
    order_id="KF20261102001",
    amount=1280,
    date="上週五",
    agent="小美",
)


@pytest.fixture(scope="module")
def replies():
    return load_replies(ROOT / "data/replies")


def context(**kwargs):
    kwargs.setdefault("stage", "acknowledge")
    kwargs.setdefault("complaint_type", "complaint_defect")
    return ReplyContext(**kwargs)


def test_every_complaint_type_has_four_techniques_with_three_variations(replies):
    for complaint_type in COMPLAINT_TYPES:
        counts = collections.Counter(
            t.technique for t in replies.templates if t.complaint_type == complaint_type
        )
        rich = [technique for technique, n in counts.items() if n >= 3]
        assert len(rich) >= 4, (complaint_type, counts)


def test_every_stage_offers_three_techniques_even_with_nothing_known(replies):
    for stage in STAGES:
        for complaint_type in [None, *COMPLAINT_TYPES]:
            result = suggest(context(stage=stage, complaint_type=complaint_type), replies)
            assert len({s.technique for s in result}) == 3, (stage, complaint_type)


def test_no_placeholder_ever_reaches_the_agent(replies):
    for template in replies.templates:
        text = render(template, FULL)
        assert text is not None and "{" not in text and "}" not in text, template.id
    for known in ({}, {"product": "吹風機"}, {"customer": "陳小姐", "order_id": "KF1"}):
        for stage in STAGES:
            for complaint_type in COMPLAINT_TYPES:
                for s in suggest(
                    context(stage=stage, complaint_type=complaint_type, details=known), replies
                ):
                    assert not re.search(r"[{}]", s.text), s


def test_details_are_filled_in(replies):
    seen = set()
    for stage in STAGES:
        for s in suggest(context(stage=stage, details=FULL), replies):
            seen.update(v for v in FULL.values() if v in s.text)
    assert {"王先生", "吹風機"} <= seen
    assert details_from(amount=1280)["amount"] == "NT$1,280"
    assert details_from(customer="  ", product=None) == {}


def test_strong_anger_puts_empathy_and_listening_first(replies):
    angry = suggest(
        context(stage="propose", sentiment_label="negative", sentiment_score=-0.9, has_order=True),
        replies,
    )
    calm = suggest(
        context(stage="propose", sentiment_label="neutral", sentiment_score=0.0, has_order=True),
        replies,
    )
    assert [s.technique for s in angry][:2] == ["empathy", "active_listening"]
    assert calm[0].technique == "clear_explanation"


def test_no_order_number_always_includes_a_clarifying_question(replies):
    for stage in ("acknowledge", "propose"):
        for score in (-0.9, 0.0):
            result = suggest(context(stage=stage, sentiment_score=score, has_order=False), replies)
            assert "clarifying_question" in [s.technique for s in result]
    with_order = suggest(context(stage="acknowledge", has_order=True), replies)
    assert "clarifying_question" not in [s.technique for s in with_order]


def test_after_an_offer_paraphrase_to_confirm_comes_first(replies):
    result = suggest(context(stage="agree", offered=True, has_order=True), replies)
    assert result[0].technique == "paraphrase_confirm"


def test_complaint_specific_templates_come_before_generic_ones(replies):
    result = suggest(context(stage="clarify", complaint_type="complaint_price_error"), replies)
    assert any(s.id.startswith("price.") for s in result)


def test_the_same_text_is_never_suggested_twice_in_a_conversation(replies):
    shown: set = set()
    texts: list = []
    for turn in range(12):  # a long conversation stuck at one stage
        result = suggest(
            context(
                stage="propose", has_order=True, details=FULL, already_suggested=frozenset(shown)
            ),
            replies,
        )
        assert len(result) == 3, turn
        shown.update(s.id for s in result)
        texts.extend(s.text for s in result)
    assert len(texts) == len(set(texts))


def test_sentiment_restricted_templates_only_for_that_mood(replies):
    restricted = [t for t in replies.templates if t.sentiments]
    assert restricted
    for stage in STAGES:
        for s in suggest(context(stage=stage, sentiment_label="positive"), replies):
            template = replies.by_id()[s.id]
            assert not template.sentiments or "positive" in template.sentiments


def test_technique_order_is_a_permutation_of_all_techniques(replies):
    for stage in STAGES:
        order = technique_order(
            context(stage=stage, sentiment_score=-1, offered=True), replies.strategy
        )
        assert sorted(order) == sorted(TECHNIQUES)


def test_suggestions_carry_the_technique_label(replies):
    s = suggest(context(stage="clarify"), replies)[0].as_dict()
    assert s["technique_label"] == TECHNIQUES[s["technique"]]
    assert set(s) == {"id", "technique", "technique_label", "text"}


def test_no_question_for_the_order_number_once_it_is_known(replies):
    asking = {t.id for t in replies.templates if "order_id" in t.unless_known}
    assert len(asking) >= 5
    seen: set = set()
    for complaint in (*COMPLAINT_TYPES, None):
        for stage in STAGES:
            for score in (-0.9, 0.0):
                already: frozenset = frozenset()
                for _ in range(6):  # every template this situation can show, in turn
                    ctx = context(
                        stage=stage,
                        complaint_type=complaint,
                        sentiment_score=score,
                        has_order=True,
                        details=FULL,
                        already_suggested=already,
                    )
                    result = suggest(ctx, replies)
                    seen |= {s.id for s in result}
                    already |= {s.id for s in result}
    assert seen and not seen & asking


def test_unless_known_must_name_a_detail(tmp_path):
    from bot.assist.replies import RepliesError

    (tmp_path / "strategy.yml").write_text((ROOT / "data/replies/strategy.yml").read_text())
    (tmp_path / "general.yml").write_text(
        "complaint_type: any\ntemplates:\n"
        "  - id: x.1\n    stage: clarify\n    technique: empathy\n"
        "    text: 好的\n    unless_known: [phone]\n"
    )
    with pytest.raises(RepliesError, match="unless_known"):
        load_replies(tmp_path)
