// Small DOM and format helpers shared by the staff pages. Every text from outside goes
// into the page with textContent (el, option), never as HTML.

export const $ = (id) => document.getElementById(id);
export const SVG_NS = "http://www.w3.org/2000/svg";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function option(value, text) {
  const node = el("option", "", text);
  node.value = value;
  return node;
}

export const money = (value) => `NT$${Number(value || 0).toLocaleString("en-US")}`;

// the time of day in Taiwan of a Unix timestamp in seconds
export function clock(ts) {
  if (!ts) return "";
  return new Date(ts * 1000).toLocaleTimeString("zh-TW", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "Asia/Taipei",
  });
}

// a long conversation id cut to its first `keep` characters
export const shortId = (cid, max, keep) => (cid.length > max ? `${cid.slice(0, keep)}…` : cid);

let toastTimer = null;
export function toast(text, bad = false) {
  const node = $("toast");
  node.textContent = text;
  node.className = bad ? "toast bad" : "toast";
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 4000);
}

// event delegation: one listener on `container` serves every element matching `selector`
// inside it, also those a later render puts there; handler(event, matched element)
export function on(container, type, selector, handler) {
  container.addEventListener(type, (event) => {
    const target = event.target instanceof Element ? event.target.closest(selector) : null;
    if (target && container.contains(target)) handler(event, target);
  });
}

// `work` run with `buttons` disabled, so that a double click acts once
export async function whileBusy(buttons, work) {
  const all = Array.isArray(buttons) ? buttons : [buttons];
  all.forEach((b) => (b.disabled = true));
  try {
    return await work();
  } finally {
    all.forEach((b) => (b.disabled = false));
  }
}
