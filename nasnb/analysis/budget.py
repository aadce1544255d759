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

A measured proxy (its bootstrap τ and its cost in seconds, e.g. a zero-cost proxy scored in 0.1 s
against a full training of 1,000 s) is planned the same way; :func:`plan_proxies` compares several:

>>> synflow = MeasuredProxy("synflow", tau=0.55, seconds=0.1, tau_se=0.01)
>>> plan = plan_budget(synflow, full_seconds=1000.0, budget=5, dims=2, repetitions=20, seed=0,
...                    max_generations=200)
>>> plan.proxy_generations, plan.capped, plan.proxy
(200, True, 'synflow')
"""

from __future__ import annotations

import logging
import math
import numbers
from dataclasses import dataclass

import pandas as pd

from nasnb._validation import check_positive_int, parameter_error
from nasnb.analysis.montecarlo import ProxyStudy, _check_tau, _label, proxy_study, resolve_reading

__all__ = ["BudgetPlan", "MeasuredProxy", "plan_budget", "plan_proxies"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeasuredProxy:
    """A proxy as measured by the rank protocol: its τ against full evaluation and its cost.

    Parameters
    ----------
    name : str
        E.g. ``"synflow"`` or ``"5 epochs"``.
    tau : float
        Kendall τ (bootstrap estimate) of the proxy's ranking against full evaluation.
    seconds : float
        Cost of one evaluation with the proxy, in seconds.
    tau_se : float, optional
        Bootstrap standard error of ``tau``.

    Examples
    --------
    >>> MeasuredProxy("2 epochs", 0.6, 12.0).cost_ratio(120.0)
    0.1
    """

    name: str
    tau: float
    seconds: float
    tau_se: float = float("nan")

    def __post_init__(self) -> None:
        func = "MeasuredProxy"
        if not isinstance(self.name, str) or not self.name:
            raise parameter_error("name", func, "a non-empty str", self.name)
        for field in ("tau", "seconds", "tau_se"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise parameter_error(field, func, "a real number", value)
            object.__setattr__(self, field, float(value))
        if not -1.0 <= self.tau <= 1.0:
            raise parameter_error("tau", func, "in [-1, 1]", self.tau)
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise parameter_error("seconds", func, "a positive number of seconds", self.seconds)

    def cost_ratio(self, full_seconds: float) -> float:
        """Proxy cost / full cost (at most 1)."""
        if isinstance(full_seconds, bool) or not isinstance(full_seconds, numbers.Real) or not full_seconds > 0:
            raise parameter_error(
                "full_seconds",
                "plan_budget",
                "a positive number of seconds (the cost of one full evaluation)",
                full_seconds,
            )
        return min(1.0, self.seconds / float(full_seconds))


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
    proxy: str = "proxy"
    capped: bool = False

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
            lines = [
                f"  reading {name!r}: {row.recommendation} (difference {row.difference:.3f} "
                f"+/- {row.difference_se:.3f})"
                for name, row in self.readings.iterrows()
            ]
            head = (
                "  the readings agree"
                if self.readings_agree
                else "  the readings DISAGREE -- the answer depends on how 'top %' is read"
            )
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
    proxy_tau,
    cost_ratio: float | None = None,
    *,
    full_seconds: float | None = None,
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
    proxy_tau : float in (0, 1] or MeasuredProxy
        Measured Kendall tau between proxy and full evaluation (e.g. from
        :func:`nasnb.analysis.bootstrap_tau`), or a :class:`MeasuredProxy` (τ and seconds).
    cost_ratio : float in (0, 1], optional
        Cost of one proxy evaluation / cost of one full evaluation (e.g. 10 / 50 epochs = 0.2).
        For a :class:`MeasuredProxy` it is ``proxy.seconds / full_seconds`` when not given.
    full_seconds : float, optional
        Seconds of one full evaluation (with a :class:`MeasuredProxy`). A proxy so cheap that the
        budget would buy more than ``max_generations`` generations is simulated for
        ``max_generations`` (``plan.capped``), a conservative reading of it.
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
    proxy_name, capped = "proxy", False
    if isinstance(proxy_tau, MeasuredProxy):
        proxy_name = name = proxy_tau.name
        if cost_ratio is None:
            if full_seconds is None:
                raise parameter_error(
                    "full_seconds",
                    func,
                    f"the seconds of one full evaluation (to price the measured proxy {name!r})",
                    full_seconds,
                )
            cost_ratio = proxy_tau.cost_ratio(full_seconds)
        if proxy_tau.tau <= 0:
            raise parameter_error(
                "proxy_tau",
                func,
                "a proxy with a positive tau (a proxy that does not rank cannot guide a search)",
                f"{name} with tau {proxy_tau.tau:.3f}",
            )
        if budget_would_exceed(budget, cost_ratio, max_generations):
            cost_ratio, capped = budget / max_generations, True
        proxy_tau = proxy_tau.tau
    elif full_seconds is not None:
        raise parameter_error("full_seconds", func, "given only with a MeasuredProxy", full_seconds)
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
            "cost_ratio",
            func,
            f"large enough that budget / cost_ratio <= max_generations ({max_generations})",
            cost_ratio,
        )
    resolve_reading(func, reading)
    others = [r for r in dict.fromkeys(compare_readings) if r != reading]
    for r in others:
        resolve_reading(func, r)
    answers = {}
    for name in [reading] + others:
        answers[name] = _simulate_option(
            name, tau, dims, full_gens, proxy_gens, repetitions, resolution, z, seed, ga_options
        )
    recommendation, options, difference, se, study = answers[reading]
    table = pd.DataFrame.from_dict(
        {
            name: {
                "recommendation": a[0],
                "full_mean_top_pct": a[1].mean_top_pct.iloc[0],
                "proxy_mean_top_pct": a[1].mean_top_pct.iloc[1],
                "difference": a[2],
                "difference_se": a[3],
            }
            for name, a in answers.items()
        },
        orient="index",
    )
    logger.info("plan_budget(tau=%s, cost_ratio=%s, reading=%s): %s", tau, cost_ratio, reading, recommendation)
    return BudgetPlan(
        recommendation, full_gens, proxy_gens, options, difference, se, study, reading, table, proxy_name, capped
    )


def budget_would_exceed(budget, cost_ratio, max_generations) -> bool:
    """True when ``budget / cost_ratio`` generations exceed ``max_generations``."""
    try:
        return float(budget) / float(cost_ratio) > max_generations
    except (TypeError, ValueError, ZeroDivisionError):
        return False  # the usual checks name the bad argument


def plan_proxies(proxies, full_seconds: float, *, budget: int = 100, **options) -> pd.DataFrame:
    """Plan a budget for each measured proxy and rank the ways to spend it.

    Parameters
    ----------
    proxies : sequence of MeasuredProxy
    full_seconds : float
        Seconds of one full evaluation.
    budget : int
        Generations of full evaluation the budget buys.
    **options
        Further arguments of :func:`plan_budget` (``dims``, ``repetitions``, ``seed``, ``reading``...).

    Returns
    -------
    pandas.DataFrame
        One row per proxy, best first (lowest simulated mean top %): proxy, tau, tau_se, seconds,
        cost_ratio, generations, capped, mean_top_pct, sem_top_pct, recommendation (against full
        evaluation) -- and a row ``"full evaluation"``. A proxy with τ ≤ 0 gets no simulation; its
        recommendation says it does not rank.

    Examples
    --------
    >>> table = plan_proxies([MeasuredProxy("a", 0.9, 10.0), MeasuredProxy("b", 0.2, 10.0)], 100.0,
    ...                      budget=5, dims=2, repetitions=10, seed=0, compare_readings=())
    >>> table.proxy.tolist()[-1] in ("a", "b", "full evaluation"), len(table)
    (True, 3)
    """
    rows, full = [], None
    for proxy in proxies:
        if not isinstance(proxy, MeasuredProxy):
            raise parameter_error("proxies", "plan_proxies", "a sequence of MeasuredProxy", proxy)
        row = {
            "proxy": proxy.name,
            "tau": proxy.tau,
            "tau_se": proxy.tau_se,
            "seconds": proxy.seconds,
            "cost_ratio": proxy.cost_ratio(full_seconds),
        }
        if proxy.tau <= 0:
            rows.append(
                dict(
                    row,
                    generations=0,
                    capped=False,
                    mean_top_pct=float("nan"),
                    sem_top_pct=float("nan"),
                    recommendation="does not rank (tau <= 0)",
                )
            )
            continue
        plan = plan_budget(proxy, full_seconds=full_seconds, budget=budget, **options)
        p = plan.options.set_index("option")
        full = p.loc["full"]
        rows.append(
            dict(
                row,
                generations=plan.proxy_generations,
                capped=plan.capped,
                mean_top_pct=float(p.loc["proxy"].mean_top_pct),
                sem_top_pct=float(p.loc["proxy"].sem_top_pct),
                recommendation=plan.recommendation,
            )
        )
    if full is not None:
        rows.append(
            {
                "proxy": "full evaluation",
                "tau": 1.0,
                "tau_se": 0.0,
                "seconds": float(full_seconds),
                "cost_ratio": 1.0,
                "generations": budget,
                "capped": False,
                "mean_top_pct": float(full.mean_top_pct),
                "sem_top_pct": float(full.sem_top_pct),
                "recommendation": "",
            }
        )
    return pd.DataFrame(rows).sort_values("mean_top_pct", na_position="last").reset_index(drop=True)


def _simulate_option(reading, tau, dims, full_gens, proxy_gens, repetitions, resolution, z, seed, ga_options):
    study = proxy_study(
        [dims],
        [tau],
        sorted({full_gens, proxy_gens}),
        repetitions,
        reading=reading,
        resolution=resolution,
        include_original=True,
        seed=seed,
        **ga_options,
    )
    s = study.summary.set_index(["space", "generations"])
    full = s.loc[("original", full_gens)]
    proxy = s.loc[(_label(tau), proxy_gens)]
    options = pd.DataFrame(
        [
            {
                "option": "full",
                "space": "original",
                "generations": full_gens,
                "mean_top_pct": full.mean_top_pct,
                "std_top_pct": full.std_top_pct,
                "sem_top_pct": full.sem_top_pct,
            },
            {
                "option": "proxy",
                "space": _label(tau),
                "generations": proxy_gens,
                "mean_top_pct": proxy.mean_top_pct,
                "std_top_pct": proxy.std_top_pct,
                "sem_top_pct": proxy.sem_top_pct,
            },
        ]
    )
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
