"""Searches that scale (issue 13), measured side by side in one run.

1. Recording cost per evaluation: a 2,000-evaluation regularized evolution on NAS-Bench-Graph
   with and without a study (one transaction per result, and ``group_commit=64``); goal
   <= 100 us (the first landing: 716 us).
2. Canonical hash of a 2,000- and a 10,000-layer chain (goals <= 0.1 s and <= 1 s).
3. ``Study.to_dataframe()`` on 100k rows vs ``pandas.read_sql_query`` of the same rows
   (goal <= 1.3x).
4. ``map_evaluate`` vs a raw ipyparallel load-balanced map at many trivial tasks (goal <= 1.2x
   at 10,000; the two alternate, raw-ours-ours-raw), and what a 7 MB evaluator adds per task after its first (goal <= 1 ms).
5. Asynchronous vs batch-synchronous regularized evolution on 2 MPI engines with lognormal
   evaluation times (median 0.5 s, sigma 0.8): parallel efficiency (goal >= 0.95 async).

Run ``python3 benchmarks/bench_scale.py``; ``NASNB_BENCH_QUICK=1`` shrinks it to a smoke test.
Writes ``benchmarks/results/scale.md``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

QUICK = os.environ.get("NASNB_BENCH_QUICK") == "1"


def bench_recording(n: int) -> dict:
    from nasnb.benchmarks import NASBenchGraph
    from nasnb.store import ExperimentStore
    from nasnb.strategies import RegularizedEvolution

    bench = NASBenchGraph("cora")
    RegularizedEvolution(bench, 50, 10, seed=0).run(bench, n)  # warm the table's memo
    out = {}
    for rep in range(2):  # best of two: the machine is shared
        t = time.perf_counter()
        RegularizedEvolution(bench, 50, 10, seed=0).run(bench, n)
        plain = time.perf_counter() - t
        for group in (1, 64):
            with tempfile.TemporaryDirectory() as tmp:
                study = ExperimentStore(Path(tmp) / "r.sqlite", group_commit=group).create_study("r")
                t = time.perf_counter()
                RegularizedEvolution(bench, 50, 10, seed=0).run(bench, n, study=study)
                recorded = time.perf_counter() - t
            cost = (recorded - plain) / n * 1e6
            out[group] = min(out.get(group, float("inf")), cost)
        out["plain"] = min(out.get("plain", float("inf")), plain / n * 1e6)
    return out


def bench_hash(sizes) -> dict:
    from nasnb.descriptors import NeuralDescriptor

    out = {}
    for n in sizes:
        d = NeuralDescriptor.sequential(["nn.ReLU"] * n)
        t = time.perf_counter()
        d.canonical_hash()
        out[n] = time.perf_counter() - t
    return out


def bench_dataframe(rows: int) -> tuple[float, float]:
    import pandas as pd

    from nasnb.results import EvaluationResult
    from nasnb.store import ExperimentStore

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.sqlite"
        study = ExperimentStore(path).create_study("d")
        results = [EvaluationResult(0.5, {"accuracy": 0.9 + i * 1e-6, "latency": 0.1}, 1.0, 0.9) for i in range(100)]
        study.add_evaluations({"descriptor": {"arch": i}, "result": results[i % 100], "seq": i, "seed": i,
                               "settings": {"epochs": 1}, "candidate": [i], "parent": i - 1} for i in range(rows))
        ours = raw = float("inf")
        conn = sqlite3.connect(path)
        for _ in range(3):
            t = time.perf_counter()
            study.to_dataframe()
            ours = min(ours, time.perf_counter() - t)
            t = time.perf_counter()
            pd.read_sql_query("SELECT * FROM evaluations WHERE study_id=?", conn, params=(study.id,))
            raw = min(raw, time.perf_counter() - t)
        conn.close()
    return ours, raw


class Trivial:
    def __init__(self, ballast_mb: float = 0.0):
        self.ballast = np.ones(int(ballast_mb * 1e6 / 8))  # a large evaluator (e.g. a loaded table)

    def descriptor_evaluate(self, descriptor, epochs, dataset, percentage=1.0, seed=None):
        return 0.5


def _identity(x):
    return x


def bench_tasks(env, n: int) -> dict:
    """Per-task seconds of ``map_evaluate`` and of a raw load-balanced map, and the 7 MB extra.

    The two maps alternate in ABBA order (raw, ours, ours, raw), each from a clean client:
    ipyparallel's ``map`` leaves its results in the client (``map_evaluate`` hands each result
    over and drops it), and that growing state slows whatever runs next by up to 30 %, so the
    client's local results are purged and garbage collected before every timed run. Each
    per-task time is the total over both of its runs.
    """
    view = env.client.load_balanced_view()
    small, big = Trivial(), Trivial(7.0)
    items = [{"t": i} for i in range(n)]
    view.map_sync(_identity, range(20))
    env.map_evaluate(items[:20], 1, None, evaluator=small)
    env.map_evaluate(items[:20], 1, None, evaluator=big)  # the 7 MB evaluator reaches each engine once
    runs = {"raw": lambda: view.map_sync(_identity, range(n)),
            "ours": lambda: env.map_evaluate(items, 1, None, evaluator=small)}
    spent = {"raw": 0.0, "ours": 0.0}
    for name in ("raw", "ours", "ours", "raw"):
        env.client.purge_local_results("all")
        gc.collect()
        t = time.perf_counter()
        runs[name]()
        spent[name] += time.perf_counter() - t
    m = max(20, n // 10)
    big_per = small_per = float("inf")
    for _ in range(3):  # interleaved, best of three: the machine is shared
        t = time.perf_counter()
        env.map_evaluate(items[:m], 1, None, evaluator=big)
        big_per = min(big_per, (time.perf_counter() - t) / m)
        t = time.perf_counter()
        env.map_evaluate(items[:m], 1, None, evaluator=small)
        small_per = min(small_per, (time.perf_counter() - t) / m)
    return {"raw": spent["raw"] / (2 * n), "ours": spent["ours"] / (2 * n), "extra_7mb": big_per - small_per}


class Lognormal:
    """Sleeps a lognormal time drawn from the evaluation's seed (median 0.5 s, sigma 0.8)."""

    def descriptor_evaluate(self, descriptor, seed=None):
        import time as _time

        import numpy as _np

        seconds = float(_np.random.default_rng(seed).lognormal(np.log(0.5), 0.8))
        _time.sleep(seconds)
        return (0.0, {"accuracy": 1.0 / (1.0 + seconds)}, seconds)


