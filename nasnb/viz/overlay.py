"""Overlay many architectures on one shared layout, each drawn with opacity 1/N (thesis Fig. 6.5).

Identical connections are aggregated: a connection present in ``k`` of the ``N``
architectures is drawn once with the opacity that ``k`` copies at ``1/N`` give, so 500
architectures cost one matplotlib ``LineCollection`` (or one plotly trace per opacity level)
instead of thousands of artists. ``blend="sum"`` uses ``k/N`` (additive: every architecture
adds ``1/N``); ``blend="composite"`` uses ``1 - (1 - 1/N)**k``, exactly what stacking ``k``
translucent copies looks like. Layers that are inactive in an architecture (on no input ->
output path) add to a separate, faded count.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU", "nn.Tanh"])
>>> b = NeuralDescriptor.sequential(["nn.Identity", "nn.Tanh"])
>>> data = overlay_data([a, b])
>>> data.n, sorted(zip(data.edge_labels(), data.edge_alpha().tolist()))
(2, [('<input>-><output>', 0.5), ('<input>->layer_1', 0.5), ('layer_1-><output>', 0.5)])
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, NamedTuple

import numpy as np

from nasnb._optional import require
from nasnb._validation import check_choice
from nasnb.exceptions import DescriptorError, ParameterError
from nasnb.viz._records import as_descriptor, natural_key
from nasnb.viz.layout import SharedLayout, node_keys
from nasnb.viz.style import INACTIVE_ALPHA, layer_colour

__all__ = ["OverlayData", "overlay_data", "overlay_alpha", "plot_overlay", "BLENDS"]

BLENDS = ("sum", "composite")


def overlay_alpha(counts: Any, n: int, blend: str = "sum") -> np.ndarray:
    """Opacity of an element present in ``counts`` of ``n`` architectures drawn at ``1/n``.

    Examples
    --------
    >>> overlay_alpha([1, 4], 4).tolist()
    [0.25, 1.0]
    >>> round(float(overlay_alpha([2], 4, "composite")[0]), 4)
    0.4375
    """
    check_choice(blend, BLENDS, "blend", "overlay_alpha")
    c = np.asarray(counts, dtype=float)
    if n <= 0:
        return np.zeros_like(c)
    if blend == "sum":
        return np.clip(c / n, 0.0, 1.0)
    return 1.0 - (1.0 - 1.0 / n) ** c


class OverlayData(NamedTuple):
    """Aggregated overlay of ``n`` architectures on one layout.

    Attributes
    ----------
    n : int
        Number of architectures.
    keys : list of str
        Layout keys of every node seen.
    types : list of str
        Most common layer type of each key.
    positions : ndarray of shape (len(keys), 2)
        Shared-layout coordinates.
    node_counts, node_inactive_counts : ndarray of int
        In how many architectures each node is active / present but inactive.
    edges : list of (int, int)
        Distinct connections (index pairs into ``keys``).
    edge_counts, edge_inactive_counts : ndarray of int
        In how many architectures each connection is active / inactive.
    blend : str
        How counts become opacity (see :func:`overlay_alpha`).
    """

    n: int
    keys: list
    types: list
    positions: np.ndarray
    node_counts: np.ndarray
    node_inactive_counts: np.ndarray
    edges: list
    edge_counts: np.ndarray
    edge_inactive_counts: np.ndarray
    blend: str

    def edge_alpha(self) -> np.ndarray:
        """Opacity of each connection's active drawing."""
        return overlay_alpha(self.edge_counts, self.n, self.blend)

    def edge_inactive_alpha(self) -> np.ndarray:
        """Opacity of each connection's faded (inactive) drawing."""
        return overlay_alpha(self.edge_inactive_counts, self.n, self.blend) * INACTIVE_ALPHA

    def node_alpha(self) -> np.ndarray:
        """Opacity of each node: active share plus a faded share for inactive occurrences."""
        a = overlay_alpha(self.node_counts, self.n, self.blend)
        f = overlay_alpha(self.node_inactive_counts, self.n, self.blend) * INACTIVE_ALPHA
        return np.clip(a + f, 0.0, 1.0)

    def edge_labels(self) -> list[str]:
        """``"src->dst"`` key text of each connection."""
        return [f"{self.keys[u]}->{self.keys[v]}" for u, v in self.edges]


