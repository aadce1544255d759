"""A chart widget drawn by its own small front end from the widget's state: light, reload-proof.

:class:`ChartView` holds a plotly figure on the Python side (build and change it with plotly's
API: ``add_scatter``, ``update_layout``, ``with view.batch_update(): view.data[0].y = ...``)
and syncs its JSON as one widget trait, ``spec``. The anywidget front end draws the chart as
SVG from ``spec`` on every ``render`` and on every change of it: axes and ticks (linear or
log), scatter points, lines and steps, heatmaps with values in the cells, vertical marker
lines, a title, axis titles, a legend below the plot area and a hover text per point.
Nothing is sent as a one-shot message, so a view created late (a busy kernel, *Run All*) or
after a page reload shows the current chart, and a saved notebook holds the chart's data, not
a copy of plotly.js (a few kB per chart instead of 5 MB).

Clicking a point sets the synced ``clicked`` trait (trace, point, a counter);
:meth:`ChartView.on_click` callbacks run in the kernel. :meth:`ChartView.click` does the same
from Python (tests, scripted demos).

Examples
--------
>>> view = chart_view()
>>> view.add_scatter(x=[0, 1, 2], y=[0.2, 0.5, 0.4], mode="markers", customdata=[[0], [1], [2]])
>>> view.spec["data"][0]["y"]
[0.2, 0.5, 0.4]
>>> with view.batch_update():
...     view.data[0].y = [0.3, 0.6, 0.7]
>>> view.spec["data"][0]["y"]
[0.3, 0.6, 0.7]
>>> seen = []
>>> view.on_click(lambda trace, point: seen.append((trace, point)))
>>> view.click(0, 2)
>>> seen
[(0, 2)]
"""

from __future__ import annotations

import base64
import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

from nasnb._optional import require
from nasnb.exceptions import ParameterError

__all__ = ["ChartView", "chart_view"]

# Declared, not bound: the class is built on first use by the module ``__getattr__`` (anywidget is optional).
ChartView: Any

logger = logging.getLogger(__name__)

