// The parts every chart of charts.js is drawn with: SVG elements, round scales, the
// frame at the plot's own width, the axes, the legend in HTML below and the message of
// an empty chart. Text goes in with textContent only.

const NS = "http://www.w3.org/2000/svg";
const HEIGHT = 240;
export const PAD = { top: 16, right: 14, bottom: 30, left: 52 };

export function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function tip(node, text) {
  node.appendChild(svgEl("title", {}, text));
  return node;
}

export const number = (value) => Number(value || 0).toLocaleString("en-US");

function niceStep(range, count) {
  const raw = range / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * power >= raw);
  return (step ?? 10) * power;
}

// ticks from 0 to a round maximum at or above `max`; integers only when `whole`
export function scaleTicks(max, whole) {
  if (!(max > 0)) max = 1;
  let step = niceStep(max, 4);
  if (whole) step = Math.max(1, Math.ceil(step));
  const top = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v * 1000) / 1000);
  return { top, ticks };
}

export function frame(plot, options) {
  const width = Math.max(260, Math.floor(plot.clientWidth || 480));
  const height = options.height || HEIGHT;
  const svg = svgEl("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": options.label || "",
    class: "chart-svg",
  });
  return { svg, width, height };
}

export function legend(items) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const item of items) {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch ${item.cls}`;
    li.append(swatch, document.createTextNode(item.label));
    list.appendChild(li);
  }
  return list;
}

export function empty(plot, text) {
  const p = document.createElement("p");
  p.className = "chart-empty";
  p.textContent = text || "這段期間沒有資料";
  plot.replaceChildren(p);
  return false;
}

// the y axis (grid lines and tick labels) and the axis title
export function yAxis(svg, box, ticks, top, bottomValue, format, title) {
  const span = top - bottomValue;
  for (const value of ticks) {
    const y = box.y1 - ((value - bottomValue) / span) * (box.y1 - box.y0);
    const cls = value !== 0 ? "grid" : bottomValue < 0 ? "axis zero" : "axis";
    svg.appendChild(svgEl("line", { x1: box.x0, x2: box.x1, y1: y, y2: y, class: cls }));
    svg.appendChild(
      svgEl("text", { x: box.x0 - 6, y: y + 4, class: "tick", "text-anchor": "end" }, format(value))
    );
  }
  if (title) {
    const at = { x: -(box.y0 + box.y1) / 2, y: 12, class: "axis-title", "text-anchor": "middle" };
    svg.appendChild(svgEl("text", { ...at, transform: "rotate(-90)" }, title));
  }
}

// category labels under the x axis, thinned so that they never overlap
export function xLabels(svg, box, categories, slot) {
  const every = Math.max(1, Math.ceil(44 / slot));
  const last = categories.length - 1;
  categories.forEach((label, i) => {
    if (i % every !== 0 && i !== last) return;
    if (i === last && i % every !== 0 && i % every < every / 2) return;
    const x = box.x0 + slot * (i + 0.5);
    svg.appendChild(svgEl("text", { x, y: box.y1 + 18, class: "tick", "text-anchor": "middle" }, label));
  });
}

export function box(f, left) {
  return { x0: left || PAD.left, x1: f.width - PAD.right, y0: PAD.top, y1: f.height - PAD.bottom };
}

export const baseline = (b) => svgEl("line", { x1: b.x0, x2: b.x1, y1: b.y1, y2: b.y1, class: "axis" });
