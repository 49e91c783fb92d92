// The reply library (docs/replies.md). A "/" typed into the empty composer opens a search
// over every reply template, policy article and the agent's own snippets (GET /replies),
// filled with this conversation's details; ↑/↓ move, Enter or a click puts the chosen
// text into the composer in place of the "/", Esc closes and leaves the composer as it was.

import { api, failed } from "../staff/api.js";
import { $, el, on, toast } from "../staff/dom.js";
import { setReply } from "./composer.js";
import { mine, state } from "./state.js";

const library = { open: false, results: [], active: -1, seq: 0, timer: null };
const q = () => $("library-q");
const list = () => $("library-results");
const status = (text) => {
  $("library-status").textContent = text;
};

export function openLibrary() {
  if (!mine() || library.open) return;
  library.open = true;
  $("library").hidden = false;
  q().value = "";
  $("library-technique").value = "";
  $("library-stage").value = "";
  q().focus();
  search();
}

export function closeLibrary(focusReply) {
  if (!library.open) return;
  library.open = false;
  library.seq += 1; // an answer still on its way is not shown
  clearTimeout(library.timer);
  $("library").hidden = true;
  library.results = [];
  library.active = -1;
  list().replaceChildren();
  status("");
  if (focusReply) $("reply").focus();
}

async function search() {
  clearTimeout(library.timer);
  const seq = ++library.seq;
  const args = new URLSearchParams();
  const words = q().value.trim();
  if (words) args.set("q", words);
  if ($("library-technique").value) args.set("technique", $("library-technique").value);
  if ($("library-stage").value) args.set("stage", $("library-stage").value);
  if (state.selected) args.set("conversation_id", state.selected);
  status("搜尋中…");
  list().setAttribute("aria-busy", "true");
  const result = await api("GET", `/replies?${args}`);
  if (seq !== library.seq || !library.open) return;
  list().setAttribute("aria-busy", "false");
  if (result.status !== 200) {
    library.results = [];
    render();
    status((result.data && result.data.error) || "回覆庫暫時無法使用");
    return;
  }
  library.results = result.data.results || [];
  library.active = library.results.length ? 0 : -1;
  render();
  status(library.results.length ? `共 ${library.results.length} 筆` : "找不到相符的回覆，換個關鍵字試試");
}

function itemLabel(item) {
  if (item.kind === "knowledge") return `規定・${item.title || ""}`;
  if (item.kind === "snippet") return "我的常用回覆";
  return (item.technique_label || item.technique) + (item.stage_label ? `・${item.stage_label}` : "");
}

function render() {
  const rows = library.results.map((item, i) => {
    const active = i === library.active;
    const row = el("li", `library-item${active ? " active" : ""}`);
    row.id = `library-item-${i}`;
    row.setAttribute("role", "option");
    row.setAttribute("aria-selected", active ? "true" : "false");
    row.dataset.id = item.id;
    row.dataset.kind = item.kind;
    row.dataset.index = String(i);
    row.appendChild(el("span", "library-label", itemLabel(item)));
    if (item.kind === "snippet") {
      const remove = el("button", "quiet library-delete", "刪除");
      remove.type = "button";
      row.appendChild(remove);
    }
    row.appendChild(el("p", "library-text", item.text));
    return row;
  });
  list().replaceChildren(...rows);
  if (library.active >= 0) {
    q().setAttribute("aria-activedescendant", `library-item-${library.active}`);
    const active = $(`library-item-${library.active}`);
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
  } else {
    q().removeAttribute("aria-activedescendant");
  }
}

function chooseFromLibrary(index) {
  const item = library.results[index];
  if (!item || !mine()) return;
  state.chosen = null;
  state.tabIndex = -1;
  // the "/" that opened the library is replaced
  const before = $("reply").value;
  closeLibrary(false);
  setReply(before === "/" || before === "" ? item.text : before + item.text);
}

async function deleteSnippet(id) {
  const result = await api("DELETE", `/snippets/${encodeURIComponent(id)}`);
  if (result.status !== 200) {
    failed(result, "無法刪除，請再試一次");
    return;
  }
  toast("已刪除這則常用回覆");
  q().focus();
  search();
}

function onKey(event) {
  if (event.isComposing) return;
  const count = library.results.length;
  if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    closeLibrary(true);
  } else if (event.key === "ArrowDown" && count) {
    event.preventDefault();
    library.active = (library.active + 1) % count;
    render();
  } else if (event.key === "ArrowUp" && count) {
    event.preventDefault();
    library.active = (library.active - 1 + count) % count;
    render();
  } else if (event.key === "Enter" && event.target === q()) {
    event.preventDefault(); // never submits the composer
    if (library.active >= 0) chooseFromLibrary(library.active);
  }
}

export function bindLibrary() {
  q().addEventListener("input", () => {
    clearTimeout(library.timer);
    library.seq += 1; // an answer for the words before is no longer shown
    list().setAttribute("aria-busy", "true");
    library.timer = setTimeout(search, 250);
  });
  $("library-technique").addEventListener("change", search);
  $("library-stage").addEventListener("change", search);
  $("library").addEventListener("keydown", onKey);
  // keep the focus in the search box; the click chooses
  on(list(), "mousedown", ".library-item", (event) => event.preventDefault());
  on(list(), "click", ".library-item", (event, row) => {
    if (event.target.closest(".library-delete")) deleteSnippet(row.dataset.id);
    else chooseFromLibrary(Number(row.dataset.index));
  });
}
