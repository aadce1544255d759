"""Simulated-time executor (issue 13): parallel efficiency of batch vs asynchronous search, and
how fast a search is simulated.

Measured side by side in one run:

1. Parallel efficiency (busy worker-seconds / (W x makespan)) of lognormal evaluation times
   (median 0.5 s, sigma 0.8) scheduled on W = 2, 8, 64, 256 simulated workers (1024 too
   without ``--quick``), batch-synchronous (wait for the slowest of every W) vs asynchronous
   (steady state), 100 evaluations per worker. Goal: asynchronous >= 0.9 at W = 64 and 256.
   Also: asynchronous efficiency at W = 256 against the evaluations per worker (the end of a
   fixed budget drains the workers).
2. Real time to simulate 1,000 evaluations at W = 256 (goal <= 2 s): the executor alone, and
   regularized evolution on NAS-Bench-Graph (cora) through ``Strategy.run(executor=
   SimulatedExecutor(...), mode=...)``.
3. Regularized evolution (P = 50, S = 10, 1,000 evaluations) on NAS-Bench-Graph for W = 1, 4,
   64, 256, batch vs asynchronous, with an illustrative cost model (NAS-Bench-Graph records no
   training time: each cell trains for ``latency / median latency`` hours): simulated hours,
   efficiency, best validation score. Figures ``docs/img/simulated_best_vs_time.png`` and
   ``docs/img/simulated_timeline.png``.

Run ``python3 benchmarks/bench_simulated.py`` (about 15 s); ``--quick`` (or
``NASNB_BENCH_QUICK=1``) runs small sizes in a second or two and writes nothing but the
figures into a temporary folder. Writes ``benchmarks/results/simulated.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nasnb.executors import SimulatedExecutor, simulate_schedule  # noqa: E402

MEDIAN_S, SIGMA = 0.5, 0.8
GOAL_EFFICIENCY, GOAL_SIM_S = 0.9, 2.0


def durations(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(np.log(MEDIAN_S), SIGMA, n)


def timed(fn, *args, **kwargs):
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.process_time() - cpu, time.perf_counter() - wall


def efficiency_rows(workers: list[int], per_worker: int, seeds: int) -> list[tuple]:
    """Per W: evaluations, batch efficiency (mean), async efficiency (mean, min), makespans (mean), CPU s."""
    rows = []
    for w in workers:
        eb, ea, mb, ma, cpu = [], [], [], [], 0.0
        for seed in range(seeds if w <= 256 else 1):
            d = durations(per_worker * w, seed=seed)
            batch, cpu_b, _ = timed(simulate_schedule, d, w, mode="batch")
            steady, cpu_a, _ = timed(simulate_schedule, d, w, mode="async")
            eb.append(batch.efficiency())
            ea.append(steady.efficiency())
            mb.append(batch.now)
            ma.append(steady.now)
            cpu += cpu_b + cpu_a
        rows.append((w, per_worker * w, len(eb), np.mean(eb), np.mean(ea), np.min(ea), np.mean(mb), np.mean(ma),
                     cpu / len(eb)))
    return rows


def drain_rows(w: int, per_worker: list[int]) -> list[tuple]:
    rows = []
    for k in per_worker:
        d = durations(k * w, seed=0)
        rows.append((k, simulate_schedule(d, w, mode="batch").efficiency(),
                     simulate_schedule(d, w, mode="async").efficiency()))
    return rows


def graph_cost(bench):
    """Illustrative cost model: a cell trains for (its latency / the median latency) hours."""
    latencies = np.array([rec[2] for rec in bench.table().values()])
    scale = 3600.0 / float(np.median(latencies))
    return lambda outcome: scale * outcome.result.metrics["latency"]


def search(bench, cost, workers: int, mode: str, budget: int, seed: int = 0):
    from nasnb.strategies import RegularizedEvolution

    sim = SimulatedExecutor(workers, cost=cost)
    strategy = RegularizedEvolution(bench, population_size=50, sample_size=10, workers=workers, seed=seed)
    history, cpu, wall = timed(strategy.run, bench, budget, executor=sim, mode=mode)
    return sim, history, cpu, wall


def hours_to(curve, target: float) -> float:
    hit = curve[curve["best_so_far"] >= target]
    return float(hit["hours"].iloc[0]) if len(hit) else float("nan")


def figures(runs: dict, out: Path) -> list[Path]:
    from nasnb.viz.charts_simulation import best_vs_time_data, plot_best_vs_time, plot_timeline, timeline_data

    out.mkdir(parents=True, exist_ok=True)
    shown = {(f"W={w}", mode): sim for (w, mode), (sim, _h, _c, _t) in runs.items() if w in (1, 4, 64)}
    fig = plot_best_vs_time(best_vs_time_data(shown), unit="h", logx=True, figsize=(8, 4.5),
                            title="Regularized evolution, NAS-Bench-Graph (cora), 1,000 evaluations\n"
                                  "simulated training time (W = 1: batch and async coincide)")
    fig.axes[0].set_ylabel("best validation score so far")
    fig.axes[0].set_ylim(0.78, None)
    paths = [out / "simulated_best_vs_time.png"]
    fig.savefig(paths[0], dpi=110)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5.5), layout="constrained")
    axes = fig.subplots(2, 1)
    d = durations(48, seed=8)
    spans = []
    for ax, mode in zip(axes, ("batch", "async")):
        data = timeline_data(simulate_schedule(d, 8, mode=mode))
        plot_timeline(data, ax=ax, unit="s", title=f"{mode}: 48 evaluations (lognormal, median 0.5 s) on W = 8, "
                                                   f"efficiency {data.efficiency:.2f}, makespan {data.makespan:.1f} s")
        spans.append(data.makespan)
    for ax in axes:  # one time scale, so the two makespans compare at a glance
        ax.set_xlim(0, max(spans))
    paths.append(out / "simulated_timeline.png")
    fig.savefig(paths[1], dpi=110)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("NASNB_BENCH_QUICK")),
                        help="small sizes (smoke test; also NASNB_BENCH_QUICK=1); results are not written")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "simulated.md"))
    args = parser.parse_args(argv)
    quick = args.quick
    load = os.getloadavg()[0]

    workers = [2, 8, 64, 256] + ([] if quick else [1024])
    seeds = 1 if quick else 5
    eff = efficiency_rows(workers, 10 if quick else 100, seeds)
    drain = drain_rows(256, [4, 16] if quick else [4, 16, 100, 400])

    # real time to simulate 1,000 evaluations at W = 256
    d1000 = durations(1000, seed=1)
    reps = 1 if quick else 5
    raw = min(timed(simulate_schedule, d1000, 256, mode="async")[1:] for _ in range(reps))
    raw_batch = min(timed(simulate_schedule, d1000, 256, mode="batch")[1:] for _ in range(reps))

    from nasnb.benchmarks import NASBenchGraph

    bench = NASBenchGraph("cora")
    cost = graph_cost(bench)
    budget = 200 if quick else 1000
    search(bench, cost, 4, "async", 100)  # warm-up: imports and the memo of the first cells
    runs = {}
    for w in ([1, 64] if quick else [1, 4, 64, 256]):
        for mode in ("batch", "async"):
            runs[w, mode] = search(bench, cost, w, mode, budget)
    re256 = {mode: min(search(bench, cost, 256, mode, budget)[2:] for _ in range(reps))
             for mode in ("batch", "async")}
    target = float(np.quantile([rec[0] for rec in bench.table().values()], 0.99))

    with tempfile.TemporaryDirectory() as tmp:
        paths = figures(runs, Path(tmp) if quick else ROOT / "docs" / "img")
        assert all(p.stat().st_size > 10_000 for p in paths)

    lines = ["## Simulated-time executor: batch vs asynchronous search (`bench_simulated.py`)", "",
             f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; 1-minute load average at start "
             f"{load:.1f}. Real times are CPU time of this process (wall in brackets); the machine is shared."
             + (" **--quick run: small sizes.**" if quick else ""), "",
             f"### Parallel efficiency, lognormal evaluation times (median {MEDIAN_S} s, sigma {SIGMA})", "",
             "Efficiency = busy worker-seconds / (W x makespan). Batch-synchronous waits for the slowest of every "
             "W evaluations; asynchronous starts the next evaluation the moment one finishes. The whole budget "
             "counts, including its final drain (workers idle while the last evaluations finish). "
             f"Mean over {seeds} draws of the durations (seeds 0-{seeds - 1}; one draw at W = 1024).", "",
             "| W | evaluations | batch efficiency | async efficiency (min over draws) | goal (async) "
             "| batch / async makespan (s) | real time to simulate both, per draw (CPU) |",
             "|---:|---:|---:|---:|---|---:|---:|"]
    for w, n, _draws, eb, ea, ea_min, mb, ma, cpu in eff:
        goal = f">= {GOAL_EFFICIENCY} ({'met' if ea >= GOAL_EFFICIENCY else 'NOT met'})" if w in (64, 256) else ""
        lines.append(f"| {w} | {n:,} | {eb:.3f} | {ea:.3f} ({ea_min:.3f}) | {goal} | {mb:,.1f} / {ma:,.1f} "
                     f"| {cpu:.2f} s |")
    lines += ["", "A fixed budget ends with a drain (workers idle while the last evaluations finish), so short "
              "searches on many workers are less efficient even asynchronously:", "",
              "| W = 256, evaluations per worker (seed 0) | batch efficiency | async efficiency |", "|---:|---:|---:|"]
    lines += [f"| {k} | {eb:.3f} | {ea:.3f} |" for k, eb, ea in drain]
    lines += ["", "### Real time to simulate 1,000 evaluations at W = 256", "",
              f"| what | real time (CPU) | real time (wall) | goal |", "|---|---:|---:|---|"]
    for name, (cpu, wall) in [("executor alone, asynchronous (simulate_schedule)", raw),
                              ("executor alone, batch (simulate_schedule)", raw_batch),
                              (f"regularized evolution on NAS-Bench-Graph, Strategy.run(mode='async'), "
                               f"{budget} evaluations", re256["async"]),
                              (f"regularized evolution on NAS-Bench-Graph, Strategy.run(mode='batch'), "
                               f"{budget} evaluations", re256["batch"])]:
        lines.append(f"| {name} | {cpu:.3f} s | {wall:.3f} s | <= {GOAL_SIM_S} s "
                     f"({'met' if cpu <= GOAL_SIM_S else 'NOT met'}) |")
    lines += ["", f"### Regularized evolution on NAS-Bench-Graph (cora), {budget} evaluations, seed 0", "",
              "Illustrative cost model: NAS-Bench-Graph records inference latency, not training time; each cell "
              "is taken to train for (its latency / the median latency) hours (0.1-2.3 h). "
              f"Target: validation score >= {target:.4f} (the table's 99th percentile).", "",
              "| W | schedule | simulated hours | efficiency | best validation score | hours to target "
              "| real time (CPU) |", "|---:|---|---:|---:|---:|---:|---:|"]
    for (w, mode), (sim, history, cpu, _wall) in runs.items():
        curve = sim.best_so_far_vs_time()
        lines.append(f"| {w} | {mode} | {sim.now / 3600:,.1f} | {sim.efficiency():.3f} | {history.best.fitness:.4f} "
                     f"| {hours_to(curve, target):,.1f} | {cpu:.3f} s |")
    if not quick:
        lines += ["", "Figures: " + ", ".join(f"`{p.relative_to(ROOT)}`" for p in paths) + "."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not quick:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
