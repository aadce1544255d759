"""The cluster as a search executor vs ``map_evaluate``, measured side by side in one run (issue 12).

1. ``Strategy.run(executor=cluster)`` vs ``Cluster.map_evaluate`` of the very same descriptors
   and seeds: N one-epoch ``digits`` evaluations (the README's twelve-choice space, 16 channels)
   on 2 MPI engines (goal <= 1.05x; the first landing measured 1.42x). The search runs steady
   state (``mode="async"`` with 2 evaluations in flight per engine, so an engine never waits for
   the client) and batch-synchronous cycles of 2 (the thesis' cycle, shown beside it).
2. Data-set loads per path: a loader that logs each call (goal: one per engine, not one per
   evaluation: the first landing loaded 40 times for 40 evaluations).
3. ``mnist1d`` (a data set that takes seconds to generate) per evaluation on the executor path
   vs ``map_evaluate`` (goal <= 1.1x; the first landing measured 10.9x).

Run ``python3 benchmarks/bench_executor.py``; ``NASNB_BENCH_QUICK=1`` shrinks it to a smoke
test. Writes ``benchmarks/results/executor.md``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

QUICK = os.environ.get("NASNB_BENCH_QUICK") == "1"


def logged_digits(log_path):
    """scikit-learn's digits, appending one line to ``log_path`` per load."""
    from sklearn.datasets import load_digits

    with open(log_path, "a") as fh:
        fh.write(f"{os.getpid()}\n")
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32").reshape(-1, 1, 8, 8)
    return x[:1400], y[:1400], x[1400:], y[1400:]


def _evaluator(dataset_log=None):
    from nasnb.data import default_datasets
    from nasnb.evaluators import LocalEvaluator

    datasets = default_datasets()
    if dataset_log is not None:
        datasets.add_classification_dataset("logged", 10, (8, 8), 1, logged_digits,
                                            loader_kwargs={"log_path": str(dataset_log)})
    return LocalEvaluator("Adam", {"lr": 0.01}, batch_size=128, datasets=datasets)


def _search(space, workers=2):
    from nasnb.strategies import RegularizedEvolution

    return RegularizedEvolution(space, 8, 3, seed=0, workers=workers)


def _loads(path: Path) -> int:
    return len(path.read_text().split()) if path.exists() else 0


def compare(env, space, dataset: str, n: int, tmp: Path, tag: str, per_engine: int = 2) -> dict:
    """Time the executor path (an asynchronous search) and map_evaluate on the same descriptors and seeds.

    Each path gets its own evaluator (so each loads its data once per engine); the engines are
    warmed up first with random architectures of the same space, so neither side pays for a
    cold start alone. The asynchronous search keeps ``per_engine`` evaluations in flight per engine.
    """
    kwargs = {"epochs": 1, "dataset": dataset}
    logs = {k: tmp / f"{tag}-{k}.txt" for k in ("warm", "run", "map")}
    logged = dataset == "logged"
    rng = np.random.default_rng(123)
    warm = [space.to_descriptor(space.sample(rng)) for _ in range(2 * env.num_engines)]
    env.map_evaluate(warm, 1, dataset, seeds=range(len(warm)), evaluator=_evaluator(logs["warm"] if logged else None))
    workers = per_engine * env.num_engines
    ev_run = _evaluator(logs["run"] if logged else None)
    t = time.perf_counter()  # with 2 queued per engine the next one starts without a round trip
    history = _search(space, workers).run(ev_run, n, executor=env, evaluate_kwargs=kwargs, mode="async")
    run_s = time.perf_counter() - t
    search = _search(space, workers)
    search.reset()
    seeds = [search.trial_seed(i) for i in range(n)]
    descriptors = [space.to_descriptor(c) for c in history.candidates]
    ev_map = _evaluator(logs["map"] if logged else None)
    t = time.perf_counter()
    env.map_evaluate(descriptors, 1, dataset, seeds=seeds, evaluator=ev_map)
    map_s = time.perf_counter() - t
    return {"run": run_s, "map": map_s, "loads_run": _loads(logs["run"]), "loads_map": _loads(logs["map"]),
            "done": history.status_counts}


