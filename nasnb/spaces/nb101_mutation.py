"""The NAS-Bench-101-style descriptor mutations of the thesis (chapter 3 / digest section 2).

A candidate is a :class:`Cell`: ``ops`` (first ``"input"``, last ``"output"``, hidden ops in
between) and forward ``edges`` ``(i, j)`` with ``i < j`` (vertices in topological order).
A mutation either adds a random forward connection, or inserts a new node with a random op
on an existing connection (``src -> new -> dst``; the old edge is removed). A cell has at
most ``max_hidden`` (5) hidden layers, so 7 vertices as in NAS-Bench-101. Cells with more
than ``max_edges`` (9, the NAS-Bench-101 limit) connections are *invalid*: strategies give
them fitness 0.

Examples
--------
>>> import numpy as np
>>> space = NB101MutationSpace()
>>> rng = np.random.default_rng(1)
>>> c = space.sample(rng)
>>> c.ops[0], c.ops[-1], space.invalid_reason(c) is None
('input', 'output', True)
>>> d = space.to_descriptor(space.mutate(c, rng))
>>> d.input_layer, d.output_layer
('input', 'output')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasnb._validation import check_nonnegative_int, check_positive_int, parameter_error
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DescriptorError, SerializationError

__all__ = ["Cell", "NB101MutationSpace", "NB101_OPS"]

#: Hidden-vertex operations of NAS-Bench-101.
NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


@dataclass(frozen=True)
class Cell:
    """A cell: vertex ``ops`` and forward ``edges`` (``i < j``), both tuples."""

    ops: tuple
    edges: tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "ops", tuple(self.ops))
        object.__setattr__(self, "edges", tuple(sorted((int(i), int(j)) for i, j in self.edges)))

    @property
    def num_hidden(self) -> int:
        return len(self.ops) - 2

    def matrix(self) -> list[list[int]]:
        """Upper-triangular adjacency matrix (NAS-Bench-101 style)."""
        n = len(self.ops)
        m = [[0] * n for _ in range(n)]
        for i, j in self.edges:
            m[i][j] = 1
        return m


class NB101MutationSpace:
    """NAS-Bench-101-style cells grown by the thesis' two mutations.

    Parameters
    ----------
    ops : tuple of str
        Hidden-vertex operations (default :data:`NB101_OPS`).
    max_hidden : int
        Maximum number of hidden layers (default 5).
    max_edges : int or None
        Cells with more connections are invalid (default 9; ``None``: no limit).
    """

    def __init__(self, ops: tuple = NB101_OPS, *, max_hidden: int = 5, max_edges: int | None = 9) -> None:
        self.ops = tuple(ops)
        if not self.ops or not all(isinstance(o, str) for o in self.ops):
            raise parameter_error("ops", "NB101MutationSpace", "a non-empty tuple of op names", ops)
        self.max_hidden = check_positive_int(max_hidden, "max_hidden", "NB101MutationSpace")
        self.max_edges = (
            None if max_edges is None else check_nonnegative_int(max_edges, "max_edges", "NB101MutationSpace")
        )

    # ------------------------------------------------------------------ protocol
    def sample(self, rng: Any) -> Cell:
        """A chain of 1..``max_hidden`` random ops plus random forward skips (always valid)."""
        n_hidden = int(rng.integers(1, self.max_hidden + 1))
        ops = ("input", *(self.ops[int(i)] for i in rng.integers(0, len(self.ops), n_hidden)), "output")
        n = len(ops)
        edges = {(i, i + 1) for i in range(n - 1)}
        extra = [(i, j) for i in range(n) for j in range(i + 2, n)]
        for i in rng.permutation(len(extra)):
            if self.max_edges is not None and len(edges) >= self.max_edges:
                break
            if rng.random() < 0.3:
                edges.add(extra[int(i)])
        return Cell(ops, tuple(edges))

    def mutate(self, candidate: Cell, rng: Any) -> Cell:
        """Add a random forward connection or insert a node on a connection (50/50)."""
        add_edge = rng.random() < 0.5
        if add_edge or candidate.num_hidden >= self.max_hidden:
            child = self._add_edge(candidate, rng)
            if child is not None:
                return child
        if candidate.num_hidden < self.max_hidden and candidate.edges:
            return self._insert_node(candidate, rng)
        child = self._add_edge(candidate, rng)
        return candidate if child is None else child

    def _add_edge(self, cell: Cell, rng: Any) -> Cell | None:
        n, present = len(cell.ops), set(cell.edges)
        free = [(i, j) for i in range(n - 1) for j in range(i + 1, n) if (i, j) not in present]
        if not free:
            return None
        return Cell(cell.ops, cell.edges + (free[int(rng.integers(len(free)))],))

    def _insert_node(self, cell: Cell, rng: Any) -> Cell:
        src, dst = cell.edges[int(rng.integers(len(cell.edges)))]
        new = dst  # the new vertex takes dst's position; later vertices shift by one

        def shift(v: int) -> int:
            return v + 1 if v >= new else v

        edges = [(shift(i), shift(j)) for i, j in cell.edges if (i, j) != (src, dst)]
        edges += [(src, new), (new, shift(dst))]
        op = self.ops[int(rng.integers(len(self.ops)))]
        return Cell(cell.ops[:new] + (op,) + cell.ops[new:], tuple(edges))

    def invalid_reason(self, candidate: Any) -> str | None:
        """``None`` for a valid cell, else why it is invalid."""
        if not isinstance(candidate, Cell):
            return f"a candidate must be a Cell, got {type(candidate).__name__}"
        n = len(candidate.ops)
        if n < 2 or candidate.ops[0] != "input" or candidate.ops[-1] != "output":
            return "a cell starts with an 'input' vertex and ends with an 'output' vertex"
        unknown = [o for o in candidate.ops[1:-1] if o not in self.ops]
        if unknown:
            return f"unknown op {unknown[0]!r}; the ops of this space are {', '.join(self.ops)}"
        if candidate.num_hidden > self.max_hidden:
            return f"the cell has {candidate.num_hidden} hidden layers; at most {self.max_hidden} are allowed"
        for i, j in candidate.edges:
            if not 0 <= i < j < n:
                return f"connection ({i}, {j}) does not point forward between vertices 0..{n - 1}"
        if self.max_edges is not None and len(candidate.edges) > self.max_edges:
            return f"the cell has {len(candidate.edges)} connections; NAS-Bench-101 allows at most {self.max_edges}"
        return None

    def to_descriptor(self, candidate: Cell) -> NeuralDescriptor:
        """Descriptor with layers ``input``, ``node_1`` ... ``output`` (pruned of dead vertices)."""
        reason = self.invalid_reason(candidate)
        if reason is not None:
            raise DescriptorError(f"Invalid cell: {reason}.")
        n = len(candidate.ops)
        names = ["input"] + [f"node_{k}" for k in range(1, n - 1)] + ["output"]
        d = NeuralDescriptor()
        for name, op in zip(names, candidate.ops):
            d.add_layer(op, name=name)
        for i, j in candidate.edges:
            d.connect_layers(names[i], names[j])
        d.set_input("input")
        d.set_output("output")
        return d.prune()

    def key(self, candidate: Cell) -> str:
        """Canonical hash of the descriptor (isomorphic cells share a key)."""
        if self.invalid_reason(candidate) is not None:
            return "invalid:" + repr((candidate.ops, candidate.edges))
        return self.to_descriptor(candidate).canonical_hash()

    def candidate_to_json(self, candidate: Cell) -> dict[str, Any]:
        return {"ops": list(candidate.ops), "edges": [list(e) for e in candidate.edges]}

    def candidate_from_json(self, value: Any) -> Cell:
        try:
            return Cell(tuple(str(o) for o in value["ops"]), tuple((int(i), int(j)) for i, j in value["edges"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise SerializationError(f"Malformed NB101 cell document {value!r}: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        return {"ops": list(self.ops), "max_hidden": self.max_hidden, "max_edges": self.max_edges}

    def __repr__(self) -> str:
        return f"NB101MutationSpace(ops={self.ops!r}, max_hidden={self.max_hidden}, max_edges={self.max_edges})"
