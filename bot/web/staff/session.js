// The login of this tab (sessionStorage: it ends with the tab) and the one login form of
// the staff pages (#login-form, #username, #password, #login-error, #login-button), the
// name in the top bar and the logout button. Whether the account is a supervisor is the
// server's word (the login answer's `supervisor`, from data/policy/roles.yml).

import { api, onExpired, useToken } from "./api.js";
import { $ } from "./dom.js";

const KEY = "kefu.console.auth";
let auth = null;
let hooks = { started: () => {}, ended: () => {} };

export const current = () => auth;
export const isSupervisor = () => Boolean(auth && auth.supervisor);

// a login kept by an older page, without the server's `supervisor`, is not used
function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY));
    return saved && saved.token && typeof saved.supervisor === "boolean" ? saved : null;
  } catch {
    return null;
  }
}

function begin(next) {
  auth = next;
  useToken(auth.token);
  $("login").hidden = true;
  $("app").hidden = false;
  $("me-name").textContent = auth.name || auth.username;
  $("me-role").textContent = auth.role_label || auth.role;
  hooks.started(auth);
}

// end the login and show the form again, with `message` (empty for a plain logout)
export function logout(message = "") {
  sessionStorage.removeItem(KEY);
  auth = null;
  useToken(null);
  hooks.ended();
  $("app").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
}

async function submit(event) {
  event.preventDefault();
  const username = $("username").value.trim();
  $("login-error").textContent = "";
  $("login-button").disabled = true;
  const result = await api("POST", "/login", { username, password: $("password").value });
  $("login-button").disabled = false;
  if (result.status !== 200) {
    $("login-error").textContent = result.data.error || "登入失敗，請再試一次";
    return;
  }
  const { token, name, role, role_label, supervisor } = result.data;
  const next = { token, username, name, role, role_label, supervisor: supervisor === true };
  sessionStorage.setItem(KEY, JSON.stringify(next));
  $("password").value = "";
  begin(next);
}

// bind the form and the logout button; started(auth) after a login (or at once, when the
// tab is still logged in), ended() after a logout or when the token ran out
export function startSession({ started, ended }) {
  hooks = { started, ended };
  onExpired(() => logout("登入已過期，請重新登入"));
  $("login-form").addEventListener("submit", submit);
  $("logout").addEventListener("click", () => logout());
  const saved = load();
  if (saved) begin(saved);
}