def compare_batch(env, space, n: int, tmp: Path, tag: str) -> tuple[float, int]:
    """The same search batch-synchronous (cycles of 2) on the logged digits: seconds and data-set loads."""
    log = tmp / f"{tag}-batch.txt"
    t = time.perf_counter()
    _search(space).run(_evaluator(log), n, executor=env, evaluate_kwargs={"epochs": 1, "dataset": "logged"},
                       mode="batch")
    return time.perf_counter() - t, _loads(log)


class Sleeper:
    """An evaluation that waits 50 ms without using the CPU (isolates the executor's own cost)."""

    def descriptor_evaluate(self, descriptor, epochs=1, dataset=None, percentage=1.0, seed=None):
        time.sleep(0.05)
        return 0.5


def compare_sleep(env, space, n: int) -> tuple[float, float]:
    workers = 2 * env.num_engines
    t = time.perf_counter()
    history = _search(space, workers).run(Sleeper(), n, executor=env, mode="async")
    run_s = time.perf_counter() - t
    search = _search(space, workers)
    search.reset()
    t = time.perf_counter()
    env.map_evaluate([space.to_descriptor(c) for c in history.candidates], 1, None,
                     seeds=[search.trial_seed(i) for i in range(n)], evaluator=Sleeper())
    return run_s, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=4 if QUICK else 40)
    parser.add_argument("--mnist1d", type=int, default=2 if QUICK else 10)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "executor.md"))
    args = parser.parse_args()

    from nasnb.cluster import Cluster
    from nasnb.spaces import layer_choice_space

    conv = layer_choice_space(channels=16)  # the README's first study
    with tempfile.TemporaryDirectory() as tmp, Cluster(n=2, timeout=120) as env:
        engines = env.num_engines
        digits = compare(env, conv, "logged", args.evaluations, Path(tmp), "digits")
        digits["batch"], digits["loads_batch"] = compare_batch(env, conv, args.evaluations, Path(tmp), "digits")
        one_each = compare(env, conv, "digits", args.evaluations, Path(tmp), "digits-1", per_engine=1)
        sleep_run, sleep_map = compare_sleep(env, conv, args.evaluations)
        m1d = compare(env, layer_choice_space(channels=16), "mnist1d", args.mnist1d, Path(tmp), "mnist1d")

    ratio = digits["run"] / digits["map"]
    ratio_batch = digits["batch"] / digits["map"]
    per_run, per_map = m1d["run"] / args.mnist1d, m1d["map"] / args.mnist1d
    lines = [
        "## The cluster as a search executor (`benchmarks/bench_executor.py`)",
        "",
        f"Machine: {os.cpu_count()} cores; {engines} MPI engines; one run, side by side"
        f"{' (QUICK mode: smoke test, not a measurement)' if QUICK else ''}.",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| `run(executor=cluster)` (async, 4 workers on 2 engines) vs `map_evaluate`, {args.evaluations} one-epoch digits "
        f"evaluations ({digits['run']:.2f} s vs {digits['map']:.2f} s) | {ratio:.3f}x | <= 1.05x (was 1.42x) |",
        f"| the same with 2 workers (1 in flight per engine): {one_each['run']:.2f} s vs {one_each['map']:.2f} s "
        f"| {one_each['run'] / one_each['map']:.3f}x | <= 1.05x (was 1.12x) |",
        f"| the same, batch-synchronous cycles of 2 ({digits['batch']:.2f} s) | {ratio_batch:.3f}x | (shown beside) |",
        f"| the same search with evaluations that sleep 50 ms (no CPU shared between client and engines): "
        f"{sleep_run:.2f} s vs {sleep_map:.2f} s | {sleep_run / sleep_map:.3f}x | <= 1.05x |",
        f"| data-set loads: executor path async / batch / map_evaluate | {digits['loads_run']} / "
        f"{digits['loads_batch']} / {digits['loads_map']} | = engines ({engines}) (was 40) |",
        f"| mnist1d per evaluation: executor path {per_run:.2f} s vs map_evaluate {per_map:.2f} s "
        f"({args.mnist1d} evaluations) | {per_run / per_map:.3f}x | <= 1.1x (was 10.9x) |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
