"""The supervisors' routes of the assist API: the data of the 對話回顧 (review) pages.

Mounted on the assist channel's blueprint (``/webhooks/assist/…``) by :func:`add_routes`.
All need a bearer token (401 without). The log, the review list and detail, corrections,
suggestion ratings, QA scorecards and the NLU export are for supervisors and up
(``query.for_supervisors``: 403 for agents); the KPIs are for everyone, an agent seeing
only their own conversations' figures. Everything shown comes from the outcome log (free
text already masked) and the conversation records (masked on the way out).

One module a concern; each handler parses the request, calls a plain function with typed
inputs and outputs, and serialises its answer:

* :mod:`.query`: the guard, the period and filters of the query string, the log read over
  a period;
* :mod:`.conversations` (+ :mod:`.transcript`): the review list and one conversation;
* :mod:`.corrections`: corrections and suggestion ratings;
* :mod:`.scorecards`: a verdict on a QA item, coaching; :mod:`.scoring`: scoring a closed
  conversation (called by the assist channel at the close);
* :mod:`.kpis`: the KPIs, as JSON and CSV;
* :mod:`.export`: the raw log and the NLU export.
"""

from __future__ import annotations

from sanic import Blueprint

from bot.channels.review import conversations, corrections, export, kpis, scorecards
from bot.channels.review.scoring import score_conversation

__all__ = ["ROUTES", "add_routes", "score_conversation"]

# every route: (method, path under the blueprint, handler)
ROUTES = (
    *conversations.ROUTES,
    *corrections.ROUTES,
    *scorecards.ROUTES,
    *kpis.ROUTES,
    *export.ROUTES,
)


def add_routes(bp: Blueprint) -> None:
    for method, path, handler in ROUTES:
        bp.add_route(handler, path, methods=[method])
