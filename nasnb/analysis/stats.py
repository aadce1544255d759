"""Tests between groups (KS, Kruskal-Wallis, Mann-Whitney, Wilcoxon, Benjamini-Hochberg) and graph edit distance.

Thin validated wrappers over :mod:`scipy.stats` and :func:`networkx.graph_edit_distance`, as
used in the thesis' chapter 8 analysis (GED between derived cells, Kruskal-Wallis on the
GEDs, KS on validation accuracies with Benjamini-Hochberg correction).

Examples
--------
>>> res = ks_test([0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8])
>>> round(float(res.pvalue), 4)
0.0286
"""

from __future__ import annotations

import collections
import itertools
import logging
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from nasnb._validation import check_choice, check_fraction, parameter_error
from nasnb.analysis.ranking import as_scores
from nasnb.exceptions import ParameterError

__all__ = [
    "ks_test",
    "kruskal_test",
    "mannwhitney_test",
    "wilcoxon_test",
    "benjamini_hochberg",
    "pairwise_tests",
    "graph_edit_distance",
]

logger = logging.getLogger(__name__)

_AllTied = collections.namedtuple("_AllTied", "statistic pvalue")  # wilcoxon_test when every pair ties


def ks_test(a, b, *, alternative: str = "two-sided"):
    """Two-sample Kolmogorov-Smirnov test (:func:`scipy.stats.ks_2samp`); returns ``(statistic, pvalue)``.

    Examples
    --------
    >>> float(ks_test([1, 2, 3], [1, 2, 3]).pvalue)
    1.0
    """
    func = "ks_test"
    alternative = check_choice(alternative, ("two-sided", "less", "greater"), "alternative", func)
    return stats.ks_2samp(as_scores(a, "a", func), as_scores(b, "b", func), alternative=alternative)


def mannwhitney_test(a, b, *, alternative: str = "two-sided"):
    """Mann-Whitney U test (:func:`scipy.stats.mannwhitneyu`); returns ``(statistic, pvalue)``.

    Examples
    --------
    >>> round(float(mannwhitney_test([1, 2, 3, 4], [5, 6, 7, 8]).pvalue), 4)
    0.0286
    """
    func = "mannwhitney_test"
    alternative = check_choice(alternative, ("two-sided", "less", "greater"), "alternative", func)
    return stats.mannwhitneyu(as_scores(a, "a", func), as_scores(b, "b", func), alternative=alternative)


def wilcoxon_test(a, b, *, alternative: str = "two-sided"):
    """Wilcoxon signed-rank test of paired samples (:func:`scipy.stats.wilcoxon` on ``a - b``).

    For paired runs, e.g. a guided and a plain search started from the same seed: ``a[i]`` and
    ``b[i]`` belong together. Pairs with no difference are dropped (``zero_method="wilcox"``);
    when every pair ties there is no evidence either way and the p-value is 1.0.

    Returns
    -------
    ``(statistic, pvalue)`` (scipy's result; statistic NaN when every pair ties)

    Raises
    ------
    ParameterError
        ``a`` and ``b`` of different lengths, empty, or not finite numbers.

    Examples
    --------
    >>> round(float(wilcoxon_test([2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1]).pvalue), 4)
    0.0312
    >>> float(wilcoxon_test([1, 2], [1, 2]).pvalue)
    1.0
    """
    func = "wilcoxon_test"
    alternative = check_choice(alternative, ("two-sided", "less", "greater"), "alternative", func)
    x, y = as_scores(a, "a", func), as_scores(b, "b", func)
    if len(x) != len(y):
        raise ParameterError(f"The 'a' and 'b' parameters of {func} must be paired: got {len(x)} and {len(y)} values.")
    if not np.any(x != y):
        return _AllTied(float("nan"), 1.0)
    return stats.wilcoxon(x, y, zero_method="wilcox", alternative=alternative)


def kruskal_test(*groups):
    """Kruskal-Wallis H test over two or more groups (:func:`scipy.stats.kruskal`).

    Examples
    --------
    >>> bool(kruskal_test([1, 2, 3], [4, 5, 6], [7, 8, 9]).pvalue < 0.05)
    True
    """
    func = "kruskal_test"
    if len(groups) < 2:
        raise parameter_error("groups", func, "at least two groups", len(groups))
    arrays = [as_scores(g, f"groups[{i}]", func) for i, g in enumerate(groups)]
    return stats.kruskal(*arrays)


