"""Monte-Carlo proxy studies of the thesis (chapters 4 and 5) on a gridded Rastrigin function.

A proxy evaluation (few epochs, another optimizer) ranks architectures like the full
evaluation up to a Kendall tau. The thesis models this with a *perturbed* copy of a known
function whose tau to the original is fixed, lets a GA search the perturbed values, and scores
the best point found on the *original* function by the fraction of grid points that are
strictly better ("top %", smaller is better).

Choices where the thesis is silent (documented so that results can be compared):

* **grid and perturbation** -- see :mod:`nasnb.analysis.landscape` (Rastrigin on
  ``[-5.12, 5.12]^d``, 100 x 100 in 2-D; seeded Gaussian noise scaled until the Kendall tau
  to the original is within 0.005 of the target).
* **GA** -- :class:`nasnb.strategies.genetic.GeneticAlgorithm` over the integer grid
  indices with pygmo ``sga`` operators (population 10, crossover 0.9, mutation 0.02,
  tournament of 2, pure elitism). The champion is the best point by *perturbed* value.
  Scores for G = 10, 100, 1000 are read from the same runs at those generations.
* **backend** -- ``"nasnb"`` (vectorised, default) or ``"pygmo"`` (``pygmo.sga``, one run at
  a time; :mod:`nasnb.analysis.pygmo_backend`).

Examples
--------
>>> study = proxy_study(dims=[2], taus=[0.85], generations=[10, 100], repetitions=20, seed=0)
>>> study.table.shape
(2, 4)
>>> bool((study.summary["mean_top_pct"] >= 0).all())
True
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.analysis.landscape import (
    PerturbedSpace,
    _better_fraction,
    _check_tau,
    _resolution,
    perturb_to_tau,
    rastrigin_grid,
)

__all__ = [
    "ProxyStudy",
    "proxy_study",
    "chapter4_table",
    "chapter5_table",
]

logger = logging.getLogger(__name__)

_GA_DEFAULTS = {"population_size": 10, "crossover_prob": 0.9, "mutation_prob": 0.02, "tournament_size": 2}


@dataclass(frozen=True)
class ProxyStudy:
    """Result of :func:`proxy_study` (and the chapter tables).

    Attributes
    ----------
    table : pandas.DataFrame
        Display table: rows (dims, generations), columns (space, mean / std) of "top %"
        in percent. Spaces: ``"original"`` and ``"tau=0.85"`` etc.
    summary : pandas.DataFrame
        Long form: dims, space, target_tau, achieved_tau, generations, mean_top_pct,
        std_top_pct, sem_top_pct, repetitions.
    scores : pandas.DataFrame
        Every run: dims, space, generations, repetition, top_pct.
    settings : dict
        Everything needed to rerun the study (also in ``table.attrs["settings"]``).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    scores: pd.DataFrame
    settings: dict = field(default_factory=dict)


def _label(tau: float) -> str:
    return "original" if tau == 1.0 else f"tau={tau:g}"


def proxy_study(
    dims: Sequence[int] = (3,),
    taus: Sequence[float] = (0.95, 0.85, 0.75),
    generations: Sequence[int] = (10, 100, 1000),
    repetitions: int = 100,
    *,
    resolution: int | dict | None = None,
    include_original: bool = True,
    backend: str = "nasnb",
    seed=0,
    **ga_options,
) -> ProxyStudy:
    """Run the GA on perturbed Rastrigin grids and score the champions on the original.

    Parameters
    ----------
    dims : sequence of int
        Dimensions of the Rastrigin function.
    taus : sequence of float in (0, 1]
        Target Kendall tau of each perturbed space.
    generations : sequence of int
        Generation budgets G (checkpoints of the same runs).
    repetitions : int
        GA runs per (dims, space).
    resolution : int, dict {dims: int} or None
        Grid points per axis; default :data:`DEFAULT_RESOLUTION`.
    include_original : bool, default True
        Also run on the unperturbed function.
    backend : {"nasnb", "pygmo"}
    seed : int, Generator or None
    **ga_options
        Overrides of population_size, crossover_prob, mutation_prob, tournament_size.

    Returns
    -------
    ProxyStudy

    Examples
    --------
    >>> s = proxy_study([2], [0.75], [10, 200], repetitions=30, seed=1)
    >>> m = s.summary.set_index(["space", "generations"])["mean_top_pct"]
    >>> bool(m["original", 200] <= m["original", 10])
    True
    """
    func = "proxy_study"
    started = time.perf_counter()
    dims = [check_positive_int(d, "dims", func) for d in dims]
    targets = [_check_tau(t, func) for t in taus]
    gens = sorted({check_positive_int(g, "generations", func) for g in generations})
    repetitions = check_positive_int(repetitions, "repetitions", func)
    backend = check_choice(backend, ("nasnb", "pygmo"), "backend", func)
    unknown = set(ga_options) - set(_GA_DEFAULTS)
    if unknown:
        raise parameter_error("ga_options", func, f"keys among {sorted(_GA_DEFAULTS)}", sorted(unknown))
    ga_settings = {**_GA_DEFAULTS, **ga_options}
    if not dims or not gens or not (targets or include_original):
        raise parameter_error("dims", func, "non-empty dims, generations and spaces", (dims, gens, targets))
    space_taus = ([1.0] if include_original else []) + [t for t in targets if t != 1.0]
    root = np.random.SeedSequence(as_generator(seed).integers(2**63))
    rows, summaries, settings_dims = [], [], {}
    for d, child in zip(dims, root.spawn(len(dims))):
        res = _resolution(d, resolution.get(d) if isinstance(resolution, dict) else resolution, func)
        noise_seed, ga_seed = child.spawn(2)
        grid = rastrigin_grid(d, res)
        spaces = [perturb_to_tau(grid, t, seed=np.random.default_rng(noise_seed)) if t != 1.0
                  else PerturbedSpace(grid, 1.0, 1.0, 0.0) for t in space_taus]
        better = _better_fraction(grid)
        champions = _run_ga(backend, [s.values for s in spaces], res, d, gens, repetitions, ga_settings, ga_seed)
        settings_dims[d] = {
            "resolution": res, "points": int(grid.size),
            "achieved_tau": {_label(s.target_tau): s.tau for s in spaces},
            "noise_scale": {_label(s.target_tau): s.noise_scale for s in spaces},
        }
        for si, space in enumerate(spaces):
            for gi, g in enumerate(gens):
                top = 100.0 * better[champions[gi, si]]
                rows.append(pd.DataFrame({"dims": d, "space": _label(space.target_tau), "generations": g,
                                          "repetition": np.arange(repetitions), "top_pct": top}))
                summaries.append({
                    "dims": d, "space": _label(space.target_tau), "target_tau": space.target_tau,
                    "achieved_tau": space.tau, "generations": g, "mean_top_pct": float(top.mean()),
                    "std_top_pct": float(top.std(ddof=1)) if repetitions > 1 else float("nan"),
                    "sem_top_pct": float(top.std(ddof=1) / np.sqrt(repetitions)) if repetitions > 1 else float("nan"),
                    "repetitions": repetitions,
                })
    summary = pd.DataFrame(summaries)
    table = summary.pivot_table(index=["dims", "generations"], columns="space",
                                values=["mean_top_pct", "std_top_pct"], sort=False)
    order = [_label(t) for t in space_taus]
    table = table.swaplevel(0, 1, axis=1).reindex(
        columns=pd.MultiIndex.from_product([order, ["mean_top_pct", "std_top_pct"]]))
    table.columns = table.columns.set_levels(["mean", "std"], level=1, verify_integrity=False).set_names(
        ["space", "top %"])
    settings = {
        "function": "rastrigin", "domain": [-5.12, 5.12], "dims": dims, "taus": targets,
        "include_original": include_original, "generations": gens, "repetitions": repetitions,
        "ga": ga_settings, "backend": backend, "seed": seed if isinstance(seed, (int, type(None))) else "generator",
        "perturbation": "f + s*std(f)*z, z ~ N(0,1) seeded, |tau - target| <= 0.005",
        "score": "top % = 100 * fraction of grid points strictly better on the original",
        "per_dims": settings_dims, "elapsed_s": round(time.perf_counter() - started, 3),
    }
    table.attrs["settings"] = settings
    summary.attrs["settings"] = settings
    logger.info("proxy_study finished in %.2f s", settings["elapsed_s"])
    return ProxyStudy(table, summary, pd.concat(rows, ignore_index=True), settings)


