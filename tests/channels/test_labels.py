"""GET /webhooks/assist/labels serves every label table of bot/labels.py, and those tables
name every code the stores and logs send. In-process (tests/channels/inprocess.py): a real
Rasa app with our channels and a real Redis, no model."""

from __future__ import annotations

import aiohttp
import pytest

from bot import labels
from bot.labels import COMPLAINT_TYPES, SENTIMENT_NAMES, STAGES, TECHNIQUES
from bot.log.qa import BASES
from bot.store.conversations import RESOLUTIONS, STATUSES
from tests.channels.inprocess import serving

SOURCES = {
    "complaint_types": COMPLAINT_TYPES,
    "techniques": TECHNIQUES,
    "stages": STAGES,
    "moods": SENTIMENT_NAMES,
}


@pytest.fixture()
def environ(redis_server, tmp_path) -> dict:
    return {
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "KEFU_DATA_DIR": str(tmp_path),
    }


async def test_the_route_serves_every_table_without_a_login(environ):
    async with serving(environ) as server, aiohttp.ClientSession() as http:
        async with http.get(server["base"] + "/webhooks/assist/labels") as r:
            assert r.status == 200
            assert r.content_type == "application/json"
            served = await r.json()
    assert served == labels.label_tables()
    for name, source in SOURCES.items():
        assert served[name] == dict(source), name  # every key, with the Python label
    assert set(served) == {*SOURCES, *"statuses outcomes suggestion_uses qa_met qa_bases".split()}


def test_every_code_the_server_sends_has_a_label():
    tables = labels.label_tables()
    assert set(tables["statuses"]) == set(STATUSES)
    # a conversation's outcome is its resolution once closed, "open" before
    assert set(tables["outcomes"]) == {*RESOLUTIONS, "open"}
    assert set(tables["qa_bases"]) == set(BASES)
    assert set(tables["qa_met"]) == {"true", "false", "null"}
    assert set(tables["suggestion_uses"]) == {"used", "edited", "dismissed", "ignored"}
    for name, table in tables.items():
        assert all(isinstance(v, str) and v.strip() for v in table.values()), name
