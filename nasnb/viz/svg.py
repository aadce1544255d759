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
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from nasnb.viz._graph_draw import GraphStyle, rgba_text
from nasnb.viz.architecture import ArchitectureData, architecture_data
from nasnb.viz.architecture import _style as _arch_style
from nasnb.viz.geometry import Geometry
from nasnb.viz.layout import SharedLayout
from nasnb.viz.overlay import OverlayData
from nasnb.viz.overlay import _style as _overlay_style

__all__ = ["architecture_svg", "overlay_svg", "line_chart_svg", "heatmap_html", "table_html"]

_PAD = 6.0  # points of white space around a graph


def _graph_svg(geom: Geometry, style: GraphStyle, scale: float, root_attrs: str, node_attrs: Sequence[str]) -> str:
    """SVG text of a geometry: the same boxes, routed paths and arrowheads as the other renderers."""
    x0, y0, x1, y1 = geom.extent
    width, height = (x1 - x0 + 2 * _PAD) * scale, (y1 - y0 + 2 * _PAD) * scale

    def X(x: float) -> float:
        return (x - x0 + _PAD) * scale

    def Y(y: float) -> float:
        return (y1 + _PAD - y) * scale

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="DejaVu Sans, Verdana, sans-serif" '
        f'font-size="{geom.font_size * scale:.2f}"{root_attrs}>'
    ]
    lines = geom.line_paths()
    for layer in style.layers:
        dash = ' stroke-dasharray="4 3"' if layer.dashed else ""
        for i, c in zip(layer.index, layer.colours):
            u, v = geom.edges[i]
            d = " ".join(f"{'M' if k == 0 else 'L'}{X(x):.1f},{Y(y):.1f}" for k, (x, y) in enumerate(lines[i]))
            out.append(
                f'<path class="edge" d="{d}" fill="none" stroke="{rgba_text(c[:3] + (1.0,))}" '
                f'stroke-opacity="{c[3]:.4g}" stroke-width="{layer.width * scale:.2f}" '
                f'stroke-linejoin="round"{dash} data-edge="{html.escape(style.names[u])}->'
                f'{html.escape(style.names[v])}"/>'
            )
    for _edge, head, c in zip(geom.edges, geom.heads, style.head_colours):
        pts = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in head)
        out.append(
            f'<polygon class="arrowhead" points="{pts}" fill="{rgba_text(c[:3] + (1.0,))}" fill-opacity="{c[3]:.4g}"/>'
        )
    for i, (box, name) in enumerate(zip(geom.boxes(), style.names)):
        bx0, by0, bx1, by1 = box
        f, k, t = style.fill[i], style.stroke[i], style.text[i]
        text = ""
        if style.show_label[i]:
            text = "".join(
                f'<text x="{X(geom.centres[i, 0]):.1f}" y="{Y(b):.1f}" text-anchor="middle" '
                f'dominant-baseline="central" fill-opacity="{t[3]:.4g}">{html.escape(line)}</text>'
                for line, b in zip(geom.lines[i], geom.line_baselines(i))
            )
        out.append(
            f'<g class="node" data-name="{html.escape(name)}"{node_attrs[i]}>'
            f"<title>{html.escape(style.hover[i])}</title>"
            f'<rect x="{X(bx0):.1f}" y="{Y(by1):.1f}" width="{(bx1 - bx0) * scale:.1f}" '
            f'height="{(by1 - by0) * scale:.1f}" rx="{3 * scale:.1f}" fill="{rgba_text(f[:3] + (1.0,))}" '
            f'fill-opacity="{f[3]:.4g}" stroke="{rgba_text(k[:3] + (1.0,))}" stroke-opacity="{k[3]:.4g}"/>'
            f"{text}</g>"
        )
    out.append("</svg>")
    return "".join(out)


def architecture_svg(
    descriptor: Any, layout: SharedLayout | None = None, *, scale: float = 1.25, element_id: str | None = None
) -> str:
    """SVG text of an architecture on its fixed layout (inactive parts faded).

    The drawing is the architecture's :class:`~nasnb.viz.geometry.Geometry`, the same one the
    matplotlib and plotly plots draw: skip connections arc around the nodes they pass.

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict, JSON, genome or ArchitectureData
        The architecture.
    layout : SharedLayout, optional
        Shared layout for related drawings.
    scale : float
        Pixels per point of the geometry (labels are 9 points, so 1.25 draws them at about 11 px).
    element_id : str, optional
        ``id`` attribute of the ``<svg>`` element.
    """
    data = descriptor if isinstance(descriptor, ArchitectureData) else architecture_data(descriptor, layout)
    data = data.with_geometry()
    ident = f' id="{html.escape(element_id)}"' if element_id else ""
    root = f'{ident} class="nasnb-architecture" data-layers="{len(data.names)}"'
    title = f"<title>{html.escape(data.title)}</title>" if data.title else ""
    nodes = [
        f' data-type="{html.escape(t)}" data-active="{str(bool(a)).lower()}"' for t, a in zip(data.types, data.active)
    ]
    svg = _graph_svg(data.geometry, _arch_style(data), scale, root, nodes)
    return svg.replace(">", ">" + title, 1) if title else svg


