"""The supervisor pages in a real headless Chromium, against the running system.

The data comes first, through the REST API as an agent would make it: a closed complaint
with an edited reply, a dismissed suggestion and a grant within authority; an open one
with two options beyond agent1's authority waiting for approval; and a live-chat customer
who rates the service. Then the
pages: the live monitor and the approval queue, the review with corrections and
suggestion ratings, the KPIs against `GET /kpis`, what an agent may see, and hostile text.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.helpers.api import call
from tests.web.pages import open_chat, say, session_of

pytestmark = pytest.mark.model

COMPLAINT = "我上週買的吹風機用兩天就壞了，真的很誇張"
HOSTILE = "<img src=x onerror=alert(1)>"
TAIWAN = dt.timezone(dt.timedelta(hours=8))
WIDE = {"width": 1440, "height": 900}


def login(system, user: str) -> str:
    status, body = call(
        system, "POST", "/login", {"username": user, "password": system["password"]}
    )
    assert status == 200, body
    return body["token"]


def ok(system, method: str, path: str, body=None, token=None) -> dict:
    status, answer = call(system, method, path, body, token)
    assert status == 200, (path, answer)
    return answer


def customer_says(system, token: str, cid: str, text: str) -> dict:
    return ok(system, "POST", "/webhook", {"sender": cid, "message": text}, token)


def open_supervisor(context: BrowserContext, system, user: str) -> Page:
    page = context.new_page()
    page.goto(f"{system['base']}/webhooks/live/supervisor")
    page.fill("#username", user)
    page.fill("#password", system["password"])
    page.click("#login-button")
    expect(page.locator("#app")).to_be_visible()
    return page


def tab(page: Page, name: str):
    return page.get_by_role("tab", name=name)


@pytest.fixture(scope="module")
def tokens(system):
    return {user: login(system, user) for user in ("agent1", "super1")}


def complaint(system, token: str, cid: str) -> dict:
    """The broken hair dryer, in three messages; the options of the last two turns."""
    first = customer_says(system, token, cid, COMPLAINT)
    second = customer_says(system, token, cid, "訂單編號 KF20261102001")
    third = customer_says(system, token, cid, "我明天出國就要用，現在很困擾")
    return {
        "first": first,
        "options": {o["id"]: o for o in second["compensation"] + third["compensation"]},
    }


def grant(system, token: str, cid: str, option: dict) -> tuple:
    body = {"conversation_id": cid, "option_id": option["id"], "idempotency_key": uuid.uuid4().hex}
    return call(system, "POST", "/compensation/grant", body, token)


@pytest.fixture(scope="module")
def story(system, tokens):
    """agent1's closed complaint: an edited reply, a dismissed suggestion and a grant."""
    agent = tokens["agent1"]
    cid = "sv-" + uuid.uuid4().hex[:10]
    turns = complaint(system, agent, cid)
    within = next(o for o in turns["options"].values() if o["within_authority"])
    used, dismissed = turns["first"]["suggestions"][0], turns["first"]["suggestions"][1]
    reply = {
        "conversation_id": cid,
        "text": used["text"] + "我這邊馬上幫您查。",
        "suggestion_id": used["id"],
    }
    assert ok(system, "POST", "/reply", reply, agent)["edited"] is True
    outcome = {"conversation_id": cid, "suggestion_id": dismissed["id"], "action": "dismissed"}
    ok(system, "POST", "/outcome", outcome, agent)
    assert grant(system, agent, cid, within)[0] == 200
    ok(system, "POST", f"/conversations/{cid}/close", {"resolution": "resolved"}, agent)
    return {"cid": cid, "used": used["id"], "dismissed": dismissed["id"]}


