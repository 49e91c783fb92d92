// The REST client of the assist API (/webhooks/assist/…). The bearer token of the tab's
// login (session.js hands it over with useToken) goes with every call; a 401 on any call
// but the login itself means the token ran out and calls the onExpired handler.

import { el, toast } from "./dom.js";

const BASE = "/webhooks/assist";
const OFFLINE = "無法連線到伺服器，請檢查網路後再試";
let token = null;
let expired = () => {};

export const useToken = (value) => {
  token = value;
};
export const onExpired = (handler) => {
  expired = handler;
};

const authorization = () => (token ? { Authorization: `Bearer ${token}` } : {});

// api(method, path, body) → {status, data}; status 0 when the server could not be reached
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers: { "Content-Type": "application/json", ...authorization() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { status: 0, data: { error: OFFLINE } };
  }
  let data = {};
  try {
    data = await res.json();
  } catch {
    data = {};
  }
  if (res.status === 401 && path !== "/login") expired();
  return { status: res.status, data: data || {} };
}

// the server's sentence for a refused call (or `fallback`) as a red toast
export function failed(result, fallback) {
  toast((result.data && result.data.error) || fallback, true);
}

// a file from an authenticated route: fetched with the token, saved through a temporary
// <a download> (a plain link could not send the Authorization header); the response, or
// null when it failed (and was said so)
export async function download(path, fallbackName) {
  let res;
  try {
    res = await fetch(BASE + path, { headers: authorization() });
  } catch {
    toast(OFFLINE, true);
    return null;
  }
  if (!res.ok) {
    let data = {};
    try {
      data = await res.json();
    } catch {
      data = {};
    }
    if (res.status === 401) expired();
    else toast(data.error || "下載失敗，請再試一次", true);
    return null;
  }
  const match = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
  const url = URL.createObjectURL(await res.blob());
  const link = el("a");
  link.href = url;
  link.download = match ? match[1] : fallbackName;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return res;
}
