// A suggestion in the review's transcript: what the agent did with it, and the
// supervisor's 👍 / 👎 (a 👎 asks why, optionally), which feeds the replies' review.

import { api, failed } from "../staff/api.js";
import { $, el, on, SVG_NS, toast, whileBusy } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { selection } from "./selection.js";

// 👍 / 👎 drawn as SVG, so that they show on machines without an emoji font
const THUMB =
  "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06" +
  "L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05" +
  "c.09-.23.14-.47.14-.73v-2z";

function thumb(kind, name, pressed) {
  const button = el("button", `thumb ${kind}`);
  button.type = "button";
  button.title = name;
  button.setAttribute("aria-label", name);
  button.setAttribute("aria-pressed", pressed ? "true" : "false");
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", THUMB);
  if (kind === "bad") path.setAttribute("transform", "rotate(180 12 12)");
  svg.appendChild(path);
  button.appendChild(svg);
  return button;
}

function whyForm() {
  const form = el("form", "why-form");
  form.hidden = true;
  const input = el("input");
  input.type = "text";
  input.maxLength = 500;
  input.placeholder = "哪裡不好？（選填，例如：語氣太生硬）";
  input.setAttribute("aria-label", "不好的原因");
  const send = el("button", "", "送出");
  send.type = "submit";
  const cancel = el("button", "quiet cancel", "取消");
  cancel.type = "button";
  form.append(input, send, cancel);
  return form;
}

export function suggestionItem(s) {
  const li = el("li", "sug");
  li.dataset.suggestionId = s.id;
  li.dataset.outcome = s.outcome;
  const verdict = s.rating && s.rating.verdict;
  const rate = el("span", "rate");
  rate.append(thumb("good", "好建議", verdict === "good"), thumb("bad", "不好的建議", verdict === "bad"));
  const head = el("div", "head");
  head.append(
    el("span", "technique", s.technique_label || label("techniques", s.technique)),
    el("span", `chip use-${s.outcome}`, label("suggestion_uses", s.outcome)),
    rate
  );
  li.append(head, el("p", "text", s.text));
  if (verdict === "bad" && s.rating.reason) li.appendChild(el("p", "why", `原因：${s.rating.reason}`));
  li.appendChild(whyForm());
  return li;
}

// the suggestion of a .sug element, from the conversation on screen
function suggestionOf(li) {
  const turns = (selection.detail && selection.detail.turns) || [];
  for (const turn of turns) {
    const found = (turn.suggestions || []).find((s) => s.id === li.dataset.suggestionId);
    if (found) return found;
  }
  return null;
}

async function rate(li, verdict, reason) {
  const s = suggestionOf(li);
  if (!s) return;
  const body = { conversation_id: selection.cid, suggestion_id: s.id, verdict };
  if (reason) body.reason = reason;
  const result = await api("POST", "/review/suggestion-ratings", body);
  if (result.status !== 200) {
    failed(result, "無法記錄評價");
    return;
  }
  s.rating = result.data;
  li.replaceWith(suggestionItem(s));
  toast(verdict === "good" ? "已標記為好建議" : "已標記為不好的建議");
}

export function bindRatings() {
  const turns = $("detail-turns");
  on(turns, "click", ".sug .thumb.good", (_, button) => whileBusy(button, () => rate(button.closest(".sug"), "good")));
  on(turns, "click", ".sug .thumb.bad", (_, button) => {
    const form = button.closest(".sug").querySelector(".why-form");
    form.hidden = false;
    form.querySelector("input").focus();
  });
  on(turns, "click", ".why-form .cancel", (_, button) => {
    button.closest(".why-form").hidden = true;
  });
  on(turns, "submit", ".why-form", (event, form) => {
    event.preventDefault();
    const reason = form.querySelector("input").value.trim();
    whileBusy(form.querySelector("button[type=submit]"), () => rate(form.closest(".sug"), "bad", reason));
  });
}
