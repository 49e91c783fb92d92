"""The case summary: what a supervisor or the next agent reads first, in ten seconds.

:func:`summarise` is pure. From what is stored about one conversation (:class:`CaseFacts`:
its status, complaint type, the customer's own words as :mod:`bot.assist.grounding`
found them, the order, what compensation was offered, answered, granted, asked for or
decided, and the agent's replies) it builds a :class:`Summary`: the structured fields and
a ``text`` of three to six short lines in Traditional Chinese.

Open promises are what someone still owes the customer: an approval request still
pending, and a call-back or a follow-up an agent's reply promised (回電, 再回覆您 …).

Exceptions::

    SummaryError            bad input: a programming error of the caller
    └── UnknownStatus       a status or resolution the conversation store does not know
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.assist.grounding import Grounding, Said
from bot.labels import COMPLAINT_TYPES
from bot.log.pii import mask
from bot.store.grant_records import Approval, Grant

TAIPEI = dt.timezone(dt.timedelta(hours=8))
MAX_LINES = 6
LINE_CHARS = 48  # a line longer than this is cut with …
SHORT_CHARS = 40  # a past conversation in a returning customer's alert

STATUSES = {"new": "新進", "active": "處理中", "waiting": "待客服回覆", "closed": "已結案"}
RESOLUTIONS = {"resolved": "已解決", "referred": "已轉介", "unresolved": "未解決"}
# what happened to an option, in the order a case goes through them; the last one counts
STATES = {
    "offered": "已提出",
    "accepted": "顧客接受",
    "declined": "顧客婉拒",
    "pending": "待核准",
    "denied": "核准遭拒",
    "granted": "已核發",
}
_ORDER = tuple(STATES)
_APPROVAL_STATES = {"pending": "pending", "denied": "denied", "approved": "granted"}
_NEVER = float("inf")
APPROVERS = {"supervisor": "主管", "senior_agent": "資深客服", "manager": "經理"}

# an agent's reply that promises to come back to the customer
_CALLBACK = re.compile(
    "回電|回撥|回覆您|回報您|通知您|聯絡您|聯繫您|跟您聯絡|與您聯絡|跟您聯繫|與您聯繫|"
    "給您回覆|給您答覆|跟您說明進度|再跟您確認|再向您確認"
)
_LATER = re.compile("會|將|稍後|再|盡快|儘快|明天|今天|小時內|工作天|之後|待會|晚點|確認後|處理後")
_SENTENCES = re.compile("[。！!？?\n；;]+")


class SummaryError(ValueError):
    """Facts a summary cannot be built from (a programming error of the caller)."""


class UnknownStatus(SummaryError):
    """A conversation status or resolution outside bot/store/conversations.py's lists."""


@dataclass(frozen=True)
class Compensation:
    """One compensation option and the last thing that happened to it."""

    option_id: str
    label: str
    state: str  # a key of STATES

    def as_dict(self) -> Dict[str, str]:
        return {
            "option_id": self.option_id,
            "label": self.label,
            "state": self.state,
            "state_label": STATES[self.state],
        }


@dataclass(frozen=True)
class Promise:
    """Something still owed to the customer: ``approval`` (pending) or ``callback``."""

    kind: str
    text: str

    def as_dict(self) -> Dict[str, str]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class CaseFacts:
    """What is stored about one conversation, as the summary needs it.

    ``events``: the conversation's outcome events (``offered`` / ``accepted`` /
    ``declined`` with an ``option_id``), oldest first; ``grants`` and ``approvals``: the
    records bot/store/grants.py returns; ``labels``: option id → label for options only
    the events name; ``agent_messages``: the agent's replies, oldest first.
    """

    status: str
    resolution: Optional[str] = None
    complaint_type: Optional[str] = None
    said: Grounding = field(default_factory=Grounding)
    order_id: Optional[str] = None
    products: Tuple[str, ...] = ()
    events: Sequence[Mapping[str, Any]] = ()
    grants: Sequence[Grant] = ()
    approvals: Sequence[Approval] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    agent_messages: Sequence[str] = ()
    escalated: bool = False


