"""Rank fidelity of proxies against full evaluation, with the thesis' bootstrap: :func:`proxy_fidelity`.

Every proxy -- zero-cost scores and reduced-epoch trainings alike -- is a column of scores of the
same architectures; full evaluation is another. For each proxy, Kendall τ-b against full
evaluation is bootstrapped (:func:`nasnb.analysis.bootstrap_tau`, 800 resamples: the protocol of
the thesis' Figs. 5.6–5.8) and reported with its standard error, its interval and the proxy's cost
in seconds per architecture. :func:`measured_proxies` turns the table into
:class:`~nasnb.analysis.MeasuredProxy` objects for :func:`~nasnb.analysis.plan_budget` /
:func:`~nasnb.analysis.plan_proxies`.

Examples
--------
>>> full = [0.1, 0.5, 0.3, 0.9, 0.7, 0.2]
>>> table = proxy_fidelity({"synflow": [1, 5, 2, 9, 8, 3], "1 epoch": [2, 4, 3, 6, 5, 1]}, full,
...                        seconds={"synflow": 0.1, "1 epoch": 2.0}, n_resamples=100, seed=0)
>>> table[["proxy", "kind", "tau"]].round(3).values.tolist()
[['synflow', 'zero-cost', 0.867], ['1 epoch', 'reduced training', 0.867]]
>>> [p.name for p in measured_proxies(table)]
['synflow', '1 epoch']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nasnb.exceptions import ParameterError

__all__ = ["proxy_fidelity", "measured_proxies"]


def proxy_fidelity(
    scores: Mapping[str, Sequence[float]] | pd.DataFrame,
    full: Sequence[float],
    *,
    seconds: Mapping[str, float],
    kinds: Mapping[str, str] | None = None,
    n_resamples: int = 800,
    seed: Any = 0,
) -> pd.DataFrame:
    """Bootstrap τ of each proxy's scores against ``full``, with its cost.

    Parameters
    ----------
    scores : mapping or DataFrame
        Proxy name → scores of the architectures (higher = better; NaN rows are refused).
    full : sequence of float
        Full-evaluation fitness of the same architectures, in the same order.
    seconds : mapping
        Proxy name → seconds one evaluation with it costs (per architecture).
    kinds : mapping, optional
        Proxy name → kind; default ``"zero-cost"`` for the names of :data:`nasnb.proxies.PROXIES`
        and ``"reduced training"`` otherwise.
    n_resamples : int, default 800
    seed : int or Generator
        Seeds the bootstrap (one stream per proxy, derived from it).

    Returns
    -------
    pandas.DataFrame
        proxy, kind, tau, tau_se, ci_low, ci_high, seconds, n; one row per proxy in input order.
    """
    from nasnb.analysis import bootstrap_tau
    from nasnb.proxies.registry import PROXIES

    columns = dict(scores.items()) if isinstance(scores, pd.DataFrame) else dict(scores)
    truth = np.asarray(full, dtype=float)
    if not np.all(np.isfinite(truth)):
        raise ParameterError(
            "The 'full' parameter of proxy_fidelity holds NaN or infinite values; leave the "
            "failed evaluations out first."
        )
    rows = []
    seeds = np.random.SeedSequence(seed if isinstance(seed, int) else 0).spawn(len(columns))
    for (name, values), ss in zip(columns.items(), seeds):
        values = np.asarray(values, dtype=float)
        if values.shape != truth.shape:
            raise ParameterError(f"The scores of {name!r} have {values.size} entries for {truth.size} architectures.")
        if not np.all(np.isfinite(values)):
            raise ParameterError(
                f"The scores of {name!r} hold NaN or infinite values (failed evaluations); leave "
                "those architectures out, a NaN has no rank."
            )
        if name not in seconds:
            raise ParameterError(f"The 'seconds' parameter of proxy_fidelity has no cost for {name!r}.")
        res = bootstrap_tau(values, truth, n_resamples=n_resamples, seed=np.random.default_rng(ss))
        kind = (kinds or {}).get(name, "zero-cost" if name in PROXIES else "reduced training")
        rows.append(
            {
                "proxy": name,
                "kind": kind,
                "tau": res.estimate,
                "tau_se": res.std_error,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "seconds": float(seconds[name]),
                "n": int(truth.size),
            }
        )
    return pd.DataFrame(rows)


def measured_proxies(table: pd.DataFrame) -> list:
    """The rows of a :func:`proxy_fidelity` table as :class:`~nasnb.analysis.MeasuredProxy` objects."""
    from nasnb.analysis import MeasuredProxy

    return [
        MeasuredProxy(
            str(r.proxy), float(r.tau), float(r.seconds), float(r.tau_se) if math.isfinite(r.tau_se) else float("nan")
        )
        for r in table.itertuples()
    ]
