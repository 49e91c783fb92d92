// Compensation in the assist panel: the options the server suggests for this turn, each
// within the agent's authority (「提供給顧客」) or to be approved by a supervisor
// (「申請核准」), then whether the customer accepted; and what the conversation was
// already granted or asked approval for.

import { api, failed } from "../staff/api.js";
import { $, el, money, on, toast, whileBusy } from "../staff/dom.js";
import { updateSource } from "./composer.js";
import { loadDetail } from "./conversation.js";
import { mine, state } from "./state.js";

const PENDING = "已送出核准申請，等待主管決定";

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}

const offered = () => (state.detail.assist && state.detail.assist.compensation) || [];

function optionState(option) {
  const d = state.detail;
  const granted = (d.granted || []).some((g) => g.option_id === option.id);
  const approval = (d.approvals || []).find((a) => a.option_id === option.id) || null;
  return { granted, approval };
}

function button(text, className, act) {
  const node = el("button", className, text);
  node.type = "button";
  node.dataset.act = act;
  return node;
}

function stateText(s, key) {
  let text = "";
  if (s.granted) text = s.approval && s.approval.status === "approved" ? "主管已核准，已提供" : "已提供給顧客";
  else if (s.approval && s.approval.status === "pending") text = PENDING;
  else if (s.approval && s.approval.status === "denied") text = "主管未核准";
  if (state.responded[key]) text += `・${state.responded[key]}`;
  return text;
}

function optionItem(option, open) {
  const item = el("li", "option");
  item.dataset.optionId = option.id;
  const head = el("div", "head");
  head.append(el("span", "label", option.label), el("span", "cost", `成本 ${money(option.cost)}`));
  item.appendChild(head);
  const within = option.within_authority;
  item.appendChild(el("span", within ? "mark ok" : "mark approval", within ? "可直接提供" : "需主管核准"));
  if (!within && option.reason) item.appendChild(el("p", "reason", option.reason));

  const s = optionState(option);
  const key = `${state.selected}:${option.id}`;
  const text = stateText(s, key);
  if (text) item.appendChild(el("p", "state", text));

  const buttons = el("div", "buttons");
  if (open && mine()) {
    const waiting = s.approval && s.approval.status === "pending";
    if (!s.granted && within) buttons.appendChild(button("提供給顧客", "", "grant"));
    else if (!s.granted && !waiting) buttons.appendChild(button("申請核准", "secondary", "grant"));
    if (s.granted && !state.responded[key]) {
      buttons.append(button("顧客接受", "secondary", "accepted"), button("顧客婉拒", "quiet", "declined"));
    }
  }
  item.appendChild(buttons);
  return item;
}

function doneItem(optionId, name, text) {
  const item = el("li", "option done");
  item.dataset.optionId = optionId;
  item.append(el("span", "label", name), el("p", "state", text));
  return item;
}

export function renderOptions() {
  const d = state.detail;
  const options = offered();
  const items = options.map((option) => optionItem(option, d.status !== "closed"));
  // what this conversation already granted or asked approval for, when the current
  // turn no longer suggests it
  const shown = new Set(options.map((o) => o.id));
  for (const g of d.granted || []) {
    if (shown.has(g.option_id)) continue;
    shown.add(g.option_id);
    const text = `${g.approval_id ? "主管已核准，" : ""}已提供（${money(g.cost)}）`;
    items.push(doneItem(g.option_id, g.label, text));
  }
  for (const a of d.approvals || []) {
    if (shown.has(a.option_id)) continue;
    shown.add(a.option_id);
    items.push(doneItem(a.option_id, a.label, a.status === "pending" ? PENDING : "主管未核准"));
  }
  $("options").replaceChildren(...items);
  $("options-empty").hidden = items.length > 0;
}

async function grant(option) {
  const cid = state.selected;
  const key = `${cid}:${option.id}`;
  // one key per option and conversation: a double click or a retry never grants twice
  state.keys[key] = state.keys[key] || newKey();
  const body = { conversation_id: cid, option_id: option.id, idempotency_key: state.keys[key] };
  const result = await api("POST", "/compensation/grant", body);
  if (result.status === 200) {
    await api("POST", "/outcome", { conversation_id: cid, suggestion_id: option.id, action: "offered" });
    const reply = $("reply");
    if (!reply.value) {
      reply.value = `為了表達我們的歉意，我們可以為您提供「${option.label}」，您看這樣可以嗎？`;
      state.chosen = null;
      updateSource();
    }
    toast(`已提供「${option.label}」`);
  } else if (result.status === 403 && result.data.approval_id) {
    toast(`已送出核准申請：${result.data.reason || ""}`);
  } else {
    failed(result, "無法提供這個方案");
  }
  loadDetail(cid);
}

async function respond(option, action) {
  const cid = state.selected;
  const body = { conversation_id: cid, suggestion_id: option.id, action };
  const result = await api("POST", "/outcome", body);
  if (result.status !== 200) {
    failed(result, "無法記錄");
    return;
  }
  state.responded[`${cid}:${option.id}`] = action === "accepted" ? "顧客已接受" : "顧客婉拒";
  renderOptions();
}

export function bindCompensation() {
  on($("options"), "click", "button[data-act]", (_, node) => {
    const id = node.closest(".option").dataset.optionId;
    const option = offered().find((o) => o.id === id);
    if (!option) return;
    const act = node.dataset.act;
    whileBusy(node, () => (act === "grant" ? grant(option) : respond(option, act)));
  });
}
