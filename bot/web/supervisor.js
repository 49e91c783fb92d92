// The supervisor pages: 即時監控 (live monitor and approval queue), 對話回顧 (review with
// corrections, suggestion ratings and the QA scorecard), 績效指標 (KPIs with charts) and
// 品質評分 (QA coaching), one module each under supervisor/. Like the agent console they
// talk to the server only through the REST assist API and the socket.io namespace
// /agent. Agents may log in too: they see only the KPI tab, with their own figures (the
// server enforces that; whether the account is a supervisor is the server's word). Every
// text from outside goes in with textContent; charts.js draws the charts.

import { $ } from "./staff/dom.js";
import { fillSelects, loadLabels } from "./staff/labels.js";
import { current, isSupervisor, startSession } from "./staff/session.js";
import { bindDetail, closeDetail, openDetail } from "./supervisor/detail.js";
import { bindKpis, prepareKpis, showKpis } from "./supervisor/kpis.js";
import { bindMonitor, refreshMonitor, startMonitor, stopMonitor } from "./supervisor/monitor.js";
import { bindQa, showQa } from "./supervisor/qa.js";
import { bindRatings } from "./supervisor/ratings.js";
import { bindReview, showReview } from "./supervisor/review.js";
import { bindScorecard } from "./supervisor/scorecard.js";

// each view's show(first): first is true the first time it is shown after a login
const VIEWS = { monitor: refreshMonitor, review: showReview, kpis: showKpis, qa: showQa };
const SUPERVISOR_ONLY = ["monitor", "review", "qa"];
const labelsLoaded = loadLabels().then(() => fillSelects());
let view = null;
let shown = new Set();

const tabs = () => [...document.querySelectorAll(".tabs .tab")];
const allowed = (name) => name in VIEWS && (name === "kpis" || isSupervisor());

function setView(name) {
  if (!allowed(name)) return;
  view = name;
  for (const tab of tabs()) {
    const on = tab.dataset.view === name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
  }
  for (const other of Object.keys(VIEWS)) $(`view-${other}`).hidden = other !== name;
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  const first = !shown.has(name);
  shown.add(name);
  VIEWS[name](first);
}

function bindTabs() {
  const nav = document.querySelector(".tabs");
  nav.addEventListener("click", (event) => {
    const tab = event.target.closest(".tab");
    if (tab) setView(tab.dataset.view);
  });
  nav.addEventListener("keydown", (event) => {
    const tab = event.target.closest(".tab");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    const visible = tabs().filter((t) => !t.hidden);
    const i = visible.indexOf(tab) + (event.key === "ArrowRight" ? 1 : -1);
    const next = visible[(i + visible.length) % visible.length];
    next.focus();
    setView(next.dataset.view);
  });
  window.addEventListener("hashchange", () => {
    const wanted = location.hash.slice(1);
    if (current() && wanted !== view && allowed(wanted)) setView(wanted);
  });
}

async function started(auth) {
  await labelsLoaded;
  if (current() !== auth) return; // logged out meanwhile
  const boss = isSupervisor();
  for (const name of SUPERVISOR_ONLY) $(`tab-${name}`).hidden = !boss;
  $("connection").hidden = !boss;
  prepareKpis();
  if (boss) startMonitor(auth.token, () => view === "monitor");
  const wanted = location.hash.slice(1);
  setView(allowed(wanted) ? wanted : boss ? "monitor" : "kpis");
}

function ended() {
  stopMonitor();
  closeDetail();
  view = null;
  shown = new Set();
}

bindTabs();
bindMonitor({
  open: (cid) => {
    setView("review");
    openDetail(cid);
  },
});
bindReview();
bindDetail();
bindRatings();
bindScorecard();
bindKpis();
bindQa();
startSession({ started, ended });