_CHART_ESM = r"""
const NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7"];
const DASH = {solid: "", dash: "6 4", dot: "2 3", dashdot: "6 3 2 3", longdash: "10 4", longdashdot: "10 3 2 3"};

function svgEl(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (v !== undefined && v !== null) e.setAttribute(k, v); }
  if (parent) parent.appendChild(e);
  return e;
}
// plotly text (escaped by nasnb, <br> for new lines) -> plain text, shown with textContent only
function plain(t) {
  if (t === undefined || t === null) return "";
  return String(t).replace(/<br\s*\/?>/gi, "\n").replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
function titleOf(v) { return plain(v && typeof v === "object" ? v.text : v); }
function finite(v) { return typeof v === "number" && isFinite(v); }
function niceTicks(lo, hi, n) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / Math.max(n, 1), mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}
function fmt(v) {
  if (!finite(v)) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1).replace("e+", "e");
  return String(+v.toPrecision(4));
}
function axisRange(axis, values, log) {
  if (axis && Array.isArray(axis.range) && axis.range.length === 2 && finite(axis.range[0])) {
    return log ? axis.range.map((r) => Math.pow(10, r)) : axis.range.slice();
  }
  const vs = values.filter((v) => finite(v) && (!log || v > 0));
  if (!vs.length) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...vs), hi = Math.max(...vs);
  if (log) { return [lo / 1.3, hi * 1.3]; }
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}
function rdbu(v, lo, hi) {
  if (!finite(v)) return "#eeeeee";
  const t = Math.max(-1, Math.min(1, (2 * (v - lo)) / ((hi - lo) || 1) - 1)), a = Math.abs(t);
  const c = t >= 0 ? [255 - a * 196, 255 - a * 134, 255 - a * 88] : [255 - a * 30, 255 - a * 168, 255 - a * 166];
  return `rgb(${c.map(Math.round).join(",")})`;
}
function marker(symbol, x, y, r, attrs, parent) {
  if (symbol === "square") return svgEl("rect", {x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...attrs}, parent);
  if (symbol === "diamond") return svgEl("path",
      {d: `M${x},${y - r * 1.3}L${x + r * 1.3},${y}L${x},${y + r * 1.3}L${x - r * 1.3},${y}Z`, ...attrs}, parent);
  if (symbol === "triangle-up") return svgEl("path",
      {d: `M${x},${y - r * 1.2}L${x + r * 1.1},${y + r * 0.8}L${x - r * 1.1},${y + r * 0.8}Z`, ...attrs}, parent);
  return svgEl("circle", {cx: x, cy: y, r: r, ...attrs}, parent);
}
function pick(v, i, dflt) {
  return Array.isArray(v) ? (v[i] === undefined || v[i] === null ? dflt : v[i])
    : (v === undefined || v === null ? dflt : v);
}

function draw(spec, onClick) {
  const data = spec.data || [], L = spec.layout || {};
  const W = L.width || 760, H = L.height || 400, m = Object.assign({l: 60, r: 20, t: 50, b: 45}, L.margin || {});
  const root = document.createElement("div");
  root.className = "nasnb-chart-view";
  root.style.width = W + "px";      // its own width (a flex child would shrink to nothing) ...
  root.style.maxWidth = "100%";     // ... unless the output area is narrower
  const svg = svgEl("svg", {xmlns: NS, viewBox: `0 0 ${W} ${H}`, width: "100%", "font-family": "sans-serif",
      "font-size": 11});
  svg.style.display = "block";
  root.appendChild(svg);
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const title = titleOf(L.title);
  if (title) { svgEl("text", {x: W / 2, y: Math.min(22, m.t - 8), "text-anchor": "middle", "font-size": 14,
      class: "nasnb-chart-title"}, svg).textContent = title; }
  const heat = data.find((t) => t.type === "heatmap");
  let points = 0;
  if (heat) {
    const xs = heat.x || [], ys = heat.y || [], z = heat.z || [];
    const cw = pw / Math.max(xs.length, 1), ch = ph / Math.max(ys.length, 1);
    const lo = finite(heat.zmin) ? heat.zmin : -1, hi = finite(heat.zmax) ? heat.zmax : 1;
    const g = svgEl("g", {class: "heatmap"}, svg);
    ys.forEach((yl, i) => {
      const yy = m.t + i * ch;
      svgEl("text", {x: m.l - 6, y: yy + ch / 2 + 4, "text-anchor": "end"}, svg).textContent = plain(yl);
      xs.forEach((xl, j) => {
        const v = (z[i] || [])[j];
        const cell = svgEl("rect", {x: m.l + j * cw, y: yy, width: cw, height: ch, fill: rdbu(v, lo, hi),
            stroke: "white", class: "cell"}, g);
        svgEl("title", {}, cell).textContent = `${plain(yl)} vs ${plain(xl)}: ${finite(v) ? v.toFixed(3) : "n/a"}`;
        if (finite(v) && cw > 24 && ch > 12) {
          const ink = Math.abs((2 * (v - lo)) / ((hi - lo) || 1) - 1) > 0.6 ? "white" : "#222";
          svgEl("text", {x: m.l + (j + 0.5) * cw, y: yy + ch / 2 + 4, "text-anchor": "middle",
            "font-size": Math.min(12, ch * 0.5, cw / 4), fill: ink}, g).textContent = v.toFixed(3);
        }
        points += 1;
      });
    });
    xs.forEach((xl, j) => {
      const x = m.l + (j + 0.5) * cw, y = m.t + ph + 8;
      svgEl("text", {x: x, y: y, "text-anchor": "end", transform: `rotate(-35 ${x} ${y})`},
          svg).textContent = plain(xl);
    });
  } else {
    const xa = L.xaxis || {}, ya = L.yaxis || {}, xlog = xa.type === "log", ylog = ya.type === "log";
    const allx = [], ally = [];
    data.forEach((t) => { (t.x || []).forEach((v) => allx.push(v)); (t.y || []).forEach((v) => ally.push(v)); });
    (L.shapes || []).forEach((s) => { if (finite(s.x0)) allx.push(s.x0); });
    const [x0, x1] = axisRange(xa, allx, xlog), [y0, y1] = axisRange(ya, ally, ylog);
    const tx = (v) => xlog ? Math.log10(v) : v, ty = (v) => ylog ? Math.log10(v) : v;
    const sx = (v) => m.l + (tx(v) - tx(x0)) / ((tx(x1) - tx(x0)) || 1) * pw;
    const sy = (v) => m.t + ph - (ty(v) - ty(y0)) / ((ty(y1) - ty(y0)) || 1) * ph;
    const axes = svgEl("g", {class: "axes", stroke: "#ccc"}, svg);
    const ticks = (lo, hi, log, n) => log
      ? niceTicks(Math.log10(lo), Math.log10(hi), n).filter((v) => Number.isInteger(v)).map((v) => Math.pow(10, v))
      : niceTicks(lo, hi, n);
    ticks(x0, x1, xlog, Math.max(2, Math.floor(pw / 90))).forEach((v) => {
      const x = sx(v);
      if (x < m.l - 0.5 || x > m.l + pw + 0.5) return;
      svgEl("line", {x1: x, x2: x, y1: m.t, y2: m.t + ph, "stroke-opacity": 0.5}, axes);
      svgEl("text", {x: x, y: m.t + ph + 14, "text-anchor": "middle", stroke: "none", fill: "#444", class: "xtick"},
          axes).textContent = fmt(v);
    });
    ticks(y0, y1, ylog, Math.max(2, Math.floor(ph / 50))).forEach((v) => {
      const y = sy(v);
      if (y < m.t - 0.5 || y > m.t + ph + 0.5) return;
      svgEl("line", {x1: m.l, x2: m.l + pw, y1: y, y2: y, "stroke-opacity": 0.5}, axes);
      svgEl("text", {x: m.l - 5, y: y + 4, "text-anchor": "end", stroke: "none", fill: "#444", class: "ytick"},
          axes).textContent = fmt(v);
    });
    svgEl("rect", {x: m.l, y: m.t, width: pw, height: ph, fill: "none", stroke: "#999"}, axes);
    const xt = titleOf(xa.title), yt = titleOf(ya.title);
    if (xt) svgEl("text", {x: m.l + pw / 2, y: Math.min(H - 4, m.t + ph + 32), "text-anchor": "middle",
        class: "nasnb-axis-title"}, svg).textContent = xt;
    if (yt) svgEl("text", {x: 14, y: m.t + ph / 2, "text-anchor": "middle",
        transform: `rotate(-90 14 ${m.t + ph / 2})`, class: "nasnb-axis-title"}, svg).textContent = yt;
    const clip = "nasnb-clip-" + Math.random().toString(36).slice(2);
    const defs = svgEl("defs", {}, svg);
    svgEl("rect", {x: m.l, y: m.t, width: pw, height: ph}, svgEl("clipPath", {id: clip}, defs));
    const plot = svgEl("g", {class: "plot", "clip-path": `url(#${clip})`}, svg);
    (L.shapes || []).forEach((s) => {
      if (s.type === "line" && finite(s.x0)) {
        svgEl("line", {x1: sx(s.x0), x2: sx(finite(s.x1) ? s.x1 : s.x0), y1: m.t, y2: m.t + ph,
            stroke: (s.line || {}).color || "#888", "stroke-dasharray": DASH[(s.line || {}).dash] || "2 3",
            class: "shape"}, plot);
      }
    });
    const linesLayer = svgEl("g", {class: "lines", "pointer-events": "none"}, plot);
    const pointsLayer = svgEl("g", {class: "points"}, plot);   // above every line, as plotly draws them
    data.forEach((t, ti) => {
      const colour = (t.line && t.line.color) || (t.marker && typeof t.marker.color === "string" && t.marker.color) ||
          PALETTE[ti % PALETTE.length];
      const mode = t.mode || "markers", xs = t.x || [], ys = t.y || [];
      const lg = svgEl("g", {class: "trace-lines", "data-trace": ti}, linesLayer);
      const g = svgEl("g", {class: "trace", "data-trace": ti, "data-name": plain(t.name)}, pointsLayer);
      if (t.opacity !== undefined) { g.setAttribute("opacity", t.opacity); lg.setAttribute("opacity", t.opacity); }
      if (mode.includes("lines")) {
        let d = "", prev = null;
        xs.forEach((xv, i) => {
          const yv = ys[i];
          if (!finite(xv) || !finite(yv) || (xlog && xv <= 0) || (ylog && yv <= 0)) { prev = null; return; }
          const X = sx(xv), Y = sy(yv);
          if (prev === null) d += `M${X.toFixed(1)},${Y.toFixed(1)}`;
          else if ((t.line && t.line.shape === "hv") || t.line_shape === "hv") d += `H${X.toFixed(1)}V${Y.toFixed(1)}`;
          else d += `L${X.toFixed(1)},${Y.toFixed(1)}`;
          prev = [X, Y];
        });
        const line = t.line || {};
        svgEl("path", {d: d, fill: "none", stroke: colour, "stroke-width": line.width || 2,
            "stroke-dasharray": DASH[line.dash] || "", class: "line"}, lg);
      }
      if (mode.includes("markers")) {
        const mk = t.marker || {};
        const clickable = Array.isArray(t.customdata) && t.hoverinfo !== "skip";
        xs.forEach((xv, i) => {
          const yv = ys[i];
          if (!finite(xv) || !finite(yv) || (xlog && xv <= 0) || (ylog && yv <= 0)) return;
          const size = pick(mk.size, i, 6);
          if (!(size > 0)) return;
          const ml = mk.line || {};
          const fill = typeof mk.color === "string" ? mk.color : pick(mk.color, i, colour);
          const p = marker(pick(mk.symbol, i, "circle"), sx(xv), sy(yv), size / 2, {
            fill: fill, "fill-opacity": mk.opacity === undefined ? 1 : mk.opacity,
            stroke: ml.color || "white", "stroke-width": ml.width === undefined ? 0.5 : ml.width,
            class: clickable ? "point clickable" : "point", "data-point": i}, g);
          const hover = plain(pick(t.text, i, "")) || `${plain(t.name)}: ${fmt(xv)}, ${fmt(yv)}`;
          svgEl("title", {}, p).textContent = hover;
          if (clickable) {
            p.style.cursor = "pointer";
            p.addEventListener("click", () => onClick(ti, i));
          }
          points += 1;
        });
      }
    });
  }
  svg.setAttribute("data-points", points);
  root.dataset.points = points;
  const named = data.filter((t) => t.name && t.showlegend !== false && t.type !== "heatmap");
  if (named.length > 1 || (named.length === 1 && L.showlegend)) {
    const legend = document.createElement("div");
    legend.className = "nasnb-chart-legend";
    legend.style.cssText = "display:flex;flex-wrap:wrap;gap:4px 14px;font:11px sans-serif;margin:2px 0 0 " + m.l + "px";
    data.forEach((t, ti) => {
      if (!named.includes(t)) return;
      const colour = (t.line && t.line.color) || (t.marker && typeof t.marker.color === "string" && t.marker.color) ||
          PALETTE[ti % PALETTE.length];
      const item = document.createElement("span");
      const key = svgEl("svg", {width: 22, height: 10});
      key.style.verticalAlign = "middle";
      if ((t.mode || "markers").includes("lines")) svgEl("line", {x1: 1, x2: 21, y1: 5, y2: 5, stroke: colour,
          "stroke-width": 2, "stroke-dasharray": DASH[(t.line || {}).dash] || ""}, key);
      else marker(pick((t.marker || {}).symbol, 0, "circle"), 11, 5, 4, {fill: colour}, key);
      item.appendChild(key);
      item.appendChild(document.createTextNode(" " + plain(t.name)));
      legend.appendChild(item);
    });
    root.appendChild(legend);
  }
  return root;
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "nasnb-chart";
  el.appendChild(box);
  const onClick = (trace, point) => {
    model.set("clicked", {trace: trace, point: point, n: ((model.get("clicked") || {}).n || 0) + 1});
    model.save_changes();
  };
  const redraw = () => {
    const spec = model.get("spec") || {};
    box.replaceChildren(draw(spec, onClick));
    box.dataset.points = box.firstChild.dataset.points;
    box.dataset.version = String(model.get("version"));
  };
  model.on("change:spec", redraw);
  redraw();
  return () => model.off("change:spec", redraw);
}
export default { render };
"""

