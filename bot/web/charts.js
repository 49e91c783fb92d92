// Small SVG charts for the supervisor pages, no library: stacked bars, a line, horizontal
// bars, bars with a budget line and plain bars. Each chart is drawn into a `.plot`
// element at that element's own width (and drawn again when the window is resized), with
// axis labels, a legend in HTML below it and a <title> on every mark for the exact figure.
// Nothing is parsed as HTML: labels go in with textContent. Colours come from CSS classes
// (supervisor.css), so the page's style policy needs no inline style.

import {
  baseline,
  box,
  empty,
  frame,
  legend,
  number,
  PAD,
  scaleTicks,
  svgEl,
  tip,
  xLabels,
  yAxis,
} from "./charts/frame.js";

let drawn = [];

// ---------- the charts ----------

// spec: {categories: [..], series: [{label, cls, values: [..]}], yTitle}
function stackedBars(plot, spec) {
  const totals = spec.categories.map((_, i) =>
    spec.series.reduce((sum, s) => sum + (s.values[i] || 0), 0)
  );
  const max = Math.max(...totals, 0);
  if (!max) return empty(plot, spec.emptyText);
  const f = frame(plot, spec);
  const b = box(f);
  const scale = scaleTicks(max, true);
  yAxis(f.svg, b, scale.ticks, scale.top, 0, number, spec.yTitle);
  const slot = (b.x1 - b.x0) / spec.categories.length;
  const barWidth = Math.max(3, Math.min(44, slot * 0.62));
  spec.categories.forEach((category, i) => {
    const x = b.x0 + slot * (i + 0.5) - barWidth / 2;
    let base = b.y1;
    for (const s of spec.series) {
      const value = s.values[i] || 0;
      if (!value) continue;
      const h = (value / scale.top) * (b.y1 - b.y0);
      base -= h;
      const bar = svgEl("rect", { x, y: base, width: barWidth, height: h, class: `bar ${s.cls}` });
      f.svg.appendChild(tip(bar, `${category}・${s.label}：${value} 件`));
    }
    if (totals[i] && slot >= 26) {
      const at = { x: x + barWidth / 2, y: base - 4, class: "bar-value", "text-anchor": "middle" };
      f.svg.appendChild(svgEl("text", at, totals[i]));
    }
  });
  f.svg.appendChild(baseline(b));
  xLabels(f.svg, b, spec.categories, slot);
  plot.replaceChildren(f.svg, legend(spec.series.filter((s) => s.values.some((v) => v))));
  return true;
}

// spec: {categories, values: [number|null], min, max, ticks, yTitle, pointClass(value), format}
function line(plot, spec) {
  const known = (v) => v !== null && v !== undefined;
  if (!spec.values.some(known)) return empty(plot, spec.emptyText);
  const f = frame(plot, spec);
  const b = box(f);
  const format = spec.format || String;
  yAxis(f.svg, b, spec.ticks, spec.max, spec.min, format, spec.yTitle);
  const slot = (b.x1 - b.x0) / spec.categories.length;
  const y = (v) => b.y1 - ((v - spec.min) / (spec.max - spec.min)) * (b.y1 - b.y0);
  let run = [];
  const flush = () => {
    if (run.length > 1) {
      const points = run.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" ");
      f.svg.appendChild(svgEl("polyline", { points, class: "line-path" }));
    }
    run = [];
  };
  const points = [];
  spec.values.forEach((value, i) => {
    if (!known(value)) return flush();
    const p = [b.x0 + slot * (i + 0.5), y(Math.max(spec.min, Math.min(spec.max, value))), value, i];
    run.push(p);
    points.push(p);
  });
  flush();
  for (const [cx, cy, value, i] of points) {
    const cls = `point ${spec.pointClass ? spec.pointClass(value) : ""}`;
    const dot = svgEl("circle", { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 4.5, class: cls });
    f.svg.appendChild(tip(dot, `${spec.categories[i]}：${format(value)}`));
  }
  xLabels(f.svg, b, spec.categories, slot);
  plot.replaceChildren(f.svg);
  if (spec.legend) plot.appendChild(legend(spec.legend));
  return true;
}

// spec: {rows: [{label, value: 0..1|null, note}], format}
function hBars(plot, spec) {
  const rows = spec.rows.filter((r) => r.value !== null && r.value !== undefined);
  if (!rows.length) return empty(plot, spec.emptyText);
  const rowHeight = 30;
  const f = frame(plot, { height: PAD.top + rows.length * rowHeight + 26, label: spec.label });
  const labelWidth = Math.min(150, Math.round(f.width * 0.36));
  const valueWidth = 92;
  const b = { x0: labelWidth + 8, x1: f.width - valueWidth, y0: PAD.top, y1: PAD.top + rows.length * rowHeight };
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = b.x0 + t * (b.x1 - b.x0);
    f.svg.appendChild(svgEl("line", { x1: x, x2: x, y1: b.y0 - 4, y2: b.y1, class: t === 0 ? "axis" : "grid" }));
    const at = { x, y: b.y1 + 16, class: "tick", "text-anchor": "middle" };
    f.svg.appendChild(svgEl("text", at, `${Math.round(t * 100)}%`));
  }
  rows.forEach((r, i) => {
    const yMid = b.y0 + rowHeight * (i + 0.5);
    const figure = `${Math.round(r.value * 100)}%（${r.note}）`;
    const at = { x: labelWidth, y: yMid + 4, class: "row-label", "text-anchor": "end" };
    f.svg.appendChild(svgEl("text", at, r.label));
    f.svg.appendChild(svgEl("rect", { x: b.x0, y: yMid - 9, width: b.x1 - b.x0, height: 18, class: "track" }));
    const w = Math.max(0, Math.min(1, r.value)) * (b.x1 - b.x0);
    const bar = { x: b.x0, y: yMid - 9, width: Math.max(w, 1.5), height: 18, class: `bar ${r.cls || "accept"}` };
    f.svg.appendChild(tip(svgEl("rect", bar), `${r.label}：${figure}`));
    f.svg.appendChild(svgEl("text", { x: b.x1 + 8, y: yMid + 4, class: "bar-note" }, figure));
  });
  plot.replaceChildren(f.svg);
  if (spec.legend) plot.appendChild(legend(spec.legend));
  return true;
}

