"""Monte-Carlo proxy studies of the thesis (chapters 4 and 5) on a gridded Rastrigin function.

A proxy evaluation (few epochs, another optimizer) ranks architectures like the full
evaluation up to a Kendall tau. The thesis models this with a *perturbed* copy of a known
function whose tau to the original is fixed, lets a GA search the perturbed values, and scores
the point the GA returns on the *original* function ("top %", smaller is better).

The thesis leaves several choices open, and they change the numbers by up to 50x. Each is a
keyword-only option of :func:`proxy_study`, recorded in the result's settings; a **reading**
is a named set of them (:data:`READINGS`):

* ``score`` -- ``"rank"``: fraction of grid points strictly better on the original (the
  definition in the thesis' text); ``"value"``: normalised function value
  ``(f(x) - f*) / (max f - f*)`` with ``f* = 0`` the true minimum of Rastrigin (a grid that
  misses ``x = 0`` cannot reach 0); ``"value_grid"``: the same normalised by the grid's own
  minimum and maximum.
* ``resolution`` -- points per axis (``numpy.linspace(-5.12, 5.12, n)``); an odd ``n``
  contains the optimum ``x = 0``.
* ``noise`` -- ``"gaussian"`` or ``"uniform"`` noise, scaled until Kendall's tau-b to the
  original hits the target (:func:`nasnb.analysis.landscape.perturb_grid`).
* ``genes`` -- ``"integer"`` grid indices, or ``"real"`` coordinates (pygmo's continuous
  operators) read at the nearest grid point.
* ``champion`` -- the point scored: ``"proxy"`` the GA's champion (best by the values it
  searched), ``"population"`` the best of its final population on the original,
  ``"evaluated"`` the best on the original of everything it evaluated.

The GA is :class:`nasnb.strategies.genetic.GeneticAlgorithm`, pygmo ``sga``'s operators with
its defaults (exponential crossover, per-gene mutation -- uniform redraw for integer genes,
polynomial for real ones --, tournament of 2, pure elitism), population 10, crossover 0.9,
mutation 0.02, vectorised over all runs; ``backend="pygmo"`` runs ``pygmo.sga`` itself.
Scores for G = 10, 100, 1000 are read from the same runs at those generations. The grids are
evaluated on demand (:class:`~nasnb.analysis.landscape.RastriginGrid`), so 100 points per
axis in 4-D (10^8 points) costs no memory. :mod:`nasnb.analysis.reconcile` compares the
readings with the published tables.

Examples
--------
>>> study = proxy_study(dims=[2], taus=[0.85], generations=[10, 100], repetitions=20, seed=0)
>>> study.table.shape
(2, 4)
>>> study.settings["reading"], study.settings["score"]
('thesis', 'value')
>>> text = proxy_study([2], [0.85], [10], 20, reading="text", seed=0)
>>> text.settings["score"], text.settings["noise"]
('rank', 'gaussian')
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.analysis.landscape import (
    NOISES,
    RastriginGrid,
    _check_tau,
    _hashed_noise,
    _resolution,
    perturb_grid,
)

__all__ = [
    "SCORES",
    "GENES",
    "CHAMPIONS",
    "Reading",
    "READINGS",
    "ProxyStudy",
    "proxy_study",
    "chapter4_table",
    "chapter5_table",
]

logger = logging.getLogger(__name__)

_GA_DEFAULTS = {"population_size": 10, "crossover_prob": 0.9, "mutation_prob": 0.02, "tournament_size": 2}

SCORES = ("rank", "value", "value_grid")
"""How a point is scored on the original function (see the module docstring)."""
GENES = ("integer", "real")
"""GA encodings: grid indices, or real coordinates read at the nearest grid point."""
CHAMPIONS = ("proxy", "population", "evaluated")
"""Which point of a run is scored (see the module docstring)."""


@dataclass(frozen=True)
class Reading:
    """A named reading of the thesis' Monte-Carlo protocol.

    Attributes
    ----------
    name : str
    score : {"rank", "value", "value_grid"}
    noise : {"gaussian", "uniform"}
    resolution : int, dict {dims: int} or None
        None: :data:`nasnb.analysis.landscape.DEFAULT_RESOLUTION`.
    genes : {"integer", "real"}
    champion : {"proxy", "population", "evaluated"}
    description : str
    """

    name: str
    score: str
    noise: str
    resolution: int | dict | None
    genes: str = "integer"
    champion: str = "proxy"
    description: str = ""

    def options(self) -> dict:
        """The keyword options of :func:`proxy_study` this reading sets."""
        out = asdict(self)
        out.pop("name")
        out.pop("description")
        return out


READINGS = {
    "text": Reading(
        "text",
        "rank",
        "gaussian",
        None,
        description="the thesis' text taken literally: top % = fraction of grid points strictly better on "
        "the original; Gaussian noise; grids of 100^2, 50^3, 20^4 points (nasnb's blind first pass)",
    ),
    "text-100": Reading(
        "text-100", "rank", "gaussian", 100, description="as 'text' on 100 points per axis in every dimension"
    ),
    "value-gaussian": Reading(
        "value-gaussian",
        "value",
        "gaussian",
        100,
        description="top % = normalised function value f(x) / max f (Rastrigin's minimum is 0); Gaussian "
        "noise; 100 points per axis",
    ),
    "thesis": Reading(
        "thesis",
        "value",
        "uniform",
        100,
        description="the reading that reproduces the published tables best (see nasnb.analysis.reconcile): "
        "normalised function value f(x) / max f, uniform noise, 100 points per axis "
        "(chapter 5's table is closer still with 101 points, which contain the optimum)",
    ),
    "thesis-101": Reading(
        "thesis-101",
        "value",
        "uniform",
        101,
        description="as 'thesis' on 101 points per axis (the grid contains the optimum x = 0)",
    ),
    "thesis-real": Reading(
        "thesis-real",
        "value",
        "uniform",
        100,
        genes="real",
        description="as 'thesis' with real-coded genes (pygmo's continuous operators) read at the nearest grid point",
    ),
    "thesis-population": Reading(
        "thesis-population",
        "value",
        "uniform",
        100,
        champion="population",
        description="as 'thesis', scoring the best of the final population on the original",
    ),
    "thesis-evaluated": Reading(
        "thesis-evaluated",
        "value",
        "uniform",
        100,
        champion="evaluated",
        description="as 'thesis', scoring the best on the original of every point the GA evaluated",
    ),
    "value-grid": Reading(
        "value-grid",
        "value_grid",
        "uniform",
        100,
        description="normalised by the grid's own minimum and maximum; uniform noise; 100 points per axis",
    ),
}
"""Named readings of the protocol; ``"thesis"`` is the best match to Tables 4.3 and 5.4."""

DEFAULT_READING = "thesis"


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
        Everything needed to rerun the study, the reading included (also in
        ``table.attrs["settings"]``).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    scores: pd.DataFrame
    settings: dict = field(default_factory=dict)


def _label(tau: float) -> str:
    return "original" if tau == 1.0 else f"tau={tau:g}"


def resolve_reading(func: str, reading=None, **overrides) -> tuple[str, dict]:
    """Merge a named reading (default :data:`DEFAULT_READING`) with explicit options; validate.

    Returns ``(name, options)``; the name gets a ``+`` suffix when options override it.
    """
    name = DEFAULT_READING if reading is None else reading
    if isinstance(name, Reading):
        base = name
    else:
        check_choice(name, tuple(READINGS), "reading", func)
        base = READINGS[name]
    options = base.options()
    changed = {k: v for k, v in overrides.items() if v is not None and v != options[k]}
    options.update(changed)
    check_choice(options["score"], SCORES, "score", func)
    check_choice(options["noise"], NOISES, "noise", func)
    check_choice(options["genes"], GENES, "genes", func)
    check_choice(options["champion"], CHAMPIONS, "champion", func)
    res = options["resolution"]
    if isinstance(res, dict):
        options["resolution"] = {
            check_positive_int(k, "resolution", func): _resolution(k, v, func) for k, v in res.items()
        }
    elif res is not None:
        _resolution(2, res, func)
    label = base.name + ("+" + ",".join(f"{k}={v}" for k, v in sorted(changed.items())) if changed else "")
    return label, options


def _grid_for(d: int, resolution) -> RastriginGrid:
    res = resolution.get(d) if isinstance(resolution, dict) else resolution
    return RastriginGrid(d, _resolution(d, res, "proxy_study"))


def score_points(grid: RastriginGrid, flat, score: str) -> np.ndarray:
    """Score flat grid indices on the original function (fraction; smaller is better).

    Examples
    --------
    >>> g = RastriginGrid(1, 5)   # x = -5.12, -2.56, 0, 2.56, 5.12
    >>> score_points(g, [2, 0], "rank").tolist(), score_points(g, [2], "value").tolist()
    ([0.0, 0.6], [0.0])
    """
    flat = np.asarray(flat, dtype=np.int64)
    if score == "rank":
        unique, inverse = np.unique(flat, return_inverse=True)
        return grid.fraction_below(grid.values(unique))[inverse].reshape(flat.shape)
    values = grid.values(flat)
    if score == "value":
        return values / grid.max  # Rastrigin's true minimum is 0
    return (values - grid.min) / (grid.max - grid.min)


class _Tracker:
    """Batch fitness for the GA that also follows each run's final population and best point.

    The GA calls it once for the initial population and once per generation. With pure
    elitism the population after generation g is the ``population_size`` best (by searched
    value) of everything evaluated so far, so it is followed here without the GA's help.
    """

    def __init__(self, grid, spaces, repetitions, genes, pop_size, checkpoints):
        self.grid = grid
        self.scale = np.repeat([s.scale * grid.std for s in spaces], repetitions)[:, None]
        self.key = np.repeat(np.array([s.key for s in spaces], dtype=np.uint64), repetitions)[:, None]
        self.noise = spaces[0].noise if spaces else "gaussian"
        self.genes = genes
        self.step = (grid.high - grid.low) / (grid.resolution - 1)
        self.pop_size = pop_size
        self.wanted = {g: i for i, g in enumerate(checkpoints)}
        rows = len(spaces) * repetitions
        self.population = np.empty((len(checkpoints), rows), dtype=np.int64)
        self.evaluated = np.empty((len(checkpoints), rows), dtype=np.int64)
        self.calls = 0
        self.pool_v = np.empty((rows, 0))
        self.pool_i = np.empty((rows, 0), dtype=np.int64)
        self.best_true = np.full(rows, np.inf)
        self.best_i = np.zeros(rows, dtype=np.int64)

    def flat(self, x: np.ndarray) -> np.ndarray:
        if self.genes == "real":
            x = np.clip(np.rint((x - self.grid.low) / self.step), 0, self.grid.resolution - 1).astype(np.int64)
        return x @ self.grid.strides

    def __call__(self, x: np.ndarray) -> np.ndarray:
        flat = self.flat(x)
        true = self.grid.values(flat)
        searched = true + self.scale * _hashed_noise(flat, self.key, self.noise) if np.any(self.scale) else true
        # best on the original among everything evaluated
        j = np.argmin(true, axis=1)
        rows = np.arange(flat.shape[0])
        better = true[rows, j] < self.best_true
        self.best_true = np.where(better, true[rows, j], self.best_true)
        self.best_i = np.where(better, flat[rows, j], self.best_i)
        # the elitist population: best pop_size by searched value (children first on ties)
        pv = np.concatenate([searched, self.pool_v], axis=1)
        pi = np.concatenate([flat, self.pool_i], axis=1)
        keep = np.argsort(pv, axis=1, kind="stable")[:, : self.pop_size]
        self.pool_v = np.take_along_axis(pv, keep, 1)
        self.pool_i = np.take_along_axis(pi, keep, 1)
        if self.calls in self.wanted:
            k = self.wanted[self.calls]
            tv = self.grid.values(self.pool_i)
            self.population[k] = self.pool_i[rows, np.argmin(tv, axis=1)]
            self.evaluated[k] = self.best_i
        self.calls += 1
        return searched


def _simulate(grid, spaces, gens, repetitions, ga_settings, genes, backend, seed) -> dict:
    """Champion flat indices per kind, each of shape (len(gens), len(spaces), repetitions)."""
    if backend == "pygmo":
        from nasnb.analysis.pygmo_backend import run_sga_grid

        return run_sga_grid(grid, spaces, gens, repetitions, ga_settings, seed, genes=genes)
    # imported here: the strategies package (owned by the search code) stays out of `import nasnb.analysis`
    from nasnb.strategies.genetic import GeneticAlgorithm

    d = grid.dims
    if genes == "integer":
        low, high = [0] * d, [grid.resolution - 1] * d
    else:
        low, high = [grid.low] * d, [grid.high] * d
    tracker = _Tracker(grid, spaces, repetitions, genes, ga_settings["population_size"], gens)
    ga = GeneticAlgorithm(low, high, integer=genes == "integer", seed=np.random.default_rng(seed), **ga_settings)
    batch = ga.run_batch(tracker, max(gens), len(spaces) * repetitions, checkpoints=gens)
    shape = (len(gens), len(spaces), repetitions)
    proxy = tracker.flat(batch.best_x.reshape((-1,) + batch.best_x.shape[2:])[:, None, :])[:, 0]
    return {
        "proxy": proxy.reshape(shape),
        "population": tracker.population.reshape(shape),
        "evaluated": tracker.evaluated.reshape(shape),
    }


def proxy_study(
    dims: Sequence[int] = (3,),
    taus: Sequence[float] = (0.95, 0.85, 0.75),
    generations: Sequence[int] = (10, 100, 1000),
    repetitions: int = 100,
    *,
    reading: str | Reading | None = None,
    score: str | None = None,
    noise: str | None = None,
    resolution: int | dict | None = None,
    genes: str | None = None,
    champion: str | None = None,
    include_original: bool = True,
    backend: str = "nasnb",
    sample_size: int = 200_000,
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
    reading : str or Reading, default "thesis"
        A named set of the options below (:data:`READINGS`); explicit options override it.
    score : {"rank", "value", "value_grid"}, optional
    noise : {"gaussian", "uniform"}, optional
    resolution : int, dict {dims: int} or None
        Grid points per axis (None: the reading's).
    genes : {"integer", "real"}, optional
    champion : {"proxy", "population", "evaluated"}, optional
    include_original : bool, default True
        Also run on the unperturbed function.
    backend : {"nasnb", "pygmo"}
    sample_size : int, default 200000
        Grid points on which tau is calibrated (all points of smaller grids).
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
    name, options = resolve_reading(
        func, reading, score=score, noise=noise, resolution=resolution, genes=genes, champion=champion
    )
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
    runs = _run_all(
        dims, targets, gens, repetitions, options, include_original, backend, sample_size, seed, ga_settings
    )
    settings = {
        "function": "rastrigin",
        "domain": [-5.12, 5.12],
        "dims": dims,
        "taus": targets,
        "include_original": include_original,
        "generations": gens,
        "repetitions": repetitions,
        "reading": name,
        **options,
        "ga": ga_settings,
        "backend": backend,
        "seed": seed if isinstance(seed, (int, type(None))) else "generator",
        "perturbation": f"f + s*std(f)*z, z {options['noise']} (hashed per grid point), "
        f"|tau_b - target| <= 0.005 on <= {sample_size} points",
    }
    return _score_runs(
        runs, gens, repetitions, options, [_label(t) for t in _space_taus(targets, include_original)], settings, started
    )


def _score_runs(runs, gens, repetitions, options, order, settings, started) -> ProxyStudy:
    """Score the champions of :func:`_run_all` under one reading's score and champion."""
    rows, summaries, settings_dims = [], [], {}
    for d, (grid, spaces, champions) in runs.items():
        settings_dims[d] = _dims_settings(grid, spaces)
        for si, space in enumerate(spaces):
            for gi, g in enumerate(gens):
                top = 100.0 * score_points(grid, champions[options["champion"]][gi, si], options["score"])
                rows.append(
                    pd.DataFrame(
                        {
                            "dims": d,
                            "space": _label(space.target_tau),
                            "generations": g,
                            "repetition": np.arange(repetitions),
                            "top_pct": top,
                        }
                    )
                )
                summaries.append(_summary_row(d, space, g, top, repetitions))
    settings = {
        **settings,
        "score_definition": _SCORE_TEXT[options["score"]],
        "per_dims": settings_dims,
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    return _package(summaries, rows, order, settings)


_SCORE_TEXT = {
    "rank": "top % = 100 * fraction of grid points strictly better on the original",
    "value": "top % = 100 * f(x) / max f (normalised function value; Rastrigin's minimum is 0)",
    "value_grid": "top % = 100 * (f(x) - min f) / (max f - min f) over the grid",
}


def _space_taus(targets, include_original):
    return ([1.0] if include_original else []) + [t for t in targets if t != 1.0]


def _run_all(
    dims, targets, gens, repetitions, options, include_original, backend, sample_size, seed, ga_settings
) -> dict:
    """One GA batch per dimension; returns {d: (grid, spaces, champions by kind)}."""
    root = np.random.SeedSequence(as_generator(seed).integers(2**63))
    out = {}
    for d, child in zip(dims, root.spawn(len(dims))):
        noise_seed, ga_seed = child.spawn(2)
        grid = _grid_for(d, options["resolution"])
        noise_rng = np.random.default_rng(noise_seed)
        spaces = [
            perturb_grid(grid, t, noise=options["noise"], seed=noise_rng, sample_size=sample_size)
            for t in _space_taus(targets, include_original)
        ]
        out[d] = (
            grid,
            spaces,
            _simulate(grid, spaces, gens, repetitions, ga_settings, options["genes"], backend, ga_seed),
        )
    return out


def _dims_settings(grid, spaces) -> dict:
    return {
        "resolution": grid.resolution,
        "points": int(grid.size),
        "achieved_tau": {_label(s.target_tau): s.tau for s in spaces},
        "noise_scale": {_label(s.target_tau): s.scale for s in spaces},
        "tau_sample_size": {_label(s.target_tau): s.sample_size for s in spaces},
    }


def _summary_row(d, space, g, top, repetitions) -> dict:
    many = repetitions > 1
    return {
        "dims": d,
        "space": _label(space.target_tau),
        "target_tau": space.target_tau,
        "achieved_tau": space.tau,
        "generations": g,
        "mean_top_pct": float(top.mean()),
        "std_top_pct": float(top.std(ddof=1)) if many else float("nan"),
        "sem_top_pct": float(top.std(ddof=1) / np.sqrt(repetitions)) if many else float("nan"),
        "repetitions": repetitions,
    }


def _package(summaries, rows, order, settings) -> ProxyStudy:
    summary = pd.DataFrame(summaries)
    table = summary.pivot_table(
        index=["dims", "generations"], columns="space", values=["mean_top_pct", "std_top_pct"], sort=False
    )
    table = table.swaplevel(0, 1, axis=1).reindex(
        columns=pd.MultiIndex.from_product([order, ["mean_top_pct", "std_top_pct"]])
    )
    table.columns = table.columns.set_levels(["mean", "std"], level=1, verify_integrity=False).set_names(
        ["space", "top %"]
    )
    table.attrs["settings"] = settings
    summary.attrs["settings"] = settings
    logger.info("proxy_study (%s) finished in %.2f s", settings["reading"], settings["elapsed_s"])
    return ProxyStudy(table, summary, pd.concat(rows, ignore_index=True), settings)


def chapter4_table(
    *,
    repetitions: int = 1000,
    reading: str | Reading | None = None,
    resolution: int | None = None,
    backend: str = "nasnb",
    seed=0,
    **options,
) -> ProxyStudy:
    """The thesis' chapter 4 Monte-Carlo table (Table 4.3): 3-D Rastrigin, tau in
    {0.95, 0.85, 0.75} and the original, G in {10, 100, 1000}, 1,000 repetitions.

    ``reading`` and ``options`` (score, noise, genes, champion) are as in :func:`proxy_study`.

    Examples
    --------
    >>> t = chapter4_table(repetitions=5, resolution=20)
    >>> list(t.table.columns.get_level_values(0).unique())
    ['original', 'tau=0.95', 'tau=0.85', 'tau=0.75']
    """
    return proxy_study(
        [3],
        [0.95, 0.85, 0.75],
        [10, 100, 1000],
        repetitions,
        reading=reading,
        resolution=resolution,
        backend=backend,
        seed=seed,
        **options,
    )


def chapter5_table(
    *,
    repetitions: int = 100,
    reading: str | Reading | None = None,
    resolution: int | dict | None = None,
    backend: str = "nasnb",
    seed=0,
    **options,
) -> ProxyStudy:
    """The thesis' chapter 5 Monte-Carlo table (Table 5.4): Rastrigin in 2, 3 and 4-D, tau in
    {0.85, 0.75, 0.65} and the original, G in {10, 100, 1000}, 100 repetitions.

    The default reading is ``"thesis-101"`` (101 points per axis: the published 1000-generation
    "original" column, 0.002, needs a grid that contains the optimum).

    Examples
    --------
    >>> t = chapter5_table(repetitions=5, resolution=10)
    >>> t.table.index.tolist()[:2]
    [(2, 10), (2, 100)]
    """
    reading = "thesis-101" if reading is None else reading
    return proxy_study(
        [2, 3, 4],
        [0.85, 0.75, 0.65],
        [10, 100, 1000],
        repetitions,
        reading=reading,
        resolution=resolution,
        backend=backend,
        seed=seed,
        **options,
    )
