"""Every search space honours the SearchSpace protocol; the NB101-style mutations."""

import json

import numpy as np
import pytest

from nasnb.exceptions import DescriptorError, ParameterError
from nasnb.spaces import (Cell, NB101MutationSpace, SearchSpace, check_search_space, conv_block_space, graphsage_space,
                          is_search_space, layer_choice_space)


def _graph_bench():
    pytest.importorskip("nas_bench_graph")
    from nasnb.benchmarks import NASBenchGraph

    return NASBenchGraph("cora")


SPACES = {
    "nb101": NB101MutationSpace,
    "conv4": lambda: conv_block_space(4),
    "ch6": layer_choice_space,
    "gcn": graphsage_space,
    "nasbench_graph": _graph_bench,
}


@pytest.fixture(params=sorted(SPACES))
def space(request):
    return SPACES[request.param]()


def test_space_protocol(space):
    """One shared test for every space: sample, mutate, descriptor, key, JSON, determinism."""
    assert isinstance(space, SearchSpace) and is_search_space(space)
    rng = np.random.default_rng(0)
    c = space.sample(rng)
    for _ in range(20):
        child = space.mutate(c, rng)
        reason = getattr(space, "invalid_reason", lambda _: None)(child)
        if reason is None:
            space.to_descriptor(child).validate(check_layers=False)
        else:  # e.g. a NB101 cell with more than 9 edges: invalid, fitness 0 in a search
            with pytest.raises(DescriptorError):
                space.to_descriptor(child)
        value = json.loads(json.dumps(space.candidate_to_json(child)))
        back = space.candidate_from_json(value)
        assert space.key(back) == space.key(child)
        assert isinstance(space.key(child), str)
        c = child
    # same seed, same candidates (after reset for stateful spaces)
    runs = []
    for _ in range(2):
        getattr(space, "reset", lambda: None)()
        r = np.random.default_rng(5)
        x = space.sample(r)
        runs.append([space.candidate_to_json(x := space.mutate(x, r)) for _ in range(10)])
    assert runs[0] == runs[1]


def test_check_search_space_names_missing_methods():
    with pytest.raises(ParameterError, match="lacks .*mutate"):
        check_search_space(object(), "RegularizedEvolution")


def test_nb101_insertion_replaces_the_edge_and_respects_max_hidden():
    space = NB101MutationSpace(max_hidden=5, max_edges=None)
    # the only edge input -> output is replaced by input -> new -> output
    child = space._insert_node(Cell(("input", "output"), ((0, 1),)), np.random.default_rng(0))
    assert child.edges == ((0, 1), (1, 2)) and child.num_hidden == 1
    cell = Cell(("input", "conv3x3-bn-relu", "output"), ((0, 1), (1, 2), (0, 2)))
    child = space._insert_node(cell, np.random.default_rng(0))
    assert child.num_hidden == 2 and len(child.edges) == 4
    rng = np.random.default_rng(1)
    for _ in range(300):
        cell = space.mutate(cell, rng)
        assert cell.num_hidden <= 5 and all(i < j for i, j in cell.edges)
        d = space.to_descriptor(cell)
        assert d.input_layer == "input" and d.output_layer == "output"
    assert cell.num_hidden == 5


def test_nb101_cells_with_too_many_edges_are_invalid():
    space = NB101MutationSpace()
    n = 7
    full = Cell(("input",) + ("maxpool3x3",) * 5 + ("output",), tuple((i, j) for i in range(n) for j in range(i + 1, n)))
    assert "at most 9" in space.invalid_reason(full)
    with pytest.raises(DescriptorError, match="at most 9"):
        space.to_descriptor(full)
    assert space.key(full).startswith("invalid:")
    assert "unknown op" in space.invalid_reason(Cell(("input", "conv7x7", "output"), ((0, 1), (1, 2))))
