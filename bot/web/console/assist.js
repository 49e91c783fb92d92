// The assist panel on the right: the escalation warning, the analysis of the latest
// customer message (complaint type, mood and its trend, stage), alerts and the facts of
// the customer and order, then the suggestions, policy articles and compensation options.

import { $, el, money, on, SVG_NS } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { renderOptions } from "./compensation.js";
import { insertText } from "./composer.js";
import { renderSuggestions } from "./suggestions.js";
import { mine, state } from "./state.js";

const INFO_ALERTS = ["tier", "birthday", "history"];

export function renderAssist() {
  const a = state.detail.assist;
  $("assist-empty").hidden = Boolean(a);
  $("assist").hidden = !a;
  if (!a) return;
  const analysis = a.analysis || {};
  renderEscalation(analysis);

  $("complaint").textContent = analysis.complaint_label || "尚未判斷";
  const sentiment = analysis.sentiment || {};
  const mood = analysis.sentiment_label || (sentiment.label ? label("moods", sentiment.label) : "—");
  const score = typeof sentiment.score === "number" ? `（${sentiment.score.toFixed(2)}）` : "";
  $("sentiment").textContent = mood + score;
  $("stage").textContent = a.stage_label || label("stages", a.stage) || "—";
  drawTrend(analysis.sentiment_trend || []);

  const alerts = (a.alerts || []).filter((alert) => alert.kind !== "escalation");
  $("alerts").replaceChildren(
    ...alerts.map((alert) => el("li", INFO_ALERTS.includes(alert.kind) ? "info" : "", alert.text))
  );
  renderContext(a.context || {});
  renderSuggestions();
  renderKnowledge();
  renderOptions();
}

function renderEscalation(analysis) {
  const banner = $("escalation");
  const escalating = analysis.escalated || (analysis.escalation && analysis.escalation.flag);
  banner.hidden = !escalating;
  banner.replaceChildren();
  if (!escalating) return;
  const cues = (analysis.escalation && analysis.escalation.cues) || [];
  const said = cues.length ? `顧客提到：${cues.join("、")}。` : "";
  banner.append("⚠ 客訴升級警示", el("small", "", `${said}先安撫，必要時轉主管處理。`));
}

function renderContext(ctx) {
  const facts = [];
  const fact = (name, value) => facts.push(el("dt", "", name), el("dd", "", value));
  if (ctx.customer) fact("顧客", ctx.customer.title + (ctx.customer.tier ? `（${ctx.customer.tier}）` : ""));
  if (ctx.order) {
    fact("訂單", `${ctx.order.id}・${ctx.order.date}`);
    fact("商品", (ctx.order.products || []).join("、"));
    fact("訂單金額", money(ctx.order.value));
  }
  $("context").replaceChildren(...facts);
}

// the policy articles that fit the customer's latest message (docs/knowledge.md);
// 「插入」 puts the article's text into the composer, after what is already there
function articles() {
  const a = state.detail && state.detail.assist;
  return a && state.detail.status !== "closed" ? a.knowledge || [] : [];
}

function renderKnowledge() {
  const items = articles();
  const cards = items.map((article) => {
    const card = el("li", "article");
    card.dataset.articleId = article.id;
    const insert = el("button", "secondary", "插入");
    insert.type = "button";
    insert.disabled = !mine();
    const buttons = el("div", "buttons");
    buttons.appendChild(insert);
    card.append(
      el("strong", "title", article.title),
      el("p", "", article.text),
      el("small", "source", `依據：${article.source}`),
      buttons
    );
    return card;
  });
  $("knowledge").replaceChildren(...cards);
  $("knowledge-empty").hidden = items.length > 0;
}

// the mood of each customer message, -1 (below) to 1 (above)
function drawTrend(scores) {
  const svg = $("trend");
  const shape = (tag, attrs) => {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    return node;
  };
  const [w, h, pad] = [240, 70, 8];
  svg.replaceChildren(shape("line", { x1: pad, x2: w - pad, y1: h / 2, y2: h / 2, class: "axis" }));
  if (!scores.length) return;
  const step = scores.length > 1 ? (w - 2 * pad) / (scores.length - 1) : 0;
  const points = scores.map((score, i) => [
    scores.length > 1 ? pad + i * step : w / 2,
    h / 2 - Math.max(-1, Math.min(1, score)) * (h / 2 - pad),
    score,
  ]);
  if (points.length > 1) {
    const line = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
    svg.appendChild(shape("polyline", { points: line, class: "line-path" }));
  }
  for (const [x, y, score] of points) {
    const cls = score <= -0.2 ? "dot-negative" : score >= 0.2 ? "dot-positive" : "dot-neutral";
    const dot = shape("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 3.5, class: cls });
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = score.toFixed(2);
    dot.appendChild(title);
    svg.appendChild(dot);
  }
}

export function bindAssist() {
  on($("knowledge"), "click", ".article button", (_, node) => {
    const id = node.closest(".article").dataset.articleId;
    const article = articles().find((item) => String(item.id) === id);
    if (article) insertText(article.text);
  });
}
