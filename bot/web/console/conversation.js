// One conversation in the middle column: its header (status, owner, claim and close
// buttons), the case summary on top and the transcript. loadDetail fetches it again,
// and then the assist panel is drawn from the same answer.

import { api, failed } from "../staff/api.js";
import { $, clock, el, on, shortId, toast } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { isSupervisor } from "../staff/session.js";
import { renderAssist } from "./assist.js";
import { refreshQueue } from "./queue.js";
import { mine, state } from "./state.js";

const HINT_MINE = "Tab 或 1–3 帶入建議・/ 搜尋回覆庫・Enter 送出・Shift+Enter 換行";

export async function loadDetail(cid) {
  const seq = ++state.loadSeq;
  const query = state.last[cid] ? `?last=${state.last[cid]}` : "";
  const result = await api("GET", `/conversations/${encodeURIComponent(cid)}${query}`);
  if (seq !== state.loadSeq || cid !== state.selected) return;
  if (result.status !== 200) {
    failed(result, "無法讀取這個對話");
    return;
  }
  state.detail = result.data;
  renderConversation();
  renderAssist();
}

function renderConversation() {
  const d = state.detail;
  $("no-selection").hidden = true;
  $("conversation").hidden = false;
  $("conv-title").textContent = `對話 ${shortId(d.conversation_id, 10, 8)}`;
  $("conv-title").title = d.conversation_id;
  let meta = `${label("statuses", d.status)}・${d.agent ? `負責客服：${d.agent}` : "尚未指派"}`;
  if (d.rating) meta += `・顧客評分 ${d.rating} 分`;
  $("conv-meta").textContent = meta;

  const claim = $("claim");
  const open = d.status !== "closed";
  claim.hidden = !open || mine() || Boolean(d.agent && !isSupervisor());
  claim.textContent = d.agent ? "改由我處理" : "接手對話";
  $("close").hidden = !open || !(mine() || isSupervisor());

  const canReply = open && mine();
  $("reply").disabled = !canReply;
  $("send").disabled = !canReply;
  let hint = "請先接手對話再回覆";
  if (!open) hint = "這個對話已結案";
  else if (canReply) hint = HINT_MINE;
  else if (d.agent) hint = `這個對話由 ${d.agent} 處理`;
  $("composer-hint").textContent = hint;

  renderSummary(d);

  const list = $("transcript");
  list.replaceChildren();
  if (d.messages_from > 0) list.appendChild(earlierLine(d));
  for (const m of d.messages || []) list.appendChild(lineFor(m));
  list.scrollTop = list.scrollHeight;
}

// the case summary (docs/case-summary.md) on top: what the server read from the stored
// case, one line each; whoever just took the conversation over is shown it first
function renderSummary(d) {
  const box = $("summary");
  const summary = d.summary;
  box.hidden = !summary;
  if (!summary) return;
  const list = $("summary-lines");
  list.replaceChildren();
  for (const text of String(summary.text || "").split("\n")) {
    const cut = text.indexOf("：");
    const line = el("li", cut > 0 && text.slice(0, cut) === "待辦" ? "todo" : "");
    if (cut > 0 && cut <= 4) {
      line.append(el("span", "label", text.slice(0, cut)), el("span", "", text.slice(cut + 1)));
    } else {
      line.appendChild(el("span", "", text));
    }
    list.appendChild(line);
  }
  const briefing = state.briefing === d.conversation_id;
  box.classList.toggle("briefing-on", briefing);
  $("summary-briefing").hidden = !briefing;
  $("summary-briefing").textContent = briefing ? "您剛接手這個對話，請先看過案件摘要再回覆顧客" : "";
  if (briefing && !state.briefed) {
    state.briefed = true;
    box.scrollIntoView({ block: "start" });
    box.focus();
  }
}

// only the newest messages come with each update: the older ones on request
function earlierLine(d) {
  const line = el("li", "earlier");
  const button = el("button", "quiet", `顯示較早的 ${d.messages_from} 則訊息`);
  button.type = "button";
  line.appendChild(button);
  return line;
}

function lineFor(m) {
  const line = el("li", `line line-${m.role === "agent" ? "agent" : "customer"}`);
  line.appendChild(el("div", "bubble", m.text));
  const info = el("div", "info");
  info.appendChild(el("span", "", clock(m.ts)));
  if (m.role === "customer" && m.sentiment) {
    const mood = `${label("moods", m.sentiment.label)} ${Number(m.sentiment.score).toFixed(2)}`;
    info.appendChild(el("span", `mood ${m.sentiment.label}`, mood));
  }
  if (m.role === "agent") {
    if (m.agent) info.appendChild(el("span", "", m.agent));
    if (m.technique_label) info.appendChild(el("span", "", `技巧：${m.technique_label}`));
    if (m.suggestion_id) info.appendChild(el("span", "", m.edited ? "建議（已修改）" : "建議原文"));
  }
  line.appendChild(info);
  return line;
}

// Redis away (bot/channels/degraded.py): the message is relayed but cannot be read
// back yet; show it as it came, the suggestions follow when the server catches up
export function showRelayed(message) {
  const list = $("transcript");
  const line = lineFor(message);
  line.classList.add("pending");
  list.appendChild(line);
  list.scrollTop = list.scrollHeight;
  toast("資料庫暫時無法連線：訊息照常轉送，建議與紀錄會在恢復後補上", true);
}

async function claim() {
  const cid = state.selected;
  const takingOver = Boolean(state.detail && state.detail.agent && !mine());
  const result = await api("POST", `/conversations/${encodeURIComponent(cid)}/claim`);
  if (result.status !== 200) {
    failed(result, "無法接手這個對話");
  } else {
    toast("已接手對話");
    if (takingOver) {
      // from another agent: the summary first, what has happened so far
      state.briefing = cid;
      state.briefed = false;
    }
  }
  loadDetail(cid);
  refreshQueue();
}

export function bindConversation() {
  $("claim").addEventListener("click", claim);
  on($("transcript"), "click", ".earlier button", () => {
    const d = state.detail;
    state.last[d.conversation_id] = Math.min(d.messages_total, 2000);
    loadDetail(d.conversation_id);
  });
}
