"""Architecture plots on fixed layouts: the descriptor as specified (and as realised).

Each plot is split in two: :func:`architecture_data` gathers an :class:`ArchitectureData`
(positions from a :class:`~nasnb.viz.layout.SharedLayout`, labels, colours, which layers
and connections are active, and the drawing :class:`~nasnb.viz.geometry.Geometry`: label
boxes, connections routed around every node that is not their end, arrowheads) and
:func:`plot_architecture` draws that geometry with matplotlib (a ``Figure`` that pyplot does
not track, exportable to PNG/SVG/PDF) or plotly (a ``go.Figure``);
:func:`~nasnb.viz.svg.architecture_svg` draws the same geometry as SVG. Plot functions return
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

from nasnb._validation import check_choice
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DescriptorError
from nasnb.viz._graph_draw import EdgeLayer, GraphStyle, draw_matplotlib, draw_plotly, rgba
from nasnb.viz._records import as_descriptor
from nasnb.viz.geometry import graph_geometry
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
    orientation : str
        The layout's orientation (``"horizontal"`` or ``"vertical"``).
    geometry : Geometry
        Boxes, routed connections and arrowheads in points (:func:`~nasnb.viz.geometry.graph_geometry`);
        every renderer draws exactly this.
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
    orientation: str = "horizontal"
    geometry: Any = None

    def with_geometry(self) -> ArchitectureData:
        """This data with its :attr:`geometry` computed (if it is missing)."""
        if self.geometry is not None:
            return self
        return self._replace(
            geometry=graph_geometry(self.positions, self.labels, self.edges, orientation=self.orientation)
        )


def architecture_data(
    descriptor: Any,
    layout: SharedLayout | None = None,
    *,
    show_params: int = 0,
    inserted: set | frozenset = frozenset(),
    title: str | None = None,
) -> ArchitectureData:
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
    data = ArchitectureData(
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
        orientation=layout.orientation,
    )
    return data.with_geometry()


def _style(data: ArchitectureData) -> GraphStyle:
    fill, stroke, text = [], [], []
    for colour, a in zip(data.colours, data.active):
        alpha = 1.0 if a else INACTIVE_ALPHA
        fill.append(rgba(colour, 0.85 * alpha))
        stroke.append(rgba("#333333", alpha))
        text.append(rgba("#000000", 1.0 if a else 0.45))
    on = [i for i, a in enumerate(data.edge_active) if a]
    off = [i for i, a in enumerate(data.edge_active) if not a]
    dark = rgba("#333333", 1.0)
    faded = rgba("#333333", INACTIVE_ALPHA)
    layers = [
        EdgeLayer("connections", on, [dark] * len(on), False, 1.3),
        EdgeLayer("inactive connections", off, [faded] * len(off), False, 1.3),
    ]
    heads = [dark if a else faded for a in data.edge_active]
    hover = [f"{n}: {lbl}".replace("\n", " ") for n, lbl in zip(data.names, data.labels)]
    return GraphStyle(list(data.names), fill, stroke, text, [True] * len(data.names), layers, heads, hover)


def plot_architecture(
    descriptor: Any,
    layout: SharedLayout | None = None,
    *,
    backend: str = "matplotlib",
    ax: Any = None,
    figsize: tuple | None = None,
    show_params: int = 0,
):
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
    data = (
        descriptor
        if isinstance(descriptor, ArchitectureData)
        else architecture_data(descriptor, layout, show_params=show_params)
    )
    data = data.with_geometry()
    if backend == "plotly":
        return draw_plotly(data.geometry, _style(data), title=data.title)
    return draw_matplotlib(data.geometry, _style(data), ax=ax, figsize=figsize, title=data.title)


def _is_descriptor(obj: Any) -> bool:
    return isinstance(obj, NeuralDescriptor)
