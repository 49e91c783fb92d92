// 即時監控: the open conversations (escalated first) with counters, and the approval
// queue where a supervisor approves or denies compensation beyond an agent's authority.
// The socket's `conversation_update` refreshes it; a 20-second poll is the safety net for
// changes no socket event announces (REST-only conversations).

import { api, failed } from "../staff/api.js";
import { $, clock, el, money, on, toast, whileBusy } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { isSupervisor } from "../staff/session.js";
import { connectLive, disconnectLive } from "../staff/socket.js";
import { cell, cidShort, complaintLabel, moodNode } from "./format.js";

const monitor = { conversations: [], approvals: [], seq: 0, timer: null, poll: null };

export async function refreshMonitor() {
  if (!isSupervisor()) return;
  const seq = ++monitor.seq;
  const [live, pending] = await Promise.all([
    api("GET", "/conversations"),
    api("GET", "/approvals?status=pending"),
  ]);
  if (seq !== monitor.seq || !isSupervisor()) return;
  if (live.status === 200) {
    monitor.conversations = live.data.conversations || [];
    renderLive();
  }
  if (pending.status === 200) {
    monitor.approvals = pending.data.approvals || [];
    renderApprovals();
  }
  const now = new Date().toLocaleTimeString("zh-TW", { timeZone: "Asia/Taipei" });
  $("monitor-updated").textContent = `更新於 ${now}`;
}

function liveRow(row) {
  const tr = el("tr", `live-row${row.escalated ? " escalated" : ""}`);
  tr.dataset.cid = row.conversation_id;
  tr.tabIndex = 0;
  tr.title = "查看對話內容";
  const status = el("span", "badges");
  status.appendChild(el("span", `badge ${row.status}`, label("statuses", row.status)));
  if (row.escalated) status.appendChild(el("span", "badge alert", "⚠ 升級"));
  const id = el("span", "cid", cidShort(row.conversation_id));
  id.title = row.conversation_id;
  const mood = row.sentiment ? moodNode(row.sentiment.label, row.sentiment.score) : moodNode(null);
  const last = row.last_message;
  const preview = el("span", "preview", last ? (last.role === "agent" ? "客服：" : "") + last.text : "—");
  if (last) preview.title = last.text;
  tr.append(
    cell("狀態", "", status),
    cell("對話", "", id),
    cell("客服", row.agent ? "" : "muted", row.agent || "未指派"),
    cell("客訴類型", "", complaintLabel(row.complaint_type)),
    cell("顧客情緒", "", mood),
    cell("最新訊息", "preview-cell", preview),
    cell("更新", "num", clock(row.updated))
  );
  return tr;
}

function renderLive() {
  const rows = monitor.conversations.filter((row) => row.status !== "closed");
  rows.sort((a, b) => {
    if (a.escalated !== b.escalated) return a.escalated ? -1 : 1;
    return (b.updated || 0) - (a.updated || 0);
  });
  $("count-open").textContent = rows.length;
  $("count-escalated").textContent = rows.filter((r) => r.escalated).length;
  $("count-negative").textContent = rows.filter((r) => r.sentiment && r.sentiment.label === "negative").length;
  $("live-rows").replaceChildren(...rows.map(liveRow));
  $("live-empty").hidden = rows.length > 0;
}

function approvalItem(a) {
  const item = el("li", "approval");
  item.dataset.id = a.id;
  item.dataset.cid = a.conversation_id;
  const head = el("div", "head");
  head.append(el("span", "label", a.label), el("span", "cost", money(a.cost)));
  const meta = el("p", "meta");
  const cid = el("span", "cid", cidShort(a.conversation_id));
  cid.title = a.conversation_id;
  meta.append("對話 ", cid, `・申請人 ${a.requested_by}・${clock(a.requested_at)}`);
  item.append(head, meta);
  if (a.reason) item.appendChild(el("p", "reason", a.reason));
  const buttons = el("div", "buttons");
  const deny = el("button", "quiet danger", "駁回");
  deny.type = "button";
  deny.dataset.decision = "deny";
  const approve = el("button", "", "核准");
  approve.type = "button";
  approve.dataset.decision = "approve";
  buttons.append(deny, approve);
  item.appendChild(buttons);
  return item;
}

function renderApprovals() {
  $("count-approvals").textContent = monitor.approvals.length;
  $("approval-list").replaceChildren(...monitor.approvals.map(approvalItem));
  $("approvals-empty").hidden = monitor.approvals.length > 0;
}

async function decide(approval, decision) {
  const path = `/approvals/${encodeURIComponent(approval.id)}`;
  const result = await api("POST", path, { decision });
  if (result.status === 200) {
    monitor.approvals = monitor.approvals.filter((a) => a.id !== approval.id);
    renderApprovals();
    const done = decision === "approve" ? "已核准" : "已駁回";
    toast(`${done}「${approval.label}」（${money(approval.cost)}）`);
    return;
  }
  failed(result, "無法完成這個決定，請再試一次");
  if (result.status === 409 || result.status === 404) refreshMonitor();
}

// live updates and the poll while a supervisor is logged in; isShown() says whether the
// monitor is the tab on screen
export function startMonitor(token, isShown) {
  connectLive(token, {
    connected: refreshMonitor,
    update: () => {
      clearTimeout(monitor.timer);
      monitor.timer = setTimeout(refreshMonitor, 250);
    },
  });
  monitor.poll = setInterval(() => {
    if (isShown() && !document.hidden) refreshMonitor();
  }, 20000);
}

export function stopMonitor() {
  disconnectLive();
  clearInterval(monitor.poll);
  clearTimeout(monitor.timer);
}

// open(cid): a click (or Enter) on a live row opens that conversation in the review
export function bindMonitor({ open }) {
  const rows = $("live-rows");
  on(rows, "click", ".live-row", (_, tr) => open(tr.dataset.cid));
  on(rows, "keydown", ".live-row", (event, tr) => {
    if (event.key === "Enter") open(tr.dataset.cid);
  });
  on($("approval-list"), "click", "button[data-decision]", (_, button) => {
    const item = button.closest(".approval");
    const approval = monitor.approvals.find((a) => a.id === item.dataset.id);
    if (!approval) return;
    const buttons = [...item.querySelectorAll("button[data-decision]")];
    whileBusy(buttons, () => decide(approval, button.dataset.decision));
  });
}
