"""Reconcile the Monte-Carlo studies with the thesis' published Tables 4.3 and 5.4.

The thesis defines "top %" as the fraction of grid points better than the GA's answer, but
its tables cannot be that: after 10 generations (110 evaluations) even random search reaches
a rank fraction of about 1/111 = 0.009, while Table 4.3 reports 0.160. :func:`reconcile`
runs several readings of the protocol (:data:`nasnb.analysis.montecarlo.READINGS`) against a
published table and reports, per cell and per reading, our mean with a seeded bootstrap
interval, the distance to the published value, and the chapter's conclusion under each
reading. Readings that differ only in the score or the champion share their GA runs.

Examples
--------
>>> rec = reconcile("4.3", readings=["text", "thesis"], repetitions=30, n_boot=200, seed=0)
>>> rec.distances.index.tolist()
['text', 'thesis']
>>> rec.winner
'thesis'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.analysis.montecarlo import (
    _GA_DEFAULTS,
    READINGS,
    _label,
    _run_all,
    _score_runs,
    _space_taus,
    resolve_reading,
)

__all__ = [
    "PUBLISHED",
    "published_table",
    "Reconciliation",
    "reconcile",
    "compare_with_published",
    "conclusions",
]

logger = logging.getLogger(__name__)

_GENS = (10, 100, 1000)
_T43 = {
    "original": (0.160, 0.050, 0.013),
    "tau=0.95": (0.162, 0.058, 0.022),
    "tau=0.85": (0.184, 0.086, 0.032),
    "tau=0.75": (0.195, 0.103, 0.040),
}
_T54 = {
    2: {
        "original": (0.131, 0.042, 0.002),
        "tau=0.85": (0.141, 0.072, 0.032),
        "tau=0.75": (0.180, 0.085, 0.033),
        "tau=0.65": (0.196, 0.111, 0.044),
    },
    3: {
        "original": (0.161, 0.043, 0.002),
        "tau=0.85": (0.179, 0.076, 0.030),
        "tau=0.75": (0.199, 0.091, 0.038),
        "tau=0.65": (0.217, 0.127, 0.046),
    },
    4: {
        "original": (0.177, 0.044, 0.002),
        "tau=0.85": (0.195, 0.084, 0.033),
        "tau=0.75": (0.220, 0.098, 0.043),
        "tau=0.65": (0.243, 0.133, 0.048),
    },
}


def _long(by_dims: dict) -> pd.DataFrame:
    rows = [
        {"dims": d, "generations": g, "space": space, "published": v}
        for d, spaces in by_dims.items()
        for space, vals in spaces.items()
        for g, v in zip(_GENS, vals)
    ]
    return pd.DataFrame(rows)


PUBLISHED = {
    "4.3": {
        "frame": _long({3: _T43}),
        "dims": [3],
        "taus": [0.95, 0.85, 0.75],
        "repetitions": 1000,
        "resolution_hint": 100,
    },
    "5.4": {
        "frame": _long(_T54),
        "dims": [2, 3, 4],
        "taus": [0.85, 0.75, 0.65],
        "repetitions": 100,
        "resolution_hint": 101,
    },
}
"""The published tables (mean "top %" as a fraction), long form, with their protocol."""


def published_table(number: str) -> pd.DataFrame:
    """Table 4.3 or 5.4 as published: dims x generations rows, one column per space.

    Examples
    --------
    >>> float(published_table("4.3").loc[(3, 1000), "tau=0.75"])
    0.04
    """
    number = check_choice(str(number), tuple(PUBLISHED), "number", "published_table")
    frame = PUBLISHED[number]["frame"]
    order = list(dict.fromkeys(frame.space))
    return frame.pivot(index=["dims", "generations"], columns="space", values="published")[order]


@dataclass(frozen=True)
class Reconciliation:
    """Result of :func:`reconcile`.

    Attributes
    ----------
    table : str
        "4.3" or "5.4".
    cells : pandas.DataFrame
        One row per reading and cell: reading, dims, generations, space, published, ours,
        ci_low, ci_high (bootstrap interval of our mean), difference (ours - published),
        published_in_ci.
    distances : pandas.DataFrame
        One row per reading (index): rmse with rmse_ci_low / rmse_ci_high (bootstrap), mae,
        max_abs, cells_in_ci, cells, best_fit (bool).
    conclusions : pandas.DataFrame
        :func:`conclusions` for every reading, plus the published verdicts.
    winner : str
        The reading with the smallest RMSE.
    studies : dict
        reading -> :class:`~nasnb.analysis.montecarlo.ProxyStudy`.
    settings : dict
    """

    table: str
    cells: pd.DataFrame
    distances: pd.DataFrame
    conclusions: pd.DataFrame
    winner: str
    studies: dict = field(repr=False, default_factory=dict)
    settings: dict = field(default_factory=dict)

    def wide(self, reading: str | None = None) -> pd.DataFrame:
        """Published beside ours for one reading (default the winner): rows (dims, G), columns
        (space, published / ours / difference)."""
        name = self.winner if reading is None else reading
        part = self.cells[self.cells.reading == name]
        wide = part.pivot_table(
            index=["dims", "generations"], columns="space", values=["published", "ours", "difference"], sort=False
        )
        order = list(dict.fromkeys(part.space))
        return wide.swaplevel(0, 1, axis=1).reindex(
            columns=pd.MultiIndex.from_product([order, ["published", "ours", "difference"]])
        )

    def to_ledger(self, ledger, *, reading: str | None = None, tolerance: float = 0.01) -> None:
        """Add this table's cells and conclusions to a :class:`nasnb.analysis.ledger.Ledger`.

        A cell is "reproduced" when the published value lies in our bootstrap interval or
        within ``tolerance`` of our mean (the published means carry Monte-Carlo error of
        their own); otherwise "differs" with the distance. Conclusions are "reproduced"
        when our verdict equals the published one.
        """
        name = self.winner if reading is None else reading
        part = self.cells[self.cells.reading == name]
        for c in part.itertuples(index=False):
            dims = "" if self.table == "4.3" else f"{c.dims}-D, "
            ok = c.published_in_ci or abs(c.difference) <= tolerance
            note = (
                f"reading {name!r}; 95% CI [{c.ci_low:.3f}, {c.ci_high:.3f}]"
                if ok
                else f"differs because reading {name!r} gives {c.ours:.3f} (95% CI [{c.ci_low:.3f}, "
                f"{c.ci_high:.3f}]), off by more than {tolerance}"
            )
            ledger.add(
                f"Table {self.table}, {dims}G={c.generations}, {c.space}",
                c.published,
                round(c.ours, 4),
                status="reproduced" if ok else "differs",
                note=note,
            )
        pub = self.conclusions[self.conclusions.reading == "published"].set_index(["dims", "comparison"])
        ours = self.conclusions[self.conclusions.reading == name].set_index(["dims", "comparison"])
        for key, row in ours.iterrows():
            want = pub.loc[key, "verdict"]
            dims = "" if self.table == "4.3" else f"{key[0]}-D, "
            ledger.add(
                f"Table {self.table} conclusion, {dims}{key[1]}",
                f"{want} better",
                f"{row.verdict} (advantage {row.advantage:+.3f}, CI [{row.ci_low:+.3f}, {row.ci_high:+.3f}])",
                status="reproduced" if row.verdict == want else "differs",
                difference="",
                note=f"reading {name!r}"
                if row.verdict == want
                else f"differs because under reading {name!r} the bootstrap interval gives {row.verdict!r}",
            )


def _boot_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, values.size, size=(n_boot, values.size))
    return values[idx].mean(axis=1)


def compare_with_published(
    study, table: str, *, n_boot: int = 1000, confidence: float = 0.95, seed=0
) -> tuple[pd.DataFrame, dict]:
    """Cells of ``study`` beside a published table, with bootstrap intervals.

    Returns ``(cells, distance)``: the per-cell frame (see :class:`Reconciliation`) and a
    dict with rmse (and its bootstrap interval), mae, max_abs, cells_in_ci, cells.

    Examples
    --------
    >>> from nasnb.analysis.montecarlo import chapter4_table
    >>> cells, dist = compare_with_published(chapter4_table(repetitions=20, resolution=30), "4.3")
    >>> len(cells), sorted(dist)[:3]
    (12, ['cells', 'cells_in_ci', 'mae'])
    """
    func = "compare_with_published"
    table = check_choice(str(table), tuple(PUBLISHED), "table", func)
    n_boot = check_positive_int(n_boot, "n_boot", func)
    rng = as_generator(seed)
    alpha = (1.0 - confidence) / 2.0
    published = PUBLISHED[table]["frame"]
    scores = study.scores
    rows, boots = [], []
    for cell in published.itertuples(index=False):
        part = scores[
            (scores.dims == cell.dims) & (scores.generations == cell.generations) & (scores.space == cell.space)
        ]
        if part.empty:
            raise parameter_error(
                "study", func, f"a study with the cells of Table {table}", (cell.dims, cell.generations, cell.space)
            )
        values = part.top_pct.to_numpy() / 100.0
        boot = _boot_means(values, n_boot, rng)
        boots.append(boot - cell.published)
        lo, hi = np.quantile(boot, [alpha, 1.0 - alpha])
        rows.append(
            {
                "dims": cell.dims,
                "generations": cell.generations,
                "space": cell.space,
                "published": cell.published,
                "ours": float(values.mean()),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "difference": float(values.mean() - cell.published),
                "published_in_ci": bool(lo <= cell.published <= hi),
            }
        )
    cells = pd.DataFrame(rows)
    diff = cells.difference.to_numpy()
    boot_rmse = np.sqrt((np.stack(boots) ** 2).mean(axis=0))
    distance = {
        "rmse": float(np.sqrt((diff**2).mean())),
        "rmse_ci_low": float(np.quantile(boot_rmse, alpha)),
        "rmse_ci_high": float(np.quantile(boot_rmse, 1.0 - alpha)),
        "mae": float(np.abs(diff).mean()),
        "max_abs": float(np.abs(diff).max()),
        "cells_in_ci": int(cells.published_in_ci.sum()),
        "cells": len(cells),
    }
    return cells, distance


def conclusions(study, *, tau: float = 0.75, n_boot: int = 1000, confidence: float = 0.95, seed=0) -> pd.DataFrame:
    """The chapters' comparisons: G generations on the proxy vs G/10 on the original.

    For each dimension and each pair (proxy 100 vs original 10, proxy 1000 vs original 100),
    ``advantage`` = mean top (original, G/10) - mean top (proxy at ``tau``, G) as a fraction
    (> 0: the proxy's longer search wins), with a bootstrap interval, and the verdict
    ("proxy", "original" or "tie" when the interval contains 0).

    Examples
    --------
    >>> from nasnb.analysis.montecarlo import proxy_study
    >>> s = proxy_study([2], [0.75], [10, 100, 1000], 30, seed=0)
    >>> conclusions(s)[["comparison", "verdict"]].shape
    (2, 2)
    """
    rng = as_generator(seed)
    alpha = (1.0 - confidence) / 2.0
    scores = study.scores
    space = _label(float(tau))
    rows = []
    for d in sorted(scores.dims.unique()):
        for g_proxy, g_orig in ((100, 10), (1000, 100)):
            a = scores[(scores.dims == d) & (scores.space == "original") & (scores.generations == g_orig)]
            b = scores[(scores.dims == d) & (scores.space == space) & (scores.generations == g_proxy)]
            if a.empty or b.empty:
                continue
            va, vb = a.top_pct.to_numpy() / 100.0, b.top_pct.to_numpy() / 100.0
            boot = _boot_means(va, n_boot, rng) - _boot_means(vb, n_boot, rng)
            lo, hi = np.quantile(boot, [alpha, 1.0 - alpha])
            verdict = "proxy" if lo > 0 else "original" if hi < 0 else "tie"
            rows.append(
                {
                    "dims": d,
                    "comparison": f"{g_proxy} gen. at {space} vs {g_orig} gen. on original",
                    "original": float(va.mean()),
                    "proxy": float(vb.mean()),
                    "advantage": float(va.mean() - vb.mean()),
                    "ci_low": float(lo),
                    "ci_high": float(hi),
                    "verdict": verdict,
                }
            )
    return pd.DataFrame(rows)


def _published_conclusions(table: str, tau: float) -> pd.DataFrame:
    frame = PUBLISHED[table]["frame"].set_index(["dims", "generations", "space"]).published
    space = _label(tau)
    rows = []
    for d in PUBLISHED[table]["dims"]:
        for g_proxy, g_orig in ((100, 10), (1000, 100)):
            o, p = frame[(d, g_orig, "original")], frame[(d, g_proxy, space)]
            rows.append(
                {
                    "reading": "published",
                    "dims": d,
                    "comparison": f"{g_proxy} gen. at {space} vs {g_orig} gen. on original",
                    "original": o,
                    "proxy": p,
                    "advantage": o - p,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "verdict": "proxy" if o > p else "original" if o < p else "tie",
                }
            )
    return pd.DataFrame(rows)


def reconcile(
    table: str = "5.4",
    *,
    readings: Sequence[str] = ("text", "text-100", "value-gaussian", "value-grid", "thesis", "thesis-101"),
    repetitions: int | None = None,
    generations_scale: float = 1.0,
    tau: float = 0.75,
    n_boot: int = 1000,
    backend: str = "nasnb",
    seed=0,
    progress: bool = False,
) -> Reconciliation:
    """Run each reading on a published table's protocol and measure the distance.

    Parameters
    ----------
    table : {"4.3", "5.4"}
    readings : sequence of str
        Names in :data:`nasnb.analysis.montecarlo.READINGS`.
    repetitions : int, optional
        GA runs per cell (default: the thesis' 1,000 for Table 4.3, 100 for Table 5.4).
    generations_scale : float in (0, 1], default 1
        Run ``G * scale`` generations instead of G (for quick checks; distances are then
        not comparable with the published values and the labels keep the thesis' G).
    tau : float, default 0.75
        The proxy tau of the conclusions.
    n_boot : int, default 1000
        Bootstrap resamples (seeded by ``seed``).
    backend : {"nasnb", "pygmo"}
    seed : int
    progress : bool, default False
        Show a tqdm bar over the readings (a full Table 4.3 run takes minutes).

    Returns
    -------
    Reconciliation
    """
    func = "reconcile"
    started = time.perf_counter()
    table = check_choice(str(table), tuple(PUBLISHED), "table", func)
    spec = PUBLISHED[table]
    reps = spec["repetitions"] if repetitions is None else check_positive_int(repetitions, "repetitions", func)
    if not (isinstance(generations_scale, (int, float)) and 0 < generations_scale <= 1):
        raise parameter_error("generations_scale", func, "a number in (0, 1]", generations_scale)
    if not readings:
        raise parameter_error("readings", func, "a non-empty sequence of reading names", readings)
    if not isinstance(progress, bool):
        raise parameter_error("progress", func, "True or False", progress)
    resolved = {name: resolve_reading(func, name)[1] for name in readings}
    run_gens = sorted({max(1, round(g * generations_scale)) for g in _GENS})
    relabel = dict(zip(run_gens, _GENS)) if len(run_gens) == len(_GENS) else None
    if relabel is None:
        raise parameter_error("generations_scale", func, "large enough to keep 3 distinct budgets", generations_scale)
    groups: dict = {}
    for name, opts in resolved.items():
        res = opts["resolution"]
        key = (tuple(sorted(res.items())) if isinstance(res, dict) else res, opts["noise"], opts["genes"])
        groups.setdefault(key, []).append(name)
    studies, cells, dist, concl = {}, [], {}, [_published_conclusions(table, tau)]
    order = [_label(t) for t in _space_taus(spec["taus"], True)]
    from tqdm.auto import tqdm

    bar = tqdm(total=len(resolved), desc=f"Table {table} readings", disable=not progress)
    for names in groups.values():
        t0 = time.perf_counter()
        opts0 = resolved[names[0]]
        runs = _run_all(
            spec["dims"], spec["taus"], run_gens, reps, opts0, True, backend, 200_000, seed, dict(_GA_DEFAULTS)
        )
        for name in names:
            opts = resolved[name]
            settings = {
                "reading": name,
                **opts,
                "table": table,
                "repetitions": reps,
                "generations": run_gens,
                "backend": backend,
                "seed": seed,
                "ga": dict(_GA_DEFAULTS),
            }
            study = _score_runs(runs, run_gens, reps, opts, order, settings, t0)
            if generations_scale != 1.0:
                study.scores["generations"] = study.scores.generations.map(relabel)
            studies[name] = study
            c, d = compare_with_published(study, table, n_boot=n_boot, seed=seed)
            c.insert(0, "reading", name)
            cells.append(c)
            dist[name] = d
            k = conclusions(study, tau=tau, n_boot=n_boot, seed=seed)
            k.insert(0, "reading", name)
            concl.append(k)
            bar.update()
        logger.info("reconcile %s: readings %s in %.1f s", table, names, time.perf_counter() - t0)
    bar.close()
    distances = pd.DataFrame.from_dict(dist, orient="index").loc[list(readings)]
    winner = str(distances.rmse.idxmin())
    distances["best_fit"] = distances.index == winner
    settings = {
        "table": table,
        "readings": {n: READINGS[n].description for n in readings},
        "repetitions": reps,
        "generations": run_gens,
        "generations_scale": generations_scale,
        "tau": tau,
        "n_boot": n_boot,
        "backend": backend,
        "seed": seed,
        "elapsed_s": round(time.perf_counter() - started, 2),
    }
    return Reconciliation(
        table,
        pd.concat(cells, ignore_index=True),
        distances,
        pd.concat(concl, ignore_index=True),
        winner,
        studies,
        settings,
    )


ALL_READINGS = (
    "text",
    "text-100",
    "value-gaussian",
    "value-grid",
    "thesis",
    "thesis-101",
    "thesis-real",
    "thesis-population",
    "thesis-evaluated",
)
"""Every named reading, in the order the reconciliation reports them."""


def main(argv=None) -> int:
    """Write the full reconciliation of Tables 4.3 and 5.4 as CSV files (``python -m nasnb.analysis.reconcile``).

    Files ``montecarlo_<table>_{cells,distances,conclusions}.csv`` and a JSON of the settings
    and run times go to ``--out`` (default ``notebooks/data``).
    """
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", default="notebooks/data")
    parser.add_argument("--tables", nargs="+", default=["4.3", "5.4"])
    parser.add_argument("--readings", nargs="+", default=list(ALL_READINGS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {}
    for table in args.tables:
        started = time.perf_counter()
        cpu = time.process_time()
        rec = reconcile(table, readings=args.readings, seed=args.seed)
        stem = f"montecarlo_{table.replace('.', '_')}"
        rec.cells.round(6).to_csv(out / f"{stem}_cells.csv", index=False)
        rec.distances.round(6).rename_axis("reading").to_csv(out / f"{stem}_distances.csv")
        rec.conclusions.round(6).to_csv(out / f"{stem}_conclusions.csv", index=False)
        meta[table] = {
            **rec.settings,
            "winner": rec.winner,
            "wall_s": round(time.perf_counter() - started, 1),
            "cpu_s": round(time.process_time() - cpu, 1),
        }
        logger.info("Table %s: winner %s", table, rec.winner)
    (out / "montecarlo_reconciliation.json").write_text(json.dumps(meta, indent=1, default=str))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
