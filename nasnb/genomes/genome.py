"""DeepNEAT-style genomes: a connection chromosome, a layer chromosome, hyper-parameters.

A :class:`Genome` is immutable data. Its *layer chromosome* holds one :class:`LayerGene` per
hidden node (the gene's innovation number is the node id); the input node is ``INPUT`` (-2)
and the output node ``OUTPUT`` (99), which have no layer genes. Its *connection chromosome*
holds :class:`ConnectionGene` s, each enabled or disabled; disabled genes stay in the genome
(adding a node disables the connection it splits; re-enabling it later makes a skip
connection). An optional *hyper-parameter chromosome* holds :class:`HyperGene` s (e.g. the
readout of a graph network).

Nodes with no enabled path from input to output are *inactive*: :func:`active_nodes` finds
the others, :func:`genome_invalid_reason` explains why a genome describes no network.

Examples
--------
>>> g = Genome(layers=(LayerGene(1, "CONV_3.N"),),
...            connections=(ConnectionGene(0, INPUT, OUTPUT, False),
...                         ConnectionGene(2, INPUT, 1), ConnectionGene(3, 1, OUTPUT)))
>>> sorted(active_nodes(g))
[-2, 1, 99]
>>> Genome.from_json(g.to_json()) == g
True
>>> genome_invalid_reason(g) is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from nasnb.exceptions import SerializationError
from nasnb.genomes.innovation import INPUT, OUTPUT

__all__ = ["ConnectionGene", "LayerGene", "HyperGene", "Genome", "active_nodes", "genome_invalid_reason",
           "GENOME_FORMAT", "GENOME_SCHEMA_VERSION"]

GENOME_FORMAT = "nasnb.genome"
GENOME_SCHEMA_VERSION = 1


def _freeze(params: Mapping[str, Any] | tuple | None) -> tuple[tuple[str, Any], ...]:
    if params is None:
        return ()
    items = params.items() if isinstance(params, Mapping) else params
    return tuple(sorted((str(k), v) for k, v in items))


@dataclass(frozen=True)
class ConnectionGene:
    """A connection ``src -> dst`` between two node ids, enabled or disabled."""

    innovation: int
    src: int
    dst: int
    enabled: bool = True

    def to_json(self) -> list:
        return [self.innovation, self.src, self.dst, self.enabled]


@dataclass(frozen=True)
class LayerGene:
    """One hidden node: its id (= innovation number), layer ``type`` and ``params``.

    ``params`` is stored as a sorted tuple of ``(name, value)`` pairs so that genes are
    hashable; :attr:`param_dict` gives a dict.
    """

    innovation: int
    type: str
    params: tuple = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _freeze(self.params))

    @property
    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)

    def to_json(self) -> dict[str, Any]:
        return {"innovation": self.innovation, "type": self.type, "params": self.param_dict}


@dataclass(frozen=True)
class HyperGene:
    """A named hyper-parameter of the whole network (e.g. ``readout``)."""

    innovation: int
    name: str
    value: Any

    def to_json(self) -> list:
        return [self.innovation, self.name, self.value]


@dataclass(frozen=True)
class Genome:
    """An immutable DeepNEAT genome (see the module docstring).

    Parameters
    ----------
    layers : tuple of LayerGene
        The layer chromosome (hidden nodes).
    connections : tuple of ConnectionGene
        The connection chromosome.
    hyperparameters : tuple of HyperGene, optional
        The hyper-parameter chromosome.
    """

    layers: tuple = ()
    connections: tuple = ()
    hyperparameters: tuple = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "connections", tuple(self.connections))
        object.__setattr__(self, "hyperparameters", tuple(self.hyperparameters))

    # ------------------------------------------------------------------ reading
    def layer(self, node: int) -> LayerGene:
        """The layer gene of hidden node ``node``."""
        for gene in self.layers:
            if gene.innovation == node:
                return gene
        raise KeyError(f"Genome has no layer gene for node {node}.")

    @property
    def node_ids(self) -> list[int]:
        """Every node id: input, hidden nodes (in chromosome order), output."""
        return [INPUT, *(g.innovation for g in self.layers), OUTPUT]

    @property
    def hyper_dict(self) -> dict[str, Any]:
        return {h.name: h.value for h in self.hyperparameters}

    def innovations(self) -> list[int]:
        """Every innovation number used by this genome."""
        return ([g.innovation for g in self.layers] + [c.innovation for c in self.connections]
                + [h.innovation for h in self.hyperparameters])

    def replace(self, **changes: Any) -> "Genome":
        """A copy with some chromosomes replaced."""
        data = {"layers": self.layers, "connections": self.connections, "hyperparameters": self.hyperparameters}
        data.update(changes)
        return Genome(**data)

    # ------------------------------------------------------------------ JSON
    def _repr_html_(self) -> str | None:
        """Rich display in notebooks (drawn by :mod:`nasnb.viz.display`)."""
        try:
            from nasnb.viz.display import genome_html
        except ImportError:
            return None
        return genome_html(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict with a format tag and schema version."""
        return {
            "format": GENOME_FORMAT,
            "schema_version": GENOME_SCHEMA_VERSION,
            "layers": [g.to_json() for g in self.layers],
            "connections": [c.to_json() for c in self.connections],
            "hyperparameters": [h.to_json() for h in self.hyperparameters],
        }

    def to_json(self) -> str:
        """Stable JSON string of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Any) -> "Genome":
        """Inverse of :meth:`to_dict`, checking every field."""
        if not isinstance(data, Mapping) or data.get("format") != GENOME_FORMAT:
            raise SerializationError(f"Malformed genome document: expected a dict with format {GENOME_FORMAT!r}.")
        if data.get("schema_version") != GENOME_SCHEMA_VERSION:
            raise SerializationError(
                f"Unknown genome schema version {data.get('schema_version')!r} (this nasnb reads "
                f"{GENOME_SCHEMA_VERSION}).")
        try:
            layers = tuple(LayerGene(int(g["innovation"]), str(g["type"]), dict(g.get("params", {})))
                           for g in data["layers"])
            connections = tuple(ConnectionGene(int(i), int(s), int(d), bool(e)) for i, s, d, e in data["connections"])
            hyper = tuple(HyperGene(int(i), str(n), v) for i, n, v in data.get("hyperparameters", []))
        except (KeyError, TypeError, ValueError) as exc:
            raise SerializationError(f"Malformed genome document: {exc!r}") from exc
        return cls(layers, connections, hyper)

    @classmethod
    def from_json(cls, text: str) -> "Genome":
        """Inverse of :meth:`to_json` (never evaluates code)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SerializationError(f"Genome JSON cannot be parsed: {exc}") from exc
        return cls.from_dict(data)


