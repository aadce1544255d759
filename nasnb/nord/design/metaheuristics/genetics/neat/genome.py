"""``nord.design.metaheuristics.genetics.neat.genome``: the original's mutable DeepNEAT ``Genome``.

Coming from the original framework
----------------------------------
``Genome(layer_bound_types, layer_bounds, add_node_rate, add_connection_rate,
mutation_rate, innovation)`` starts as input → output; ``mutate()`` adds a node (with
probability ``add_node_rate``) or a connection (``add_connection_rate``), then mutates one
random connection gene (flips it) and one random layer gene with probability
``mutation_rate``; ``crossover(other)`` keeps the structure of the fitter parent (by
``connections.fitness``) and takes each gene shared by both parents from either one.
``connections.fitness`` / ``nodes.fitness`` hold the fitness a script assigns, and genomes
are hashable (a cache keyed by genome works). Everything is done by nasnb's immutable
genomes (:mod:`nasnb.genomes`): a ``Genome`` here holds one in ``.genome`` and replaces it.

* The five layer bounds are, in order, filters, dropout, weight scaling, kernel size and
  max pooling (as the original's ``to_descriptor`` read them); each gene becomes nasnb's
  ``deepneat_conv`` block. Kernel sizes are odd (nasnb's block keeps the spatial size with
  ``padding = kernel // 2``); the original drew any int below the upper bound.
* ``to_descriptor(dimensions)`` needs no ``dimensions``: the block uses 1-D or 2-D layers
  from its input. A genome without an enabled input → output path gives a descriptor with
  unconnected input and output layers, which evaluators score as non-functional (0).
* Connection flips never disconnect the genome (nasnb's ``keep_connected``).
* Random draws come from NumPy's global generator (as in the original), through a
  ``numpy.random.Generator`` seeded from it per call: ``assure_reproducibility()`` or
  ``np.random.seed`` make a run repeat.
* ``Innovation.new_generation()`` forgets which structural mutations the generation met,
  so a split repeated in a later generation gets new numbers, as in the original;
  ``assign_number(gene)`` gives a gene the number of its structure in this generation.
* ``crossover`` takes each shared gene from either parent and re-enables a disabled
  connection gene with probability 0.25 (the original's ``1 - DISABLE_PROB``).
* The graph helpers of the original work on the enabled connection genes:
  ``to_networkx``, ``get_direct_paths`` (input → output paths), ``get_recursions``
  (cycles), ``get_incoming_layers``, ``get_connection_ratio`` (paths² / nodes),
  ``remove_recursions`` (disables the connections of every cycle) and ``plot`` (returns a
  matplotlib figure, nodes on an input → output path in red; never shown).
* ``repr(genome)`` is literal text (``{'Connections': {innovation: [innovation, src, dst,
  enabled]}, 'Nodes': {innovation: {'innovation', 'type', 'params'}}}``) and
  ``Genome.__from_repr__`` reads it back with :func:`ast.literal_eval`, with the original's
  default bounds (filters 32-256, dropout 0-0.7, scaling 0-2, kernel 1-3) and rates 0.1.
* Genes are nasnb's immutable :class:`~nasnb.genomes.genome.LayerGene` /
  :class:`~nasnb.genomes.genome.ConnectionGene` (exported under the original names);
  ``Chromosome`` is the view ``genome.connections`` / ``genome.nodes`` (``genes``,
  ``index``, ``fitness``).

Examples
--------
>>> import numpy as np
>>> np.random.seed(0)
>>> i = Innovation()
>>> g = Genome([int, float, float, int, bool], [[8, 0.0, 0, 1, 0], [16, 0.7, 2.0, 3, 1]], 1.0, 0.0, 0.5, i)
>>> g.mutate()
>>> d = g.to_descriptor(dimensions=2)
>>> [d.layer(n).type for n in d.topological_order()]
['input', 'deepneat_conv', 'output']
>>> g in {g: 0.5}
True
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np

from nasnb._validation import check_probability, parameter_error
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DescriptorError, SerializationError
from nasnb.genomes import Genome as _Genome
from nasnb.genomes import InnovationTracker, genome_to_descriptor
from nasnb.genomes.genesets import ConvBlockGenes
from nasnb.genomes.genome import ConnectionGene, LayerGene
from nasnb.genomes.innovation import INPUT, OUTPUT
from nasnb.genomes.mutation import add_connection, add_node, flip_connection, mutate_layer

__all__ = ["Genome", "Innovation", "Chromosome", "ConnectionGene", "LayerGene", "DISABLE_PROB"]

#: Probability that a disabled connection gene stays disabled in a crossover (the original's).
DISABLE_PROB = 0.75
#: The original's default bounds and rates of ``Genome.__from_repr__``.
_REPR_BOUND_TYPES = [int, float, float, int, bool]
_REPR_BOUNDS = [[32, 0.0, 0, 1, 0], [256, 0.7, 2.0, 3, 1]]


def _rng() -> np.random.Generator:
    """A generator seeded from NumPy's global one (repeatable after ``np.random.seed``)."""
    return np.random.default_rng(np.random.randint(2**31 - 1))