def benjamini_hochberg(pvalues) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (:func:`scipy.stats.false_discovery_control`).

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    func = "benjamini_hochberg"
    p = as_scores(pvalues, "pvalues", func)
    if np.any((p < 0) | (p > 1)):
        raise parameter_error("pvalues", func, "p-values in [0, 1]", p[(p < 0) | (p > 1)][:3].tolist())
    return stats.false_discovery_control(p, method="bh")


def pairwise_tests(groups: Mapping[Any, Any], *, test: str = "ks", alpha: float = 0.05) -> pd.DataFrame:
    """Test every pair of groups and correct the p-values with Benjamini-Hochberg.

    Parameters
    ----------
    groups : mapping label -> sequence of float
        E.g. worker count -> validation accuracies.
    test : {"ks", "mannwhitney"}
    alpha : float, default 0.05
        False discovery rate for the ``reject`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``group_a, group_b, statistic, pvalue, pvalue_bh, reject``.

    Examples
    --------
    >>> df = pairwise_tests({"1": [1, 2, 3, 4], "2": [1, 2, 3, 5], "4": [7, 8, 9, 10]})
    >>> df[["group_a", "group_b", "reject"]].values.tolist()
    [['1', '2', False], ['1', '4', True], ['2', '4', True]]
    """
    func = "pairwise_tests"
    test = check_choice(test, ("ks", "mannwhitney"), "test", func)
    alpha = check_fraction(alpha, "alpha", func)
    if not isinstance(groups, Mapping) or len(groups) < 2:
        raise parameter_error("groups", func, "a mapping with at least two groups", type(groups).__name__)
    run = ks_test if test == "ks" else mannwhitney_test
    rows = []
    for ka, kb in itertools.combinations(groups, 2):
        res = run(groups[ka], groups[kb])
        rows.append({"group_a": ka, "group_b": kb, "statistic": float(res.statistic), "pvalue": float(res.pvalue)})
    out = pd.DataFrame(rows)
    out["pvalue_bh"] = benjamini_hochberg(out["pvalue"].to_numpy())
    out["reject"] = out["pvalue_bh"] <= alpha
    return out


def _as_graph(obj, name: str, func: str) -> nx.Graph:
    if isinstance(obj, nx.Graph):
        return obj
    to_nx = getattr(obj, "to_networkx", None)
    if callable(to_nx):
        graph = to_nx()
        if isinstance(graph, nx.Graph):
            return graph
    raise parameter_error(name, func, "a networkx graph or an object with .to_networkx()", type(obj).__name__)


def graph_edit_distance(a, b, *, label: str = "type", timeout: float | None = None) -> float:
    """Graph edit distance between two cells or descriptors, nodes matched on their op label.

    Node and edge insertions, deletions and substitutions cost 1; two nodes match when their
    ``label`` attributes are equal (a node without the attribute only matches another
    without it). Node ids carry no meaning.

    Parameters
    ----------
    a, b : networkx.Graph or object with ``.to_networkx()``
        E.g. two :class:`nasnb.NeuralDescriptor` (nodes carry ``type``) or two DARTS cells.
    label : str, default "type"
        Node attribute holding the op.
    timeout : float, optional
        Seconds; networkx then returns the best distance found so far (an upper bound).

    Examples
    --------
    >>> g1 = nx.DiGraph([(0, 1)]); nx.set_node_attributes(g1, {0: "conv", 1: "pool"}, "type")
    >>> g2 = nx.DiGraph([(5, 6)]); nx.set_node_attributes(g2, {5: "conv", 6: "conv"}, "type")
    >>> graph_edit_distance(g1, g2)
    1.0
    """
    func = "graph_edit_distance"
    ga, gb = _as_graph(a, "a", func), _as_graph(b, "b", func)
    if ga.is_directed() != gb.is_directed():
        raise ParameterError(f"The graphs given to {func} must both be directed or both undirected.")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise parameter_error("timeout", func, "a positive number of seconds or None", timeout)

    def node_match(n1: dict, n2: dict) -> bool:
        return n1.get(label) == n2.get(label)

    value = nx.graph_edit_distance(ga, gb, node_match=node_match, timeout=timeout)
    if value is None:  # pragma: no cover - only when networkx finds nothing within the timeout
        raise ParameterError(f"{func} found no edit path within timeout={timeout} s; raise the timeout.")
    return float(value)
