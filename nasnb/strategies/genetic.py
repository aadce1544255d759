"""A simple genetic algorithm (SGA), one implementation for NAS search and Monte-Carlo studies.

The operators follow pygmo's ``sga`` with its default settings, the library the thesis used
(chapters 4 and 5), so numbers from :mod:`nasnb.analysis.montecarlo` can be cross-checked
against pygmo:

* **selection** -- tournament: each of the ``population_size`` parents is the best of
  ``tournament_size`` *distinct* individuals drawn at random;
* **crossover** -- ``"exponential"`` (pygmo's default): every child takes a random partner
  among the other selected parents and copies a run of consecutive genes from it, starting at
  a random gene (cyclically); the run continues while a uniform draw is below
  ``crossover_prob`` (so at least one gene is always exchanged). ``"single"`` is the
  textbook single-point crossover, applied with probability ``crossover_prob``;
* **mutation** -- each gene mutates with probability ``mutation_prob``: integer genes are
  redrawn uniformly within their bounds, real genes get a polynomial mutation (distribution
  index ``mutation_eta``, pygmo's ``param_m``);
* **reinsertion** -- pure elitism: parents and children are pooled and the best
  ``population_size`` survive (children win ties). The champion therefore never gets lost.

The vectorised :meth:`GeneticAlgorithm.run_batch` runs ``R`` independent GAs as one
``(R, population, genes)`` array; it is what makes the thesis' Monte-Carlo tables take
seconds. :meth:`GeneticAlgorithm.run` is the same algorithm for one run with an arbitrary
Python fitness callable (e.g. training a network per chromosome). Non-finite fitness values
(failed or invalid candidates) count as the worst possible.

Examples
--------
>>> import numpy as np
>>> ga = GeneticAlgorithm([0, 0], [9, 9], mutation_prob=0.2, seed=0)
>>> result = ga.run(lambda x: float(np.sum((x - 3) ** 2)), generations=30)
>>> result.best_fitness
0.0
>>> result.best_x.tolist()
[3, 3]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nasnb._validation import (
    as_generator,
    check_choice,
    check_nonnegative_int,
    check_positive_int,
    check_probability,
    parameter_error,
)

__all__ = ["GeneticAlgorithm", "GAResult", "GABatchResult"]

logger = logging.getLogger(__name__)

_CROSSOVERS = ("exponential", "single")


@dataclass(frozen=True)
class GAResult:
    """Outcome of :meth:`GeneticAlgorithm.run`.

    Attributes
    ----------
    best_x : numpy.ndarray
        The champion chromosome (``int64`` for integer genes).
    best_fitness : float
        Its fitness as returned by the fitness callable.
    history : pandas.DataFrame
        One row per generation (0 = the initial population): ``generation``,
        ``best_fitness`` (champion so far), ``mean_fitness`` (of the surviving population),
        ``evaluations`` (cumulative fitness calls).
    evaluated : pandas.DataFrame
        Every fitness call: ``generation``, ``x`` (tuple of genes), ``fitness``.
    """

    best_x: np.ndarray
    best_fitness: float
    history: pd.DataFrame
    evaluated: pd.DataFrame


@dataclass(frozen=True)
class GABatchResult:
    """Outcome of :meth:`GeneticAlgorithm.run_batch`.

    Attributes
    ----------
    checkpoints : tuple of int
        The generations at which the champions were recorded (sorted).
    best_x : numpy.ndarray
        Shape ``(len(checkpoints), repetitions, genes)``: each run's champion at each checkpoint.
    best_fitness : numpy.ndarray
        Shape ``(len(checkpoints), repetitions)``: the champions' fitness.
    """

    checkpoints: tuple
    best_x: np.ndarray
    best_fitness: np.ndarray
    settings: dict = field(default_factory=dict)

    def at(self, generation: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(best_x, best_fitness)`` at one checkpoint generation."""
        if generation not in self.checkpoints:
            raise parameter_error("generation", "GABatchResult.at", f"one of {self.checkpoints}", generation)
        i = self.checkpoints.index(generation)
        return self.best_x[i], self.best_fitness[i]


