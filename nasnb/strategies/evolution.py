"""Regularized evolution (Real et al.), serial and concurrent, and random search as S = 1.

The population is a deque of individuals in arrival order. The first ``population_size``
trials are random samples. Only finished evaluations compete (:func:`nasnb.results.is_finished`):
a ``failed``, ``invalid`` or ``diverged`` individual takes its place in the population and ages
out like any other, but never wins a tournament, whatever the sign of the fitness; a
tournament that draws none of the finished individuals draws again, and while the population
holds none the trial is a random sample. After that, each trial samples ``sample_size`` individuals of
the population (with replacement, as in Real et al.), mutates the fittest (the first one
drawn on ties) and, when its result is told, the child joins the population and the oldest
individual leaves it. With ``workers = W`` the strategy asks W children per cycle from the
same population, and the W results join it in ask order: each cycle adds W offspring and
removes the W oldest (the thesis' distributed regularized evolution); with an executor the
W evaluations run in parallel. For every individual the history keeps how often it was
drawn for a tournament and when it left (thesis Fig. 6.2).

Random search (the thesis' baseline) is the same loop with ``sample_size = 1``.

Examples
--------
>>> from nasnb.spaces import NB101MutationSpace
>>> class CountConvs:  # a toy evaluator: more 3x3 convolutions is better
...     def evaluate_candidate(self, cell):
...         return float(sum(op == "conv3x3-bn-relu" for op in cell.ops))
>>> re = RegularizedEvolution(NB101MutationSpace(), population_size=10, sample_size=3, seed=0)
>>> h = re.run(CountConvs(), budget=60)
>>> len(h), bool(h.best.fitness >= h.fitness[:10].max())
(60, True)
>>> rs = RandomSearch(NB101MutationSpace(), population_size=10, seed=0)
>>> rs.sample_size
1
"""

from __future__ import annotations

from collections import deque
from typing import Any

from nasnb._validation import check_positive_int, parameter_error
from nasnb.results import competes
from nasnb.strategies.base import Strategy

__all__ = ["RegularizedEvolution", "RandomSearch"]

_BLOCK = 1024  # tournament draws are taken from blocks of this many uniforms


