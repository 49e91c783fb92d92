// 績效指標: the KPI tiles and charts of a period (GET /kpis), and the same figures as
// CSV. An agent sees only their own figures (the server decides; the page hides the
// agent field).

import { api, download } from "../staff/api.js";
import { $, el, money, toast, whileBusy } from "../staff/dom.js";
import { codes, label } from "../staff/labels.js";
import { isSupervisor } from "../staff/session.js";
import { draw, redraw } from "../charts.js";
import { complaintLabel, duration, lastDays, percent, plot, problems, shortDay } from "./format.js";

let seq = 0;

function query() {
  const params = new URLSearchParams();
  params.set("from", $("kpi-from").value);
  params.set("to", $("kpi-to").value);
  const agent = $("kpi-agent").value.trim();
  if (isSupervisor() && agent) params.set("agent", agent);
  return params.toString();
}

async function load() {
  const mine = ++seq;
  $("kpi-error").textContent = "";
  $("kpi-search").disabled = true;
  const result = await api("GET", `/kpis?${query()}`);
  $("kpi-search").disabled = false;
  if (mine !== seq) return;
  if (result.status !== 200) {
    $("kpi-error").textContent = result.data.error || "查詢失敗，請再試一次";
    return;
  }
  const k = result.data;
  $("kpi-scope").textContent = `${k.from} 至 ${k.to}・${k.agent ? `客服 ${k.agent}` : "全部客服"}${problems(k)}`;
  renderTiles(k);
  renderCharts(k);
}

function tile(id, value, sub) {
  $(`tile-${id}`).textContent = value;
  $(`tile-${id}-sub`).textContent = sub || "";
}

function renderTiles(k) {
  const r = k.resolution;
  tile("conversations", String(k.conversations), `已結案 ${r.closed} 件`);
  tile("escalation", percent(k.escalation_rate), "曾出現升級警示的對話");
  tile(
    "resolution",
    percent(r.resolved),
    r.closed ? `轉介 ${percent(r.referred)}・未解決 ${percent(r.unresolved)}` : "尚無結案對話"
  );
  const sat = k.satisfaction;
  tile(
    "satisfaction",
    sat.mean === null ? "—" : sat.mean.toFixed(2),
    sat.count ? `共 ${sat.count} 則評分（1–5 分）` : "尚無評分"
  );
  const fr = k.first_response;
  tile("first-response", duration(fr.median_s), fr.count ? `平均 ${duration(fr.mean_s)}` : "尚無資料");
  const ht = k.handle_time;
  tile("handle-time", duration(ht.median_s), ht.count ? `平均 ${duration(ht.mean_s)}` : "尚無資料");
  const c = k.compensation;
  tile("compensation", money(c.spent), c.budget ? `已使用預算 ${percent(c.spent / c.budget)}` : "這段期間沒有預算");
  $("tile-compensation").appendChild(el("span", "of", ` / ${money(c.budget)}`));
  const share = c.budget ? Math.min(1, c.spent / c.budget) : 0;
  const meter = $("tile-compensation-meter");
  meter.style.width = `${(share * 100).toFixed(1)}%`;
  meter.className = share >= 0.9 ? "over" : share >= 0.7 ? "high" : "";
}

const moodClass = (value) => (value <= -0.2 ? "negative" : value >= 0.2 ? "positive" : "neutral");

function acceptanceRows(table, name) {
  return Object.entries(table || {})
    .map(([key, row]) => ({ label: name(key), value: row.acceptance, note: `n=${row.shown}` }))
    .sort((a, b) => (b.value || 0) - (a.value || 0));
}

function renderCharts(k) {
  const days = k.days || [];
  const categories = days.map((d) => shortDay(d.day));
  const types = codes("complaint_types");
  for (const d of days) {
    for (const t of Object.keys(d.complaints || {})) if (!types.includes(t)) types.push(t);
  }
  draw(plot("chart-complaints"), "stackedBars", {
    label: "每日客訴類型（堆疊長條圖）",
    categories,
    yTitle: "件數",
    series: types.map((t, i) => ({
      label: complaintLabel(t),
      cls: `c${i % 6}`,
      values: days.map((d) => (d.complaints || {})[t] || 0),
    })),
  });
  draw(plot("chart-sentiment"), "line", {
    label: "每日平均情緒分數（折線圖，-1 到 1）",
    categories,
    values: days.map((d) => d.sentiment_mean),
    min: -1,
    max: 1,
    ticks: [-1, -0.5, 0, 0.5, 1],
    yTitle: "情緒分數",
    format: (v) => String(Math.round(v * 100) / 100),
    pointClass: moodClass,
    legend: [
      { label: `${label("moods", "negative")}（≤ -0.2）`, cls: "dot negative" },
      { label: label("moods", "neutral"), cls: "dot neutral" },
      { label: `${label("moods", "positive")}（≥ 0.2）`, cls: "dot positive" },
    ],
  });
  const acceptanceLegend = [{ label: "採用率＝（直接採用＋修改後採用）÷ 顯示次數", cls: "accept" }];
  draw(plot("chart-technique"), "hBars", {
    label: "各溝通技巧的建議採用率（橫條圖）",
    rows: acceptanceRows(k.acceptance_by_technique, (t) => label("techniques", t)),
    legend: acceptanceLegend,
  });
  draw(plot("chart-type"), "hBars", {
    label: "各客訴類型的建議採用率（橫條圖）",
    rows: acceptanceRows(k.acceptance_by_complaint_type, complaintLabel),
    legend: acceptanceLegend,
  });
  draw(plot("chart-compensation"), "barsWithLine", {
    label: "每日補償支出與預算",
    categories,
    yTitle: "新台幣（元）",
    bars: { label: "補償支出", cls: "spent", values: days.map((d) => d.spent || 0) },
    line: { label: "當日預算", cls: "budget", values: days.map((d) => d.budget || 0) },
    format: (v) => Number(v).toLocaleString("en-US"),
  });
  const dist = (k.satisfaction && k.satisfaction.distribution) || {};
  const stars = ["1", "2", "3", "4", "5"];
  draw(plot("chart-satisfaction"), "bars", {
    label: "顧客滿意度分布（長條圖）",
    categories: stars.map((n) => `${n} 分`),
    values: stars.map((n) => dist[n] || 0),
    cls: "rating",
    unit: " 則",
    yTitle: "評分則數",
    emptyText: "這段期間沒有顧客評分",
  });
}

// the first time the tab is shown: the last seven days; later, the charts at the width
// the tab now has
export function showKpis(first) {
  if (!first) {
    redraw();
    return;
  }
  lastDays($("kpi-from"), $("kpi-to"), 7);
  load();
}

// what a supervisor may filter and an agent is told
export function prepareKpis() {
  const boss = isSupervisor();
  $("kpi-agent-field").hidden = !boss;
  $("kpi-own").hidden = boss;
  $("kpi-agent").value = "";
}

async function downloadCsv() {
  const name = `kefu-kpis-${$("kpi-from").value}-${$("kpi-to").value}.csv`;
  if (await download(`/kpis.csv?${query()}`, name)) toast("已下載 CSV");
}

export function bindKpis() {
  for (const button of document.querySelectorAll(".presets [data-days]")) {
    button.addEventListener("click", () => {
      lastDays($("kpi-from"), $("kpi-to"), Number(button.dataset.days));
      load();
    });
  }
  $("kpi-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  const csv = $("kpi-csv");
  csv.addEventListener("click", () => whileBusy(csv, downloadCsv));
}
