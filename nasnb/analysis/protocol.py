"""The NAS-Bench-101-style resampling protocol of the thesis' chapter 5, on any tabular benchmark.

The thesis drew 100,000 architectures with replacement from NAS-Bench-101, took one of the 3
recorded training runs at random per draw, and compared each partial-budget group (4, 12, 36,
108 epochs) with a *separate* full-budget draw (108 epochs, another random run) by Kendall
tau-b -- on raw accuracies and on accuracies rounded to whole percents -- with 800 bootstrap
resamples. Comparing the 108-epoch group with the separate 108-epoch draw measures how much
retraining alone reorders architectures: a ceiling for any proxy.

:func:`resampling_protocol` does this on a long-format record table, so it runs on every
benchmark that records several runs or budgets. A benchmark evaluator provides the table
through the :class:`BenchmarkRecords` protocol (``long_records()``) or it is passed directly.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> quality = rng.random(50)
>>> rows = [(a, b, r, quality[a] + rng.normal(0, 0.3 / b)) for a in range(50)
...         for b in (1, 4) for r in range(3)]
>>> records = pd.DataFrame(rows, columns=["arch", "budget", "run", "score"])
>>> out = resampling_protocol(records, n_samples=2000, n_resamples=50, seed=0)
>>> out[["budget", "decimals"]].values.tolist()
[[1, None], [4, None]]
>>> bool(out.loc[1, "tau"] > out.loc[0, "tau"])
True
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, cast, runtime_checkable

import numpy as np
import pandas as pd

from nasnb._validation import as_generator, check_nonnegative_int, check_positive_int, parameter_error
from nasnb.analysis.bootstrap import bootstrap_tau
from nasnb.analysis.ranking import as_scores, kendall_tau
from nasnb.exceptions import ParameterError

__all__ = ["BenchmarkRecords", "resampling_protocol"]

logger = logging.getLogger(__name__)


@runtime_checkable
class BenchmarkRecords(Protocol):
    """What a tabular benchmark offers to the analysis: its records in long format.

    ``long_records()`` returns a DataFrame with one row per recorded evaluation and the
    columns ``arch`` (architecture id/hash), ``budget`` (epochs or another fidelity), ``run``
    (repetition id) and ``score`` (higher is better, e.g. validation accuracy).
    """

    def long_records(self) -> pd.DataFrame:  # pragma: no cover - protocol
        ...


def _as_records(records, columns: Sequence[str], func: str) -> pd.DataFrame:
    if not isinstance(records, pd.DataFrame):
        if isinstance(records, BenchmarkRecords):
            records = records.long_records()
        elif callable(getattr(records, "records", None)):  # nasnb.benchmarks: NASBenchGraph(...).records()
            records = records.records()
        else:
            raise parameter_error(
                "records",
                func,
                "a long-format DataFrame or an object with long_records() or records()",
                type(records).__name__,
            )
    missing = [c for c in columns if c not in records.columns]
    if missing:
        raise ParameterError(
            f"The 'records' parameter of {func} lacks the column(s) {missing}; it has {list(records.columns)}."
        )
    if records.empty:
        raise parameter_error("records", func, "a non-empty DataFrame", "an empty DataFrame")
    return records


def resampling_protocol(
    records,
    *,
    n_samples: int = 100_000,
    budgets: Sequence | None = None,
    reference_budget=None,
    decimals: int | None | Sequence[int | None] = None,
    n_resamples: int = 800,
    seed=0,
    arch: str = "arch",
    budget: str = "budget",
    run: str = "run",
    score: str = "score",
) -> pd.DataFrame:
    """Kendall tau-b of partial-budget groups against a separate full-budget draw.

    Parameters
    ----------
    records : pandas.DataFrame or BenchmarkRecords
        Long format: ``arch, budget, run, score``.
    n_samples : int, default 100000
        Architectures drawn with replacement (among those recorded at every budget used).
    budgets : sequence, optional
        Budgets to compare; default all recorded budgets (including the reference, which
        gives the retraining ceiling).
    reference_budget : optional
        Default the largest budget.
    decimals : int, None or sequence of them, default None
        ``None`` = raw scores; an int rounds first (2 = whole percents for accuracies in
        [0, 1]). A sequence (e.g. ``[None, 2]``) gives one row per budget and rounding.
    n_resamples : int, default 800
        Bootstrap resamples per row; 0 skips the bootstrap.
    seed : int, Generator or None
    arch, budget, run, score : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Columns ``budget, decimals, tau, mean, std_error, ci_low, ci_high, lilliefors_p,
        n_samples``; ``settings`` in ``attrs``.
    """
    func = "resampling_protocol"
    frame = _as_records(records, (arch, budget, run, score), func)
    n_samples = check_positive_int(n_samples, "n_samples", func)
    if n_samples < 2:
        raise parameter_error("n_samples", func, "an int >= 2", n_samples)
    n_resamples = check_nonnegative_int(n_resamples, "n_resamples", func)
    as_scores(frame[score].to_numpy(), score, func)
    # a list or tuple gives one rounding each; anything else is one rounding (an int or None)
    roundings: list[int | None] = (
        list(decimals) if isinstance(decimals, (list, tuple)) else [cast("int | None", decimals)]
    )
    recorded = sorted(frame[budget].unique())
    reference_budget = recorded[-1] if reference_budget is None else reference_budget
    budgets = recorded if budgets is None else list(budgets)
    unknown = [b for b in [reference_budget, *budgets] if b not in recorded]
    if unknown:
        raise parameter_error("budgets", func, f"budgets present in records ({recorded})", unknown)
    used = sorted(set(budgets) | {reference_budget}, key=recorded.index)
    sub = frame[frame[budget].isin(used)]
    per_arch = sub.groupby(arch)[budget].nunique()
    archs = per_arch.index[per_arch == len(used)].to_numpy()
    if archs.size < 2:
        raise ParameterError(
            f"{func} needs at least 2 architectures recorded at every budget in {used}; found {archs.size}."
        )
    arch_pos = pd.Series(np.arange(archs.size), index=archs)
    rng = as_generator(seed)
    drawn = rng.integers(0, archs.size, size=n_samples)

    def draw(at) -> np.ndarray:
        part = sub[(sub[budget] == at) & sub[arch].isin(archs)]
        pos = arch_pos[part[arch].to_numpy()].to_numpy()
        order = np.argsort(pos, kind="stable")
        pos, values = pos[order], part[score].to_numpy(dtype=float)[order]
        counts = np.bincount(pos, minlength=archs.size)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pick = starts[drawn] + (rng.random(n_samples) * counts[drawn]).astype(np.int64)
        return values[pick]

    reference = draw(reference_budget)
    rows = []
    for b in budgets:
        group = draw(b)
        for dec in roundings:
            row = {"budget": b, "decimals": dec, "tau": kendall_tau(group, reference, decimals=dec)}
            if n_resamples:
                boot = bootstrap_tau(group, reference, n_resamples=n_resamples, decimals=dec, seed=rng)
                row.update(
                    mean=boot.mean,
                    std_error=boot.std_error,
                    ci_low=boot.ci_low,
                    ci_high=boot.ci_high,
                    lilliefors_p=boot.lilliefors_pvalue,
                )
            rows.append(row)
            logger.debug("protocol: budget %s decimals %s tau %.4f", b, dec, row["tau"])
    out = pd.DataFrame(rows)
    out["decimals"] = out["decimals"].astype(object).where(out["decimals"].notna(), None)
    out["n_samples"] = n_samples
    out.attrs["settings"] = {
        "n_samples": n_samples,
        "budgets": list(budgets),
        "reference_budget": reference_budget,
        "decimals": roundings,
        "n_resamples": n_resamples,
        "architectures": int(archs.size),
        "seed": seed if isinstance(seed, (int, type(None))) else "generator",
    }
    return out
