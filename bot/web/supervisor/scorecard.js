// The QA scorecard of a closed conversation, on top of the review's detail pane: each
// item met, not met or not applicable, with its evidence and how it was judged; a
// supervisor may override an item, and the score is computed again by the server.

import { api, failed } from "../staff/api.js";
import { $, clock, el, on, option, toast } from "../staff/dom.js";
import { codes, label } from "../staff/labels.js";
import { cell } from "./format.js";
import { selection } from "./selection.js";

// met is true, false or null; the labels are keyed by its JSON
const metText = (met) => label("qa_met", String(met));
const metClass = (met) => (met === true ? "met" : met === false ? "unmet" : "na");

function overridden(o) {
  const note = o.note ? `：${o.note}` : "";
  return `主管 ${o.by} 於 ${clock(o.at)} 改判為「${metText(o.met)}」（系統原判「${metText(o.was)}」）${note}`;
}

function overrideForm(item) {
  const form = el("form", "qa-override");
  const select = el("select");
  select.setAttribute("aria-label", `改判「${item.label}」`);
  select.append(...codes("qa_met").map((code) => option(code, label("qa_met", code))));
  select.value = String(item.met);
  const save = el("button", "secondary", "改判");
  save.type = "submit";
  form.append(select, save);
  return form;
}

function itemRow(item) {
  const tr = el("tr", `qa-item ${metClass(item.met)}`);
  tr.dataset.criterion = item.criterion;
  const why = el("div", "qa-evidence");
  why.append(el("p", "", item.evidence), el("span", `qa-basis ${item.basis}`, label("qa_bases", item.basis)));
  if (item.overridden_by) why.appendChild(el("p", "qa-overridden", overridden(item.overridden_by)));
  tr.append(
    cell("項目", "qa-label", item.label),
    cell("結果", "", el("span", `qa-met ${metClass(item.met)}`, metText(item.met))),
    cell("依據", "", why),
    cell("主管改判", "", overrideForm(item))
  );
  return tr;
}

export function renderScorecard(card) {
  $("detail-qa").hidden = !card;
  $("detail-qa-none").hidden = Boolean(card);
  if (!card) return;
  $("detail-qa-score").textContent = card.score === null ? "無適用項目" : `${card.score} 分`;
  $("detail-qa-items").replaceChildren(...card.items.map(itemRow));
}

async function override(form) {
  const cid = selection.cid;
  const criterion = form.closest(".qa-item").dataset.criterion;
  const item = selection.detail.qa.items.find((i) => i.criterion === criterion);
  const save = form.querySelector("button");
  save.disabled = true;
  const body = { criterion, met: JSON.parse(form.querySelector("select").value) };
  const result = await api("POST", `/review/conversations/${encodeURIComponent(cid)}/qa`, body);
  save.disabled = false;
  if (result.status !== 200) {
    failed(result, "無法儲存改判");
    return;
  }
  if (selection.cid !== cid) return;
  selection.detail.qa = result.data.qa;
  renderScorecard(result.data.qa);
  toast(`已改判「${item.label}」，分數已重新計算`);
}

export function bindScorecard() {
  on($("detail-qa-items"), "submit", "form.qa-override", (event, form) => {
    event.preventDefault();
    override(form);
  });
}