@pytest.fixture(scope="module")
def pending(system, tokens):
    """agent1's open complaint with two options beyond agent1's authority sent for approval."""
    agent = tokens["agent1"]
    cid = "sv-p-" + uuid.uuid4().hex[:8]
    turns = complaint(system, agent, cid)
    beyond = [
        o
        for o in turns["options"].values()
        if not o["within_authority"] and o["approver"] == "supervisor"
    ]
    assert len(beyond) >= 2, turns["options"]
    approvals = []
    for option in beyond[:2]:
        status, refused = grant(system, agent, cid, option)
        assert status == 403 and refused["approval_id"], refused
        approvals.append({**option, "id": refused["approval_id"]})
    return {"cid": cid, "approvals": approvals}


@pytest.fixture(scope="module")
def rated(system, browser, tokens):
    """A live-chat customer whom agent1 helps and who rates the service 5."""
    context = browser.new_context()
    chat = open_chat(context, system["base"])
    cid = session_of(chat)
    say(chat, "你們寄來的杯子是破的")
    deadline = time.monotonic() + 10
    while call(system, "GET", f"/conversations/{cid}", None, tokens["agent1"])[0] != 200:
        assert time.monotonic() < deadline, "the live message was not recorded"
        time.sleep(0.2)
    ok(system, "POST", f"/conversations/{cid}/claim", None, tokens["agent1"])
    reply = {"conversation_id": cid, "text": "很抱歉，我們馬上補寄一個新的給您。"}
    ok(system, "POST", "/reply", reply, tokens["agent1"])
    ok(system, "POST", f"/conversations/{cid}/close", {"resolution": "resolved"}, tokens["agent1"])
    chat.get_by_role("button", name="★ 5 分").click()
    expect(chat.locator(".msg-agent .bubble").last).to_have_text("謝謝您的評分，我們會繼續努力！")
    context.close()
    return cid


# ---------- 即時監控 ----------


