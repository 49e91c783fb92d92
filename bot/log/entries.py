"""Stream entries → outcome events; what cannot be read becomes a :class:`Problem`."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Tuple

from bot.log import schema

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """An event that could not be read: where and why (reported, never fatal)."""

    entry_id: str
    reason: str


def parse(
    entries: Iterable[Tuple[Any, Mapping[bytes, bytes]]],
) -> Tuple[List[Dict[str, Any]], List[Problem]]:
    """Stream entries → events; corrupt or unknown-version entries become problems."""
    events: List[Dict[str, Any]] = []
    problems: List[Problem] = []
    for entry_id, fields in entries:
        entry = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        raw = fields.get(b"event") if isinstance(fields, Mapping) else None
        try:
            record = json.loads(raw) if raw is not None else None
            if not isinstance(record, dict):
                raise schema.SchemaError("no event field")
            schema.check(record)
        except (ValueError, schema.SchemaError) as error:
            problems.append(Problem(entry, str(error)))
            continue
        record["entry"] = entry
        events.append(record)
    if problems:
        logger.warning("outcome log: skipped %d unreadable events", len(problems))
    return events, problems
