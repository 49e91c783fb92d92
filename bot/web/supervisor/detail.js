// The detail pane of the review: one conversation turn by turn, with the model's reading
// of each customer message (a supervisor may correct its complaint type or mood), the
// suggestions shown after it (ratings.js) and the QA scorecard on top (scorecard.js).

import { api, failed } from "../staff/api.js";
import { $, clock, el, money, on, option, toast } from "../staff/dom.js";
import { codes, label } from "../staff/labels.js";
import { cidShort, complaintLabel, duration, moodNode } from "./format.js";
import { suggestionItem } from "./ratings.js";
import { renderScorecard } from "./scorecard.js";
import { selection } from "./selection.js";

let seq = 0;

function markSelectedRow() {
  for (const tr of document.querySelectorAll(".review-row")) {
    tr.setAttribute("aria-selected", tr.dataset.cid === selection.cid ? "true" : "false");
  }
}

export async function openDetail(cid) {
  const mine = ++seq;
  selection.cid = cid;
  markSelectedRow();
  const result = await api("GET", `/review/conversations/${encodeURIComponent(cid)}`);
  if (mine !== seq) return;
  if (result.status !== 200) {
    failed(result, "無法讀取這個對話");
    return;
  }
  selection.detail = result.data;
  renderDetail();
  if (window.matchMedia("(max-width: 1100px)").matches) $("detail").scrollIntoView({ block: "start" });
}

export function closeDetail() {
  selection.cid = null;
  selection.detail = null;
  $("detail").hidden = true;
  $("detail-none").hidden = false;
  markSelectedRow();
}

function summaryLine(s) {
  const known = (v) => v !== null && v !== undefined;
  const parts = [];
  if (s.day) parts.push(s.day);
  parts.push(s.agent ? `客服 ${s.agent}` : "未指派");
  if (s.complaint_type) parts.push(s.complaint_label || complaintLabel(s.complaint_type));
  parts.push(s.outcome ? label("outcomes", s.outcome) : label("outcomes", "open"));
  if (s.escalated) parts.push("曾升級");
  if (s.rating) parts.push(`評分 ${s.rating} 分`);
  if (s.compensation_cost) parts.push(`補償 ${money(s.compensation_cost)}`);
  if (known(s.first_response_s)) parts.push(`首次回覆 ${duration(s.first_response_s)}`);
  if (known(s.handle_time_s)) parts.push(`處理 ${duration(s.handle_time_s)}`);
  const sug = s.suggestions || {};
  parts.push(`建議採用 ${(sug.used || 0) + (sug.edited || 0)} / ${sug.shown || 0}`);
  return parts.join("・");
}

function renderDetail() {
  const d = selection.detail;
  const s = d.summary || {};
  const cid = s.conversation_id || selection.cid;
  $("detail-none").hidden = true;
  $("detail").hidden = false;
  $("detail-title").textContent = `對話 ${cidShort(cid)}`;
  $("detail-title").title = cid;
  $("detail-summary").textContent = summaryLine(s);
  renderScorecard(d.qa);
  const turns = d.turns || [];
  const items = turns.map((turn) => (turn.role === "customer" ? customerTurn(turn) : agentTurn(turn)));
  if (!turns.length) items.push(el("li", "empty", "這個對話沒有訊息"));
  $("detail-turns").replaceChildren(...items);
}

function who(name, ts) {
  const line = el("div", "who");
  line.appendChild(el("span", "name", name));
  if (ts) line.appendChild(el("span", "time", clock(ts)));
  return line;
}

function agentTurn(turn) {
  const li = el("li", "turn turn-agent");
  li.dataset.turn = turn.turn;
  li.append(who(turn.agent ? `客服 ${turn.agent}` : "客服", turn.ts), el("div", "bubble", turn.text));
  const info = el("div", "info");
  if (turn.technique_label) info.appendChild(el("span", "technique", turn.technique_label));
  if (!turn.suggestion_id) info.appendChild(el("span", "chip use-ignored", "自行輸入"));
  else if (turn.edited) info.appendChild(el("span", "chip use-edited", "已修改"));
  else info.appendChild(el("span", "chip use-used", "採用建議原文"));
  li.appendChild(info);
  return li;
}

