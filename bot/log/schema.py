"""The outcome event schema, version 1 (docs/outcome-log.md).

Every event: ``v`` (1), ``id`` (32 hex), ``ts`` (seconds), ``action``,
``conversation_id``, ``agent`` (username or null), and the fields of its action below.
Readers skip (and report) events of another version, of an unknown action, or missing a
required field; writers refuse to store them.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Tuple, Type

VERSION = 1
FREE_TEXT = ("text", "note", "reason")  # masked before they are stored

_NUM: Tuple[Type, ...] = (int, float)
_OPT = (str, type(None))

# action → required field → accepted types
ACTIONS: Dict[str, Dict[str, Tuple[Type, ...]]] = {
    # one per customer message: what the assistant understood (no message text)
    "message": {
        "turn": (int,),
        "intent": _OPT,
        "complaint_type": _OPT,
        "sentiment": (str,),
        "score": _NUM,
        "stage": _OPT,
    },
    "escalation": {"turn": (int,), "cues": (list,)},
    # suggestions: shown with every turn, then what the agent did with each
    "shown": {
        "turn": (int,),
        "suggestion_id": (str,),
        "technique": (str,),
        "complaint_type": _OPT,
        "stage": _OPT,
    },
    "used": {"suggestion_id": (str,), "technique": (str,), "complaint_type": _OPT},
    "edited": {
        "suggestion_id": (str,),
        "technique": (str,),
        "complaint_type": _OPT,
        "similarity": _NUM,
        "text": (str,),
    },
    "dismissed": {"suggestion_id": (str,), "technique": (str,), "complaint_type": _OPT},
    # compensation options
    "offered": {"option_id": (str,), "cost": _NUM},
    "accepted": {"option_id": (str,), "cost": _NUM},
    "declined": {"option_id": (str,), "cost": _NUM},
    "granted": {"option_id": (str,), "cost": _NUM},
    "approval_requested": {
        "option_id": (str,),
        "cost": _NUM,
        "approval_id": (str,),
        "approver": (str,),
    },
    "approved": {"option_id": (str,), "cost": _NUM, "approval_id": (str,), "requested_by": (str,)},
    "denied": {"option_id": (str,), "cost": _NUM, "approval_id": (str,), "requested_by": (str,)},
    # the end of a conversation
    "closed": {
        "resolution": (str,),
        "compensation": (list,),
        "compensation_cost": _NUM,
        "handle_time_s": (int, float, type(None)),
        "first_response_s": (int, float, type(None)),
    },
    "rated": {"rating": (int,)},
    # supervisors' review
    "corrected": {"turn": (int,), "complaint_type": _OPT, "sentiment": _OPT},
    "suggestion_rated": {"suggestion_id": (str,), "verdict": (str,)},
    # QA scorecards (bot/log/qa/): scored at the close (again when the rating comes),
    # and an item overridden by a supervisor; each carries the whole card, evidence masked
    "qa_scored": {"score": (int, type(None)), "items": (list,), "owner": _OPT, "day": (str,)},
    "qa_overridden": {
        "score": (int, type(None)),
        "items": (list,),
        "owner": _OPT,
        "day": (str,),
        "criterion": (str,),
        "met": (type(None), bool),  # null: not applicable
    },
}


class SchemaError(ValueError):
    """An event that does not follow the schema of its version."""


def check(record: Mapping[str, Any]) -> None:
    """Raise :class:`SchemaError` unless ``record`` is a valid version-1 event."""
    if record.get("v") != VERSION:
        raise SchemaError(f"unknown schema version {record.get('v')!r}")
    action = record.get("action")
    if action not in ACTIONS:
        raise SchemaError(f"unknown action {action!r}")
    envelope = {"id": (str,), "ts": _NUM, "conversation_id": (str,), "agent": _OPT}
    for name, types in {**envelope, **ACTIONS[action]}.items():
        if name not in record:
            raise SchemaError(f"{action}: missing {name}")
        value = record[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise SchemaError(f"{action}: {name} has the wrong type")
