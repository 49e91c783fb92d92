"""The reply library in the console: "/" in the empty composer opens the search, the
keyboard or a click puts a result (filled with this conversation's details) into the
composer in place of the "/", Esc closes; the texts from the server are shown as text."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from tests.web.pages import open_chat, open_console, say, select, session_of

pytestmark = pytest.mark.model

ORDER = "KF20261102001"


def test_slash_searches_the_library_and_inserts_the_chosen_reply(system, browser, screenshot):
    customer_ctx = browser.new_context(locale="zh-TW")
    agent_ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-TW")
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent1", system["password"])
    cid = session_of(chat)
    say(chat, f"我上週買的吹風機用兩天就壞了，訂單編號 {ORDER}")
    select(console, cid)
    reply, box, query = (
        console.locator("#reply"),
        console.locator("#library"),
        console.locator("#library-q"),
    )
    items = console.locator("#library-results .library-item")

    def searched():  # the newest search has answered
        expect(console.locator("#library-results")).to_have_attribute("aria-busy", "false")

    console.click("#claim")
    expect(reply).to_be_enabled()
    reply.focus()
    console.keyboard.type("您好/")
    expect(box).to_be_hidden()  # only in the EMPTY composer
    reply.fill("")

    console.keyboard.type("/")
    expect(box).to_be_visible()
    expect(query).to_be_focused()
    expect(items.first).to_be_visible()  # an empty search lists the library
    expect(console.locator("#library-status")).to_contain_text("筆")

    # words and a technique: the templates that ask for the order, filled with this one
    console.keyboard.type("訂單編號")
    console.select_option("#library-technique", "clarifying_question")
    searched()
    filled = items.filter(has_text=ORDER).first
    expect(filled).to_be_visible()
    expect(items).not_to_have_count(0)
    for kind in items.evaluate_all("nodes => nodes.map(n => n.dataset.kind)"):
        assert kind == "template"
    labels = items.locator(".library-label").all_inner_texts()
    assert all(label.startswith("提問釐清") for label in labels)
    assert "{" not in " ".join(items.locator(".library-text").all_inner_texts())
    screenshot(console, "console-library")

    # ↓ then Enter: the second result replaces the "/"
    query.focus()
    expect(items.nth(0)).to_have_attribute("aria-selected", "true")
    console.keyboard.press("ArrowDown")
    expect(items.nth(1)).to_have_class("library-item active")
    second = items.nth(1).locator(".library-text").inner_text()
    console.keyboard.press("Enter")
    expect(box).to_be_hidden()
    expect(reply).to_have_value(second)
    expect(reply).to_be_focused()
    expect(chat.locator(".msg-agent")).to_have_count(0)  # Enter in the search sends nothing

    # Esc closes and leaves the composer as it was
    reply.fill("")
    console.keyboard.type("/")
    expect(box).to_be_visible()
    console.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(reply).to_have_value("/")
    expect(reply).to_be_focused()

    # a click chooses too; the article kind is there for a policy question
    reply.fill("")
    console.keyboard.type("/")
    console.keyboard.type("退款多久")
    searched()
    article = items.filter(has=console.locator(".library-label", has_text="規定")).first
    expect(article).to_be_visible()
    text = article.locator(".library-text").inner_text()
    article.click()
    expect(reply).to_have_value(text)
    console.keyboard.press("Enter")
    expect(chat.locator(".msg-agent .bubble")).to_have_text([text])
    expect(reply).to_have_value("")  # the console has its answer: the composer is free

    # the agent's own snippet: saved from the composer, found first, filled, deleted
    reply.fill("{customer}您好，我們週末也會出貨喔")
    console.click("#save-snippet")
    expect(console.locator("#toast")).to_contain_text("已存為常用回覆")
    reply.fill("")
    reply.focus()
    console.keyboard.type("/")
    console.keyboard.type("週末出貨")
    searched()
    first = items.first
    expect(first).to_have_attribute("data-kind", "snippet")
    expect(first.locator(".library-label")).to_have_text("我的常用回覆")
    expect(first.locator(".library-text")).to_contain_text("您好，我們週末也會出貨喔")
    assert "{" not in first.locator(".library-text").inner_text()
    assert "〔" not in first.locator(".library-text").inner_text()  # the customer is known
    screenshot(console, "console-library-snippet")
    first.get_by_role("button", name="刪除").click()
    expect(console.locator('#library-results .library-item[data-kind="snippet"]')).to_have_count(0)
    expect(query).to_be_focused()
    customer_ctx.close()
    agent_ctx.close()


HOSTILE = {
    "id": "x",
    "kind": "knowledge",
    "technique": "clear_explanation",
    "technique_label": "清楚說明",
    "stage": None,
    "stage_label": None,
    "title": "<img src=x onerror=alert(1)>",
    "text": "<script>alert(2)</script><b>粗體</b>",
    "missing": [],
    "score": 1.0,
}


def test_library_texts_are_shown_as_text(system, browser, screenshot):
    customer_ctx = browser.new_context()
    agent_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent1", system["password"])
    dialogs: list = []
    console.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    cid = session_of(chat)
    console.route(
        "**/webhooks/assist/replies*",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"results": [HOSTILE]})
        ),
    )
    say(chat, "請問發票可以打統編嗎？")
    select(console, cid)
    console.click("#claim")
    expect(console.locator("#reply")).to_be_enabled()
    console.locator("#reply").focus()
    console.keyboard.type("/")
    item = console.locator("#library-results .library-item")
    expect(item.locator(".library-text")).to_have_text(HOSTILE["text"])
    expect(item.locator(".library-label")).to_have_text("規定・" + HOSTILE["title"])
    assert console.locator("#library img, #library script, #library b").count() == 0
    console.keyboard.press("Enter")
    expect(console.locator("#reply")).to_have_value(HOSTILE["text"])
    time.sleep(0.5)
    assert dialogs == []
    screenshot(console, "console-library-xss")
    customer_ctx.close()
    agent_ctx.close()
