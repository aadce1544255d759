"""Architecture plots on fixed layouts: the descriptor as specified (and as realised).

Each plot is split in two: :func:`architecture_data` gathers an :class:`ArchitectureData`
(positions from a :class:`~nasnb.viz.layout.SharedLayout`, labels, colours, which layers
and connections are active) and :func:`plot_architecture` draws it with matplotlib (a
``Figure``, exportable to PNG/SVG/PDF) or plotly (a ``go.Figure``). Plot functions return
figures and never show them.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU", "nn.Tanh"])
>>> data = architecture_data(d)
>>> data.names, data.positions.tolist()
(['layer_0', 'layer_1', 'layer_2'], [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
>>> fig = plot_architecture(data)
>>> fig.axes[0].get_title()
''
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from nasnb._optional import require
from nasnb._validation import check_choice
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DescriptorError
from nasnb.viz._records import as_descriptor
from nasnb.viz.layout import SharedLayout, node_keys
from nasnb.viz.style import INACTIVE_ALPHA, INSERTED_COLOUR, layer_colour, layer_label

__all__ = ["ArchitectureData", "architecture_data", "plot_architecture", "BACKENDS"]

BACKENDS = ("matplotlib", "plotly")


class ArchitectureData(NamedTuple):
    """Everything needed to draw one architecture.

    Attributes
    ----------
    names : list of str
        Layer names, in the descriptor's topological order.
    keys : list of str
        Layout keys (``"<input>"``/``"<output>"`` for the roles, else the name).
    types : list of str
        Layer type of each node.
    labels : list of str
        Text drawn on each node.
    colours : list of str
        Fill colour of each node.
    positions : ndarray of shape (n, 2)
        Node coordinates from the shared layout.
    active : ndarray of bool
        Whether each node lies on an input -> output path (inactive ones are drawn faded).
    inserted : ndarray of bool
        Whether a node was inserted by the builder (realised plots only).
    edges : list of (int, int)
        Connections as index pairs into ``names``.
    edge_active : ndarray of bool
        Whether both ends of each connection are active.
    title : str
        Plot title (the descriptor's name, if any).
    """

    names: list
    keys: list
    types: list
    labels: list
    colours: list
    positions: np.ndarray
    active: np.ndarray
    inserted: np.ndarray
    edges: list
    edge_active: np.ndarray
    title: str


def architecture_data(descriptor: Any, layout: SharedLayout | None = None, *, show_params: int = 0,
                      inserted: set | frozenset = frozenset(), title: str | None = None) -> ArchitectureData:
    """Gather the drawing data of one architecture.

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict, JSON text or genome
        The architecture.
    layout : SharedLayout, optional
        Shared layout; pass the same object to plots of related architectures so that a node
        keeps its position. A fresh one is used when omitted.
    show_params : int
        How many layer parameters to print under the type.
    inserted : set of str
        Names of layers a builder inserted (drawn grey).
    title : str, optional
        Defaults to the descriptor's name.

    Examples
    --------
    >>> from nasnb.descriptors import NeuralDescriptor
    >>> d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    >>> architecture_data(d).active.tolist()
    [True, True]
    """
    d = as_descriptor(descriptor, func="architecture_data")
    layout = SharedLayout() if layout is None else layout
    pos = layout.positions(d)
    keys = node_keys(d)
    try:
        names = d.topological_order()
    except DescriptorError:
        names = list(d.layers)
    try:
        active_set = d.active_layers()
    except DescriptorError:
        active_set = set()
    specs = d.layers
    index = {n: i for i, n in enumerate(names)}
    edges = sorted((index[u], index[v]) for u, v in d.connections)
    active = np.array([n in active_set for n in names], dtype=bool)
    ins = np.array([n in inserted for n in names], dtype=bool)
    return ArchitectureData(
        names=names,
        keys=[keys[n] for n in names],
        types=[specs[n].type for n in names],
        labels=[layer_label(n, specs[n].type, specs[n].params, show_params=show_params) for n in names],
        colours=[INSERTED_COLOUR if n in inserted else layer_colour(specs[n].type) for n in names],
        positions=np.array([pos[n] for n in names], dtype=float).reshape(-1, 2),
        active=active,
        inserted=ins,
        edges=edges,
        edge_active=np.array([bool(active[u] and active[v]) for u, v in edges], dtype=bool),
        title=d.name if title is None and d.name else (title or ""),
    )


def _rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    h = colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, float(alpha))


def _draw_matplotlib(data: ArchitectureData, ax: Any, figsize: tuple | None):
    plt = require("matplotlib.pyplot", extra="viz", purpose="draw architectures with matplotlib")
    collections = require("matplotlib.collections", extra="viz", purpose="draw architectures")
    if ax is None:
        span = np.ptp(data.positions, axis=0) if len(data.names) else np.zeros(2)
        size = figsize or (max(4.0, 1.6 * span[0] + 2.5), max(2.5, 1.0 * span[1] + 2.0))
        fig, ax = plt.subplots(figsize=size)
    else:
        fig = ax.figure
    p = data.positions
    if data.edges:
        segs = np.array([[p[u], p[v]] for u, v in data.edges])
        colours = [(0.2, 0.2, 0.2, 1.0 if a else INACTIVE_ALPHA) for a in data.edge_active]
        ax.add_collection(collections.LineCollection(segs, colors=colours, linewidths=1.4, zorder=1,
                                                     label="connections"))
        for (u, v), a in zip(data.edges, data.edge_active):
            ax.annotate("", xy=p[v], xytext=p[u], zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color=(0.2, 0.2, 0.2, 1.0 if a else INACTIVE_ALPHA),
                                        shrinkA=14, shrinkB=14, lw=1.2))
    for i, name in enumerate(data.names):
        alpha = 1.0 if data.active[i] else INACTIVE_ALPHA
        ax.text(p[i, 0], p[i, 1], data.labels[i], ha="center", va="center", fontsize=8, zorder=3,
                alpha=max(alpha, 0.4), gid=f"node-{name}",
                bbox=dict(boxstyle="round,pad=0.35", fc=_rgba(data.colours[i], 0.85 * alpha),
                          ec=_rgba("#333333", alpha)))
    if len(data.names):
        lo, hi = p.min(axis=0), p.max(axis=0)
        ax.set_xlim(lo[0] - 0.7, hi[0] + 0.7)
        ax.set_ylim(lo[1] - 0.7, hi[1] + 0.7)
    ax.set_title(data.title)
    ax.set_axis_off()
    return fig


def _draw_plotly(data: ArchitectureData):
    go = require("plotly.graph_objects", extra="viz", purpose="draw interactive architectures")
    fig = go.Figure()
    p = data.positions
    for flag, name, alpha in ((True, "connections", 1.0), (False, "inactive connections", INACTIVE_ALPHA)):
        xs, ys = [], []
        for (u, v), a in zip(data.edges, data.edge_active):
            if bool(a) == flag:
                xs += [p[u, 0], p[v, 0], None]
                ys += [p[u, 1], p[v, 1], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, opacity=alpha, hoverinfo="skip",
                                 line=dict(color="#333333", width=1.5)))
    fig.add_trace(go.Scatter(
        x=p[:, 0] if len(p) else [], y=p[:, 1] if len(p) else [], mode="markers+text", name="layers",
        text=[lbl.replace("\n", "<br>") for lbl in data.labels], textposition="top center",
        customdata=data.names, hovertemplate="%{customdata}<br>%{text}<extra></extra>",
        marker=dict(size=22, color=data.colours, opacity=[1.0 if a else INACTIVE_ALPHA for a in data.active],
                    line=dict(color="#333333", width=1)),
    ))
    fig.update_layout(title=data.title, showlegend=False, plot_bgcolor="white",
                      xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"),
                      margin=dict(l=10, r=10, t=40 if data.title else 10, b=10))
    return fig


def plot_architecture(descriptor: Any, layout: SharedLayout | None = None, *, backend: str = "matplotlib",
                      ax: Any = None, figsize: tuple | None = None, show_params: int = 0):
    """Draw an architecture on a fixed layout; return the figure (never shown).

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict, JSON, genome or ArchitectureData
        What to draw (an :class:`ArchitectureData` is drawn as is).
    layout : SharedLayout, optional
        Shared layout for related plots.
    backend : {"matplotlib", "plotly"}
        ``matplotlib`` returns a ``Figure`` (``fig.savefig("a.png")`` / ``.svg`` / ``.pdf``);
        ``plotly`` returns an interactive ``plotly.graph_objects.Figure``.
    ax : matplotlib Axes, optional
        Draw into this axes (matplotlib only).
    figsize : tuple, optional
        Figure size in inches (matplotlib only).
    show_params : int
        How many layer parameters to print on each node.

    Examples
    --------
    >>> from nasnb.descriptors import NeuralDescriptor
    >>> d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    >>> [t.name for t in plot_architecture(d, backend="plotly").data]
    ['connections', 'inactive connections', 'layers']
    """
    check_choice(backend, BACKENDS, "backend", "plot_architecture")
    data = descriptor if isinstance(descriptor, ArchitectureData) else architecture_data(
        descriptor, layout, show_params=show_params)
    if backend == "plotly":
        return _draw_plotly(data)
    return _draw_matplotlib(data, ax, figsize)


def _is_descriptor(obj: Any) -> bool:
    return isinstance(obj, NeuralDescriptor)