@dataclass(frozen=True)
class Summary:
    complaint_type: Optional[str]
    complaint_label: Optional[str]
    problem: Optional[str]
    impact: Optional[str]
    request: Optional[str]
    order_id: Optional[str]
    product: Optional[str]
    compensation: Tuple[Compensation, ...]
    open_promises: Tuple[Promise, ...]
    status: str
    resolution: Optional[str]
    status_label: str
    escalated: bool
    lines: Tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def as_dict(self) -> Dict[str, Any]:
        """The shape of ``summary`` in docs/openapi.yaml (ConversationView)."""
        return {
            "text": self.text,
            "complaint_type": self.complaint_type,
            "complaint_label": self.complaint_label,
            "problem": self.problem,
            "impact": self.impact,
            "request": self.request,
            "order_id": self.order_id,
            "product": self.product,
            "compensation": [c.as_dict() for c in self.compensation],
            "open_promises": [p.as_dict() for p in self.open_promises],
            "status": self.status,
            "resolution": self.resolution,
            "status_label": self.status_label,
            "escalated": self.escalated,
        }

    def masked(self) -> Dict[str, Any]:
        """:meth:`as_dict` with personal data masked (bot/log/pii.py): what is stored.

        Each field is masked before the lines are cut, so a cut never hides a number
        or an address from the masking."""
        return self._masked().as_dict()

    def _masked(self) -> "Summary":
        fields = {
            name: mask(value) if isinstance(value, str) else value
            for name, value in self.__dict__.items()
            if name != "lines"
        }
        fields["compensation"] = tuple(
            Compensation(c.option_id, mask(c.label), c.state) for c in self.compensation
        )
        fields["open_promises"] = tuple(Promise(p.kind, mask(p.text)) for p in self.open_promises)
        return Summary(**fields, lines=_lines(fields))

    def short(self) -> str:
        """One masked line for a returning customer's alert: type, problem, outcome."""
        masked = self._masked()
        head = masked.complaint_label or "一般詢問"
        what = f"：{_third_person(masked.problem)}" if masked.problem else ""
        done = [c.label for c in masked.compensation if c.state == "granted"]
        tail = f"（{masked.status_label}" + (f"，已核發{'、'.join(done)}" if done else "") + "）"
        return _cut(f"{head}{what}", SHORT_CHARS - len(tail)) + tail


def said_from_slots(slots: Mapping[str, Any]) -> Grounding:
    """The grounding back from its slots (``{"problem": {"text", "source"}, …}``), as the
    assist payload's ``analysis.customer_said`` and the tracker slots carry it."""
    found: Dict[str, Optional[Said]] = {}
    for name in ("problem", "impact", "request"):
        value = slots.get(name)
        if isinstance(value, Mapping) and isinstance(value.get("text"), str) and value["text"]:
            found[name] = Said(value["text"], str(value.get("source") or ""))
    return Grounding(**found)


def _third_person(text: str) -> str:
    """The agent-voiced clause (您…) as a third party reads it (顧客…)."""
    return text.replace("您們", "顧客").replace("您", "顧客")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def _status_label(status: str, resolution: Optional[str]) -> str:
    if status not in STATUSES:
        raise UnknownStatus(f"unknown conversation status {status!r}")
    if status != "closed":
        return STATUSES[status]
    if resolution is None:
        return STATUSES[status]
    if resolution not in RESOLUTIONS:
        raise UnknownStatus(f"unknown resolution {resolution!r}")
    return f"{RESOLUTIONS[resolution]}結案"


def compensation_states(facts: CaseFacts) -> Tuple[Compensation, ...]:
    """Each option that came up, with the furthest thing that happened to it.

    A grant beats anything else; a pending or decided approval beats the customer's
    answer; an answer beats the offer itself. Options appear in the order they came up.
    """
    states: Dict[str, str] = {}
    labels: Dict[str, str] = dict(facts.labels)
    first: Dict[str, float] = {}  # when each option first came up (unknown: last)

    def note(option_id: str, state: str, ts: Any, label: Optional[str] = None) -> None:
        if label:
            labels.setdefault(option_id, label)
        first[option_id] = min(first.get(option_id, _NEVER), float(ts) if ts else _NEVER)
        before = states.get(option_id)
        if before is None or _ORDER.index(state) >= _ORDER.index(before):
            states[option_id] = state

    for event in facts.events:
        if event.get("action") in ("offered", "accepted", "declined") and event.get("option_id"):
            note(str(event["option_id"]), str(event["action"]), event.get("ts"))
    for grant in facts.grants:
        note(grant.option_id, "granted", grant.granted_at, grant.label)
    for approval in facts.approvals:
        state = _APPROVAL_STATES.get(approval.status)
        if state is None:
            raise SummaryError(f"unknown approval status {approval.status!r}")
        note(approval.option_id, state, approval.requested_at, approval.label)
    ordered = sorted(states, key=lambda option_id: first[option_id])  # stable
    return tuple(
        Compensation(option_id, labels.get(option_id, option_id), states[option_id])
        for option_id in ordered
    )


