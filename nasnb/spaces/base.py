"""The one search-space interface every strategy works with (after NASLib).

A *search space* knows how to draw a random candidate, mutate one, turn one into a
:class:`~nasnb.descriptors.NeuralDescriptor`, name it canonically and (de)serialize it.
Strategies (:mod:`nasnb.strategies`) only ever talk to a space through this protocol, so
every strategy works on every space: DeepNEAT genomes, NAS-Bench-101-style descriptor
mutations, tabular benchmarks (:mod:`nasnb.benchmarks`, whose classes are spaces *and*
evaluators).

Required methods (the contract)
-------------------------------
``sample(rng) -> candidate``
    A random candidate; ``rng`` is a ``numpy.random.Generator``.
``mutate(candidate, rng) -> candidate``
    A new candidate derived from ``candidate`` (which is never modified).
``to_descriptor(candidate) -> NeuralDescriptor``
    The network the candidate describes. May raise
    :class:`~nasnb.exceptions.DescriptorError` for an invalid candidate.
``key(candidate) -> str``
    Canonical identity: equal keys mean the same architecture.
``candidate_to_json(candidate) -> JSON value`` / ``candidate_from_json(value) -> candidate``
    Round trip through plain JSON values (dicts, lists, str, numbers, bools, None).

Candidates are immutable (or treated as such) and JSON-able through the two methods above.

Optional methods (strategies use them when present)
---------------------------------------------------
``invalid_reason(candidate) -> str | None``
    ``None`` for a valid candidate, else a sentence naming the problem. Strategies record
    such a candidate as ``invalid`` with fitness 0 without calling the evaluator.
``reset()``
    Forget any state kept between calls (e.g. innovation numbers). Strategies call it when
    a search starts, so that a replayed search (resume) produces the same candidates.

Examples
--------
>>> import numpy as np
>>> class Bits:
...     def sample(self, rng): return tuple(int(b) for b in rng.integers(0, 2, 4))
...     def mutate(self, c, rng):
...         i = int(rng.integers(4)); return c[:i] + (1 - c[i],) + c[i + 1:]
...     def to_descriptor(self, c): raise NotImplementedError
...     def key(self, c): return "".join(map(str, c))
...     def candidate_to_json(self, c): return list(c)
...     def candidate_from_json(self, v): return tuple(v)
>>> is_search_space(Bits())
True
>>> check_search_space(Bits(), "demo") is not None
True
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nasnb.exceptions import ParameterError

__all__ = ["SearchSpace", "SPACE_METHODS", "is_search_space", "check_search_space", "invalid_reason"]

#: The methods an object needs to be used as a search space.
SPACE_METHODS = ("sample", "mutate", "to_descriptor", "key", "candidate_to_json", "candidate_from_json")


@runtime_checkable
class SearchSpace(Protocol):
    """Structural type of a search space (see the module docstring for the contract).

    Examples
    --------
    >>> from nasnb.spaces import NB101MutationSpace
    >>> isinstance(NB101MutationSpace(), SearchSpace)
    True
    """

    def sample(self, rng: Any) -> Any:
        """Return a random candidate drawn with the numpy Generator ``rng``."""

    def mutate(self, candidate: Any, rng: Any) -> Any:
        """Return a mutated copy of ``candidate``."""

    def to_descriptor(self, candidate: Any) -> Any:
        """Return the :class:`~nasnb.descriptors.NeuralDescriptor` of ``candidate``."""

    def key(self, candidate: Any) -> str:
        """Return the canonical identity of ``candidate``."""

    def candidate_to_json(self, candidate: Any) -> Any:
        """Return ``candidate`` as a plain JSON value."""

    def candidate_from_json(self, value: Any) -> Any:
        """Inverse of :meth:`candidate_to_json`."""


def is_search_space(obj: Any) -> bool:
    """True when ``obj`` has every method of the :class:`SearchSpace` protocol."""
    return all(callable(getattr(obj, name, None)) for name in SPACE_METHODS)


def check_search_space(obj: Any, func: str) -> Any:
    """Return ``obj`` if it is a search space, else raise :class:`ParameterError` naming what is missing."""
    missing = [name for name in SPACE_METHODS if not callable(getattr(obj, name, None))]
    if missing:
        raise ParameterError(
            f"The 'space' parameter of {func} must be a search space (methods {', '.join(SPACE_METHODS)}). "
            f"Got {type(obj).__name__!s} instead, which lacks {', '.join(missing)}."
        )
    return obj


def invalid_reason(space: Any, candidate: Any) -> str | None:
    """Ask ``space`` why ``candidate`` is invalid; ``None`` if valid or the space cannot tell.

    Examples
    --------
    >>> invalid_reason(object(), 3) is None
    True
    """
    fn = getattr(space, "invalid_reason", None)
    if fn is None:
        return None
    return fn(candidate)
