// The supervisor pages: live monitor with the approval queue, conversation review with
// corrections and suggestion ratings, and KPIs with charts. Like the agent console, they
// talk to the server only through the REST assist API (/webhooks/assist/…, bearer token)
// and the socket.io namespace /agent, whose `conversation_update` makes the monitor fetch
// the conversation list again. Agents may log in too: they see only the KPI tab, with
// their own figures (the server enforces that). Every text from outside goes in with
// textContent; the charts are drawn by charts.js.
(function () {
  "use strict";

  var K = window.Kefu;
  var el = K.el, money = K.money, clock = K.clock, toast = K.toast;
  var STATUS = { new: "新進", active: "處理中", waiting: "待回覆", closed: "已結案" };
  var MOOD = { negative: "負面", neutral: "中性", positive: "正面" };
  var OUTCOME = { resolved: "已解決", referred: "已轉介", unresolved: "未解決", open: "進行中" };
  var USE = { used: "已採用", edited: "修改後採用", dismissed: "不適用", ignored: "未使用" };
  var STAGES = {
    clarify: "釐清問題", assess: "評估影響", acknowledge: "回應與致歉", propose: "提出方案",
    agree: "確認協議", follow_up: "後續追蹤", close: "結束對話", refer: "轉介主管",
  };
  // the server's labels replace these as soon as a KPI answer brings them
  var COMPLAINTS = {
    complaint_demanding: "難處理或要求高的顧客",
    complaint_escalation: "客訴或糾紛惡化",
    complaint_price_error: "標價或報價錯誤",
    complaint_special_request: "未處理特殊要求",
    complaint_miscommunication: "誤會或溝通不良",
    complaint_defect: "服務或產品問題或瑕疵",
  };
  var TECHNIQUES = {
    clear_explanation: "清楚說明", active_listening: "主動聆聽", clarifying_question: "提問釐清",
    empathy: "同理心", paraphrase_confirm: "換句話確認", cultural_fit: "因人調整",
  };
  var VIEWS = ["monitor", "review", "kpis", "qa"];
  var MET = { true: "達成", false: "未達成", null: "不適用" };
  var BASIS = { suggestion: "依採用的建議", wording: "僅依字面判斷", record: "依系統紀錄" };
  var TAIWAN_MS = 8 * 3600 * 1000;

  var $ = function (id) { return document.getElementById(id); };

  var state = {
    auth: null,
    socket: null,
    view: null,
    started: {},
    conversations: [],
    approvals: [],
    monitorTimer: null,
    pollTimer: null,
    reviewSeq: 0,
    detailSeq: 0,
    detail: null,
    selected: null,
    kpiSeq: 0,
    qaSeq: 0,
  };

  // ---------- small helpers ----------

  function cell(label, className, content) {
    var td = el("td", className);
    td.dataset.label = label;
    if (content instanceof Node) td.appendChild(content);
    else if (content !== undefined && content !== null) td.textContent = String(content);
    return td;
  }

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%";
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    var s = Math.round(seconds);
    if (s < 60) return s + " 秒";
    if (s < 3600) return Math.floor(s / 60) + " 分 " + String(s % 60).padStart(2, "0") + " 秒";
    return Math.floor(s / 3600) + " 小時 " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + " 分";
  }

  function shortId(cid) {
    return cid.length > 12 ? cid.slice(0, 10) + "…" : cid;
  }

  function shortDay(day) {
    return day ? day.slice(5).replace("-", "/") : "";
  }

  // today in Taiwan (UTC+8, no daylight saving), the days the server counts in
  function today() {
    return new Date(Date.now() + TAIWAN_MS).toISOString().slice(0, 10);
  }

  function addDays(day, n) {
    var date = new Date(day + "T00:00:00Z");
    date.setUTCDate(date.getUTCDate() + n);
    return date.toISOString().slice(0, 10);
  }

  function complaintLabel(id) {
    if (!id) return "—";
    return COMPLAINTS[id] || (id === "none" ? "未分類" : id);
  }

  function moodNode(label, score) {
    if (!label) return el("span", "muted", "—");
    var text = MOOD[label] || label;
    if (typeof score === "number") text += " " + score.toFixed(2);
    return el("span", "mood " + label, text);
  }

  function isSupervisor() {
    return K.isSupervisor(state.auth);
  }

  var api = K.client(
    function () { return state.auth; },
    function () { logout("登入已過期，請重新登入"); }
  );

  // a file from an authenticated route: fetched with the token, saved through a
  // temporary <a download> (a plain link could not send the Authorization header)
  async function download(path, fallbackName) {
    var res;
    try {
      res = await fetch("/webhooks/assist" + path, {
        headers: { Authorization: "Bearer " + state.auth.token },
      });
    } catch (error) {
      toast("無法連線到伺服器，請檢查網路後再試", true);
      return null;
    }
    if (!res.ok) {
      var data = {};
      try { data = await res.json(); } catch (error) { data = {}; }
      if (res.status === 401) logout("登入已過期，請重新登入");
      else toast(data.error || "下載失敗，請再試一次", true);
      return null;
    }
    var name = fallbackName;
    var match = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
    if (match) name = match[1];
    var url = URL.createObjectURL(await res.blob());
    var link = el("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    return res;
  }

  function busy(button, work) {
    return async function () {
      button.disabled = true;
      try { await work.apply(null, arguments); } finally { button.disabled = false; }
    };
  }

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
    clearInterval(state.pollTimer);
    state.auth = null;
    state.started = {};
    state.view = null;
    state.detail = null;
    state.selected = null;
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
  }

  function start() {
    $("login").hidden = true;
    $("app").hidden = false;
    $("me-name").textContent = state.auth.name || state.auth.username;
    $("me-role").textContent = state.auth.role_label || state.auth.role;
    var boss = isSupervisor();
    $("tab-monitor").hidden = !boss;
    $("tab-review").hidden = !boss;
    $("tab-qa").hidden = !boss;
    $("connection").hidden = !boss;
    $("kpi-agent-field").hidden = !boss;
    $("kpi-own").hidden = boss;
    $("kpi-agent").value = "";
    if (boss) {
      connect();
      state.pollTimer = setInterval(function () {
        // a safety net for changes no socket event announces (REST-only conversations)
        if (state.view === "monitor" && !document.hidden) refreshMonitor();
      }, 20000);
    }
    var wanted = location.hash.slice(1);
    setView(allowed(wanted) ? wanted : boss ? "monitor" : "kpis");
  }

  function allowed(view) {
    return VIEWS.indexOf(view) >= 0 && (view === "kpis" || isSupervisor());
  }

  // ---------- tabs ----------

  var tabs = Array.prototype.slice.call(document.querySelectorAll(".tabs .tab"));
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () { setView(tab.dataset.view); });
    tab.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      var shown = tabs.filter(function (t) { return !t.hidden; });
      var i = shown.indexOf(tab) + (event.key === "ArrowRight" ? 1 : -1);
      var next = shown[(i + shown.length) % shown.length];
      next.focus();
      setView(next.dataset.view);
    });
  });

  window.addEventListener("hashchange", function () {
    var wanted = location.hash.slice(1);
    if (state.auth && wanted !== state.view && allowed(wanted)) setView(wanted);
  });

  function setView(view) {
    if (!allowed(view)) return;
    state.view = view;
    tabs.forEach(function (tab) {
      var on = tab.dataset.view === view;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    VIEWS.forEach(function (name) { $("view-" + name).hidden = name !== view; });
    if (location.hash !== "#" + view) history.replaceState(null, "", "#" + view);
    if (view === "monitor") refreshMonitor();
    if (view === "review" && !state.started.review) {
      state.started.review = true;
      $("review-to").value = today();
      $("review-from").value = addDays(today(), -6);
      searchReview();
    }
    if (view === "qa") {
      if (!state.started.qa) {
        state.started.qa = true;
        $("qa-to").value = today();
        $("qa-from").value = addDays(today(), -6);
        loadQa();
      } else {
        window.KefuCharts.redraw();
      }
    }
    if (view === "kpis") {
      if (!state.started.kpis) {
        state.started.kpis = true;
        setKpiRange(7);
        loadKpis();
      } else {
        window.KefuCharts.redraw();
      }
    }
  }

  // ---------- live monitor ----------

  function setConnection(name, text) {
    var node = $("connection");
    node.dataset.state = name;
    node.textContent = text;
  }

  function connect() {
    var socket = io("/agent", { path: "/socket.io", auth: { token: state.auth.token } });
    state.socket = socket;
    socket.on("connect", function () {
      setConnection("online", "即時連線中");
      refreshMonitor();
    });
    socket.on("disconnect", function () {
      setConnection("offline", "連線中斷，正在重新連線…");
    });
    socket.on("connect_error", async function () {
      setConnection("offline", "無法連線，正在重試…");
      if (!socket.active) {
        var check = await api("GET", "/conversations");
        if (check.status !== 401 && state.socket === socket) {
          setTimeout(function () { if (state.socket === socket) socket.connect(); }, 2000);
        }
      }
    });
    socket.on("conversation_update", function (update) {
      if (!update || typeof update.conversation_id !== "string") return;
      clearTimeout(state.monitorTimer);
      state.monitorTimer = setTimeout(refreshMonitor, 250);
    });
  }

  var monitorSeq = 0;
  async function refreshMonitor() {
    if (!isSupervisor()) return;
    var seq = ++monitorSeq;
    var results = await Promise.all([api("GET", "/conversations"), api("GET", "/approvals?status=pending")]);
    if (seq !== monitorSeq || !state.auth) return;
    if (results[0].status === 200) {
      state.conversations = results[0].data.conversations || [];
      renderLive();
    }
    if (results[1].status === 200) {
      state.approvals = results[1].data.approvals || [];
      renderApprovals();
    }
    $("monitor-updated").textContent = "更新於 " + new Date().toLocaleTimeString("zh-TW", { timeZone: "Asia/Taipei" });
  }

  function renderLive() {
    var rows = state.conversations.filter(function (row) { return row.status !== "closed"; });
    rows.sort(function (a, b) {
      if (a.escalated !== b.escalated) return a.escalated ? -1 : 1;
      return (b.updated || 0) - (a.updated || 0);
    });
    $("count-open").textContent = rows.length;
    $("count-escalated").textContent = rows.filter(function (r) { return r.escalated; }).length;
    $("count-negative").textContent = rows.filter(function (r) {
      return r.sentiment && r.sentiment.label === "negative";
    }).length;
    var body = $("live-rows");
    body.replaceChildren();
    rows.forEach(function (row) {
      var tr = el("tr", "live-row" + (row.escalated ? " escalated" : ""));
      tr.dataset.cid = row.conversation_id;
      tr.tabIndex = 0;
      tr.title = "查看對話內容";
      var status = el("span", "badges");
      status.appendChild(el("span", "badge " + row.status, STATUS[row.status] || row.status));
      if (row.escalated) status.appendChild(el("span", "badge alert", "⚠ 升級"));
      tr.appendChild(cell("狀態", "", status));
      var id = el("span", "cid", shortId(row.conversation_id));
      id.title = row.conversation_id;
      tr.appendChild(cell("對話", "", id));
      tr.appendChild(cell("客服", row.agent ? "" : "muted", row.agent || "未指派"));
      tr.appendChild(cell("客訴類型", "", complaintLabel(row.complaint_type)));
      tr.appendChild(cell("顧客情緒", "", row.sentiment ? moodNode(row.sentiment.label, row.sentiment.score) : moodNode(null)));
      var last = row.last_message;
      var preview = el("span", "preview", last ? (last.role === "agent" ? "客服：" : "") + last.text : "—");
      if (last) preview.title = last.text;
      tr.appendChild(cell("最新訊息", "preview-cell", preview));
      tr.appendChild(cell("更新", "num", clock(row.updated)));
      var open = function () { openFromMonitor(row.conversation_id); };
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", function (event) { if (event.key === "Enter") open(); });
      body.appendChild(tr);
    });
    $("live-empty").hidden = rows.length > 0;
  }

  function openFromMonitor(cid) {
    setView("review");
    openDetail(cid);
  }

  function renderApprovals() {
    var list = $("approval-list");
    list.replaceChildren();
    $("count-approvals").textContent = state.approvals.length;
    state.approvals.forEach(function (a) {
      var item = el("li", "approval");
      item.dataset.id = a.id;
      item.dataset.cid = a.conversation_id;
      var head = el("div", "head");
      head.appendChild(el("span", "label", a.label));
      head.appendChild(el("span", "cost", money(a.cost)));
      item.appendChild(head);
      var meta = el("p", "meta");
      var cid = el("span", "cid", shortId(a.conversation_id));
      cid.title = a.conversation_id;
      meta.appendChild(document.createTextNode("對話 "));
      meta.appendChild(cid);
      meta.appendChild(document.createTextNode("・申請人 " + a.requested_by + "・" + clock(a.requested_at)));
      item.appendChild(meta);
      if (a.reason) item.appendChild(el("p", "reason", a.reason));
      var buttons = el("div", "buttons");
      var approve = el("button", "", "核准");
      approve.type = "button";
      var deny = el("button", "quiet danger", "駁回");
      deny.type = "button";
      approve.addEventListener("click", function () { decide(a, "approve", [approve, deny]); });
      deny.addEventListener("click", function () { decide(a, "deny", [approve, deny]); });
      buttons.appendChild(deny);
      buttons.appendChild(approve);
      item.appendChild(buttons);
      list.appendChild(item);
    });
    $("approvals-empty").hidden = state.approvals.length > 0;
  }

  async function decide(approval, decision, buttons) {
    buttons.forEach(function (b) { b.disabled = true; });
    var result = await api("POST", "/approvals/" + encodeURIComponent(approval.id), { decision: decision });
    buttons.forEach(function (b) { b.disabled = false; });
    if (result.status === 200) {
      state.approvals = state.approvals.filter(function (a) { return a.id !== approval.id; });
      renderApprovals();
      toast((decision === "approve" ? "已核准" : "已駁回") + "「" + approval.label + "」（" + money(approval.cost) + "）");
      return;
    }
    toast(result.data.error || "無法完成這個決定，請再試一次", true);
    if (result.status === 409 || result.status === 404) refreshMonitor();
  }

  // ---------- review ----------

  $("review-form").addEventListener("submit", function (event) {
    event.preventDefault();
    searchReview();
  });

  function reviewQuery() {
    var params = new URLSearchParams();
    params.set("from", $("review-from").value);
    params.set("to", $("review-to").value);
    [["agent", "review-agent"], ["complaint_type", "review-type"], ["sentiment", "review-sentiment"],
      ["outcome", "review-outcome"]].forEach(function (pair) {
      var value = $(pair[1]).value.trim();
      if (value) params.set(pair[0], value);
    });
    return params.toString();
  }

  async function searchReview() {
    var seq = ++state.reviewSeq;
    $("review-error").textContent = "";
    $("review-search").disabled = true;
    var result = await api("GET", "/review/conversations?" + reviewQuery());
    $("review-search").disabled = false;
    if (seq !== state.reviewSeq) return;
    if (result.status !== 200) {
      $("review-error").textContent = result.data.error || "查詢失敗，請再試一次";
      renderReviewRows([], null);
      return;
    }
    renderReviewRows(result.data.conversations || [], result.data);
  }

  function renderReviewRows(rows, data) {
    var body = $("review-rows");
    body.replaceChildren();
    rows.forEach(function (row) {
      var tr = el("tr", "review-row");
      tr.dataset.cid = row.conversation_id;
      tr.tabIndex = 0;
      tr.setAttribute("aria-selected", row.conversation_id === state.selected ? "true" : "false");
      tr.appendChild(cell("日期", "nowrap", shortDay(row.day)));
      var id = el("span", "cid", shortId(row.conversation_id));
      id.title = row.conversation_id;
      tr.appendChild(cell("對話", "", id));
      tr.appendChild(cell("客服", row.agent ? "" : "muted", row.agent || "—"));
      tr.appendChild(cell("客訴類型", "", row.complaint_label || complaintLabel(row.complaint_type)));
      var mood = moodNode(row.sentiment);
      if (typeof row.lowest_score === "number") mood.title = "最低分數 " + row.lowest_score.toFixed(2);
      tr.appendChild(cell("情緒", "", mood));
      tr.appendChild(cell("結果", "", el("span", "chip outcome-" + row.outcome, OUTCOME[row.outcome] || row.outcome)));
      tr.appendChild(cell("評分", "num", row.rating ? "★ " + row.rating : "—"));
      var s = row.suggestions || {};
      tr.appendChild(cell("建議採用", "num", (s.used || 0) + (s.edited || 0) + " / " + (s.shown || 0)));
      tr.appendChild(cell("補償", "num", row.compensation_cost ? money(row.compensation_cost) : "—"));
      var open = function () { openDetail(row.conversation_id); };
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", function (event) { if (event.key === "Enter") open(); });
      body.appendChild(tr);
    });
    $("review-empty").hidden = rows.length > 0;
    var count = data ? data.from + " 至 " + data.to + "・共 " + rows.length + " 筆" : "";
    if (data && data.problems && data.problems.length) count += "（" + data.problems.length + " 筆紀錄無法讀取）";
    $("review-count").textContent = count;
  }

  $("detail-close").addEventListener("click", function () {
    state.selected = null;
    state.detail = null;
    $("detail").hidden = true;
    $("detail-none").hidden = false;
    markSelectedRow();
  });

  function markSelectedRow() {
    document.querySelectorAll(".review-row").forEach(function (tr) {
      tr.setAttribute("aria-selected", tr.dataset.cid === state.selected ? "true" : "false");
    });
  }

  async function openDetail(cid) {
    var seq = ++state.detailSeq;
    state.selected = cid;
    markSelectedRow();
    var result = await api("GET", "/review/conversations/" + encodeURIComponent(cid));
    if (seq !== state.detailSeq) return;
    if (result.status !== 200) {
      toast(result.data.error || "無法讀取這個對話", true);
      return;
    }
    state.detail = result.data;
    renderDetail();
    if (window.matchMedia("(max-width: 1100px)").matches) $("detail").scrollIntoView({ block: "start" });
  }

  function renderDetail() {
    var d = state.detail;
    var s = d.summary || {};
    $("detail-none").hidden = true;
    $("detail").hidden = false;
    $("detail-title").textContent = "對話 " + shortId(s.conversation_id || state.selected);
    $("detail-title").title = s.conversation_id || state.selected;
    var parts = [];
    if (s.day) parts.push(s.day);
    parts.push(s.agent ? "客服 " + s.agent : "未指派");
    if (s.complaint_type) parts.push(s.complaint_label || complaintLabel(s.complaint_type));
    parts.push(OUTCOME[s.outcome] || s.outcome || "進行中");
    if (s.escalated) parts.push("曾升級");
    if (s.rating) parts.push("評分 " + s.rating + " 分");
    if (s.compensation_cost) parts.push("補償 " + money(s.compensation_cost));
    if (s.first_response_s !== null && s.first_response_s !== undefined) parts.push("首次回覆 " + duration(s.first_response_s));
    if (s.handle_time_s !== null && s.handle_time_s !== undefined) parts.push("處理 " + duration(s.handle_time_s));
    var sug = s.suggestions || {};
    parts.push("建議採用 " + ((sug.used || 0) + (sug.edited || 0)) + " / " + (sug.shown || 0));
    $("detail-summary").textContent = parts.join("・");

    renderScorecard(d.qa);

    var list = $("detail-turns");
    list.replaceChildren();
    (d.turns || []).forEach(function (turn) {
      list.appendChild(turn.role === "customer" ? customerTurn(turn) : agentTurn(turn));
    });
    if (!(d.turns || []).length) list.appendChild(el("li", "empty", "這個對話沒有訊息"));
  }

  function who(name, ts) {
    var line = el("div", "who");
    line.appendChild(el("span", "name", name));
    if (ts) line.appendChild(el("span", "time", clock(ts)));
    return line;
  }

  function agentTurn(turn) {
    var li = el("li", "turn turn-agent");
    li.dataset.turn = turn.turn;
    li.appendChild(who(turn.agent ? "客服 " + turn.agent : "客服", turn.ts));
    li.appendChild(el("div", "bubble", turn.text));
    var info = el("div", "info");
    if (turn.technique_label) info.appendChild(el("span", "technique", turn.technique_label));
    if (turn.suggestion_id) info.appendChild(el("span", "chip " + (turn.edited ? "use-edited" : "use-used"), turn.edited ? "已修改" : "採用建議原文"));
    else info.appendChild(el("span", "chip use-ignored", "自行輸入"));
    li.appendChild(info);
    return li;
  }

  function customerTurn(turn) {
    var li = el("li", "turn turn-customer");
    li.dataset.turn = turn.turn;
    li.appendChild(who("顧客", turn.ts));
    li.appendChild(el("div", "bubble", turn.text));

    var reading = el("div", "reading");
    reading.appendChild(el("span", "reading-title", "模型判讀"));
    var a = turn.analysis;
    if (a) {
      reading.appendChild(fact("類型", a.complaint_type ? complaintLabel(a.complaint_type) : "非客訴訊息"));
      var mood = el("span", "fact");
      mood.appendChild(el("span", "fact-name", "情緒"));
      mood.appendChild(moodNode(a.sentiment, typeof a.score === "number" ? a.score : undefined));
      reading.appendChild(mood);
      reading.appendChild(fact("階段", STAGES[a.stage] || a.stage || "—"));
    } else {
      reading.appendChild(el("span", "muted", "沒有判讀紀錄"));
    }
    li.appendChild(reading);

    var corrected = el("p", "corrected");
    li.appendChild(corrected);
    showCorrection(corrected, turn.correction);
    li.appendChild(correctionForm(turn, corrected));

    var sugs = turn.suggestions || [];
    if (sugs.length) {
      var list = el("ul", "sugs");
      list.setAttribute("aria-label", "這則訊息後的建議");
      sugs.forEach(function (s) { list.appendChild(suggestionItem(s)); });
      li.appendChild(list);
    }
    return li;
  }

  function fact(name, value) {
    var node = el("span", "fact");
    node.appendChild(el("span", "fact-name", name));
    node.appendChild(el("span", "fact-value", value));
    return node;
  }

  function showCorrection(node, correction) {
    node.hidden = !correction;
    if (!correction) return;
    var parts = [];
    if (correction.complaint_type) parts.push("類型 " + complaintLabel(correction.complaint_type));
    if (correction.sentiment) parts.push("情緒 " + (MOOD[correction.sentiment] || correction.sentiment));
    node.textContent = "✓ 已更正：" + parts.join("、") + (correction.by ? "（" + correction.by + "）" : "");
  }

  function correctionForm(turn, corrected) {
    var form = el("form", "correct");
    form.autocomplete = "off";
    var typeId = "fix-type-" + turn.turn;
    var moodId = "fix-mood-" + turn.turn;
    var typeLabel = el("label", "visually-hidden", "更正客訴類型");
    typeLabel.htmlFor = typeId;
    var type = el("select", "fix-type");
    type.id = typeId;
    type.appendChild(option("", "客訴類型（不變更）"));
    Object.keys(COMPLAINTS).forEach(function (id) { type.appendChild(option(id, COMPLAINTS[id])); });
    var moodLabel = el("label", "visually-hidden", "更正顧客情緒");
    moodLabel.htmlFor = moodId;
    var mood = el("select", "fix-mood");
    mood.id = moodId;
    mood.appendChild(option("", "情緒（不變更）"));
    Object.keys(MOOD).forEach(function (id) { mood.appendChild(option(id, MOOD[id])); });
    if (turn.correction) {
      type.value = turn.correction.complaint_type || "";
      mood.value = turn.correction.sentiment || "";
    }
    var save = el("button", "secondary", "儲存更正");
    save.type = "submit";
    var error = el("span", "form-error");
    error.setAttribute("role", "alert");
    [typeLabel, type, moodLabel, mood, save, error].forEach(function (n) { form.appendChild(n); });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      error.textContent = "";
      var body = { conversation_id: state.selected, turn: turn.turn };
      if (type.value) body.complaint_type = type.value;
      if (mood.value) body.sentiment = mood.value;
      if (!type.value && !mood.value) {
        error.textContent = "請選擇要更正的客訴類型或情緒";
        return;
      }
      save.disabled = true;
      var result = await api("POST", "/review/corrections", body);
      save.disabled = false;
      if (result.status !== 200) {
        error.textContent = result.data.error || "無法儲存更正";
        return;
      }
      turn.correction = result.data;
      showCorrection(corrected, result.data);
      toast("已儲存更正，匯出訓練資料時會包含這則訊息");
    });
    return form;
  }

  function option(value, text) {
    var node = el("option", "", text);
    node.value = value;
    return node;
  }

  function suggestionItem(s) {
    var li = el("li", "sug");
    li.dataset.suggestionId = s.id;
    li.dataset.outcome = s.outcome;
    var head = el("div", "head");
    head.appendChild(el("span", "technique", s.technique_label || TECHNIQUES[s.technique] || s.technique));
    head.appendChild(el("span", "chip use-" + s.outcome, USE[s.outcome] || s.outcome));
    var rate = el("span", "rate");
    var verdict = s.rating && s.rating.verdict;
    var good = thumb("good", "好建議", verdict === "good");
    var bad = thumb("bad", "不好的建議", verdict === "bad");
    rate.appendChild(good);
    rate.appendChild(bad);
    head.appendChild(rate);
    li.appendChild(head);
    li.appendChild(el("p", "text", s.text));
    if (verdict === "bad" && s.rating.reason) li.appendChild(el("p", "why", "原因：" + s.rating.reason));

    var form = el("form", "why-form");
    form.hidden = true;
    var input = el("input");
    input.type = "text";
    input.maxLength = 500;
    input.placeholder = "哪裡不好？（選填，例如：語氣太生硬）";
    input.setAttribute("aria-label", "不好的原因");
    var send = el("button", "", "送出");
    send.type = "submit";
    var cancel = el("button", "quiet", "取消");
    cancel.type = "button";
    [input, send, cancel].forEach(function (n) { form.appendChild(n); });
    li.appendChild(form);

    good.addEventListener("click", busy(good, function () { return rateSuggestion(s, li, "good"); }));
    bad.addEventListener("click", function () {
      form.hidden = false;
      input.focus();
    });
    cancel.addEventListener("click", function () { form.hidden = true; });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      send.disabled = true;
      await rateSuggestion(s, li, "bad", input.value.trim());
      send.disabled = false;
    });
    return li;
  }

  // 👍 / 👎 drawn as SVG, so that they show on machines without an emoji font
  var THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06" +
    "L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05" +
    "c.09-.23.14-.47.14-.73v-2z";

  function thumb(kind, label, pressed) {
    var button = el("button", "thumb " + kind);
    button.type = "button";
    button.title = label;
    button.setAttribute("aria-label", label);
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", THUMB);
    if (kind === "bad") path.setAttribute("transform", "rotate(180 12 12)");
    svg.appendChild(path);
    button.appendChild(svg);
    return button;
  }

  async function rateSuggestion(s, li, verdict, reason) {
    var body = { conversation_id: state.selected, suggestion_id: s.id, verdict: verdict };
    if (reason) body.reason = reason;
    var result = await api("POST", "/review/suggestion-ratings", body);
    if (result.status !== 200) {
      toast(result.data.error || "無法記錄評價", true);
      return;
    }
    s.rating = result.data;
    li.replaceWith(suggestionItem(s));
    toast(verdict === "good" ? "已標記為好建議" : "已標記為不好的建議");
  }

  $("export-nlu").addEventListener("click", busy($("export-nlu"), async function () {
    var res = await download("/export/nlu", "feedback.yml");
    if (!res) return;
    var skipped = Number(res.headers.get("X-Kefu-Skipped") || 0);
    toast("已匯出訓練資料 feedback.yml" + (skipped ? "（" + skipped + " 筆更正無法使用，已略過）" : ""));
  }));

  // ---------- KPIs ----------

  document.querySelectorAll(".presets [data-days]").forEach(function (button) {
    button.addEventListener("click", function () {
      setKpiRange(Number(button.dataset.days));
      loadKpis();
    });
  });

  function setKpiRange(days) {
    $("kpi-to").value = today();
    $("kpi-from").value = addDays(today(), -(days - 1));
  }

  $("kpi-form").addEventListener("submit", function (event) {
    event.preventDefault();
    loadKpis();
  });

  function kpiQuery() {
    var params = new URLSearchParams();
    params.set("from", $("kpi-from").value);
    params.set("to", $("kpi-to").value);
    var agent = $("kpi-agent").value.trim();
    if (isSupervisor() && agent) params.set("agent", agent);
    return params.toString();
  }

  async function loadKpis() {
    var seq = ++state.kpiSeq;
    $("kpi-error").textContent = "";
    $("kpi-search").disabled = true;
    var result = await api("GET", "/kpis?" + kpiQuery());
    $("kpi-search").disabled = false;
    if (seq !== state.kpiSeq) return;
    if (result.status !== 200) {
      $("kpi-error").textContent = result.data.error || "查詢失敗，請再試一次";
      return;
    }
    var k = result.data;
    if (k.labels) {
      if (k.labels.complaint_types) COMPLAINTS = k.labels.complaint_types;
      if (k.labels.techniques) TECHNIQUES = k.labels.techniques;
      fillComplaintSelects();
    }
    $("kpi-scope").textContent = k.from + " 至 " + k.to + "・" + (k.agent ? "客服 " + k.agent : "全部客服") +
      (k.problems && k.problems.length ? "（" + k.problems.length + " 筆紀錄無法讀取）" : "");
    renderTiles(k);
    renderCharts(k);
  }

  function fillComplaintSelects() {
    var select = $("review-type");
    var chosen = select.value;
    select.replaceChildren(option("", "全部"));
    Object.keys(COMPLAINTS).forEach(function (id) { select.appendChild(option(id, COMPLAINTS[id])); });
    select.value = chosen;
  }

  function tile(id, value, sub) {
    $("tile-" + id).textContent = value;
    $("tile-" + id + "-sub").textContent = sub || "";
  }

  function renderTiles(k) {
    tile("conversations", String(k.conversations), "已結案 " + k.resolution.closed + " 件");
    tile("escalation", percent(k.escalation_rate), "曾出現升級警示的對話");
    tile("resolution", percent(k.resolution.resolved),
      k.resolution.closed ? "轉介 " + percent(k.resolution.referred) + "・未解決 " + percent(k.resolution.unresolved) : "尚無結案對話");
    tile("satisfaction", k.satisfaction.mean === null ? "—" : k.satisfaction.mean.toFixed(2),
      k.satisfaction.count ? "共 " + k.satisfaction.count + " 則評分（1–5 分）" : "尚無評分");
    tile("first-response", duration(k.first_response.median_s),
      k.first_response.count ? "平均 " + duration(k.first_response.mean_s) : "尚無資料");
    tile("handle-time", duration(k.handle_time.median_s),
      k.handle_time.count ? "平均 " + duration(k.handle_time.mean_s) : "尚無資料");
    var c = k.compensation;
    tile("compensation", money(c.spent), c.budget ? "已使用預算 " + percent(c.spent / c.budget) : "這段期間沒有預算");
    $("tile-compensation").appendChild(el("span", "of", " / " + money(c.budget)));
    var share = c.budget ? Math.min(1, c.spent / c.budget) : 0;
    var meter = $("tile-compensation-meter");
    meter.style.width = (share * 100).toFixed(1) + "%";
    meter.className = share >= 0.9 ? "over" : share >= 0.7 ? "high" : "";
  }

  function plot(id) {
    return document.querySelector("#" + id + " .plot");
  }

  function moodClass(value) {
    return value <= -0.2 ? "negative" : value >= 0.2 ? "positive" : "neutral";
  }

  function renderCharts(k) {
    var charts = window.KefuCharts;
    var days = k.days || [];
    var categories = days.map(function (d) { return shortDay(d.day); });
    var types = Object.keys(COMPLAINTS);
    days.forEach(function (d) {
      Object.keys(d.complaints || {}).forEach(function (t) { if (types.indexOf(t) < 0) types.push(t); });
    });
    charts.draw(plot("chart-complaints"), "stackedBars", {
      label: "每日客訴類型（堆疊長條圖）",
      categories: categories,
      yTitle: "件數",
      series: types.map(function (t, i) {
        return {
          label: complaintLabel(t),
          cls: "c" + (i % 6),
          values: days.map(function (d) { return (d.complaints || {})[t] || 0; }),
        };
      }),
    });
    charts.draw(plot("chart-sentiment"), "line", {
      label: "每日平均情緒分數（折線圖，-1 到 1）",
      categories: categories,
      values: days.map(function (d) { return d.sentiment_mean; }),
      min: -1,
      max: 1,
      ticks: [-1, -0.5, 0, 0.5, 1],
      yTitle: "情緒分數",
      format: function (v) { return String(Math.round(v * 100) / 100); },
      pointClass: moodClass,
      legend: [
        { label: "負面（≤ -0.2）", cls: "dot negative" },
        { label: "中性", cls: "dot neutral" },
        { label: "正面（≥ 0.2）", cls: "dot positive" },
      ],
    });
    var acceptanceLegend = [{ label: "採用率＝（直接採用＋修改後採用）÷ 顯示次數", cls: "accept" }];
    charts.draw(plot("chart-technique"), "hBars", {
      label: "各溝通技巧的建議採用率（橫條圖）",
      rows: acceptanceRows(k.acceptance_by_technique, function (t) { return TECHNIQUES[t] || t; }),
      legend: acceptanceLegend,
    });
    charts.draw(plot("chart-type"), "hBars", {
      label: "各客訴類型的建議採用率（橫條圖）",
      rows: acceptanceRows(k.acceptance_by_complaint_type, complaintLabel),
      legend: acceptanceLegend,
    });
    charts.draw(plot("chart-compensation"), "barsWithLine", {
      label: "每日補償支出與預算",
      categories: categories,
      yTitle: "新台幣（元）",
      bars: { label: "補償支出", cls: "spent", values: days.map(function (d) { return d.spent || 0; }) },
      line: { label: "當日預算", cls: "budget", values: days.map(function (d) { return d.budget || 0; }) },
      format: function (v) { return Number(v).toLocaleString("en-US"); },
    });
    var dist = (k.satisfaction && k.satisfaction.distribution) || {};
    charts.draw(plot("chart-satisfaction"), "bars", {
      label: "顧客滿意度分布（長條圖）",
      categories: ["1 分", "2 分", "3 分", "4 分", "5 分"],
      values: ["1", "2", "3", "4", "5"].map(function (n) { return dist[n] || 0; }),
      cls: "rating",
      unit: " 則",
      yTitle: "評分則數",
      emptyText: "這段期間沒有顧客評分",
    });
  }

  function acceptanceRows(table, label) {
    return Object.keys(table || {}).map(function (key) {
      var row = table[key];
      return {
        label: label(key),
        value: row.acceptance,
        note: "n=" + row.shown,
      };
    }).sort(function (a, b) { return (b.value || 0) - (a.value || 0); });
  }

  $("kpi-csv").addEventListener("click", busy($("kpi-csv"), async function () {
    var res = await download("/kpis.csv?" + kpiQuery(),
      "kefu-kpis-" + $("kpi-from").value + "-" + $("kpi-to").value + ".csv");
    if (res) toast("已下載 CSV");
  }));

  // ---------- QA scorecards ----------

  function metText(met) {
    return MET[String(met)];
  }

  function metClass(met) {
    return met === true ? "met" : met === false ? "unmet" : "na";
  }

  function renderScorecard(card) {
    $("detail-qa").hidden = !card;
    $("detail-qa-none").hidden = !!card;
    if (!card) return;
    $("detail-qa-score").textContent = card.score === null ? "無適用項目" : card.score + " 分";
    var rows = $("detail-qa-items");
    rows.replaceChildren();
    card.items.forEach(function (item) {
      var tr = el("tr", "qa-item " + metClass(item.met));
      tr.dataset.criterion = item.criterion;
      tr.appendChild(cell("項目", "qa-label", item.label));
      var verdict = el("span", "qa-met " + metClass(item.met), metText(item.met));
      tr.appendChild(cell("結果", "", verdict));
      var why = el("div", "qa-evidence");
      why.appendChild(el("p", "", item.evidence));
      why.appendChild(el("span", "qa-basis " + item.basis, BASIS[item.basis] || item.basis));
      if (item.overridden_by) {
        var o = item.overridden_by;
        why.appendChild(el("p", "qa-overridden",
          "主管 " + o.by + " 於 " + clock(o.at) + " 改判為「" + metText(o.met) + "」（系統原判「" + metText(o.was) + "」）" +
          (o.note ? "：" + o.note : "")));
      }
      tr.appendChild(cell("依據", "", why));
      tr.appendChild(cell("主管改判", "", overrideForm(item)));
      rows.appendChild(tr);
    });
  }

  function overrideForm(item) {
    var form = el("form", "qa-override");
    var select = el("select");
    select.setAttribute("aria-label", "改判「" + item.label + "」");
    [["true", "達成"], ["false", "未達成"], ["null", "不適用"]].forEach(function (pair) {
      select.appendChild(option(pair[0], pair[1]));
    });
    select.value = String(item.met);
    var save = el("button", "secondary", "改判");
    save.type = "submit";
    form.appendChild(select);
    form.appendChild(save);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var cid = state.selected;
      save.disabled = true;
      var result = await api("POST", "/review/conversations/" + encodeURIComponent(cid) + "/qa",
        { criterion: item.criterion, met: JSON.parse(select.value) });
      save.disabled = false;
      if (result.status !== 200) {
        toast(result.data.error || "無法儲存改判", true);
        return;
      }
      if (state.selected !== cid) return;
      state.detail.qa = result.data.qa;
      renderScorecard(result.data.qa);
      toast("已改判「" + item.label + "」，分數已重新計算");
    });
    return form;
  }

  $("qa-form").addEventListener("submit", function (event) {
    event.preventDefault();
    loadQa();
  });

  function qaQuery() {
    var q = new URLSearchParams();
    q.set("from", $("qa-from").value);
    q.set("to", $("qa-to").value);
    var agent = $("qa-agent").value.trim();
    if (agent) q.set("agent", agent);
    return q.toString();
  }

  async function loadQa() {
    var seq = ++state.qaSeq;
    $("qa-error").textContent = "";
    $("qa-search").disabled = true;
    var result = await api("GET", "/review/qa?" + qaQuery());
    $("qa-search").disabled = false;
    if (seq !== state.qaSeq) return;
    if (result.status !== 200) {
      $("qa-error").textContent = result.data.error || "查詢失敗，請再試一次";
      return;
    }
    renderQa(result.data);
  }

  function rateText(counts) {
    return counts.rate === null ? "—" : Math.round(counts.rate * 100) + "%";
  }

  function rateCell(label, counts) {
    var box = el("span", "qa-rate");
    var bar = el("span", "qa-bar");
    var fill = el("span", "qa-fill " + (counts.rate === null ? "" : counts.rate >= 0.8 ? "high" : counts.rate >= 0.5 ? "mid" : "low"));
    fill.style.width = counts.rate === null ? "0" : (counts.rate * 100).toFixed(0) + "%";
    bar.appendChild(fill);
    box.appendChild(bar);
    box.appendChild(el("span", "qa-rate-text", rateText(counts)));
    var td = cell(label, "num", box);
    td.title = "達成 " + counts.met + "・未達成 " + counts.not_met + "・不適用 " + counts.not_applicable;
    return td;
  }

  function renderQa(q) {
    var total = q.agents.reduce(function (n, a) { return n + a.conversations; }, 0);
    $("qa-scope").textContent = q.from + " 至 " + q.to + "・" + (q.agent ? "客服 " + q.agent : "全部客服") +
      "・共 " + total + " 件評分" + (q.problems && q.problems.length ? "（" + q.problems.length + " 筆紀錄無法讀取）" : "");
    var charts = window.KefuCharts;
    charts.draw(plot("chart-qa-score"), "line", {
      label: "每日平均品質分數（折線圖，0 到 100）",
      categories: q.days.map(function (d) { return shortDay(d.day); }),
      values: q.days.map(function (d) { return d.score_mean; }),
      min: 0,
      max: 100,
      ticks: [0, 25, 50, 75, 100],
      yTitle: "分數",
      format: function (v) { return String(v); },
      pointClass: function (v) { return v >= 80 ? "positive" : v >= 50 ? "neutral" : "negative"; },
      emptyText: "這段期間沒有評分過的對話",
    });
    var sums = {};
    q.criteria.forEach(function (c) { sums[c.id] = { met: 0, not_met: 0 }; });
    q.agents.forEach(function (a) {
      q.criteria.forEach(function (c) {
        sums[c.id].met += a.criteria[c.id].met;
        sums[c.id].not_met += a.criteria[c.id].not_met;
      });
    });
    charts.draw(plot("chart-qa-criteria"), "hBars", {
      label: "各評分項目的達成率（橫條圖）",
      rows: q.criteria.map(function (c) {
        var s = sums[c.id], n = s.met + s.not_met;
        return { label: c.label, value: n ? s.met / n : null, note: "n=" + n };
      }),
      legend: [{ label: "達成率＝達成 ÷（達成＋未達成），不適用的不計", cls: "accept" }],
      emptyText: "這段期間沒有評分過的對話",
    });

    var head = $("qa-agents-head");
    head.replaceChildren(el("th", "", "客服"), el("th", "num", "件數"), el("th", "num", "平均分數"));
    q.criteria.forEach(function (c) { head.appendChild(el("th", "num", c.label)); });
    var rows = $("qa-agents-rows");
    rows.replaceChildren();
    q.agents.forEach(function (a) {
      var tr = el("tr");
      tr.dataset.agent = a.agent || "";
      tr.appendChild(cell("客服", "", a.agent || "未指派"));
      tr.appendChild(cell("件數", "num", a.conversations));
      tr.appendChild(cell("平均分數", "num", a.score_mean === null ? "—" : a.score_mean));
      q.criteria.forEach(function (c) { tr.appendChild(rateCell(c.label, a.criteria[c.id])); });
      rows.appendChild(tr);
    });
    $("qa-agents-empty").hidden = q.agents.length > 0;

    var dayHead = $("qa-days-head");
    dayHead.replaceChildren(el("th", "", "評分項目"));
    q.days.forEach(function (d) { dayHead.appendChild(el("th", "num", shortDay(d.day))); });
    var dayRows = $("qa-days-rows");
    dayRows.replaceChildren();
    q.criteria.forEach(function (c) {
      var tr = el("tr");
      tr.appendChild(cell("評分項目", "", c.label));
      q.days.forEach(function (d) { tr.appendChild(rateCell(shortDay(d.day), d.criteria[c.id])); });
      dayRows.appendChild(tr);
    });
  }

  // ---------- start ----------

  fillComplaintSelects();
  state.auth = K.session.load();
  if (state.auth) start();
})();
