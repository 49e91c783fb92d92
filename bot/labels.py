"""Every label the staff pages show for a code the server sends, gathered in one place.

The pages never keep a label table of their own: they read these once at start from
``GET /webhooks/assist/labels`` (:mod:`bot.channels.labels`). Tables that the assistant
itself uses live beside the code that uses them and are imported here (complaint types
and moods from :mod:`bot.assist.analysis`, techniques and stages from
:mod:`bot.assist.replies`); the others exist only to be shown and live here.

Keys are the codes the API sends (``tests/channels/test_labels.py`` checks that every
code of the stores and logs has a label); values are Traditional Chinese (Taiwan).
"""

from __future__ import annotations

from typing import Dict, Mapping

from bot.assist.analysis import COMPLAINT_TYPES, SENTIMENT_NAMES
from bot.assist.replies import STAGES, TECHNIQUES

# a conversation's status (bot.store.conversations.STATUSES)
STATUSES: Mapping[str, str] = {
    "new": "新進",
    "active": "處理中",
    "waiting": "待回覆",
    "closed": "已結案",
}
# how a conversation ended: "open", or the resolution an agent picks when closing
# (bot.store.conversations.RESOLUTIONS)
OUTCOMES: Mapping[str, str] = {
    "resolved": "已解決",
    "referred": "已轉介",
    "unresolved": "未解決",
    "open": "進行中",
}
# what the agent did with a suggestion shown to them (the review's suggestion outcomes)
SUGGESTION_USES: Mapping[str, str] = {
    "used": "已採用",
    "edited": "修改後採用",
    "dismissed": "不適用",
    "ignored": "未使用",
}
# a QA scorecard item's verdict, keyed by the JSON of ``met`` (true, false, null)
QA_MET: Mapping[str, str] = {"true": "達成", "false": "未達成", "null": "不適用"}
# how a QA item's verdict was reached (bot.log.qa.BASES)
QA_BASES: Mapping[str, str] = {
    "suggestion": "依採用的建議",
    "wording": "僅依字面判斷",
    "record": "依系統紀錄",
}


def label_tables() -> Dict[str, Dict[str, str]]:
    """Every table by name, as plain dicts (what ``GET /labels`` answers)."""
    tables: Dict[str, Mapping[str, str]] = {
        "complaint_types": COMPLAINT_TYPES,
        "techniques": TECHNIQUES,
        "stages": STAGES,
        "moods": SENTIMENT_NAMES,
        "statuses": STATUSES,
        "outcomes": OUTCOMES,
        "suggestion_uses": SUGGESTION_USES,
        "qa_met": QA_MET,
        "qa_bases": QA_BASES,
    }
    return {name: dict(table) for name, table in tables.items()}