function fact(name, value) {
  const node = el("span", "fact");
  node.append(el("span", "fact-name", name), el("span", "fact-value", value));
  return node;
}

function reading(a) {
  const box = el("div", "reading");
  box.appendChild(el("span", "reading-title", "模型判讀"));
  if (!a) {
    box.appendChild(el("span", "muted", "沒有判讀紀錄"));
    return box;
  }
  box.appendChild(fact("類型", a.complaint_type ? complaintLabel(a.complaint_type) : "非客訴訊息"));
  const mood = el("span", "fact");
  mood.append(el("span", "fact-name", "情緒"), moodNode(a.sentiment, typeof a.score === "number" ? a.score : undefined));
  box.append(mood, fact("階段", a.stage ? label("stages", a.stage) : "—"));
  return box;
}

function customerTurn(turn) {
  const li = el("li", "turn turn-customer");
  li.dataset.turn = turn.turn;
  li.append(who("顧客", turn.ts), el("div", "bubble", turn.text), reading(turn.analysis));
  const corrected = el("p", "corrected");
  li.append(corrected, correctionForm(turn));
  showCorrection(corrected, turn.correction);
  const sugs = turn.suggestions || [];
  if (sugs.length) {
    const list = el("ul", "sugs");
    list.setAttribute("aria-label", "這則訊息後的建議");
    list.append(...sugs.map(suggestionItem));
    li.appendChild(list);
  }
  return li;
}

function showCorrection(node, correction) {
  node.hidden = !correction;
  if (!correction) return;
  const parts = [];
  if (correction.complaint_type) parts.push(`類型 ${complaintLabel(correction.complaint_type)}`);
  if (correction.sentiment) parts.push(`情緒 ${label("moods", correction.sentiment)}`);
  node.textContent = `✓ 已更正：${parts.join("、")}${correction.by ? `（${correction.by}）` : ""}`;
}

function select(className, id, hidden, first, table) {
  const name = el("label", "visually-hidden", hidden);
  name.htmlFor = id;
  const node = el("select", className);
  node.id = id;
  node.append(option("", first), ...codes(table).map((code) => option(code, label(table, code))));
  return [name, node];
}

function correctionForm(turn) {
  const form = el("form", "correct");
  form.autocomplete = "off";
  const [typeLabel, type] = select("fix-type", `fix-type-${turn.turn}`, "更正客訴類型", "客訴類型（不變更）", "complaint_types");
  const [moodLabel, mood] = select("fix-mood", `fix-mood-${turn.turn}`, "更正顧客情緒", "情緒（不變更）", "moods");
  if (turn.correction) {
    type.value = turn.correction.complaint_type || "";
    mood.value = turn.correction.sentiment || "";
  }
  const save = el("button", "secondary", "儲存更正");
  save.type = "submit";
  const error = el("span", "form-error");
  error.setAttribute("role", "alert");
  form.append(typeLabel, type, moodLabel, mood, save, error);
  return form;
}

async function saveCorrection(form) {
  const li = form.closest(".turn");
  const turn = (selection.detail.turns || []).find((t) => String(t.turn) === li.dataset.turn);
  if (!turn) return;
  const type = form.querySelector(".fix-type").value;
  const mood = form.querySelector(".fix-mood").value;
  const error = form.querySelector(".form-error");
  const save = form.querySelector("button[type=submit]");
  error.textContent = "";
  if (!type && !mood) {
    error.textContent = "請選擇要更正的客訴類型或情緒";
    return;
  }
  const body = { conversation_id: selection.cid, turn: turn.turn };
  if (type) body.complaint_type = type;
  if (mood) body.sentiment = mood;
  save.disabled = true;
  const result = await api("POST", "/review/corrections", body);
  save.disabled = false;
  if (result.status !== 200) {
    error.textContent = result.data.error || "無法儲存更正";
    return;
  }
  turn.correction = result.data;
  showCorrection(li.querySelector(".corrected"), result.data);
  toast("已儲存更正，匯出訓練資料時會包含這則訊息");
}

export function bindDetail() {
  on($("detail-turns"), "submit", "form.correct", (event, form) => {
    event.preventDefault();
    saveCorrection(form);
  });
}
