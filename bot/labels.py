"""Every label the staff pages show for a code the server sends, gathered in one place.

The pages never keep a label table of their own: they read these once at start from
``GET /webhooks/assist/labels`` (:mod:`bot.channels.labels`). The assistant's own
code reads the same tables from here (complaint types, moods, techniques, stages), so this
module imports nothing of the project: every package may depend on it.

Keys are the codes the API sends (``tests/channels/test_labels.py`` checks that every
code of the stores and logs has a label); values are Traditional Chinese (Taiwan).
"""

from __future__ import annotations

from typing import Dict, Mapping

# the six complaint types of the competency standard (docs/domain.md#note-2)
COMPLAINT_TYPES = {
    "complaint_demanding": "難處理或要求高的顧客",
    "complaint_escalation": "客訴或糾紛惡化",
    "complaint_price_error": "標價或報價錯誤",
    "complaint_special_request": "未處理特殊要求",
    "complaint_miscommunication": "誤會或溝通不良",
    "complaint_defect": "服務或產品問題或瑕疵",
}
# the customer's mood, as the sentiment reader labels it
SENTIMENT_NAMES = {"negative": "負面", "neutral": "中性", "positive": "正面"}
# the communication techniques (docs/domain.md#note-3)
TECHNIQUES = {
    "clear_explanation": "清楚說明",
    "active_listening": "主動聆聽",
    "clarifying_question": "提問釐清",
    "empathy": "同理心",
    "paraphrase_confirm": "換句話確認",
    "cultural_fit": "因人調整",
}
# the complaint-handling stages (docs/domain.md#complaint-handling-stages)
STAGES = {
    "clarify": "釐清問題",
    "assess": "評估影響",
    "acknowledge": "回應與致歉",
    "propose": "提出方案",
    "agree": "確認協議",
    "follow_up": "後續追蹤",
    "close": "結束對話",
    "refer": "轉介主管",
}

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
