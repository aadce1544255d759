"""Benchmark of nasnb.analysis: Monte-Carlo tables (nasnb vs pygmo's GA) and the tau bootstrap.

Run ``python3 benchmarks/bench_analysis.py`` (about 2-3 minutes on 2 cores). By default the
pygmo side of the chapter 5 table runs 10 of the 100 repetitions per cell and its time is
scaled to 100 (marked "estimated"); ``--full`` runs all 100 pygmo repetitions (~5 minutes).
Writes ``benchmarks/results/analysis.md``.

Goals (issue 6): chapter 5 table with nasnb >= 10x faster than with pygmo and <= 60 s on
2 cores; 800 bootstrap tau resamples on 100,000 pairs <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasnb.analysis import bootstrap_tau, chapter4_table, chapter5_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "analysis.md"


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def markdown(df: pd.DataFrame) -> str:
    """A Markdown table (flattened column and index labels) without the tabulate package."""
    flat = df.copy()
    flat.columns = [" ".join(str(c) for c in col) if isinstance(col, tuple) else str(col) for col in flat.columns]
    names = [str(n) for n in flat.index.names] if flat.index.nlevels > 1 else [str(flat.index.name or "")]
    rows = ["| " + " | ".join(names + list(flat.columns)) + " |", "|" + "---|" * (len(names) + flat.shape[1])]
    for key, values in zip(flat.index, flat.itertuples(index=False)):
        keys = list(key) if isinstance(key, tuple) else [key]
        rows.append("| " + " | ".join(str(k) for k in keys) + " | " + " | ".join(f"{v:g}" if isinstance(v, float)
                                                                              else str(v) for v in values) + " |")
    return "\n".join(rows)


def side_by_side(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    a = ours.set_index(["dims", "generations", "space"])[["mean_top_pct", "sem_top_pct"]]
    b = theirs.set_index(["dims", "generations", "space"])[["mean_top_pct", "sem_top_pct"]]
    out = a.merge(b, left_index=True, right_index=True, suffixes=("_nasnb", "_pygmo"))
    out["diff/err"] = (out.mean_top_pct_nasnb - out.mean_top_pct_pygmo) / np.hypot(
        out.sem_top_pct_nasnb, out.sem_top_pct_pygmo).replace(0, np.nan)
    return out.round(3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="run all 100 pygmo repetitions per cell")
    parser.add_argument("--pygmo-reps", type=int, default=10)
    args = parser.parse_args()
    pygmo_reps = 100 if args.full else args.pygmo_reps
    quick = bool(os.environ.get("NASNB_BENCH_QUICK"))  # smoke test (run_all.py --quick): tiny sizes
    pygmo_reps = 1 if quick else pygmo_reps
    lines = ["## analysis (issue 6): Monte-Carlo tables and tau bootstrap", ""]
    load = os.getloadavg()[0]
    lines.append(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}; "
                 f"1-minute load average at start {load:.1f} (timings inflate when other jobs share the cores).")
    lines.append("")

    ch5, t_ch5 = timed(chapter5_table, repetitions=5 if quick else 100, seed=0)
    print(f"chapter 5 table, nasnb GA, 100 repetitions: {t_ch5:.2f} s")
    ch4, t_ch4 = timed(chapter4_table, repetitions=20 if quick else 1000, seed=0)
    print(f"chapter 4 table, nasnb GA, 1000 repetitions: {t_ch4:.2f} s")

    try:
        import pygmo  # noqa: F401
        have_pygmo = True
    except ImportError:
        have_pygmo = False
    if have_pygmo:
        ch5_pg, t_pg = timed(chapter5_table, repetitions=pygmo_reps, backend="pygmo", seed=0)
        t_pg_100 = t_pg * 100 / pygmo_reps
        kind = "measured" if pygmo_reps == 100 else f"estimated from {pygmo_reps} repetitions x {100 / pygmo_reps:g}"
        ratio = t_pg_100 / t_ch5
        print(f"chapter 5 table, pygmo sga: {t_pg:.2f} s for {pygmo_reps} repetitions -> {t_pg_100:.1f} s "
              f"for 100 ({kind})")
        print(f"speed-up nasnb vs pygmo: {ratio:.1f}x (goal >= 10x) -> {'MET' if ratio >= 10 else 'NOT MET'}")
    print(f"chapter 5 table <= 60 s: {t_ch5:.2f} s -> {'MET' if t_ch5 <= 60 else 'NOT MET'}")

    rng = np.random.default_rng(0)
    x = rng.normal(size=100_000)
    y = x + rng.normal(size=100_000)
    boot, t_boot = timed(bootstrap_tau, x, y, n_resamples=20 if quick else 800, seed=0)
    boot_r, t_boot_r = timed(bootstrap_tau, x, y, n_resamples=20 if quick else 800, decimals=1, seed=0)
    from scipy import stats

    start = time.perf_counter()
    for _ in range(20):
        idx = rng.integers(0, x.size, x.size)
        stats.kendalltau(x[idx], y[idx])
    t_naive = (time.perf_counter() - start) / 20 * 800
    print(f"bootstrap tau, 800 x 100,000 pairs: {t_boot:.2f} s raw, {t_boot_r:.2f} s rounded "
          f"(naive scipy loop ~{t_naive:.1f} s) -> goal <= 10 s {'MET' if max(t_boot, t_boot_r) <= 10 else 'NOT MET'}")

    lines += [
        "| measurement | time | goal | status |", "|---|---|---|---|",
        f"| chapter 5 table (d = 2, 3, 4; 4 spaces; G = 10/100/1000; 100 reps), nasnb GA | {t_ch5:.2f} s | <= 60 s | "
        f"{'met' if t_ch5 <= 60 else 'NOT met'} |",
    ]
    if have_pygmo:
        lines.append(f"| same study, pygmo sga ({kind}) | {t_pg_100:.1f} s | | |")
        lines.append(f"| speed-up nasnb vs pygmo | {ratio:.1f}x | >= 10x | {'met' if ratio >= 10 else 'NOT met'} |")
    lines += [
        f"| chapter 4 table (3-D; 4 spaces; G = 10/100/1000; 1000 reps), nasnb GA | {t_ch4:.2f} s | | |",
        f"| bootstrap_tau, 800 resamples x 100,000 pairs, raw | {t_boot:.2f} s | <= 10 s | "
        f"{'met' if t_boot <= 10 else 'NOT met'} |",
        f"| bootstrap_tau, same, rounded to 1 decimal | {t_boot_r:.2f} s | <= 10 s | "
        f"{'met' if t_boot_r <= 10 else 'NOT met'} |",
        f"| naive loop of scipy.stats.kendalltau on resamples (extrapolated from 20) | {t_naive:.1f} s | | |",
        "",
        f"bootstrap_tau raw: tau {boot.estimate:.4f}, mean {boot.mean:.4f}, SE {boot.std_error:.2e}, "
        f"95 % CI [{boot.ci_low:.4f}, {boot.ci_high:.4f}], Lilliefors p {boot.lilliefors_pvalue:.3f}.",
        "",
        "### Chapter 5 table (nasnb GA; top % = share of grid points strictly better, mean and std)", "",
        markdown(ch5.table.round(3)), "",
        "### Chapter 4 table (nasnb GA)", "", markdown(ch4.table.round(3)), "",
    ]
    if have_pygmo:
        both = side_by_side(ch5.summary, ch5_pg.summary)
        print(both.to_string())
        lines += [f"### Chapter 5: nasnb (100 reps) vs pygmo sga ({pygmo_reps} reps), mean top % and its SE", "",
                  markdown(both), ""]
    print(ch5.table.round(3).to_string())
    print(ch4.table.round(3).to_string())
    lines.insert(3, f"1-minute load average at the end: {os.getloadavg()[0]:.1f}.")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
