"""The two pages as a test sees them: a customer in the chat, an agent in the console."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page


def open_chat(context: BrowserContext, base: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/webhooks/live/chat")
    page.wait_for_selector("#input:not([disabled])")
    return page


def session_of(chat: Page) -> str:
    return chat.evaluate("() => localStorage.getItem('kefu.chat.session')")


def say(chat: Page, text: str) -> None:
    chat.fill("#input", text)
    chat.click("#send")


def open_console(context: BrowserContext, base: str, username: str, password: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/webhooks/live/console")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-button")
    page.wait_for_selector("#connection[data-state=online]")
    return page


def select(console: Page, cid: str, timeout: float = 10_000) -> None:
    item = console.locator(f'.queue-item[data-cid="{cid}"]')
    item.wait_for(timeout=timeout)
    item.click()
    console.wait_for_selector("#conversation:not([hidden])")


def customer_lines(console: Page) -> list:
    return console.locator(".line-customer .bubble").all_inner_texts()