// spec: {categories, bars: {label, cls, values}, line: {label, cls, values}, yTitle, format}
function barsWithLine(plot, spec) {
  const max = Math.max(...spec.bars.values, ...spec.line.values, 0);
  if (!max) return empty(plot, spec.emptyText);
  const f = frame(plot, spec);
  const b = box(f);
  const scale = scaleTicks(max, true);
  const format = spec.format || number;
  yAxis(f.svg, b, scale.ticks, scale.top, 0, format, spec.yTitle);
  const slot = (b.x1 - b.x0) / spec.categories.length;
  const barWidth = Math.max(3, Math.min(44, slot * 0.62));
  const y = (v) => b.y1 - (v / scale.top) * (b.y1 - b.y0);
  spec.categories.forEach((category, i) => {
    const value = spec.bars.values[i] || 0;
    const x = b.x0 + slot * (i + 0.5) - barWidth / 2;
    const height = Math.max(0, b.y1 - y(value));
    const bar = svgEl("rect", { x, y: y(value), width: barWidth, height, class: `bar ${spec.bars.cls}` });
    const budget = format(spec.line.values[i] || 0);
    f.svg.appendChild(
      tip(bar, `${category}・${spec.bars.label}：${format(value)}／${spec.line.label}：${budget}`)
    );
    if (value && slot >= 40) {
      const at = { x: x + barWidth / 2, y: y(value) - 5, class: "bar-value", "text-anchor": "middle" };
      f.svg.appendChild(svgEl("text", at, format(value)));
    }
  });
  // the budget as a step line: flat across each day's slot
  const d = spec.line.values
    .map((value, i) => {
      const yy = y(value || 0).toFixed(1);
      const x0 = (b.x0 + slot * i).toFixed(1);
      const x1 = (b.x0 + slot * (i + 1)).toFixed(1);
      return `${i === 0 ? "M" : "L"}${x0},${yy}L${x1},${yy}`;
    })
    .join("");
  f.svg.appendChild(svgEl("path", { d, class: `budget-line ${spec.line.cls}` }));
  f.svg.appendChild(baseline(b));
  xLabels(f.svg, b, spec.categories, slot);
  plot.replaceChildren(
    f.svg,
    legend([
      { label: spec.bars.label, cls: spec.bars.cls },
      { label: spec.line.label, cls: `line ${spec.line.cls}` },
    ])
  );
  return true;
}

// spec: {categories, values, cls, unit, yTitle}
function bars(plot, spec) {
  const max = Math.max(...spec.values, 0);
  if (!max) return empty(plot, spec.emptyText);
  const f = frame(plot, spec);
  const b = box(f);
  const scale = scaleTicks(max, true);
  yAxis(f.svg, b, scale.ticks, scale.top, 0, number, spec.yTitle);
  const slot = (b.x1 - b.x0) / spec.categories.length;
  const barWidth = Math.max(3, Math.min(56, slot * 0.6));
  spec.categories.forEach((category, i) => {
    const value = spec.values[i] || 0;
    const h = (value / scale.top) * (b.y1 - b.y0);
    const x = b.x0 + slot * (i + 0.5) - barWidth / 2;
    const bar = svgEl("rect", { x, y: b.y1 - h, width: barWidth, height: h, class: `bar ${spec.cls || ""}` });
    f.svg.appendChild(tip(bar, `${category}：${value}${spec.unit || ""}`));
    const at = { x: x + barWidth / 2, y: b.y1 - h - 5, class: "bar-value", "text-anchor": "middle" };
    f.svg.appendChild(svgEl("text", at, value));
  });
  f.svg.appendChild(baseline(b));
  xLabels(f.svg, b, spec.categories, slot);
  plot.replaceChildren(f.svg);
  if (spec.legend) plot.appendChild(legend(spec.legend));
  return true;
}

const KINDS = { stackedBars, line, hBars, barsWithLine, bars };

// a resize draws every chart again at its new width (listened to from the first chart on)
let listening = false;
function listenToResize() {
  if (listening) return;
  listening = true;
  let timer = null;
  let lastWidth = window.innerWidth;
  window.addEventListener("resize", () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(redraw, 120);
  });
}

// draw a chart of `kind` into `plot` and remember it, so that a resize (or the tab
// becoming visible: call redraw) draws it again at the new width
export function draw(plot, kind, spec) {
  listenToResize();
  drawn = drawn.filter((d) => d.plot !== plot && d.plot.isConnected);
  drawn.push({ plot, kind, spec });
  return KINDS[kind](plot, spec);
}

export function redraw() {
  for (const d of drawn) {
    if (d.plot.isConnected && d.plot.clientWidth) KINDS[d.kind](d.plot, d.spec);
  }
}
