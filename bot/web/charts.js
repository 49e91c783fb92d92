// Small SVG charts for the supervisor pages, no library: stacked bars, a line, horizontal
// bars, bars with a budget line and plain bars. Each chart is drawn into a `.plot`
// element at that element's own width (and drawn again when the window is resized), with
// axis labels, a legend in HTML below it and a <title> on every mark for the exact figure.
// Nothing is parsed as HTML: labels go in with textContent. Colours come from CSS classes
// (supervisor.css), so the page's style policy needs no inline style.
(function () {
  "use strict";

  var NS = "http://www.w3.org/2000/svg";
  var HEIGHT = 240;
  var PAD = { top: 16, right: 14, bottom: 30, left: 52 };
  var drawn = [];

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function tip(node, text) {
    node.appendChild(svgEl("title", {}, text));
    return node;
  }

  function number(value) {
    return Number(value || 0).toLocaleString("en-US");
  }

  function niceStep(range, count) {
    var raw = range / Math.max(1, count);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * power >= raw) return steps[i] * power;
    }
    return 10 * power;
  }

  // ticks from 0 to a round maximum at or above `max`; integers only when `whole`
  function scaleTicks(max, whole) {
    if (!(max > 0)) max = 1;
    var step = niceStep(max, 4);
    if (whole) step = Math.max(1, Math.ceil(step));
    var top = Math.ceil(max / step) * step;
    var ticks = [];
    for (var v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v * 1000) / 1000);
    return { top: top, ticks: ticks };
  }

  function frame(plot, options) {
    var width = Math.max(260, Math.floor(plot.clientWidth || 480));
    var height = options.height || HEIGHT;
    var svg = svgEl("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      "aria-label": options.label || "",
      class: "chart-svg",
    });
    return { svg: svg, width: width, height: height };
  }

  function legend(items) {
    var list = document.createElement("ul");
    list.className = "legend";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch " + item.cls;
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(item.label));
      list.appendChild(li);
    });
    return list;
  }

  function empty(plot, text) {
    var p = document.createElement("p");
    p.className = "chart-empty";
    p.textContent = text || "這段期間沒有資料";
    plot.replaceChildren(p);
    return false;
  }

  // the y axis (grid lines and tick labels) and the axis title
  function yAxis(svg, box, ticks, top, bottomValue, format, title) {
    var span = top - bottomValue;
    ticks.forEach(function (value) {
      var y = box.y1 - ((value - bottomValue) / span) * (box.y1 - box.y0);
      svg.appendChild(svgEl("line", { x1: box.x0, x2: box.x1, y1: y, y2: y, class: value !== 0 ? "grid" : bottomValue < 0 ? "axis zero" : "axis" }));
      svg.appendChild(svgEl("text", { x: box.x0 - 6, y: y + 4, class: "tick", "text-anchor": "end" }, format(value)));
    });
    if (title) {
      svg.appendChild(svgEl("text", {
        x: -(box.y0 + box.y1) / 2, y: 12, class: "axis-title", "text-anchor": "middle", transform: "rotate(-90)",
      }, title));
    }
  }

  // category labels under the x axis, thinned so that they never overlap
  function xLabels(svg, box, categories, slot) {
    var every = Math.max(1, Math.ceil(44 / slot));
    categories.forEach(function (label, i) {
      if (i % every !== 0 && i !== categories.length - 1) return;
      if (i === categories.length - 1 && i % every !== 0 && (i % every) < every / 2) return;
      var x = box.x0 + slot * (i + 0.5);
      svg.appendChild(svgEl("text", { x: x, y: box.y1 + 18, class: "tick", "text-anchor": "middle" }, label));
    });
  }

  function box(f, left) {
    return { x0: left || PAD.left, x1: f.width - PAD.right, y0: PAD.top, y1: f.height - PAD.bottom };
  }

  // ---------- the charts ----------

  // spec: {categories: [..], series: [{label, cls, values: [..]}], yTitle}
  function stackedBars(plot, spec) {
    var totals = spec.categories.map(function (_, i) {
      return spec.series.reduce(function (sum, s) { return sum + (s.values[i] || 0); }, 0);
    });
    var max = Math.max.apply(null, totals.concat([0]));
    if (!max) return empty(plot, spec.emptyText);
    var f = frame(plot, spec);
    var b = box(f);
    var scale = scaleTicks(max, true);
    yAxis(f.svg, b, scale.ticks, scale.top, 0, number, spec.yTitle);
    var slot = (b.x1 - b.x0) / spec.categories.length;
    var barWidth = Math.max(3, Math.min(44, slot * 0.62));
    spec.categories.forEach(function (category, i) {
      var x = b.x0 + slot * (i + 0.5) - barWidth / 2;
      var base = b.y1;
      spec.series.forEach(function (s) {
        var value = s.values[i] || 0;
        if (!value) return;
        var h = (value / scale.top) * (b.y1 - b.y0);
        base -= h;
        f.svg.appendChild(tip(svgEl("rect", { x: x, y: base, width: barWidth, height: h, class: "bar " + s.cls }),
          category + "・" + s.label + "：" + value + " 件"));
      });
      if (totals[i] && slot >= 26) {
        f.svg.appendChild(svgEl("text", { x: x + barWidth / 2, y: base - 4, class: "bar-value", "text-anchor": "middle" }, totals[i]));
      }
    });
    f.svg.appendChild(svgEl("line", { x1: b.x0, x2: b.x1, y1: b.y1, y2: b.y1, class: "axis" }));
    xLabels(f.svg, b, spec.categories, slot);
    plot.replaceChildren(f.svg, legend(spec.series.filter(function (s) {
      return s.values.some(function (v) { return v; });
    })));
    return true;
  }

  // spec: {categories, values: [number|null], min, max, ticks, yTitle, pointClass(value), format}
  function line(plot, spec) {
    if (!spec.values.some(function (v) { return v !== null && v !== undefined; })) return empty(plot, spec.emptyText);
    var f = frame(plot, spec);
    var b = box(f);
    var format = spec.format || function (v) { return String(v); };
    yAxis(f.svg, b, spec.ticks, spec.max, spec.min, format, spec.yTitle);
    var slot = (b.x1 - b.x0) / spec.categories.length;
    var y = function (v) { return b.y1 - ((v - spec.min) / (spec.max - spec.min)) * (b.y1 - b.y0); };
    var run = [];
    function flush() {
      if (run.length > 1) {
        f.svg.appendChild(svgEl("polyline", {
          points: run.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "), class: "line-path",
        }));
      }
      run = [];
    }
    var points = [];
    spec.values.forEach(function (value, i) {
      if (value === null || value === undefined) { flush(); return; }
      var p = [b.x0 + slot * (i + 0.5), y(Math.max(spec.min, Math.min(spec.max, value))), value, i];
      run.push(p);
      points.push(p);
    });
    flush();
    points.forEach(function (p) {
      f.svg.appendChild(tip(svgEl("circle", {
        cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 4.5, class: "point " + (spec.pointClass ? spec.pointClass(p[2]) : ""),
      }), spec.categories[p[3]] + "：" + format(p[2])));
    });
    xLabels(f.svg, b, spec.categories, slot);
    plot.replaceChildren(f.svg);
    if (spec.legend) plot.appendChild(legend(spec.legend));
    return true;
  }

  // spec: {rows: [{label, value: 0..1|null, note}], format}
  function hBars(plot, spec) {
    var rows = spec.rows.filter(function (r) { return r.value !== null && r.value !== undefined; });
    if (!rows.length) return empty(plot, spec.emptyText);
    var rowHeight = 30;
    var f = frame(plot, { height: PAD.top + rows.length * rowHeight + 26, label: spec.label });
    var labelWidth = Math.min(150, Math.round(f.width * 0.36));
    var valueWidth = 92;
    var b = { x0: labelWidth + 8, x1: f.width - valueWidth, y0: PAD.top, y1: PAD.top + rows.length * rowHeight };
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      var x = b.x0 + t * (b.x1 - b.x0);
      f.svg.appendChild(svgEl("line", { x1: x, x2: x, y1: b.y0 - 4, y2: b.y1, class: t === 0 ? "axis" : "grid" }));
      f.svg.appendChild(svgEl("text", { x: x, y: b.y1 + 16, class: "tick", "text-anchor": "middle" }, Math.round(t * 100) + "%"));
    });
    rows.forEach(function (r, i) {
      var yMid = b.y0 + rowHeight * (i + 0.5);
      f.svg.appendChild(svgEl("text", { x: labelWidth, y: yMid + 4, class: "row-label", "text-anchor": "end" }, r.label));
      f.svg.appendChild(svgEl("rect", { x: b.x0, y: yMid - 9, width: b.x1 - b.x0, height: 18, class: "track" }));
      var w = Math.max(0, Math.min(1, r.value)) * (b.x1 - b.x0);
      f.svg.appendChild(tip(svgEl("rect", { x: b.x0, y: yMid - 9, width: Math.max(w, 1.5), height: 18, class: "bar " + (r.cls || "accept") }),
        r.label + "：" + Math.round(r.value * 100) + "%（" + r.note + "）"));
      f.svg.appendChild(svgEl("text", { x: b.x1 + 8, y: yMid + 4, class: "bar-note" }, Math.round(r.value * 100) + "%（" + r.note + "）"));
    });
    plot.replaceChildren(f.svg);
    if (spec.legend) plot.appendChild(legend(spec.legend));
    return true;
  }

  // spec: {categories, bars: {label, cls, values}, line: {label, cls, values}, yTitle, format}
  function barsWithLine(plot, spec) {
    var all = spec.bars.values.concat(spec.line.values);
    var max = Math.max.apply(null, all.concat([0]));
    if (!max) return empty(plot, spec.emptyText);
    var f = frame(plot, spec);
    var b = box(f);
    var scale = scaleTicks(max, true);
    var format = spec.format || number;
    yAxis(f.svg, b, scale.ticks, scale.top, 0, format, spec.yTitle);
    var slot = (b.x1 - b.x0) / spec.categories.length;
    var barWidth = Math.max(3, Math.min(44, slot * 0.62));
    var y = function (v) { return b.y1 - (v / scale.top) * (b.y1 - b.y0); };
    spec.categories.forEach(function (category, i) {
      var value = spec.bars.values[i] || 0;
      var x = b.x0 + slot * (i + 0.5) - barWidth / 2;
      f.svg.appendChild(tip(svgEl("rect", {
        x: x, y: y(value), width: barWidth, height: Math.max(0, b.y1 - y(value)), class: "bar " + spec.bars.cls,
      }), category + "・" + spec.bars.label + "：" + format(value) + "／" + spec.line.label + "：" + format(spec.line.values[i] || 0)));
      if (value && slot >= 40) {
        f.svg.appendChild(svgEl("text", { x: x + barWidth / 2, y: y(value) - 5, class: "bar-value", "text-anchor": "middle" }, format(value)));
      }
    });
    // the budget as a step line: flat across each day's slot
    var d = "";
    spec.line.values.forEach(function (value, i) {
      var yy = y(value || 0).toFixed(1);
      var x0 = (b.x0 + slot * i).toFixed(1);
      var x1 = (b.x0 + slot * (i + 1)).toFixed(1);
      d += (i === 0 ? "M" : "L") + x0 + "," + yy + "L" + x1 + "," + yy;
    });
    f.svg.appendChild(svgEl("path", { d: d, class: "budget-line " + spec.line.cls }));
    f.svg.appendChild(svgEl("line", { x1: b.x0, x2: b.x1, y1: b.y1, y2: b.y1, class: "axis" }));
    xLabels(f.svg, b, spec.categories, slot);
    plot.replaceChildren(f.svg, legend([
      { label: spec.bars.label, cls: spec.bars.cls },
      { label: spec.line.label, cls: "line " + spec.line.cls },
    ]));
    return true;
  }

  // spec: {categories, values, cls, unit, yTitle}
  function bars(plot, spec) {
    var max = Math.max.apply(null, spec.values.concat([0]));
    if (!max) return empty(plot, spec.emptyText);
    var f = frame(plot, spec);
    var b = box(f);
    var scale = scaleTicks(max, true);
    yAxis(f.svg, b, scale.ticks, scale.top, 0, number, spec.yTitle);
    var slot = (b.x1 - b.x0) / spec.categories.length;
    var barWidth = Math.max(3, Math.min(56, slot * 0.6));
    spec.categories.forEach(function (category, i) {
      var value = spec.values[i] || 0;
      var h = (value / scale.top) * (b.y1 - b.y0);
      var x = b.x0 + slot * (i + 0.5) - barWidth / 2;
      f.svg.appendChild(tip(svgEl("rect", { x: x, y: b.y1 - h, width: barWidth, height: h, class: "bar " + (spec.cls || "") }),
        category + "：" + value + (spec.unit || "")));
      f.svg.appendChild(svgEl("text", { x: x + barWidth / 2, y: b.y1 - h - 5, class: "bar-value", "text-anchor": "middle" }, value));
    });
    f.svg.appendChild(svgEl("line", { x1: b.x0, x2: b.x1, y1: b.y1, y2: b.y1, class: "axis" }));
    xLabels(f.svg, b, spec.categories, slot);
    plot.replaceChildren(f.svg);
    if (spec.legend) plot.appendChild(legend(spec.legend));
    return true;
  }

  var KINDS = { stackedBars: stackedBars, line: line, hBars: hBars, barsWithLine: barsWithLine, bars: bars };

  // draw a chart of `kind` into `plot` and remember it, so that a resize (or the tab
  // becoming visible: call redraw) draws it again at the new width
  function draw(plot, kind, spec) {
    drawn = drawn.filter(function (d) { return d.plot !== plot && d.plot.isConnected; });
    drawn.push({ plot: plot, kind: kind, spec: spec });
    return KINDS[kind](plot, spec);
  }

  function redraw() {
    drawn.forEach(function (d) {
      if (d.plot.isConnected && d.plot.clientWidth) KINDS[d.kind](d.plot, d.spec);
    });
  }

  var timer = null;
  var lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(redraw, 120);
  });

  window.KefuCharts = { draw: draw, redraw: redraw, niceStep: niceStep };
})();
