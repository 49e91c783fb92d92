// The agent console. It talks to the server only through the REST assist API
// (/webhooks/assist/…, bearer token) and the socket.io namespace /agent, which pushes
// `conversation_update` whenever a conversation changes. The server stays the source of
// truth: an update (or a reconnect) makes the console fetch the conversation again, so a
// dropped connection loses nothing. Every text from outside is put in with textContent.
(function () {
  "use strict";

  var K = window.Kefu;
  var el = K.el, money = K.money, clock = K.clock, toast = K.toast;
  var STATUS = { new: "新進", active: "處理中", waiting: "待回覆", closed: "已結案" };
  var MOOD = { negative: "負面", neutral: "中性", positive: "正面" };
  var RESOLUTION = { resolved: "已解決", referred: "已轉介", unresolved: "未解決" };

  var $ = function (id) { return document.getElementById(id); };
  var reply = $("reply");
  var closeDialog = $("close-dialog");

  var state = {
    auth: null,
    socket: null,
    filter: "open",
    queue: [],
    selected: null,
    detail: null,
    loadSeq: 0,
    unread: {},
    flagged: {},
    chosen: null,
    tabIndex: -1,
    dismissed: {},
    keys: {},
    responded: {},
    queueTimer: null,
    // newest messages a conversation view asks for (the server sends 100 by default);
    // "earlier messages" raises it for that conversation
    last: {},
    // a conversation just taken over from another agent: its summary is shown first
    briefing: null,
    briefed: false,
  };

  // ---------- small helpers ----------

  function shortId(cid) {
    return cid.length > 10 ? cid.slice(0, 8) + "…" : cid;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function isSupervisor() {
    return K.isSupervisor(state.auth);
  }

  var api = K.client(
    function () { return state.auth; },
    function () { logout("登入已過期，請重新登入"); }
  );

  // ---------- login ----------

  K.bindLogin(api, function (auth) {
    state.auth = auth;
    start();
  });

  $("logout").addEventListener("click", function () { logout(""); });

  function logout(message) {
    K.session.clear();
    if (state.socket) {
      state.socket.disconnect();
      state.socket = null;
    }
    state.auth = null;
    state.selected = null;
    state.detail = null;
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
  }

  function start() {
    $("login").hidden = true;
    $("app").hidden = false;
    $("me-name").textContent = state.auth.name || state.auth.username;
    $("me-role").textContent = state.auth.role_label || state.auth.role;
    setFilter(state.filter);
    connect();
    refreshQueue();
  }

  // ---------- live updates ----------

  function setConnection(stateName, text) {
    var node = $("connection");
    node.dataset.state = stateName;
    node.textContent = text;
  }

  function connect() {
    var socket = io("/agent", { path: "/socket.io", auth: { token: state.auth.token } });
    state.socket = socket;
    socket.on("connect", function () {
      setConnection("online", "即時連線中");
      // after a reconnect: fetch everything again, nothing sent meanwhile is lost
      refreshQueue();
      if (state.selected) loadDetail(state.selected);
    });
    socket.on("disconnect", function () {
      setConnection("offline", "連線中斷，正在重新連線…");
    });
    socket.on("connect_error", async function () {
      setConnection("offline", "無法連線，正在重試…");
      if (!socket.active) {
        // the server refused the namespace: the token is no longer valid, or it restarted
        var check = await api("GET", "/conversations");
        if (check.status !== 401 && state.socket === socket) {
          setTimeout(function () { if (state.socket === socket) socket.connect(); }, 2000);
        }
      }
    });
    socket.on("conversation_update", function (update) {
      if (!update || typeof update.conversation_id !== "string") return;
      var cid = update.conversation_id;
      var analysis = update.assist && update.assist.analysis;
      if (analysis && (analysis.escalated || (analysis.escalation && analysis.escalation.flag))) {
        state.flagged[cid] = true;
      }
      if (cid === state.selected) {
        if (update.degraded && update.message) showRelayed(update.message);
        else loadDetail(cid);
      } else if (update.message && update.message.role === "customer") {
        state.unread[cid] = true;
      }
      scheduleQueueRefresh();
    });
  }

  function scheduleQueueRefresh() {
    clearTimeout(state.queueTimer);
    state.queueTimer = setTimeout(refreshQueue, 150);
  }

  // ---------- the queue ----------

  document.querySelectorAll(".tab").forEach(function (tab) {
    tab.addEventListener("click", function () { setFilter(tab.dataset.filter); });
  });

  function setFilter(filter) {
    state.filter = filter;
    document.querySelectorAll(".tab").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.filter === filter ? "true" : "false");
    });
    renderQueue();
  }

  function inFilter(row, filter) {
    if (filter === "open") return row.status !== "closed";
    return row.status === filter;
  }

  async function refreshQueue() {
    if (!state.auth) return;
    var result = await api("GET", "/conversations");
    if (result.status !== 200) return;
    state.queue = result.data.conversations || [];
    renderQueue();
  }

  function renderQueue() {
    var list = $("queue-list");
    list.replaceChildren();
    ["open", "new", "waiting", "closed"].forEach(function (filter) {
      var count = state.queue.filter(function (row) { return inFilter(row, filter); }).length;
      document.querySelector('[data-count="' + filter + '"]').textContent = count ? String(count) : "";
    });
    var rows = state.queue.filter(function (row) { return inFilter(row, state.filter); });
    rows.forEach(function (row) {
      var item = el("li");
      var button = el("button", "queue-item");
      button.type = "button";
      button.dataset.cid = row.conversation_id;
      button.setAttribute("aria-current", row.conversation_id === state.selected ? "true" : "false");
      var top = el("div", "row");
      top.appendChild(el("span", "cid", shortId(row.conversation_id)));
      top.appendChild(el("span", "badge " + row.status, STATUS[row.status] || row.status));
      if (row.last_message) {
        top.title = row.conversation_id;
        button.appendChild(top);
        top = el("div", "preview", (row.last_message.role === "agent" ? "您：" : "") + row.last_message.text);
      }
      var sub = el("div", "row sub");
      sub.appendChild(el("span", "", row.agent ? "負責：" + row.agent : "未指派"));
      var right = el("span", "");
      if (state.flagged[row.conversation_id]) right.appendChild(el("span", "flag", "升級 "));
      if (state.unread[row.conversation_id]) {
        var dot = el("span", "unread");
        dot.title = "有新訊息";
        right.appendChild(dot);
      }
      right.appendChild(document.createTextNode(" " + clock(row.updated)));
      sub.appendChild(right);
      button.appendChild(top);
      button.appendChild(sub);
      button.addEventListener("click", function () { select(row.conversation_id); });
      item.appendChild(button);
      list.appendChild(item);
    });
    $("queue-empty").hidden = rows.length > 0;
  }

  function select(cid) {
    if (state.selected !== cid) {
      state.briefing = null;
      state.chosen = null;
      state.tabIndex = -1;
      reply.value = "";
      updateSource();
      closeLibrary(false);
    }
    state.selected = cid;
    delete state.unread[cid];
    renderQueue();
    loadDetail(cid);
  }

  // ---------- one conversation ----------

  async function loadDetail(cid) {
    var seq = ++state.loadSeq;
    var query = state.last[cid] ? "?last=" + state.last[cid] : "";
    var result = await api("GET", "/conversations/" + encodeURIComponent(cid) + query);
    if (seq !== state.loadSeq || cid !== state.selected) return;
    if (result.status !== 200) {
      toast(result.data.error || "無法讀取這個對話", true);
      return;
    }
    state.detail = result.data;
    renderConversation();
    renderAssist();
  }

  function mine() {
    return state.detail && state.detail.agent === state.auth.username;
  }

  function renderConversation() {
    var d = state.detail;
    $("no-selection").hidden = true;
    $("conversation").hidden = false;
    $("conv-title").textContent = "對話 " + shortId(d.conversation_id);
    $("conv-title").title = d.conversation_id;
    var meta = (STATUS[d.status] || d.status) + "・" + (d.agent ? "負責客服：" + d.agent : "尚未指派");
    if (d.rating) meta += "・顧客評分 " + d.rating + " 分";
    $("conv-meta").textContent = meta;

    var claim = $("claim");
    var open = d.status !== "closed";
    claim.hidden = !open || mine() || (d.agent && !isSupervisor());
    claim.textContent = d.agent ? "改由我處理" : "接手對話";
    $("close").hidden = !open || !(mine() || isSupervisor());

    var canReply = open && mine();
    reply.disabled = !canReply;
    $("send").disabled = !canReply;
    $("composer-hint").textContent = !open
      ? "這個對話已結案"
      : canReply
        ? "Tab 或 1–3 帶入建議・/ 搜尋回覆庫・Enter 送出・Shift+Enter 換行"
        : d.agent
          ? "這個對話由 " + d.agent + " 處理"
          : "請先接手對話再回覆";

    renderSummary(d);

    var list = $("transcript");
    list.replaceChildren();
    if (d.messages_from > 0) list.appendChild(earlierLine(d));
    (d.messages || []).forEach(function (m) { list.appendChild(lineFor(m)); });
    list.scrollTop = list.scrollHeight;
  }

  // the case summary (docs/case-summary.md) on top: what the server read from the stored
  // case, one line each; whoever just took the conversation over is shown it first
  function renderSummary(d) {
    var box = $("summary");
    var summary = d.summary;
    box.hidden = !summary;
    if (!summary) return;
    var list = $("summary-lines");
    list.replaceChildren();
    String(summary.text || "").split("\n").forEach(function (text) {
      var cut = text.indexOf("：");
      var line = el("li", cut > 0 && text.slice(0, cut) === "待辦" ? "todo" : "");
      if (cut > 0 && cut <= 4) {
        line.appendChild(el("span", "label", text.slice(0, cut)));
        line.appendChild(el("span", "", text.slice(cut + 1)));
      } else {
        line.appendChild(el("span", "", text));
      }
      list.appendChild(line);
    });
    var briefing = state.briefing === d.conversation_id;
    box.classList.toggle("briefing-on", briefing);
    $("summary-briefing").hidden = !briefing;
    $("summary-briefing").textContent = briefing ? "您剛接手這個對話，請先看過案件摘要再回覆顧客" : "";
    if (briefing && !state.briefed) {
      state.briefed = true;
      box.scrollIntoView({ block: "start" });
      box.focus();
    }
  }

  // only the newest messages come with each update: the older ones on request
  function earlierLine(d) {
    var line = el("li", "earlier");
    var button = el("button", "quiet", "顯示較早的 " + d.messages_from + " 則訊息");
    button.type = "button";
    button.addEventListener("click", function () {
      state.last[d.conversation_id] = Math.min(d.messages_total, 2000);
      loadDetail(d.conversation_id);
    });
    line.appendChild(button);
    return line;
  }

  function lineFor(m) {
    var line = el("li", "line line-" + (m.role === "agent" ? "agent" : "customer"));
    line.appendChild(el("div", "bubble", m.text));
    var info = el("div", "info");
    info.appendChild(el("span", "", clock(m.ts)));
    if (m.role === "customer" && m.sentiment) {
      info.appendChild(el("span", "mood " + m.sentiment.label,
        (MOOD[m.sentiment.label] || m.sentiment.label) + " " + Number(m.sentiment.score).toFixed(2)));
    }
    if (m.role === "agent") {
      if (m.agent) info.appendChild(el("span", "", m.agent));
      if (m.technique_label) info.appendChild(el("span", "", "技巧：" + m.technique_label));
      if (m.suggestion_id) info.appendChild(el("span", "", m.edited ? "建議（已修改）" : "建議原文"));
    }
    line.appendChild(info);
    return line;
  }

  // Redis away (bot/channels/degraded.py): the message is relayed but cannot be read
  // back yet; show it as it came, the suggestions follow when the server catches up
  function showRelayed(message) {
    var list = $("transcript");
    var line = lineFor(message);
    line.classList.add("pending");
    list.appendChild(line);
    list.scrollTop = list.scrollHeight;
    toast("資料庫暫時無法連線：訊息照常轉送，建議與紀錄會在恢復後補上", true);
  }

  $("claim").addEventListener("click", async function () {
    var cid = state.selected;
    var takingOver = !!(state.detail && state.detail.agent && !mine());
    var result = await api("POST", "/conversations/" + encodeURIComponent(cid) + "/claim");
    if (result.status !== 200) {
      toast(result.data.error || "無法接手這個對話", true);
    } else {
      toast("已接手對話");
      if (takingOver) {  // from another agent: the summary first, what has happened so far
        state.briefing = cid;
        state.briefed = false;
      }
    }
    loadDetail(cid);
    refreshQueue();
  });

  // ---------- the assist panel ----------

  function renderAssist() {
    var d = state.detail;
    var a = d.assist;
    $("assist-empty").hidden = !!a;
    $("assist").hidden = !a;
    if (!a) return;
    var analysis = a.analysis || {};

    var banner = $("escalation");
    var escalating = analysis.escalated || (analysis.escalation && analysis.escalation.flag);
    banner.hidden = !escalating;
    banner.replaceChildren();
    if (escalating) {
      banner.appendChild(document.createTextNode("⚠ 客訴升級警示"));
      var cues = (analysis.escalation && analysis.escalation.cues) || [];
      banner.appendChild(el("small", "",
        (cues.length ? "顧客提到：" + cues.join("、") + "。" : "") + "先安撫，必要時轉主管處理。"));
    }

    $("complaint").textContent = analysis.complaint_label || "尚未判斷";
    var sentiment = analysis.sentiment || {};
    $("sentiment").textContent = (analysis.sentiment_label || MOOD[sentiment.label] || "—") +
      (typeof sentiment.score === "number" ? "（" + sentiment.score.toFixed(2) + "）" : "");
    $("stage").textContent = a.stage_label || a.stage || "—";
    drawTrend(analysis.sentiment_trend || []);

    var alerts = $("alerts");
    alerts.replaceChildren();
    (a.alerts || []).forEach(function (alert) {
      if (alert.kind === "escalation") return;
      var info = ["tier", "birthday", "history"].indexOf(alert.kind) >= 0;
      alerts.appendChild(el("li", info ? "info" : "", alert.text));
    });

    var context = $("context");
    context.replaceChildren();
    var ctx = a.context || {};
    function fact(name, value) {
      context.appendChild(el("dt", "", name));
      context.appendChild(el("dd", "", value));
    }
    if (ctx.customer) fact("顧客", ctx.customer.title + (ctx.customer.tier ? "（" + ctx.customer.tier + "）" : ""));
    if (ctx.order) {
      fact("訂單", ctx.order.id + "・" + ctx.order.date);
      fact("商品", (ctx.order.products || []).join("、"));
      fact("訂單金額", money(ctx.order.value));
    }

    renderSuggestions();
    renderKnowledge();
    renderOptions();
  }

  // the policy articles that fit the customer's latest message (docs/knowledge.md);
  // 「插入」 puts the article's text into the composer, after what is already there
  function renderKnowledge() {
    var a = state.detail && state.detail.assist;
    var items = a && state.detail.status !== "closed" ? (a.knowledge || []) : [];
    var list = $("knowledge");
    list.replaceChildren();
    items.forEach(function (article) {
      var card = el("li", "article");
      card.dataset.articleId = article.id;
      card.appendChild(el("strong", "title", article.title));
      card.appendChild(el("p", "", article.text));
      card.appendChild(el("small", "source", "依據：" + article.source));
      var insert = el("button", "secondary", "插入");
      insert.type = "button";
      insert.disabled = !mine();
      insert.addEventListener("click", function () { insertText(article.text); });
      var buttons = el("div", "buttons");
      buttons.appendChild(insert);
      card.appendChild(buttons);
      list.appendChild(card);
    });
    $("knowledge-empty").hidden = items.length > 0;
  }

  function insertText(text) {
    if (!mine()) return;
    reply.value = reply.value ? reply.value.replace(/\s+$/, "") + text : text;
    reply.focus();
    reply.setSelectionRange(reply.value.length, reply.value.length);
    updateSource();
  }

  // ---------- the reply library (docs/replies.md) ----------
  // A "/" typed into the empty composer opens a search over every reply template and
  // policy article (GET /replies), filled with this conversation's details; ↑/↓ move,
  // Enter or a click puts the chosen text into the composer in place of the "/", Esc
  // closes and leaves the composer as it was.

  var library = {
    open: false, results: [], active: -1, seq: 0, timer: null,
    box: $("library"), q: $("library-q"), technique: $("library-technique"),
    stage: $("library-stage"), list: $("library-results"), status: $("library-status"),
  };

  function openLibrary() {
    if (!mine() || library.open) return;
    library.open = true;
    library.box.hidden = false;
    library.q.value = "";
    library.technique.value = "";
    library.stage.value = "";
    library.q.focus();
    searchLibrary();
  }

  function closeLibrary(focusReply) {
    if (!library.open) return;
    library.open = false;
    library.seq += 1; // an answer still on its way is not shown
    clearTimeout(library.timer);
    library.box.hidden = true;
    library.results = [];
    library.active = -1;
    library.list.replaceChildren();
    library.status.textContent = "";
    if (focusReply) reply.focus();
  }

  async function searchLibrary() {
    clearTimeout(library.timer);
    var seq = ++library.seq;
    var args = new URLSearchParams();
    var q = library.q.value.trim();
    if (q) args.set("q", q);
    if (library.technique.value) args.set("technique", library.technique.value);
    if (library.stage.value) args.set("stage", library.stage.value);
    if (state.selected) args.set("conversation_id", state.selected);
    library.status.textContent = "搜尋中…";
    library.list.setAttribute("aria-busy", "true");
    var result = await api("GET", "/replies?" + args.toString());
    if (seq !== library.seq || !library.open) return;
    library.list.setAttribute("aria-busy", "false");
    if (result.status !== 200) {
      library.results = [];
      renderLibrary();
      library.status.textContent = (result.data && result.data.error) || "回覆庫暫時無法使用";
      return;
    }
    library.results = result.data.results || [];
    library.active = library.results.length ? 0 : -1;
    renderLibrary();
    library.status.textContent = library.results.length
      ? "共 " + library.results.length + " 筆"
      : "找不到相符的回覆，換個關鍵字試試";
  }

  function renderLibrary() {
    var list = library.list;
    list.replaceChildren();
    library.results.forEach(function (item, i) {
      var row = el("li", "library-item" + (i === library.active ? " active" : ""));
      row.id = "library-item-" + i;
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", i === library.active ? "true" : "false");
      row.dataset.id = item.id;
      row.dataset.kind = item.kind;
      var label = item.kind === "knowledge"
        ? "規定・" + (item.title || "")
        : item.kind === "snippet"
          ? "我的常用回覆"
          : (item.technique_label || item.technique) + (item.stage_label ? "・" + item.stage_label : "");
      row.appendChild(el("span", "library-label", label));
      if (item.kind === "snippet") {
        var remove = el("button", "quiet library-delete", "刪除");
        remove.type = "button";
        remove.addEventListener("click", function (event) {
          event.stopPropagation();
          deleteSnippet(item.id);
        });
        row.appendChild(remove);
      }
      row.appendChild(el("p", "library-text", item.text));
      // keep the focus in the search box; the click chooses
      row.addEventListener("mousedown", function (event) { event.preventDefault(); });
      row.addEventListener("click", function () { chooseFromLibrary(i); });
      list.appendChild(row);
    });
    if (library.active >= 0) {
      library.q.setAttribute("aria-activedescendant", "library-item-" + library.active);
      var active = $("library-item-" + library.active);
      if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
    } else {
      library.q.removeAttribute("aria-activedescendant");
    }
  }

  function chooseFromLibrary(index) {
    var item = library.results[index];
    if (!item || !mine()) return;
    state.chosen = null;
    state.tabIndex = -1;
    // the "/" that opened the library is replaced
    reply.value = reply.value === "/" || reply.value === "" ? item.text : reply.value + item.text;
    closeLibrary(true);
    reply.setSelectionRange(reply.value.length, reply.value.length);
    updateSource();
  }

  reply.addEventListener("input", function () {
    if (reply.value === "/" && !library.open) openLibrary();
  });

  // the agent's own snippets: what is in the composer is kept for later searches
  $("save-snippet").addEventListener("click", async function () {
    var text = reply.value.trim();
    if (!text || text === "/") {
      toast("請先在輸入框輸入要儲存的回覆", true);
      return;
    }
    var result = await api("POST", "/snippets", { text: text });
    if (result.status !== 201) {
      toast((result.data && result.data.error) || "無法儲存，請再試一次", true);
      return;
    }
    toast("已存為常用回覆，輸入 / 就能搜尋");
  });

  async function deleteSnippet(id) {
    var result = await api("DELETE", "/snippets/" + encodeURIComponent(id));
    if (result.status !== 200) {
      toast((result.data && result.data.error) || "無法刪除，請再試一次", true);
      return;
    }
    toast("已刪除這則常用回覆");
    library.q.focus();
    searchLibrary();
  }

  library.q.addEventListener("input", function () {
    clearTimeout(library.timer);
    library.seq += 1; // an answer for the words before is no longer shown
    library.list.setAttribute("aria-busy", "true");
    library.timer = setTimeout(searchLibrary, 250);
  });
  library.technique.addEventListener("change", searchLibrary);
  library.stage.addEventListener("change", searchLibrary);

  library.box.addEventListener("keydown", function (event) {
    if (event.isComposing) return;
    var count = library.results.length;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closeLibrary(true);
    } else if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      library.active = (library.active + 1) % count;
      renderLibrary();
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      library.active = (library.active - 1 + count) % count;
      renderLibrary();
    } else if (event.key === "Enter" && event.target === library.q) {
      event.preventDefault(); // never submits the composer
      if (library.active >= 0) chooseFromLibrary(library.active);
    }
  });

  function drawTrend(scores) {
    var svg = $("trend");
    var ns = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    var w = 240, h = 70, pad = 8;
    var axis = document.createElementNS(ns, "line");
    axis.setAttribute("x1", pad); axis.setAttribute("x2", w - pad);
    axis.setAttribute("y1", h / 2); axis.setAttribute("y2", h / 2);
    axis.setAttribute("class", "axis");
    svg.appendChild(axis);
    if (!scores.length) return;
    var step = scores.length > 1 ? (w - 2 * pad) / (scores.length - 1) : 0;
    var points = scores.map(function (score, i) {
      var x = scores.length > 1 ? pad + i * step : w / 2;
      var y = h / 2 - Math.max(-1, Math.min(1, score)) * (h / 2 - pad);
      return [x, y, score];
    });
    if (points.length > 1) {
      var path = document.createElementNS(ns, "polyline");
      path.setAttribute("points", points.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "));
      path.setAttribute("class", "line-path");
      svg.appendChild(path);
    }
    points.forEach(function (p) {
      var dot = document.createElementNS(ns, "circle");
      dot.setAttribute("cx", p[0].toFixed(1));
      dot.setAttribute("cy", p[1].toFixed(1));
      dot.setAttribute("r", 3.5);
      dot.setAttribute("class", p[2] <= -0.2 ? "dot-negative" : p[2] >= 0.2 ? "dot-positive" : "dot-neutral");
      var title = document.createElementNS(ns, "title");
      title.textContent = p[2].toFixed(2);
      dot.appendChild(title);
      svg.appendChild(dot);
    });
  }

  function suggestions() {
    var a = state.detail && state.detail.assist;
    if (!a || state.detail.status === "closed") return [];
    return (a.suggestions || []).filter(function (s) { return !state.dismissed[s.id]; });
  }

  function renderSuggestions() {
    var list = $("suggestions");
    list.replaceChildren();
    var items = suggestions();
    items.forEach(function (s, i) {
      var card = el("li", "suggestion" + (state.chosen && state.chosen.id === s.id ? " chosen" : ""));
      card.dataset.suggestionId = s.id;
      var head = el("div", "head");
      head.appendChild(el("kbd", "", String(i + 1)));
      head.appendChild(el("span", "technique", s.technique_label || s.technique));
      card.appendChild(head);
      card.appendChild(el("p", "", s.text));
      var buttons = el("div", "buttons");
      var use = el("button", "secondary", "帶入");
      use.type = "button";
      use.disabled = !mine();
      use.addEventListener("click", function () { choose(i); });
      var dismiss = el("button", "quiet", "不適用");
      dismiss.type = "button";
      dismiss.disabled = !mine();
      dismiss.addEventListener("click", function () { dismissSuggestion(s); });
      buttons.appendChild(use);
      buttons.appendChild(dismiss);
      card.appendChild(buttons);
      list.appendChild(card);
    });
    $("suggestions-empty").hidden = items.length > 0;
  }

  function choose(index) {
    var items = suggestions();
    if (!mine() || !items[index]) return;
    var s = items[index];
    state.chosen = { id: s.id, text: s.text, label: s.technique_label || s.technique };
    state.tabIndex = index;
    reply.value = s.text;
    reply.focus();
    reply.setSelectionRange(reply.value.length, reply.value.length);
    updateSource();
    renderSuggestions();
  }

  async function dismissSuggestion(s) {
    var result = await api("POST", "/outcome", {
      conversation_id: state.selected, suggestion_id: s.id, action: "dismissed",
    });
    if (result.status !== 200) {
      toast(result.data.error || "無法記錄", true);
      return;
    }
    state.dismissed[s.id] = true;
    if (state.chosen && state.chosen.id === s.id) state.chosen = null;
    updateSource();
    renderSuggestions();
  }

  function updateSource() {
    var source = $("composer-source");
    if (state.chosen && !reply.value) state.chosen = null;
    source.hidden = !state.chosen;
    if (state.chosen) {
      source.textContent = "使用建議・技巧：" + state.chosen.label +
        (reply.value === state.chosen.text ? "（可直接送出或修改）" : "（已修改）");
    }
  }

  reply.addEventListener("input", updateSource);

  document.addEventListener("keydown", function (event) {
    if (closeDialog.open || $("app").hidden || !state.detail) return;
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
    var plain = !event.ctrlKey && !event.altKey && !event.metaKey;
    if (target === reply && event.key === "Tab" && !event.shiftKey && plain) {
      var untouched = reply.value === "" || (state.chosen && reply.value === state.chosen.text);
      var count = suggestions().length;
      if (untouched && count) {
        event.preventDefault();
        choose((state.tabIndex + 1) % count);
      }
    } else if (target === reply && event.key === "Enter" && !event.shiftKey && !event.isComposing && plain) {
      event.preventDefault();
      sendReply();
    } else if (!typing && plain && /^[1-3]$/.test(event.key)) {
      var index = Number(event.key) - 1;
      if (suggestions()[index] && mine()) {
        event.preventDefault();
        choose(index);
      }
    }
  });

  $("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    sendReply();
  });

  var sending = false;
  async function sendReply() {
    var text = reply.value.trim();
    if (!text || sending || !mine()) return;
    sending = true;
    $("send").disabled = true;
    var body = { conversation_id: state.selected, text: text };
    if (state.chosen) body.suggestion_id = state.chosen.id;
    var result = await api("POST", "/reply", body);
    sending = false;
    $("send").disabled = false;
    if (result.status !== 200) {
      toast(result.data.error || "訊息沒有送出，請再試一次", true);
      return;
    }
    if (!result.data.relayed) toast("已記錄，但顧客目前不在線上聊天室");
    reply.value = "";
    state.chosen = null;
    state.tabIndex = -1;
    updateSource();
    if (!result.data.deferred) loadDetail(state.selected);
  }

  // ---------- compensation ----------

  function optionState(option) {
    var d = state.detail;
    var granted = (d.granted || []).some(function (g) { return g.option_id === option.id; });
    var approvals = (d.approvals || []).filter(function (a) { return a.option_id === option.id; });
    var latest = approvals.length ? approvals[0] : null;
    return { granted: granted, approval: latest };
  }

  function renderOptions() {
    var list = $("options");
    list.replaceChildren();
    var a = state.detail.assist;
    var options = (a && a.compensation) || [];
    var open = state.detail.status !== "closed";
    options.forEach(function (option) {
      var item = el("li", "option");
      item.dataset.optionId = option.id;
      var head = el("div", "head");
      head.appendChild(el("span", "label", option.label));
      head.appendChild(el("span", "cost", "成本 " + money(option.cost)));
      item.appendChild(head);
      item.appendChild(el("span", option.within_authority ? "mark ok" : "mark approval",
        option.within_authority ? "可直接提供" : "需主管核准"));
      if (!option.within_authority && option.reason) item.appendChild(el("p", "reason", option.reason));

      var s = optionState(option);
      var key = state.selected + ":" + option.id;
      var stateText = "";
      if (s.granted) stateText = s.approval && s.approval.status === "approved" ? "主管已核准，已提供" : "已提供給顧客";
      else if (s.approval && s.approval.status === "pending") stateText = "已送出核准申請，等待主管決定";
      else if (s.approval && s.approval.status === "denied") stateText = "主管未核准";
      if (state.responded[key]) stateText += "・" + state.responded[key];
      if (stateText) item.appendChild(el("p", "state", stateText));

      var buttons = el("div", "buttons");
      if (open && mine()) {
        if (!s.granted && option.within_authority) {
          buttons.appendChild(button("提供給顧客", "", function () { grant(option); }));
        } else if (!s.granted && !(s.approval && s.approval.status === "pending")) {
          buttons.appendChild(button("申請核准", "secondary", function () { grant(option); }));
        }
        if (s.granted && !state.responded[key]) {
          buttons.appendChild(button("顧客接受", "secondary", function () { respond(option, "accepted"); }));
          buttons.appendChild(button("顧客婉拒", "quiet", function () { respond(option, "declined"); }));
        }
      }
      item.appendChild(buttons);
      list.appendChild(item);
    });
    // what this conversation already granted or asked approval for, when the current
    // turn no longer suggests it
    var shown = options.map(function (o) { return o.id; });
    var d = state.detail;
    (d.granted || []).forEach(function (g) {
      if (shown.indexOf(g.option_id) >= 0) return;
      shown.push(g.option_id);
      var item = el("li", "option done");
      item.dataset.optionId = g.option_id;
      item.appendChild(el("span", "label", g.label));
      item.appendChild(el("p", "state", (g.approval_id ? "主管已核准，" : "") + "已提供（" + money(g.cost) + "）"));
      list.appendChild(item);
    });
    (d.approvals || []).forEach(function (a) {
      if (shown.indexOf(a.option_id) >= 0) return;
      shown.push(a.option_id);
      var item = el("li", "option done");
      item.dataset.optionId = a.option_id;
      item.appendChild(el("span", "label", a.label));
      item.appendChild(el("p", "state", a.status === "pending" ? "已送出核准申請，等待主管決定" : "主管未核准"));
      list.appendChild(item);
    });
    $("options-empty").hidden = list.children.length > 0;
  }

  function button(text, className, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", async function () {
      node.disabled = true;
      try { await onClick(); } finally { node.disabled = false; }
    });
    return node;
  }

  async function grant(option) {
    var cid = state.selected;
    var key = cid + ":" + option.id;
    // one key per option and conversation: a double click or a retry never grants twice
    state.keys[key] = state.keys[key] || newKey();
    var result = await api("POST", "/compensation/grant", {
      conversation_id: cid, option_id: option.id, idempotency_key: state.keys[key],
    });
    if (result.status === 200) {
      await api("POST", "/outcome", { conversation_id: cid, suggestion_id: option.id, action: "offered" });
      if (!reply.value) {
        reply.value = "為了表達我們的歉意，我們可以為您提供「" + option.label + "」，您看這樣可以嗎？";
        state.chosen = null;
        updateSource();
      }
      toast("已提供「" + option.label + "」");
    } else if (result.status === 403 && result.data.approval_id) {
      toast("已送出核准申請：" + (result.data.reason || ""));
    } else {
      toast(result.data.error || "無法提供這個方案", true);
    }
    loadDetail(cid);
  }

  async function respond(option, action) {
    var cid = state.selected;
    var result = await api("POST", "/outcome", { conversation_id: cid, suggestion_id: option.id, action: action });
    if (result.status !== 200) {
      toast(result.data.error || "無法記錄", true);
      return;
    }
    state.responded[cid + ":" + option.id] = action === "accepted" ? "顧客已接受" : "顧客婉拒";
    renderOptions();
  }

  // ---------- closing ----------

  $("close").addEventListener("click", function () {
    var list = $("close-granted");
    list.replaceChildren();
    var granted = (state.detail && state.detail.granted) || [];
    if (!granted.length) list.appendChild(el("li", "", "無"));
    granted.forEach(function (g) { list.appendChild(el("li", "", g.label + "（" + money(g.cost) + "）")); });
    $("close-error").textContent = "";
    $("close-note").value = "";
    closeDialog.showModal();
  });

  $("close-cancel").addEventListener("click", function () { closeDialog.close(); });

  $("close-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var cid = state.selected;
    var resolution = document.querySelector('input[name="resolution"]:checked').value;
    $("close-confirm").disabled = true;
    var body = { resolution: resolution };
    var note = $("close-note").value.trim();
    if (note) body.note = note;
    var result = await api("POST", "/conversations/" + encodeURIComponent(cid) + "/close", body);
    $("close-confirm").disabled = false;
    if (result.status !== 200) {
      $("close-error").textContent = result.data.error || "無法結案，請再試一次";
      return;
    }
    closeDialog.close();
    var minutes = result.data.handle_time_s ? Math.max(1, Math.round(result.data.handle_time_s / 60)) : null;
    toast("已結案（" + RESOLUTION[resolution] + (minutes ? "，處理 " + minutes + " 分鐘" : "") + "），已請顧客評分");
    loadDetail(cid);
    refreshQueue();
  });

  // ---------- start ----------

  state.auth = K.session.load();
  if (state.auth) start();
})();
