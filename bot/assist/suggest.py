"""Three technique-labelled replies for one customer turn: a pure function.

:func:`suggest` takes a :class:`ReplyContext` (complaint type, stage, mood, what is
known about the conversation and which templates were already suggested) and the
templates of ``data/replies/``. It orders the techniques for the stage and the mood
(:func:`technique_order`), then takes, for each technique in turn, the first template
that fits (this complaint type before the generic ones), has every placeholder filled
and was never suggested in this conversation, until it has three different techniques.
No placeholder ever reaches the agent unfilled.

A template is also left out when the conversation does not support it: what it
``presumes`` (an offer made, a supervisor's approval, a history the customer told …)
must be among the context's ``holds``, and a template that names a feeling
(``emotions``) is only said to a customer who shows one of them. When the customer asked
a question (bot/assist/question.py), every suggestion is a template that ``answers`` it,
each in its own technique and the plain answer (clear_explanation) first: none of the
three ignores the question (only when no template answers it at all do the usual
techniques of the stage come instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence

from bot.assist.replies import Replies, Strategy, Template
from bot.labels import TECHNIQUES

SUGGESTION_COUNT = 3
GROUNDED = frozenset({"problem", "impact", "request"})


@dataclass(frozen=True)
class ReplyContext:
    """What a turn's suggestions depend on."""

    stage: str
    complaint_type: Optional[str] = None
    sentiment_label: str = "neutral"
    sentiment_score: float = 0.0
    has_order: bool = False
    offered: bool = False
    details: Mapping[str, str] = field(default_factory=dict)  # placeholder → text
    already_suggested: FrozenSet[str] = frozenset()
    holds: FrozenSet[str] = frozenset()  # the PRESUMPTIONS the conversation supports
    emotion: Optional[str] = None  # bot/assist/emotion.py
    question: Optional[str] = None  # bot/assist/question.py


@dataclass(frozen=True)
class Suggestion:
    id: str  # the template id: unique within a conversation
    technique: str
    text: str
    stage: str

    def as_dict(self) -> Dict[str, str]:
        return {
            "id": self.id,
            "technique": self.technique,
            "technique_label": TECHNIQUES[self.technique],
            "text": self.text,
        }


def format_amount(amount: float) -> str:
    """NT$1,280: how an amount reads in a reply."""
    return f"NT${int(round(amount)):,}"


def details_from(
    *,
    customer: Optional[str] = None,
    product: Optional[str] = None,
    order_id: Optional[str] = None,
    amount: Optional[float] = None,
    date: Optional[str] = None,
    agent: Optional[str] = None,
) -> Dict[str, str]:
    """The placeholder values that are known (empty or missing ones are left out)."""
    values = {
        "customer": customer,
        "product": product,
        "order_id": order_id,
        "amount": format_amount(amount) if amount else None,
        "date": date,
        "agent": agent,
    }
    return {
        name: str(value).strip() for name, value in values.items() if value and str(value).strip()
    }


def technique_order(context: ReplyContext, strategy: Strategy) -> List[str]:
    """The techniques to try, best first, for this stage and mood."""
    order: List[str] = []
    if context.sentiment_score <= strategy.angry_below:
        order.extend(strategy.angry_first)
    if context.offered and context.stage in strategy.after_offer_stages:
        order.extend(strategy.after_offer_first)
    order.extend(strategy.stages[context.stage])
    order = list(dict.fromkeys(order))
    include = strategy.missing_order_include
    if not context.has_order and context.stage in strategy.missing_order_stages:
        # a clarifying question is always among the three while the order is unknown
        order.remove(include)
        order.insert(min(SUGGESTION_COUNT - 1, len(order)), include)
    return order


def render(template: Template, details: Mapping[str, str]) -> Optional[str]:
    """The template's text with the details filled in, or None if one is unknown."""
    if not template.placeholders <= details.keys():
        return None
    text = template.text
    for name in template.placeholders:
        text = text.replace("{" + name + "}", details[name])
    return text


def _fits(template: Template, context: ReplyContext, stage: str) -> bool:
    if template.stage != stage or template.id in context.already_suggested:
        return False
    if template.answers:
        return False  # answers are only given to the question they answer (_answers)
    if not _supported(template, context):
        return False
    if template.complaint_type not in ("any", context.complaint_type):
        return False
    if template.sentiments and context.sentiment_label not in template.sentiments:
        return False
    if template.unless_known & context.details.keys():
        return False  # e.g. asking for the order number when it is known
    return template.placeholders <= context.details.keys()


def _supported(template: Template, context: ReplyContext) -> bool:
    """What the template takes for granted is true of this conversation."""
    if not template.presumes <= context.holds:
        return False
    return not template.emotions or context.emotion in template.emotions


