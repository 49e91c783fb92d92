// The composer under the transcript: what the agent writes, where it came from (a
// suggestion, as is or edited), the keys (Tab or 1–3 take a suggestion, / opens the
// reply library, Enter sends, Shift+Enter a new line) and saving a snippet.

import { api, failed } from "../staff/api.js";
import { $, toast } from "../staff/dom.js";
import { loadDetail } from "./conversation.js";
import { openLibrary } from "./library.js";
import { choose, suggestions } from "./suggestions.js";
import { mine, state } from "./state.js";

const reply = () => $("reply");
let sending = false;

// the line above the composer: which suggestion it holds, and whether it was edited
export function updateSource() {
  const text = reply().value;
  const source = $("composer-source");
  if (state.chosen && !text) state.chosen = null;
  source.hidden = !state.chosen;
  if (state.chosen) {
    const as = text === state.chosen.text ? "（可直接送出或修改）" : "（已修改）";
    source.textContent = `使用建議・技巧：${state.chosen.label}${as}`;
  }
}

// `text` put into the composer (and the caret after it); the suggestion, if any, is kept
export function setReply(text) {
  const box = reply();
  box.value = text;
  box.focus();
  box.setSelectionRange(text.length, text.length);
  updateSource();
}

// `text` added after what is already in the composer
export function insertText(text) {
  if (!mine()) return;
  const before = reply().value;
  setReply(before ? before.replace(/\s+$/, "") + text : text);
}

export function resetComposer() {
  state.chosen = null;
  state.tabIndex = -1;
  reply().value = "";
  updateSource();
}

async function sendReply() {
  const text = reply().value.trim();
  if (!text || sending || !mine()) return;
  sending = true;
  $("send").disabled = true;
  const body = { conversation_id: state.selected, text };
  if (state.chosen) body.suggestion_id = state.chosen.id;
  const result = await api("POST", "/reply", body);
  sending = false;
  $("send").disabled = false;
  if (result.status !== 200) {
    failed(result, "訊息沒有送出，請再試一次");
    return;
  }
  if (!result.data.relayed) toast("已記錄，但顧客目前不在線上聊天室");
  resetComposer();
  if (!result.data.deferred) loadDetail(state.selected);
}

// the agent's own snippets: what is in the composer is kept for later searches
async function saveSnippet() {
  const text = reply().value.trim();
  if (!text || text === "/") {
    toast("請先在輸入框輸入要儲存的回覆", true);
    return;
  }
  const result = await api("POST", "/snippets", { text });
  if (result.status !== 201) {
    failed(result, "無法儲存，請再試一次");
    return;
  }
  toast("已存為常用回覆，輸入 / 就能搜尋");
}

function onKey(event) {
  if ($("close-dialog").open || $("app").hidden || !state.detail) return;
  const target = event.target;
  const box = reply();
  const typing =
    target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
  const plain = !event.ctrlKey && !event.altKey && !event.metaKey;
  if (target === box && event.key === "Tab" && !event.shiftKey && plain) {
    const untouched = box.value === "" || (state.chosen && box.value === state.chosen.text);
    const count = suggestions().length;
    if (untouched && count) {
      event.preventDefault();
      choose((state.tabIndex + 1) % count);
    }
  } else if (target === box && event.key === "Enter" && !event.shiftKey && !event.isComposing && plain) {
    event.preventDefault();
    sendReply();
  } else if (!typing && plain && /^[1-3]$/.test(event.key)) {
    const index = Number(event.key) - 1;
    if (suggestions()[index] && mine()) {
      event.preventDefault();
      choose(index);
    }
  }
}

export function bindComposer() {
  reply().addEventListener("input", () => {
    if (reply().value === "/") openLibrary();
    updateSource();
  });
  document.addEventListener("keydown", onKey);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  $("save-snippet").addEventListener("click", saveSnippet);
}
