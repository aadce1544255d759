"""Zero-cost proxies on NAS-Bench-201: speed, and the published rank correlation reproduced.

Run: ``python3 benchmarks/bench_proxies.py`` (all 15,625 CIFAR-10 cells on a 2-engine cluster;
about half an hour on a quiet 2-core machine) or ``--quick`` / ``NASNB_BENCH_QUICK=1`` (a seeded
sample of 200 cells, a few minutes). Writes ``benchmarks/results/proxies.md`` and, in full mode,
``notebooks/data/proxies_nb201_cifar10.csv`` (arch string → synflow and params of every cell,
the table notebook 09 reads; an interrupted run resumes from it).

Measured:

* synflow of one NAS-Bench-201 network, build included (descriptor → torch module → score),
  on one core: median over a seeded sample of cells (goal ≤ 100 ms);
* synflow + params of every cell (or of the sample) on ``nasnb.Cluster(n=2)``: wall time
  (goal ≤ 20 min for all 15,625 cells on 2 cores);
* zen and flops on a seeded sample (1,000 cells; 100 in quick mode);
* Spearman ρ of each data-free proxy against the mean recorded validation accuracy, where the
  embedded NAS-Bench-201 data are installed (published synflow: 0.737, Abdelfattah et al. 2021).
"""

from __future__ import annotations

import argparse
import csv
import functools
import itertools
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nasnb.benchmarks.nb201_format import EDGES, NB201_OPS, arch_string  # noqa: E402
from nasnb.benchmarks.nb201_network import nb201_network  # noqa: E402
from nasnb.proxies.table import score_candidates  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CSV = ROOT / "notebooks" / "data" / "proxies_nb201_cifar10.csv"  # the table notebook 09 reads
INPUT_SHAPE = (3, 32, 32)
FULL_PROXIES = ("synflow", "params")
SAMPLE_PROXIES = ("zen", "flops")
GOAL_MS, GOAL_MIN = 100.0, 20.0
ZEN_BATCH = 16


def all_cells() -> list[tuple[str, ...]]:
    """The 15,625 cells, in arch-string edge order."""
    return [tuple(c) for c in itertools.product(NB201_OPS, repeat=len(EDGES))]


def network(cell):
    return nb201_network(cell, 10)


def per_network_ms(cells) -> list[float]:
    """Milliseconds of build + synflow for each cell, one core, serially."""
    out = []
    for cell in cells:
        start = time.perf_counter()
        score_candidates(network, [cell], ("synflow",), input_shape=INPUT_SHAPE)
        out.append(1e3 * (time.perf_counter() - start))
    return out


def on_cluster(cells, proxies, chunks: int, sink=None):
    """Score ``cells`` on a 2-engine cluster in ``chunks`` tasks (inline without mpiexec).

    ``sink(rows)`` receives each task's rows as it finishes (the full run appends them to the CSV,
    so an interrupted run resumes where it stopped).
    """
    parts = [p for p in (cells[i::chunks] for i in range(chunks)) if p]
    score = functools.partial(score_candidates, network, proxies=proxies, input_shape=INPUT_SHAPE,
                              key=arch_string)
    rows = []
    if shutil.which("mpiexec") is None:
        start = time.perf_counter()
        for part in parts:
            rows.extend(score(part))
            if sink is not None:
                sink(rows[-len(part):])
        return rows, time.perf_counter() - start, "inline (mpiexec not installed)"
    import nasnb

    with nasnb.Cluster(n=2) as env:
        start = time.perf_counter()
        futures = [env.submit(score, part) for part in parts]
        for f in env.as_completed(futures):
            rows.extend(f.result())
            if sink is not None:
                sink(f.result())
        return rows, time.perf_counter() - start, "nasnb.Cluster(n=2)"


def accuracies():
    """Arch string → mean recorded validation accuracy of CIFAR-10 (None where the data are absent)."""
    try:
        from nasnb.benchmarks import NASBench201

        arrays = NASBench201.embedded("cifar10").arrays()
    except Exception as exc:  # noqa: BLE001 - optional data: say why and go on
        print(f"no embedded NAS-Bench-201 data ({type(exc).__name__}: {exc}); rank correlations skipped")
        return None
    return dict(zip(arrays["arch"], arrays["validation_accuracy"]))


HEADER = ["arch", *FULL_PROXIES, "status", "reason", "seconds"]


