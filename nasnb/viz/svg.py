"""Dependency-free SVG / HTML renderings: rich display, widgets and dashboards.

These renderers write SVG text directly (no matplotlib), so a notebook's rich display and a
widget update cost about a millisecond. Elements carry ``data-*`` attributes (node names,
counts) that tests and browser checks can read.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> svg = architecture_svg(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"]))
>>> svg.startswith("<svg") and 'data-name="layer_1"' in svg
True
"""

from __future__ import annotations

import html
import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from nasnb.viz.architecture import ArchitectureData, architecture_data
from nasnb.viz.layout import SharedLayout
from nasnb.viz.overlay import OverlayData
from nasnb.viz.style import INACTIVE_ALPHA, layer_colour

__all__ = ["architecture_svg", "overlay_svg", "line_chart_svg", "heatmap_html", "table_html"]

_ARROW = ('<defs><marker id="nasnb-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
          'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>')


def _frame(points: np.ndarray, scale: float, pad: float) -> tuple[np.ndarray, float, float]:
    if len(points) == 0:
        return points, 2 * pad, 2 * pad
    lo = points.min(axis=0)
    xy = (points - lo) * scale + pad
    xy[:, 1] = xy[:, 1].max() - xy[:, 1] + pad if len(xy) else xy[:, 1]  # y grows downwards in SVG
    width = float(xy[:, 0].max() + pad)
    height = float(xy[:, 1].max() + pad)
    return xy, width, height


def _to_box(u: np.ndarray, half: tuple[float, float]) -> float:
    """Distance from a box centre to its border along the unit direction ``u`` (plus a gap)."""
    ax, ay = abs(float(u[0])), abs(float(u[1]))
    return min(half[0] / ax if ax > 1e-9 else math.inf, half[1] / ay if ay > 1e-9 else math.inf) + 2.0


def _shorten(p: np.ndarray, q: np.ndarray, hp: tuple[float, float], hq: tuple[float, float]):
    d = q - p
    n = float(np.hypot(*d))
    if n == 0:
        return p, q
    u = d / n
    a, b = _to_box(u, hp), _to_box(u, hq)
    if a + b >= n:
        return p, q
    return p + u * a, q - u * b


