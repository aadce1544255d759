"""Memoised queries and the table-driven sample/mutate keep the documented semantics."""

from __future__ import annotations

import pickle
from collections import Counter

import numpy as np
import pytest

from _tabular_fixtures import NB101_CELLS, NB201_ARCHS
from _tabular_fixtures import nats_dir, nb101_file  # noqa: F401  (fixtures)

from nasnb.benchmarks import GRAPH_OPS, NASBench101, NASBench201, NASBenchGraph, choose_run, parse_arch_string


@pytest.fixture(scope="module")
def cora():
    return NASBenchGraph("cora")


def test_graph_memo_returns_the_same_result_and_shares_isomorphic_cells(cora):
    a = ((0, 0, 0, 0), ("gcn", "gat", "sage", "fc"))
    b = ((0, 0, 0, 0), ("gat", "fc", "gcn", "sage"))  # isomorphic to a
    ra = cora.evaluate_candidate(a)
    assert cora.evaluate_candidate(a) is ra and cora.evaluate_candidate(b) is ra
    assert cora.evaluate_candidate(a, seed=5, epochs=3) is ra  # one run per cell: seed is irrelevant
    assert cora.evaluate_candidate(a, dataset="citeseer").fitness != ra.fitness
    assert cora.evaluate_candidate([list(a[0]), list(a[1])]).fitness == ra.fitness  # unhashable: not memoised
    bad = ((0, 0, 0, 0), ("skip",) * 4)
    assert cora.evaluate_candidate(bad).status == "invalid" and cora.evaluate_candidate(bad).status == "invalid"


def test_graph_sample_and_mutate_cover_the_space_uniformly(cora):
    rng = np.random.default_rng(0)
    cells = [cora.sample(rng) for _ in range(6000)]
    assert all(cora.invalid_reason(c) is None for c in cells)
    assert all(cora.evaluate_candidate(c).status == "done" for c in cells[:500])
    link_counts = Counter(c[0][3] for c in cells)
    assert sorted(link_counts) == [0, 1, 2, 3] and min(link_counts.values()) > 1300  # ~1500 each
    assert set(op for c in cells for op in c[1]) == set(GRAPH_OPS)
    parent = ((0, 1, 2, 3), ("skip", "skip", "skip", "gcn"))
    genes, values = Counter(), Counter()
    for _ in range(7000):
        child = cora.mutate(parent, rng)
        diff = [k for k, (x, y) in enumerate(zip(parent[0] + parent[1], child[0] + child[1])) if x != y]
        assert len(diff) == 1 and cora.invalid_reason(child) is None
        genes[diff[0]] += 1
        if diff[0] == 7:
            values[child[1][3]] += 1
    assert 0 not in genes and len(genes) == 7 and min(genes.values()) > 800  # ~1000 each
    assert len(values) == 7 and not {"gcn", "skip"} & set(values)  # gcn -> skip would be all-skip: redrawn
    assert cora.mutate(parent, np.random.default_rng(9)) == cora.mutate(parent, np.random.default_rng(9))
    assert cora.mutate(parent, 9) == cora.mutate(parent, np.random.default_rng(9))


def test_pickles_drop_the_memos_but_agree(cora, nb101_file, nats_dir):
    for bench, cand in [(cora, ((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))),
                        (NASBench101(nb101_file), (tuple(map(tuple, NB101_CELLS[3][0])), tuple(NB101_CELLS[3][1]))),
                        (NASBench201(nats_dir), parse_arch_string(NB201_ARCHS[0]))]:
        first = bench.evaluate_candidate(cand)
        clone = pickle.loads(pickle.dumps(bench))
        assert not clone._memo
        again = clone.evaluate_candidate(cand)
        assert (again.fitness, again.metrics) == (first.fitness, first.metrics)


@pytest.mark.parametrize("kind", ["nb101", "nb201"])
def test_seeded_runs_follow_choose_run(kind, nb101_file, nats_dir):
    if kind == "nb101":
        bench = NASBench101(nb101_file, seed=4)
        cand = tuple(map(tuple, NB101_CELLS[4][0])), tuple(NB101_CELLS[4][1])
        default_key = f"{bench.key(cand)}:108"
    else:
        bench = NASBench201(nats_dir, seed=4)
        cand = parse_arch_string(NB201_ARCHS[1])
        default_key = f"{NB201_ARCHS[1]}:cifar10-valid:None"
    runs = 3
    for seed in range(12):  # an int seed draws the run from default_rng(seed), memoised or not
        r = bench.evaluate_candidate(cand, seed=seed)
        assert r.metrics["run"] == choose_run(runs, seed, 4, "ignored")
        assert bench.evaluate_candidate(cand, seed=seed) is r
    default = bench.evaluate_candidate(cand)
    assert default.metrics["run"] == choose_run(runs, None, 4, default_key)
    assert bench.evaluate_candidate(cand) is default
    assert bench.evaluate_candidate(cand, epochs=200 if kind == "nb201" else 108).metrics["run"] == default.metrics["run"]
    gen = np.random.default_rng(1)  # a Generator is drawn from on every call
    picked = [bench.evaluate_candidate(cand, seed=gen).metrics["run"] for _ in range(30)]
    expected = np.random.default_rng(1)
    assert picked == [float(expected.integers(runs)) for _ in range(30)]


def test_nb101_mutation_keeps_cells_well_formed(nb101_file):
    bench = NASBench101(nb101_file)
    rng = np.random.default_rng(0)
    cell = tuple(map(tuple, NB101_CELLS[1][0])), tuple(NB101_CELLS[1][1])
    sizes = Counter()
    for _ in range(300):
        child = bench.mutate(cell, rng)
        matrix, ops = np.array(child[0]), child[1]
        assert matrix.shape == (len(ops), len(ops)) and not np.tril(matrix).any()
        assert ops[0] == "input" and ops[-1] == "output" and len(ops) <= 7
        assert int(matrix.sum()) >= int(np.array(cell[0]).sum())  # connect adds, insert splits an edge
        sizes[len(ops)] += 1
        cell = child if len(ops) < 7 else cell
    assert len(sizes) >= 3
    assert bench.mutate(cell, np.random.default_rng(3)) == bench.mutate(cell, np.random.default_rng(3))


def test_nb201_sample_and_mutate(nats_dir):
    bench = NASBench201(nats_dir)
    rng = np.random.default_rng(0)
    cells = [bench.sample(rng) for _ in range(3000)]
    assert len(set(cells)) > 2500 and all(bench.invalid_reason(c) is None for c in cells)
    edge_ops = Counter(c[5] for c in cells)
    assert len(edge_ops) == 5 and min(edge_ops.values()) > 500
    parent = ("none",) * 6
    children = [bench.mutate(parent, rng) for _ in range(600)]
    assert all(sum(a != b for a, b in zip(parent, c)) == 1 for c in children)
    assert len({c.index(next(op for op in c if op != "none")) for c in children}) == 6
