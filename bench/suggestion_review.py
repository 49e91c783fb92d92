"""A blind review of the suggestions anyone can repeat (issue 15).

    .venv/bin/python bench/suggestion_review.py [--n 40] [--seed 15]
    .venv/bin/python bench/suggestion_review.py --score results/review/grades.csv [--key K]

**Sheet.** Takes ``--n`` complaints of the in-the-wild set (``tests/nlu_wild.yml``: real
customers' wording that nobody wrote for the templates) as first messages, then
「訂單編號 KF20261102001，你們打算怎麼處理？」 as the second, and produces the three
suggestions of each turn in-process: the trained model (``models/kefu.tar.gz``) parses
each message, ``bot.assist.analysis.analyse`` does what ``action_analyze_message`` does,
the stage is :func:`bot.assist.stages.next_stage` (the one the turn action uses), and :func:`bot.assist.turn.build_assist` builds the turn as the stage action does, for
agent1 (role agent, nothing spent today). The deployment's kind of business
(``KEFU_BUSINESS``) is the message's business where business.yml has it, else generic.
The order record is the demo order KF20261102001 with the product the customer named (a
real order would be for what they bought), so no hair dryer appears in a hotel stay.

It writes, under ``--out`` (results/review/):

* ``sheet.html`` and ``grades.csv``: for the reviewer. Each conversation's messages,
  then each turn's three suggestions in a shuffled order, the technique hidden;
* ``key.csv``: template, technique, stage, basis of each item: NOT for the reviewer.

**Grading** (in grades.csv, one row per suggestion): ``grade`` A send as-is, B send after
a light edit (a few words), C needs rewriting, D wrong or harmful (wrong topic, a claim
the customer did not make, a wrong feeling, a promise the agent may not make, ignores
the question); ``technique`` the one the text applies (its key or its Chinese label);
``promise`` ``Y`` when it promises what the agent may not promise.

**Score** (``--score``): the table of issue 15: A+B share, technique match,
paraphrase_confirm / active_listening A+B, distinct texts, promises (the reviewer's and
a phrase check of bot/assist/claims.py).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import html
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECOND = "訂單編號 KF20261102001，你們打算怎麼處理？"
ORDER_ID = "KF20261102001"
GRADES = ("A", "B", "C", "D")
# the wild set's businesses → data/replies/business.yml (others: the generic wording)
BUSINESS = {
    "online_shop": "online_shop",
    "electronics": "online_shop",
    "appliance": "online_shop",
    "clothing": "online_shop",
    "books": "online_shop",
    "hotel": "hotel",
    "travel": "hotel",
    "telecom": "telecom",
    "phone": "telecom",
    "restaurant": "restaurant",
    "food_delivery": "restaurant",
    "bank": "bank",
}


def _complaints(n: int, seed: int) -> List[Dict[str, Any]]:
    import yaml

    data = yaml.safe_load((ROOT / "tests/nlu_wild.yml").read_text(encoding="utf-8"))
    found = [m for m in data["messages"] if m.get("complaint") not in (None, "none")]
    return random.Random(seed).sample(found, min(n, len(found)))


def _entity(parse: Mapping[str, Any], name: str) -> Optional[Any]:
    for entity in parse.get("entities") or ():
        if entity.get("entity") == name:
            return entity.get("value")
    return None


async def _conversation(agent, resources, index: int, message: Mapping[str, Any]) -> List[dict]:
    from bot.assist.analysis import analyse
    from bot.assist.stages import next_stage
    from bot.assist.turn import TurnFacts, build_assist

    replies, policy, demo_order, customer, staff = resources
    business = BUSINESS.get(message.get("business", ""))
    slots: Dict[str, Any] = {"suggested": [], "sentiment_history": []}
    events: List[dict] = []
    stage = "start"
    turns = []
    for turn, text in enumerate((message["text"], SECOND), start=1):
        parse = await agent.parse_message(text)
        parse = {**parse, "metadata": {"kefu": {"agent": staff.username}}}
        events.append({"event": "user", "text": text, "parse_data": parse})
        analysis = analyse(
            parse,
            slots["sentiment_history"],
            slots.get("complaint_type"),
            bool(slots.get("escalated")),
        )
        slots.update(
            complaint_type=analysis.complaint_type,
            sentiment_history=list(analysis.sentiment_history),
            escalated=analysis.escalated,
        )
        for name in ("order_id", "product", "amount", "date"):
            value = _entity(parse, name)
            if value is not None:
                slots[name] = value
        intent = (parse.get("intent") or {}).get("name")
        stage = next_stage(
            intent,
            escalating=analysis.escalating,
            has_order=bool(slots.get("order_id")),
            previous=stage,
        )
        facts = TurnFacts.from_tracker(f"review-{index:02d}", slots, parse, events)
        order = None
        if slots.get("order_id") == ORDER_ID:
            named = (slots["product"],) if slots.get("product") else ()
            order = replace(demo_order, products=named)
        assist = build_assist(
            facts,
            stage,
            replies=replies,
            policy=policy,
            today=dt.date(2026, 11, 27),
            staff=staff,
            order=order,
            customer=customer,
            business=business,
        )
        slots["suggested"] = slots["suggested"] + [s.id for s in assist.suggestions]
        turns.append(
            {
                "turn": turn,
                "text": text,
                "stage": stage,
                "basis": assist.payload["suggestions_basis"],
                "intent": intent,
                "suggestions": [s.as_dict() for s in assist.suggestions],
                "record": record_line(customer, slots.get("product")),
            }
        )
    return turns


def _resources():
    import yaml

    from bot.assist.replies import load_replies
    from bot.assist.turn import Staff
    from bot.policy import load_policy
    from bot.store.profiles import customer_from_record, order_from_record

    orders = yaml.safe_load((ROOT / "data/demo/orders.yml").read_text(encoding="utf-8"))
    record = next(o for o in orders["orders"] if o["id"] == ORDER_ID)
    customers = yaml.safe_load((ROOT / "data/demo/customers.yml").read_text(encoding="utf-8"))
    person = next(c for c in customers["customers"] if c["id"] == record["customer"])
    policy = load_policy(ROOT / "data/policy")
    staff = Staff("agent1", "小美", policy.role("agent"), 0)
    return (
        load_replies(ROOT / "data/replies"),
        policy,
        order_from_record(record),
        customer_from_record(person),
        staff,
    )


async def _generate(n: int, seed: int, model: Path) -> List[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    resources = _resources()
    conversations = []
    for index, message in enumerate(_complaints(n, seed), start=1):
        turns = await _conversation(agent, resources, index, message)
        conversations.append({"index": index, "business": message.get("business"), "turns": turns})
        print(f"  {index:2d}/{n} {message['text'][:30]!r}", file=sys.stderr)
    return conversations


def _items(conversations: Sequence[dict], seed: int) -> List[dict]:
    shuffle = random.Random(seed * 7919)
    rows = []
    for conversation in conversations:
        for turn in conversation["turns"]:
            suggestions = list(turn["suggestions"])
            shuffle.shuffle(suggestions)
            for letter, s in zip("abc", suggestions):
                rows.append(
                    {
                        "item": f"c{conversation['index']:02d}-t{turn['turn']}-{letter}",
                        "conversation": conversation["index"],
                        "turn": turn["turn"],
                        "text": s["text"],
                        "template": s["id"],
                        "technique": s["technique"],
                        "stage": turn["stage"],
                        "basis": turn["basis"],
                    }
                )
    return rows


INSTRUCTIONS = """\
<p>You are the agent who must answer this customer. For each suggested reply, grade it in
<code>grades.csv</code> (one row per item):</p>
<ul>
<li><b>grade</b>: <b>A</b> I would send it as it is · <b>B</b> I would send it after a light
edit (a few words) · <b>C</b> the idea is usable but it needs rewriting · <b>D</b> wrong or
harmful: wrong topic, says something the customer did not say, names a feeling they do not
show, promises what an agent may not promise (a refund, compensation, a supervisor calling
back, before anyone approved it), or ignores the question the customer asked.</li>
<li><b>technique</b>: which of the six the reply really applies (write the key or the
label): clear_explanation 清楚說明 · active_listening 主動聆聽 · clarifying_question
提問釐清 · empathy 同理心 · paraphrase_confirm 換句話確認 · cultural_fit 因人調整.
If it applies none, write <code>none</code>.</li>
<li><b>promise</b>: <code>Y</code> if it promises something an agent may not promise
without approval, else leave empty.</li>
<li><b>note</b>: optional, a few words on why (especially for C and D).</li>
</ul>
<p>The agent is 小美 (role: agent). She may look into records, arrange a repair, a
re-delivery or a remade order, chase another department, and apply for a refund, a
replacement or anything larger (a supervisor approves those); on her own she may grant a
small coupon (折價券 NT$200). A refund or a free replacement granted outright, or a
supervisor calling back, needs a supervisor's approval first. Grade each turn as the reply to that turn, knowing the earlier
messages. The order of the three suggestions is random.</p>
"""


def record_line(customer, product: Optional[str]) -> str:
    """What the agent's console shows of the order record: the customer's title (the demo
    order's customer, 王先生, is real to the console, not invented by a reply) and the
    product the customer named."""
    return f"訂單紀錄：顧客 {customer.title}，商品 {product or '（未記錄）'}，訂單編號 {ORDER_ID}"


def _write_sheet(conversations: Sequence[dict], rows: Sequence[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    by_turn: Dict[Tuple[int, int], List[dict]] = {}
    for row in rows:
        by_turn.setdefault((row["conversation"], row["turn"]), []).append(row)
    parts = [
        "<!doctype html><meta charset='utf-8'><title>建議回覆盲評</title>",
        "<style>body{font:15px/1.6 system-ui,sans-serif;max-width:60em;margin:2em auto}"
        ".c{border-top:2px solid #888;margin-top:2em}.m{background:#eef;padding:.4em .8em;"
        "white-space:pre-wrap}.s{margin:.3em 0 .3em 1.5em}code{background:#eee}</style>",
        "<h1>Suggested replies: blind review</h1>",
        INSTRUCTIONS,
    ]
    for conversation in conversations:
        parts.append(f"<div class='c'><h2>Conversation c{conversation['index']:02d}</h2>")
        for turn in conversation["turns"]:
            parts.append(
                f"<p><b>Customer, message {turn['turn']}:</b></p>"
                f"<div class='m'>{html.escape(turn['text'])}</div>"
            )
            for row in by_turn.get((conversation["index"], turn["turn"]), []):
                parts.append(
                    f"<div class='s'><code>{row['item']}</code> {html.escape(row['text'])}</div>"
                )
        record = conversation["turns"][-1].get("record") if conversation["turns"] else None
        if record:
            parts.append(f"<p class='r'>{html.escape(record)}</p>")
        parts.append("</div>")
    (out / "sheet.html").write_text("\n".join(parts), encoding="utf-8")
    with (out / "grades.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "suggestion", "grade", "technique", "promise", "note"])
        for row in rows:
            writer.writerow([row["item"], row["text"], "", "", "", ""])
    with (out / "key.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["item", "template", "technique", "stage", "basis", "text"],
            extrasaction="ignore",
        )
        writer.writeheader()
        writer.writerows(rows)


def _technique(value: str) -> Optional[str]:
    from bot.labels import TECHNIQUES

    value = (value or "").strip()
    if value in TECHNIQUES:
        return value
    by_label = {label: key for key, label in TECHNIQUES.items()}
    return by_label.get(value)


def score(grades_path: Path, key_path: Path) -> Dict[str, Any]:
    """The table of issue 15 from a reviewer's grades and the key."""
    from bot.assist.claims import PRESUMING, PROMISES

    with key_path.open(encoding="utf-8") as handle:
        key = {row["item"]: row for row in csv.DictReader(handle)}
    with grades_path.open(encoding="utf-8-sig") as handle:
        graded = [row for row in csv.DictReader(handle) if row.get("item") in key]
    missing = [row["item"] for row in graded if row.get("grade", "").strip().upper() not in GRADES]
    if missing:
        raise SystemExit(f"{len(missing)} items have no grade A–D (first: {missing[0]})")

    def share(rows: Sequence[dict]) -> Tuple[float, int]:
        good = sum(1 for r in rows if r["grade"].strip().upper() in ("A", "B"))
        return (good / len(rows) if rows else 0.0), len(rows)

    by_technique: Dict[str, List[dict]] = {}
    for row in graded:
        by_technique.setdefault(key[row["item"]]["technique"], []).append(row)
    matched = sum(
        1 for r in graded if _technique(r.get("technique", "")) == key[r["item"]]["technique"]
    )
    texts = [key[r["item"]]["text"] for r in graded]
    supervisor = [p for p, needed in PRESUMING if needed == "supervisor_approved"]
    phrase_promises = sum(
        1 for t in texts if PROMISES.search(t) or any(p.search(t) for p in supervisor)
    )
    return {
        "items": len(graded),
        "as_is": sum(1 for r in graded if r["grade"].strip().upper() == "A"),
        "a_b": share(graded),
        "technique_match": matched / len(graded) if graded else 0.0,
        "paraphrase_confirm": share(by_technique.get("paraphrase_confirm", [])),
        "active_listening": share(by_technique.get("active_listening", [])),
        "by_technique": {t: share(rows) for t, rows in sorted(by_technique.items())},
        "distinct": (len(set(texts)), len(texts)),
        "promises_reviewer": sum(
            1 for r in graded if (r.get("promise") or "").strip().upper() == "Y"
        ),
        "promises_phrases": phrase_promises,
    }


def print_table(result: Mapping[str, Any]) -> None:
    a_b, n = result["a_b"]
    pc, pc_n = result["paraphrase_confirm"]
    al, al_n = result["active_listening"]
    distinct, total = result["distinct"]
    print("| | measured | target |")
    print("|---|---|---|")
    print(
        f"| send as-is or after a light edit (A+B) | {a_b:.0%} ({result['as_is']} of {n} as-is) | ≥ 70% |"
    )
    print(
        f"| the text really applies its labelled technique | {result['technique_match']:.0%} | ≥ 90% |"
    )
    print(
        f"| paraphrase_confirm / active_listening A+B | {pc:.0%} (n={pc_n}) / {al:.0%} (n={al_n}) | ≥ 60% |"
    )
    print(f"| distinct texts among the {total} | {distinct} ({distinct / total:.0%}) | ≥ 60% |")
    print(
        f"| promises an agent may not make | {result['promises_reviewer']} (reviewer), "
        f"{result['promises_phrases']} (phrase check) | 0 |"
    )
    print(
        "\nA+B by technique: "
        + ", ".join(f"{t} {s:.0%} (n={k})" for t, (s, k) in result["by_technique"].items())
    )


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40, help="conversations (default 40)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--model", type=Path, default=ROOT / "models/kefu.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "results/review")
    parser.add_argument("--score", type=Path, help="a graded grades.csv: print the table")
    parser.add_argument(
        "--key", type=Path, help="the sheet's key.csv (default: the one beside --score)"
    )
    args = parser.parse_args(argv)
    if args.score:
        key = args.key or args.score.parent / "key.csv"
        if not key.is_file():
            raise SystemExit(f"no key at {key}: name the sheet's key.csv with --key")
        print_table(score(args.score, key))
        return
    conversations = asyncio.run(_generate(args.n, args.seed, args.model))
    rows = _items(conversations, args.seed)
    _write_sheet(conversations, rows, args.out)
    texts = [row["text"] for row in rows]
    print(
        f"{len(conversations)} conversations, {len(rows)} suggestions "
        f"({len(set(texts))} distinct) → {args.out}/sheet.html, grades.csv (reviewer); "
        f"key.csv (not for the reviewer)"
    )


if __name__ == "__main__":
    main()