def _adjacency(genome: Genome, enabled_only: bool = True) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    succ: dict[int, list[int]] = {n: [] for n in genome.node_ids}
    pred: dict[int, list[int]] = {n: [] for n in genome.node_ids}
    for c in genome.connections:
        if c.enabled or not enabled_only:
            succ.setdefault(c.src, []).append(c.dst)
            pred.setdefault(c.dst, []).append(c.src)
    return succ, pred


def _reach(start: int, edges: dict[int, list[int]]) -> set[int]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def active_nodes(genome: Genome) -> set[int]:
    """Node ids on at least one enabled path from ``INPUT`` to ``OUTPUT`` (empty if none)."""
    succ, pred = _adjacency(genome)
    forward = _reach(INPUT, succ)
    if OUTPUT not in forward:
        return set()
    return forward & _reach(OUTPUT, pred)


def has_path(genome: Genome, src: int, dst: int, *, enabled_only: bool = False) -> bool:
    """True when a chain of connection genes leads from ``src`` to ``dst``."""
    succ, _ = _adjacency(genome, enabled_only)
    return dst in _reach(src, succ)


def genome_invalid_reason(genome: Genome) -> str | None:
    """``None`` if the genome describes a working graph, else why not.

    Examples
    --------
    >>> g = Genome(connections=(ConnectionGene(0, INPUT, OUTPUT, False),))
    >>> genome_invalid_reason(g)
    'no enabled path from the input node -2 to the output node 99 (1 of 1 connection genes disabled)'
    """
    ids = set(genome.node_ids)
    if len(ids) != len(genome.layers) + 2:
        return "two layer genes share a node id (or use the reserved ids -2 / 99)"
    for c in genome.connections:
        if c.src not in ids or c.dst not in ids:
            return f"connection gene {c.innovation} ({c.src} -> {c.dst}) refers to a node with no layer gene"
        if c.src == c.dst or c.dst == INPUT or c.src == OUTPUT:
            return f"connection gene {c.innovation} ({c.src} -> {c.dst}) points into the input or out of the output"
    active = active_nodes(genome)
    if not active:
        disabled = sum(not c.enabled for c in genome.connections)
        return (f"no enabled path from the input node {INPUT} to the output node {OUTPUT} "
                f"({disabled} of {len(genome.connections)} connection genes disabled)")
    succ, _ = _adjacency(genome)
    for node in active:
        if node in _reach_excluding_self(node, succ):
            return f"the enabled connections form a cycle through node {node}"
    return None


def _reach_excluding_self(start: int, edges: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(edges.get(start, ()))
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(edges.get(n, ()))
    return seen