def read_csv(path: Path) -> list[dict]:
    """Rows of a (possibly partial) proxy table written by :func:`append_csv`."""
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        out = []
        for r in csv.DictReader(fh):
            row = {"key": r["arch"], "status": r["status"], "reason": r["reason"], "seconds": float(r["seconds"])}
            row.update({p: float(r[p]) for p in FULL_PROXIES if r[p] != ""})
            out.append(row)
        return out


def append_csv(rows, path: Path) -> None:
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(HEADER)
        for r in rows:
            w.writerow([r["key"], *(repr(r[p]) if p in r else "" for p in FULL_PROXIES), r["status"], r["reason"],
                        f"{r['seconds']:.4f}"])
        fh.flush()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("NASNB_BENCH_QUICK")),
                        help="a seeded sample of 200 cells (smoke test; also NASNB_BENCH_QUICK=1)")
    parser.add_argument("--chunks", type=int, default=64, help="tasks the cells are split into")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    cells = all_cells()
    if args.quick:
        cells = [cells[i] for i in sorted(rng.choice(len(cells), 200, replace=False))]
    timing_cells = [cells[i] for i in rng.choice(len(cells), 10 if args.quick else 50, replace=False)]
    ms = per_network_ms(timing_cells)
    median_ms = statistics.median(ms)
    print(f"synflow, build included, one core: median {median_ms:.1f} ms over {len(ms)} cells (goal ≤ {GOAL_MS:.0f})")

    done = {} if args.quick else {r["key"]: r for r in read_csv(CSV)}
    todo = [c for c in cells if arch_string(c) not in done]
    if done:
        print(f"resuming: {len(done)} cells already in {CSV.name}, {len(todo)} to score")
    sink = None if args.quick else (lambda part: append_csv(part, CSV))
    rows, seconds, where = on_cluster(todo, FULL_PROXIES, 4 if args.quick else args.chunks, sink)
    scored = len(rows)
    rows = list(done.values()) + rows
    failed = [r for r in rows if r["status"] != "done"]
    print(f"{scored} cells, synflow + params on {where}: {seconds:.1f} s ({seconds / 60:.2f} min; "
          f"goal ≤ {GOAL_MIN:.0f} min for 15,625), {len(failed)} of {len(rows)} not scored")
    sample = [cells[i] for i in sorted(rng.choice(len(cells), 100 if args.quick else 300, replace=False))]
    start = time.perf_counter()
    import torch

    # zen draws a Gaussian batch of this shape (the reference uses a minibatch, not one example)
    zen_batch = (torch.zeros((ZEN_BATCH, *INPUT_SHAPE)), None)
    sample_rows = score_candidates(network, sample, SAMPLE_PROXIES, input_shape=INPUT_SHAPE, key=arch_string,
                                   batch=zen_batch)
    sample_s = time.perf_counter() - start
    print(f"zen (batch {ZEN_BATCH}) + flops of {len(sample)} cells, one core: {sample_s:.1f} s")

    lines = ["## Zero-cost proxies (NAS-Bench-201, CIFAR-10)", "",
             f"Machine: {os.cpu_count()} cores; mode: {'quick (seeded 200-cell sample)' if args.quick else 'full'}.",
             "", "| measurement | value | goal |", "|---|---|---|",
             f"| synflow of one network, build included, median over {len(ms)} cells, one core | "
             f"{median_ms:.1f} ms | ≤ {GOAL_MS:.0f} ms |",
             f"| synflow + params of {scored} cells on {where} | {seconds / 60:.2f} min | "
             f"≤ {GOAL_MIN:.0f} min (15,625 cells) |",
             f"| zen (batch {ZEN_BATCH}) + flops of {len(sample)} cells, one core | {sample_s:.1f} s | |"]
    acc = accuracies()
    if acc is not None:
        from nasnb.proxies.table import rank_correlations

        lines += ["", "| proxy | Spearman ρ (ours) | cells | published (Abdelfattah et al. 2021) |", "|---|---|---|---|"]
        published = {"synflow": "0.74 (0.737)"}
        for rs, names in ((rows, FULL_PROXIES), (sample_rows, SAMPLE_PROXIES)):
            for name, c in rank_correlations(rs, acc, names).items():
                print(f"Spearman rho {name}: {c['rho']:.3f} over {c['n']} cells ({c['left_out']} left out)")
                lines.append(f"| {name} | {c['rho']:.3f} | {c['n']} | {published.get(name, '—')} |")
    text = "\n".join(lines) + "\n"
    out = RESULTS / "proxies.md"
    if not args.quick or not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
