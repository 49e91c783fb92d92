"""The disk spool: order, fsynced appends, replays cut short, quarantine, two replayers."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from bot.store import spool as spool_module
from bot.store.spool import Spool


def records(*numbers: int) -> list:
    return [{"id": f"r{n}", "n": n} for n in numbers]


class Taker:
    """A ``take`` that remembers what it got, and can fail once at a given record."""

    def __init__(self, fail_at: int = -1, delay: float = 0.0) -> None:
        self.got: list = []
        self.fail_at = fail_at
        self.delay = delay

    async def __call__(self, record: dict) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if record["n"] == self.fail_at:
            self.fail_at = -1
            raise ConnectionError("still away")
        self.got.append(record["n"])


async def test_records_are_replayed_in_order_and_the_file_then_removed(tmp_path):
    spool = Spool(tmp_path, "things")
    spool.append(records(0, 1))
    spool.append(records(2))
    assert spool.pending() and [r["n"] for r in spool.records()] == [0, 1, 2]
    take = Taker()
    result = await spool.replay(take)
    assert take.got == [0, 1, 2] and result.taken == 3 and not result.busy
    assert not spool.pending() and not spool.own_file.exists()
    assert (await spool.replay(take)).taken == 0 and take.got == [0, 1, 2]


async def test_an_append_is_fsynced_before_it_returns(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(spool_module.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    spool = Spool(tmp_path, "things")
    spool.append(records(0))
    assert len(synced) == 2  # the file, then (new) the directory holding its name
    spool.append(records(1))
    assert len(synced) == 3  # an existing file: the file only
    assert [json.loads(line)["n"] for line in spool.own_file.read_text().splitlines()] == [0, 1]
    await spool.replay(Taker())
    assert len(synced) == 5  # each record's mark too, before the next record is taken
    quick = Spool(tmp_path, "quick", sync_marks=False)  # idempotent deliveries
    quick.append(records(0, 1))
    await quick.replay(Taker())
    assert len(synced) == 7  # the new file and its directory; no mark


async def test_files_are_replayed_oldest_first(tmp_path):
    spool = Spool(tmp_path, "things")
    older, newer = tmp_path / "things-111.jsonl", tmp_path / "things-222.jsonl"
    older.write_text("".join(json.dumps(r) + "\n" for r in records(0, 1)))
    newer.write_text("".join(json.dumps(r) + "\n" for r in records(2)))
    os.utime(older, (1000, 1000))
    os.utime(newer, (2000, 2000))
    take = Taker()
    await spool.replay(take)
    assert take.got == [0, 1, 2] and not older.exists() and not newer.exists()


async def test_a_replay_cut_short_resumes_where_it_stopped_and_keeps_file_order(tmp_path):
    spool = Spool(tmp_path, "things")
    older, newer = tmp_path / "things-111.jsonl", tmp_path / "things-222.jsonl"
    older.write_text("".join(json.dumps(r) + "\n" for r in records(0, 1, 2)))
    newer.write_text("".join(json.dumps(r) + "\n" for r in records(3)))
    os.utime(older, (1000, 1000))
    os.utime(newer, (2000, 2000))
    take = Taker(fail_at=1)
    with pytest.raises(ConnectionError):
        await spool.replay(take)  # as a crash would: record 1 was never taken
    assert take.got == [0] and older.stat().st_mtime == 1000  # the marks keep its time
    again = Taker()  # a new process: nothing but the files
    assert (await Spool(tmp_path, "things").replay(again)).taken == 3
    assert again.got == [1, 2, 3]


async def test_records_appended_during_a_replay_are_taken_by_it(tmp_path):
    spool = Spool(tmp_path, "things")
    spool.append(records(0))
    got = []

    async def take(record: dict) -> None:
        got.append(record["n"])
        if record["n"] == 0:
            spool.append(records(1))  # a turn deferred while the catch-up runs

    assert (await spool.replay(take)).taken == 2
    assert got == [0, 1] and not spool.pending()


async def test_an_unreadable_line_is_quarantined_with_its_reason(tmp_path):
    def check(record: dict) -> None:
        if "id" not in record:
            raise ValueError("no id")

    spool = Spool(tmp_path, "things", check=check)
    orphan = tmp_path / "things-999999.jsonl"
    orphan.write_text(
        json.dumps({"id": "a", "n": 0}) + "\nnot json\n[1]\n" + json.dumps({"n": 9}) + "\n"
    )
    take = Taker()
    result = await spool.replay(take)
    assert take.got == [0] and result.taken == 1 and result.quarantined == 3
    assert not orphan.exists()
    kept = [json.loads(line) for line in spool.quarantine_file.read_text().splitlines()]
    assert [k["line"] for k in kept] == ["not json", "[1]", json.dumps({"n": 9})]
    assert all(k["file"] == orphan.name and k["reason"] for k in kept)
    assert kept[2]["reason"] == "no id"


async def test_a_torn_last_line_is_quarantined_and_the_next_append_kept_apart(tmp_path):
    spool = Spool(tmp_path, "things")
    spool.own_file.write_text(json.dumps({"id": "a", "n": 0}) + '\n{"id": "b", "n"')
    spool.append(records(1))
    take = Taker()
    assert (await spool.replay(take)).quarantined == 1
    assert take.got == [0, 1]


async def test_two_replayers_deliver_each_record_once(tmp_path):
    Spool(tmp_path, "things").append(records(*range(6)))
    first, second = Spool(tmp_path, "things"), Spool(tmp_path, "things")  # two processes
    take = Taker(delay=0.01)
    one, two = await asyncio.gather(first.replay(take), second.replay(take))
    assert sorted(take.got) == take.got == list(range(6))
    assert {one.busy, two.busy} == {True, False}
    same = Spool(tmp_path, "things")  # two tasks of one process wait for each other
    same.append(records(6, 7))
    other = Taker(delay=0.01)
    results = await asyncio.gather(same.replay(other), same.replay(other))
    assert other.got == [6, 7] and sorted(r.taken for r in results) == [0, 2]


async def test_files_written_before_the_spool_module_are_replayed(tmp_path):
    """The outcome log and the deferred turns wrote plain JSON lines, one file per
    process, under the same names: such a file left by the old code is read as is."""
    old_outcomes = tmp_path / "outcomes-4242.jsonl"
    old_outcomes.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(0, 1))
    )
    old_turns = tmp_path / "turns-4242.jsonl"
    old_turns.write_text(
        json.dumps({"id": "t", "kind": "customer", "cid": "c", "text": "您好", "n": 5}) + "\n"
    )
    outcomes, turns = Taker(), Taker()
    assert (await Spool(tmp_path, "outcomes").replay(outcomes)).taken == 2
    assert (await Spool(tmp_path, "turns").replay(turns)).taken == 1
    assert outcomes.got == [0, 1] and turns.got == [5]
    assert not old_outcomes.exists() and not old_turns.exists()
