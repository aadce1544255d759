"""``NeuralDescriptor``: a network described as layers and named connections.

A descriptor is data. It never imports torch; a builder compiles it into a module.
Execution order comes from the graph's topology, never from names or insertion order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

from nasnb.descriptors.layer import LayerSpec, layer_type_name, normalize_params
from nasnb.exceptions import DescriptorError

__all__ = ["NeuralDescriptor", "DRAW_LIMIT"]

#: Descriptors with more layers than this display as a summary, not a drawing (``_repr_html_``).
DRAW_LIMIT = 500


class NeuralDescriptor:
    """A neural network as a directed graph of named layers.

    Two ways to write one, as in the NORD framework: ``add_layer`` + ``connect_layers``
    for arbitrary graphs, or ``add_layer_sequential`` which connects each new layer to the
    previously added one.

    Parameters
    ----------
    name : str, optional
        Free-text label of the architecture (kept in JSON; not part of the hash).

    Examples
    --------
    >>> d = NeuralDescriptor()
    >>> a = d.add_layer_sequential("nn.Conv2d", {"out_channels": 8, "kernel_size": 3})
    >>> b = d.add_layer_sequential("nn.ReLU")
    >>> p = d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="pool")
    >>> d.connect_layers(b, "pool")
    >>> d.input_layer, d.output_layer, len(d)
    ('layer_0', 'pool', 3)
    >>> d.topological_order()
    ['layer_0', 'layer_1', 'pool']
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._graph = nx.DiGraph()
        self._last_added: str | None = None
        self._input: str | None = None
        self._output: str | None = None
        self._counter = itertools.count()

    # ------------------------------------------------------------------ building
    def _fresh_name(self) -> str:
        while True:
            candidate = f"layer_{next(self._counter)}"
            if candidate not in self._graph:
                return candidate

    def add_layer(self, layer: Any, params: Mapping[str, Any] | None = None, name: str | None = None) -> str:
        """Add an unconnected layer and return its name.

        Parameters
        ----------
        layer : str or type
            A registered layer name (e.g. ``"deepneat_conv"``, ``"CONV_3.N"``), a benchmark
            op string (``"conv3x3-bn-relu"``) or a ``torch.nn`` module class.
        params : dict, optional
            Keyword arguments of the layer; JSON values only.
        name : str, optional
            Unique layer name; generated (``layer_<k>``) when omitted.
        """
        if name is None:
            name = self._fresh_name()
        elif not isinstance(name, str) or not name:
            raise DescriptorError(f"A layer name must be a non-empty string, got {name!r}.")
        if name in self._graph:
            raise DescriptorError(f"Duplicate layer name {name!r}: a layer with that name already exists.")
        spec = LayerSpec(layer_type_name(layer), normalize_params(params, name))
        self._graph.add_node(name, spec=spec)
        self._last_added = name
        return name

    def add_layer_sequential(self, layer: Any, params: Mapping[str, Any] | None = None, name: str | None = None) -> str:
        """Add a layer and connect the previously added layer to it; return its name."""
        previous = self._last_added
        new = self.add_layer(layer, params, name)
        if previous is not None and previous in self._graph:
            self._graph.add_edge(previous, new)
        return new

    def _require(self, name: str, role: str) -> None:
        if name not in self._graph:
            known = ", ".join(map(repr, list(self._graph)[:10])) or "none"
            what = "Layer" if role == "layer" else f"Connection {role}"
            raise DescriptorError(f"{what} {name!r} is not a layer of this descriptor (layers: {known}).")

    def connect_layers(self, src: str, dst: str) -> None:
        """Connect the output of ``src`` to an input of ``dst``."""
        self._require(src, "source")
        self._require(dst, "destination")
        if src == dst:
            raise DescriptorError(f"Connection {src!r} -> {dst!r} would connect a layer to itself.")
        self._graph.add_edge(src, dst)

    def disconnect_layers(self, src: str, dst: str) -> None:
        """Remove the connection ``src -> dst``."""
        if not self._graph.has_edge(src, dst):
            raise DescriptorError(f"There is no connection {src!r} -> {dst!r} to remove.")
        self._graph.remove_edge(src, dst)

    def remove_layer(self, name: str) -> None:
        """Remove a layer and all its connections."""
        if name not in self._graph:
            raise DescriptorError(f"Cannot remove layer {name!r}: no such layer.")
        self._graph.remove_node(name)
        if self._last_added == name:
            self._last_added = None
        if self._input == name:
            self._input = None
        if self._output == name:
            self._output = None

    def set_input(self, name: str) -> None:
        """Mark ``name`` as the input layer (otherwise the unique layer with no inputs)."""
        self._require(name, "input")
        self._input = name

    def set_output(self, name: str) -> None:
        """Mark ``name`` as the output layer (otherwise the unique layer with no outputs)."""
        self._require(name, "output")
        self._output = name

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def __contains__(self, name: object) -> bool:
        return name in self._graph

    def __iter__(self) -> Iterator[str]:
        return iter(self.topological_order())

    @property
    def layers(self) -> dict[str, LayerSpec]:
        """Mapping of layer name to :class:`LayerSpec` (a copy, insertion order)."""
        return {n: d["spec"] for n, d in self._graph.nodes(data=True)}

    def layer(self, name: str) -> LayerSpec:
        """The :class:`LayerSpec` of one layer."""
        if name not in self._graph:
            raise DescriptorError(f"No layer named {name!r}.")
        return self._graph.nodes[name]["spec"]

    @property
    def connections(self) -> list[tuple[str, str]]:
        """All connections as ``(src, dst)`` pairs."""
        return list(self._graph.edges())

    def outgoing(self, name: str) -> list[str]:
        """Layers that receive the output of ``name``, in a deterministic (sorted) order."""
        self._require(name, "layer")
        return sorted(self._graph.successors(name))

    def incoming(self, name: str) -> list[str]:
        """Layers whose outputs feed ``name``, in a deterministic (sorted) order."""
        self._require(name, "layer")
        return sorted(self._graph.predecessors(name))

    def _unique(self, explicit: str | None, degree_fn, role: str) -> str:
        if explicit is not None:
            return explicit
        ends = [n for n in self._graph if degree_fn(n) == 0]
        if len(ends) == 1:
            return ends[0]
        what = "no layer" if not ends else f"{len(ends)} layers ({', '.join(map(repr, sorted(ends)))})"
        raise DescriptorError(
            f"Cannot tell the {role} layer: {what} with no {'inputs' if role == 'input' else 'outputs'}; "
            f"connect them or call set_{role}()."
        )

    @property
    def input_layer(self) -> str:
        """Name of the input layer (explicit, or the unique layer with no inputs)."""
        return self._unique(self._input, self._graph.in_degree, "input")

    @property
    def output_layer(self) -> str:
        """Name of the output layer (explicit, or the unique layer with no outputs)."""
        return self._unique(self._output, self._graph.out_degree, "output")

    def topological_order(self) -> list[str]:
        """Layer names in execution order (ties broken by name, so it is stable)."""
        try:
            return list(nx.lexicographical_topological_sort(self._graph))
        except nx.NetworkXUnfeasible as exc:
            raise DescriptorError(f"The descriptor has a cycle: {self._cycle_text()}.") from exc

    def topological_generations(self) -> list[list[str]]:
        """Layers grouped by depth: every layer after all of its inputs' generations."""
        try:
            return [sorted(g) for g in nx.topological_generations(self._graph)]
        except nx.NetworkXUnfeasible as exc:
            raise DescriptorError(f"The descriptor has a cycle: {self._cycle_text()}.") from exc

    def _cycle_text(self) -> str:
        try:
            cycle = nx.find_cycle(self._graph)
        except nx.NetworkXNoCycle:
            return "none"
        return " -> ".join([c[0] for c in cycle] + [cycle[-1][1]])

    # ------------------------------------------------------------------ checks
    def active_layers(self) -> set[str]:
        """Layers on at least one input → output path."""
        src, dst = self.input_layer, self.output_layer
        if src == dst:
            return {src}
        if not nx.has_path(self._graph, src, dst):
            return set()
        return (nx.descendants(self._graph, src) & nx.ancestors(self._graph, dst)) | {src, dst}

    def validate(self, registry: Any = None, *, check_layers: bool = True) -> NeuralDescriptor:
        """Check that this descriptor can describe a working network; return ``self``.

        Checks, in order: at least one layer; no cycle; one input and one output layer; a path
        from input to output; then, with ``check_layers``, that every layer type is in the
        ``registry`` (default: nasnb's layer registry) and its parameters fit that layer.

        Raises
        ------
        DescriptorError
            (or a subclass) naming the culprit layer or connection.
        """
        if len(self) == 0:
            raise DescriptorError("The descriptor has no layers.")
        if not nx.is_directed_acyclic_graph(self._graph):
            raise DescriptorError(f"The descriptor has a cycle: {self._cycle_text()}.")
        src, dst = self.input_layer, self.output_layer
        if src != dst and not nx.has_path(self._graph, src, dst):
            raise DescriptorError(f"There is no path from the input layer {src!r} to the output layer {dst!r}.")
        if check_layers:
            if registry is None:
                from nasnb.layers import default_registry

                registry = default_registry()
            for name, spec in self.layers.items():
                registry.validate_layer(name, spec.type, dict(spec.params))
        return self

    def prune(self) -> NeuralDescriptor:
        """Return a copy without the layers that lie on no input → output path.

        Raises
        ------
        DescriptorError
            If there is no path from input to output at all.
        """
        active = self.active_layers()
        if not active:
            raise DescriptorError(
                f"There is no path from the input layer {self.input_layer!r} to the output layer "
                f"{self.output_layer!r}; nothing would remain after pruning."
            )
        out = self.copy()
        for n in [n for n in out._graph if n not in active]:
            out.remove_layer(n)
        return out

    # ------------------------------------------------------------------ conversion
    def copy(self) -> NeuralDescriptor:
        """A deep copy (specs are immutable, so sharing them is safe)."""
        out = NeuralDescriptor(self.name)
        out._graph = self._graph.copy()
        out._last_added, out._input, out._output = self._last_added, self._input, self._output
        return out

    def to_networkx(self) -> nx.DiGraph:
        """A new ``DiGraph``; nodes carry ``type`` and ``params`` attributes."""
        g = nx.DiGraph(name=self.name, input=self._input, output=self._output)
        for n, spec in self.layers.items():
            g.add_node(n, type=spec.type, params=dict(spec.params))
        g.add_edges_from(self._graph.edges())
        return g

    @classmethod
    def from_networkx(cls, graph: nx.DiGraph) -> NeuralDescriptor:
        """Inverse of :meth:`to_networkx`; nodes need a ``type`` attribute."""
        out = cls(graph.graph.get("name"))
        for n, data in graph.nodes(data=True):
            if "type" not in data:
                raise DescriptorError(f"Node {n!r} of the graph has no 'type' attribute.")
            out.add_layer(data["type"], data.get("params"), name=str(n))
        for u, v in graph.edges():
            out.connect_layers(str(u), str(v))
        if graph.graph.get("input") is not None:
            out.set_input(graph.graph["input"])
        if graph.graph.get("output") is not None:
            out.set_output(graph.graph["output"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (see :mod:`nasnb.descriptors.serialization`)."""
        from nasnb.descriptors.serialization import descriptor_to_dict

        return descriptor_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NeuralDescriptor:
        """Inverse of :meth:`to_dict`, with strict checking of the document."""
        from nasnb.descriptors.serialization import descriptor_from_dict

        return descriptor_from_dict(data)

    def to_json(self, path: Any = None, *, indent: int | None = None) -> str:
        """Serialize to a stable JSON string; also write it to ``path`` if given."""
        from nasnb.descriptors.serialization import descriptor_to_json

        return descriptor_to_json(self, path, indent=indent)

    @classmethod
    def from_json(cls, source: Any) -> NeuralDescriptor:
        """Read a descriptor from a JSON string or a file path (never evaluates code)."""
        from nasnb.descriptors.serialization import descriptor_from_json

        return descriptor_from_json(source)

    def canonical_hash(self) -> str:
        """A hash equal for isomorphic descriptors, whatever the layer names or order."""
        from nasnb.descriptors.hashing import canonical_hash

        return canonical_hash(self)

    # ------------------------------------------------------------------ dunder
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NeuralDescriptor):
            return NotImplemented
        return (
            self.layers == other.layers
            and set(self.connections) == set(other.connections)
            and self._input == other._input
            and self._output == other._output
        )

    __hash__ = None  # type: ignore[assignment]  # unhashable; mypy rejects None here (python/mypy#4266)

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<NeuralDescriptor{label}: {len(self)} layers, {self._graph.number_of_edges()} connections>"

    def _repr_html_(self) -> str | None:  # rich display in notebooks
        """The graph drawn as SVG, or a summary when it has more than :data:`DRAW_LIMIT` layers.

        Laying a graph out takes about a millisecond per layer, so a huge descriptor shows a
        summary (layer types and counts) at once instead of hanging the notebook; draw it
        anyway with ``nasnb.viz.architecture_svg(descriptor)``.

        Examples
        --------
        >>> big = NeuralDescriptor.sequential(["nn.ReLU"] * (DRAW_LIMIT + 1))
        >>> "not drawn" in big._repr_html_()
        True
        """
        if len(self) > DRAW_LIMIT:
            return _summary_html(self)
        try:
            from nasnb.viz.display import descriptor_html
        except ImportError:
            return None
        return descriptor_html(self)

    @classmethod
    def sequential(cls, layers: Iterable[Any], name: str | None = None) -> NeuralDescriptor:
        """Build a chain from ``(layer, params)`` pairs or bare layer types.

        Examples
        --------
        >>> d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
        >>> d.connections
        [('layer_0', 'layer_1')]
        """
        out = cls(name)
        for item in layers:
            if isinstance(item, tuple):
                out.add_layer_sequential(*item)
            else:
                out.add_layer_sequential(item)
        return out


def _summary_html(descriptor: NeuralDescriptor) -> str:
    """A descriptor too large to draw: its size and its most common layer types, escaped."""
    import html
    from collections import Counter

    counts = Counter(spec.type for spec in descriptor.layers.values()).most_common()
    kinds = ", ".join(f"{n:,} × {html.escape(t)}" for t, n in counts[:10])
    more = f", {len(counts) - 10} more types" if len(counts) > 10 else ""
    title = f"<b>{html.escape(descriptor.name)}</b>: " if descriptor.name else ""
    return (
        f'<div class="nasnb-descriptor" style="font-family:sans-serif;font-size:12px">{title}NeuralDescriptor '
        f"with {len(descriptor):,} layers, {len(descriptor.connections):,} connections ({kinds}{more}); "
        f"not drawn: more than {DRAW_LIMIT} layers (draw it with nasnb.viz.architecture_svg).</div>"
    )
