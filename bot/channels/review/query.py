"""What every supervisors' route shares: who may call it, the period and filters of its
query string, and the outcome log read over that period.

Query values arrive as ``request.args`` (``.get`` gives the first value); each reader
returns a typed value or raises :class:`~bot.channels.http.ApiError` 400 in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, TypedDict

from bot.channels.http import ApiError
from bot.channels.staff import requires
from bot.log import entries
from bot.log.kpis import TAIWAN, date_range, day_start
from bot.services import Services
from bot.store.keys import BadId, check_id

MAX_DAYS = 366
DEFAULT_DAYS = 7
# the guard of every route open to supervisors and up only (data/policy/roles.yml)
for_supervisors = requires("supervisor", "這個頁面只開放給主管")

Args = Mapping[str, Any]


class Problem(TypedDict):
    """An outcome log entry that could not be read (Problem in docs/openapi.yaml)."""

    entry: str
    reason: str


@dataclass(frozen=True)
class Period:
    """Taiwan days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> List[str]:
        return date_range(self.start, self.end)

    @property
    def since(self) -> float:
        return day_start(self.start)

    @property
    def until(self) -> float:
        return day_start(self.end + dt.timedelta(days=1))


def _date(args: Args, name: str, default: dt.date) -> dt.date:
    value = args.get(name)
    if value is None or value == "":
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} 的日期格式須為 YYYY-MM-DD，例如 2026-11-23") from None


def period(args: Args, today: Optional[dt.date] = None) -> Period:
    """``from`` and ``to`` (YYYY-MM-DD); by default the last DEFAULT_DAYS days to today."""
    end = _date(args, "to", today or dt.datetime.now(TAIWAN).date())
    start = _date(args, "from", end - dt.timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise ApiError(400, "開始日期不能晚於結束日期")
    if (end - start).days >= MAX_DAYS:
        raise ApiError(400, f"查詢區間最長 {MAX_DAYS} 天")
    return Period(start, end)


def choice(args: Args, name: str, allowed: Sequence[str]) -> Optional[str]:
    """One of ``allowed``, or None when not given."""
    value = args.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise ApiError(400, f"{name} 必須是 {' / '.join(allowed)} 其中之一")
    return value


def agent(args: Args) -> Optional[str]:
    """The ``agent`` filter: an account name, or None when not given."""
    value = args.get("agent")
    if value in (None, ""):
        return None
    try:
        return check_id(value, "agent")
    except BadId:
        raise ApiError(400, "agent 必須是帳號名稱（英數字、_ . -）") from None


def problems(found: Iterable[entries.Problem]) -> List[Problem]:
    """The log's unreadable entries as the wire shows them."""
    return [{"entry": p.entry_id, "reason": p.reason} for p in found]


async def events_over(services: Services, over: Period) -> Tuple[list, list]:
    """The period's outcome events and the entries that could not be read."""
    return await services.outcomes.read(over.since, over.until)


async def events_since(services: Services, over: Period) -> Tuple[list, list]:
    """The events from the period's start to now: a scorecard of a day in the period may
    have been overridden since."""
    return await services.outcomes.read(over.since, None)
