"""Architecture datasets for learning to rank: pairs, splits, and their sources."""

import numpy as np
import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import DatasetError, ParameterError
from nasnb.predictors import (EQUAL, FIRST_BETTER, SECOND_BETTER, ArchitectureDataset, nas_bench_graph_dataset,
                              pair_labels)
from nasnb.results import EvaluationResult


def _chain(k, op="maxpool3x3"):
    return NeuralDescriptor.sequential(["input"] + [op] * k + ["output"])


def test_pair_labels_use_epsilon_for_equal():
    labels = pair_labels(np.array([0.80, 0.80, 0.70]), np.array([0.802, 0.70, 0.80]), 0.003)
    assert labels.tolist() == [EQUAL, FIRST_BETTER, SECOND_BETTER]


def test_all_ordered_pairs_are_labelled_consistently():
    ds = ArchitectureDataset.from_descriptors([_chain(k) for k in range(1, 5)], [0.1, 0.5, 0.5, 0.9])
    first, second, labels = ds.pairs(0.01)
    assert len(first) == 12 and np.all(first != second)
    for f, s, lab in zip(first, second, labels):
        d = ds.scores[f] - ds.scores[s]
        assert lab == (EQUAL if abs(d) < 0.01 else FIRST_BETTER if d > 0 else SECOND_BETTER)
    sub = ds.pairs(0.01, max_pairs=5, seed=3)
    assert len(sub[0]) == 5 and np.array_equal(sub[0], ds.pairs(0.01, max_pairs=5, seed=3)[0])


def test_repeated_architectures_are_merged_with_mean_score():
    a, b = _chain(1), _chain(2)
    same_as_a = NeuralDescriptor()  # isomorphic to a, other names
    for n, t in (("z", "output"), ("y", "maxpool3x3"), ("x", "input")):
        same_as_a.add_layer(t, name=n)
    same_as_a.connect_layers("x", "y")
    same_as_a.connect_layers("y", "z")
    ds = ArchitectureDataset.from_descriptors([a, b, same_as_a], [0.2, 0.5, 0.4])
    assert len(ds) == 2
    assert ds.scores.tolist() == pytest.approx([0.3, 0.5])


def test_split_is_seeded_and_disjoint():
    ds = nas_bench_graph_dataset("cora", n=120, seed=0)
    train, test = ds.split(50, 60, seed=1)
    again, _ = ds.split(50, 60, seed=1)
    assert len(train) == 50 and len(test) == 60
    assert not set(train.keys) & set(test.keys)
    assert train.keys == again.keys
    assert train.vocabulary == test.vocabulary == ds.vocabulary
    with pytest.raises(ParameterError):
        ds.split(100, 100, seed=0)


def test_nas_bench_graph_graphs_follow_the_links():
    ds = nas_bench_graph_dataset("cora", n=30, seed=2)
    assert len(set(ds.keys)) == 30
    for g in ds.graphs:
        assert g.ops[0] == "input" and g.ops[-1] == "output" and g.num_nodes == 6
        assert any(v == g.num_nodes - 1 for _, v in g.edges)
    x, edge_index, batch = ds.to_tensors()
    assert x.shape == (30 * 6, len(ds.vocabulary)) and float(x.sum()) == 30 * 6
    assert bool((edge_index[1][1:] >= edge_index[1][:-1]).all())  # sorted by destination (LSTM aggr)
    assert batch.max().item() == 29


def test_full_nas_bench_graph_table_matches_package_hash():
    from nas_bench_graph import Arch, light_read

    ds = nas_bench_graph_dataset("cora")
    table = light_read("cora")
    assert len(ds) == len(table) == 26206
    g = ds.graphs[1234]
    ops = list(g.ops[1:-1])
    link = [u for u, v in sorted(g.edges, key=lambda e: e[1]) if v <= 4]
    assert Arch(link, ops).hash_arch() == int(g.key)
    assert ds.scores[1234] == pytest.approx(table[int(g.key)]["valid_perf"])


def test_from_study_reads_descriptors_and_fitness(tmp_path):
    from nasnb.store import ExperimentStore

    study = ExperimentStore(tmp_path / "s.sqlite").create_study("ranks", {"epochs": 1})
    descriptors = [_chain(k, "conv3x3-bn-relu") for k in range(1, 5)]
    for seq, (d, fit) in enumerate(zip(descriptors, [0.4, 0.7, 0.6, 0.9])):
        study.add_evaluation(d, EvaluationResult(0.1, {"accuracy": fit}, 1.0, fit), seq=seq, seed=0)
    study.add_evaluation(_chain(6), EvaluationResult.invalid("no"), seq=4, seed=0)
    ds = ArchitectureDataset.from_study(study)
    assert len(ds) == 4
    assert sorted(ds.scores.tolist()) == [0.4, 0.6, 0.7, 0.9]
    assert "conv3x3-bn-relu" in ds.vocabulary
    with pytest.raises(DatasetError):
        ArchitectureDataset.from_study(study.to_dataframe().drop(columns=["fitness"]))


def test_unknown_op_in_vocabulary_is_an_error():
    a = ArchitectureDataset.from_descriptors([_chain(1)], [0.5])
    with pytest.raises(DatasetError, match="vocabulary"):
        ArchitectureDataset(a.graphs, a.scores, vocabulary=("input", "output"))


def test_feature_params_are_appended():
    d = NeuralDescriptor.sequential(["input", ("sage_pool", {"filters": 8}), ("sage_pool", {"filters": 16}),
                                     "output"])
    ds = ArchitectureDataset.from_descriptors([d], [0.5], feature_params=("filters",))
    x = ds.node_features(ds.graphs[0])
    assert x.shape == (4, len(ds.vocabulary) + 1)
    assert sorted(x[:, -1].tolist()) == [0.0, 0.0, 0.5, 1.0]
