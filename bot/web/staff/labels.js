// The label of every code the server sends (complaint types, techniques, stages, moods,
// statuses, outcomes, suggestion uses, QA verdicts and bases), read once at start from
// GET /labels: bot/labels.py is the one source, no page keeps a table of its own.

import { api } from "./api.js";
import { option, toast } from "./dom.js";

let tables = {};

export async function loadLabels() {
  const result = await api("GET", "/labels");
  if (result.status === 200) tables = result.data;
  else toast("無法讀取標籤名稱，畫面上先顯示代碼", true);
}

// the label of `code` in `table`; the code itself when the table has none for it
export function label(table, code) {
  const names = tables[table] || {};
  return Object.prototype.hasOwnProperty.call(names, code) ? names[code] : code;
}

export const codes = (table) => Object.keys(tables[table] || {});

// every <select data-options="table"> gets one option per code of the table, after the
// options the page wrote itself (such as 「全部」); the choice made is kept
export function fillSelects(root = document) {
  for (const select of root.querySelectorAll("select[data-options]")) {
    const chosen = select.value;
    select.querySelectorAll("option[data-code]").forEach((node) => node.remove());
    for (const code of codes(select.dataset.options)) {
      const node = option(code, label(select.dataset.options, code));
      node.dataset.code = "";
      select.appendChild(node);
    }
    select.value = chosen;
  }
}