class Innovation:
    """Innovation numbers of one population (wraps :class:`nasnb.genomes.InnovationTracker`)."""

    def __init__(self) -> None:
        self.tracker = InnovationTracker()
        self._current: dict[Any, int] = {}

    def new_generation(self) -> None:
        """Start a generation: numbers keep growing; structural mutations are no longer shared."""
        self.tracker = InnovationTracker(start=self.tracker.to_json()["next"])
        self._current = {}

    def assign_number(self, gene: Any) -> int:
        """The innovation number of ``gene``'s structure in this generation (new ones get the next).

        A connection gene is numbered by its ``(src, dst)``; any other hashable gene by
        itself. nasnb's genes are immutable, so the number is returned.

        Examples
        --------
        >>> i = Innovation()
        >>> a = i.assign_number(ConnectionGene(0, -2, 99))
        >>> a == i.assign_number(ConnectionGene(5, -2, 99)), a == i.assign_number(ConnectionGene(0, -2, 3))
        (True, False)
        """
        if isinstance(gene, ConnectionGene):
            return self.tracker.link(gene.src, gene.dst)
        try:
            if gene not in self._current:
                self._current[gene] = self.tracker.new()
        except TypeError:
            raise parameter_error("gene", "Innovation.assign_number", "a hashable gene", gene) from None
        return self._current[gene]


class _BoundedBlocks(ConvBlockGenes):
    """``deepneat_conv`` genes within the original's ``[lower, upper]`` bounds."""

    def __init__(self, bounds: Sequence[Sequence[Any]]) -> None:
        try:
            (f0, d0, s0, k0, _), (f1, d1, s1, k1, _) = bounds
        except (TypeError, ValueError) as exc:
            raise parameter_error(
                "layer_bounds",
                "Genome",
                "two lists [filters, dropout, weight scaling, kernel size, max pool] of lower and upper bounds",
                bounds,
            ) from exc
        super().__init__(int(f0), int(f1))
        self.dropout = (float(d0), float(d1))
        self.scale = (float(s0), float(s1))
        odd = [k for k in range(int(k0), int(k1) + 1) if k % 2]
        if not odd:
            raise parameter_error("layer_bounds", "Genome", "kernel bounds that include an odd size", (k0, k1))
        self.kernels = tuple(odd)

    def random_layer(self, rng) -> tuple[str, dict[str, Any]]:
        return "deepneat_conv", {
            "filters": int(rng.integers(self.min_filters, self.max_filters + 1)),
            "kernel": self.kernels[int(rng.integers(len(self.kernels)))],
            "dropout": round(float(rng.uniform(*self.dropout)), 4),
            "weight_scale": round(float(rng.uniform(*self.scale)), 4),
            "max_pool": bool(rng.random() < 0.5),
        }

    def mutate_layer(self, type_: str, params: dict[str, Any], rng) -> tuple[str, dict[str, Any]]:
        type_, p = super().mutate_layer(type_, params, rng)
        p["dropout"] = min(max(p["dropout"], self.dropout[0]), self.dropout[1])
        p["weight_scale"] = min(max(p["weight_scale"], self.scale[0]), self.scale[1])
        if p["kernel"] not in self.kernels:
            p["kernel"] = self.kernels[int(rng.integers(len(self.kernels)))]
        return type_, p