_VIEW_CLASS: Any = None


def _plain(obj: Any) -> Any:
    """JSON-ready copy of a plotly figure dict: arrays as lists, NaN and infinities as ``None``.

    >>> import numpy as np
    >>> _plain({"y": np.array([0.5, np.nan]), "n": np.int64(3), "t": ("a",)})
    {'y': [0.5, None], 'n': 3, 't': ['a']}
    >>> _plain({"dtype": "i1", "bdata": "AAECAwQ=", "shape": "5, 1"})
    [[0], [1], [2], [3], [4]]
    """
    if isinstance(obj, dict) and "bdata" in obj and "dtype" in obj:  # plotly's typed-array encoding
        import numpy as np

        arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
        if obj.get("shape"):
            arr = arr.reshape([int(s) for s in str(obj["shape"]).split(",")])
        return _plain(arr.tolist())
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, str):  # numpy arrays and scalars, pandas objects
        return _plain(obj.tolist())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    return str(obj)


def _view_class():
    global _VIEW_CLASS
    if _VIEW_CLASS is None:
        anywidget = require("anywidget", extra="viz", purpose="build notebook widgets")
        import traitlets

        class ChartView(anywidget.AnyWidget):
            """A chart drawn from the synced ``spec`` (see the module docstring)."""

            _esm = _CHART_ESM
            spec = traitlets.Dict().tag(sync=True)
            clicked = traitlets.Dict().tag(sync=True)
            version = traitlets.Int(0).tag(sync=True)

            def __init__(self, figure: Any = None, **kwargs: Any) -> None:
                go = require("plotly.graph_objects", extra="viz", purpose="describe charts")
                super().__init__(**kwargs)
                self._figure = go.Figure(figure) if figure is not None else go.Figure()
                self._callbacks: list[Callable[[int, int], None]] = []
                self._batch = 0
                self.observe(self._on_clicked, names="clicked")
                self.sync()

            # ------------------------------------------------------------ the figure
            @property
            def figure(self):
                """The plotly figure drawn (change it inside :meth:`batch_update`, or call :meth:`sync`)."""
                return self._figure

            @property
            def data(self):
                """The figure's traces."""
                return self._figure.data

            @property
            def layout(self):
                """The figure's layout."""
                return self._figure.layout

            def sync(self) -> None:
                """Send the figure to the front end (one trait: every view redraws from it)."""
                if self._batch:
                    return
                spec = _plain(self._figure.to_plotly_json())
                spec.get("layout", {}).pop("template", None)
                self.spec = {"data": spec.get("data", []), "layout": spec.get("layout", {})}
                self.version += 1

            @contextlib.contextmanager
            def batch_update(self) -> Iterator[None]:
                """Change the figure inside the block; the chart is redrawn once at the end."""
                self._batch += 1
                try:
                    yield
                finally:
                    self._batch -= 1
                    self.sync()

            def add_trace(self, trace: Any, **kwargs: Any) -> None:
                """``plotly`` ``Figure.add_trace``, then redraw."""
                self._figure.add_trace(trace, **kwargs)
                self.sync()

            def add_scatter(self, **kwargs: Any) -> None:
                """``plotly`` ``Figure.add_scatter``, then redraw."""
                self._figure.add_scatter(**kwargs)
                self.sync()

            def add_heatmap(self, **kwargs: Any) -> None:
                """``plotly`` ``Figure.add_heatmap``, then redraw."""
                self._figure.add_heatmap(**kwargs)
                self.sync()

            def update_layout(self, *args: Any, **kwargs: Any) -> None:
                """``plotly`` ``Figure.update_layout``, then redraw."""
                self._figure.update_layout(*args, **kwargs)
                self.sync()

            # ------------------------------------------------------------ clicks
            def on_click(self, callback: Callable[[int, int], None]) -> None:
                """Call ``callback(trace_index, point_index)`` when a point is clicked."""
                self._callbacks.append(callback)

            def click(self, trace: int, point: int) -> None:
                """Do what a click on point ``point`` of trace ``trace`` does in the browser."""
                n = len(self._figure.data)
                if not (0 <= int(trace) < n):
                    raise ParameterError(
                        f"The 'trace' parameter of ChartView.click must be in [0, {n}). Got {trace!r} instead."
                    )
                self.clicked = {"trace": int(trace), "point": int(point), "n": int(self.clicked.get("n", 0)) + 1}

            def _on_clicked(self, change: dict) -> None:
                new = change["new"] or {}
                if "trace" not in new or "point" not in new:
                    return
                for callback in list(self._callbacks):
                    callback(int(new["trace"]), int(new["point"]))

        _VIEW_CLASS = ChartView
    return _VIEW_CLASS


def chart_view(figure: Any = None):
    """A :class:`ChartView` of ``figure`` (a plotly figure or its dict; empty when ``None``)."""
    return _view_class()(figure)


def __getattr__(name: str) -> Any:
    if name == "ChartView":
        return _view_class()
    raise AttributeError(name)
