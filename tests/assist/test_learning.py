"""Thompson sampling over reply templates: it finds the template agents use, and keeps trying new ones."""

from __future__ import annotations

import random
from typing import Dict, List, Mapping

import pytest

from bot.assist.learning import thompson_ranker
from bot.assist.replies import Template, load_replies
from bot.assist.suggest import ReplyContext, details_from, suggest
from bot.store.template_stats import TemplateStats
from tests.conftest import ROOT

CONTEXT = ReplyContext(stage="acknowledge", complaint_type="complaint_defect")


def template(tid: str, complaint_type: str = "complaint_defect") -> Template:
    return Template(
        tid, complaint_type, "acknowledge", "empathy", f"text of {tid}", frozenset(), frozenset()
    )


def ids(templates) -> List[str]:
    return [t.id for t in templates]


def simulate(
    templates: List[Template],
    use_rate: Mapping[str, float],
    rounds: int,
    rng: random.Random,
    stats: Dict[str, TemplateStats],
) -> List[str]:
    """Each round: rank with the counts so far, show the top one, record whether it was used.

    Returns the id on top in each round; ``stats`` is updated in place.
    """
    tops = []
    for _ in range(rounds):
        top = thompson_ranker(dict(stats), rng)(CONTEXT, templates)[0]
        tops.append(top.id)
        record = stats.get(top.id, TemplateStats(0, 0))
        used = rng.random() < use_rate[top.id]
        stats[top.id] = TemplateStats(record.shown + 1, record.used + used)
    return tops


TEMPLATES = [template("t.good"), template("t.poor.1"), template("any.poor.2", "any")]
RATES = {"t.good": 0.7, "t.poor.1": 0.1, "any.poor.2": 0.1, "t.new": 0.1}


def test_the_template_agents_use_most_comes_to_the_top():
    stats: Dict[str, TemplateStats] = {}
    tops = simulate(TEMPLATES, RATES, 400, random.Random(7), stats)
    share = tops[-100:].count("t.good") / 100
    assert share >= 0.8
    assert stats["t.good"].shown > stats["t.poor.1"].shown + stats["any.poor.2"].shown


def test_a_new_template_is_still_tried_after_the_others_have_a_record():
    stats: Dict[str, TemplateStats] = {}
    rng = random.Random(7)
    simulate(TEMPLATES, RATES, 300, rng, stats)
    assert "t.new" not in stats
    tops = simulate([*TEMPLATES, template("t.new")], RATES, 200, rng, stats)
    assert tops.count("t.new") >= 1
    assert stats["t.new"].shown == tops.count("t.new")


def test_with_no_counts_the_order_is_a_permutation_of_the_input():
    rank = thompson_ranker({}, random.Random(1))
    tops = set()
    for _ in range(200):
        ranked = rank(CONTEXT, TEMPLATES)
        assert sorted(ids(ranked)) == sorted(ids(TEMPLATES))
        tops.add(ranked[0].id)
    assert tops == set(ids(TEMPLATES))  # with nothing known, each one gets its turn on top
    assert rank(CONTEXT, []) == []


def test_used_is_never_more_than_shown():
    assert TemplateStats(shown=2, used=5) == TemplateStats(shown=2, used=2)
    assert TemplateStats(shown=-1, used=-3) == TemplateStats(shown=0, used=0)
    # the ranker draws from Beta(1 + 10, 1 + 0), not from an impossible Beta(1 + 500, 1 - 490)
    over = thompson_ranker({"t.good": TemplateStats(10, 500)}, random.Random(3))
    exact = thompson_ranker({"t.good": TemplateStats(10, 10)}, random.Random(3))
    for _ in range(20):
        assert ids(over(CONTEXT, TEMPLATES)) == ids(exact(CONTEXT, TEMPLATES))


def test_a_seeded_rng_repeats_the_same_orders():
    stats = {"t.good": TemplateStats(5, 3), "t.poor.1": TemplateStats(5, 2)}

    def orders(seed: int) -> List[List[str]]:
        rank = thompson_ranker(stats, random.Random(seed))
        return [ids(rank(CONTEXT, TEMPLATES)) for _ in range(20)]

    assert orders(11) == orders(11)
    assert orders(11) != orders(12)


def test_the_prior_must_be_positive():
    with pytest.raises(ValueError):
        thompson_ranker({}, random.Random(0), prior=(0.0, 1.0))


def test_suggest_puts_a_generic_template_first_when_agents_use_it_more():
    replies = load_replies(ROOT / "data/replies")
    context = ReplyContext(
        stage="acknowledge",
        complaint_type="complaint_defect",
        details=details_from(customer="王先生", product="吹風機", order_id="KF20261102001"),
    )
    plain = suggest(context, replies)
    first = plain[0]
    candidates = [
        t
        for t in replies.templates
        if t.technique == first.technique and t.stage == first.stage and t.complaint_type == "any"
    ]
    generic = next(t for t in candidates if not t.placeholders - context.details.keys())
    assert first.id != generic.id
    stats = {generic.id: TemplateStats(500, 450), first.id: TemplateStats(500, 50)}
    learned = suggest(context, replies, rank=thompson_ranker(stats, random.Random(0)))
    assert learned[0].id == generic.id
    assert [s.technique for s in learned] == [s.technique for s in plain]
