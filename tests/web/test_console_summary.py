"""The case summary in the agent console (real headless Chromium, the running system).

A conversation agent1 handles over the REST API; a supervisor opens it in the console,
sees the summary on top, takes it over and is shown the summary first; a new customer
turn updates it; what came from outside is shown as text.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.api import call, login, new_id, say
from tests.web.pages import open_console, select

pytestmark = pytest.mark.model

PROMISE = "<b>明天</b>會回電給您<img src=x onerror=alert(1)>"


def test_a_supervisor_taking_over_sees_the_summary_first(system, browser, screenshot):
    agent = login(system, "agent1")
    cid = new_id()
    say(system, agent, cid, "我上週買的吹風機用兩天就壞了，你們怎麼處理？")
    say(system, agent, cid, "訂單編號是 KF20261102001")
    status, _ = call(system, "POST", "/reply", {"conversation_id": cid, "text": PROMISE}, agent)
    assert status == 200

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-TW")
    dialogs: list = []
    console = open_console(context, system["base"], "super1", system["password"])
    console.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    select(console, cid)
    summary = console.locator("#summary")
    expect(summary).to_be_visible()
    lines = console.locator("#summary-lines li")
    expect(lines.first).to_contain_text("訂單 KF20261102001（吹風機）")
    expect(lines.nth(1)).to_contain_text("壞了")
    expect(console.locator("#summary .todo")).to_contain_text(PROMISE[:20])  # as text
    assert console.locator("#summary b, #summary img").count() == 0
    expect(console.locator("#summary-briefing")).to_be_hidden()
    # the summary is above the transcript
    box, transcript = summary.bounding_box(), console.locator("#transcript").bounding_box()
    assert box["y"] + box["height"] <= transcript["y"] + 1

    expect(console.locator("#claim")).to_have_text("改由我處理")
    console.click("#claim")
    expect(console.locator("#summary-briefing")).to_be_visible()
    expect(console.locator("#summary-briefing")).to_contain_text("請先看過案件摘要")
    expect(summary).to_be_focused()
    screenshot(console, "console-summary-takeover")

    # the next customer turn shows in the summary without reloading the page
    say(system, login(system, "super1"), cid, "那我要退貨退款")
    expect(console.locator("#summary-lines")).to_contain_text("訴求")
    assert dialogs == []
    context.close()
