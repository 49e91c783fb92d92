"""What the suggestions may presume: the complaint type they assume, and the facts of
the conversation (data/replies PRESUMPTIONS) that make a template fit."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Sequence, Tuple

from bot.assist.facts import TurnFacts
from bot.labels import COMPLAINT_TYPES
from bot.nlu.script import to_traditional

_MONEY = re.compile(
    r"\d\s*(?:元|塊|块)|NT\$|\$\s?\d|多收|多扣|重複扣|扣款|收費|價格|價錢|标价|標價|報價|原價|"
    "折扣|優惠|帳單|費用|退費|差價|金額"
)
_BOOKING_CONDITION = re.compile(
    "備註|指定|特別(?:交代|要求|註明)|事先.{0,4}(?:說|講|要求)|訂房時|訂位時|下單時|預約時|"
    "禮物包裝|靠窗|無菸|加床|嬰兒床|不要(?:香菜|辣|蔥|蒜|冰)|素食|過敏|勾選"
)
# a history of reporting it: a repeated fault (又壞, 第三次送修) is not a report left unhandled
_HISTORY = re.compile(
    "之前(?:有)?反映|上次(?:反映|打|問|聯絡|來電)|再次(?:反映|詢問|聯絡|打)|"
    "第[二三四五六七八九十2-9]次(?:打|來電|反映|聯絡|詢問|問)|"
    "(?:反映|報修|打|問|聯絡|申訴)了?[二三四五六七八九十2-9好幾]次|反映過|打過|問過|講過|"
    "已經(?:打|問|反映|申訴|聯絡|報修)|一直沒(?:人)?(?:回|處理)|每次(?:打|問|來電|反映|聯絡)|"
    "三番兩次"
)
# the customer says they will take it further (the escalation templates presume it)
_THREATENED = re.compile(
    "消基會|消保|消協|律師|申訴|投訴|評論|PTT|Dcard|臉書|小紅書|發文|爆料|提告|起訴|法院|媒體|"
    "記者|電視台|議員|立委|金管會|熱線|住建局|12315"
)
# the customer asks for more than the fix: compensation, a free order, money back
_ASKED_MORE = re.compile(
    "免單|免費|全免|賠償|補償|全額|精神損失|違約金|退.{0,6}(?:錢|款|費|租)|錢.{0,8}(?:回到|退回)|"
    "餐券|折抵"
)
# the customer says what they were told was unclear or contradictory
_TOLD_UNCLEAR = re.compile(
    "說不清楚|說不出|講不清楚|沒說清楚|沒講清楚|說法|不一樣|不一致|前後矛盾|一下說|又說|"
    "有沒有人知道|沒人知道|問不到"
)
_REFUND = re.compile("退款|退費|退錢|退貨|全額退|退掉|可以退|能退")
_SUPERVISOR = re.compile("主管|經理|負責人|店長|院長|老闆|上級")


def suggestion_basis(
    complaint_type: Optional[str],
    reading: Mapping[str, Any],
    texts: Sequence[str],
    amount: Optional[float] = None,
) -> Tuple[Optional[str], str]:
    """The complaint type the suggestions may assume, and why.

    ``confident``: the reading's type; ``message``: an uncertain reading, but the
    message itself says money (price) or names a booking condition (special request);
    ``uncertain``: open, type-neutral replies only; ``none``: no complaint read yet.
    """
    if not complaint_type:
        return None, "none"
    if not reading.get("uncertain"):
        return complaint_type, "confident"
    said = "\n".join(texts)
    if amount or _MONEY.search(said):
        return "complaint_price_error", "message"
    if _BOOKING_CONDITION.search(said):
        return "complaint_special_request", "message"
    return None, "uncertain"


def type_reading(facts: TurnFacts) -> Mapping[str, Any]:
    """The complaint reading of the message that set the complaint type."""
    for _, parse in reversed(facts.messages):
        if ((parse.get("intent") or {}).get("name")) in COMPLAINT_TYPES and parse.get("complaint"):
            return parse["complaint"]
    return facts.complaint


def holds(facts: TurnFacts, stage: str) -> frozenset:
    """The presumptions (data/replies PRESUMPTIONS) this conversation supports."""
    said = to_traditional("\n".join(facts.texts))
    found = set()
    if facts.offers_made:
        found.add("offer_made")
    if facts.approved:
        found.add("supervisor_approved")
    if _HISTORY.search(said) or stage == "follow_up":  # asking for progress: it was reported
        found.add("history")
    if _REFUND.search(said):
        found.add("asked_refund")
    if _SUPERVISOR.search(said):
        found.add("asked_supervisor")
    if _THREATENED.search(said):
        found.add("threatened")
    if _ASKED_MORE.search(said):
        found.add("asked_more")
    if _TOLD_UNCLEAR.search(said):
        found.add("told_unclear")
    if stage == "refer" or facts.escalated:
        found.add("referred")
    return frozenset(found)
