"""The customer's own words: what they said is wrong, what it caused, what they ask for.

:func:`ground` is pure. It reads the customer's messages of this conversation, splits
each into clauses on punctuation, and finds with cue patterns the clause that says

* ``problem``: what is wrong (壞了, 沒收到, 多收, 已讀不回 …);
* ``impact``: what it caused (害我, 導致, 只好, 白跑一趟, 整晚沒睡 …);
* ``request``: what they ask for (我要, 希望, 麻煩, 可以…嗎, 退款 …).

Each is turned to the agent's point of view (我→您, 你們→我們, the customer's 我們→您們),
stripped of connectives and intensifiers (然後, 根本, 明明 …), trimmed to a short clause
and kept with the message it came from. A clause with an insult or profanity is never
quoted back. A later message that says it again replaces what an earlier one said.
Simplified input is read in Traditional (:func:`bot.nlu.script.to_traditional`).

What a turn reads of the conversation is a window that does not grow with it
(:func:`message_window`): the first :data:`FIRST_MESSAGES` customer messages, where the
problem is usually stated, and the last :data:`LAST_MESSAGES`, where what the customer
feels, asks and threatens now is. A long chat's middle is left out, so a turn costs the
same at message 200 as at message 15 (issue 14); the Rasa server sends the action server
only these messages (bot/channels/speedups.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, TypeVar

MAX_CHARS = 24

# the customer messages a turn reads (message_window): the opening ones and the latest ones
FIRST_MESSAGES = 3
LAST_MESSAGES = 12

T = TypeVar("T")

# never quoted back, whatever the clause says
INSULTS = (
    "幹",
    "靠北",
    "靠杯",
    "靠腰",
    "白痴",
    "白癡",
    "智障",
    "垃圾",
    "廢物",
    "去死",
    "他媽",
    "媽的",
    "北七",
    "腦殘",
    "騙子",
    "王八",
    "混蛋",
    "三小",
    "低能",
    "豬頭",
    "看不懂中文",
    "有病",
    # contempt for the business or its people: never said back in the agent's voice
    "爛成",
    "爛透",
    "很爛",
    "太爛",
    "超爛",
    "好爛",
    "真爛",
    "有夠爛",
    "爛公司",
    "太坑",
    "很坑",
    "超坑",
    "好坑",
    "坑人",
    "坑錢",
    "被坑",
    "太水",
    "很水",
    "超水",
    "好水",
    "黑心",
    "奸商",
    "騙人",
    "騙錢",
    "吃相難看",
    "無能",
)
_PROBLEM = re.compile(
    "壞|故障|當機|斷線|斷了|斷掉|沒收到|未收到|收不到|沒有收到|多收|多扣|重複扣|扣錯|扣了|收錯|送錯|寄錯|"
    "拿錯|少了|少一|缺|破|碎|裂|刮傷|劃痕|刮痕|漏|不能用|無法|沒反應|沒聲音|不亮|不冷|不製冷|"
    "卡住|沒修好|沒人接|沒人回|不回|已讀不回|沒有回覆|沒回|延誤|延遲|拖了|等了|太慢|很慢|遲到|"
    "被取消|取消了|不新鮮|怪味|異味|臭|髒|污漬|汙漬|蟑螂|頭髮|冷掉|軟掉|不一樣|不符|不對|錯了|"
    "隔音|很吵|太吵|很兇|態度|不耐煩|互相推|沒通知|沒人知道|沒包|原價|沒折|沒有折|停電|拒賠|"
    "掉了|掉一個|沒處理|不處理|沒有處理|沒送|還沒到|沒到|退不了|不給退|不能退|收費|跳電|過期|"
    "發霉|爛掉|沒效|失效|打不開|登不進|進不去|扣款|超收|算錯|報價|標價|不見|遺失|弄丟|受傷|"
    "出問題|有問題|被收|被扣|卻|只給|不給|沒給|少給|不符合|說錯|講錯|滴水|不明|寄回家|突然變成|暴增|黃色|混濁|寄來的是|收到的是|送來的是|名單上沒有|沒有準備|沒準備|沒做到"
)
# what follows 結果 / 可是 opens a problem when no clause names one with a cue above
_LEAD_PROBLEM = re.compile("^(?:結果|可是|但是|但|不過)")
# weaker signs of a problem: used only when no clause has one of the cues above
_WEAK_PROBLEM = re.compile("沒有人|沒人|只有|太|超|很差|不好|不夠|不行|爛|慢|久|差")
# what follows 結果 / 可是 / 卻 is usually what went wrong
_CONTRAST = re.compile("^(?:結果|可是|但是|但|不過|卻)(?!.*(?:害|導致|只好))")
# a demand says what the customer wants, not what went wrong
_DEMAND = re.compile("就要|一定要|必須|馬上|立刻|要求|我要|給我一個|還要")
_RHETORICAL = re.compile("^(?:為什麼|到底|難道|怎麼會|是不是|有沒有)|[嗎呢吧]$")
_IMPACT = re.compile(
    "害我|害得|害我們|導致|造成|只好|白跑|浪費|耽誤|來不及|錯過|睡不著|沒睡|損失|請了.{0,3}假|"
    "來回跑|影響到|影響我|尷尬|白花|多花|沒辦法上班|沒辦法工作|不能上班|餓|空腹|延後|泡湯|"
    "被罰|罰款|手續費|遲交|趕不上|壞光|都壞了|只能"
)
_REQUEST = re.compile(
    "我要|我想要|我希望|希望|麻煩|要求|能不能|可不可以|可以.{0,8}嗎|(?<!申)請(?!問)|給我一個|給個|"
    "我(?:現在|今天|馬上)?就要|(?:今天|現在|馬上)就?要(?:先)?把|解約|退(?:回|給)我|"
    "退款|退費|退錢|換貨|換新|換一|賠償|補償|重寄|補寄|重送|處理一下|一定要|必須|免收|免單|"
    "(?:都|也)要免費|"
    "幫我(?:處理|查|看|確認|退|換|取消|改)"
)
# threats and what was asked before: not what the customer asks of the agent now
_THREAT = re.compile(
    "消基會|消保|律師|申訴|投訴|評論|PTT|Dcard|臉書|上網|發文|爆料|告你|提告|法院|12315|媒體|"
    "評議|不會再|再也不|不管|^再(?:不|沒|這樣|讓)|^如果再|立委|議員"
)
_PAST = re.compile("說過|交代|備註|當初|之前|時就|有先|事先|已經說|有說|有跟|那時")
# a question about the handling, not a request to restate (see bot/assist/question.py)
# a tip to other customers (「大家結帳記得看收據」) is not a demand of the agent
_TO_OTHERS = re.compile("大家|各位|網友|提醒|奉勸|建議其他|其他人|以後去的")
_ASKS_HANDLING = re.compile("怎麼處理|如何處理|打算怎麼|怎麼辦|要怎樣|什麼時候|多久")
# an order or booking number, a phone number: a reference, not a problem
_REFERENCE = re.compile(r"[A-Za-z]{0,4}\d{5,}|編號|單號|訂單號")
_CLAUSES = re.compile(
    r"(?:[，。．！!？?；;：:\n…～~]|,(?!\d{3})|(?<!\d)\.)+|(?<=\S)\s{2,}|\s+(?=\d+[.、)])"
)
_LIST_MARK = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、)）]\s*")
_LEADING = re.compile(
    "^(?:然後|而且|可是|但是|但|不過|結果|所以|因為|另外|還有|加上|再加上|況且|吐槽一下|"
    "說真的|老實說|講真的|拜託|欸|誒|喂|差評|差评|避雷|踩雷)+"
)
_INTENSIFIERS = re.compile("根本|明明|竟然|居然|到底|真的|簡直|有夠|超級|實在")
_TRAILING = re.compile("[啦喔哦耶欸啊呀吧嘛囉咧ㄟ喇捏]+$")
_GREETING = re.compile("^(?:你好|您好|妳好|哈囉|嗨|hi|hello|請問一下|請問|不好意思|客服)+$", re.I)
_NON_TEXT = re.compile(r"[^\w\u3000-\u303f\u4e00-\u9fff\uff00-\uffef「」『』（）()%$.,、/+-]")
_IMPACT_LEAD = re.compile("^(?:結果|導致|造成|所以|只好)+")
_REQUEST_LEAD = re.compile(
    "^(?:還要|而且還要|而且要|並且|另外還要|(?:你們|妳們)(?:必須|一定要|要|得|趕快|快點)|我(?:現在|今天|馬上)就要|(?:今天|現在|馬上)就?要(?:先)?|我(?:是|就是|只是)?(?:想要|要求|希望|想|要)|希望(?:你們|妳們)?(?:可以|能|能夠)?|"
    "麻煩(?:你們|妳們|你|妳)?|要求(?:你們)?|請(?:你們|妳們|你|妳)?|"
    "(?:能不能|可不可以|可以)(?:請)?(?:你們|你)?)+"
)
_DONE_FOR_YOU = re.compile("^(?:幫|給|替|借|寄給|退給|還給|通知)您")
_REQUEST_TAIL = re.compile("(?:可以|好)?嗎$|好不好$|可以嗎$|行不行$")


@dataclass(frozen=True)
class Said:
    """One thing the customer said, in the agent's words, and the message it is from."""

    text: str
    source: str

    def as_slot(self) -> Dict[str, str]:
        return {"text": self.text, "source": self.source}