# what makes an answer fit this conversation best: the customer's words, the feeling, a
# gesture (each known detail a template uses is one more reason to prefer it)
SPECIFIC = GROUNDED | {"feeling", "gesture"}


def _answers(
    context: ReplyContext,
    replies: Replies,
    stages: Sequence[str],
    technique: Optional[str],
    texts: set,
) -> Optional[Suggestion]:
    """A reply of ``technique`` (any technique: None) that answers the customer's
    question, for this stage, with every detail known."""
    if context.question is None:
        return None
    for stage in stages:
        fitting = [
            template
            for template in replies.templates
            if context.question in template.answers
            and (technique is None or template.technique == technique)
            and template.stage in (stage, "any")
            and template.id not in context.already_suggested
            and template.complaint_type in ("any", context.complaint_type)
            and (not template.sentiments or context.sentiment_label in template.sentiments)
            and not (template.unless_known & context.details.keys())
            and _supported(template, context)
        ]
        # this stage's own answers first, this complaint type's before the generic ones,
        # then the one that uses most of what this customer said (its demand included)
        # while the record is unknown, the answer that asks for it ({ref}) before one that
        # says what happens to a record not found yet
        asks_ref = "order_id" not in context.details
        fitting.sort(
            key=lambda t: (
                t.stage == "any",
                asks_ref and "ref" not in t.placeholders,
                # the customer's explicit demand is acknowledged (as applied for)
                "request" in context.details and "request" not in t.placeholders,
                t.complaint_type == "any",
                -len(t.placeholders & SPECIFIC & context.details.keys()),
            )
        )
        picked = _first_new(fitting, context.details, texts)
        if picked is not None:
            template, text = picked
            return Suggestion(template.id, template.technique, text, context.stage)
    return None


Ranker = Callable[[ReplyContext, Sequence[Template]], Sequence[Template]]


def _keep_order(context: ReplyContext, templates: Sequence[Template]) -> Sequence[Template]:
    return templates


def suggest(
    context: ReplyContext,
    replies: Replies,
    count: int = SUGGESTION_COUNT,
    rank: Ranker = _keep_order,
) -> List[Suggestion]:
    """Up to ``count`` suggestions with different techniques, best first.

    ``rank`` orders the fitting templates of one technique (by default: this
    complaint type's templates first, then the generic ones, each in file order); it
    is the hook for learning from outcomes.
    """
    strategy = replies.strategy
    stages = (context.stage, *strategy.fallback_stages.get(context.stage, ()))
    chosen: List[Suggestion] = []
    texts: set = set()
    if context.question is not None:
        # the customer asked: every suggestion answers it, each in its own technique,
        # the plainest answer (clear_explanation) first
        order = list(dict.fromkeys(["clear_explanation", *technique_order(context, strategy)]))
        include = strategy.missing_order_include
        if not context.has_order and context.stage in strategy.missing_order_stages:
            order.remove(include)  # still a clarifying question among the three
            order.insert(1, include)
        for technique in order:
            if len(chosen) >= count:
                break
            answer = _answers(context, replies, stages, technique, texts)
            if answer is not None:
                chosen.append(answer)
                texts.add(answer.text)
        if chosen:
            return chosen
    for technique in technique_order(context, strategy):
        if len(chosen) >= count:
            break
        for stage in stages:
            fitting = [
                template
                for template in replies.templates
                if template.technique == technique and _fits(template, context, stage)
            ]
            # this complaint type's before the generic ones; the customer's own words before
            # both (_grounded_first)
            fitting.sort(key=lambda t: t.complaint_type == "any")
            picked = _first_new(_grounded_first(rank, context, fitting), context.details, texts)
            if picked is not None:
                template, text = picked
                chosen.append(Suggestion(template.id, technique, text, stage))
                texts.add(text)
                break
    return chosen


def _grounded_first(
    rank: Ranker, context: ReplyContext, templates: Sequence[Template]
) -> List[Template]:
    """``rank``'s order within tiers: the templates that say back what this customer
    said, then the others. The learned order (bot/assist/learning.py) decides among
    equals; it never puts a generic sentence above one in the customer's own words.
    A demand the customer made (``request``) comes first of their words, so a reply
    that asks for the order number does not leave the demand unmentioned."""
    asked = "request" in context.details
    says_request = [t for t in templates if asked and "request" in t.placeholders]
    grounded = [t for t in templates if t.placeholders & GROUNDED and t not in says_request]
    others = [t for t in templates if not t.placeholders & GROUNDED]
    return [*rank(context, says_request), *rank(context, grounded), *rank(context, others)]


def _first_new(
    templates: Iterable[Template], details: Mapping[str, str], texts: set
) -> Optional[tuple]:
    for template in templates:
        text = render(template, details)
        if text is not None and text not in texts:
            return template, text
    return None
