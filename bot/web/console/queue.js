// The queue on the left: the conversations this agent may see, by tab (進行中, 新進,
// 待回覆, 已結案), with unread dots and escalation flags; a click opens one.

import { api } from "../staff/api.js";
import { $, clock, el, on, shortId } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { current } from "../staff/session.js";
import { closeLibrary } from "./library.js";
import { resetComposer } from "./composer.js";
import { loadDetail } from "./conversation.js";
import { state } from "./state.js";

const FILTERS = ["open", "new", "waiting", "closed"];

const inFilter = (row, filter) =>
  filter === "open" ? row.status !== "closed" : row.status === filter;

export function setFilter(filter) {
  state.filter = filter;
  for (const tab of document.querySelectorAll(".queue-tabs .tab")) {
    tab.setAttribute("aria-selected", tab.dataset.filter === filter ? "true" : "false");
  }
  renderQueue();
}

export async function refreshQueue() {
  if (!current()) return;
  const result = await api("GET", "/conversations");
  if (result.status !== 200) return;
  state.queue = result.data.conversations || [];
  renderQueue();
}

// many updates in a burst make one refresh
export function scheduleQueueRefresh() {
  clearTimeout(state.queueTimer);
  state.queueTimer = setTimeout(refreshQueue, 150);
}

function queueItem(row) {
  const cid = row.conversation_id;
  const button = el("button", "queue-item");
  button.type = "button";
  button.dataset.cid = cid;
  button.setAttribute("aria-current", cid === state.selected ? "true" : "false");
  const top = el("div", "row");
  top.append(
    el("span", "cid", shortId(cid, 10, 8)),
    el("span", `badge ${row.status}`, label("statuses", row.status))
  );
  button.appendChild(top);
  if (row.last_message) {
    top.title = cid;
    const who = row.last_message.role === "agent" ? "您：" : "";
    button.appendChild(el("div", "preview", who + row.last_message.text));
  }
  const sub = el("div", "row sub");
  sub.appendChild(el("span", "", row.agent ? `負責：${row.agent}` : "未指派"));
  const right = el("span", "");
  if (state.flagged[cid]) right.appendChild(el("span", "flag", "升級 "));
  if (state.unread[cid]) {
    const dot = el("span", "unread");
    dot.title = "有新訊息";
    right.appendChild(dot);
  }
  right.appendChild(document.createTextNode(` ${clock(row.updated)}`));
  sub.appendChild(right);
  button.appendChild(sub);
  const item = el("li");
  item.appendChild(button);
  return item;
}

export function renderQueue() {
  for (const filter of FILTERS) {
    const count = state.queue.filter((row) => inFilter(row, filter)).length;
    document.querySelector(`[data-count="${filter}"]`).textContent = count ? String(count) : "";
  }
  const rows = state.queue.filter((row) => inFilter(row, state.filter));
  $("queue-list").replaceChildren(...rows.map(queueItem));
  $("queue-empty").hidden = rows.length > 0;
}

export function select(cid) {
  if (state.selected !== cid) {
    state.briefing = null;
    resetComposer();
    closeLibrary(false);
  }
  state.selected = cid;
  delete state.unread[cid];
  renderQueue();
  loadDetail(cid);
}

export function bindQueue() {
  on(document.querySelector(".queue-tabs"), "click", ".tab", (_, tab) => setFilter(tab.dataset.filter));
  on($("queue-list"), "click", ".queue-item", (_, item) => select(item.dataset.cid));
}