@dataclass(frozen=True)
class Grounding:
    problem: Optional[Said] = None
    impact: Optional[Said] = None
    request: Optional[Said] = None

    def details(self) -> Dict[str, str]:
        """The placeholder values: ``{problem}``, ``{impact}``, ``{request}`` when known."""
        found = {"problem": self.problem, "impact": self.impact, "request": self.request}
        return {name: said.text for name, said in found.items() if said is not None}


# mainland words said back in Taiwan usage (結賬→結帳, 小區→社區): data/dict/taiwan_usage.yml
TAIWAN_USAGE = Path(__file__).resolve().parents[2] / "data" / "dict" / "taiwan_usage.yml"


@functools.lru_cache(maxsize=1)
def _taiwan_words() -> Tuple[Tuple[str, str], ...]:
    import yaml

    words = yaml.safe_load(TAIWAN_USAGE.read_text(encoding="utf-8"))["words"]
    return tuple(sorted(((str(k), str(v)) for k, v in words.items()), key=lambda kv: -len(kv[0])))


def to_taiwan_usage(text: str) -> str:
    """``text`` with the mainland words of data/dict/taiwan_usage.yml in Taiwan usage."""
    pattern = _taiwan_pattern()
    words = dict(_taiwan_words())
    return pattern.sub(lambda m: words[m.group(0)], text)


