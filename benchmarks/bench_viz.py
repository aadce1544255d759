"""Benchmark of nasnb.viz: overlay of 500 architectures (goal <= 2 s) and a dashboard update
per new result (goal <= 100 ms). Also draws the README figures ``docs/img/overlay.png`` and
``docs/img/progress.png`` from a real search on NAS-Bench-Graph (cora).

Run: ``python3 benchmarks/bench_viz.py`` (writes ``benchmarks/results/viz.md``).
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nasnb.benchmarks import NASBenchGraph  # noqa: E402
from nasnb.results import EvaluationResult  # noqa: E402
from nasnb.strategies import RandomSearch, RegularizedEvolution  # noqa: E402
from nasnb.viz import LiveDashboard, SharedLayout, overlay_data, plot_overlay, plot_progress, progress_data  # noqa: E402

N_ARCH = 40 if os.environ.get("NASNB_BENCH_QUICK") else 500  # quick: smoke test (run_all.py --quick)
OVERLAY_GOAL_S = 2.0
UPDATE_GOAL_MS = 100.0


def searches():
    bench = NASBenchGraph("cora")
    evo = RegularizedEvolution(bench, population_size=50, sample_size=10, seed=0).run(bench, N_ARCH)
    rnd = RandomSearch(bench, population_size=50, seed=0).run(bench, N_ARCH)
    descriptors = [bench.to_descriptor(c) for c in evo.candidates]
    return evo, rnd, descriptors


def genome_lineage(n=N_ARCH, seed=0):
    """n DeepNEAT genomes (ch. 6 layer choices), each a mutant of one of the 50 most recent."""
    import numpy as np

    from nasnb.genomes import InnovationTracker, LayerChoiceGenes, minimal_genome, mutate_genome
    from nasnb.viz import genome_descriptor

    genes, tracker, rng = LayerChoiceGenes(), InnovationTracker(), np.random.default_rng(seed)
    rates = genes.default_rates()
    pool = [minimal_genome(genes, tracker, rng, layers=4)]
    while len(pool) < n:
        parent = pool[int(rng.integers(max(0, len(pool) - 50), len(pool)))]
        pool.append(mutate_genome(parent, genes, tracker, rng, rates)[0])
    return [genome_descriptor(g, genes) for g in pool]


def time_overlay(descriptors, repeats=3):
    rows = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        data = overlay_data(descriptors, SharedLayout())
        t1 = time.perf_counter()
        fig = plot_overlay(data, figsize=(9, 5))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        t2 = time.perf_counter()
        fig_p = plot_overlay(data, backend="plotly")
        t3 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, t3 - t2, len(fig_p.data)))
        del fig  # plot functions return figures that pyplot does not track
    return rows


def time_dashboard(evo, descriptors, n=N_ARCH):
    dash = LiveDashboard(title="NAS-Bench-Graph cora")
    dash.widget  # built and rendered as in a notebook
    costs = []
    for i in range(n):
        result = EvaluationResult(float("nan"), {}, 0.0, fitness=float(evo.fitness[i]), status=evo.statuses[i])
        t0 = time.perf_counter()
        dash.update(result, descriptor=descriptors[i], seq=i)
        costs.append((time.perf_counter() - t0) * 1000)
    return costs


def readme_figures(evo, rnd, descriptors):
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    fig = plot_overlay(descriptors)
    fig.axes[0].set_title(f"{len(descriptors)} DeepNEAT genomes of one mutation lineage (ch. 6 layer choices), "
                          f"each at opacity 1/{len(descriptors)}; inactive nodes faded", fontsize=9)
    fig.savefig(out / "overlay.png", dpi=110, bbox_inches="tight")
    fig = plot_progress(progress_data({"regularized evolution": evo.to_dataframe(),
                                       "random search": rnd.to_dataframe()}), figsize=(8, 4.5))
    fig.axes[0].set_title("NAS-Bench-Graph (cora): best validation accuracy so far")
    fig.axes[0].set_ylabel("validation accuracy")
    fig.savefig(out / "progress.png", dpi=110, bbox_inches="tight")
    return [out / "overlay.png", out / "progress.png"]


def main() -> None:
    t0 = time.perf_counter()
    evo, rnd, descriptors = searches()
    search_s = time.perf_counter() - t0
    lineage = genome_lineage()
    overlay = time_overlay(lineage)
    gather = min(r[0] for r in overlay)
    draw = min(r[1] for r in overlay)
    plotly_s = min(r[2] for r in overlay)
    total = min(r[0] + r[1] for r in overlay)
    costs = time_dashboard(evo, descriptors)
    mean_ms, p95 = statistics.mean(costs), sorted(costs)[int(0.95 * len(costs))]
    figures = readme_figures(evo, rnd, lineage)
    lines = [
        "## viz",
        "",
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
        f"overlay: {N_ARCH} DeepNEAT genomes of one mutation lineage ({len(overlay_data(lineage).keys)} distinct "
        f"nodes, whole graphs with inactive nodes); dashboard: the {N_ARCH} results of a regularized evolution on "
        f"NAS-Bench-Graph (cora) (search took {search_s:.2f} s). Best of 3 repeats for the overlay (the first "
        "call also pays matplotlib's one-off import).",
        "",
        "| measurement | value | goal | ratio (value / goal) |",
        "|---|---|---|---|",
        f"| overlay of {N_ARCH} architectures: gather (layout + counts) | {gather:.3f} s | | |",
        f"| overlay of {N_ARCH} architectures: matplotlib draw + PNG render | {draw:.3f} s | | |",
        f"| **overlay of {N_ARCH} architectures, total (gather + draw + PNG)** | **{total:.3f} s** | "
        f"≤ {OVERLAY_GOAL_S} s | {total / OVERLAY_GOAL_S:.2f} |",
        f"| overlay, plotly figure from gathered data ({overlay[0][3]} traces) | {plotly_s:.3f} s | | |",
        f"| **dashboard update per new result, mean over {len(costs)}** | **{mean_ms:.2f} ms** | "
        f"≤ {UPDATE_GOAL_MS:.0f} ms | {mean_ms / UPDATE_GOAL_MS:.3f} |",
        f"| dashboard update, 95th percentile / max | {p95:.2f} ms / {max(costs):.2f} ms | ≤ {UPDATE_GOAL_MS:.0f} ms"
        f" | {max(costs) / UPDATE_GOAL_MS:.3f} |",
        "",
        "README figures: " + ", ".join(str(p.relative_to(ROOT)) for p in figures) + ".",
        "",
    ]
    text = "\n".join(lines)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "viz.md").write_text(text)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
