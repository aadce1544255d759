"""Draw a :class:`~nasnb.viz.geometry.Geometry` with matplotlib or plotly (SVG: :mod:`nasnb.viz.svg`).

The renderers only scale the geometry's points; they add no layout of their own. matplotlib
figures are created with :class:`matplotlib.figure.Figure` (not pyplot), so a figure
returned at the end of a notebook cell is shown once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from nasnb._optional import require
from nasnb.viz._text import chart_text, chart_texts
from nasnb.viz.geometry import Geometry

__all__ = ["GraphStyle", "rgba", "new_figure", "subplots", "draw_matplotlib", "draw_plotly", "box_path"]

_PAD = 6.0  # points of white space around a drawing
_MAX_INCHES = (18.0, 12.0)
_ROUND = 3.0  # corner radius of node boxes, points


def rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    """``"#rrggbb"`` and an opacity as an RGBA tuple of floats."""
    h = colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, float(min(max(alpha, 0.0), 1.0)))


def rgba_text(c: Sequence[float]) -> str:
    """An RGBA tuple as CSS ``rgba(...)`` text (plotly, SVG)."""
    return f"rgba({int(round(c[0] * 255))},{int(round(c[1] * 255))},{int(round(c[2] * 255))},{c[3]:.4g})"


class EdgeLayer(NamedTuple):
    """One stroke of some connections: which, their colours, dashed or not, line width."""

    label: str
    index: list  # type: ignore[assignment]  # a NamedTuple field may shadow tuple.index (mypy flags it anyway)
    colours: list
    dashed: bool
    width: float


class GraphStyle(NamedTuple):
    """Colours of a graph drawing (per node, per connection) and what the nodes are called."""

    names: list
    fill: list
    stroke: list
    text: list
    show_label: list
    layers: list  # EdgeLayer, drawn in order
    head_colours: list  # per connection
    hover: list  # per node


def new_figure(figsize: tuple):
    """A matplotlib ``Figure`` that pyplot does not track (shown once when a cell returns it).

    Examples
    --------
    >>> fig = new_figure((3, 2))
    >>> import matplotlib.pyplot as plt
    >>> plt.get_fignums()
    []
    """
    figure = require("matplotlib.figure", extra="viz", purpose="draw static figures")
    if "ipykernel" in sys.modules:
        # IPython draws a returned Figure only once the inline backend has registered its image
        # formatter, which happens when the backend is first loaded (by pyplot, never here).
        try:
            import matplotlib_inline.backend_inline  # noqa: F401
        except ImportError:  # pragma: no cover - no inline backend installed
            pass
    return figure.Figure(figsize=figsize)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any):
    """Like ``plt.subplots`` but the figure is not tracked by pyplot (a cell returning it shows it once).

    Use it for grids of plots in notebooks: ``fig, axes = subplots(1, 4, figsize=(16, 3))``,
    draw with ``ax=axes[i]``, and end the cell with ``fig``.

    Examples
    --------
    >>> fig, axes = subplots(1, 2, figsize=(6, 2))
    >>> len(axes), len(fig.axes)
    (2, 2)
    """
    figsize = kwargs.pop("figsize", None)
    layout = kwargs.pop("layout", "constrained")
    fig = new_figure(figsize or (6.4, 4.8))
    fig.set_layout_engine(layout)
    return fig, fig.subplots(nrows, ncols, **kwargs)


_SCALED_TEXT = None


def _scaled_text_class():
    """A matplotlib ``Text`` whose size is given in data units, so it scales with the boxes."""
    global _SCALED_TEXT
    if _SCALED_TEXT is None:
        text = require("matplotlib.text", extra="viz", purpose="draw architectures")

        class ScaledText(text.Text):
            def __init__(self, x: float, y: float, label: str, *, data_size: float, **kwargs: Any) -> None:
                super().__init__(x, y, label, **kwargs)
                self.data_size = float(data_size)

            def _fit(self) -> None:
                if self.axes is None or self.figure is None:
                    return
                t = self.axes.transData
                ppu = float(np.hypot(*(t.transform((1.0, 0.0)) - t.transform((0.0, 0.0)))))
                self._fontproperties.set_size(max(self.data_size * ppu * 72.0 / self.figure.dpi, 0.1))

            def draw(self, renderer: Any) -> None:
                self._fit()
                super().draw(renderer)

            def get_window_extent(self, renderer: Any = None, dpi: Any = None):
                self._fit()
                return super().get_window_extent(renderer, dpi)

        _SCALED_TEXT = ScaledText
    return _SCALED_TEXT


def _figsize(geom: Geometry, title: bool) -> tuple[float, float]:
    x0, y0, x1, y1 = geom.extent
    w, h = (x1 - x0 + 2 * _PAD) / 72.0, (y1 - y0 + 2 * _PAD) / 72.0 + (0.35 if title else 0.0)
    k = min(1.0, _MAX_INCHES[0] / w, _MAX_INCHES[1] / h)
    return (max(w * k, 1.5), max(h * k, 0.8))


def draw_matplotlib(
    geom: Geometry, style: GraphStyle, *, ax: Any = None, figsize: tuple | None = None, title: str = ""
):
    """Draw the geometry into ``ax`` (or a new untracked figure); return the figure."""
    collections = require("matplotlib.collections", extra="viz", purpose="draw architectures")
    patches = require("matplotlib.patches", extra="viz", purpose="draw architectures")
    if ax is None:
        fig = new_figure(figsize or _figsize(geom, bool(title)))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - (0.35 / fig.get_figheight() if title else 0.0)))
    else:
        fig = ax.figure
    lines = geom.line_paths()
    for layer in style.layers:
        if not layer.index:
            continue
        ax.add_collection(
            collections.LineCollection(
                [lines[i] for i in layer.index],
                colors=layer.colours,
                linewidths=layer.width,
                zorder=1,
                linestyles="dashed" if layer.dashed else "solid",
                label=layer.label,
                capstyle="butt",
                joinstyle="round",
            )
        )
    if len(geom.heads):
        ax.add_collection(
            collections.PolyCollection(
                list(geom.heads), facecolors=style.head_colours, edgecolors="none", zorder=2, label="arrowheads"
            )
        )
    scaled = _scaled_text_class()
    boxes = geom.boxes()
    for i, name in enumerate(style.names):
        x0, y0, x1, y1 = boxes[i]
        ax.add_patch(
            patches.FancyBboxPatch(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                gid=f"box-{name}",
                zorder=3,
                boxstyle=f"round,pad=0,rounding_size={_ROUND}",
                facecolor=style.fill[i],
                edgecolor=style.stroke[i],
                linewidth=0.9,
            )
        )
        if style.show_label[i]:
            x, y = geom.centres[i]
            t = scaled(
                x,
                y,
                "\n".join(geom.lines[i]),
                data_size=geom.font_size,
                ha="center",
                va="center",
                multialignment="center",
                linespacing=1.15,
                color=style.text[i][:3],
                alpha=style.text[i][3],
                zorder=4,
                gid=f"node-{name}",
                clip_on=False,
            )
            ax.add_artist(t)
    x0, y0, x1, y1 = geom.extent
    ax.set_xlim(x0 - _PAD, x1 + _PAD)
    ax.set_ylim(y0 - _PAD, y1 + _PAD)
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title)
    ax.set_axis_off()
    return fig


def box_path(box: Sequence[float], r: float = _ROUND) -> str:
    """SVG / plotly path text of a rounded rectangle ``(x0, y0, x1, y1)`` (any y direction)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    ya, yb = min(y0, y1), max(y0, y1)
    r = min(r, (x1 - x0) / 2, (yb - ya) / 2)
    return (
        f"M{x0 + r:.2f},{ya:.2f} L{x1 - r:.2f},{ya:.2f} Q{x1:.2f},{ya:.2f} {x1:.2f},{ya + r:.2f} "
        f"L{x1:.2f},{yb - r:.2f} Q{x1:.2f},{yb:.2f} {x1 - r:.2f},{yb:.2f} L{x0 + r:.2f},{yb:.2f} "
        f"Q{x0:.2f},{yb:.2f} {x0:.2f},{yb - r:.2f} L{x0:.2f},{ya + r:.2f} "
        f"Q{x0:.2f},{ya:.2f} {x0 + r:.2f},{ya:.2f} Z"
    )