@functools.lru_cache(maxsize=1)
def _taiwan_pattern() -> "re.Pattern[str]":
    return re.compile("|".join(re.escape(word) for word, _ in _taiwan_words()))


def to_agent_voice(text: str) -> str:
    """The customer's clause as the agent says it back: 我→您, 你們→我們, 我們→您們, and
    mainland words in Taiwan usage (:func:`to_taiwan_usage`)."""
    text = to_taiwan_usage(text)
    swaps = (
        ("你們", "\0a"),
        ("妳們", "\0a"),
        ("我們", "\0b"),
        ("咱們", "\0b"),
        ("我", "您"),
        ("你", "我"),
        ("妳", "我"),
        ("\0a", "我們"),
        ("\0b", "您們"),
    )
    for old, new in swaps:
        text = text.replace(old, new)
    return text


def has_insult(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in INSULTS)


def clauses(message: str) -> List[str]:
    """The message's clauses, cleaned (list marks, emoji, connectives and fillers removed)."""
    result = []
    for raw in _CLAUSES.split(message):
        clause = _LIST_MARK.sub("", raw)
        clause = _NON_TEXT.sub("", clause).strip()
        clause = _LEADING.sub("", clause) if not _CONTRAST.match(clause) else clause
        if len(_LEADING.sub("", clause)) < 2 or clause.isdigit() or _GREETING.match(clause):
            continue
        result.append(clause)
    return result


def _tidy(clause: str, lead: Optional[re.Pattern] = None) -> str:
    clause = _LEADING.sub("", clause)
    if lead is not None:
        clause = lead.sub("", clause)
    clause = _INTENSIFIERS.sub("", clause)
    clause = _TRAILING.sub("", clause.strip())
    return clause