def bench_async(env, n: int) -> dict:
    from nasnb.spaces import layer_choice_space
    from nasnb.strategies import RegularizedEvolution

    out = {}
    for mode in ("async", "batch"):
        t = time.perf_counter()
        h = RegularizedEvolution(layer_choice_space(), 6, 2, seed=0, workers=2).run(Lognormal(), n, executor=env,
                                                                                      mode=mode)
        wall = time.perf_counter() - t
        out[mode] = float(np.sum(h.total_times)) / (2 * wall)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=200 if QUICK else 2000)
    parser.add_argument("--rows", type=int, default=2000 if QUICK else 100_000)
    parser.add_argument("--tasks", type=int, default=200 if QUICK else 10_000)
    parser.add_argument("--lognormal", type=int, default=6 if QUICK else 100)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "scale.md"))
    args = parser.parse_args()

    from bench_join import _LoadSampler  # (the script's folder is on sys.path)

    from nasnb.cluster import Cluster

    loads = _LoadSampler()
    rec = bench_recording(args.evaluations)
    hashes = bench_hash((2000, 10000) if not QUICK else (200, 1000))
    ours_df, raw_df = bench_dataframe(args.rows)
    with Cluster(n=2, timeout=120) as env:
        tasks = bench_tasks(env, args.tasks)
        eff = bench_async(env, args.lognormal)
    h_small, h_big = sorted(hashes)
    seen = loads.stop()
    lines = [
        "## Searches that scale (`benchmarks/bench_scale.py`)",
        "",
        f"Machine: {os.cpu_count()} cores; 2 MPI engines; one run, side by side"
        f"{' (QUICK mode: smoke test, not a measurement)' if QUICK else ''}.",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| recording per evaluation, {args.evaluations}-evaluation RE on NAS-Bench-Graph (search alone "
        f"{rec['plain']:.1f} us), one transaction per result | {rec[1]:.0f} us | <= 100 us (was 716 us) |",
        f"| the same with `group_commit=64` | {rec[64]:.0f} us | <= 100 us |",
        f"| canonical hash of a {h_small}-layer chain | {hashes[h_small]:.3f} s | <= 0.1 s at 2,000 (was 38.9 s) |",
        f"| canonical hash of a {h_big}-layer chain | {hashes[h_big]:.3f} s | <= 1 s at 10,000 |",
        f"| `to_dataframe()` vs `read_sql_query`, {args.rows} rows ({ours_df:.2f} s vs {raw_df:.2f} s) | "
        f"{ours_df / raw_df:.2f}x | <= 1.3x |",
        f"| `map_evaluate` vs raw ipyparallel map, {args.tasks} trivial tasks, each run twice in ABBA order from a clean client ({tasks['ours'] * 1e3:.2f} vs "
        f"{tasks['raw'] * 1e3:.2f} ms/task) | {tasks['ours'] / tasks['raw']:.2f}x | <= 1.2x (was 1.61x) |",
        f"| extra time per task of a 7 MB evaluator after its first | {tasks['extra_7mb'] * 1e3:.2f} ms | <= 1 ms "
        "(was ~11 ms) |",
        f"| parallel efficiency, lognormal times (median 0.5 s, sigma 0.8), {args.lognormal} evaluations on 2 "
        f"engines: asynchronous | {eff['async']:.3f} | >= 0.95 |",
        f"| the same, batch-synchronous | {eff['batch']:.3f} | (beside it; was 0.71) |",
        "",
        f"Load average (1 min) during the run, sampled every {_LoadSampler.EVERY:.0f} s: {min(seen):.1f} to "
        f"{max(seen):.1f}, mean {sum(seen) / len(seen):.1f}, on {os.cpu_count()} cores.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
