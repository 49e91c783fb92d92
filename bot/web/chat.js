// The customer chat: Rasa's socket.io protocol (session_request / session_confirm,
// user_uttered / bot_uttered) plus `kefu_history`, which this server sends when a
// session is resumed so a reconnect or a reload shows everything the agent sent.
// Every text from outside goes into the page with textContent, never as HTML.
(function () {
  "use strict";

  var MAX_CHARS = 2000;
  var SESSION_KEY = "kefu.chat.session";
  var WELCOME = "您好，歡迎使用線上客服！請描述您遇到的問題，客服專員會盡快回覆您。";
  var RATING = /^評分 ([1-5])$/;

  var list = document.getElementById("messages");
  var input = document.getElementById("input");
  var send = document.getElementById("send");
  var form = document.getElementById("composer");
  var status = document.getElementById("status");
  var notice = document.getElementById("notice");
  var rating = document.getElementById("rating");
  var ratingButtons = document.getElementById("rating-buttons");
  var ended = document.getElementById("ended");

  var sessionId = null;
  var closed = false;
  var socket = io({ path: "/socket.io" });

  function timeOf(ts) {
    var date = ts ? new Date(ts * 1000) : new Date();
    return date.toLocaleTimeString("zh-TW", { hour: "2-digit", minute: "2-digit" });
  }

  function add(role, text, ts) {
    var item = document.createElement("li");
    item.className = "msg msg-" + role;
    if (role === "agent") {
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = "客服專員";
      item.appendChild(who);
    }
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = text;
    item.appendChild(bubble);
    if (role !== "system") {
      var time = document.createElement("time");
      time.textContent = timeOf(ts);
      item.appendChild(time);
    }
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function reset() {
    list.replaceChildren();
    add("system", WELCOME);
    rating.hidden = true;
    ended.hidden = true;
    closed = false;
  }

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function setEnabled(on) {
    input.disabled = !on;
    send.disabled = !on || !input.value.trim();
  }

  function showRating() {
    closed = true;
    ratingButtons.replaceChildren();
    [5, 4, 3, 2, 1].forEach(function (score) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "★ " + score + " 分";
      button.dataset.score = String(score);
      button.addEventListener("click", function () {
        socket.emit("user_uttered", { message: "評分 " + score, session_id: sessionId });
        add("customer", "我給這次的服務 " + score + " 分");
        showEnded();
      });
      ratingButtons.appendChild(button);
    });
    rating.hidden = false;
    ended.hidden = true;
    list.scrollTop = list.scrollHeight;
  }

  function showEnded() {
    closed = true;
    rating.hidden = true;
    ended.hidden = false;
    list.scrollTop = list.scrollHeight;
  }

  socket.on("connect", function () {
    setStatus("online", "已連線，客服專員會在這裡回覆您");
    notice.textContent = "";
    socket.emit("session_request", { session_id: sessionId || localStorage.getItem(SESSION_KEY) });
  });

  socket.on("session_confirm", function (id) {
    var resumed = id === (sessionId || localStorage.getItem(SESSION_KEY));
    sessionId = id;
    localStorage.setItem(SESSION_KEY, id);
    if (!resumed || list.children.length === 0) {
      reset();
    }
    setEnabled(true);
  });

  // sent on a resumed session: the whole conversation so far, replacing what is shown
  socket.on("kefu_history", function (data) {
    reset();
    (data.messages || []).forEach(function (m) {
      add(m.role === "agent" ? "agent" : "customer", m.text, m.ts);
    });
    if (data.status === "closed") {
      if (data.rated) {
        showEnded();
      } else {
        showRating();
      }
    }
  });

  socket.on("bot_uttered", function (data) {
    if (!data || typeof data.text !== "string") {
      return;
    }
    add("agent", data.text);
    var replies = Array.isArray(data.quick_replies) ? data.quick_replies : [];
    if (replies.some(function (r) { return RATING.test(r.payload); })) {
      showRating();
    }
  });

  socket.on("disconnect", function () {
    setStatus("offline", "連線中斷，正在重新連線…");
    setEnabled(false);
  });

  socket.io.on("reconnect_attempt", function () {
    setStatus("connecting", "正在重新連線…");
  });

  input.addEventListener("input", function () {
    send.disabled = input.disabled || !input.value.trim();
    var length = input.value.length;
    notice.textContent = length > MAX_CHARS
      ? "訊息太長了（" + length + " 字），每則上限 " + MAX_CHARS + " 字，請分成幾則傳送。"
      : "";
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !sessionId || !socket.connected) {
      return;
    }
    if (text.length > MAX_CHARS) {
      notice.textContent = "訊息太長了，每則上限 " + MAX_CHARS + " 字，請分成幾則傳送。";
      return;
    }
    socket.emit("user_uttered", { message: text, session_id: sessionId });
    add("customer", text);
    input.value = "";
    input.style.height = "auto";
    send.disabled = true;
    if (closed) {
      rating.hidden = true;
    }
  });

  document.getElementById("restart").addEventListener("click", function () {
    localStorage.removeItem(SESSION_KEY);
    sessionId = null;
    list.replaceChildren();
    socket.emit("session_request", { session_id: null });
  });
})();