def overlay_data(descriptors: Iterable[Any], layout: SharedLayout | None = None, *,
                 blend: str = "sum") -> OverlayData:
    """Aggregate many architectures (descriptors, dicts, JSON texts or genomes) on one layout.

    Parameters
    ----------
    descriptors : iterable
        The architectures; a ``descriptor_json`` column of a record frame works as is.
    layout : SharedLayout, optional
        Layout to place them on (fitted to all of them first; nodes already placed stay).
    blend : {"sum", "composite"}
        See :func:`overlay_alpha`.
    """
    check_choice(blend, BLENDS, "blend", "overlay_data")
    ds = [as_descriptor(d, func="overlay_data") for d in descriptors]
    if not ds:
        raise ParameterError("The 'descriptors' parameter of overlay_data must hold at least one "
                             "architecture. Got an empty collection instead.")
    layout = SharedLayout() if layout is None else layout
    layout.fit(ds)
    node_on, node_off, edge_on, edge_off = Counter(), Counter(), Counter(), Counter()
    types: dict[str, Counter] = {}
    for d in ds:
        keys = node_keys(d)
        try:
            active = d.active_layers()
        except DescriptorError:
            active = set()
        for name, spec in d.layers.items():
            k = keys[name]
            (node_on if name in active else node_off)[k] += 1
            types.setdefault(k, Counter())[spec.type] += 1
        for u, v in d.connections:
            (edge_on if (u in active and v in active) else edge_off)[(keys[u], keys[v])] += 1
    key_list = sorted(types, key=natural_key)
    pos = layout.key_positions()
    index = {k: i for i, k in enumerate(key_list)}
    edge_keys = sorted(set(edge_on) | set(edge_off), key=lambda e: (natural_key(e[0]), natural_key(e[1])))
    return OverlayData(
        n=len(ds),
        keys=key_list,
        types=[types[k].most_common(1)[0][0] for k in key_list],
        positions=np.array([pos[k] for k in key_list], dtype=float).reshape(-1, 2),
        node_counts=np.array([node_on[k] for k in key_list], dtype=int),
        node_inactive_counts=np.array([node_off[k] for k in key_list], dtype=int),
        edges=[(index[u], index[v]) for u, v in edge_keys],
        edge_counts=np.array([edge_on[e] for e in edge_keys], dtype=int),
        edge_inactive_counts=np.array([edge_off[e] for e in edge_keys], dtype=int),
        blend=blend,
    )


def _segments(data: OverlayData) -> np.ndarray:
    p = data.positions
    return np.array([[p[u], p[v]] for u, v in data.edges], dtype=float).reshape(-1, 2, 2)


