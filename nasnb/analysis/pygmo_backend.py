"""pygmo's ``sga`` as a second GA backend for the Monte-Carlo proxy studies (optional).

The thesis ran its Monte-Carlo studies with pygmo; this backend runs the same study one GA
at a time with ``pygmo.sga`` (its default exponential crossover, polynomial mutation -- i.e.
uniform redraw for integer genes -- tournament selection and pure elitism) on a problem
whose integer decision vector indexes the grid. The champion is recorded after each
generation budget by evolving the same population further (``sga`` keeps no state between
generations other than its random engine, so this equals runs stopped at each budget).

Examples
--------
>>> import numpy as np
>>> grid = np.add.outer(np.arange(10.0), np.arange(10.0))
>>> idx = run_sga_grid([grid], 10, 2, [10, 50], 2, {"population_size": 10, "crossover_prob": 0.9,
...                    "mutation_prob": 0.1, "tournament_size": 2}, np.random.SeedSequence(0))
>>> idx.shape
(2, 1, 2)
"""

from __future__ import annotations

import logging

import numpy as np

from nasnb._optional import require

__all__ = ["run_sga_grid"]

logger = logging.getLogger(__name__)


class _GridProblem:
    """pygmo user-defined problem: minimise a table value addressed by integer grid indices."""

    def __init__(self, values: np.ndarray, resolution: int, dims: int) -> None:
        self.values = values.ravel().tolist()
        self.resolution = resolution
        self.dims = dims
        self.strides = [resolution ** (dims - 1 - i) for i in range(dims)]

    def fitness(self, x):
        index = 0
        for gene, stride in zip(x, self.strides):
            index += int(gene) * stride
        return [self.values[index]]

    def get_bounds(self):
        return ([0.0] * self.dims, [float(self.resolution - 1)] * self.dims)

    def get_nix(self):
        return self.dims

    def get_name(self):
        return "nasnb grid lookup"


def run_sga_grid(spaces, resolution: int, dims: int, generations, repetitions: int, ga_settings: dict,
                 seed) -> np.ndarray:
    """Run pygmo ``sga`` on each grid; return flat champion indices (len(generations), len(spaces), repetitions).

    Parameters
    ----------
    spaces : list of numpy.ndarray
        Grids to minimise (one axis per dimension).
    resolution, dims : int
    generations : sorted sequence of int
        Budgets at which the champion is read.
    repetitions : int
    ga_settings : dict
        population_size, crossover_prob, mutation_prob, tournament_size.
    seed : numpy.random.SeedSequence
        Source of the pygmo seeds (one per run and budget step).
    """
    pg = require("pygmo", extra="pygmo", purpose="run the Monte-Carlo study with pygmo's GA")
    gens = list(generations)
    steps = np.diff([0] + gens)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=(len(spaces), repetitions, len(gens) + 1))
    strides = np.array([resolution ** (dims - 1 - i) for i in range(dims)], dtype=np.int64)
    out = np.empty((len(gens), len(spaces), repetitions), dtype=np.int64)
    for si, values in enumerate(spaces):
        problem = pg.problem(_GridProblem(np.asarray(values, dtype=float), resolution, dims))
        for r in range(repetitions):
            pop = pg.population(problem, size=ga_settings["population_size"], seed=int(seeds[si, r, 0]))
            for gi, step in enumerate(steps):
                algo = pg.algorithm(pg.sga(
                    gen=int(step), cr=ga_settings["crossover_prob"], m=ga_settings["mutation_prob"],
                    param_s=ga_settings["tournament_size"], crossover="exponential", mutation="polynomial",
                    selection="tournament", seed=int(seeds[si, r, gi + 1]),
                ))
                pop = algo.evolve(pop)
                out[gi, si, r] = int(np.round(pop.champion_x).astype(np.int64) @ strides)
    logger.debug("pygmo sga: %d spaces x %d runs done", len(spaces), repetitions)
    return out
