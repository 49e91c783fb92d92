"""The staff pages as ES modules in a real headless Chromium: the console and the
supervisor pages load with no console error, and every label they show comes from the
server's GET /labels (bot/labels.py) — here the answer is changed on its way to the page,
and the page shows the changed words."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.web.pages import open_chat, open_console, say, select, session_of

pytestmark = pytest.mark.model

MARK = "（伺服器）"
CHANGED = ("techniques", "stages", "moods", "statuses", "outcomes", "complaint_types")


def watched(context: BrowserContext) -> list:
    """The page errors and console errors of every page of `context`; /labels answers with
    every label of CHANGED ending in MARK."""
    errors: list = []
    context.on("console", lambda m: m.type == "error" and errors.append(m.text))
    context.on("weberror", lambda e: errors.append(str(e.error)))

    def marked(route):
        response = route.fetch()
        tables = response.json()
        for name in CHANGED:
            tables[name] = {code: label + MARK for code, label in tables[name].items()}
        route.fulfill(response=response, json=tables)

    context.route("**/webhooks/assist/labels", marked)
    return errors


def test_the_console_loads_cleanly_and_shows_the_server_labels(system, browser):
    customer = browser.new_context(locale="zh-TW")
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-TW")
    errors = watched(context)
    console = open_console(context, system["base"], "agent1", system["password"])
    expect(console.locator("#library-technique option[value=empathy]")).to_have_text(
        "同理心" + MARK
    )
    expect(console.locator("#library-stage option[value=clarify]")).to_have_text("釐清問題" + MARK)
    expect(console.locator("#library-technique option").first).to_have_text("全部技巧")

    chat = open_chat(customer, system["base"])
    cid = session_of(chat)
    say(chat, "我上週買的吹風機用兩天就壞了，真的很誇張")
    select(console, cid)
    expect(console.locator(f'.queue-item[data-cid="{cid}"] .badge')).to_have_text("新進" + MARK)
    expect(console.locator(".line-customer .mood").first).to_contain_text(MARK)
    expect(console.locator("#conv-meta")).to_contain_text("新進" + MARK)
    assert errors == []
    customer.close()
    context.close()


def test_the_supervisor_pages_load_cleanly_and_show_the_server_labels(system, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-TW")
    errors = watched(context)
    page = context.new_page()
    page.goto(f"{system['base']}/webhooks/live/supervisor")
    page.fill("#username", "super1")
    page.fill("#password", system["password"])
    page.click("#login-button")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.get_by_role("tab", name="對話回顧").click()
    expect(page.locator("#review-outcome option[value=resolved]")).to_have_text("已解決" + MARK)
    expect(page.locator("#review-sentiment option[value=negative]")).to_have_text("負面" + MARK)
    expect(page.locator("#review-type option[value=complaint_defect]")).to_have_text(
        "服務或產品問題或瑕疵" + MARK
    )
    expect(page.locator("#review-outcome option").first).to_have_text("全部")
    page.get_by_role("tab", name="績效指標").click()
    expect(page.locator("#kpi-scope")).to_contain_text("全部客服")
    page.get_by_role("tab", name="品質評分").click()
    expect(page.locator("#qa-scope")).to_contain_text("全部客服")
    assert errors == []
    context.close()
