"""Fixed layouts: the same node gets the same position in every plot of related architectures.

A node is identified by a *key*: ``"<input>"`` and ``"<output>"`` for the input and output
roles (whatever the layers are called), otherwise its layer name. Genome-built descriptors
name layers after node ids (innovation numbers), so a node keeps its place across all the
mutants of a search. Columns are the longest-path depth from the input over the union of all
architectures seen, the output sits in the last column, and rows within a column are filled
centre-out in innovation / natural-name order. Once placed, a node never moves.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> a = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU", "nn.Tanh"])
>>> b = a.copy(); _ = b.add_layer("nn.Sigmoid", name="side")
>>> b.connect_layers("layer_0", "side"); b.connect_layers("side", "layer_2")
>>> layout = SharedLayout().fit([a, b])
>>> layout.positions(a)["layer_1"] == layout.positions(b)["layer_1"]
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from nasnb._validation import check_choice
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DescriptorError
from nasnb.viz._records import as_descriptor, natural_key

__all__ = ["SharedLayout", "node_keys", "INPUT_KEY", "OUTPUT_KEY"]

INPUT_KEY = "<input>"
OUTPUT_KEY = "<output>"
_ORIENTATIONS = ("horizontal", "vertical")


def _role(descriptor: NeuralDescriptor, attr: str) -> str | None:
    try:
        return getattr(descriptor, attr)
    except DescriptorError:
        return None


def node_keys(descriptor: NeuralDescriptor) -> dict[str, str]:
    """Map each layer name to its layout key (role keys for the input and output layers).

    Examples
    --------
    >>> from nasnb.descriptors import NeuralDescriptor
    >>> node_keys(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU", "nn.Tanh"]))
    {'layer_0': '<input>', 'layer_1': 'layer_1', 'layer_2': '<output>'}
    """
    src, dst = _role(descriptor, "input_layer"), _role(descriptor, "output_layer")
    keys = {}
    for name in descriptor.layers:
        if name == src:
            keys[name] = INPUT_KEY
        elif name == dst:
            keys[name] = OUTPUT_KEY
        else:
            keys[name] = name
    return keys


def _slot(i: int) -> int:
    """Centre-out row order: 0, 1, -1, 2, -2, ..."""
    return (i + 1) // 2 if i % 2 else -(i // 2)


class SharedLayout:
    """Positions for architecture nodes that stay fixed across plots.

    Parameters
    ----------
    orientation : {"horizontal", "vertical"}
        ``"horizontal"``: input on the left, output on the right; ``"vertical"``: input on top.
    spacing : tuple of float
        Distance between columns and between rows.

    Notes
    -----
    :meth:`fit` places every node of a batch of architectures at once (the result does not
    depend on their order); :meth:`positions` places nodes it has not seen yet without
    moving those already placed (a node deeper than the output column is put between its
    deepest input and the output).

    Examples
    --------
    >>> from nasnb.descriptors import NeuralDescriptor
    >>> d = NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"])
    >>> SharedLayout().positions(d)
    {'layer_0': (0.0, 0.0), 'layer_1': (1.0, 0.0)}
    """

    def __init__(self, *, orientation: str = "horizontal", spacing: tuple[float, float] = (1.0, 1.0)) -> None:
        self.orientation = check_choice(orientation, _ORIENTATIONS, "orientation", "SharedLayout")
        self.spacing = (float(spacing[0]), float(spacing[1]))
        self._grid: dict[str, tuple[float, int]] = {}  # key -> (column, row)
        self._used: dict[float, set[int]] = {}  # column -> rows taken

    # ---------------------------------------------------------------- placement
    def __len__(self) -> int:
        return len(self._grid)

    def __contains__(self, key: object) -> bool:
        return key in self._grid

    def _put(self, key: str, column: float) -> None:
        used = self._used.setdefault(column, set())
        i = 0
        while _slot(i) in used:
            i += 1
        used.add(_slot(i))
        self._grid[key] = (column, _slot(i))

    def fit(self, descriptors: Iterable[Any]) -> SharedLayout:
        """Place every node of ``descriptors`` (descriptors, dicts or JSON); return ``self``.

        The union graph of all architectures (over node keys) is layered by longest path
        from the input; rows are assigned in natural key order, so the result is independent
        of the order of ``descriptors``. Nodes already placed keep their positions.
        """
        union = nx.DiGraph()
        for item in descriptors:
            d = as_descriptor(item, func="SharedLayout.fit")
            keys = node_keys(d)
            union.add_nodes_from(keys.values())
            union.add_edges_from((keys[u], keys[v]) for u, v in d.connections)
        if not nx.is_directed_acyclic_graph(union):
            # architectures disagree on direction: fall back to per-node incremental placement
            for node in sorted(union, key=natural_key):
                if node not in self._grid:
                    self._place_one(node, list(union.predecessors(node)))
            return self
        depth: dict[str, float] = {}
        for node in nx.lexicographical_topological_sort(union, key=natural_key):
            preds = [depth[p] for p in union.predecessors(node)]
            depth[node] = (max(preds) + 1) if preds else 0.0
        out_col = self._grid[OUTPUT_KEY][0] if OUTPUT_KEY in self._grid else None
        if OUTPUT_KEY in union and out_col is None:
            others = [v for k, v in depth.items() if k != OUTPUT_KEY]
            placed = [c for c, _ in self._grid.values()]
            depth[OUTPUT_KEY] = max(others + placed + [depth[OUTPUT_KEY] - 1]) + 1
        if INPUT_KEY in union and INPUT_KEY not in self._grid:
            depth[INPUT_KEY] = 0.0
        for node in sorted(union, key=lambda k: (depth[k], natural_key(k))):
            if node in self._grid:
                continue
            column = depth[node]
            if out_col is not None and node != OUTPUT_KEY and column >= out_col:
                column = self._squeeze(union.predecessors(node), out_col)
            self._put(node, column)
        return self

    def _squeeze(self, preds: Iterable[str], out_col: float) -> float:
        placed = [self._grid[p][0] for p in preds if p in self._grid]
        base = max(placed) if placed else 0.0
        return (base + out_col) / 2 if base < out_col else base + 1

    def _place_one(self, key: str, preds: list[str]) -> None:
        placed = [self._grid[p][0] for p in preds if p in self._grid]
        column = (max(placed) + 1) if placed else 0.0
        if key == OUTPUT_KEY:
            column = max([c for c, _ in self._grid.values()] + [column - 1]) + 1
        elif OUTPUT_KEY in self._grid and column >= self._grid[OUTPUT_KEY][0]:
            column = self._squeeze(preds, self._grid[OUTPUT_KEY][0])
        self._put(key, column)

    # ---------------------------------------------------------------- reading
    def _xy(self, column: float, row: int) -> tuple[float, float]:
        dx, dy = self.spacing
        if self.orientation == "horizontal":
            return (float(column * dx), float(row * dy))
        return (float(row * dy), float(-column * dx))

    def key_positions(self) -> dict[str, tuple[float, float]]:
        """Positions of every key placed so far."""
        return {k: self._xy(c, r) for k, (c, r) in self._grid.items()}

    def positions(self, descriptor: Any) -> dict[str, tuple[float, float]]:
        """Positions of the layers of ``descriptor`` (by layer name), placing new nodes.

        New nodes are placed in topological order, one column after their deepest input.
        """
        d = as_descriptor(descriptor, func="SharedLayout.positions")
        keys = node_keys(d)
        missing = [n for n in d.layers if keys[n] not in self._grid]
        if missing:
            if not self._grid:
                self.fit([d])
            else:
                graph = d.to_networkx()
                try:
                    order = list(nx.lexicographical_topological_sort(graph, key=natural_key))
                except nx.NetworkXUnfeasible:
                    order = sorted(graph, key=natural_key)
                for name in order:
                    if keys[name] not in self._grid:
                        self._place_one(keys[name], [keys[p] for p in graph.predecessors(name)])
        return {n: self._xy(*self._grid[keys[n]]) for n in d.layers}

    def __repr__(self) -> str:
        return f"SharedLayout({len(self)} nodes, orientation={self.orientation!r})"
