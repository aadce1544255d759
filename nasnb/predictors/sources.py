"""Architecture datasets from the shipped NAS-Bench-Graph tables.

NAS-Bench-Graph (Qin et al., 2022) records 26,206 GNN architectures: four op nodes, each fed
by the input (``0``) or an earlier op node (``k``), over nine ops (gat, gcn, gin, cheb, sage,
arma, graph, fc, skip); op nodes that feed no other node are merged into the output. Each
architecture becomes a graph ``input → ops → output`` whose node labels are the op strings.

Examples
--------
>>> ds = nas_bench_graph_dataset("cora", n=20, seed=0)
>>> len(ds), ds.graphs[0].ops[0], ds.graphs[0].ops[-1]
(20, 'input', 'output')
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from nasnb._optional import require
from nasnb._validation import check_choice, check_positive_int
from nasnb.exceptions import DatasetError
from nasnb.predictors.datasets import ArchitectureDataset, ArchitectureGraph

__all__ = ["nas_bench_graph_dataset", "nas_bench_graph_architecture"]

logger = logging.getLogger(__name__)

_SCORES = ("valid_perf", "perf")


def nas_bench_graph_architecture(link, ops, key: str) -> ArchitectureGraph:
    """Graph of one NAS-Bench-Graph architecture ``(link, ops)``.

    Examples
    --------
    >>> g = nas_bench_graph_architecture([0, 0, 1, 2], ["gcn", "gat", "sage", "skip"], "k")
    >>> g.ops, g.edges
    (('input', 'gcn', 'gat', 'sage', 'skip', 'output'), ((0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)))
    """
    n = len(ops)
    nodes = ("input",) + tuple(ops) + ("output",)
    edges = [(int(src), k + 1) for k, src in enumerate(link)]
    used = {int(src) for src in link}
    edges += [(k + 1, n + 1) for k in range(n) if (k + 1) not in used]
    return ArchitectureGraph(nodes, tuple(sorted(edges)), key, tuple({} for _ in nodes))


def nas_bench_graph_dataset(
    dataset: str = "cora", *, n: int | None = None, seed: Any = None, score: str = "valid_perf", benchmark: Any = None
) -> ArchitectureDataset:
    """Architecture dataset of NAS-Bench-Graph on one graph dataset.

    Parameters
    ----------
    dataset : str
        NAS-Bench-Graph dataset (``"cora"``, ``"citeseer"``, ``"pubmed"``, ...).
    n : int, optional
        Draw ``n`` distinct architectures (seeded, through ``benchmark``); all 26,206 when omitted.
    seed : int or Generator, optional
        Seed of the draw.
    score : {"valid_perf", "perf"}
        Validation (default) or test accuracy as the score.
    benchmark : nasnb.benchmarks.NASBenchGraph, optional
        The benchmark to draw from when ``n`` is given (default ``NASBenchGraph(dataset)``):
        architectures are drawn with its ``sample`` and keyed by its canonical ``key``. The full
        table (``n=None``) is enumerated from the ``nas_bench_graph`` package directly.

    Returns
    -------
    ArchitectureDataset
        Node labels ``input``, the nine op names, ``output``.
    """
    check_choice(score, _SCORES, "score", "nas_bench_graph_dataset")
    if n is not None:
        n = check_positive_int(n, "n", "nas_bench_graph_dataset")
        if benchmark is None:
            from nasnb.benchmarks import NASBenchGraph

            benchmark = NASBenchGraph(dataset)
        arch_mod = require("nas_bench_graph.architecture", extra="data", purpose="read NAS-Bench-Graph")
        vocabulary = ("input",) + tuple(arch_mod.gnn_list) + ("output",)
        return ArchitectureDataset.from_benchmark(
            benchmark,
            n=n,
            seed=seed,
            vocabulary=vocabulary,
            score="fitness" if score == "valid_perf" else "test_score",
            name=f"nas-bench-graph-{dataset}",
        )
    nbg = require("nas_bench_graph", extra="data", purpose="read NAS-Bench-Graph")
    arch_mod = require("nas_bench_graph.architecture", extra="data", purpose="read NAS-Bench-Graph")
    if dataset == "proteins":
        raise DatasetError("nas_bench_graph_dataset does not support the 'proteins' table (different op list).")
    try:
        table = nbg.light_read(dataset)
    except (FileNotFoundError, KeyError, OSError) as exc:
        raise DatasetError(f"NAS-Bench-Graph has no table for dataset {dataset!r}.") from exc
    ops_list = arch_mod.gnn_list
    base = len(ops_list) + 1
    found = {}  # hash -> (link, ops); same arithmetic as Arch.hash_arch (checked in the tests)
    for li, link in enumerate(arch_mod.link_list):
        for combo in itertools.product(range(len(ops_list)), repeat=len(link)):
            h = li
            for o in combo:
                h = h * base + o
            if h in table and h not in found:
                found[h] = (link, combo)
    keys = sorted(found)
    graphs = [nas_bench_graph_architecture(found[h][0], [ops_list[o] for o in found[h][1]], str(h)) for h in keys]
    scores = [float(table[h][score]) for h in keys]
    logger.debug("NAS-Bench-Graph %s: %d architectures", dataset, len(keys))
    vocabulary = ("input",) + tuple(ops_list) + ("output",)
    return ArchitectureDataset(graphs, scores, vocabulary=vocabulary, name=f"nas-bench-graph-{dataset}")
