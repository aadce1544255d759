"""Benchmark of nasnb.darts and nasnb.predictors (thesis ch. 7 and 8), side by side in one run.

1. DARTS epoch time on ``digits``: serial (this process, 1 thread) vs Algorithm 1 vs
   Algorithm 2 on a 2-engine MPI cluster (1 thread per engine); speed-up = serial epoch time /
   parallel epoch time (slowest rank), efficiency = speed-up / engines.
   Thesis reference: speed-up 1.82 on 2 GPUs.
2. EGraph (fixed small siamese GCN) vs ReNAS on NAS-Bench-Graph (cora): 450 training /
   1,050 held-out architectures, epsilon 0.003; training seconds, Kendall tau and top-50 % tau.
   Thesis reference (NAS-Bench-101): EGraph tau 0.907 (top-50 % 0.853), ReNAS 0.828-0.856.

Run ``python3 benchmarks/bench_predictors_darts.py`` (about 3 minutes on 2 idle cores; ``--quick``
for a smoke run). Writes ``benchmarks/results/predictors_darts.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nasnb.darts import DartsConfig, darts_parallel, darts_search  # noqa: E402
from nasnb.predictors import (SiameseRanker, default_gcn_descriptor, nas_bench_graph_dataset,  # noqa: E402
                              pairwise_scores, ranking_metrics, renas_scores, seeded, train_pairwise, train_renas)

RESULTS = Path(__file__).resolve().parent / "results" / "predictors_darts.md"


def bench_darts(quick: bool) -> tuple[list[str], list[dict]]:
    from nasnb.cluster import Cluster

    cfg = DartsConfig(channels=4 if quick else 8, layers=2 if quick else 3, nodes=2, epochs=2 if quick else 3,
                      batch_size=64, percentage=0.1 if quick else 1.0)
    torch.set_num_threads(1)
    rows = []
    serial = darts_search(cfg)
    # the first epoch includes one-off allocation costs; report the mean of the later ones
    s_epoch = float(np.mean(serial.epoch_seconds[1:]))
    rows.append({"run": "serial (1 process)", "engines": 1, "epoch_s": s_epoch, "steps": serial.steps_per_epoch,
                 "allreduce_per_epoch": 0, "val_acc": serial.val_accuracy[-1]})
    with Cluster(n=2, timeout=120) as env:
        for alg in ("algorithm1", "algorithm2"):
            res = darts_parallel(cfg, algorithm=alg, cluster=env)
            epoch = float(np.mean([max(r.epoch_seconds[e] for r in res) for e in range(1, cfg.epochs)]))
            rows.append({"run": f"{alg} (2 MPI engines)", "engines": 2, "epoch_s": epoch,
                         "steps": res[0].steps_per_epoch, "allreduce_per_epoch": res[0].allreduce_per_epoch[-1],
                         "val_acc": res[0].val_accuracy[-1]})
    lines = [f"DARTS search on digits ({cfg.channels} channels, {cfg.layers} cells, {cfg.nodes} nodes/cell, "
             f"batch {cfg.batch_size}, {cfg.epochs} epochs, {cfg.percentage:.0%} of the training set)", "",
             "| run | engines | steps/epoch/worker | all-reduces/epoch | epoch time (s) | speed-up | efficiency "
             "| final val. acc. |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        speedup = s_epoch / r["epoch_s"]
        lines.append(f"| {r['run']} | {r['engines']} | {r['steps']} | {r['allreduce_per_epoch']} | "
                     f"{r['epoch_s']:.2f} | {speedup:.2f} | {speedup / r['engines']:.2f} | {r['val_acc']:.3f} |")
    return lines, rows


def bench_predictors(quick: bool) -> tuple[list[str], dict]:
    torch.set_num_threads(1)
    n_train, n_test = (150, 350) if quick else (450, 1050)
    train, test = nas_bench_graph_dataset("cora", n=n_train + n_test, seed=0).split(n_train, n_test, seed=0)
    eg_pairs = 4000 if quick else None  # None: all 201,150 ordered pairs per epoch (thesis)
    d = default_gcn_descriptor([("sage_pool", "standard"), ("sage_pool", "standard")], "max")
    with seeded(0):
        model = SiameseRanker(d, train.num_features, base_width=32)
    rep = train_pairwise(model, train, epsilon=0.003, epochs=2, batch_size=256, pairs_per_epoch=eg_pairs, seed=0)
    eg = ranking_metrics(pairwise_scores(model, test), test.scores)
    rn_epochs = 2 if quick else 20
    renas, rrep = train_renas(train, epochs=rn_epochs, batch_size=1024, pairs_per_epoch=eg_pairs or 40000, seed=0)
    rn = ranking_metrics(renas_scores(renas, test), test.scores)
    lines = [f"EGraph vs ReNAS on NAS-Bench-Graph (cora), {n_train:,} train / {n_test:,} held-out, epsilon 0.003", "",
             "| predictor | setting | pairs seen | train time (s) | tau | top-50 % tau |", "|---|---|---|---|---|---|",
             f"| EGraph (siamese, 2 x SAGE-pool, width 32, max readout) | AdamW 1e-3, batch 256, 2 epochs | "
             f"{rep.pairs_seen} | {rep.seconds:.1f} | {eg['tau']:.3f} | {eg['top50_tau']:.3f} |",
             f"| ReNAS (1x6x6 tensor, LeNet-like, margin loss) | Adam 1e-3 wd 5e-4, batch 1024, {rn_epochs} epochs "
             f"x {(eg_pairs or 40000) // 1000}k pairs | {rrep.pairs_seen} | {rrep.seconds:.1f} | {rn['tau']:.3f} | {rn['top50_tau']:.3f} |"]
    return lines, {"egraph": eg, "renas": rn, "egraph_s": rep.seconds, "renas_s": rrep.seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    args = parser.parse_args()
    start = time.perf_counter()
    darts_lines, rows = bench_darts(args.quick)
    pred_lines, pred = bench_predictors(args.quick)
    serial = rows[0]["epoch_s"]
    goals = ["Against the goals:",
             f"* Algorithm 1 speed-up on 2 engines: {serial / rows[1]['epoch_s']:.2f} "
             f"(thesis 1.82 on 2 GPUs); Algorithm 2: {serial / rows[2]['epoch_s']:.2f}.",
             f"* EGraph tau {pred['egraph']['tau']:.3f} vs ReNAS tau {pred['renas']['tau']:.3f} "
             f"(EGraph better: {pred['egraph']['tau'] > pred['renas']['tau']}); training time ratio "
             f"EGraph/ReNAS {pred['egraph_s'] / max(pred['renas_s'], 1e-9):.2f}."]
    total = time.perf_counter() - start
    text = "\n".join(["## Predictors (EGraph, ReNAS) and data-parallel DARTS", "",
                      f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
                      f"1 thread per process; run took {total:.0f} s{' (--quick)' if args.quick else ''}.", "",
                      *darts_lines, "", *pred_lines, "", *goals, ""])
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
