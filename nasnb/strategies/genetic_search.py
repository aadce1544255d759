"""A genetic algorithm over architectures: :class:`GeneticSearch`, a :class:`~nasnb.strategies.Strategy`.

Generational, with (mu + lambda) survival: the first ``population_size`` trials are random
samples; every later trial picks a parent by tournament from the surviving population,
crosses it with a second tournament winner when the space has ``crossover(a, b, rng)`` (with
probability ``crossover_prob``) and mutates the child with the space's ``mutate``. When a
generation of ``population_size`` children has been told, the best ``population_size`` of
parents and children survive (ties: the older first), so the best architecture is never lost
and never evaluated twice. Only finished evaluations (:func:`nasnb.results.is_finished`)
survive: a ``failed``, ``invalid`` or ``diverged`` child never enters the population, so it is
never a parent, whatever the sign of the fitness; while the population is empty, trials are
random samples. Because it is a Strategy, the GA gets studies, executors (a
generation is evaluated in parallel: ``batch_size = population_size``), failure capture and
resume from :meth:`~nasnb.strategies.Strategy.run`. (The vectorised
:class:`~nasnb.strategies.GeneticAlgorithm` of the Monte-Carlo studies is a plain numeric
optimiser, not an architecture search.)

Examples
--------
>>> from nasnb.benchmarks import NASBenchGraph
>>> bench = NASBenchGraph("cora")
>>> ga = GeneticSearch(bench, population_size=8, tournament_size=3, seed=0)
>>> h = ga.run(bench, 40)
>>> len(h), ga.batch_size, bool(h.best.fitness >= h.fitness[:8].max())
(40, 8, True)
"""

from __future__ import annotations

from typing import Any

from nasnb._validation import check_positive_int, check_probability, parameter_error
from nasnb.results import competes
from nasnb.strategies.base import Strategy

__all__ = ["GeneticSearch"]


class GeneticSearch(Strategy):
    """Generational genetic algorithm over a search space (see the module docstring).

    Parameters
    ----------
    space : SearchSpace
        Candidates, their mutation and (optionally) ``crossover(a, b, rng)``.
    population_size : int
        Individuals that survive each generation, and children per generation.
    tournament_size : int
        Contestants drawn (with replacement) for each parent.
    crossover_prob : float
        Probability of crossing two parents when the space supports it.
    seed : int, numpy Generator or None
    """

    name = "genetic_search"

    def __init__(
        self,
        space: Any,
        population_size: int = 20,
        tournament_size: int = 2,
        *,
        crossover_prob: float = 0.5,
        seed: Any = None,
    ) -> None:
        super().__init__(space, seed=seed)
        func = type(self).__name__
        self.population_size = check_positive_int(population_size, "population_size", func)
        self.tournament_size = check_positive_int(tournament_size, "tournament_size", func)
        if self.tournament_size > self.population_size:
            raise parameter_error(
                "tournament_size", func, f"at most population_size={self.population_size}", tournament_size
            )
        self.crossover_prob = check_probability(crossover_prob, "crossover_prob", func)

    @property
    def batch_size(self) -> int:
        return self.population_size

    def config(self) -> dict[str, Any]:
        cfg = super().config()
        cfg.update(
            population_size=self.population_size,
            tournament_size=self.tournament_size,
            crossover_prob=self.crossover_prob,
        )
        return cfg

    def _reset_state(self) -> None:
        self.population: list[int] = []
        self._children: list[int] = []

    def _tournament(self) -> int:
        picks = self.rng.integers(0, len(self.population), self.tournament_size)
        fitness = self._fitness
        best = self.population[int(picks[0])]
        for p in picks[1:]:
            i = self.population[int(p)]
            if fitness[i] > fitness[best]:
                best = i
        return best

    def _propose(self) -> tuple[Any, int]:
        if not self.population:
            return self.space.sample(self.rng), -1
        parent = self._tournament()
        candidate = self._candidates[parent]
        crossover = getattr(self.space, "crossover", None)
        if callable(crossover) and self.rng.random() < self.crossover_prob:
            candidate = crossover(candidate, self._candidates[self._tournament()], self.rng)
        return self.space.mutate(candidate, self.rng), parent

    def _apply(self, index: int, fitness: float) -> None:
        self._children.append(index)
        if len(self._children) < self.population_size:
            return
        pool = self.population + [i for i in self._children if competes(self._result_of(i).status)]
        pool.sort(key=lambda i: (-self._fitness[i], i))
        self.population = sorted(pool[: self.population_size])
        self._children = []
