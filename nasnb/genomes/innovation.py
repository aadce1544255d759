"""Innovation numbers for DeepNEAT genomes, without any global counter.

Every gene of a genome carries an *innovation number*: the number of the mutation that
created it (older genes have smaller numbers). An :class:`InnovationTracker` hands them out.
It is owned by one search space (one population), never shared through module state, so
two searches with the same seed produce the same numbers. As in NEAT, the same structural
mutation met twice in a population (splitting the same connection, adding the same link)
gets the same numbers, which keeps the genomes of a population aligned.

Examples
--------
>>> t = InnovationTracker()
>>> t.link(INPUT, OUTPUT)
0
>>> t.split(0)
(1, 2, 3)
>>> t.split(0)          # the same split elsewhere in the population: same numbers
(1, 2, 3)
>>> t.new()
4
"""

from __future__ import annotations

from typing import Any

from nasnb.exceptions import SerializationError

__all__ = ["INPUT", "OUTPUT", "InnovationTracker"]

#: Node id of the input node of every genome.
INPUT = -2
#: Node id of the output node of every genome (a fixed id the tracker never hands out).
OUTPUT = 99


class InnovationTracker:
    """Hands out innovation numbers for one population.

    Parameters
    ----------
    start : int, optional
        First number to hand out (default 0). The reserved ids ``INPUT`` (-2) and
        ``OUTPUT`` (99) are always skipped.

    Examples
    --------
    >>> t = InnovationTracker(start=98)
    >>> t.new(), t.new()    # 99 is the output node
    (98, 100)
    """

    def __init__(self, start: int = 0) -> None:
        self.start = int(start)
        self.reset()

    def reset(self) -> None:
        """Forget every number handed out; the next one is ``start`` again."""
        self._next = self.start
        self._splits: dict[int, tuple[int, int, int]] = {}
        self._links: dict[tuple[int, int], int] = {}

    def new(self) -> int:
        """A fresh number, never handed out before by this tracker."""
        value = self._next
        while value in (INPUT, OUTPUT):
            value += 1
        self._next = value + 1
        return value

    def link(self, src: int, dst: int) -> int:
        """Innovation number of a new connection ``src -> dst`` (shared across the population)."""
        key = (int(src), int(dst))
        number = self._links.get(key)
        if number is None:
            number = self._links[key] = self.new()
        return number

    def split(self, connection: int) -> tuple[int, int, int]:
        """Numbers ``(node, incoming, outgoing)`` for inserting a node on ``connection``."""
        numbers = self._splits.get(int(connection))
        if numbers is None:
            numbers = self._splits[int(connection)] = (self.new(), self.new(), self.new())
        return numbers

    def fresh_split(self) -> tuple[int, int, int]:
        """Three unshared numbers (used when a genome splits the same connection twice)."""
        return self.new(), self.new(), self.new()

    def observe(self, numbers: Any) -> None:
        """Make sure future numbers are larger than every number in ``numbers``."""
        for n in numbers:
            if n not in (INPUT, OUTPUT) and n >= self._next:
                self._next = int(n) + 1

    # ------------------------------------------------------------------ state
    def to_json(self) -> dict[str, Any]:
        """Plain JSON state (for checkpoints)."""
        return {
            "start": self.start,
            "next": self._next,
            "splits": [[c, *v] for c, v in sorted(self._splits.items())],
            "links": [[s, d, n] for (s, d), n in sorted(self._links.items())],
        }

    @classmethod
    def from_json(cls, data: Any) -> InnovationTracker:
        """Inverse of :meth:`to_json`."""
        try:
            out = cls(int(data["start"]))
            out._next = int(data["next"])
            out._splits = {int(c): (int(a), int(b), int(e)) for c, a, b, e in data["splits"]}
            out._links = {(int(s), int(d)): int(n) for s, d, n in data["links"]}
        except (KeyError, TypeError, ValueError) as exc:
            raise SerializationError(f"Malformed innovation tracker state: {exc}") from exc
        return out

    def __repr__(self) -> str:
        return f"InnovationTracker(next={self._next}, splits={len(self._splits)}, links={len(self._links)})"
