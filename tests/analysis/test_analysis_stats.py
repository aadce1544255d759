"""Tests between groups and graph edit distance."""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from nasnb.analysis import (
    benjamini_hochberg,
    graph_edit_distance,
    kruskal_test,
    ks_test,
    mannwhitney_test,
    pairwise_tests,
    wilcoxon_test,
)
from nasnb.exceptions import ParameterError


def test_wrappers_return_scipy_results():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=40), rng.normal(0.5, size=40), rng.normal(2, size=40)
    assert ks_test(a, b).pvalue == pytest.approx(stats.ks_2samp(a, b).pvalue)
    assert mannwhitney_test(a, b).pvalue == pytest.approx(stats.mannwhitneyu(a, b).pvalue)
    assert kruskal_test(a, b, c).pvalue == pytest.approx(stats.kruskal(a, b, c).pvalue)
    p = [0.01, 0.02, 0.03, 0.5]
    assert np.allclose(benjamini_hochberg(p), stats.false_discovery_control(p))


def test_pairwise_tests_with_bh_correction():
    rng = np.random.default_rng(1)
    groups = {1: rng.normal(size=60), 2: rng.normal(size=60), 4: rng.normal(3, size=60)}
    df = pairwise_tests(groups, test="ks")
    assert list(zip(df.group_a, df.group_b)) == [(1, 2), (1, 4), (2, 4)]
    assert np.allclose(df.pvalue_bh, stats.false_discovery_control(df.pvalue))
    assert df.set_index(["group_a", "group_b"]).reject.to_dict() == {(1, 2): False, (1, 4): True, (2, 4): True}
    assert len(pairwise_tests(groups, test="mannwhitney")) == 3


def test_bad_group_input():
    with pytest.raises(ParameterError, match="at least two"):
        kruskal_test([1, 2, 3])
    with pytest.raises(ParameterError, match="NaN"):
        ks_test([1, np.nan], [1, 2])
    with pytest.raises(ParameterError, match="at least 1"):
        mannwhitney_test([], [1, 2])
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 1.2])
    with pytest.raises(ParameterError, match="test"):
        pairwise_tests({"a": [1, 2], "b": [3, 4]}, test="t")


def cell(ops, edges):
    g = nx.DiGraph()
    for i, op in enumerate(ops):
        g.add_node(f"n{i}", type=op)
    g.add_edges_from((f"n{u}", f"n{v}") for u, v in edges)
    return g


def test_graph_edit_distance_matches_on_op_labels():
    a = cell(["input", "conv3x3", "maxpool", "output"], [(0, 1), (1, 2), (2, 3)])
    same_shape_other_op = cell(["input", "conv3x3", "conv1x1", "output"], [(0, 1), (1, 2), (2, 3)])
    extra_edge = cell(["input", "conv3x3", "maxpool", "output"], [(0, 1), (1, 2), (2, 3), (0, 3)])
    assert graph_edit_distance(a, a) == 0.0
    assert graph_edit_distance(a, same_shape_other_op) == 1.0
    assert graph_edit_distance(a, extra_edge) == 1.0
    relabelled = nx.relabel_nodes(a, {n: f"x{n}" for n in a.nodes})
    assert graph_edit_distance(a, relabelled) == 0.0


def test_graph_edit_distance_accepts_objects_with_to_networkx():
    class Desc:
        def __init__(self, graph):
            self.graph = graph

        def to_networkx(self):
            return self.graph

    a = cell(["input", "conv", "output"], [(0, 1), (1, 2)])
    b = cell(["input", "conv", "conv", "output"], [(0, 1), (1, 2), (2, 3)])
    # insert one node, one edge, and re-route: 1 node + 2 edge insertions - ... networkx decides
    assert graph_edit_distance(Desc(a), Desc(b)) == nx.graph_edit_distance(
        a, b, node_match=lambda x, y: x.get("type") == y.get("type"))
    with pytest.raises(ParameterError, match="to_networkx"):
        graph_edit_distance(a, "not a graph")
    with pytest.raises(ParameterError, match="directed"):
        graph_edit_distance(a, a.to_undirected())


def test_graph_edit_distance_on_nasnb_descriptors():
    descriptors = pytest.importorskip("nasnb.descriptors")
    d1 = descriptors.NeuralDescriptor()
    d1.add_layer_sequential("nn.Flatten")
    d2 = descriptors.NeuralDescriptor()
    d2.add_layer_sequential("nn.Flatten")
    d2.add_layer_sequential("nn.ReLU")
    assert graph_edit_distance(d1, d1) == 0.0
    assert graph_edit_distance(d1, d2) == 2.0  # one node and one edge inserted


def test_wilcoxon_test_pairs_the_samples():
    rng = np.random.default_rng(2)
    plain = rng.normal(size=30)
    guided = plain + rng.normal(0.3, 0.2, size=30)  # same seeds, shifted: paired gain
    assert wilcoxon_test(guided, plain).pvalue == pytest.approx(stats.wilcoxon(guided - plain).pvalue)
    assert wilcoxon_test(guided, plain).pvalue < 1e-4 < mannwhitney_test(guided, plain).pvalue  # pairing matters
    assert wilcoxon_test(guided, plain, alternative="less").pvalue > 0.99
    assert wilcoxon_test(plain, plain).pvalue == 1.0  # every pair ties: no evidence
    with pytest.raises(ParameterError, match="paired: got 3 and 2"):
        wilcoxon_test([1, 2, 3], [1, 2])