def architecture_svg(descriptor: Any, layout: SharedLayout | None = None, *, scale: float = 90.0,
                     element_id: str | None = None) -> str:
    """SVG text of an architecture on its fixed layout (inactive parts faded).

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict, JSON, genome or ArchitectureData
        The architecture.
    layout : SharedLayout, optional
        Shared layout for related drawings.
    scale : float
        Pixels per layout unit.
    element_id : str, optional
        ``id`` attribute of the ``<svg>`` element.
    """
    data = descriptor if isinstance(descriptor, ArchitectureData) else architecture_data(descriptor, layout)
    xy, width, height = _frame(data.positions, scale, 45.0)
    ident = f' id="{html.escape(element_id)}"' if element_id else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="nasnb-architecture" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" data-layers="{len(data.names)}" '
           f'font-family="sans-serif" font-size="11">', _ARROW]
    if data.title:
        out.append(f'<title>{html.escape(data.title)}</title>')
    labels = [lbl.split("\n")[0] for lbl in data.labels]
    half = [(max(44.0, 7.0 * len(lbl) + 12) / 2, 12.0) for lbl in labels]
    for (u, v), active in zip(data.edges, data.edge_active):
        p, q = _shorten(xy[u], xy[v], half[u], half[v])
        out.append(f'<line x1="{p[0]:.1f}" y1="{p[1]:.1f}" x2="{q[0]:.1f}" y2="{q[1]:.1f}" stroke="#333" '
                   f'stroke-width="1.4" stroke-opacity="{1.0 if active else INACTIVE_ALPHA}" '
                   f'marker-end="url(#nasnb-arrow)" data-edge="{html.escape(data.names[u])}->'
                   f'{html.escape(data.names[v])}"/>')
    for i, name in enumerate(data.names):
        x, y = xy[i]
        label = labels[i]
        w = 2 * half[i][0]
        alpha = 1.0 if data.active[i] else INACTIVE_ALPHA
        out.append(f'<g class="node" data-name="{html.escape(name)}" data-type="{html.escape(data.types[i])}" '
                   f'data-active="{str(bool(data.active[i])).lower()}" opacity="{alpha}">'
                   f'<title>{html.escape(name)}: {html.escape(data.labels[i])}</title>'
                   f'<rect x="{x - w / 2:.1f}" y="{y - 12:.1f}" width="{w:.1f}" height="24" rx="6" '
                   f'fill="{data.colours[i]}" stroke="#333"/>'
                   f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{html.escape(label)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def overlay_svg(data: OverlayData, *, scale: float = 70.0) -> str:
    """SVG text of an :class:`~nasnb.viz.overlay.OverlayData` (opacity = share of architectures)."""
    xy, width, height = _frame(data.positions, scale, 30.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="nasnb-overlay" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" data-n="{data.n}">']
    for (u, v), a, f in zip(data.edges, data.edge_alpha(), data.edge_inactive_alpha()):
        for alpha, colour, dash in ((f, "#888", ' stroke-dasharray="4 3"'), (a, "#1a1a1a", "")):
            if alpha > 0:
                out.append(f'<line x1="{xy[u][0]:.1f}" y1="{xy[u][1]:.1f}" x2="{xy[v][0]:.1f}" y2="{xy[v][1]:.1f}" '
                           f'stroke="{colour}" stroke-width="2" stroke-opacity="{alpha:.4f}"{dash}/>')
    for i, key in enumerate(data.keys):
        out.append(f'<circle cx="{xy[i][0]:.1f}" cy="{xy[i][1]:.1f}" r="8" fill="{layer_colour(data.types[i])}" '
                   f'fill-opacity="{data.node_alpha()[i]:.4f}" stroke="#333" stroke-opacity="0.5" '
                   f'data-key="{html.escape(key)}"><title>{html.escape(key)}: active in {data.node_counts[i]} '
                   f'of {data.n}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def line_chart_svg(series: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                   points: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                   width: int = 420, height: int = 220, xlabel: str = "", ylabel: str = "") -> str:
    """A small SVG line chart: ``series`` as step lines, ``points`` as dots (name -> (x, y))."""
    palette = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1")
    allx = [float(v) for s in (series, points or {}) for x, _ in s.values() for v in x]
    ally = [float(v) for s in (series, points or {}) for _, y in s.values() for v in y if math.isfinite(float(v))]
    x0, x1 = (min(allx), max(allx)) if allx else (0.0, 1.0)
    y0, y1 = (min(ally), max(ally)) if ally else (0.0, 1.0)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    L, R, T, B = 48, 10, 10, 32

    def sx(v: float) -> float:
        return L + (float(v) - x0) / (x1 - x0) * (width - L - R)

    def sy(v: float) -> float:
        return height - B - (float(v) - y0) / (y1 - y0) * (height - T - B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="nasnb-chart" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="10">',
           f'<line x1="{L}" y1="{height - B}" x2="{width - R}" y2="{height - B}" stroke="#666"/>',
           f'<line x1="{L}" y1="{T}" x2="{L}" y2="{height - B}" stroke="#666"/>',
           f'<text x="{L - 4}" y="{sy(y1) + 4:.1f}" text-anchor="end">{y1:.3g}</text>',
           f'<text x="{L - 4}" y="{sy(y0):.1f}" text-anchor="end">{y0:.3g}</text>',
           f'<text x="{L}" y="{height - B + 12}" text-anchor="middle">{x0:.4g}</text>',
           f'<text x="{width - R}" y="{height - B + 12}" text-anchor="end">{x1:.4g}</text>',
           f'<text x="{(L + width - R) / 2:.0f}" y="{height - 4}" text-anchor="middle">{html.escape(xlabel)}</text>',
           f'<text x="12" y="{(T + height - B) / 2:.0f}" text-anchor="middle" transform="rotate(-90 12 '
           f'{(T + height - B) / 2:.0f})">{html.escape(ylabel)}</text>']
    for k, (name, (xs, ys)) in enumerate((points or {}).items()):
        c = palette[(k + 1) % len(palette)]
        dots = "".join(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2"/>' for x, y in zip(xs, ys)
                       if math.isfinite(float(y)))
        out.append(f'<g class="points" data-series="{html.escape(name)}" fill="{c}" fill-opacity="0.5">{dots}</g>')
    for k, (name, (xs, ys)) in enumerate(series.items()):
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys) if math.isfinite(float(y)))
        out.append(f'<polyline class="series" data-series="{html.escape(name)}" points="{pts}" fill="none" '
                   f'stroke="{palette[k % len(palette)]}" stroke-width="2"/>')
    out.append("</svg>")
    return "".join(out)


def _diverging(value: float) -> str:
    """Blue (1) - white (0) - red (-1) colour of a correlation."""
    if not math.isfinite(value):
        return "#eeeeee"
    v = max(-1.0, min(1.0, value))
    a = abs(v)
    r, g, b = ((int(255 - a * 196), int(255 - a * 134), int(255 - a * 88)) if v >= 0
               else (int(255 - a * 30), int(255 - a * 168), int(255 - a * 166)))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_html(frame: pd.DataFrame, *, fmt: str = "{:.3f}", caption: str = "") -> str:
    """An HTML table whose cells are coloured by value in [-1, 1] (for correlation matrices)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for idx, row in frame.iterrows():
        cells = "".join(f'<td style="background:{_diverging(float(v))};text-align:right;padding:2px 6px" '
                        f'data-value="{float(v):.6g}">{fmt.format(float(v))}</td>' for v in row.values)
        rows.append(f"<tr><th>{html.escape(str(idx))}</th>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<table class="nasnb-heatmap" style="border-collapse:collapse;font-size:12px">{cap}'
            f"<tr><th></th>{head}</tr>{''.join(rows)}</table>")


def table_html(frame: pd.DataFrame, *, max_rows: int = 50, css_class: str = "nasnb-table") -> str:
    """A compact HTML table of the first ``max_rows`` rows of ``frame``."""
    shown = frame.head(max_rows)
    text = shown.to_html(index=False, classes=css_class, border=0, float_format=lambda v: f"{v:.4g}")
    if len(frame) > max_rows:
        text += f"<p><i>{len(frame) - max_rows} more rows</i></p>"
    return text