class RegularizedEvolution(Strategy):
    """Regularized (aging) evolution with optional concurrent workers.

    Parameters
    ----------
    space : SearchSpace
        Candidates and their mutation.
    population_size : int
        P, the number of individuals alive.
    sample_size : int
        S, tournament size (1 = random search).
    seed : int, numpy Generator or None
        Seeds the whole search.
    workers : int
        W, children asked per cycle (concurrent evaluations). 1 is the serial algorithm.
    cycles : int, optional
        C; sets the default budget ``P + C * W`` of :meth:`run`.
    proxy : callable or evaluator, optional
        A zero-cost proxy guiding the search (see :mod:`nasnb.strategies.proxy_guide`):
        ``proxy(candidate) -> float`` or e.g. ``ProxyEvaluator.for_candidates(...)``.
    warmup_pool : int, default 0
        With ``proxy``: random candidates scored before the first evaluation; the initial
        population is drawn best first from them.
    proposals : int, default 1
        With ``proxy``: mutations drawn per child, the best by the proxy is evaluated.

    Examples
    --------
    >>> from nasnb.spaces import NB101MutationSpace
    >>> re = RegularizedEvolution(NB101MutationSpace(), 20, 5, seed=1, workers=4, cycles=10)
    >>> re.default_budget(), re.batch_size
    (60, 4)
    """

    name = "regularized_evolution"

    def __init__(
        self,
        space: Any,
        population_size: int = 50,
        sample_size: int = 10,
        *,
        seed: Any = None,
        workers: int = 1,
        cycles: int | None = None,
        proxy: Any = None,
        warmup_pool: int = 0,
        proposals: int = 1,
    ) -> None:
        func = type(self).__name__
        if proxy is not None:
            from nasnb.strategies.proxy_guide import ProxyGuidedSpace

            space = ProxyGuidedSpace(space, proxy, warmup_pool=warmup_pool, proposals=proposals)
        elif warmup_pool or proposals != 1:
            raise parameter_error("proxy", func, "a proxy when warmup_pool or proposals is set", proxy)
        super().__init__(space, seed=seed)
        self.population_size = check_positive_int(population_size, "population_size", func)
        self.sample_size = check_positive_int(sample_size, "sample_size", func)
        self.workers = check_positive_int(workers, "workers", func)
        self.cycles = None if cycles is None else check_positive_int(cycles, "cycles", func)
        if self.sample_size > self.population_size:
            raise parameter_error("sample_size", func, f"at most population_size={self.population_size}", sample_size)

    @property
    def batch_size(self) -> int:
        return self.workers

    def default_budget(self) -> int | None:
        return None if self.cycles is None else self.population_size + self.cycles * self.workers

    def config(self) -> dict[str, Any]:
        cfg = super().config()
        cfg.update(
            population_size=self.population_size, sample_size=self.sample_size, workers=self.workers, cycles=self.cycles
        )
        if self.guide is not None:
            cfg["proxy_guide"] = self.guide.settings()
        return cfg

    @property
    def guide(self) -> Any:
        """The :class:`~nasnb.strategies.proxy_guide.ProxyGuidedSpace` of a proxy-guided search, else ``None``."""
        from nasnb.strategies.proxy_guide import ProxyGuidedSpace

        return self.space if isinstance(self.space, ProxyGuidedSpace) else None

    def run(self, evaluator: Any, *args: Any, **kwargs: Any) -> Any:
        """:meth:`Strategy.run`; a proxy-guided search on the candidate path records every evaluated
        candidate's ``proxy_score`` (and ``proxy_seconds``, added to its ``total_time``) in the study."""
        if self.guide is not None and callable(getattr(evaluator, "evaluate_candidate", None)):
            from nasnb.strategies.proxy_guide import ProxyRecordingEvaluator

            evaluator = ProxyRecordingEvaluator(evaluator, self.guide)
        return super().run(evaluator, *args, **kwargs)

    # ------------------------------------------------------------------ state
    def _reset_state(self) -> None:
        self.population: deque[int] = deque()
        self._sample_counts: list[int] = []
        self._removed_at: list[int] = []
        self._uniforms: list[float] = []
        self._upos = 0
        self._finished: list[bool] = []  # per trial: may it win a tournament (False until told)

    @property
    def population_candidates(self) -> list[Any]:
        """The candidates alive now, oldest first."""
        return [self._candidates[i] for i in self.population] if self._started else []

    def _propose(self) -> tuple[Any, int]:
        self._sample_counts.append(0)
        self._removed_at.append(-1)
        self._finished.append(False)
        population = self.population
        n = len(population)
        if len(self._candidates) < self.population_size or n == 0:
            return self.space.sample(self.rng), -1
        best = self._tournament(population, n)
        if best < 0 and not any(self._finished[i] for i in population):
            return self.space.sample(self.rng), -1  # nothing finished yet: nothing to breed from
        while best < 0:  # every contestant drawn failed: draw again among the same population
            best = self._tournament(population, n)
        return self.space.mutate(self._candidates[best], self.rng), best

    def _tournament(self, population: deque, n: int) -> int:
        """Draw ``sample_size`` contestants; return the fittest finished one (-1: none finished)."""
        fitness, finished, counts, size = self._fitness, self._finished, self._sample_counts, self.sample_size
        pos = self._upos
        if pos + size > len(self._uniforms):  # uniforms drawn in blocks: one rng call is slow
            self._uniforms, pos = self.rng.random(max(_BLOCK, size)).tolist(), 0
        self._upos = pos + size
        best, best_fit = -1, float("-inf")
        for u in self._uniforms[pos : pos + size]:
            i = population[int(u * n)]
            counts[i] += 1
            if finished[i] and (best < 0 or fitness[i] > best_fit):
                best, best_fit = i, fitness[i]
        return best

    def _apply(self, index: int, fitness: float) -> None:
        self._finished[index] = competes(self._result_of(index).status)
        population = self.population
        population.append(index)
        if len(population) > self.population_size:
            self._removed_at[population.popleft()] = index

    def _history_extra(self, told: list[int]) -> dict[str, Any]:
        return {
            "sample_counts": [self._sample_counts[i] for i in told],
            "removed_at": [self._removed_at[i] for i in told],
        }


class RandomSearch(RegularizedEvolution):
    """The thesis' random-search baseline: regularized evolution with ``sample_size = 1``.

    Each child mutates a uniformly drawn member of the (aging) population, so selection
    pressure is gone while everything else (budget, mutation, population) stays the same.

    Examples
    --------
    >>> from nasnb.spaces import NB101MutationSpace
    >>> RandomSearch(NB101MutationSpace(), 20, seed=0, workers=2).config()["sample_size"]
    1
    """

    name = "random_search"

    def __init__(
        self, space: Any, population_size: int = 50, *, seed: Any = None, workers: int = 1, cycles: int | None = None
    ) -> None:
        super().__init__(space, population_size, 1, seed=seed, workers=workers, cycles=cycles)
