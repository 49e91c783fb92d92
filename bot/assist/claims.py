"""What a reply template says without the conversation saying it: checked at start-up.

A template that names a supervisor's action, a history, what the customer cares about
or how they feel must declare it (``presumes``, ``emotions``, or restate the customer's
own words with ``{request}`` / ``{problem}``), so the picker only suggests it when the
conversation supports it (bot/assist/suggest.py). A promise of what needs someone's
approval (compensation, a refund, a supervisor calling back) is never allowed in a
template: the options panel makes those, checked against the agent's authority.
"""

from __future__ import annotations

import re
from typing import FrozenSet, List, Tuple

# (phrase, the presumption that allows it)
PRESUMING: Tuple[Tuple[re.Pattern, str], ...] = (
    (
        re.compile(
            "主管會|請主管.{0,6}(?:跟您|與您|給您|打電話|回覆您|聯絡您|出面)|"
            "主管.{0,4}(?:直接|親自).{0,6}(?:聯絡|打|回覆|出面)|由主管.{0,6}(?:聯絡|回覆|處理)|"
            "主管接手|主管確認後.{0,4}再跟您|主管看過後會|"
            # the chat handed to a supervisor while the customer waits: a hand-off no
            # supervisor agreed to yet
            "轉(?:接)?(?:給|到)主管[^。？]{0,14}稍(?:候|等)|稍(?:候|等)[^。？]{0,8}主管"
        ),
        "supervisor_approved",
    ),
    (
        re.compile(
            "之前反映|反映過|前幾次|一直沒有得到|反映到現在|之前的聯絡|之前同仁|上次|反映了卻|"
            "拖到現在|已反映多次|等了這麼久"
        ),
        "history",
    ),
    (re.compile("希望由主管|希望直接跟主管|要求.{0,2}主管|跟主管談"), "asked_supervisor"),
    (
        re.compile(
            "您選擇的|剛剛說好|談好的|您同意的|您接受這個|說好的方式|剛剛的方式|照剛剛|"
            "以上幾個|這幾個方案|這幾種方式|以上的方案"
        ),
        "offer_made",
    ),
    (
        re.compile("進一步的?行動|要去投訴|要申訴|要公開|打算提告|向外投訴|打算怎麼做講得"),
        "threatened",
    ),
    (re.compile("另外提出的要求|另外要求的"), "asked_more"),
    (
        re.compile("說明不夠清楚|說得不清楚|說明不清楚|說法不一|前後不一|說的都不一樣"),
        "told_unclear",
    ),
)
# what the customer accepts or refuses, or a sequence of events, that no customer says
# in a way the picker can check: never in a template
UNSAID = re.compile(
    "其他細節可以再討論|其他(?:做法|方式)都不考慮|都不考慮|其他都好談|其他都可以|"
    "\\{problem\\}[，、]?後來|後來\\{impact\\}"
)
# what the customer cares about or wants: only in their own words
PRIORITY = re.compile(
    "您(?:比較|最|更)?在意的?是|您最在意|您比較在意|您更希望|您(?:是)?希望(?!能?\\{request\\})|"
    "您想要的是|您不想|您要的不只|您能接受的"
)
# feelings named for the customer → the emotions (bot/assist/emotion.py) that allow it
FEELINGS: Tuple[Tuple[re.Pattern, FrozenSet[str]], ...] = (
    (re.compile("著急|心急|很急|焦急"), frozenset({"hurried", "worried"})),
    (re.compile("焦慮|不放心|不安"), frozenset({"worried"})),
    (re.compile("(?<!不用)(?<!別)(?<!不會讓您)(?<!不再讓您)擔心(?!了)"), frozenset({"worried"})),
    (re.compile("生氣|不滿|火大"), frozenset({"angry"})),
    (re.compile("不高興|不開心"), frozenset({"angry", "disappointed"})),
    (re.compile("失望|沮喪"), frozenset({"disappointed"})),
)
_FOR_CUSTOMER = re.compile("您|讓人|換作是|難怪|聽得出來|一定|可以理解|的心情")
_NEGATED_FEELING = re.compile("不用擔心|別擔心|不要擔心|不讓您擔心|不用急")
# never in a template: compensation or a refund promised, a supervisor's decision assumed
PROMISES = re.compile(
    "我們會補償|會補償您|補償您|賠償您|一定會退|保證|會辦理退還|會辦理退款|幫您退款|"
    "全額退|免費換|會退回|就會進行退款|一定賠|不會讓您多付|已經幫您|已幫您|已經轉|已經完整記錄並轉交|"
    "已經由主管|會負責幫您追蹤到底|一定幫您做"
)


# a miscommunication is, by its type, about what the customer was told before
_TOLD_BEFORE = re.compile("之前.{0,4}說明")
# a question or a condition does not claim what the customer wants
_ASKING = re.compile("如果|請問|想請問|問您|想再請您")
_CLAUSE_END = re.compile("[。？！]")


def _asks(text: str, at: int) -> bool:
    start = 0
    for m in _CLAUSE_END.finditer(text[:at]):
        start = m.end()
    end_match = _CLAUSE_END.search(text, at)
    clause = text[start : end_match.end() if end_match else len(text)]
    if _ASKING.search(text[max(0, at - 8) : at]):
        return True
    return clause.endswith(("呢？", "呢", "？")) and bool(re.search("哪|什麼|還是", clause))


def unsupported_claims(
    text: str,
    presumes: FrozenSet[str],
    emotions: FrozenSet[str],
    placeholders: FrozenSet[str],
    complaint_type: str = "any",
) -> List[str]:
    """What the template says that it does not declare (empty: nothing), in sentences."""
    problems: List[str] = []
    promise = PROMISES.search(text)
    if promise:
        problems.append(f"promises「{promise.group(0)}」(the options panel makes offers)")
    for pattern, needed in PRESUMING:
        found = pattern.search(text)
        if needed == "told_unclear" and complaint_type == "complaint_miscommunication":
            continue  # a miscommunication is, by its type, about an unclear explanation
        if found and needed not in presumes:
            problems.append(f"「{found.group(0)}」presumes {needed} but does not declare it")
    unsaid = UNSAID.search(text)
    if unsaid:
        problems.append(f"「{unsaid.group(0)}」says what the customer never said")
    told = _TOLD_BEFORE.search(text)
    if told and "history" not in presumes and complaint_type != "complaint_miscommunication":
        problems.append(f"「{told.group(0)}」presumes history but does not declare it")
    found = PRIORITY.search(text)
    said_so = placeholders & {"request", "problem"} or presumes & {
        "asked_supervisor",
        "asked_refund",
    }
    if found and not said_so and not _asks(text, found.start()):
        problems.append(f"「{found.group(0)}」says what the customer wants without their words")
    cleaned = _NEGATED_FEELING.sub("", text)
    for pattern, allowed in FEELINGS:
        found = pattern.search(cleaned)
        if found and _FOR_CUSTOMER.search(cleaned) and "feeling" not in placeholders:
            if not emotions or not emotions <= allowed:
                problems.append(
                    f"names the feeling「{found.group(0)}」: needs emotions within {sorted(allowed)}"
                )
    return problems
