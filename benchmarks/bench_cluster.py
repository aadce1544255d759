"""Benchmark of nasnb's cluster and experiment store, measured side by side in one run.

1. Parallel efficiency: 16 CPU-bound ~1 s evaluations, serial in this process vs
   ``map_evaluate`` on 2 MPI engines (goal >= 0.9).
2. Per-task overhead: ``map_evaluate`` of trivial evaluations vs a raw ipyparallel
   load-balanced ``map`` of trivial tasks on the same engines (goal <= 1.5x).
3. Store inserts per second with ``Study.add_evaluations`` (goal >= 5,000 rows/s).

Run ``python3 benchmarks/bench_cluster.py``; writes ``benchmarks/results/cluster.md``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from nasnb.cluster import Cluster
from nasnb.results import EvaluationResult
from nasnb.store import ExperimentStore


class SpinEvaluator:
    """CPU-bound evaluator: pure-Python arithmetic for ``epochs * unit`` seconds' worth of work."""

    def __init__(self, iterations: int) -> None:
        self.iterations = iterations

    def descriptor_evaluate(self, descriptor, epochs, dataset, percentage=1.0, seed=None):
        start = time.perf_counter()
        acc = 0
        for i in range(self.iterations * epochs):
            acc = (acc + i * i) % 1000003
        return EvaluationResult(float(acc % 7), {"accuracy": 0.5}, time.perf_counter() - start, 0.5)


def _calibrate(target_s: float) -> int:
    n = 200_000
    while True:
        t = time.perf_counter()
        SpinEvaluator(n).descriptor_evaluate(None, 1, None)
        took = time.perf_counter() - t
        if took > 0.2:
            return int(n * target_s / took)
        n *= 2


def _trivial(x):
    return x


def bench_store(rows: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        study = ExperimentStore(Path(tmp) / "bench.sqlite").create_study("bench")
        res = EvaluationResult(0.5, {"accuracy": 0.9}, 1.0, 0.9)
        items = [{"descriptor": {"arch": i}, "result": res, "seq": i, "seed": 0, "settings": {"epochs": 1}}
                 for i in range(rows)]
        t = time.perf_counter()
        study.add_evaluations(items)
        return rows / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=1.0, help="duration of one CPU-bound evaluation")
    parser.add_argument("--trivial", type=int, default=200, help="trivial tasks for the overhead test")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "cluster.md"))
    args = parser.parse_args()

    rows_per_s = bench_store(args.rows)
    iterations = _calibrate(args.seconds)
    spin = SpinEvaluator(iterations)
    descriptors = [{"task": i} for i in range(args.tasks)]
    t = time.perf_counter()
    for d in descriptors:
        spin.descriptor_evaluate(d, 1, None)
    serial = time.perf_counter() - t

    with Cluster(n=2, timeout=120) as env:
        env.map_evaluate(descriptors[:2], 1, None, evaluator=spin)  # warm-up: evaluator cached per engine
        t = time.perf_counter()
        env.map_evaluate(descriptors, 1, None, evaluator=spin)
        parallel = time.perf_counter() - t
        engines = env.num_engines

        trivial = SpinEvaluator(0)
        small = [{"t": i} for i in range(args.trivial)]
        view = env.client.load_balanced_view()
        view.map_sync(_trivial, range(10))
        env.map_evaluate(small[:10], 1, None, evaluator=trivial)
        t = time.perf_counter()
        view.map_sync(_trivial, range(args.trivial))
        raw = (time.perf_counter() - t) / args.trivial
        t = time.perf_counter()
        env.map_evaluate(small, 1, None, evaluator=trivial)
        ours = (time.perf_counter() - t) / args.trivial

    efficiency = serial / (engines * parallel)
    overhead = ours / raw
    lines = [
        "## Cluster and experiment store (`benchmarks/bench_cluster.py`)",
        "",
        f"Machine: {os.cpu_count()} cores; {engines} MPI engines; shared with other work while measured.",
        "",
        "| measure | value | goal | ratio to goal |",
        "|---|---|---|---|",
        f"| parallel efficiency, {args.tasks} x {args.seconds:.1f} s CPU-bound evaluations "
        f"(serial {serial:.2f} s, parallel {parallel:.2f} s) | {efficiency:.3f} | >= 0.9 | {efficiency / 0.9:.2f} |",
        f"| per-task time: map_evaluate {ours * 1e3:.2f} ms vs raw ipyparallel map {raw * 1e3:.2f} ms "
        f"({args.trivial} trivial tasks) | {overhead:.2f}x | <= 1.5x | {1.5 / overhead:.2f} |",
        f"| store inserts ({args.rows} rows, one transaction) | {rows_per_s:,.0f} rows/s | >= 5,000 rows/s | "
        f"{rows_per_s / 5000:.1f} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
