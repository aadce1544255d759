"""NAS-Bench-Graph: all nine data sets, every metric, canonical keys, malformed files."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from nasnb.benchmarks import GRAPH_DATASETS, NASBenchGraph
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BenchmarkError, DescriptorError


@pytest.mark.parametrize("dataset", GRAPH_DATASETS)
def test_round_trip_and_metrics_on_every_dataset(dataset):
    nb = NASBenchGraph(dataset)
    rng = np.random.default_rng(0)
    for _ in range(25):
        cand = nb.sample(rng)
        d = nb.to_descriptor(cand)
        assert nb.descriptor_to_candidate(d) == cand
        r = nb.evaluate_candidate(cand)
        assert r.status == "done", r.message
        assert set(r.metrics) == {"validation_score", "test_score", "latency", "parameters"}
        assert r.fitness == r.metrics["validation_score"]
    assert len(nb) == (2021 if dataset == "proteins" else 26206)


def test_isomorphic_cells_share_a_key():
    nb = NASBenchGraph("cora")
    a = ((0, 0, 0, 0), ("gcn", "gat", "sage", "fc"))
    b = ((0, 0, 0, 0), ("gat", "fc", "gcn", "sage"))
    assert nb.key(a) == nb.key(b)
    assert nb.key(a) != nb.key(((0, 1, 2, 3), ("gcn", "gat", "sage", "fc")))


def test_invalid_cells():
    nb = NASBenchGraph("cora")
    assert nb.evaluate_candidate(((0, 0, 0, 0), ("skip",) * 4)).status == "invalid"
    assert nb.evaluate_candidate(((0, 3, 0, 0), ("gcn",) * 4)).status == "invalid"
    r = nb.evaluate_candidate(((0, 0, 0, 0), ("gcn", "transformer", "gcn", "gcn")))
    assert r.status == "invalid" and "transformer" in r.message
    assert NASBenchGraph("proteins").evaluate_candidate(((0, 0, 0, 0), ("gat",) * 4)).status == "invalid"
    d = NeuralDescriptor.sequential(["input", "gcn", "output"])
    with pytest.raises(DescriptorError, match="4 hidden layers"):
        nb.descriptor_to_candidate(d)
    assert nb.descriptor_evaluate(d).status == "invalid"


def test_unknown_dataset_and_malformed_files(tmp_path):
    with pytest.raises(ValueError, match="'dataset'"):
        NASBenchGraph("imagenet")
    bad = tmp_path / "bad.bench"
    bad.write_bytes(pickle.dumps({0: {"valid_perf": 0.5}}))
    with pytest.raises(BenchmarkError, match=r"bad.bench: record 0 is malformed"):
        NASBenchGraph("cora", path=bad).table()
    evil = tmp_path / "evil.bench"
    evil.write_bytes(pickle.dumps(os.system))
    with pytest.raises(BenchmarkError, match=r"evil.bench: refusing to load global"):
        NASBenchGraph("cora", path=evil).table()
    junk = tmp_path / "junk.bench"
    junk.write_bytes(b"\x80\x04junk")
    with pytest.raises(BenchmarkError, match="junk.bench: malformed benchmark pickle"):
        NASBenchGraph("cora", path=junk).table()
