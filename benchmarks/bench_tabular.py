"""Tabular benchmarks: query throughput and Double-DQN search-logic time.

Run: ``python3 benchmarks/bench_tabular.py`` (about a minute). Writes
``benchmarks/results/tabular.md``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from nasnb.benchmarks import NASBench101, NASBench201, NASBenchGraph, parse_arch_string  # noqa: E402
from nasnb.strategies.dqn import DoubleDQNSearch  # noqa: E402

GOAL_QPS = 200_000
THESIS_RL_S, THESIS_EVO_S = 34.1, 0.8


def rate(fn, items, repeat):
    for x in items:
        fn(x)
    t = time.perf_counter()
    for _ in range(repeat):
        for x in items:
            fn(x)
    return repeat * len(items) / (time.perf_counter() - t)


def main() -> None:
    rows = []
    nb = NASBenchGraph("cora")
    rng = np.random.default_rng(0)
    cands = [nb.sample(rng) for _ in range(2000)]
    t = time.perf_counter()
    for c in cands:
        nb.key(c)
    cold = len(cands) / (time.perf_counter() - t)
    rows.append(("NAS-Bench-Graph evaluate_candidate (EvaluationResult)", rate(nb.evaluate_candidate, cands, 50)))
    rows.append(("NAS-Bench-Graph score() (float only)", rate(nb.score, cands, 50)))
    rows.append(("NAS-Bench-Graph first query of a cell (canonical hash)", cold))

    from _tabular_files import nb101_record, write_tfrecord
    from conftest import NB101_CELLS, nb101_final, nb101_hash, write_nats_dir, NB201_ARCHS

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nb101.tfrecord"
        write_tfrecord(path, [nb101_record(nb101_hash(m, o), e, m, o, nb101_final(c, e, r))
                              for c, (m, o) in enumerate(NB101_CELLS) for e in (4, 12, 36, 108) for r in range(3)])
        nb101 = NASBench101(path)
        c101 = [nb101.sample(np.random.default_rng(i)) for i in range(200)]
        rows.append(("NAS-Bench-101 evaluate_candidate (memoised hash)", rate(nb101.evaluate_candidate, c101, 50)))
        write_nats_dir(Path(tmp) / "nats", NB201_ARCHS)
        nb201 = NASBench201(Path(tmp) / "nats")
        c201 = [parse_arch_string(NB201_ARCHS[i % 3]) for i in range(200)]
        rows.append(("NAS-Bench-201 evaluate_candidate", rate(nb201.evaluate_candidate, c201, 50)))

    episodes = 300
    agent = DoubleDQNSearch(nb, seed=0)
    agent._setup()  # torch import and network creation are not search logic
    t = time.perf_counter()
    hist = agent.run(nb, episodes)
    wall = time.perf_counter() - t
    per_episode = agent.logic_time / episodes
    rewards = hist.rewards[1:]
    lines = ["## Tabular benchmarks and the Double-DQN agent (`bench_tabular.py`)", "",
             f"Machine: {os.cpu_count()} cores, torch threads = {os.environ.get('OMP_NUM_THREADS')}.", "",
             "| query | queries / s | goal | ratio to goal |", "|---|---:|---:|---:|"]
    for name, qps in rows:
        lines.append(f"| {name} | {qps:,.0f} | {GOAL_QPS:,} | {qps / GOAL_QPS:.2f} |")
    lines += ["", "| Double-DQN on NAS-Bench-Graph cora | value |", "|---|---:|",
              f"| episodes | {episodes} |",
              f"| search logic per episode (ask + tell, excluding the query) | {per_episode * 1e3:.1f} ms |",
              f"| search logic, whole run | {agent.logic_time:.2f} s |",
              f"| wall time, whole run | {wall:.2f} s |",
              f"| mean reward, first 50 / last 50 episodes | {rewards[:50].mean():.4f} / {rewards[-50:].mean():.4f} |",
              "", f"Thesis (published, NAS-Bench-101 run): {THESIS_RL_S} s of RL search logic vs "
              f"{THESIS_EVO_S} s for regularized evolution. nasnb's DQN logic for {episodes} episodes: "
              f"{agent.logic_time:.2f} s (thesis runs used 500 episodes: ~{per_episode * 500:.1f} s extrapolated)."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "benchmarks" / "results" / "tabular.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