def _trim(clause: str, cue: Optional[re.Match]) -> str:
    """At most MAX_CHARS characters, kept around the cue when the clause is longer."""
    if len(clause) <= MAX_CHARS:
        return clause
    for part in re.split("[、/]", clause):  # an enumeration: the part with the cue
        if cue is not None and cue.group(0) in part and 2 <= len(part) <= MAX_CHARS:
            return part
    if cue is None:
        return clause[:MAX_CHARS]
    start = max(0, min(cue.start() - (MAX_CHARS - len(cue.group(0))) // 2, len(clause) - MAX_CHARS))
    return clause[start : start + MAX_CHARS]


def _problem(parts: Sequence[str]) -> Tuple[Optional[str], bool]:
    """The problem clause, and whether a cue found it (else a short message's gist)."""
    said_in = len(parts)
    parts = [c for c in parts if not _THREAT.search(c)]
    # a statement before a rhetorical question (為什麼…、到底…嗎)
    stated = [c for c in parts if not _RHETORICAL.search(c)] + [
        c for c in parts if _RHETORICAL.search(c)
    ]
    for cues in (_PROBLEM, _LEAD_PROBLEM, _WEAK_PROBLEM):
        for clause in stated:
            if _IMPACT.search(clause) and not cues.search(clause.split("害")[0]):
                continue
            if _REQUEST.match(clause) or _DEMAND.search(clause) or _ASKS_HANDLING.search(clause):
                continue
            if cues.search(clause):
                text = _tidy(clause)
                return _trim(text, cues.search(text)), True
    # a short message without a cue says its problem in a clause or two
    plain = [
        c
        for c in parts
        if not _REQUEST.search(c)
        and not _DEMAND.search(c)
        and not _ASKS_HANDLING.search(c)
        and not _REFERENCE.search(c)
    ]
    if plain and said_in <= 3 and not plain[0].endswith("嗎"):
        text = plain[0]
        if len(plain) > 1 and len(text) + len(plain[1]) + 1 <= MAX_CHARS:
            text = f"{text}，{plain[1]}"
        text = _tidy(text)
        if 2 <= len(text) <= MAX_CHARS:
            return text, False
    return None, False


def _impact(parts: Sequence[str]) -> Optional[str]:
    for clause in parts:
        cue = _IMPACT.search(clause)
        if cue and not _ASKS_HANDLING.search(clause):
            text = _tidy(clause[cue.start() :] if cue.start() > 8 else clause, _IMPACT_LEAD)
            return _trim(text, _IMPACT.search(text)) if len(text) >= 2 else None
    return None


def _request(parts: Sequence[str]) -> Optional[str]:
    """What the customer asks for: the first demand, and a second one beside it
    (「馬上重送、兩餐都要免費」) when both fit in one short clause."""
    found: List[str] = []
    for text in _requests(parts):
        if text not in found:
            found.append(text)
    if len(found) >= 2 and len(found[0]) + len(found[1]) + 1 <= MAX_CHARS:
        return f"{found[0]}、{found[1]}"
    return found[0] if found else None


def _requests(parts: Sequence[str]) -> Iterable[str]:
    for clause in parts:
        cue = _REQUEST.search(clause)
        if not cue or _ASKS_HANDLING.search(clause) or _THREAT.search(clause):
            continue
        if _TO_OTHERS.search(clause):
            continue
        if _PAST.search(clause[: cue.start()]):
            continue
        # a long clause from its cue; a short one whole (「明天九點前一定要有人來」)
        text = clause[cue.start() :] if cue.start() > 6 and len(clause) > MAX_CHARS else clause
        text = _REQUEST_TAIL.sub("", _tidy(text, _REQUEST_LEAD))
        text = re.sub("^(?:你們|妳們|你|妳)(?=..)", "", text)
        text = _TRAILING.sub("", text)
        if len(text) >= 2:
            yield _trim(text, None)


def _normalise(message: str) -> str:
    try:
        from bot.nlu.script import to_traditional
    except ImportError:  # pragma: no cover - the NLU package is always installed here
        return message
    return to_traditional(message)


def ground_message(message: str) -> Grounding:
    """What one message says (None for what it does not say)."""
    parts = [c for c in clauses(_normalise(message)) if not has_insult(c)]
    found: Dict[str, Optional[Said]] = {}
    problem, _ = _problem(parts)
    found["problem"] = Said(to_agent_voice(problem), message) if problem else None
    for name, reader in (("impact", _impact), ("request", _request)):
        text = reader(parts)
        found[name] = Said(to_agent_voice(text), message) if text else None
    if found["request"] and _DONE_FOR_YOU.match(found["request"].text):
        # 「幫我查」→ 您希望「我們幫您查」: the request names who does it
        found["request"] = Said("我們" + found["request"].text, message)
    if found["impact"] and found["problem"] and found["impact"].text in found["problem"].text:
        found["impact"] = None
    return Grounding(**found)


def ground(messages: Iterable[str]) -> Grounding:
    """What the customer has said in this conversation, the latest saying of each kind."""
    problem = impact = request = None
    for message in messages:
        if not message or not message.strip():
            continue
        said = ground_message(message)
        parts = [c for c in clauses(_normalise(message)) if not has_insult(c)]
        if said.problem and (problem is None or _problem(parts)[1]):
            problem = said.problem  # a later gist never replaces a problem a cue found
        impact = said.impact or impact
        request = said.request or request
    return Grounding(problem, impact, request)


def message_window(messages: Sequence[T]) -> Tuple[T, ...]:
    """The customer messages a turn reads, in order: the first :data:`FIRST_MESSAGES` and
    the last :data:`LAST_MESSAGES` (all of them while there are no more than both)."""
    if len(messages) <= FIRST_MESSAGES + LAST_MESSAGES:
        return tuple(messages)
    return (*messages[:FIRST_MESSAGES], *messages[-LAST_MESSAGES:])


def is_customer_message(event: dict) -> bool:
    """A tracker event (as a dict) that is a message the customer wrote."""
    return event.get("event") == "user" and bool(event.get("text"))


def customer_messages(events: Iterable[dict]) -> Tuple[Tuple[str, dict], ...]:
    """The customer's messages of a tracker's events: ``(text, parse_data)`` in order,
    those of :func:`message_window` (the events may hold only those already)."""
    every = [(e["text"], e.get("parse_data") or {}) for e in events if is_customer_message(e)]
    return message_window(every)