def test_monitor_shows_live_conversations_and_decides_approvals(
    system, browser, tokens, story, pending, screenshot
):
    context = browser.new_context(viewport=WIDE, locale="zh-TW")
    page = open_supervisor(context, system, "super1")
    expect(tab(page, "即時監控")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")

    # a customer threatens to escalate while the monitor is open: it arrives live
    customer = browser.new_context()
    chat = open_chat(customer, system["base"])
    live_cid = session_of(chat)
    say(chat, "東西壞了都沒人理，我要去消基會投訴你們")
    row = page.locator(f'.live-row[data-cid="{live_cid}"]')
    expect(row).to_be_visible(timeout=5_000)  # the socket, not the 20 s poll
    expect(row).to_have_class("live-row escalated")
    expect(row.locator(".badge.alert")).to_have_text("⚠ 升級")
    expect(row.locator(".mood")).to_have_class("mood negative")
    expect(row.locator(".mood")).to_contain_text("負面")
    expect(row.locator(".preview")).to_have_text("東西壞了都沒人理，我要去消基會投訴你們")
    expect(page.locator(".live-row").first).to_have_class("live-row escalated")  # first
    assert page.locator(f'.live-row[data-cid="{story["cid"]}"]').count() == 0  # closed

    expect(page.locator(f'.live-row[data-cid="{pending["cid"]}"]')).to_contain_text("agent1")
    first, second = pending["approvals"]
    item = page.locator(f'.approval[data-id="{first["id"]}"]')
    expect(item.locator(".label")).to_have_text(first["label"])
    expect(item.locator(".cost")).to_have_text(f"NT${first['cost']:,}")
    expect(item.locator(".meta")).to_contain_text("申請人 agent1")
    expect(item.locator(".reason")).to_contain_text("需客服主管核准")
    screenshot(page, "supervisor-monitor", full_page=True)

    item.get_by_role("button", name="核准").click()
    expect(item).to_have_count(0)
    expect(page.locator("#toast")).to_contain_text(f"已核准「{first['label']}」")
    approved = ok(system, "GET", "/approvals?status=approved", None, tokens["super1"])
    assert any(
        a["id"] == first["id"] and a["decided_by"] == "super1" for a in approved["approvals"]
    )

    # decided elsewhere meanwhile: the page shows the server's word and drops the item
    ok(system, "POST", f"/approvals/{second['id']}", {"decision": "deny"}, tokens["super1"])
    other = page.locator(f'.approval[data-id="{second["id"]}"]')
    other.get_by_role("button", name="駁回").click()
    expect(page.locator("#toast")).to_have_text("這筆申請已經有人決定了")
    expect(page.locator("#toast")).to_have_class("toast bad")
    expect(other).to_have_count(0)

    mobile = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-TW")
    small = open_supervisor(mobile, system, "super1")
    expect(small.locator(f'.live-row[data-cid="{live_cid}"]')).to_be_visible()
    screenshot(small, "supervisor-monitor-390", full_page=True)
    for ctx in (context, customer, mobile):
        ctx.close()


# ---------- 對話回顧 ----------


def test_review_shows_the_transcript_and_takes_corrections_and_ratings(
    system, browser, tokens, story, screenshot
):
    context = browser.new_context(viewport=WIDE, locale="zh-TW", accept_downloads=True)
    page = open_supervisor(context, system, "super1")
    tab(page, "對話回顧").click()
    today = dt.datetime.now(TAIWAN).date()
    expect(page.locator("#review-to")).to_have_value(today.isoformat())
    expect(page.locator("#review-from")).to_have_value((today - dt.timedelta(days=6)).isoformat())
    page.fill("#review-agent", "agent1")
    page.click("#review-search")
    row = page.locator(f'.review-row[data-cid="{story["cid"]}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("已解決")
    expect(row).to_contain_text("服務或產品問題或瑕疵")
    # the tab's first, unfiltered list may still be on screen: wait for the filtered one
    agents = page.locator(".review-row td[data-label='客服']")
    expect(agents.filter(has_not_text="agent1")).to_have_count(0)
    assert set(agents.all_inner_texts()) == {"agent1"}

    row.click()
    detail = page.locator("#detail")
    expect(detail.locator(".turn-customer")).to_have_count(3)
    expect(detail.locator(".turn-agent")).to_have_count(1)
    expect(detail.locator(".turn-agent .info")).to_contain_text("已修改")
    expect(detail.locator("#detail-summary")).to_contain_text("已解決")
    first_turn = detail.locator(".turn-customer").first
    expect(first_turn.locator(".bubble")).to_have_text(COMPLAINT)
    expect(first_turn.locator(".reading")).to_contain_text("服務或產品問題或瑕疵")
    expect(first_turn.locator(".reading .mood")).to_contain_text("負面")
    expect(first_turn.locator(".reading")).to_contain_text("釐清問題")
    expect(detail.locator(f'.sug[data-suggestion-id="{story["used"]}"] .chip')).to_have_text(
        "修改後採用"
    )
    dismissed = detail.locator(f'.sug[data-suggestion-id="{story["dismissed"]}"]')
    expect(dismissed.locator(".chip")).to_have_text("不適用")
    expect(detail.locator(".sug .chip", has_text="未使用").first).to_be_visible()

    # a supervisor corrects the model's reading of the first message
    first_turn.locator(".fix-type").select_option("complaint_escalation")
    first_turn.get_by_role("button", name="儲存更正").click()
    expect(first_turn.locator(".corrected")).to_contain_text("已更正：類型 客訴或糾紛惡化")
    turns = ok(system, "GET", f"/review/conversations/{story['cid']}", None, tokens["super1"])
    correction = turns["turns"][0]["correction"]
    assert correction["complaint_type"] == "complaint_escalation" and correction["by"] == "super1"

    # and rates the dismissed suggestion 👎 with a reason
    dismissed.get_by_role("button", name="不好的建議").click()
    dismissed.locator(".why-form input").fill("語氣太制式")
    dismissed.get_by_role("button", name="送出").click()
    rated = detail.locator(f'.sug[data-suggestion-id="{story["dismissed"]}"]')
    expect(rated.get_by_role("button", name="不好的建議")).to_have_attribute("aria-pressed", "true")
    expect(rated.locator(".why")).to_have_text("原因：語氣太制式")
    turns = ok(system, "GET", f"/review/conversations/{story['cid']}", None, tokens["super1"])
    ratings = {s["id"]: s["rating"] for t in turns["turns"] for s in t.get("suggestions") or []}
    assert ratings[story["dismissed"]]["verdict"] == "bad"
    screenshot(page, "supervisor-review", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(detail.locator(".turn-customer").first).to_be_visible()
    screenshot(page, "supervisor-review-390", full_page=True)
    page.set_viewport_size(WIDE)

    with page.expect_download() as info:
        page.click("#export-nlu")
    download = info.value
    assert download.suggested_filename == "feedback.yml"
    exported = open(download.path(), encoding="utf-8").read()
    assert "intent: complaint_escalation" in exported and "nlu:" in exported

    # a bad range: the server's own sentence
    page.fill("#review-from", (today + dt.timedelta(days=1)).isoformat())
    page.click("#review-search")
    expect(page.locator("#review-error")).to_have_text("開始日期不能晚於結束日期")
    expect(page.locator(".review-row")).to_have_count(0)
    context.close()


def test_reviewing_a_conversation_does_not_change_whose_it_is(system, tokens, story, pending):
    # runs after the review (a correction and a rating on `story`) and the monitor (an
    # approval on `pending`): both conversations are still agent1's
    listing = ok(system, "GET", "/review/conversations?agent=agent1", None, tokens["super1"])
    mine = {c["conversation_id"] for c in listing["conversations"]}
    assert {story["cid"], pending["cid"]} <= mine


# ---------- 績效指標 ----------


def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def duration(seconds) -> str:
    if seconds is None:
        return "—"
    s = int(seconds + 0.5)
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60:02d} 秒"
    return f"{s // 3600} 小時 {(s % 3600) // 60:02d} 分"


def expect_tiles(page: Page, k: dict) -> None:
    expected = {
        "conversations": str(k["conversations"]),
        "escalation": percent(k["escalation_rate"]),
        "resolution": percent(k["resolution"]["resolved"]),
        "satisfaction": "—"
        if k["satisfaction"]["mean"] is None
        else f"{k['satisfaction']['mean']:.2f}",
        "first-response": duration(k["first_response"]["median_s"]),
        "handle-time": duration(k["handle_time"]["median_s"]),
        "compensation": f"NT${k['compensation']['spent']:,} / NT${k['compensation']['budget']:,}",
    }
    for name, text in expected.items():
        expect(page.locator(f"#tile-{name}")).to_have_text(text)


CHARTS = {
    "chart-complaints": ".bar",
    "chart-sentiment": ".point",
    "chart-technique": ".bar",
    "chart-type": ".bar",
    "chart-compensation": ".bar",
    "chart-satisfaction": ".bar",
}


def test_kpis_match_the_api_and_download_as_csv(system, browser, tokens, story, rated, screenshot):
    context = browser.new_context(viewport=WIDE, locale="zh-TW", accept_downloads=True)
    page = open_supervisor(context, system, "super1")
    tab(page, "績效指標").click()
    expect(page.locator("#kpi-scope")).to_contain_text("全部客服")
    start, end = page.input_value("#kpi-from"), page.input_value("#kpi-to")
    k = ok(system, "GET", f"/kpis?from={start}&to={end}", None, tokens["super1"])
    assert k["conversations"] >= 2 and k["satisfaction"]["count"] >= 1
    expect_tiles(page, k)
    for chart, mark in CHARTS.items():
        svg = page.locator(f"#{chart} svg")
        expect(svg).to_have_count(1)
        assert svg.locator(mark).count() > 0, chart
        assert svg.locator("text").count() > 0, chart  # axis labels
    expect(page.locator("#chart-complaints .legend")).to_contain_text("服務或產品問題或瑕疵")
    expect(page.locator("#chart-compensation .legend")).to_contain_text("當日預算")
    assert page.locator("#chart-satisfaction .bar").count() == 5
    screenshot(page, "supervisor-kpis", full_page=True)

    with page.expect_download() as info:
        page.click("#kpi-csv")
    download = info.value
    assert download.suggested_filename == f"kefu-kpis-{start}-{end}.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "section,key,measure,value"
    assert f"overall,,conversations,{k['conversations']}" in text

    # one agent's figures
    page.fill("#kpi-agent", "agent1")
    page.click("#kpi-search")
    expect(page.locator("#kpi-scope")).to_contain_text("客服 agent1")
    mine = ok(system, "GET", f"/kpis?from={start}&to={end}&agent=agent1", None, tokens["super1"])
    expect_tiles(page, mine)

    # an empty period: every chart says so
    page.fill("#kpi-from", "2020-01-01")
    page.fill("#kpi-to", "2020-01-07")
    page.click("#kpi-search")
    expect(page.locator("#tile-conversations")).to_have_text("0")
    expect(page.locator(".chart-empty")).to_have_count(len(CHARTS))
    context.close()


def test_an_agent_sees_only_their_own_kpis(system, browser, tokens, story, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-TW")
    page = open_supervisor(context, system, "agent1")
    expect(tab(page, "績效指標")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "對話回顧")).to_have_count(0)
    expect(tab(page, "即時監控")).to_have_count(0)
    expect(page.locator("#view-review")).to_be_hidden()
    expect(page.locator("#kpi-own")).to_have_text("僅顯示您自己的數據")
    expect(page.locator("#kpi-agent")).to_be_hidden()
    expect(page.locator("#kpi-scope")).to_contain_text("客服 agent1")
    start, end = page.input_value("#kpi-from"), page.input_value("#kpi-to")
    k = ok(system, "GET", f"/kpis?from={start}&to={end}", None, tokens["agent1"])
    assert k["agent"] == "agent1"
    expect_tiles(page, k)
    expect(page.locator("#chart-complaints svg .bar").first).to_be_visible()
    screenshot(page, "supervisor-agent-kpis-390", full_page=True)
    # the hash of another tab does not open it
    page.goto(f"{system['base']}/webhooks/live/supervisor#review")
    page.reload()
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#view-kpis")).to_be_visible()
    expect(page.locator("#view-review")).to_be_hidden()
    context.close()


# ---------- hostile text ----------


def test_hostile_text_is_shown_as_text(system, browser, tokens, screenshot):
    cid = "sv-x-" + uuid.uuid4().hex[:8]
    customer_says(system, tokens["agent1"], cid, HOSTILE)
    # CSP off, so that only the escaping stands between the text and a running script
    context = browser.new_context(bypass_csp=True, viewport=WIDE, locale="zh-TW")
    dialogs: list = []
    context.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    page = open_supervisor(context, system, "super1")
    row = page.locator(f'.live-row[data-cid="{cid}"]')
    expect(row.locator(".preview")).to_have_text(HOSTILE)
    assert page.locator("#live-rows img").count() == 0
    row.click()  # opens the conversation in the review
    expect(tab(page, "對話回顧")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#detail .turn-customer .bubble")).to_have_text([HOSTILE])
    assert page.locator("#detail img, #detail script").count() == 0
    time.sleep(0.5)
    assert dialogs == []
    context.close()


def test_the_page_forbids_inline_script(system):
    import urllib.request

    for path in ("supervisor", "static/supervisor.js", "static/charts.js"):
        with urllib.request.urlopen(f"{system['base']}/webhooks/live/{path}", timeout=10) as r:
            policy = r.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy


# ---------- 品質評分 ----------

MET = {True: "達成", False: "未達成", None: "不適用"}


def test_the_review_shows_the_qa_scorecard_and_takes_an_override(
    system, browser, tokens, rated, screenshot
):
    # an agent reply that is markup: the scorecard quotes it as evidence, as text
    hostile = "sv-q-" + uuid.uuid4().hex[:8]
    customer_says(system, tokens["agent1"], hostile, "杯子破了")
    ok(system, "POST", "/reply", {"conversation_id": hostile, "text": HOSTILE}, tokens["agent1"])
    ok(
        system,
        "POST",
        f"/conversations/{hostile}/close",
        {"resolution": "resolved"},
        tokens["agent1"],
    )

    context = browser.new_context(bypass_csp=True, viewport=WIDE, locale="zh-TW")
    dialogs: list = []
    context.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    page = open_supervisor(context, system, "super1")
    tab(page, "對話回顧").click()
    page.fill("#review-agent", "agent1")
    page.click("#review-search")
    page.locator(f'.review-row[data-cid="{rated}"]').click()
    card = page.locator("#detail-qa")
    expect(card).to_be_visible()
    shown = ok(system, "GET", f"/review/conversations/{rated}", None, tokens["super1"])["qa"]
    expect(page.locator("#detail-qa-score")).to_have_text(f"{shown['score']} 分")
    for item in shown["items"]:
        row = card.locator(f'.qa-item[data-criterion="{item["criterion"]}"]')
        expect(row.locator(".qa-met")).to_have_text(MET[item["met"]])
        expect(row.locator(".qa-label")).to_have_text(item["label"])
    rating = card.locator('.qa-item[data-criterion="customer_rating"]')
    expect(rating.locator(".qa-met")).to_have_text("達成")  # rated 5 in the live chat
    expect(rating).to_contain_text("顧客評分 5 分")
    screenshot(page, "supervisor-qa-scorecard", full_page=True)

    closing = card.locator('.qa-item[data-criterion="closing"]')
    was = next(i for i in shown["items"] if i["criterion"] == "closing")["met"]
    closing.locator("select").select_option("false" if was else "true")
    closing.get_by_role("button", name="改判").click()
    expect(page.locator("#toast")).to_contain_text("已改判「妥善結束對話」")
    expect(closing.locator(".qa-overridden")).to_contain_text("主管 super1")
    expect(closing.locator(".qa-met")).to_have_text(MET[not was])
    after = ok(system, "GET", f"/review/conversations/{rated}", None, tokens["super1"])["qa"]
    assert after["score"] != shown["score"]
    expect(page.locator("#detail-qa-score")).to_have_text(f"{after['score']} 分")
    screenshot(card, "supervisor-qa-override")

    page.locator(f'.review-row[data-cid="{hostile}"]').click()
    evidence = card.locator('.qa-item[data-criterion="first_response"] .qa-evidence p').first
    expect(evidence).to_contain_text(HOSTILE)
    assert page.locator("#detail-qa img, #detail-qa script").count() == 0

    tab(page, "品質評分").click()
    coaching = ok(system, "GET", "/review/qa", None, tokens["super1"])
    mine = next(a for a in coaching["agents"] if a["agent"] == "agent1")
    agent_row = page.locator('#qa-agents-rows tr[data-agent="agent1"]')
    expect(agent_row.locator("td[data-label='件數']")).to_have_text(str(mine["conversations"]))
    expect(agent_row.locator("td[data-label='平均分數']")).to_have_text(f"{mine['score_mean']:g}")
    expect(page.locator("#chart-qa-score svg circle")).not_to_have_count(0)
    expect(page.locator("#chart-qa-criteria svg .bar")).not_to_have_count(0)
    expect(page.locator("#qa-days-rows tr")).to_have_count(7)
    screenshot(page, "supervisor-qa-coaching", full_page=True)
    time.sleep(0.3)
    assert dialogs == []
    context.close()
