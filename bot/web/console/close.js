// Closing a conversation: the dialog asks for the resolution (and a note), shows what
// was granted, and the server then asks the customer for a rating.

import { api } from "../staff/api.js";
import { $, el, money, toast } from "../staff/dom.js";
import { label } from "../staff/labels.js";
import { loadDetail } from "./conversation.js";
import { refreshQueue } from "./queue.js";
import { state } from "./state.js";

function openDialog() {
  const granted = (state.detail && state.detail.granted) || [];
  const items = granted.map((g) => el("li", "", `${g.label}（${money(g.cost)}）`));
  $("close-granted").replaceChildren(...(items.length ? items : [el("li", "", "無")]));
  $("close-error").textContent = "";
  $("close-note").value = "";
  $("close-dialog").showModal();
}

async function submit(event) {
  event.preventDefault();
  const cid = state.selected;
  const resolution = document.querySelector('input[name="resolution"]:checked').value;
  const body = { resolution };
  const note = $("close-note").value.trim();
  if (note) body.note = note;
  $("close-confirm").disabled = true;
  const result = await api("POST", `/conversations/${encodeURIComponent(cid)}/close`, body);
  $("close-confirm").disabled = false;
  if (result.status !== 200) {
    $("close-error").textContent = result.data.error || "無法結案，請再試一次";
    return;
  }
  $("close-dialog").close();
  const seconds = result.data.handle_time_s;
  const minutes = seconds ? `，處理 ${Math.max(1, Math.round(seconds / 60))} 分鐘` : "";
  toast(`已結案（${label("outcomes", resolution)}${minutes}），已請顧客評分`);
  loadDetail(cid);
  refreshQueue();
}

export function bindClose() {
  $("close").addEventListener("click", openDialog);
  $("close-cancel").addEventListener("click", () => $("close-dialog").close());
  $("close-form").addEventListener("submit", submit);
}