class Chromosome:
    """The original's chromosome: ``genes`` (innovation → gene), ``index`` and a settable ``fitness``.

    A view of one part of a :class:`Genome` (its connection or layer genes).
    """

    def __init__(self, owner: Genome, part: str) -> None:
        self._owner, self._part, self.fitness = owner, part, None

    @property
    def genes(self) -> dict[int, Any]:
        return {g.innovation: g for g in getattr(self._owner.genome, self._part)}

    @property
    def index(self) -> list[int]:
        """The innovation numbers, in chromosome order."""
        return [g.innovation for g in getattr(self._owner.genome, self._part)]

    def __repr__(self) -> str:
        return repr(self.genes)


class Genome:
    """A mutable DeepNEAT genome with the original's API (see the module docs)."""

    def __init__(
        self,
        layer_bounds_types: Sequence[type],
        layer_bounds: Sequence[Sequence[Any]],
        add_node_rate: float,
        add_connection_rate: float,
        mutation_rate: float,
        innovation: Innovation | None = None,
    ) -> None:
        self.layer_bounds_types, self.layer_bounds = list(layer_bounds_types), layer_bounds
        self.add_node_rate = check_probability(add_node_rate, "add_node_rate", "Genome")
        self.add_connection_rate = check_probability(add_connection_rate, "add_connection_rate", "Genome")
        self.mutation_rate = check_probability(mutation_rate, "mutation_rate", "Genome")
        self.gene_set = _BoundedBlocks(layer_bounds)
        self.innovation = Innovation() if innovation is None else innovation
        first = ConnectionGene(self.innovation.tracker.link(INPUT, OUTPUT), INPUT, OUTPUT)
        self.genome = _Genome((), (first,))
        self.connections = Chromosome(self, "connections")
        self.nodes = Chromosome(self, "layers")

    def mutate(self) -> None:
        """One structural mutation (by the rates), then the per-chromosome gene mutations."""
        rng, tracker, g = _rng(), self.innovation.tracker, self.genome
        r = float(rng.random())
        if r < self.add_node_rate:
            g = add_node(g, self.gene_set, tracker, rng)
        elif r <= self.add_node_rate + self.add_connection_rate:
            g = add_connection(g, tracker, rng) or g
        if rng.random() < self.mutation_rate:
            g = flip_connection(g, rng)
        if g.layers and rng.random() < self.mutation_rate:
            g = mutate_layer(g, self.gene_set, rng)
        self.genome = g

    def crossover(self, other: Genome) -> Genome:
        """A child with the fitter parent's structure; shared genes drawn from either parent."""

        def fit(genome: Genome) -> float:
            value = genome.connections.fitness
            return -math.inf if value is None else float(value)

        p1, p2 = (self, other) if fit(self) > fit(other) else (other, self)
        rng = _rng()

        def inherit(gene: Any) -> Any:
            if isinstance(gene, ConnectionGene) and not gene.enabled and rng.random() > DISABLE_PROB:
                return dataclasses.replace(gene, enabled=True)
            return gene

        def mix(part: str) -> tuple:
            theirs = {gene.innovation: gene for gene in getattr(p2.genome, part)}
            return tuple(
                inherit(theirs[gene.innovation] if gene.innovation in theirs and rng.random() < 0.5 else gene)
                for gene in getattr(p1.genome, part)
            )

        child = copy.copy(self)
        child.genome = _Genome(mix("layers"), mix("connections"))
        child.connections = Chromosome(child, "connections")
        child.nodes = Chromosome(child, "layers")
        return child

    def to_descriptor(self, dimensions: int = 2) -> NeuralDescriptor:
        """The network of the active genes (``dimensions`` is accepted and not needed)."""
        try:
            return genome_to_descriptor(self.genome, self.gene_set)
        except DescriptorError:
            d = NeuralDescriptor("non-functional genome")
            d.add_layer("input", name="input")
            d.add_layer("output", name="output")
            d.set_input("input")
            d.set_output("output")
            return d

    def __hash__(self) -> int:
        return hash(self.genome)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Genome) and self.genome == other.genome

    def __repr__(self) -> str:
        return str(
            {
                "Connections": {k: g.to_json() for k, g in self.connections.genes.items()},
                "Nodes": {k: g.to_json() for k, g in self.nodes.genes.items()},
            }
        )

    @staticmethod
    def __from_repr__(rpr: str) -> Genome:
        """Read back ``repr(genome)`` (literals only, see the module docs)."""
        try:
            data = ast.literal_eval(rpr)
            connections = tuple(
                ConnectionGene(int(i), int(a), int(b), bool(e)) for i, a, b, e in data["Connections"].values()
            )
            layers = tuple(LayerGene(int(g["innovation"]), str(g["type"]), g["params"]) for g in data["Nodes"].values())
        except (ValueError, SyntaxError, TypeError, KeyError, AttributeError, MemoryError, RecursionError) as exc:
            raise SerializationError(f"Not the text of a NEAT genome ({type(exc).__name__}: {exc}).") from None
        g = Genome(_REPR_BOUND_TYPES, _REPR_BOUNDS, 0.1, 0.1, 0.1, None)
        g.genome = _Genome(layers, connections)
        return g

    # ------------------------------------------------------------------ graph helpers
    def to_networkx(self, active_only: bool = True) -> nx.DiGraph:
        """The connection genes as a graph (only the enabled ones with ``active_only``)."""
        graph = nx.DiGraph()
        for gene in self.genome.connections:
            if gene.enabled or not active_only:
                graph.add_edge(gene.src, gene.dst)
        return graph

    def get_direct_paths(self) -> list[list[int]]:
        """Every simple input → output path of enabled connections (``[[]]`` without input or output)."""
        graph = self.to_networkx()
        if INPUT not in graph or OUTPUT not in graph:
            return [[]]
        return [list(p) for p in nx.all_simple_paths(graph, INPUT, OUTPUT)]

    def get_recursions(self) -> list[list[int]]:
        """The cycles of enabled connections (each as a node list)."""
        return [list(c) for c in nx.simple_cycles(self.to_networkx())]

    def get_incoming_layers(self) -> dict[int, list[int]]:
        """Node → the nodes feeding it through enabled connections."""
        incoming: dict[int, list[int]] = {}
        for src, dst in self.to_networkx().edges():
            incoming.setdefault(dst, []).append(src)
        return incoming

    def get_connection_ratio(self) -> float:
        """(number of input → output paths)² / number of connected nodes, as the original."""
        graph = self.to_networkx()
        if graph.number_of_nodes() == 0:
            return 0.0
        paths = [p for p in self.get_direct_paths() if p]
        return len(paths) ** 2 / graph.number_of_nodes()

    def remove_recursions(self) -> None:
        """Disable every connection gene that lies on a cycle."""
        edges: set[tuple[Any, Any]] = set()
        for cycle in self.get_recursions():
            edges.update(zip(cycle, cycle[1:] + cycle[:1]))
        if edges:
            self.genome = _Genome(
                self.genome.layers,
                tuple(
                    dataclasses.replace(c, enabled=False) if (c.src, c.dst) in edges else c
                    for c in self.genome.connections
                ),
                self.genome.hyperparameters,
            )

    def plot(self, ax: Any = None):
        """A figure of the connection graph: nodes on an input → output path red, others blue."""
        import matplotlib.pyplot as plt

        graph = self.to_networkx(active_only=False)
        graph.add_nodes_from([INPUT, OUTPUT])
        active = {n for p in self.get_direct_paths() for n in p}
        depth = {n: 0 for n in graph}
        for n in nx.topological_sort(graph) if nx.is_directed_acyclic_graph(graph) else graph:
            for m in graph.successors(n):
                depth[m] = max(depth[m], depth[n] + 1)
        rows: dict[int, int] = {}
        pos = {}
        for n in sorted(graph, key=lambda n: (depth[n], n)):
            pos[n] = (rows.get(depth[n], 0), -depth[n])
            rows[depth[n]] = rows.get(depth[n], 0) + 1
        if ax is None:
            fig, ax = plt.subplots(figsize=(4, 1 + 0.8 * (max(depth.values()) + 1)))
        else:
            fig = ax.figure
        enabled = [(c.src, c.dst) for c in self.genome.connections if c.enabled]
        disabled = [(c.src, c.dst) for c in self.genome.connections if not c.enabled]
        nx.draw_networkx_edges(graph, pos, edgelist=enabled, ax=ax)
        nx.draw_networkx_edges(graph, pos, edgelist=disabled, ax=ax, style="dashed", alpha=0.4)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=["r" if n in active else "b" for n in graph])
        nx.draw_networkx_labels(graph, pos, ax=ax, font_color="w", font_size=8)
        ax.set_axis_off()
        return fig
