"""Tabular benchmarks: query throughput and Double-DQN search-logic time.

Run: ``python3 benchmarks/bench_tabular.py`` (about a minute on a quiet machine; ``--quick`` or
``NASNB_BENCH_QUICK=1``: a few seconds, smaller loops). Writes ``benchmarks/results/tabular.md``.
The NAS-Bench-101/201 files are small ones written by ``_bench_data.py`` (no download).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_data import NB201_ARCHS, write_nb101, write_nb201  # noqa: E402

from nasnb.benchmarks import NASBench101, NASBench201, NASBenchGraph, parse_arch_string  # noqa: E402
from nasnb.strategies.dqn import DoubleDQNSearch  # noqa: E402

GOAL_QPS = 200_000
THESIS_RL_S, THESIS_EVO_S = 34.1, 0.8


def rate(fn, items, repeat):
    """(queries / s of CPU time of this process, queries / s of wall time) after one warm-up pass."""
    for x in items:
        fn(x)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        for x in items:
            fn(x)
    n = repeat * len(items)
    return n / (time.process_time() - cpu), n / (time.perf_counter() - wall)


def per_call_us(fn, reps):
    """(us per call in CPU time, us per call in wall time)."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.process_time() - cpu) / reps * 1e6, (time.perf_counter() - wall) / reps * 1e6


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("NASNB_BENCH_QUICK")),
                        help="smaller loops (smoke test; also NASNB_BENCH_QUICK=1)")
    args = parser.parse_args(argv)
    repeat, ops_reps = (2, 500) if args.quick else (50, 20000)
    rows = []
    nb = NASBenchGraph("cora")
    rng = np.random.default_rng(0)
    cands = [nb.sample(rng) for _ in range(2000)]
    nb.table()
    cpu, wall = time.process_time(), time.perf_counter()
    for c in cands:
        nb.key(c)
    cold = (len(cands) / (time.process_time() - cpu), len(cands) / (time.perf_counter() - wall))
    rows.append(("NAS-Bench-Graph evaluate_candidate (memoised EvaluationResult)",
                 rate(nb.evaluate_candidate, cands, repeat)))
    rows.append(("NAS-Bench-Graph score() (float only)", rate(nb.score, cands, repeat)))
    rows.append((f"NAS-Bench-Graph first query of a cell (canonical hash; {len(set(cands))} distinct cells, "
                 "first call of the process included)", cold))

    ops_rows = []
    cell = cands[0]
    ops_rows.append(("NAS-Bench-Graph mutate", per_call_us(lambda: nb.mutate(cell, rng), ops_reps)))
    ops_rows.append(("NAS-Bench-Graph sample", per_call_us(lambda: nb.sample(rng), ops_reps)))
    with tempfile.TemporaryDirectory() as tmp:
        nb101 = NASBench101(write_nb101(Path(tmp) / "nb101.tfrecord"))
        c101 = [nb101.sample(np.random.default_rng(i)) for i in range(200)]
        rows.append(("NAS-Bench-101 evaluate_candidate (cell seen before)", rate(nb101.evaluate_candidate, c101, repeat)))
        rows.append(("NAS-Bench-101 evaluate_candidate(seed=int) (cell seen before)",
                     rate(lambda c: nb101.evaluate_candidate(c, seed=3), c101, repeat)))
        big = c101[-1]
        ops_rows.append((f"NAS-Bench-101 mutate ({len(big[1])}-vertex cell)",
                         per_call_us(lambda: nb101.mutate(big, rng), ops_reps // 4)))
        nb201 = NASBench201(write_nb201(Path(tmp) / "nb201.json"))
        c201 = [parse_arch_string(NB201_ARCHS[i % 3]) for i in range(200)]
        rows.append(("NAS-Bench-201 evaluate_candidate (cell seen before)", rate(nb201.evaluate_candidate, c201, repeat)))
        rows.append(("NAS-Bench-201 evaluate_candidate(seed=int) (cell seen before)",
                     rate(lambda c: nb201.evaluate_candidate(c, seed=3), c201, repeat)))
        ops_rows.append(("NAS-Bench-201 mutate", per_call_us(lambda: nb201.mutate(c201[0], rng), ops_reps)))
        ops_rows.append(("NAS-Bench-201 sample", per_call_us(lambda: nb201.sample(rng), ops_reps)))

    episodes = 20 if args.quick else 300
    dqn_rows = []
    for seed in ((0,) if args.quick else (0, 1, 2)):
        agent = DoubleDQNSearch(nb, seed=seed)
        agent._setup()  # torch import and network creation are not search logic
        cpu, wall = time.process_time(), time.perf_counter()
        hist = agent.run(nb, episodes)
        dqn_rows.append((seed, agent.logic_time, time.process_time() - cpu, time.perf_counter() - wall, hist.rewards))
    lines = ["## Tabular benchmarks and the Double-DQN agent (`bench_tabular.py`)", "",
             f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, torch threads = "
             f"{os.environ.get('OMP_NUM_THREADS')}. The machine is shared: ratios use CPU time of this process "
             "(`time.process_time`); wall-clock rates are shown too.", "",
             "| query | queries / s (CPU) | queries / s (wall) | goal | ratio to goal (CPU) |",
             "|---|---:|---:|---:|---:|"]
    for name, (qps, qps_wall) in rows:
        lines.append(f"| {name} | {qps:,.0f} | {qps_wall:,.0f} | {GOAL_QPS:,} | {qps / GOAL_QPS:.2f} |")
    lines += ["", "| search-space operation | us / call (CPU) | us / call (wall) |", "|---|---:|---:|"]
    for name, (us, us_wall) in ops_rows:
        lines.append(f"| {name} | {us:.1f} | {us_wall:.1f} |")
    lines += ["", f"| Double-DQN on NAS-Bench-Graph cora, {episodes} episodes | "
              + " | ".join(f"seed {r[0]}" for r in dqn_rows) + " |", "|---|" + "---:|" * len(dqn_rows),
              "| search logic per episode (ask + tell, excluding the query; wall) | "
              + " | ".join(f"{r[1] / episodes * 1e3:.1f} ms" for r in dqn_rows) + " |",
              "| whole run, CPU time / wall time | "
              + " | ".join(f"{r[2]:.2f} s / {r[3]:.2f} s" for r in dqn_rows) + " |",
              "| mean reward, first 50 / last 50 episodes | "
              + " | ".join(f"{r[4][:50].mean():.4f} / {r[4][-50:].mean():.4f}" for r in dqn_rows) + " |",
              "", f"Thesis (published, NAS-Bench-101 run): {THESIS_RL_S} s of RL search logic vs "
              f"{THESIS_EVO_S} s for regularized evolution. nasnb's DQN logic for {episodes} episodes (seed 0): "
              f"{dqn_rows[0][1]:.2f} s (thesis runs used 500 episodes: ~{dqn_rows[0][1] / episodes * 500:.1f} s "
              "extrapolated)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.quick:  # smoke test: never overwrite the measured results
        return
    out = ROOT / "benchmarks" / "results" / "tabular.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
