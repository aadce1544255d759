"""Deriving the final cells from the architecture weights, and turning them into descriptors.

As in DARTS: for every intermediate node, each incoming edge is scored by its strongest
non-``zero`` operation's softmax weight; the two best-scoring edges are kept, each with that
operation. :func:`genotype_to_descriptor` stacks the derived cells into a
:class:`~nasnb.descriptors.NeuralDescriptor` (stem → cells → global average pool) that builds
with :func:`nasnb.builders.build_network` and the registry of :func:`~nasnb.darts.ops.darts_registry`
(layer types ``"darts_<op>"``; each intermediate node and each cell output is an
``nn.Identity`` layer whose inputs the builder sums). :func:`cell_graph` gives the cell as a
labelled ``networkx`` graph for graph edit distances.

Examples
--------
>>> g = Genotype(normal=(("sep_conv_3x3", 0), ("identity", 1), ("max_pool_3x3", 0), ("dil_conv_3x3", 2)),
...              reduce=(("avg_pool_3x3", 0), ("sep_conv_5x5", 1), ("identity", 2), ("max_pool_3x3", 1)))
>>> d = genotype_to_descriptor(g, (1, 8, 8), channels=4, layers=2)
>>> from nasnb.builders import build_network
>>> net = build_network(d, (1, 8, 8), 10, head="linear", registry=darts_registry())
>>> import torch; tuple(net(torch.zeros(2, 1, 8, 8)).shape)
(2, 10)
>>> sorted(cell_graph(g, "normal").nodes(data="type"))[:2]
[('c_k-1', 'input'), ('c_k-2', 'input')]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from nasnb._validation import check_choice, check_positive_int
from nasnb.darts.ops import PRIMITIVES, darts_registry, layer_type
from nasnb.darts.supernet import reduction_positions

__all__ = ["Genotype", "derive_cell", "derive_genotype", "genotype_to_descriptor", "cell_graph", "darts_registry"]


@dataclass(frozen=True)
class Genotype:
    """Derived cells: ``(op, input_index)`` pairs, two per intermediate node, in node order.

    Input index 0 is the cell's ``k-2`` input, 1 its ``k-1`` input, ``2 + i`` node ``i``.
    """

    normal: tuple
    reduce: tuple

    @property
    def nodes(self) -> int:
        """Intermediate nodes per cell."""
        return len(self.normal) // 2

    def to_json(self) -> str:
        """JSON text ``{"normal": [[op, i], ...], "reduce": [...]}``."""
        return json.dumps({"normal": [list(e) for e in self.normal], "reduce": [list(e) for e in self.reduce]})

    @classmethod
    def from_json(cls, text: str) -> Genotype:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            tuple((str(o), int(i)) for o, i in data["normal"]), tuple((str(o), int(i)) for o, i in data["reduce"])
        )


def derive_cell(alphas: Any, nodes: int, primitives: Sequence[str] = PRIMITIVES, *, keep: int = 2) -> tuple:
    """Strongest non-zero op per edge, top-``keep`` edges per node, from an ``(edges × ops)`` α matrix.

    Examples
    --------
    >>> a = np.zeros((5, 8)); a[0, 4] = 3; a[1, 1] = 2; a[3, 2] = 1; a[4, 6] = 2
    >>> derive_cell(a, 2)
    (('sep_conv_3x3', 0), ('identity', 1), ('max_pool_3x3', 1), ('dil_conv_3x3', 2))
    """
    a = np.asarray(alphas.detach().cpu().numpy() if hasattr(alphas, "detach") else alphas, dtype=float)
    w = np.exp(a - a.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    usable = [k for k, p in enumerate(primitives) if p != "zero"]
    out: list[tuple[str, int]] = []
    offset = 0
    for i in range(nodes):
        n_in = 2 + i
        rows = w[offset : offset + n_in][:, usable]
        best_op = rows.argmax(axis=1)
        strength = rows.max(axis=1)
        chosen = sorted(np.argsort(-strength, kind="stable")[: min(keep, n_in)])
        out.extend((primitives[usable[best_op[j]]], int(j)) for j in chosen)
        offset += n_in
    return tuple(out)


def derive_genotype(supernet) -> Genotype:
    """The :class:`Genotype` of a (trained) :class:`~nasnb.darts.supernet.Supernet`."""
    return Genotype(
        derive_cell(supernet.alphas_normal, supernet.nodes, supernet.primitives),
        derive_cell(supernet.alphas_reduce, supernet.nodes, supernet.primitives),
    )


def genotype_to_descriptor(
    genotype: Genotype, input_shape: Sequence[int], *, channels: int = 16, layers: int = 8, name: str | None = None
):
    """A network of ``layers`` derived cells as a :class:`~nasnb.descriptors.NeuralDescriptor`.

    Build it with ``build_network(d, input_shape, classes, head="linear", registry=darts_registry())``.
    Thesis final network: 36 channels, 20 cells.
    """
    from nasnb.descriptors import NeuralDescriptor

    channels = check_positive_int(channels, "channels", "genotype_to_descriptor")
    layers = check_positive_int(layers, "layers", "genotype_to_descriptor")
    dims = len(tuple(input_shape)) - 1
    conv, bn, pool = (
        ("nn.Conv1d", "nn.BatchNorm1d", "nn.AdaptiveAvgPool1d")
        if dims == 1
        else ("nn.Conv2d", "nn.BatchNorm2d", "nn.AdaptiveAvgPool2d")
    )
    d = NeuralDescriptor(name=name)
    d.add_layer(conv, {"out_channels": channels, "kernel_size": 3, "padding": 1, "bias": False}, name="stem_conv")
    d.add_layer(bn, {}, name="stem")
    d.connect_layers("stem_conv", "stem")
    s0 = s1 = "stem"
    c = channels
    reduction_prev = False
    reductions = reduction_positions(layers)
    for k in range(layers):
        reduction = k in reductions
        if reduction:
            c *= 2
        cell = genotype.reduce if reduction else genotype.normal
        p = f"c{k}"
        d.add_layer(layer_type("identity"), {"channels": c, "stride": 2 if reduction_prev else 1}, name=f"{p}_pre0")
        d.add_layer(layer_type("identity"), {"channels": c, "stride": 1}, name=f"{p}_pre1")
        d.connect_layers(s0, f"{p}_pre0")
        d.connect_layers(s1, f"{p}_pre1")
        states = [f"{p}_pre0", f"{p}_pre1"]
        for i in range(len(cell) // 2):
            node = d.add_layer("nn.Identity", {}, name=f"{p}_n{i}")
            for m, (op, j) in enumerate(cell[2 * i : 2 * i + 2]):
                check_choice(op, PRIMITIVES[1:], "genotype op", "genotype_to_descriptor")
                edge = d.add_layer(
                    layer_type(op),
                    {"channels": c, "stride": 2 if reduction and j < 2 else 1},
                    name=f"{p}_n{i}_e{m}_{op}",
                )
                d.connect_layers(states[j], edge)
                d.connect_layers(edge, node)
            states.append(node)
        out = d.add_layer("nn.Identity", {}, name=f"{p}_out")
        for node in states[2:]:
            d.connect_layers(node, out)
        s0, s1 = s1, out
        reduction_prev = reduction
    d.add_layer(pool, {"output_size": 1}, name="global_pool")
    d.connect_layers(s1, "global_pool")
    d.set_input("stem_conv")
    d.set_output("global_pool")
    return d


def cell_graph(genotype: Genotype, which: str = "normal") -> nx.DiGraph:
    """One derived cell as a DAG: input nodes, one node per kept edge (labelled by its op),
    intermediate nodes and the output node; node attribute ``type`` holds the label."""
    check_choice(which, ("normal", "reduce"), "which", "cell_graph")
    cell = genotype.normal if which == "normal" else genotype.reduce
    g = nx.DiGraph()
    g.add_node("c_k-2", type="input")
    g.add_node("c_k-1", type="input")
    states = ["c_k-2", "c_k-1"]
    for i in range(len(cell) // 2):
        node = f"n{i}"
        g.add_node(node, type="node")
        for m, (op, j) in enumerate(cell[2 * i : 2 * i + 2]):
            e = f"n{i}_e{m}"
            g.add_node(e, type=op)
            g.add_edge(states[j], e)
            g.add_edge(e, node)
        states.append(node)
    g.add_node("out", type="output")
    for node in states[2:]:
        g.add_edge(node, "out")
    return g