def _run_ga(backend, spaces, res, d, gens, repetitions, ga_settings, seed) -> np.ndarray:
    """Flat champion indices, shape (len(gens), len(spaces), repetitions)."""
    if backend == "pygmo":
        from nasnb.analysis.pygmo_backend import run_sga_grid

        return run_sga_grid(spaces, res, d, gens, repetitions, ga_settings, seed)
    # imported here: the strategies package (owned by the search code) stays out of `import nasnb.analysis`
    from nasnb.strategies.genetic import GeneticAlgorithm

    n_spaces = len(spaces)
    stacked = np.concatenate([s.ravel() for s in spaces])
    offsets = (np.repeat(np.arange(n_spaces), repetitions) * res**d)[:, None]
    strides = [res ** (d - 1 - i) for i in range(d)]

    def fitness(x: np.ndarray) -> np.ndarray:
        index = offsets + x[..., 0] * strides[0]
        for i in range(1, d):
            index = index + x[..., i] * strides[i]
        return stacked[index]

    ga = GeneticAlgorithm([0] * d, [res - 1] * d, integer=True, seed=np.random.default_rng(seed), **ga_settings)
    batch = ga.run_batch(fitness, max(gens), n_spaces * repetitions, checkpoints=gens)
    flat = np.zeros(batch.best_x.shape[:2], dtype=np.int64)
    for i in range(d):
        flat += batch.best_x[..., i] * strides[i]
    return flat.reshape(len(gens), n_spaces, repetitions)


def chapter4_table(*, repetitions: int = 1000, resolution: int | None = None, backend: str = "nasnb",
                   seed=0) -> ProxyStudy:
    """The thesis' chapter 4 Monte-Carlo table: 3-D Rastrigin, tau in {0.95, 0.85, 0.75} and
    the original, G in {10, 100, 1000}, 1,000 repetitions (mean and std of top %).

    Examples
    --------
    >>> t = chapter4_table(repetitions=5, resolution=20)
    >>> list(t.table.columns.get_level_values(0).unique())
    ['original', 'tau=0.95', 'tau=0.85', 'tau=0.75']
    """
    return proxy_study([3], [0.95, 0.85, 0.75], [10, 100, 1000], repetitions,
                       resolution=resolution, backend=backend, seed=seed)


def chapter5_table(*, repetitions: int = 100, resolution: int | dict | None = None, backend: str = "nasnb",
                   seed=0) -> ProxyStudy:
    """The thesis' chapter 5 Monte-Carlo table: Rastrigin in 2, 3 and 4-D, tau in
    {0.85, 0.75, 0.65} and the original, G in {10, 100, 1000}, 100 repetitions.

    Examples
    --------
    >>> t = chapter5_table(repetitions=5, resolution=10)
    >>> t.table.index.tolist()[:2]
    [(2, 10), (2, 100)]
    """
    return proxy_study([2, 3, 4], [0.85, 0.75, 0.65], [10, 100, 1000], repetitions,
                       resolution=resolution, backend=backend, seed=seed)
