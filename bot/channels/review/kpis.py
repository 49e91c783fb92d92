"""The KPIs: ``GET /kpis`` and the same figures as a spreadsheet, ``GET /kpis.csv``.

For all staff: a supervisor sees everyone's figures or one agent's (``agent``); an agent
only their own (403 when asking for another's). The figures come from the aggregates kept
as the log is written (:mod:`bot.log.views`), or from the log itself while those are being
rebuilt; the arithmetic is :mod:`bot.log.kpis`.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError
from bot.channels.review import query
from bot.channels.review.query import Period
from bot.channels.staff import is_supervisor, staff_route
from bot.labels import COMPLAINT_TYPES, TECHNIQUES
from bot.log.kpis import figures, kpi_rows, only_agent, tally
from bot.services import Services
from bot.store.accounts import Account

Kpis = Dict[str, Any]  # Kpis in docs/openapi.yaml: from, to, agent, days, … problems


def whose(services: Services, account: Account, asked: Optional[str]) -> Optional[str]:
    """The agent whose figures the caller gets: any (None: everyone's) for a supervisor,
    their own for anyone else."""
    if is_supervisor(services, account):
        return asked
    if asked not in (None, account.username):
        raise ApiError(403, "客服只能查看自己的數據")
    return account.username


async def kpi_figures(services: Services, over: Period, agent: Optional[str]) -> Kpis:
    """The period's KPIs, of ``agent``'s conversations only when given."""
    found: List[Any] = []
    counted = await services.outcome_views.tally(over.days, agent)
    if counted is None:  # the aggregates are being rebuilt: read the stream meanwhile
        events, found = await query.events_over(services, over)
        if agent:
            events = only_agent(events, agent)
        counted = tally(events, over.days)
    budgets: Dict[str, int] = {}
    for username in counted.agents():
        staff = await services.accounts.get(username)
        budgets[username] = services.policy.role(staff.role).daily_budget if staff else 0
    return {
        "from": over.start.isoformat(),
        "to": over.end.isoformat(),
        "agent": agent,
        **figures(counted, lambda a: budgets.get(a, 0)),
        "labels": {"complaint_types": COMPLAINT_TYPES, "techniques": TECHNIQUES},
        "problems": query.problems(found),
    }


async def _asked(request: Request, services: Services, account: Account) -> Kpis:
    over = query.period(request.args)
    agent = whose(services, account, query.agent(request.args))
    return await kpi_figures(services, over, agent)


def as_csv(kpis: Kpis) -> str:
    """The figures as CSV rows (section, key, measure, value), with a BOM so Excel reads
    the UTF-8."""
    out = io.StringIO()
    csv.writer(out).writerows(kpi_rows(kpis))
    return "\ufeff" + out.getvalue()


@staff_route
async def kpis(request: Request, services: Services, account: Account) -> HTTPResponse:
    return response.json(await _asked(request, services, account))


@staff_route
async def kpis_csv(request: Request, services: Services, account: Account) -> HTTPResponse:
    answer = await _asked(request, services, account)
    name = f"kefu-kpis-{answer['from']}-{answer['to']}.csv"
    return response.text(
        as_csv(answer),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTES = (
    ("GET", "/kpis", kpis),
    ("GET", "/kpis.csv", kpis_csv),
)