def overlay_svg(data: OverlayData, *, scale: float = 1.0, labels: bool | float = True) -> str:
    """SVG text of an :class:`~nasnb.viz.overlay.OverlayData` (opacity = share of architectures).

    Nodes are boxes labelled by layer type (``labels`` as in :func:`~nasnb.viz.overlay.plot_overlay`).
    """
    data = data.with_geometry()
    nodes = [
        f' data-key="{html.escape(k)}" data-type="{html.escape(t)}" data-count="{int(c)}"'
        for k, t, c in zip(data.keys, data.types, data.node_counts)
    ]
    return _graph_svg(
        data.geometry, _overlay_style(data, labels), scale, f' class="nasnb-overlay" data-n="{data.n}"', nodes
    )


def line_chart_svg(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    points: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    width: int = 420,
    height: int = 220,
    xlabel: str = "",
    ylabel: str = "",
) -> str:
    """A small SVG line chart: ``series`` as step lines (own dash each), ``points`` as dots (name -> (x, y)).

    Examples
    --------
    >>> svg = line_chart_svg({"best": ([0, 1, 2], [0.1, 0.3, 0.3])})
    >>> svg.split('points="')[1].split('"')[0]
    '48.0,188.0 229.0,188.0 229.0,10.0 410.0,10.0 410.0,10.0'
    """
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

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nasnb-chart" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="10">',
        f'<line x1="{L}" y1="{height - B}" x2="{width - R}" y2="{height - B}" stroke="#666"/>',
        f'<line x1="{L}" y1="{T}" x2="{L}" y2="{height - B}" stroke="#666"/>',
        f'<text x="{L - 4}" y="{sy(y1) + 4:.1f}" text-anchor="end">{y1:.3g}</text>',
        f'<text x="{L - 4}" y="{sy(y0):.1f}" text-anchor="end">{y0:.3g}</text>',
        f'<text x="{L}" y="{height - B + 12}" text-anchor="middle">{x0:.4g}</text>',
        f'<text x="{width - R}" y="{height - B + 12}" text-anchor="end">{x1:.4g}</text>',
        f'<text x="{(L + width - R) / 2:.0f}" y="{height - 4}" text-anchor="middle">{html.escape(xlabel)}</text>',
        f'<text x="12" y="{(T + height - B) / 2:.0f}" text-anchor="middle" transform="rotate(-90 12 '
        f'{(T + height - B) / 2:.0f})">{html.escape(ylabel)}</text>',
    ]
    for k, (name, (xs, ys)) in enumerate((points or {}).items()):
        c = palette[(k + 1) % len(palette)]
        dots = "".join(
            f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2"/>' for x, y in zip(xs, ys) if math.isfinite(float(y))
        )
        out.append(f'<g class="points" data-series="{html.escape(name)}" fill="{c}" fill-opacity="0.5">{dots}</g>')
    dashes = ("", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 2"', ' stroke-dasharray="8 3 2 3"')
    for k, (name, (xs, ys)) in enumerate(series.items()):
        finite = [(float(x), float(y)) for x, y in zip(xs, ys) if math.isfinite(float(y))]
        steps = []  # best-so-far style: hold each value until the next x
        for i, (x, y) in enumerate(finite):
            if i:
                steps.append(f"{sx(x):.1f},{sy(finite[i - 1][1]):.1f}")
            steps.append(f"{sx(x):.1f},{sy(y):.1f}")
        out.append(
            f'<polyline class="series" data-series="{html.escape(name)}" points="{" ".join(steps)}" '
            f'fill="none" stroke="{palette[k % len(palette)]}" stroke-width="2"{dashes[k % len(dashes)]}/>'
        )
    out.append("</svg>")
    return "".join(out)


def _diverging(value: float) -> str:
    """Blue (1) - white (0) - red (-1) colour of a correlation."""
    if not math.isfinite(value):
        return "#eeeeee"
    v = max(-1.0, min(1.0, value))
    a = abs(v)
    r, g, b = (
        (int(255 - a * 196), int(255 - a * 134), int(255 - a * 88))
        if v >= 0
        else (int(255 - a * 30), int(255 - a * 168), int(255 - a * 166))
    )
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_html(frame: pd.DataFrame, *, fmt: str = "{:.3f}", caption: str = "") -> str:
    """An HTML table whose cells are coloured by value in [-1, 1] (for correlation matrices)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for idx, row in frame.iterrows():
        cells = "".join(
            f'<td style="background:{_diverging(float(v))};text-align:right;padding:2px 6px" '
            f'data-value="{float(v):.6g}">{fmt.format(float(v))}</td>'
            for v in row.values
        )
        rows.append(f"<tr><th>{html.escape(str(idx))}</th>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="nasnb-heatmap" style="border-collapse:collapse;font-size:12px">{cap}'
        f"<tr><th></th>{head}</tr>{''.join(rows)}</table>"
    )


def table_html(frame: pd.DataFrame, *, max_rows: int = 50, css_class: str = "nasnb-table") -> str:
    """A compact HTML table of the first ``max_rows`` rows of ``frame``."""
    shown = frame.head(max_rows)
    text = shown.to_html(index=False, classes=css_class, border=0, float_format=lambda v: f"{v:.4g}")
    if len(frame) > max_rows:
        text += f"<p><i>{len(frame) - max_rows} more rows</i></p>"
    return text
