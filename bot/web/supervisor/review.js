// 對話回顧: the conversations of a period, filtered by agent, complaint type, mood and
// outcome; a click opens one in the detail pane (detail.js). And the export of the
// reviewed corrections as NLU training data.

import { api, download } from "../staff/api.js";
import { $, el, money, on, toast, whileBusy } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { closeDetail, openDetail } from "./detail.js";
import { cell, cidShort, complaintLabel, lastDays, moodNode, problems, shortDay } from "./format.js";
import { selection } from "./selection.js";

const FILTERS = [
  ["agent", "review-agent"],
  ["complaint_type", "review-type"],
  ["sentiment", "review-sentiment"],
  ["outcome", "review-outcome"],
];
let seq = 0;

function query() {
  const params = new URLSearchParams();
  params.set("from", $("review-from").value);
  params.set("to", $("review-to").value);
  for (const [name, id] of FILTERS) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params.toString();
}

async function search() {
  const mine = ++seq;
  $("review-error").textContent = "";
  $("review-search").disabled = true;
  const result = await api("GET", `/review/conversations?${query()}`);
  $("review-search").disabled = false;
  if (mine !== seq) return;
  if (result.status !== 200) {
    $("review-error").textContent = result.data.error || "查詢失敗，請再試一次";
    render([], null);
    return;
  }
  render(result.data.conversations || [], result.data);
}

function row(r) {
  const tr = el("tr", "review-row");
  tr.dataset.cid = r.conversation_id;
  tr.tabIndex = 0;
  tr.setAttribute("aria-selected", r.conversation_id === selection.cid ? "true" : "false");
  const id = el("span", "cid", cidShort(r.conversation_id));
  id.title = r.conversation_id;
  const mood = moodNode(r.sentiment);
  if (typeof r.lowest_score === "number") mood.title = `最低分數 ${r.lowest_score.toFixed(2)}`;
  const outcome = el("span", `chip outcome-${r.outcome}`, label("outcomes", r.outcome));
  const s = r.suggestions || {};
  tr.append(
    cell("日期", "nowrap", shortDay(r.day)),
    cell("對話", "", id),
    cell("客服", r.agent ? "" : "muted", r.agent || "—"),
    cell("客訴類型", "", r.complaint_label || complaintLabel(r.complaint_type)),
    cell("情緒", "", mood),
    cell("結果", "", outcome),
    cell("評分", "num", r.rating ? `★ ${r.rating}` : "—"),
    cell("建議採用", "num", `${(s.used || 0) + (s.edited || 0)} / ${s.shown || 0}`),
    cell("補償", "num", r.compensation_cost ? money(r.compensation_cost) : "—")
  );
  return tr;
}

function render(rows, data) {
  $("review-rows").replaceChildren(...rows.map(row));
  $("review-empty").hidden = rows.length > 0;
  $("review-count").textContent = data ? `${data.from} 至 ${data.to}・共 ${rows.length} 筆${problems(data)}` : "";
}

// the first time the tab is shown: the last seven days
export function showReview(first) {
  if (!first) return;
  lastDays($("review-from"), $("review-to"), 7);
  search();
}

async function exportNlu() {
  const res = await download("/export/nlu", "feedback.yml");
  if (!res) return;
  const skipped = Number(res.headers.get("X-Kefu-Skipped") || 0);
  toast(`已匯出訓練資料 feedback.yml${skipped ? `（${skipped} 筆更正無法使用，已略過）` : ""}`);
}

export function bindReview() {
  $("review-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  const rows = $("review-rows");
  on(rows, "click", ".review-row", (_, tr) => openDetail(tr.dataset.cid));
  on(rows, "keydown", ".review-row", (event, tr) => {
    if (event.key === "Enter") openDetail(tr.dataset.cid);
  });
  $("detail-close").addEventListener("click", closeDetail);
  const button = $("export-nlu");
  button.addEventListener("click", () => whileBusy(button, exportNlu));
}
