// Formats and small builders the supervisor views share: table cells, percentages,
// durations, Taiwan days, complaint and mood labels.

import { el, shortId } from "../staff/dom.js";
import { label } from "../staff/labels.js";

const TAIWAN_MS = 8 * 3600 * 1000;

// a table cell; data-label names its column for the narrow (card) layout
export function cell(name, className, content) {
  const td = el("td", className);
  td.dataset.label = name;
  if (content instanceof Node) td.appendChild(content);
  else if (content !== undefined && content !== null) td.textContent = String(content);
  return td;
}

export const percent = (rate) =>
  rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`;

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} 秒`;
  if (s < 3600) return `${Math.floor(s / 60)} 分 ${String(s % 60).padStart(2, "0")} 秒`;
  return `${Math.floor(s / 3600)} 小時 ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} 分`;
}

export const cidShort = (cid) => shortId(cid, 12, 10);

// "2026-11-27" → "11/27"
export const shortDay = (day) => (day ? day.slice(5).replace("-", "/") : "");

// today in Taiwan (UTC+8, no daylight saving), the days the server counts in
const today = () => new Date(Date.now() + TAIWAN_MS).toISOString().slice(0, 10);

function addDays(day, n) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

// a from–to range of the last `days` days, today included
export function lastDays(fromInput, toInput, days) {
  toInput.value = today();
  fromInput.value = addDays(today(), -(days - 1));
}

export function complaintLabel(id) {
  if (!id) return "—";
  return id === "none" ? "未分類" : label("complaint_types", id);
}

export function moodNode(mood, score) {
  if (!mood) return el("span", "muted", "—");
  let text = label("moods", mood);
  if (typeof score === "number") text += ` ${score.toFixed(2)}`;
  return el("span", `mood ${mood}`, text);
}

// the drawing area of a chart figure
export const plot = (id) => document.querySelector(`#${id} .plot`);

// "（3 筆紀錄無法讀取）" when the answer says some records could not be read
export const problems = (answer) =>
  answer && answer.problems && answer.problems.length
    ? `（${answer.problems.length} 筆紀錄無法讀取）`
    : "";