def draw_plotly(geom: Geometry, style: GraphStyle, *, title: str = "", max_width: float = 1100.0):
    """Draw the geometry as a plotly figure sized so the labels fit their boxes; return it."""
    go = require("plotly.graph_objects", extra="viz", purpose="draw interactive architectures")
    x0, y0, x1, y1 = geom.extent
    w, h = x1 - x0 + 2 * _PAD, y1 - y0 + 2 * _PAD
    k = min(96.0 / 72.0, max_width / w)  # pixels per point
    top = 40 if title else 8
    fig = go.Figure()
    lines = geom.line_paths()
    for layer in style.layers:
        groups: dict[tuple, list[int]] = {}
        for i, c in zip(layer.index, layer.colours):
            groups.setdefault((tuple(round(float(v), 4) for v in c[:3]), round(float(c[3]), 4)), []).append(i)
        if not groups:  # keep the (empty) trace so that trace names stay stable
            groups = {((0.2, 0.2, 0.2), 1.0): []}
        for (rgb, alpha), idx in groups.items():  # plotly has one opacity per trace
            xs: list = []
            ys: list = []
            for i in idx:
                xs += lines[i][:, 0].tolist() + [None]
                ys += lines[i][:, 1].tolist() + [None]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=chart_text(layer.label),
                    legendgroup=layer.label,
                    opacity=alpha,
                    hoverinfo="skip",
                    line=dict(
                        color=rgba_text(rgb + (1.0,)), width=layer.width * k, dash="dash" if layer.dashed else "solid"
                    ),
                )
            )
    shapes = []
    for i, box in enumerate(geom.boxes()):
        shapes.append(
            dict(
                type="path",
                path=box_path(box),
                layer="below",
                fillcolor=rgba_text(style.fill[i]),
                line=dict(color=rgba_text(style.stroke[i]), width=0.9 * k),
            )
        )
    for head, c in zip(geom.heads, style.head_colours):
        path = "M" + " L".join(f"{x:.2f},{y:.2f}" for x, y in head) + " Z"
        shapes.append(dict(type="path", path=path, layer="above", fillcolor=rgba_text(c), line=dict(width=0)))
    text = ["<br>".join(chart_texts(lines_)) if show else "" for lines_, show in zip(geom.lines, style.show_label)]
    fig.add_trace(
        go.Scatter(
            x=geom.centres[:, 0].tolist(),
            y=geom.centres[:, 1].tolist(),
            mode="text",
            name="layers",
            text=text,
            textposition="middle center",
            customdata=list(style.names),
            hovertext=chart_texts(style.hover),
            hovertemplate="%{hovertext}<extra></extra>",
            textfont=dict(
                size=geom.font_size * k,
                color=[rgba_text(c) for c in style.text],
                family="DejaVu Sans, Verdana, sans-serif",
            ),
        )
    )
    fig.update_layout(
        title=chart_text(title),
        showlegend=False,
        plot_bgcolor="white",
        shapes=shapes,
        width=int(w * k) + 4,
        height=int(h * k) + top + 4,
        autosize=False,
        xaxis=dict(visible=False, range=[x0 - _PAD, x1 + _PAD], constrain="domain"),
        yaxis=dict(visible=False, range=[y0 - _PAD, y1 + _PAD], scaleanchor="x", scaleratio=1, constrain="domain"),
        margin=dict(l=2, r=2, t=top, b=2),
    )
    return fig
