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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nasnb.exceptions import SerializationError
from nasnb.genomes.innovation import INPUT, OUTPUT

__all__ = [
    "ConnectionGene",
    "LayerGene",
    "HyperGene",
    "Genome",
    "active_nodes",
    "genome_invalid_reason",
    "GENOME_FORMAT",
    "GENOME_SCHEMA_VERSION",
    "MAX_GENOME_BYTES",
    "MAX_GENES",
]

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
    params: tuple[tuple[str, Any], ...] = field(default=())  # a mapping given here is frozen to this form

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
        return (
            [g.innovation for g in self.layers]
            + [c.innovation for c in self.connections]
            + [h.innovation for h in self.hyperparameters]
        )

    def replace(self, **changes: Any) -> Genome:
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
    def from_dict(cls, data: Any) -> Genome:
        """Inverse of :meth:`to_dict`, checking every field.

        Raises
        ------
        SerializationError
            Naming the key or the gene (chromosome and position) that is wrong.
        """
        return _genome_from_dict(cls, data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Genome:
        """Inverse of :meth:`to_json` (JSON text as str or bytes; never evaluates code).

        Bounded like descriptor JSON: at most :data:`MAX_GENOME_BYTES` of text and
        :data:`MAX_GENES` genes per chromosome; NaN / Infinity, integers of more than 64
        digits, duplicate keys and invalid UTF-8 are refused.

        Examples
        --------
        >>> Genome.from_json('{"format": "nasnb.genome", "schema_version": 1, "layers": [], '
        ...                  '"connections": [[0, -2, 99, "yes"]], "hyperparameters": []}')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nasnb.exceptions.SerializationError: Malformed genome document: connection gene #0: ... got 'yes'.
        """
        from nasnb._safeio import load_json

        if not isinstance(text, (str, bytes, bytearray)):
            raise SerializationError(f"Genome.from_json takes JSON text (str or bytes), got {type(text).__name__}.")
        if len(text) > MAX_GENOME_BYTES:
            raise SerializationError(f"Malformed genome document: larger than {MAX_GENOME_BYTES} bytes.")
        return cls.from_dict(load_json(text, name="Malformed genome document", error=SerializationError))


MAX_GENOME_BYTES = 10_000_000
MAX_GENES = 100_000
_GENOME_KEYS = {"format", "schema_version", "layers", "connections", "hyperparameters"}
_INT64 = 2**63


def _bad(problem: str) -> SerializationError:
    return SerializationError(f"Malformed genome document: {problem}")


def _show(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (bool, type(None), int, float)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT64 <= value < _INT64:
        raise _bad(f"{what} must be an integer (64-bit), got {_show(value)}.")
    return value


def _text(value: Any, what: str) -> str:
    ok = isinstance(value, str) and bool(value)
    if ok:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            ok = False
    if not ok:
        raise _bad(f"{what} must be a non-empty string, got {_show(value)}.")
    return value


def _json_value(value: Any, what: str) -> Any:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if item:
                _text(item, what)
        elif not isinstance(item, (int, float, bool, type(None))):
            raise _bad(f"{what} must be a number, string, bool, null or a list of them, got {_show(item)}.")
    return value


def _chromosome(data: Any, key: str, label: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise _bad(f"{key!r} must be a list of {label} genes, got {_show(value)}.")
    if len(value) > MAX_GENES:
        raise _bad(f"{len(value)} {label} genes exceed the limit of {MAX_GENES}.")
    return value


def _genome_from_dict(cls: type, data: Any) -> Genome:
    if not isinstance(data, Mapping):
        raise _bad(f"the top level must be an object, got {type(data).__name__}.")
    if data.get("format") != GENOME_FORMAT:
        raise _bad(f"expected a dict with format {GENOME_FORMAT!r}, got format {_show(data.get('format'))}.")
    version = data.get("schema_version")
    if isinstance(version, bool) or version != GENOME_SCHEMA_VERSION:
        raise SerializationError(
            f"Unknown genome schema version {_show(version)} (this nasnb reads {GENOME_SCHEMA_VERSION}); "
            "write it with a matching nasnb version."
        )
    unknown = set(data) - _GENOME_KEYS
    if unknown:
        raise _bad(f"unknown keys {sorted(map(str, unknown))} (allowed: {', '.join(sorted(_GENOME_KEYS))}).")
    if "layers" not in data or "connections" not in data:
        raise _bad("the keys 'layers' and 'connections' are required.")
    layers = []
    for i, g in enumerate(_chromosome(data, "layers", "layer")):
        where = f"layer gene #{i}"
        if (
            not isinstance(g, Mapping)
            or set(g) - {"innovation", "type", "params"}
            or "innovation" not in g
            or "type" not in g
        ):
            raise _bad(f"{where} must be an object with keys innovation, type and optional params; got {_show(g)}.")
        params = g.get("params", {})
        if not isinstance(params, Mapping):
            raise _bad(f"{where}: 'params' must be an object, got {_show(params)}.")
        for k, v in params.items():
            _json_value(v, f"{where}: parameter {_text(k, where + ': a parameter name')!r}")
        layers.append(
            LayerGene(
                _int(g["innovation"], f"{where}: 'innovation'"), _text(g["type"], f"{where}: 'type'"), _freeze(params)
            )
        )
    connections = []
    for i, c in enumerate(_chromosome(data, "connections", "connection")):
        where = f"connection gene #{i}"
        if not isinstance(c, list) or len(c) != 4:
            raise _bad(f"{where} must be [innovation, source, destination, enabled], got {_show(c)}.")
        if not isinstance(c[3], bool):
            raise _bad(f"{where}: 'enabled' must be true or false, got {_show(c[3])}.")
        connections.append(
            ConnectionGene(
                _int(c[0], f"{where}: 'innovation'"),
                _int(c[1], f"{where}: 'source'"),
                _int(c[2], f"{where}: 'destination'"),
                c[3],
            )
        )
    hyper = []
    for i, h in enumerate(_chromosome(data, "hyperparameters", "hyper-parameter")):
        where = f"hyper-parameter gene #{i}"
        if not isinstance(h, list) or len(h) != 3:
            raise _bad(f"{where} must be [innovation, name, value], got {_show(h)}.")
        hyper.append(
            HyperGene(
                _int(h[0], f"{where}: 'innovation'"),
                _text(h[1], f"{where}: 'name'"),
                _json_value(h[2], f"{where}: 'value'"),
            )
        )
    return cls(tuple(layers), tuple(connections), tuple(hyper))


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
        return (
            f"no enabled path from the input node {INPUT} to the output node {OUTPUT} "
            f"({disabled} of {len(genome.connections)} connection genes disabled)"
        )
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