def _draw_matplotlib(data: OverlayData, ax: Any, figsize: tuple | None, labels: bool):
    plt = require("matplotlib.pyplot", extra="viz", purpose="draw overlays with matplotlib")
    collections = require("matplotlib.collections", extra="viz", purpose="draw overlays")
    if ax is None:
        span = np.ptp(data.positions, axis=0)
        fig, ax = plt.subplots(figsize=figsize or (max(5.0, 1.2 * span[0] + 2), max(3.0, 0.8 * span[1] + 2)))
    else:
        fig = ax.figure
    segs = _segments(data)
    on, off = data.edge_alpha(), data.edge_inactive_alpha()
    keep_on, keep_off = on > 0, off > 0
    if keep_off.any():
        rgba = np.zeros((int(keep_off.sum()), 4)); rgba[:, :3] = 0.55; rgba[:, 3] = off[keep_off]
        ax.add_collection(collections.LineCollection(segs[keep_off], colors=rgba, linewidths=1.2,
                                                     linestyles="dashed", zorder=1, label="inactive connections"))
    if keep_on.any():
        rgba = np.zeros((int(keep_on.sum()), 4)); rgba[:, :3] = 0.1; rgba[:, 3] = on[keep_on]
        ax.add_collection(collections.LineCollection(segs[keep_on], colors=rgba, linewidths=2.0, zorder=2,
                                                     label="connections"))
    colours = np.array([[int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in map(layer_colour, data.types)])
    rgba = np.column_stack([colours, data.node_alpha()]) if len(colours) else np.zeros((0, 4))
    ax.scatter(data.positions[:, 0], data.positions[:, 1], s=160, c=rgba, edgecolors=rgba * [0.3, 0.3, 0.3, 1],
               zorder=3, label="layers")
    if labels:
        share = (data.node_counts + data.node_inactive_counts) / max(data.n, 1)
        floor = 0.0 if labels is True else float(labels)
        for k, (x, y), s in zip(data.keys, data.positions, share):
            if s < floor and k not in ("<input>", "<output>"):
                continue
            ax.annotate(k.strip("<>"), (x, y), xytext=(0, 10), textcoords="offset points", ha="center",
                        fontsize=7, color="#333333")
    lo, hi = data.positions.min(axis=0), data.positions.max(axis=0)
    ax.set_xlim(lo[0] - 0.6, hi[0] + 0.6)
    ax.set_ylim(lo[1] - 0.6, hi[1] + 0.6)
    ax.set_title(f"{data.n} architectures, each at opacity 1/{data.n}")
    ax.set_axis_off()
    return fig


def _draw_plotly(data: OverlayData, levels: int):
    go = require("plotly.graph_objects", extra="viz", purpose="draw interactive overlays")
    fig = go.Figure()
    p = data.positions
    for alpha_all, colour, dash, name in ((data.edge_inactive_alpha(), "#888888", "dash", "inactive connections"),
                                          (data.edge_alpha(), "#1a1a1a", "solid", "connections")):
        # one trace per opacity level (plotly has one opacity per trace); rounded to `levels`
        q = np.round(alpha_all * levels) / levels
        for level in sorted(set(q[q > 0].tolist())):
            xs, ys = [], []
            for (u, v), a in zip(data.edges, q):
                if a == level:
                    xs += [p[u, 0], p[v, 0], None]
                    ys += [p[u, 1], p[v, 1], None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", opacity=level, name=name, legendgroup=name,
                                     showlegend=False, hoverinfo="skip", line=dict(color=colour, width=2, dash=dash)))
    fig.add_trace(go.Scatter(
        x=p[:, 0], y=p[:, 1], mode="markers", name="layers", customdata=np.column_stack(
            [data.keys, data.types, data.node_counts, data.node_inactive_counts]),
        hovertemplate="%{customdata[0]} (%{customdata[1]})<br>active in %{customdata[2]}, inactive in "
                      "%{customdata[3]}<extra></extra>",
        marker=dict(size=16, color=[layer_colour(t) for t in data.types], opacity=1.0,
                    line=dict(color="#333333", width=1)),
    ))
    fig.data[-1].marker.color = [_rgba_text(layer_colour(t), a) for t, a in zip(data.types, data.node_alpha())]
    fig.update_layout(title=f"{data.n} architectures, each at opacity 1/{data.n}", showlegend=False,
                      plot_bgcolor="white", xaxis=dict(visible=False), yaxis=dict(visible=False))
    return fig


def _rgba_text(colour: str, alpha: float) -> str:
    h = colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha:.4f})"


def plot_overlay(descriptors: Any, layout: SharedLayout | None = None, *, backend: str = "matplotlib",
                 blend: str = "sum", ax: Any = None, figsize: tuple | None = None, labels: bool | float = 0.1,
                 levels: int = 100):
    """Draw many architectures over each other on a shared layout; return the figure.

    Parameters
    ----------
    descriptors : iterable or OverlayData
        Architectures (descriptors, dicts, JSON texts, genomes) or gathered :class:`OverlayData`.
    layout : SharedLayout, optional
        Shared layout (use the same one as for single-architecture plots to compare them).
    backend : {"matplotlib", "plotly"}
        Static ``Figure`` or interactive ``go.Figure``.
    blend : {"sum", "composite"}
        How per-architecture opacity 1/N adds up (see :func:`overlay_alpha`).
    labels : bool or float
        Print node keys (matplotlib); a float prints only nodes present in at least that share
        of the architectures (input and output always).
    levels : int
        Opacity resolution of the plotly rendering (one trace per distinct level).

    Examples
    --------
    >>> from nasnb.descriptors import NeuralDescriptor
    >>> ds = [NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"]) for _ in range(3)]
    >>> fig = plot_overlay(ds)
    >>> fig.axes[0].collections[0].get_colors()[:, 3].tolist()
    [1.0]
    """
    check_choice(backend, ("matplotlib", "plotly"), "backend", "plot_overlay")
    data = descriptors if isinstance(descriptors, OverlayData) else overlay_data(descriptors, layout, blend=blend)
    if backend == "plotly":
        return _draw_plotly(data, levels)
    return _draw_matplotlib(data, ax, figsize, labels)
