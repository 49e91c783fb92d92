"""The blind review's sheet and score: no model needed (a stand-in parser)."""

from __future__ import annotations

import asyncio
import csv

import bench.suggestion_review as review


class _Parser:
    """Reads the first message as a confident defect complaint, the second as an order."""

    async def parse_message(self, text):
        if text == review.SECOND:
            return {
                "text": text,
                "intent": {"name": "inform_order", "confidence": 0.9},
                "entities": [{"entity": "order_id", "value": review.ORDER_ID}],
                "sentiment": {"label": "neutral", "score": -0.1},
            }
        return {
            "text": text,
            "intent": {"name": "complaint_defect", "confidence": 0.8},
            "entities": [],
            "sentiment": {"label": "negative", "score": -0.6},
            "complaint": {"is_complaint": True, "type": "complaint_defect", "uncertain": False},
        }


def _conversations(n=3):
    resources = review._resources()
    messages = review._complaints(n, 15)
    return [
        {
            "index": i,
            "business": m.get("business"),
            "turns": asyncio.run(review._conversation(_Parser(), resources, i, m)),
        }
        for i, m in enumerate(messages, start=1)
    ]


def test_the_stage_is_the_turn_actions_stage(monkeypatch):
    """The bench has no stage table of its own: it asks bot.assist.stages.next_stage."""
    import bot.assist.stages as stages

    assert not hasattr(review, "_stage") and not hasattr(review, "AFTER")
    calls = []

    def spy(intent, **kwargs):
        calls.append((intent, kwargs["previous"]))
        return "refer"

    monkeypatch.setattr(stages, "next_stage", spy)
    turns = _conversations(1)[0]["turns"]
    assert [t["stage"] for t in turns] == ["refer", "refer"]
    assert calls == [("complaint_defect", "start"), ("inform_order", "refer")]


def test_the_sheet_hides_the_technique_and_the_key_has_it(tmp_path):
    conversations = _conversations()
    rows = review._items(conversations, 15)
    assert len(rows) == 3 * 2 * 3
    review._write_sheet(conversations, rows, tmp_path)
    sheet = (tmp_path / "sheet.html").read_text(encoding="utf-8")
    assert review.SECOND in sheet and "c01-t2-a" in sheet
    assert 'paraphrase_confirm"' not in sheet and "grounded." not in sheet
    with (tmp_path / "grades.csv").open(encoding="utf-8-sig") as handle:
        graded = list(csv.DictReader(handle))
    assert set(graded[0]) == {"item", "suggestion", "grade", "technique", "promise", "note"}
    assert all(not row["grade"] and not row["technique"] for row in graded)
    # turn 2 asks how it will be handled: its first suggestion (before shuffling) answers
    second = conversations[0]["turns"][1]
    assert second["suggestions"][0]["id"].startswith("answers.how.")


def test_the_score_is_the_table_of_the_issue(tmp_path, capsys):
    conversations = _conversations(2)
    rows = review._items(conversations, 15)
    review._write_sheet(conversations, rows, tmp_path)
    key = {row["item"]: row for row in rows}
    with (tmp_path / "graded.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "suggestion", "grade", "technique", "promise", "note"])
        for i, (item, row) in enumerate(key.items()):
            technique = row["technique"] if i % 2 == 0 else "empathy"
            writer.writerow([item, row["text"], "A" if i % 3 else "D", technique, "", ""])
    result = review.score(tmp_path / "graded.csv", tmp_path / "key.csv")
    assert result["items"] == len(rows)
    assert 0 < result["a_b"][0] < 1 and result["promises_reviewer"] == 0
    assert result["distinct"][1] == len(rows)
    review.print_table(result)
    assert "A+B" in capsys.readouterr().out


def test_the_score_reads_the_key_beside_the_grades(tmp_path, capsys):
    """--score must not pair a sheet's grades with another sheet's key (the default --out)."""
    conversations = _conversations(1)
    rows = review._items(conversations, 15)
    sheet = tmp_path / "elsewhere"
    review._write_sheet(conversations, rows, sheet)
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "key.csv").write_text("item,template,technique,stage,basis,text\n", "utf-8")
    with (sheet / "grades.csv").open(encoding="utf-8-sig") as handle:
        graded = list(csv.DictReader(handle))
    with (sheet / "grades.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(graded[0]))
        writer.writeheader()
        writer.writerows({**row, "grade": "B"} for row in graded)
    review.main(["--score", str(sheet / "grades.csv"), "--out", str(stale)])
    assert f"| send as-is or after a light edit (A+B) | 100% (0 of {len(rows)} as-is)" in (
        capsys.readouterr().out
    )


def test_the_sheet_shows_the_order_record_under_each_conversation(tmp_path):
    conversations = _conversations(2)
    review._write_sheet(conversations, review._items(conversations, 15), tmp_path)
    sheet = (tmp_path / "sheet.html").read_text(encoding="utf-8")
    line = "訂單紀錄：顧客 王先生，商品 "
    assert sheet.count(line) == len(conversations)
    # under the conversation: after its last message, before the next conversation
    first, second = sheet.split("Conversation c02")
    assert line in first and line in second
