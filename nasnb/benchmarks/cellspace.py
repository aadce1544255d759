"""How a cell-style benchmark space is built one layer at a time (used by the DQN agent).

A :class:`CellSpace` tells a sequential builder -- such as
:class:`nasnb.strategies.dqn.DoubleDQNSearch` -- what a cell looks like: how many hidden
layer slots there are, which operations a layer can take, how many inputs a new layer
picks among the earlier ones, whether the builder may stop early, and how a finished
sequence of choices becomes a candidate of the benchmark's search space.

Slots are numbered ``0`` (the cell input) to ``max_layers`` (the last hidden layer); the
output vertex is ``max_layers + 1`` and is wired by :attr:`CellSpace.build`.

Examples
--------
>>> space = CellSpace("demo", ops=("a", "b"), max_layers=2, max_inputs=1,
...                   build=lambda ops, inputs: (tuple(ops), tuple(inputs)))
>>> space.state_size   # 3 slots x (2 ops + input) + upper triangle of a 4x4 matrix
15
>>> space.build([0, 1], [(0,), (1,)])
((0, 1), ((0,), (1,)))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CellSpace"]


@dataclass(frozen=True)
class CellSpace:
    """Description of a cell that is built one hidden layer at a time.

    Parameters
    ----------
    name : str
        Label of the space (for messages).
    ops : tuple of str
        The operations a hidden layer can take (indices into this tuple are used).
    max_layers : int
        Number of hidden-layer slots.
    max_inputs : int
        How many earlier vertices a new layer reads from: it picks up to this many
        (``2`` for NAS-Bench-101 in the thesis; ``1`` for NAS-Bench-Graph). ``0`` means
        the inputs are fixed by the space and given by ``fixed_inputs``.
    build : callable
        ``build(layer_ops, layer_inputs) -> candidate or None``: ``layer_ops`` is a list
        of op indices, ``layer_inputs[i]`` a tuple of earlier slot indices (``0`` = cell
        input). ``None`` means the choices do not form a valid candidate (reward 0).
    min_layers : int
        Fewest hidden layers before "stop" is allowed (default 1).
    allow_stop : bool
        Whether the builder may stop before ``max_layers`` layers.
    allow_no_input : bool
        Whether the "no connection" choice may take the place of an input (a layer with
        ``max_inputs = 2`` then reads from one vertex only).
    fixed_inputs : callable, optional
        ``fixed_inputs(layer_index) -> tuple of slots`` for spaces with ``max_inputs = 0``.
    """

    name: str
    ops: tuple
    max_layers: int
    max_inputs: int
    build: Callable[[Sequence[int], Sequence[tuple]], Any]
    min_layers: int = 1
    allow_stop: bool = True
    allow_no_input: bool = True
    fixed_inputs: Callable[[int], tuple] | None = None

    @property
    def num_slots(self) -> int:
        """Input slot plus hidden-layer slots."""
        return self.max_layers + 1

    @property
    def num_vertices(self) -> int:
        """Vertices of the connection matrix: input, hidden layers and output."""
        return self.max_layers + 2

    @property
    def state_size(self) -> int:
        """Length of the state vector: one-hot slots plus the matrix's upper triangle.

        For NAS-Bench-101 (3 ops, 5 hidden layers) this is 6 x 4 + 21 = 45, the thesis'
        45-bit state.
        """
        n = self.num_vertices
        return self.num_slots * (len(self.ops) + 1) + n * (n - 1) // 2
