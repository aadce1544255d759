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
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from nasnb._validation import check_choice
from nasnb.exceptions import DescriptorError, ParameterError
from nasnb.viz._graph_draw import EdgeLayer, GraphStyle, draw_matplotlib, draw_plotly, rgba
from nasnb.viz._records import as_descriptor, natural_key
from nasnb.viz.geometry import graph_geometry
from nasnb.viz.layout import INPUT_KEY, OUTPUT_KEY, SharedLayout, node_keys
from nasnb.viz.style import INACTIVE_ALPHA, layer_colour, layer_label

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
    orientation : str
        The layout's orientation.
    geometry : Geometry
        Boxes labelled by layer type, routed connections and arrowheads, in points
        (:func:`~nasnb.viz.geometry.graph_geometry`); every renderer draws exactly this.
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
    orientation: str = "horizontal"
    geometry: Any = None

    def labels(self) -> list[str]:
        """Text of each node: its (most common) layer type."""
        return [layer_label(k, t, show_params=0) for k, t in zip(self.keys, self.types)]

    def with_geometry(self) -> OverlayData:
        """This data with its :attr:`geometry` computed (if it is missing)."""
        if self.geometry is not None:
            return self
        return self._replace(
            geometry=graph_geometry(self.positions, self.labels(), self.edges, orientation=self.orientation)
        )

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


def overlay_data(descriptors: Iterable[Any], layout: SharedLayout | None = None, *, blend: str = "sum") -> OverlayData:
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
        raise ParameterError(
            "The 'descriptors' parameter of overlay_data must hold at least one "
            "architecture. Got an empty collection instead."
        )
    layout = SharedLayout() if layout is None else layout
    layout.fit(ds)
    node_on: Counter[str] = Counter()
    node_off: Counter[str] = Counter()
    edge_on: Counter[tuple[str, str]] = Counter()
    edge_off: Counter[tuple[str, str]] = Counter()
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
        orientation=layout.orientation,
    ).with_geometry()


def _style(data: OverlayData, labels: bool | float) -> GraphStyle:
    node_a = data.node_alpha()
    share = (data.node_counts + data.node_inactive_counts) / max(data.n, 1)
    floor = 0.0 if labels is True else (2.0 if labels is False else float(labels))
    fill, stroke, text, show = [], [], [], []
    for k, t, a, sh in zip(data.keys, data.types, node_a, share):
        fill.append(rgba(layer_colour(t), 0.9 * a))
        stroke.append(rgba("#333333", 0.25 + 0.75 * a))
        text.append(rgba("#000000", 0.8 + 0.2 * a))  # readable even for a layer of 1 architecture in many
        show.append(bool(sh >= floor or k in (INPUT_KEY, OUTPUT_KEY)))
    on, off = data.edge_alpha(), data.edge_inactive_alpha()
    idx_on = [i for i in range(len(data.edges)) if on[i] > 0]
    idx_off = [i for i in range(len(data.edges)) if off[i] > 0]
    layers = [
        EdgeLayer("inactive connections", idx_off, [(0.55, 0.55, 0.55, float(off[i])) for i in idx_off], True, 1.2),
        EdgeLayer("connections", idx_on, [(0.1, 0.1, 0.1, float(on[i])) for i in idx_on], False, 1.8),
    ]
    heads = [(0.1, 0.1, 0.1, float(max(a, f))) for a, f in zip(on, off)]
    hover = [
        f"{k} ({t}): active in {c}, inactive in {ic} of {data.n}"
        for k, t, c, ic in zip(data.keys, data.types, data.node_counts, data.node_inactive_counts)
    ]
    return GraphStyle(list(data.keys), fill, stroke, text, show, layers, heads, hover)


def plot_overlay(
    descriptors: Any,
    layout: SharedLayout | None = None,
    *,
    backend: str = "matplotlib",
    blend: str = "sum",
    ax: Any = None,
    figsize: tuple | None = None,
    labels: bool | float = True,
    levels: int = 100,
):
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
        Print each node's layer type in its box (default; the text stays readable however rare
        the layer, the box's opacity shows its share); a float prints only nodes present in at
        least that share of the architectures (input and output always); ``False`` prints none.
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
    data = data.with_geometry()
    title = f"{data.n} architectures, each at opacity 1/{data.n}"
    style = _style(data, labels)
    if backend == "plotly":
        q = [[np.round(c[3] * levels) / levels for c in layer.colours] for layer in style.layers]
        style = style._replace(
            layers=[
                layer._replace(colours=[(*c[:3], a) for c, a in zip(layer.colours, qs)])
                for layer, qs in zip(style.layers, q)
            ]
        )
        return draw_plotly(data.geometry, style, title=title)
    return draw_matplotlib(data.geometry, style, ax=ax, figsize=figsize, title=title)
