// 品質評分: the QA scorecards of a period for coaching (GET /review/qa): the daily mean
// score, each item's rate of being met, and per agent and per day tables.

import { api } from "../staff/api.js";
import { $, el } from "../staff/dom.js";
import { draw, redraw } from "../charts.js";
import { cell, lastDays, plot, problems, shortDay } from "./format.js";

const NONE = "這段期間沒有評分過的對話";
let seq = 0;

function query() {
  const q = new URLSearchParams();
  q.set("from", $("qa-from").value);
  q.set("to", $("qa-to").value);
  const agent = $("qa-agent").value.trim();
  if (agent) q.set("agent", agent);
  return q.toString();
}

async function load() {
  const mine = ++seq;
  $("qa-error").textContent = "";
  $("qa-search").disabled = true;
  const result = await api("GET", `/review/qa?${query()}`);
  $("qa-search").disabled = false;
  if (mine !== seq) return;
  if (result.status !== 200) {
    $("qa-error").textContent = result.data.error || "查詢失敗，請再試一次";
    return;
  }
  render(result.data);
}

const rateText = (counts) => (counts.rate === null ? "—" : `${Math.round(counts.rate * 100)}%`);

function rateCell(name, counts) {
  const level = counts.rate === null ? "" : counts.rate >= 0.8 ? "high" : counts.rate >= 0.5 ? "mid" : "low";
  const fill = el("span", `qa-fill ${level}`);
  fill.style.width = counts.rate === null ? "0" : `${(counts.rate * 100).toFixed(0)}%`;
  const bar = el("span", "qa-bar");
  bar.appendChild(fill);
  const box = el("span", "qa-rate");
  box.append(bar, el("span", "qa-rate-text", rateText(counts)));
  const td = cell(name, "num", box);
  td.title = `達成 ${counts.met}・未達成 ${counts.not_met}・不適用 ${counts.not_applicable}`;
  return td;
}

function renderCharts(q) {
  draw(plot("chart-qa-score"), "line", {
    label: "每日平均品質分數（折線圖，0 到 100）",
    categories: q.days.map((d) => shortDay(d.day)),
    values: q.days.map((d) => d.score_mean),
    min: 0,
    max: 100,
    ticks: [0, 25, 50, 75, 100],
    yTitle: "分數",
    format: String,
    pointClass: (v) => (v >= 80 ? "positive" : v >= 50 ? "neutral" : "negative"),
    emptyText: NONE,
  });
  const sums = Object.fromEntries(q.criteria.map((c) => [c.id, { met: 0, not_met: 0 }]));
  for (const a of q.agents) {
    for (const c of q.criteria) {
      sums[c.id].met += a.criteria[c.id].met;
      sums[c.id].not_met += a.criteria[c.id].not_met;
    }
  }
  draw(plot("chart-qa-criteria"), "hBars", {
    label: "各評分項目的達成率（橫條圖）",
    rows: q.criteria.map((c) => {
      const s = sums[c.id];
      const n = s.met + s.not_met;
      return { label: c.label, value: n ? s.met / n : null, note: `n=${n}` };
    }),
    legend: [{ label: "達成率＝達成 ÷（達成＋未達成），不適用的不計", cls: "accept" }],
    emptyText: NONE,
  });
}

function renderTables(q) {
  const head = $("qa-agents-head");
  head.replaceChildren(el("th", "", "客服"), el("th", "num", "件數"), el("th", "num", "平均分數"));
  head.append(...q.criteria.map((c) => el("th", "num", c.label)));
  const rows = q.agents.map((a) => {
    const tr = el("tr");
    tr.dataset.agent = a.agent || "";
    tr.append(
      cell("客服", "", a.agent || "未指派"),
      cell("件數", "num", a.conversations),
      cell("平均分數", "num", a.score_mean === null ? "—" : a.score_mean),
      ...q.criteria.map((c) => rateCell(c.label, a.criteria[c.id]))
    );
    return tr;
  });
  $("qa-agents-rows").replaceChildren(...rows);
  $("qa-agents-empty").hidden = q.agents.length > 0;

  const dayHead = $("qa-days-head");
  dayHead.replaceChildren(el("th", "", "評分項目"), ...q.days.map((d) => el("th", "num", shortDay(d.day))));
  const dayRows = q.criteria.map((c) => {
    const tr = el("tr");
    tr.append(cell("評分項目", "", c.label), ...q.days.map((d) => rateCell(shortDay(d.day), d.criteria[c.id])));
    return tr;
  });
  $("qa-days-rows").replaceChildren(...dayRows);
}

function render(q) {
  const total = q.agents.reduce((n, a) => n + a.conversations, 0);
  const who = q.agent ? `客服 ${q.agent}` : "全部客服";
  $("qa-scope").textContent = `${q.from} 至 ${q.to}・${who}・共 ${total} 件評分${problems(q)}`;
  renderCharts(q);
  renderTables(q);
}

// the first time the tab is shown: the last seven days; later, the charts at the width
// the tab now has
export function showQa(first) {
  if (!first) {
    redraw();
    return;
  }
  lastDays($("qa-from"), $("qa-to"), 7);
  load();
}

export function bindQa() {
  $("qa-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
}
