"""Grounded suggestions in the agent console (real headless Chromium, the running system).

A customer writes a concrete complaint in the chat page, then asks how it will be
handled; the console's suggestions say the customer's own problem back (person changed,
我 → 您) and, on the question, every one of the three carries the next step rather than
asking again what the customer already said.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.pages import open_chat, open_console, say, select, session_of

pytestmark = pytest.mark.model

COMPLAINT = "我上週買的吹風機用兩天就壞了，害我出門前沒辦法吹頭髮"
QUESTION = "訂單編號 KF20261102001，你們打算怎麼處理？"


def test_the_console_shows_replies_grounded_in_what_the_customer_said(system, browser, screenshot):
    chat = open_chat(browser.new_context(viewport={"width": 390, "height": 780}), system["base"])
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-TW")
    console = open_console(context, system["base"], "agent1", system["password"])
    cid = session_of(chat)

    say(chat, COMPLAINT)
    select(console, cid)
    texts = console.locator(".suggestion p")
    expect(texts).to_have_count(3)
    first = texts.all_inner_texts()
    # the customer's problem in their words, said back to them (我 → 您), in every reply
    assert all("吹風機用兩天就壞了" in t and "我上週" not in t for t in first), first
    assert all("{" not in t and "}" not in t for t in first)
    # no order number yet: the replies ask for it
    assert any("訂單編號" in t for t in first)
    screenshot(console, "console-grounded-turn1")

    say(chat, QUESTION)
    expect(texts.first).not_to_have_text(first[0])
    expect(texts).to_have_count(3)
    second = texts.all_inner_texts()
    # the customer asked what happens next: every reply says it, none asks again
    assert all("接下來我會" in t for t in second), second
    assert not any("方便提供" in t or "請給我訂單編號" in t for t in second), second
    # the impact the customer told is said back too (害我 → 害您)
    assert any("害您出門前沒辦法吹頭髮" in t for t in second), second
    screenshot(console, "console-grounded-turn2")
    context.close()
