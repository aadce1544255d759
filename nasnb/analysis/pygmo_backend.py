"""pygmo's ``sga`` as a second GA backend for the Monte-Carlo proxy studies (optional).

The thesis ran its Monte-Carlo studies with pygmo; this backend runs the same study one GA
at a time with ``pygmo.sga`` and its defaults (exponential crossover, polynomial mutation --
a uniform redraw for integer genes --, tournament of 2, pure elitism) on a problem whose
decision vector addresses the grid: integer grid indices (``genes="integer"``) or real
coordinates read at the nearest grid point (``genes="real"``). The champion is recorded after
each generation budget by evolving the same population further (``sga`` keeps no state
between generations other than its random engine, so this equals runs stopped at each
budget). Besides pygmo's champion (``"proxy"``), the best of the final population and the
best of everything evaluated are scored on the original function.

Examples
--------
>>> from nasnb.analysis.landscape import RastriginGrid, perturb_grid
>>> grid = RastriginGrid(2, 10)
>>> out = run_sga_grid(grid, [perturb_grid(grid, 1.0)], [10, 50], 2, {"population_size": 10,
...                    "crossover_prob": 0.9, "mutation_prob": 0.1, "tournament_size": 2}, 0)
>>> sorted(out), out["proxy"].shape
(['evaluated', 'population', 'proxy'], (2, 1, 2))
"""

from __future__ import annotations

import logging

import numpy as np

from nasnb._optional import require

__all__ = ["run_sga_grid"]

logger = logging.getLogger(__name__)


class _GridProblem:
    """pygmo user-defined problem: minimise a (perturbed) grid value; remembers the best true value seen."""

    def __init__(self, space, genes: str) -> None:
        self.space = space
        self.grid = space.grid
        self.genes = genes
        self.step = (self.grid.high - self.grid.low) / (self.grid.resolution - 1)
        self.best_true = np.inf
        self.best_flat = -1

    def flat(self, x) -> int:
        x = np.asarray(x, dtype=float)
        if self.genes == "real":
            x = np.clip(np.rint((x - self.grid.low) / self.step), 0, self.grid.resolution - 1)
        return int(np.round(x).astype(np.int64) @ self.grid.strides)

    def fitness(self, x):
        flat = np.array([self.flat(x)])
        true = float(self.grid.values(flat)[0])
        if true < self.best_true:
            self.best_true, self.best_flat = true, int(flat[0])
        return [float(self.space.values(flat)[0])]

    def get_bounds(self):
        d = self.grid.dims
        if self.genes == "real":
            return ([self.grid.low] * d, [self.grid.high] * d)
        return ([0.0] * d, [float(self.grid.resolution - 1)] * d)

    def get_nix(self):
        return self.grid.dims if self.genes == "integer" else 0

    def get_name(self):
        return "nasnb grid lookup"


def run_sga_grid(
    grid, spaces, generations, repetitions: int, ga_settings: dict, seed, *, genes: str = "integer"
) -> dict:
    """Run pygmo ``sga`` on each space; return champion flat indices by kind.

    Parameters
    ----------
    grid : nasnb.analysis.landscape.RastriginGrid
    spaces : list of nasnb.analysis.landscape.PerturbedGrid
    generations : sorted sequence of int
        Budgets at which the champions are read.
    repetitions : int
    ga_settings : dict
        population_size, crossover_prob, mutation_prob, tournament_size.
    seed : int or numpy.random.SeedSequence
        Source of the pygmo seeds (one per run and budget step).
    genes : {"integer", "real"}

    Returns
    -------
    dict
        ``{"proxy", "population", "evaluated"}`` -> int array (len(generations), len(spaces), repetitions).
    """
    pg = require("pygmo", extra="pygmo", purpose="run the Monte-Carlo study with pygmo's GA")
    gens = list(generations)
    steps = np.diff([0] + gens)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=(len(spaces), repetitions, len(gens) + 1))
    shape = (len(gens), len(spaces), repetitions)
    out = {k: np.empty(shape, dtype=np.int64) for k in ("proxy", "population", "evaluated")}
    for si, space in enumerate(spaces):
        for r in range(repetitions):
            problem = pg.problem(_GridProblem(space, genes))
            pop = pg.population(problem, size=ga_settings["population_size"], seed=int(seeds[si, r, 0]))
            for gi, step in enumerate(steps):
                algo = pg.algorithm(
                    pg.sga(
                        gen=int(step),
                        cr=ga_settings["crossover_prob"],
                        m=ga_settings["mutation_prob"],
                        param_s=ga_settings["tournament_size"],
                        crossover="exponential",
                        mutation="polynomial",
                        selection="tournament",
                        seed=int(seeds[si, r, gi + 1]),
                    )
                )
                pop = algo.evolve(pop)
                udp = pop.problem.extract(_GridProblem)
                flats = np.array([udp.flat(x) for x in pop.get_x()])
                out["proxy"][gi, si, r] = udp.flat(pop.champion_x)
                out["population"][gi, si, r] = flats[np.argmin(grid.values(flats))]
                out["evaluated"][gi, si, r] = udp.best_flat
    logger.debug("pygmo sga: %d spaces x %d runs done", len(spaces), repetitions)
    return out
