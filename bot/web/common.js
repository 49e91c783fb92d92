// Shared by the agent console and the supervisor pages: the login kept for the tab, the
// REST client of the assist API, and small DOM and format helpers. Every text from
// outside goes into the page with textContent (el), never as HTML.
window.Kefu = (function () {
  "use strict";

  var AUTH_KEY = "kefu.console.auth";
  var SUPERVISOR_ROLES = ["supervisor", "manager"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function money(value) {
    return "NT$" + Number(value || 0).toLocaleString("en-US");
  }

  function clock(ts) {
    if (!ts) return "";
    return new Date(ts * 1000).toLocaleTimeString("zh-TW", {
      hour: "2-digit", minute: "2-digit", timeZone: "Asia/Taipei",
    });
  }

  var toastTimer = null;
  function toast(text, bad) {
    var node = document.getElementById("toast");
    node.textContent = text;
    node.className = bad ? "toast bad" : "toast";
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.hidden = true; }, 4000);
  }

  function isSupervisor(auth) {
    return !!auth && SUPERVISOR_ROLES.indexOf(auth.role) >= 0;
  }

  // the login of this tab (sessionStorage: it ends with the tab)
  var session = {
    load: function () {
      try { return JSON.parse(sessionStorage.getItem(AUTH_KEY)); } catch (error) { return null; }
    },
    save: function (auth) { sessionStorage.setItem(AUTH_KEY, JSON.stringify(auth)); },
    clear: function () { sessionStorage.removeItem(AUTH_KEY); },
  };

  // api(method, path, body) → {status, data}; a 401 calls onExpired (the token ran out)
  function client(getAuth, onExpired) {
    return async function api(method, path, body) {
      var headers = { "Content-Type": "application/json" };
      var auth = getAuth();
      if (auth) headers.Authorization = "Bearer " + auth.token;
      var res;
      try {
        res = await fetch("/webhooks/assist" + path, {
          method: method,
          headers: headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        return { status: 0, data: { error: "無法連線到伺服器，請檢查網路後再試" } };
      }
      var data = {};
      try { data = await res.json(); } catch (error) { data = {}; }
      if (res.status === 401 && path !== "/login") onExpired();
      return { status: res.status, data: data };
    };
  }

  // the login form (#login-form, #username, #password, #login-error, #login-button):
  // on success the login is kept for the tab and handed to loggedIn
  function bindLogin(api, loggedIn) {
    var $ = function (id) { return document.getElementById(id); };
    $("login-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      var username = $("username").value.trim();
      $("login-error").textContent = "";
      $("login-button").disabled = true;
      var result = await api("POST", "/login", { username: username, password: $("password").value });
      $("login-button").disabled = false;
      if (result.status !== 200) {
        $("login-error").textContent = result.data.error || "登入失敗，請再試一次";
        return;
      }
      var auth = {
        token: result.data.token,
        username: username,
        name: result.data.name,
        role: result.data.role,
        role_label: result.data.role_label,
      };
      session.save(auth);
      $("password").value = "";
      loggedIn(auth);
    });
  }

  return {
    el: el, money: money, clock: clock, toast: toast, isSupervisor: isSupervisor,
    session: session, client: client, bindLogin: bindLogin,
  };
})();
