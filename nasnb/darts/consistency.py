"""Chapter-8 consistency analysis of DARTS runs across worker counts.

:func:`darts_consistency_report` takes DARTS results grouped by worker count (e.g. 4 seeds ×
{1, 2, 4} workers) and assembles, with the functions of :mod:`nasnb.analysis`:

* graph edit distances between derived normal / reduction cells, for every pair of runs
  *within* a group and *between* two groups (:func:`nasnb.analysis.graph_edit_distance` on
  :func:`~nasnb.darts.derive.cell_graph`);
* a Kruskal–Wallis test per cell type over the GED groups (``"1-1"``, ``"1-2"``, ...)
  (:func:`nasnb.analysis.kruskal_test`);
* two-sample Kolmogorov–Smirnov tests between the groups' validation accuracies from epoch
  ``first_epoch`` on, with Benjamini–Hochberg correction (:func:`nasnb.analysis.pairwise_tests`).

Examples
--------
>>> from nasnb.darts.derive import Genotype
>>> a = Genotype((("sep_conv_3x3", 0), ("identity", 1)), (("max_pool_3x3", 0), ("identity", 1)))
>>> b = Genotype((("sep_conv_5x5", 0), ("identity", 1)), (("max_pool_3x3", 0), ("identity", 1)))
>>> rep = darts_consistency_report({1: [a, a], 2: [b, a]},
...                                curves={1: [[.1, .2, .3], [.1, .25, .3]], 2: [[.1, .2, .35], [.2, .3, .3]]})
>>> sorted(rep.ged["pair"].unique())
['1-1', '1-2', '2-2']
>>> list(rep.kruskal)
['normal', 'reduce']
>>> rep.ks[["group_a", "group_b"]].values.tolist()
[[1, 2]]
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nasnb._validation import check_nonnegative_int, parameter_error
from nasnb.darts.derive import Genotype, cell_graph

__all__ = ["ConsistencyReport", "darts_consistency_report"]

logger = logging.getLogger(__name__)


@dataclass
class ConsistencyReport:
    """GEDs (long frame: cell, pair, group_a, group_b, run_a, run_b, ged), Kruskal–Wallis per
    cell type (``{cell: {"statistic", "pvalue", "groups"}}``), and the KS + BH frame."""

    ged: pd.DataFrame
    kruskal: dict
    ks: pd.DataFrame | None

    def summary(self) -> pd.DataFrame:
        """Mean / std / count of the GEDs per cell type and group pair."""
        return self.ged.groupby(["cell", "pair"])["ged"].agg(["mean", "std", "count"]).reset_index()


def _genotype(item: Any) -> Genotype:
    if isinstance(item, Genotype):
        return item
    g = getattr(item, "genotype", None)
    if isinstance(g, Genotype):
        return g
    raise parameter_error("results", "darts_consistency_report", "DartsResult or Genotype items", type(item).__name__)


def _curve(item: Any) -> list:
    return list(item) if not hasattr(item, "val_accuracy") else list(item.val_accuracy)


def darts_consistency_report(
    results: Mapping[Any, Sequence[Any]],
    *,
    curves: Mapping[Any, Sequence[Any]] | None = None,
    first_epoch: int = 0,
    ged_timeout: float | None = 10.0,
    alpha: float = 0.05,
) -> ConsistencyReport:
    """GEDs + Kruskal–Wallis between derived cells, KS + BH between validation curves.

    Parameters
    ----------
    results : mapping label -> sequence of DartsResult or Genotype
        Runs grouped by worker count (labels such as 1, 2, 4).
    curves : mapping label -> sequence of curves, optional
        Validation accuracies per epoch for each run; default: ``val_accuracy`` of the results
        (omitted when the results are bare genotypes).
    first_epoch : int
        Compare accuracies from this epoch (0-based) on (thesis: epochs 10–100).
    ged_timeout : float, optional
        Seconds per exact GED (networkx returns the best bound found by then).
    alpha : float
        False discovery rate of the BH-corrected KS tests.
    """
    from nasnb.analysis import graph_edit_distance, kruskal_test, pairwise_tests

    func = "darts_consistency_report"
    first_epoch = check_nonnegative_int(first_epoch, "first_epoch", func)
    if not isinstance(results, Mapping) or not results:
        raise parameter_error("results", func, "a non-empty mapping of label -> runs", type(results).__name__)
    labels = list(results)
    genotypes = {k: [_genotype(r) for r in results[k]] for k in labels}
    rows = []
    for cell in ("normal", "reduce"):
        graphs = {k: [cell_graph(g, cell) for g in genotypes[k]] for k in labels}
        for ka, kb in itertools.combinations_with_replacement(labels, 2):
            index_pairs: Iterable[tuple[int, int]]
            if ka == kb:
                index_pairs = itertools.combinations(range(len(graphs[ka])), 2)
            else:
                index_pairs = itertools.product(range(len(graphs[ka])), range(len(graphs[kb])))
            for i, j in index_pairs:
                d = graph_edit_distance(graphs[ka][i], graphs[kb][j], timeout=ged_timeout)
                rows.append(
                    {"cell": cell, "pair": f"{ka}-{kb}", "group_a": ka, "group_b": kb, "run_a": i, "run_b": j, "ged": d}
                )
    ged = pd.DataFrame(rows, columns=["cell", "pair", "group_a", "group_b", "run_a", "run_b", "ged"])
    kruskal = {}
    for cell in ("normal", "reduce"):
        groups = {p: g["ged"].to_numpy() for p, g in ged[ged["cell"] == cell].groupby("pair", sort=True)}
        groups = {p: v for p, v in groups.items() if len(v)}
        if len(groups) >= 2:
            values = np.concatenate(list(groups.values()))
            if np.all(values == values[0]):  # identical GEDs everywhere: no evidence of a difference
                kruskal[cell] = {"statistic": 0.0, "pvalue": 1.0, "groups": sorted(groups)}
            else:
                res = kruskal_test(*groups.values())
                kruskal[cell] = {
                    "statistic": float(res.statistic),
                    "pvalue": float(res.pvalue),
                    "groups": sorted(groups),
                }
    ks = None
    if curves is None and all(hasattr(r, "val_accuracy") for k in labels for r in results[k]):
        curves = {k: [_curve(r) for r in results[k]] for k in labels}
    if curves is not None and len(curves) >= 2:
        pooled = {k: np.concatenate([np.asarray(_curve(c), float)[first_epoch:] for c in curves[k]]) for k in curves}
        ks = pairwise_tests(pooled, test="ks", alpha=alpha)
    logger.debug("consistency report: %d GEDs", len(ged))
    return ConsistencyReport(ged, kruskal, ks)
