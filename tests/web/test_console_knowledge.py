"""The console shows the articles for the customer's latest message and inserts one into
the composer; article text from the server is shown as text, never as markup."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from tests.web.pages import open_chat, open_console, say, select, session_of

pytestmark = pytest.mark.model


def test_an_article_for_the_question_is_shown_and_inserted(system, browser, screenshot):
    customer_ctx = browser.new_context(locale="zh-TW")
    agent_ctx = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-TW")
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent1", system["password"])
    cid = session_of(chat)

    say(chat, "網購不是有七天鑑賞期嗎？我拆開了還能退嗎")
    select(console, cid)
    article = console.locator("#knowledge .article").first
    expect(article).to_have_attribute("data-article-id", "cooling_off")
    expect(article.locator(".title")).to_have_text("網購七天鑑賞期／猶豫期")
    expect(article.locator(".source")).to_contain_text("消費者保護法第19條")
    expect(console.locator("#knowledge-empty")).to_be_hidden()
    text = article.locator("p").inner_text()
    assert "七天" in text

    expect(article.locator("button")).to_be_disabled()  # not the agent's conversation yet
    console.click("#claim")
    expect(article.locator("button")).to_be_enabled()
    console.fill("#reply", "您好，")
    article.locator("button", has_text="插入").click()
    expect(console.locator("#reply")).to_have_value("您好，" + text)
    expect(console.locator("#reply")).to_be_focused()
    screenshot(console, "console-knowledge")

    # small talk: no article, and the card says so
    say(chat, "好的，謝謝你")
    expect(console.locator("#knowledge .article")).to_have_count(0)
    expect(console.locator("#knowledge-empty")).to_be_visible()
    customer_ctx.close()
    agent_ctx.close()


HOSTILE = {
    "id": "x",
    "title": "<img src=x onerror=alert(1)>",
    "text": "<script>alert(2)</script><b>粗體</b>",
    "source": "<a href=javascript:alert(3)>法</a>",
    "score": 9.9,
}


def test_article_text_is_shown_as_text(system, browser, screenshot):
    # CSP off, so that only the escaping stands between the text and a running script;
    # the server's answer is rewritten on its way to the page to carry hostile articles
    customer_ctx = browser.new_context()
    agent_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent1", system["password"])
    dialogs: list = []
    console.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    cid = session_of(chat)

    def hostile(route):
        response = route.fetch()
        body = response.json()
        if body.get("assist"):
            body["assist"]["knowledge"] = [HOSTILE]
        route.fulfill(response=response, body=json.dumps(body))

    console.route(f"**/webhooks/assist/conversations/{cid}*", hostile)
    say(chat, "請問發票可以打統編嗎？")
    select(console, cid)
    article = console.locator("#knowledge .article")
    expect(article.locator(".title")).to_have_text(HOSTILE["title"])
    expect(article.locator("p")).to_have_text(HOSTILE["text"])
    expect(article.locator(".source")).to_have_text("依據：" + HOSTILE["source"])
    assert (
        console.locator("#knowledge img, #knowledge script, #knowledge b, #knowledge a").count()
        == 0
    )
    time.sleep(0.5)
    assert dialogs == []
    screenshot(console, "console-knowledge-xss")
    customer_ctx.close()
    agent_ctx.close()
