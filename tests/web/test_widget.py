"""A third-party Rasa widget on another website: rasa-webchat 1.0.1 from npm, unchanged.

The shop's page is served from another origin (another port of 127.0.0.1, listed in
KEFU_CORS_ORIGINS by the `system` fixture) and talks to the Rasa server only through
Rasa's socket.io protocol. The customer writes; the agent answers through the REST assist
API with an edited suggestion and the widget shows exactly that text; the customer closes
the page, the agent answers again, and the reopened page shows that reply, once. Every
socket.io packet the widget receives is kept: none carries a suggestion.
"""

from __future__ import annotations

import json
import time
from typing import Any, List, Tuple

import pytest
from playwright.sync_api import Page, Request, expect

from tests.helpers.api import call
from tests.web.widget_site import rasa_webchat, serve_shop

pytestmark = pytest.mark.model

BOT_TEXTS = ".rw-response .rw-message-text"


@pytest.fixture(scope="module")
def shop(system):
    with serve_shop(system["shop"], system["base"], rasa_webchat()) as url:
        yield url


class Tap:
    """Every socket.io packet a page receives, over WebSocket or long-polling."""

    def __init__(self, page: Page) -> None:
        self.frames: List[str] = []
        self._polls: List[Request] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on(
            "requestfinished",
            lambda request: self._polls.append(request) if "/socket.io/" in request.url else None,
        )

    def _frame(self, payload: Any) -> None:
        self.frames.append(payload if isinstance(payload, str) else payload.decode())

    def drain(self) -> None:
        """Read the long-poll answers (before the page closes)."""
        for request in self._polls:
            response = request.response()
            if request.method == "GET" and response is not None and response.ok:
                self.frames.append(response.text())
        self._polls.clear()

    def events(self) -> List[Tuple[str, Any]]:
        found = []
        for payload in self.frames:
            for packet in payload.split("\x1e"):  # Engine.IO 4 batches packets with RS
                if packet.startswith("42"):  # a socket.io EVENT in the main namespace
                    name, *args = json.loads(packet[2:])
                    found.append((name, args[0] if args else None))
        return found


def open_shop(context, url: str, tap_into: list) -> Page:
    page = context.new_page()
    tap = Tap(page)
    tap_into.append(tap)
    page.goto(url)
    expect(page.locator(".rw-new-message")).to_be_editable(timeout=20_000)
    return page


def test_rasa_webchat_on_another_website_gets_the_exact_reply_and_what_came_while_away(
    system, shop, browser, screenshot
):
    assert not shop.startswith(system["base"])  # another origin: another port
    token = call(system, "POST", "/login", {"username": "agent1", "password": system["password"]})[
        1
    ]["token"]
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="zh-TW")
    # nothing leaves the machine (the widget's CSS asks Google for a font)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort()
        ),
    )
    taps: List[Tap] = []
    page = open_shop(context, shop, taps)
    page.fill(".rw-new-message", "我上週買的吹風機用兩天就壞了，真的很誇張")
    page.keyboard.press("Enter")
    cid = page.evaluate("() => JSON.parse(localStorage.getItem('chat_session')).session_id")

    deadline = time.monotonic() + 20
    status, detail = call(system, "GET", f"/conversations/{cid}", None, token)
    while not (status == 200 and (detail.get("assist") or {}).get("suggestions")):
        assert time.monotonic() < deadline, "the customer's message never reached the agent"
        time.sleep(0.2)
        status, detail = call(system, "GET", f"/conversations/{cid}", None, token)
    suggestions = detail["assist"]["suggestions"]
    assert len(suggestions) == 3
    assert call(system, "POST", f"/conversations/{cid}/claim", None, token)[0] == 200
    reply = suggestions[0]["text"] + "我這邊馬上幫您查訂單。"
    status, sent = call(
        system,
        "POST",
        "/reply",
        {"conversation_id": cid, "text": reply, "suggestion_id": suggestions[0]["id"]},
        token,
    )
    assert status == 200 and sent["relayed"] and sent["edited"]
    expect(page.locator(BOT_TEXTS)).to_have_text([reply], timeout=15_000)
    screenshot(page, "widget-other-origin")

    taps[-1].drain()
    page.close()  # the customer leaves; the browser closes the socket
    time.sleep(1.0)  # the server has seen it go (a closed WebSocket is noticed at once)
    away = "已經為您安排換一台新的吹風機，明天寄出，收到後舊的交給物流帶回就可以了。"
    status, sent = call(system, "POST", "/reply", {"conversation_id": cid, "text": away}, token)
    assert status == 200 and sent["relayed"]

    page = open_shop(context, shop, taps)  # the same browser comes back: stored session
    expect(page.locator(BOT_TEXTS)).to_have_text([reply, away], timeout=15_000)
    page.wait_for_timeout(1500)  # nothing else arrives: shown once
    expect(page.locator(BOT_TEXTS)).to_have_text([reply, away])
    expect(page.locator(".rw-client .rw-message-text")).to_have_text(
        ["我上週買的吹風機用兩天就壞了，真的很誇張"]
    )
    screenshot(page, "widget-reopened")
    taps[-1].drain()

    events = [event for tap in taps for event in tap.events()]
    assert {name for name, _ in events} <= {"session_confirm", "bot_uttered", "kefu_history"}
    uttered = [data for name, data in events if name == "bot_uttered"]
    assert uttered == [{"text": reply}, {"text": away}]  # each once, nothing but the text
    received = json.dumps(events, ensure_ascii=False) + page.inner_text("body")
    for other in suggestions[1:]:
        assert other["text"] not in received  # no suggestion ever reaches the customer
    for word in ('"suggestions"', '"technique"', '"assist"', '"options"'):
        assert word not in received
    context.close()
