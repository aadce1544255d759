"""Budget planner: spend a search budget on more generations with a proxy, or fewer with full evaluation?

The thesis' lesson (chapters 4-5): with a proxy whose ranking agrees with the full
evaluation up to Kendall tau, more search generations on the cheap proxy usually beat fewer
generations on the expensive evaluation. :func:`plan_budget` turns that into a decision for a
measured tau and cost ratio by simulating both options with the Monte-Carlo proxy study
(:func:`nasnb.analysis.montecarlo.proxy_study`) and comparing the mean "top %" of the
champions, with its Monte-Carlo error.

The answer depends on how "top %" is read (:mod:`nasnb.analysis.reconcile`): the planner
decides with ``reading`` (default ``"thesis"``, the reading that reproduces the published
tables) and also simulates each of ``compare_readings`` (default the text's literal
definition, ``"text"``); :attr:`BudgetPlan.readings` holds every answer and ``print(plan)``
says when they disagree.

Examples
--------
>>> plan = plan_budget(0.85, 0.1, budget=10, dims=2, repetitions=60, seed=0)
>>> plan.full_generations, plan.proxy_generations, plan.reading
(10, 100, 'thesis')
>>> plan.recommendation in ("proxy", "full", "either")
True
>>> plan.readings.index.tolist()
['thesis', 'text']
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pandas as pd

from nasnb._validation import check_positive_int, parameter_error
from nasnb.analysis.montecarlo import ProxyStudy, _check_tau, _label, proxy_study, resolve_reading

__all__ = ["BudgetPlan", "plan_budget"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BudgetPlan:
    """The planner's answer and the simulation behind it.

    Attributes
    ----------
    recommendation : {"proxy", "full", "either"}
        "either" when the two options differ by less than ``z`` Monte-Carlo standard errors.
    full_generations, proxy_generations : int
        Generations the budget buys with each kind of evaluation.
    options : pandas.DataFrame
        One row per option: option, space, generations, mean_top_pct, std_top_pct, sem_top_pct.
    difference : float
        mean top % (full) - mean top % (proxy); positive favours the proxy.
    difference_se : float
        Its standard error.
    study : ProxyStudy
        The full simulation (scores of every run, settings).
    reading : str
        The reading the recommendation uses.
    readings : pandas.DataFrame
        One row per simulated reading (index): recommendation, full_mean_top_pct,
        proxy_mean_top_pct, difference, difference_se.
    """

    recommendation: str
    full_generations: int
    proxy_generations: int
    options: pd.DataFrame
    difference: float
    difference_se: float
    study: ProxyStudy
    reading: str = "thesis"
    readings: pd.DataFrame | None = None

    @property
    def readings_agree(self) -> bool:
        """True when every simulated reading gives the same recommendation."""
        return self.readings is None or self.readings.recommendation.nunique() == 1

    def __str__(self) -> str:
        rows = self.options.set_index("option")
        full, proxy = rows.loc["full"], rows.loc["proxy"]
        verdict = {
            "proxy": "spend the budget on more generations with the proxy",
            "full": "spend the budget on fewer generations with full evaluation",
            "either": "both options are equal within the Monte-Carlo error",
        }[self.recommendation]
        others = ""
        if self.readings is not None and len(self.readings) > 1:
            lines = [f"  reading {name!r}: {row.recommendation} (difference {row.difference:.3f} "
                     f"+/- {row.difference_se:.3f})" for name, row in self.readings.iterrows()]
            head = ("  the readings agree" if self.readings_agree
                    else "  the readings DISAGREE -- the answer depends on how 'top %' is read")
            others = "\n" + head + ":\n" + "\n".join(lines)
        return (
            f"Budget plan (reading {self.reading!r}): {verdict}.\n"
            f"  full evaluation: {self.full_generations} generations -> top {full.mean_top_pct:.3f} % "
            f"(+/- {full.sem_top_pct:.3f})\n"
            f"  proxy:           {self.proxy_generations} generations -> top {proxy.mean_top_pct:.3f} % "
            f"(+/- {proxy.sem_top_pct:.3f})\n"
            f"  difference {self.difference:.3f} +/- {self.difference_se:.3f} (top % points; > 0 favours the proxy)"
            + others
        )


def plan_budget(
    proxy_tau: float,
    cost_ratio: float,
    *,
    budget: int = 100,
    dims: int = 3,
    resolution: int | None = None,
    repetitions: int = 200,
    z: float = 2.0,
    max_generations: int = 20_000,
    reading: str = "thesis",
    compare_readings=("text",),
    seed=0,
    **ga_options,
) -> BudgetPlan:
    """Decide between more generations on a proxy and fewer on the full evaluation.

    Parameters
    ----------
    proxy_tau : float in (0, 1]
        Measured Kendall tau between proxy and full evaluation (e.g. from
        :func:`nasnb.analysis.bootstrap_tau`).
    cost_ratio : float in (0, 1]
        Cost of one proxy evaluation / cost of one full evaluation (e.g. 10 / 50 epochs = 0.2).
    budget : int, default 100
        The budget in generations of full evaluation; the proxy buys
        ``floor(budget / cost_ratio)`` generations for the same cost.
    dims : int, default 3
        Dimension of the simulated space (Rastrigin grid; the thesis used 2-4).
    resolution : int, optional
        Grid points per axis (see :data:`nasnb.analysis.montecarlo.DEFAULT_RESOLUTION`).
    repetitions : int, default 200
        GA runs per option.
    z : float, default 2.0
        Number of standard errors a difference must exceed to be called.
    max_generations : int, default 20000
        Refuse cost ratios that would need longer simulations.
    reading : str, default "thesis"
        The reading (:data:`nasnb.analysis.montecarlo.READINGS`) the recommendation uses.
    compare_readings : sequence of str, default ("text",)
        Other readings simulated alongside; their answers are in ``plan.readings``.
    seed : int, Generator or None
    **ga_options
        GA settings (population_size, crossover_prob, mutation_prob, tournament_size).

    Returns
    -------
    BudgetPlan
        ``print(plan)`` explains the answer; ``plan.options`` and ``plan.study`` hold the data.
    """
    func = "plan_budget"
    tau = _check_tau(proxy_tau, func)
    if isinstance(cost_ratio, bool) or not isinstance(cost_ratio, (int, float)) or not (0 < cost_ratio <= 1):
        raise parameter_error("cost_ratio", func, "a number in (0, 1] (proxy cost / full cost)", cost_ratio)
    budget = check_positive_int(budget, "budget", func)
    if not (isinstance(z, (int, float)) and z > 0):
        raise parameter_error("z", func, "a positive number", z)
    full_gens = budget
    proxy_gens = int(math.floor(budget / cost_ratio + 1e-9))
    if proxy_gens > max_generations:
        raise parameter_error(
            "cost_ratio", func,
            f"large enough that budget / cost_ratio <= max_generations ({max_generations})", cost_ratio,
        )
    resolve_reading(func, reading)
    others = [r for r in dict.fromkeys(compare_readings) if r != reading]
    for r in others:
        resolve_reading(func, r)
    answers, main = {}, None
    for name in [reading] + others:
        answer = _simulate_option(name, tau, dims, full_gens, proxy_gens, repetitions, resolution, z, seed, ga_options)
        answers[name] = answer
        main = main or answer
    recommendation, options, difference, se, study = main
    table = pd.DataFrame.from_dict({
        name: {"recommendation": a[0], "full_mean_top_pct": a[1].mean_top_pct.iloc[0],
               "proxy_mean_top_pct": a[1].mean_top_pct.iloc[1], "difference": a[2], "difference_se": a[3]}
        for name, a in answers.items()}, orient="index")
    logger.info("plan_budget(tau=%s, cost_ratio=%s, reading=%s): %s", tau, cost_ratio, reading, recommendation)
    return BudgetPlan(recommendation, full_gens, proxy_gens, options, difference, se, study, reading, table)


def _simulate_option(reading, tau, dims, full_gens, proxy_gens, repetitions, resolution, z, seed, ga_options):
    study = proxy_study([dims], [tau], sorted({full_gens, proxy_gens}), repetitions, reading=reading,
                        resolution=resolution, include_original=True, seed=seed, **ga_options)
    s = study.summary.set_index(["space", "generations"])
    full = s.loc[("original", full_gens)]
    proxy = s.loc[(_label(tau), proxy_gens)]
    options = pd.DataFrame([
        {"option": "full", "space": "original", "generations": full_gens, "mean_top_pct": full.mean_top_pct,
         "std_top_pct": full.std_top_pct, "sem_top_pct": full.sem_top_pct},
        {"option": "proxy", "space": _label(tau), "generations": proxy_gens, "mean_top_pct": proxy.mean_top_pct,
         "std_top_pct": proxy.std_top_pct, "sem_top_pct": proxy.sem_top_pct},
    ])
    difference = float(full.mean_top_pct - proxy.mean_top_pct)
    # both options read from independent runs (different spaces or the same runs if tau == 1)
    se = float(math.hypot(full.sem_top_pct, proxy.sem_top_pct))
    if difference > z * se:
        recommendation = "proxy"
    elif difference < -z * se:
        recommendation = "full"
    else:
        recommendation = "either"
    return recommendation, options, difference, se, study
