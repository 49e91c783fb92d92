// The suggested replies of the turn: 「帶入」 (or Tab, or 1–3) puts one into the composer,
// 「不適用」 records that it did not fit and hides it.

import { api, failed } from "../staff/api.js";
import { $, el, on } from "../staff/dom.js";
import { setReply, updateSource } from "./composer.js";
import { mine, state } from "./state.js";

// the suggestions still offered: none on a closed conversation, none dismissed
export function suggestions() {
  const a = state.detail && state.detail.assist;
  if (!a || state.detail.status === "closed") return [];
  return (a.suggestions || []).filter((s) => !state.dismissed[s.id]);
}

function button(text, className, act) {
  const node = el("button", className, text);
  node.type = "button";
  node.dataset.act = act;
  node.disabled = !mine();
  return node;
}

export function renderSuggestions() {
  const items = suggestions();
  const cards = items.map((s, i) => {
    const chosen = state.chosen && state.chosen.id === s.id;
    const card = el("li", `suggestion${chosen ? " chosen" : ""}`);
    card.dataset.suggestionId = s.id;
    const head = el("div", "head");
    head.append(el("kbd", "", String(i + 1)), el("span", "technique", s.technique_label || s.technique));
    const buttons = el("div", "buttons");
    buttons.append(button("帶入", "secondary", "use"), button("不適用", "quiet", "dismiss"));
    card.append(head, el("p", "", s.text), buttons);
    return card;
  });
  $("suggestions").replaceChildren(...cards);
  $("suggestions-empty").hidden = items.length > 0;
}

export function choose(index) {
  const s = suggestions()[index];
  if (!mine() || !s) return;
  state.chosen = { id: s.id, text: s.text, label: s.technique_label || s.technique };
  state.tabIndex = index;
  setReply(s.text);
  renderSuggestions();
}

async function dismiss(s) {
  const body = { conversation_id: state.selected, suggestion_id: s.id, action: "dismissed" };
  const result = await api("POST", "/outcome", body);
  if (result.status !== 200) {
    failed(result, "無法記錄");
    return;
  }
  state.dismissed[s.id] = true;
  if (state.chosen && state.chosen.id === s.id) state.chosen = null;
  updateSource();
  renderSuggestions();
}

export function bindSuggestions() {
  on($("suggestions"), "click", "button[data-act]", (_, node) => {
    const id = node.closest(".suggestion").dataset.suggestionId;
    const index = suggestions().findIndex((s) => s.id === id);
    if (index < 0) return;
    if (node.dataset.act === "use") choose(index);
    else dismiss(suggestions()[index]);
  });
}
