"""A fixed list of candidates as a strategy: how ``Cluster.map_evaluate`` runs through the one run loop.

:class:`FixedCandidates` proposes the given descriptors (or any evaluator inputs) in order, each
with its given seed, and learns nothing. Run by :class:`~nasnb.strategies.runloop.RunLoop`, a
list of evaluations is recorded, resumed and checked ("already done?") exactly as a search is.

Examples
--------
>>> from nasnb.strategies.runloop import RunLoop
>>> class Square:
...     def descriptor_evaluate(self, x, seed=None):
...         return float(x * x)
>>> fixed = FixedCandidates([1, 2, 3], seeds=[0, 0, 0])
>>> RunLoop(fixed, Square(), study=None, executor=None, evaluate_kwargs=None, catch=(Exception,),
...         retry_failed=False, progress=False, func="demo").run(3, "batch")
>>> [r.fitness for r in fixed.results()]
[1.0, 4.0, 9.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nasnb.exceptions import ParameterError
from nasnb.results import EvaluationResult
from nasnb.store.schema import describe
from nasnb.strategies.base import Strategy

__all__ = ["FixedCandidates", "GivenCandidates"]


class GivenCandidates:
    """The "space" of a fixed list: a candidate is its own descriptor (nothing is sampled)."""

    #: the run loop stores such a candidate by its descriptor JSON only (no separate candidate JSON)
    candidate_is_descriptor = True

    def sample(self, rng: Any) -> Any:
        raise ParameterError("A fixed list of candidates cannot be sampled from.")

    def mutate(self, candidate: Any, rng: Any) -> Any:
        raise ParameterError("A fixed list of candidates cannot be mutated.")

    def to_descriptor(self, candidate: Any) -> Any:
        return candidate

    def key(self, candidate: Any) -> str:
        return describe(candidate)[1]

    def candidate_to_json(self, candidate: Any) -> Any:
        return describe(candidate)[0]

    def candidate_from_json(self, value: Any) -> Any:
        return value

    def to_json(self) -> dict:
        return {"space": "GivenCandidates"}


class FixedCandidates(Strategy):
    """Propose ``candidates`` in order with ``seeds`` (one each); all in one batch.

    Parameters
    ----------
    candidates : sequence
        What the evaluator receives (descriptors, usually).
    seeds : sequence of int or None
        The evaluation seed of each candidate.
    """

    name = "fixed"

    def __init__(self, candidates: Sequence[Any], seeds: Sequence[Any]) -> None:
        super().__init__(GivenCandidates(), seed=0)
        self.candidates = list(candidates)
        self.seeds = list(seeds)
        if len(self.seeds) != len(self.candidates):
            raise ParameterError(
                f"FixedCandidates needs one seed per candidate ({len(self.candidates)}); got {len(self.seeds)}."
            )

    @property
    def batch_size(self) -> int:
        return max(1, len(self.candidates))

    def default_budget(self) -> int:
        return len(self.candidates)

    def config(self) -> dict[str, Any]:
        return {"strategy": type(self).__name__, "size": len(self.candidates)}

    def trial_seed(self, index: int) -> Any:
        return self.seeds[index]

    def _reset_state(self) -> None:
        pass

    def _propose(self) -> tuple[Any, int]:
        return self.candidates[len(self._candidates)], -1

    def _apply(self, index: int, fitness: float) -> None:
        pass

    def results(self) -> list[EvaluationResult | None]:
        """The results in input order (after a run; ``None`` for one not told yet)."""
        return list(self._results)
