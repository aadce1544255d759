"""Zero-cost proxies on NAS-Bench-201: speed, and the published rank correlation reproduced.

Run: ``python3 benchmarks/bench_proxies.py`` (all 15,625 CIFAR-10 cells on a 2-engine cluster;
resumes from the committed table, so a full re-run needs the table moved away),
``--cells N`` (a seeded sample of N cells on the cluster, time extrapolated to 15,625; the table is
not touched) or ``--quick`` / ``NASNB_BENCH_QUICK=1`` (CI smoke test, a few seconds: 5 timed cells,
16 cells scored inline, no cluster). Writes ``benchmarks/results/proxies.md`` (not in quick mode)
and, in full mode, ``notebooks/data/proxies_nb201_cifar10.csv`` (arch string → synflow and params of
every cell, the table notebook 09 reads; an interrupted run resumes from it).

Measured:

* synflow of one NAS-Bench-201 network, build included (descriptor → torch module → score, as
  :func:`nasnb.proxies.score_candidates` does it), on one core: median over a seeded sample of cells
  (goal ≤ 100 ms), side by side with the same network hand-written in plain torch
  (``_nb201_reference.py``, same creation order and seed: its score must equal nasnb's bit for
  bit) -- the ratio of the two is what nasnb adds, whatever the load of the machine, which is
  reported with every timing (1-minute load average, ``os.getloadavg``);
* synflow + params of every cell (or of the sample) on ``nasnb.Cluster(n=2)``: wall time
  (goal ≤ 20 min for all 15,625 cells on 2 cores);
* zen and flops on a seeded sample (300 cells; 8 in quick mode);
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
sys.path.insert(0, str(Path(__file__).resolve().parent))  # _nb201_reference

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


def load() -> float:
    """1-minute load average (every timing here scales with it on a shared machine)."""
    return os.getloadavg()[0]


def side_by_side(cells) -> dict[str, list[float]]:
    """Milliseconds of build + synflow per cell, one core: nasnb and the hand-written torch network.

    Both are timed on every cell, alternating which goes first; a warm-up pair runs untimed. The
    two scores must agree (same weights, same arithmetic order: bit for bit; a relative difference
    over 1e-9 would mean different networks and stops the benchmark).
    """
    import torch
    from _nb201_reference import reference_network

    from nasnb.proxies import synflow

    torch.set_num_threads(1)
    ones = torch.zeros((1, *INPUT_SHAPE))

    def ours(cell):
        return score_candidates(network, [cell], ("synflow",), input_shape=INPUT_SHAPE)[0]["synflow"]

    def reference(cell):
        return synflow(reference_network(cell, 10, seed=0), ones, copy=False)

    out: dict[str, list] = {"nasnb": [], "torch": [], "identical": []}
    ours(cells[0]), reference(cells[0])  # warm-up
    for i, cell in enumerate(cells):
        scores = {}
        for name in ("nasnb", "torch") if i % 2 == 0 else ("torch", "nasnb"):
            start = time.perf_counter()
            scores[name] = (ours if name == "nasnb" else reference)(cell)
            out[name].append(1e3 * (time.perf_counter() - start))
        if abs(scores["nasnb"] - scores["torch"]) > 1e-9 * abs(scores["torch"]):
            raise SystemExit(
                f"synflow of {arch_string(cell)}: nasnb {scores['nasnb']!r} != hand-written "
                f"torch {scores['torch']!r}; the networks differ, the timing comparison is void"
            )
        out["identical"].append(scores["nasnb"] == scores["torch"])
    return out


def on_cluster(cells, proxies, chunks: int, sink=None):
    """Score ``cells`` on a 2-engine cluster in ``chunks`` tasks (inline without mpiexec).

    ``sink(rows)`` receives each task's rows as it finishes (the full run appends them to the CSV,
    so an interrupted run resumes where it stopped).
    """
    parts = [p for p in (cells[i::chunks] for i in range(chunks)) if p]
    score = functools.partial(score_candidates, network, proxies=proxies, input_shape=INPUT_SHAPE, key=arch_string)
    rows = []
    if shutil.which("mpiexec") is None:
        start = time.perf_counter()
        for part in parts:
            rows.extend(score(part))
            if sink is not None:
                sink(rows[-len(part) :])
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
            w.writerow(
                [
                    r["key"],
                    *(repr(r[p]) if p in r else "" for p in FULL_PROXIES),
                    r["status"],
                    r["reason"],
                    f"{r['seconds']:.4f}",
                ]
            )
        fh.flush()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=bool(os.environ.get("NASNB_BENCH_QUICK")),
        help="smoke test in a few seconds, no cluster (also NASNB_BENCH_QUICK=1)",
    )
    parser.add_argument(
        "--cells",
        type=int,
        default=None,
        help="score a seeded sample of this many cells on the cluster (time extrapolated to "
        "15,625; the committed table is not touched)",
    )
    parser.add_argument("--chunks", type=int, default=64, help="tasks the cells are split into")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    cells = all_cells()
    n_all = len(cells)
    if args.quick:
        cells = [cells[i] for i in sorted(rng.choice(len(cells), 16, replace=False))]
    elif args.cells:
        cells = [cells[i] for i in sorted(rng.choice(len(cells), args.cells, replace=False))]
    timing_cells = [cells[i] for i in rng.choice(len(cells), 5 if args.quick else 50, replace=False)]
    load_before = load()
    ms = side_by_side(timing_cells)
    load_after = load()
    identical = sum(ms.pop("identical"))
    med = {k: statistics.median(v) for k, v in ms.items()}
    ratio = statistics.median(a / b for a, b in zip(ms["nasnb"], ms["torch"]))
    print(
        f"synflow, build included, one core, median over {len(timing_cells)} cells (load {load_before:.1f} → "
        f"{load_after:.1f}): nasnb {med['nasnb']:.1f} ms (goal ≤ {GOAL_MS:.0f}), hand-written torch "
        f"{med['torch']:.1f} ms; per-cell ratio nasnb / torch median {ratio:.2f}"
    )

    writes_table = not args.quick and not args.cells
    done = {r["key"]: r for r in read_csv(CSV)} if writes_table else {}
    todo = [c for c in cells if arch_string(c) not in done]
    if done:
        print(f"resuming: {len(done)} cells already in {CSV.name}, {len(todo)} to score")
    sink = (lambda part: append_csv(part, CSV)) if writes_table else None
    load_before_table = load()
    if args.quick:  # inline: a cluster start alone would take longer than the whole smoke test
        start = time.perf_counter()
        rows = score_candidates(network, todo, FULL_PROXIES, input_shape=INPUT_SHAPE, key=arch_string)
        seconds, where = time.perf_counter() - start, "one core, inline (quick mode)"
    else:
        rows, seconds, where = on_cluster(todo, FULL_PROXIES, args.chunks, sink)
    load_after_table = load()
    scored = len(rows)
    per_cell = statistics.median(r["seconds"] for r in rows) if rows else float("nan")
    rows = list(done.values()) + rows
    failed = [r for r in rows if r["status"] != "done"]
    all_min = seconds / 60 * n_all / scored if scored else float("nan")
    print(
        f"{scored} cells, synflow + params on {where}: {seconds:.1f} s ({seconds / 60:.2f} min, "
        f"{all_min:.1f} min for {n_all:,} at this rate; goal ≤ {GOAL_MIN:.0f} min; load {load_before_table:.1f} → "
        f"{load_after_table:.1f}), median {1e3 * per_cell:.0f} ms per cell, {len(failed)} of {len(rows)} not scored"
    )
    sample = [cells[i] for i in sorted(rng.choice(len(cells), 6 if args.quick else 300, replace=False))]
    start = time.perf_counter()
    import torch

    # zen draws a Gaussian batch of this shape (the reference uses a minibatch, not one example)
    zen_size = 4 if args.quick else ZEN_BATCH
    zen_batch = (torch.zeros((zen_size, *INPUT_SHAPE)), None)
    sample_rows = score_candidates(
        network, sample, SAMPLE_PROXIES, input_shape=INPUT_SHAPE, key=arch_string, batch=zen_batch
    )
    sample_s = time.perf_counter() - start
    print(f"zen (batch {zen_size}) + flops of {len(sample)} cells, one core: {sample_s:.1f} s")

    mode = "quick (smoke test)" if args.quick else f"seeded sample of {len(cells):,} cells" if args.cells else "full"
    met = lambda ok: "met" if ok else "not met"  # noqa: E731
    lines = [
        "## Zero-cost proxies (issue 22): NAS-Bench-201 CIFAR-10",
        "",
        f"Machine: {os.cpu_count()} cores shared with other jobs; Python {sys.version.split()[0]}, "
        f"torch {torch.__version__}; mode: {mode}. Every network is the whole published one built by nasnb "
        "with seed 0 (descriptor → `build_network` → score); the load is the 1-minute load average before → "
        "after each measurement.",
        "",
        "| measurement | value | goal | status |",
        "|---|---|---|---|",
        f"| synflow of one network, build included, median over {len(timing_cells)} cells, one core "
        f"(load {load_before:.1f} → {load_after:.1f}) | {med['nasnb']:.1f} ms | ≤ {GOAL_MS:.0f} ms | "
        f"{met(med['nasnb'] <= GOAL_MS)} |",
        f"| same, the network hand-written in plain torch (`_nb201_reference.py`; scores bit for bit equal in "
        f"{identical} of {len(timing_cells)} cells), side by side | "
        f"{med['torch']:.1f} ms | | |",
        f"| nasnb / hand-written torch, median of the per-cell ratios (independent of the load) | "
             f"{ratio:.2f} | | |",
        f"| synflow + params of {scored:,} cells on {where} (load {load_before_table:.1f} → "
        f"{load_after_table:.1f}) | {seconds / 60:.2f} min ({1e3 * per_cell:.0f} ms per cell, median) | | |",
        f"| the same for all {n_all:,} cells{' (extrapolated)' if scored != n_all else ''} | {all_min:.1f} min | "
        f"≤ {GOAL_MIN:.0f} min | {'— (one core)' if args.quick else met(all_min <= GOAL_MIN)} |",
        f"| cells a proxy could not score | {len(failed)} of {len(rows):,} | | |",
        f"| zen (batch {zen_size}) + flops of {len(sample)} cells, one core | {sample_s:.1f} s | | |",
    ]
    acc = accuracies()
    if acc is not None:
        from nasnb.proxies.table import rank_correlations

        lines += [
            "",
            "| proxy | Spearman ρ (ours) | cells | published (Abdelfattah et al. 2021, Table 2) |",
            "|---|---|---|---|",
        ]
        published = {"synflow": "0.74 (0.737)"}
        for rs, names in ((rows, FULL_PROXIES), (sample_rows, SAMPLE_PROXIES)):
            for name, c in rank_correlations(rs, acc, names).items():
                print(f"Spearman rho {name}: {c['rho']:.3f} over {c['n']} cells ({c['left_out']} left out)")
                lines.append(f"| {name} | {c['rho']:.4f} | {c['n']:,} | {published.get(name, '—')} |")
    text = "\n".join(lines) + "\n"
    if not args.quick:
        out = RESULTS / "proxies.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
