"""Suggestions that learn from outcomes: Thompson sampling over reply templates.

Each template has, per complaint type, a count of how often it was shown to an agent
and how often the agent used it (sent as it was, or edited and sent). Its use rate is
unknown; with a Beta prior its posterior is ``Beta(a + used, b + shown - used)``.
:func:`thompson_ranker` draws one plausible rate θ from each template's posterior and
puts the highest first, so a template with a good record is usually on top, and one
with little record (a new template) is on top often enough to be tried.

Only the templates that became suggestions count as shown (not every template the
ranker ordered). Pure: the counts come in as a mapping (:mod:`bot.store.template_stats` keeps them in
Redis), the randomness as a :class:`random.Random`, so a seeded one repeats a run.
"""

from __future__ import annotations

import random
from typing import Mapping, Sequence, Tuple

from bot.assist.replies import Template
from bot.assist.suggest import Ranker, ReplyContext
from bot.store.template_stats import TemplateStats

NO_RECORD_PRIOR = (1.0, 1.0)  # Beta(1, 1): every use rate equally likely


_NEVER_SHOWN = TemplateStats(shown=0, used=0)


def thompson_ranker(
    stats: Mapping[str, TemplateStats],
    rng: random.Random,
    prior: Tuple[float, float] = NO_RECORD_PRIOR,
) -> Ranker:
    """A :data:`~bot.assist.suggest.Ranker` that orders templates by a sampled use rate.

    ``stats`` holds the counts of the conversation's complaint type, keyed by template
    id; a template missing from it gets the prior alone, so new templates get explored.
    For each call, θ ~ Beta(prior_a + used, prior_b + shown − used) is drawn for each
    template (in the order given, so a seeded ``rng`` repeats) and the templates are
    sorted by θ, highest first.

    The preference for this complaint type's templates over the generic ones is *not*
    added to θ: the outcomes decide. It survives only as a tie-breaker, because
    :func:`~bot.assist.suggest.suggest` passes the complaint type's templates first and
    the sort is stable. So until there are counts the fitting templates come in a
    random order, generic ones included, and a generic template that agents use more
    than the specific ones ends up on top.
    """
    prior_a, prior_b = prior
    if prior_a <= 0 or prior_b <= 0:
        raise ValueError("both prior parameters must be greater than 0")

    def rank(context: ReplyContext, templates: Sequence[Template]) -> Sequence[Template]:
        theta = [
            _draw(stats.get(template.id, _NEVER_SHOWN), prior_a, prior_b, rng)
            for template in templates
        ]
        order = sorted(range(len(templates)), key=lambda i: -theta[i])
        return [templates[i] for i in order]

    return rank


def _draw(record: TemplateStats, prior_a: float, prior_b: float, rng: random.Random) -> float:
    return rng.betavariate(prior_a + record.used, prior_b + record.shown - record.used)
