"""NAS-Bench-Graph canonical hash: equal to the package's Arch.valid_hash on every cell."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest

from nasnb.benchmarks import GRAPH_OPS, GRAPH_OPS_PROTEINS, NASBenchGraph
from nasnb.exceptions import BenchmarkError

nbg = pytest.importorskip("nas_bench_graph")

LINKS = [(0, a, b, c) for a in range(2) for b in range(3) for c in range(4)]


def test_hash_equals_the_package_on_every_cell_of_the_space():
    nb = NASBenchGraph("cora")
    mismatches = []
    for links in LINKS:
        for ops in itertools.product(GRAPH_OPS, repeat=4):
            if ops.count("skip") == 4:
                continue
            if nb.canonical_hash((links, ops)) != nbg.Arch(list(links), list(ops)).valid_hash():
                mismatches.append((links, ops))
    assert mismatches == []
    assert len(nb._canon) == 24 * (9 ** 4 - 1)


def test_every_table_record_is_reached_and_proteins_uses_the_same_hash():
    for dataset, ops_list in (("cora", GRAPH_OPS), ("proteins", GRAPH_OPS_PROTEINS)):
        nb = NASBenchGraph(dataset)
        hashes = {nb.canonical_hash((links, ops)) for links in LINKS
                  for ops in itertools.product(ops_list, repeat=4) if ops.count("skip") < 4}
        assert set(nb.table()) <= hashes


def test_other_forms_of_a_cell_and_invalid_cells():
    nb = NASBenchGraph("cora")
    cell = ((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))
    expected = nbg.Arch([0, 0, 1, 2], ["gcn", "gat", "sage", "fc"]).valid_hash()
    fresh = NASBenchGraph("cora")
    assert fresh.canonical_hash([[0, 0, 1, 2], ["gcn", "gat", "sage", "fc"]]) == expected
    assert NASBenchGraph("cora").canonical_hash((np.array([0, 0, 1, 2]), cell[1])) == expected
    assert pickle.loads(pickle.dumps(nb)).canonical_hash(cell) == expected
    for bad, match in [(((0, True, 0, 0), ("gcn",) * 4), "Link 1 is True"),
                       (((0, 0, 0, 0), ("skip",) * 4), "only of 'skip'"),
                       (((0, 0, 3, 0), ("gcn",) * 4), "Link 2 is 3"),
                       (((0, 0, 0), ("gcn",) * 3), "4 links and 4 ops"),
                       (((0, 0, 0, 0), ("gcn",) * 5), "4 links and 4 ops"),
                       (((0, 0, 0, 0), ("gcn", "mlp", "gcn", "gcn")), "Unknown op 'mlp'"),
                       (7, "pair")]:
        with pytest.raises(BenchmarkError, match=match):
            NASBenchGraph("cora").canonical_hash(bad)
    with pytest.raises(BenchmarkError, match="ops of proteins"):
        NASBenchGraph("proteins").canonical_hash(((0, 0, 0, 0), ("gat",) * 4))