def open_promises(facts: CaseFacts) -> Tuple[Promise, ...]:
    """Pending approvals, then call-backs the agent promised (the latest one)."""
    promises: List[Promise] = []
    for approval in facts.approvals:
        if approval.status == "pending":
            who = APPROVERS.get(approval.approver, approval.approver)
            label = approval.label or approval.option_id
            promises.append(Promise("approval", f"「{label}」等待{who}核准"))
    callback = _callback(facts.agent_messages)
    if callback:
        promises.append(Promise("callback", f"客服承諾：{callback}"))
    return tuple(promises)


def _callback(messages: Iterable[str]) -> Optional[str]:
    found = None
    for message in messages:
        for sentence in _SENTENCES.split(message or ""):
            cue = _CALLBACK.search(sentence)
            if cue and _LATER.search(sentence):
                found = sentence.strip(" ，,")  # cut only in the lines, once masked
    return found


def _lines(summary_fields: Mapping[str, Any]) -> Tuple[str, ...]:
    f = summary_fields
    head = f["complaint_label"] or "尚未判定客訴類型"
    if f["order_id"]:
        head += f"｜訂單 {f['order_id']}" + (f"（{f['product']}）" if f["product"] else "")
    elif f["product"]:
        head += f"｜{f['product']}（未提供訂單編號）"
    else:
        head += "｜未提供訂單編號"
    head += f"｜{f['status_label']}" + ("｜曾升級" if f["escalated"] else "")
    lines = [
        head,
        "問題：" + (f"「{_third_person(f['problem'])}」" if f["problem"] else "尚未說明"),
    ]
    if f["impact"]:
        lines.append(f"影響：「{_third_person(f['impact'])}」")
    if f["request"]:
        lines.append(f"訴求：「{_third_person(f['request'])}」")
    done = "；".join(f"{STATES[c.state]}「{c.label}」" for c in f["compensation"])
    lines.append("補償：" + (done or "尚未提出"))
    if f["open_promises"]:
        lines.append("待辦：" + "；".join(p.text for p in f["open_promises"]))
    return tuple(_cut(line, LINE_CHARS) for line in lines[:MAX_LINES])


def summarise(facts: CaseFacts) -> Summary:
    """The case summary of one conversation (see the module docstring)."""
    status_label = _status_label(facts.status, facts.resolution)
    if facts.complaint_type is not None and facts.complaint_type not in COMPLAINT_TYPES:
        raise SummaryError(f"unknown complaint type {facts.complaint_type!r}")
    said = facts.said
    fields: Dict[str, Any] = {
        "complaint_type": facts.complaint_type,
        "complaint_label": COMPLAINT_TYPES.get(facts.complaint_type or ""),
        "problem": said.problem.text if said.problem else None,
        "impact": said.impact.text if said.impact else None,
        "request": said.request.text if said.request else None,
        "order_id": facts.order_id or None,
        "product": "、".join(facts.products[:2]) or None,
        "compensation": compensation_states(facts),
        "open_promises": open_promises(facts),
        "status": facts.status,
        "resolution": facts.resolution if facts.status == "closed" else None,
        "status_label": status_label,
        "escalated": facts.escalated,
    }
    return Summary(**fields, lines=_lines(fields))


# ---- a returning customer: their past conversations' summaries in the alerts ----

PAST_KEPT = 3  # summaries kept per customer (bot/store/profiles.py)
PAST_SHOWN = 2  # of which the alert shows the newest


def past_entry(summary: Summary, conversation_id: str, closed_at: float) -> Dict[str, Any]:
    """What is kept per customer when a conversation closes: masked and short."""
    return {"conversation_id": conversation_id, "closed_at": closed_at, "text": summary.short()}


def past_alert(
    past: Sequence[Mapping[str, Any]], current: Optional[str] = None
) -> Optional[Dict[str, str]]:
    """The alert of a returning customer's newest past summaries (newest first), leaving
    out the conversation ``current``; None when there are none."""
    shown = [p for p in past if p.get("conversation_id") != current and p.get("text")]
    if not shown:
        return None
    parts = []
    for entry in shown[:PAST_SHOWN]:
        day = dt.datetime.fromtimestamp(float(entry.get("closed_at") or 0), TAIPEI)
        parts.append(f"{day.month}/{day.day} {mask(str(entry['text']))}")
    return {"kind": "past_summary", "text": "過去對話：" + "；".join(parts)}