def _gather(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[r, index[r, k]]`` for every run ``r`` (fast flat take instead of take_along_axis)."""
    reps, width = values.shape[:2]
    flat = (index + (np.arange(reps) * width)[:, None]).ravel()
    taken = np.take(values.reshape((reps * width,) + values.shape[2:]), flat, axis=0)
    return taken.reshape(index.shape + values.shape[2:])


class GeneticAlgorithm:
    """Simple genetic algorithm over bounded integer or real vectors (pygmo ``sga`` semantics).

    Parameters
    ----------
    bounds_low, bounds_high : sequence of numbers
        Inclusive bounds per gene (same length).
    integer : bool, default True
        Integer genes (redrawn uniformly on mutation) or real genes (polynomial mutation).
    population_size : int, default 10
    crossover_prob : float, default 0.9
    mutation_prob : float, default 0.02
        Per-gene mutation probability.
    tournament_size : int, default 2
    crossover : {"exponential", "single"}, default "exponential"
    mutation_eta : float, default 1.0
        Distribution index of the polynomial mutation (real genes only).
    maximize : bool, default False
        Maximise the fitness instead of minimising it (e.g. accuracy).
    seed : int, numpy Generator or None
        Each call to :meth:`run` / :meth:`run_batch` starts a generator from it, so an int
        seed gives the same result on every call.

    Examples
    --------
    >>> ga = GeneticAlgorithm([0], [99], mutation_prob=0.3, seed=1)
    >>> table = np.abs(np.arange(100) - 42.0)
    >>> batch = ga.run_batch(table, generations=200, repetitions=4)
    >>> batch.best_x[-1, :, 0].tolist()
    [42, 42, 42, 42]
    """

    def __init__(
        self,
        bounds_low: Sequence[float],
        bounds_high: Sequence[float],
        *,
        integer: bool = True,
        population_size: int = 10,
        crossover_prob: float = 0.9,
        mutation_prob: float = 0.02,
        tournament_size: int = 2,
        crossover: str = "exponential",
        mutation_eta: float = 1.0,
        maximize: bool = False,
        seed=None,
    ) -> None:
        func = "GeneticAlgorithm"
        low = np.asarray(bounds_low, dtype=float).ravel()
        high = np.asarray(bounds_high, dtype=float).ravel()
        if low.size == 0 or low.shape != high.shape:
            raise parameter_error(
                "bounds_high", func, f"a non-empty sequence as long as bounds_low ({low.size})", list(high)
            )
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))) or np.any(high < low):
            raise parameter_error("bounds_high", func, "finite and >= bounds_low gene by gene", list(high))
        if integer and not (np.all(low == np.round(low)) and np.all(high == np.round(high))):
            raise parameter_error("bounds_low", func, "whole numbers when integer=True", list(low))
        self.bounds_low = low
        self.bounds_high = high
        self.integer = bool(integer)
        self.population_size = check_positive_int(population_size, "population_size", func)
        if self.population_size < 2:
            raise parameter_error("population_size", func, "an int >= 2", population_size)
        self.crossover_prob = check_probability(crossover_prob, "crossover_prob", func)
        self.mutation_prob = check_probability(mutation_prob, "mutation_prob", func)
        self.tournament_size = check_positive_int(tournament_size, "tournament_size", func)
        if self.tournament_size > self.population_size:
            raise parameter_error(
                "tournament_size", func, f"at most population_size ({self.population_size})", tournament_size
            )
        self.crossover = check_choice(crossover, _CROSSOVERS, "crossover", func)
        if not np.isfinite(mutation_eta) or mutation_eta <= 0:
            raise parameter_error("mutation_eta", func, "a positive float", mutation_eta)
        self.mutation_eta = float(mutation_eta)
        self.maximize = bool(maximize)
        self.seed = seed

    @property
    def n_genes(self) -> int:
        """Number of genes per chromosome."""
        return int(self.bounds_low.size)

    # ------------------------------------------------------------------ operators
    def _random_population(self, rng: np.random.Generator, shape: tuple) -> np.ndarray:
        if self.integer:
            return rng.integers(self.bounds_low.astype(np.int64), self.bounds_high.astype(np.int64) + 1, size=shape)
        return self.bounds_low + rng.random(shape) * (self.bounds_high - self.bounds_low)

    def _select(self, cost: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Tournament selection; ``cost`` (R, P), smaller is better. Returns parent indices (R, P)."""
        reps, pop = cost.shape
        k = self.tournament_size
        if k == 1:
            return rng.integers(0, pop, size=(reps, pop))
        if k == 2:
            a = rng.integers(0, pop, size=(reps, pop))
            b = (a + rng.integers(1, pop, size=(reps, pop))) % pop
            return np.where(_gather(cost, b) < _gather(cost, a), b, a)
        cand = np.argsort(rng.random((reps, pop, pop)), axis=2)[:, :, :k]
        cc = np.take_along_axis(np.broadcast_to(cost[:, None, :], (reps, pop, pop)), cand, axis=2)
        return np.take_along_axis(cand, np.argmin(cc, axis=2)[:, :, None], axis=2)[:, :, 0]

    def _crossover(self, parents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        reps, pop, genes = parents.shape
        partner = (np.arange(pop)[None, :] + rng.integers(1, pop, size=(reps, pop))) % pop
        mates = _gather(parents, partner)
        if self.crossover == "exponential":
            start = rng.integers(0, genes, size=(reps, pop))
            # 1 + number of consecutive draws below crossover_prob, capped at the gene count
            if self.crossover_prob >= 1.0:
                length = np.full((reps, pop), genes)
            else:
                length = np.minimum(rng.geometric(1.0 - self.crossover_prob, size=(reps, pop)), genes)
            # masks[s, l - 1] = genes s, s+1, ..., s+l-1 (cyclic) come from the mate
            offset = (np.arange(genes)[None, :] - np.arange(genes)[:, None]) % genes
            masks = offset[:, None, :] < np.arange(1, genes + 1)[None, :, None]
            mask = masks[start, length - 1]
        else:  # single point: genes from the cut point on come from the mate
            cut = rng.integers(0, genes, size=(reps, pop))
            do = rng.random((reps, pop, 1)) < self.crossover_prob
            mask = (np.arange(genes)[None, :] >= np.arange(genes)[:, None])[cut] & do
        return np.where(mask, mates, parents)

    def _mutate(self, children: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.mutation_prob == 0.0:
            return children
        mask = rng.random(children.shape) < self.mutation_prob
        where = np.nonzero(mask)
        if where[0].size == 0:
            return children
        gene = where[2]
        low, high = self.bounds_low[gene], self.bounds_high[gene]
        out = children.copy()
        if self.integer:
            out[where] = rng.integers(low.astype(np.int64), high.astype(np.int64) + 1)
            return out
        x = children[where]
        u = rng.random(x.shape)
        power = 1.0 / (1.0 + self.mutation_eta)
        down = (np.power(2.0 * u, power) - 1.0) * (x - low)
        up = (1.0 - np.power(2.0 * (1.0 - u), power)) * (high - x)
        out[where] = np.clip(x + np.where(u <= 0.5, down, up), low, high)
        return out

    def _cost(self, fitness: np.ndarray) -> np.ndarray:
        cost = np.asarray(fitness, dtype=float)
        cost = -cost if self.maximize else cost.copy()
        cost[~np.isfinite(cost)] = np.inf
        return cost

    def _generation(self, pop_x, pop_cost, evaluate, rng):
        """One SGA generation on (R, P, d) arrays; returns the survivors sorted best first."""
        parents = _gather(pop_x, self._select(pop_cost, rng))
        children = self._mutate(self._crossover(parents, rng), rng)
        child_cost = evaluate(children)
        pool_x = np.concatenate([children, pop_x], axis=1)
        pool_cost = np.concatenate([child_cost, pop_cost], axis=1)
        keep = np.argsort(pool_cost, axis=1, kind="stable")[:, : self.population_size]
        return _gather(pool_x, keep), _gather(pool_cost, keep)

    # ------------------------------------------------------------------ drivers
    def run(self, fitness_fn: Callable[[np.ndarray], float], generations: int) -> GAResult:
        """Evolve one population with a Python fitness callable.

        Parameters
        ----------
        fitness_fn : callable
            ``fitness_fn(x) -> float`` for one chromosome ``x`` (1-D array). Called
            ``population_size * (generations + 1)`` times.
        generations : int
            Number of generations after the initial population (0 = random search of one
            population).

        Returns
        -------
        GAResult

        Examples
        --------
        >>> ga = GeneticAlgorithm([1, 1], [5, 5], maximize=True, seed=3)
        >>> res = ga.run(lambda x: float(x.sum()), generations=20)
        >>> res.best_fitness, len(res.history), len(res.evaluated)
        (10.0, 21, 210)
        """
        generations = check_nonnegative_int(generations, "generations", "GeneticAlgorithm.run")
        if not callable(fitness_fn):
            raise parameter_error("fitness_fn", "GeneticAlgorithm.run", "a callable", fitness_fn)
        rng = as_generator(self.seed)
        records: list[tuple] = []
        state = {"generation": 0}

        def evaluate(x: np.ndarray) -> np.ndarray:
            values = np.empty(x.shape[:2])
            for j, chromosome in enumerate(x[0]):
                value = float(fitness_fn(chromosome.copy()))
                values[0, j] = value
                records.append((state["generation"], tuple(chromosome.tolist()), value))
            return self._cost(values)

        pop_x = self._random_population(rng, (1, self.population_size, self.n_genes))
        pop_cost = evaluate(pop_x)
        order = np.argsort(pop_cost, axis=1, kind="stable")
        pop_x, pop_cost = np.take_along_axis(pop_x, order[:, :, None], axis=1), np.take_along_axis(pop_cost, order, 1)
        history = [self._summary(0, pop_cost, len(records))]
        for gen in range(1, generations + 1):
            state["generation"] = gen
            pop_x, pop_cost = self._generation(pop_x, pop_cost, evaluate, rng)
            history.append(self._summary(gen, pop_cost, len(records)))
            logger.debug("GA generation %d: best %s", gen, history[-1]["best_fitness"])
        best_cost = float(pop_cost[0, 0])
        best_fitness = -best_cost if self.maximize else best_cost
        return GAResult(
            best_x=pop_x[0, 0].copy(),
            best_fitness=best_fitness,
            history=pd.DataFrame(history),
            evaluated=pd.DataFrame(records, columns=["generation", "x", "fitness"]),
        )

    def _summary(self, gen: int, cost: np.ndarray, n_eval: int) -> dict:
        sign = -1.0 if self.maximize else 1.0
        finite = cost[np.isfinite(cost)]
        mean = float(sign * finite.mean()) if finite.size else float("nan")
        return {
            "generation": gen,
            "best_fitness": float(sign * cost[0, 0]),
            "mean_fitness": mean,
            "evaluations": n_eval,
        }

    def run_batch(self, fitness, generations: int, repetitions: int, *, checkpoints=None) -> GABatchResult:
        """Run ``repetitions`` independent GAs at once, vectorised with numpy.

        Parameters
        ----------
        fitness : numpy.ndarray or callable
            Either a table with one axis per gene, indexed by the (integer) genes relative to
            ``bounds_low`` (``table[x - bounds_low]``), or a callable mapping an array
            ``(repetitions, population, genes)`` to fitness ``(repetitions, population)``.
        generations : int
            Generations after the initial population.
        repetitions : int
            Number of independent runs.
        checkpoints : sequence of int, optional
            Generations (``<= generations``) at which to record each run's champion; default
            ``[generations]``. Recording several checkpoints of one run gives, per checkpoint,
            exactly the distribution of runs stopped there.

        Returns
        -------
        GABatchResult

        Examples
        --------
        >>> ga = GeneticAlgorithm([0, 0], [9, 9], seed=0)
        >>> table = np.add.outer(np.arange(10.0), np.arange(10.0))
        >>> res = ga.run_batch(table, generations=100, repetitions=3, checkpoints=[1, 100])
        >>> res.best_fitness.shape, res.best_fitness[-1].tolist()
        ((2, 3), [0.0, 0.0, 0.0])
        """
        func = "GeneticAlgorithm.run_batch"
        generations = check_nonnegative_int(generations, "generations", func)
        repetitions = check_positive_int(repetitions, "repetitions", func)
        points = sorted({generations} if checkpoints is None else {int(c) for c in checkpoints})
        if not points or points[0] < 0 or points[-1] > generations:
            raise parameter_error("checkpoints", func, f"generations between 0 and {generations}", checkpoints)
        evaluate = self._batch_evaluator(fitness, func)
        rng = as_generator(self.seed)
        pop_x = self._random_population(rng, (repetitions, self.population_size, self.n_genes))
        pop_cost = evaluate(pop_x)
        order = np.argsort(pop_cost, axis=1, kind="stable")
        pop_x, pop_cost = np.take_along_axis(pop_x, order[:, :, None], axis=1), np.take_along_axis(pop_cost, order, 1)
        best_x = np.empty((len(points), repetitions, self.n_genes), dtype=pop_x.dtype)
        best_c = np.empty((len(points), repetitions))
        wanted = {g: i for i, g in enumerate(points)}
        for gen in range(0, generations + 1):
            if gen > 0:
                pop_x, pop_cost = self._generation(pop_x, pop_cost, evaluate, rng)
            if gen in wanted:
                best_x[wanted[gen]] = pop_x[:, 0]
                best_c[wanted[gen]] = pop_cost[:, 0]
        best_f = -best_c if self.maximize else best_c
        settings = {
            "population_size": self.population_size,
            "crossover_prob": self.crossover_prob,
            "mutation_prob": self.mutation_prob,
            "tournament_size": self.tournament_size,
            "crossover": self.crossover,
            "integer": self.integer,
            "repetitions": repetitions,
            "generations": generations,
        }
        return GABatchResult(checkpoints=tuple(points), best_x=best_x, best_fitness=best_f, settings=settings)

    def _batch_evaluator(self, fitness, func: str):
        if callable(fitness):

            def call(x: np.ndarray) -> np.ndarray:
                values = np.asarray(fitness(x), dtype=float)
                if values.shape != x.shape[:2]:
                    raise parameter_error("fitness", func, f"a callable returning shape {x.shape[:2]}", values.shape)
                return self._cost(values)

            return call
        table = np.asarray(fitness, dtype=float)
        if not self.integer:
            raise parameter_error("fitness", func, "a callable when the genes are real (integer=False)", "a table")
        span = (self.bounds_high - self.bounds_low).astype(np.int64) + 1
        if table.shape != tuple(span):
            raise parameter_error("fitness", func, f"a table of shape {tuple(span)} (one axis per gene)", table.shape)
        flat = self._cost(table.ravel())
        low = self.bounds_low.astype(np.int64)
        strides = [int(np.prod(span[i + 1 :])) for i in range(span.size)]

        def lookup(x: np.ndarray) -> np.ndarray:
            index = (x[..., 0] - low[0]) * strides[0]
            for i in range(1, len(strides)):
                index += (x[..., i] - low[i]) * strides[i]
            return flat[index]

        return lookup
