"""The customer chat and the agent console in a real headless Chromium, against the running system.

A whole complaint: the customer writes, the console shows the analysis and three
suggestions within 2 seconds, the agent edits one and sends it, the customer sees exactly
that text and never a suggestion, the agent offers compensation within authority and asks
approval for one beyond it, closes, and the customer rates. Then what the pages show of
hostile text, and reconnects that must not lose a message.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.helpers.api import call
from tests.web.pages import customer_lines, open_chat, open_console, say, select, session_of

pytestmark = pytest.mark.model


def login(system, user: str) -> str:
    return call(system, "POST", "/login", {"username": user, "password": system["password"]})[1][
        "token"
    ]


def test_a_complaint_from_first_message_to_rating(system, browser, screenshot):
    customer_ctx = browser.new_context(viewport={"width": 390, "height": 780}, locale="zh-TW")
    agent_ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-TW")
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent1", system["password"])
    cid = session_of(chat)

    started = time.monotonic()
    say(chat, "我上週買的吹風機用兩天就壞了，真的很誇張")
    select(console, cid)
    expect(console.locator(".suggestion")).to_have_count(3)
    expect(console.locator("#complaint")).to_have_text("服務或產品問題或瑕疵")
    expect(console.locator("#sentiment")).to_contain_text("負面")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"the console showed the assist {elapsed:.2f} s after the message"
    techniques = console.locator(".suggestion .technique").all_inner_texts()
    assert len(set(techniques)) == 3 and set(techniques) <= {
        "清楚說明",
        "主動聆聽",
        "提問釐清",
        "同理心",
        "換句話確認",
        "因人調整",
    }
    suggestion_texts = console.locator(".suggestion p").all_inner_texts()

    console.click("#claim")
    expect(console.locator("#reply")).to_be_enabled()
    # Tab in the empty composer brings in the first suggestion, Tab again the second
    console.focus("#reply")
    console.keyboard.press("Tab")
    expect(console.locator("#reply")).to_have_value(suggestion_texts[0])
    console.keyboard.press("Tab")
    expect(console.locator("#reply")).to_have_value(suggestion_texts[1])
    # 1–3 outside the composer pick a suggestion
    console.locator("#conv-title").click()
    console.keyboard.press("1")
    expect(console.locator("#reply")).to_have_value(suggestion_texts[0])
    expect(console.locator("#composer-source")).to_contain_text("可直接送出或修改")
    console.keyboard.type("我這邊馬上幫您查。")
    expect(console.locator("#composer-source")).to_contain_text("已修改")
    edited = suggestion_texts[0] + "我這邊馬上幫您查。"
    screenshot(console, "console-suggestions")
    console.keyboard.press("Enter")

    expect(chat.locator(".msg-agent .bubble")).to_have_text([edited])
    chat_text = chat.locator("#messages").inner_text()
    for other in suggestion_texts[1:]:
        assert other not in chat_text  # the suggestions never reach the customer
    expect(console.locator(".line-agent .info")).to_contain_text(["建議（已修改）"])

    say(chat, "訂單編號 KF20261102001")
    expect(console.locator(".line-customer")).to_have_count(2)
    say(chat, "我明天出國就要用，現在很困擾")
    expect(console.locator(".line-customer")).to_have_count(3)
    expect(console.locator(".option").first).to_be_visible()
    within = console.locator(".option", has=console.locator(".mark.ok")).first
    beyond = console.locator(".option", has=console.locator(".mark.approval")).first
    expect(beyond.locator(".reason")).to_contain_text("超出")
    within_id = within.get_attribute("data-option-id")
    beyond_id = beyond.get_attribute("data-option-id")
    within.get_by_role("button", name="提供給顧客").click()
    expect(console.locator(f'.option[data-option-id="{within_id}"] .state')).to_have_text(
        "已提供給顧客"
    )
    expect(console.locator("#reply")).to_have_value(re.compile("為了表達我們的歉意"))
    console.locator(f'.option[data-option-id="{beyond_id}"]').get_by_role(
        "button", name="申請核准"
    ).click()
    expect(console.locator(f'.option[data-option-id="{beyond_id}"] .state')).to_have_text(
        "已送出核准申請，等待主管決定"
    )
    console.locator("#send").click()  # the offer sentence goes to the customer
    expect(chat.locator(".msg-agent")).to_have_count(2)
    screenshot(console, "console-compensation", full_page=True)

    agent_token = login(system, "agent1")
    _, detail = call(system, "GET", f"/conversations/{cid}", None, agent_token)
    assert [g["option_id"] for g in detail["granted"]] == [within_id]
    pending = call(system, "GET", "/approvals?status=pending", None, login(system, "super1"))[1]
    assert any(
        a["conversation_id"] == cid and a["option_id"] == beyond_id for a in pending["approvals"]
    )

    console.click("#close")
    console.check('input[name="resolution"][value="resolved"]')
    expect(console.locator("#close-granted")).to_contain_text(detail["granted"][0]["label"])
    console.click("#close-confirm")
    expect(console.locator("#conv-meta")).to_contain_text("已結案")
    expect(chat.locator("#rating")).to_be_visible()
    screenshot(chat, "chat-rating")
    chat.get_by_role("button", name="★ 5 分").click()
    expect(chat.locator(".msg-agent .bubble").last).to_have_text("謝謝您的評分，我們會繼續努力！")
    expect(console.locator("#conv-meta")).to_contain_text("顧客評分 5 分")
    screenshot(chat, "chat-rated")
    screenshot(console, "console-closed")
    customer_ctx.close()
    agent_ctx.close()


XSS = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>真的很誇張"]


def test_hostile_text_is_shown_as_text_on_both_pages(system, browser, screenshot):
    # CSP off in these pages, so that only the escaping itself stands between the
    # text and a running script
    customer_ctx = browser.new_context(bypass_csp=True)
    agent_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    dialogs: list = []
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent1", system["password"])
    for page in (chat, console):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    cid = session_of(chat)
    for text in XSS:
        say(chat, text)
    select(console, cid)
    expect(console.locator(".line-customer .bubble")).to_have_text(XSS)
    expect(console.locator(".queue-item .preview").first).to_have_text(XSS[-1])
    console.click("#claim")
    hostile_reply = "<b>粗體</b><img src=y onerror=alert(3)>"
    console.fill("#reply", hostile_reply)
    console.click("#send")
    expect(chat.locator(".msg-agent .bubble")).to_have_text([hostile_reply])
    expect(chat.locator(".msg-customer .bubble")).to_have_text(XSS)
    for page, area in ((chat, "#messages"), (console, "#transcript")):
        assert page.locator(f"{area} img, {area} script, {area} b").count() == 0
    time.sleep(0.5)
    assert dialogs == []
    screenshot(console, "console-xss")
    customer_ctx.close()
    agent_ctx.close()


def test_pages_carry_a_script_policy_that_forbids_inline_script(system):
    import urllib.request

    for path in ("chat", "console", "static/console.js"):
        with urllib.request.urlopen(f"{system['base']}/webhooks/live/{path}", timeout=10) as r:
            policy = r.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy
            assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_dropped_connections_lose_no_message(system, browser):
    customer_ctx = browser.new_context()
    agent_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    chat = open_chat(customer_ctx, system["base"])
    console = open_console(agent_ctx, system["base"], "agent2", system["password"])
    cid = session_of(chat)
    say(chat, "你們的客服說會退款，結果什麼都沒有")
    select(console, cid)
    console.click("#claim")
    expect(console.locator("#reply")).to_be_enabled()

    # the customer's network drops; the agent answers twice meanwhile
    customer_ctx.set_offline(True)
    expect(chat.locator("#status")).to_have_attribute("data-state", "offline")
    for text in ("很抱歉讓您久等了。", "我查到退款昨天已經送出。"):
        console.fill("#reply", text)
        console.click("#send")
        expect(console.locator(".line-agent .bubble").last).to_have_text(text)
    customer_ctx.set_offline(False)
    expect(chat.locator(".msg-agent .bubble")).to_have_text(
        ["很抱歉讓您久等了。", "我查到退款昨天已經送出。"]
    )

    # the agent's network drops; the customer writes meanwhile
    agent_ctx.set_offline(True)
    expect(console.locator("#connection")).to_have_attribute("data-state", "offline")
    say(chat, "好，那我再等等看")
    expect(chat.locator(".msg-customer")).to_have_count(2)
    token = login(system, "agent2")
    deadline = time.monotonic() + 10
    while len(call(system, "GET", f"/conversations/{cid}", None, token)[1]["messages"]) < 4:
        assert time.monotonic() < deadline, "the customer's message was not recorded"
        time.sleep(0.2)
    agent_ctx.set_offline(False)
    expect(console.locator("#connection")).to_have_attribute("data-state", "online")
    expect(console.locator(".line-customer .bubble")).to_have_text(
        ["你們的客服說會退款，結果什麼都沒有", "好，那我再等等看"]
    )

    # a reload keeps the conversation on both sides
    chat.reload()
    expect(chat.locator(".msg-customer, .msg-agent")).to_have_count(4)
    console.reload()
    select(console, cid)
    assert customer_lines(console) == ["你們的客服說會退款，結果什麼都沒有", "好，那我再等等看"]
    customer_ctx.close()
    agent_ctx.close()


def test_an_agent_only_sees_and_acts_on_their_own_conversations(system, browser):
    customer_ctx = browser.new_context()
    chat = open_chat(customer_ctx, system["base"])
    cid = session_of(chat)
    say(chat, "我買的外套尺寸跟網頁寫的完全不一樣")
    first = open_console(browser.new_context(), system["base"], "agent1", system["password"])
    select(first, cid)
    first.click("#claim")
    expect(first.locator("#reply")).to_be_enabled()
    other = open_console(browser.new_context(), system["base"], "agent2", system["password"])
    time.sleep(0.5)
    assert other.locator(f'.queue-item[data-cid="{cid}"]').count() == 0
    status, _ = call(
        system,
        "POST",
        "/reply",
        {"conversation_id": cid, "text": "我來接"},
        login(system, "agent2"),
    )
    assert status == 403
    customer_ctx.close()
