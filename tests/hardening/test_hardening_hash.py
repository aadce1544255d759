"""canonical_hash: invariant under renaming, separating NAS cells.

Its speed (2,000- and 10,000-layer chains) is measured in ``benchmarks/bench_scale.py``: the suite
asserts no timings.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nasnb.benchmarks import NASBench101, NASBench201
from nasnb.benchmarks.nb101_format import hash_module, prune_spec
from nasnb.benchmarks.nb201_format import NB201_OPS
from nasnb.descriptors import NeuralDescriptor
from nasnb.descriptors.hashing import canonical_hash

NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


def _random_dag(rng, n, types=("nn.ReLU", "nn.Identity", "nn.Tanh")):
    layers = [(str(rng.choice(types)), {"k": int(rng.integers(2))}) for _ in range(n)]
    edges = {(i, j) for j in range(1, n) for i in rng.choice(j, size=min(j, 2), replace=False)}
    return layers, sorted(edges)


def _build(layers, edges, order, names):
    d = NeuralDescriptor()
    for i in order:
        d.add_layer(layers[i][0], layers[i][1], name=names[i])
    for i, j in edges:
        d.connect_layers(names[i], names[j])
    return d


@pytest.mark.parametrize("seed", range(20))
def test_equal_for_renamed_and_reordered_descriptors(seed):
    rng = np.random.default_rng(seed)
    layers, edges = _random_dag(rng, int(rng.integers(2, 60)))
    n = len(layers)
    a = _build(layers, edges, range(n), [f"l{i}" for i in range(n)])
    b = _build(layers, edges, rng.permutation(n), [f"x{k}" for k in rng.permutation(n)])
    assert a.canonical_hash() == b.canonical_hash()
    if edges:  # moving one connection changes the hash
        i, j = edges[0]
        c = _build(layers, edges[1:] + [(i, (j + 1) % n)] if (i, (j + 1) % n) not in edges and i != (j + 1) % n
                   else edges[1:], range(n), [f"l{i}" for i in range(n)])
        assert c.canonical_hash() != a.canonical_hash()


def test_every_nb201_cell_has_its_own_hash():
    nb = NASBench201("unused.json")
    hashes = {canonical_hash(nb.to_descriptor(ops)) for ops in itertools.product(NB201_OPS, repeat=6)}
    assert len(hashes) == len(NB201_OPS) ** 6


def _random_topological_relabel(matrix, rng):
    n = len(matrix)
    indegree = matrix.sum(axis=0).tolist()
    order, ready = [], [0]
    while ready:
        v = ready.pop(int(rng.integers(len(ready))))
        order.append(v)
        for w in range(n):
            if matrix[v, w]:
                indegree[w] -= 1
                if indegree[w] == 0:
                    ready.append(w)
    # keep the output last
    order.remove(n - 1)
    order.append(n - 1)
    return np.asarray(order)


def test_agrees_with_the_official_nb101_hash_on_cells():
    rng = np.random.default_rng(0)
    nb = NASBench101("unused.tfrecord")
    official_to_ours, ours_to_official = {}, {}
    for _ in range(1500):
        n = int(rng.integers(3, 8))
        matrix = np.triu(rng.integers(0, 2, (n, n)), 1)
        ops = ["input"] + [str(rng.choice(NB101_OPS)) for _ in range(n - 2)] + ["output"]
        pruned = prune_spec(matrix, ops)
        if pruned is None:
            continue
        pm, pops = pruned
        order = _random_topological_relabel(pm, rng)
        for m, o in ((pm, pops), (pm[np.ix_(order, order)], [pops[i] for i in order])):
            labels = [-1] + [NB101_OPS.index(x) for x in o[1:-1]] + [-2]
            official = hash_module(m, labels)
            ours = nb.to_descriptor((m.tolist(), o)).canonical_hash()
            assert official_to_ours.setdefault(official, ours) == ours
            assert ours_to_official.setdefault(ours, official) == official
    assert len(official_to_ours) > 300


def test_roles_and_params_matter():
    a = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
    b = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 8, "kernel_size": 3}), "nn.ReLU"])
    assert a.canonical_hash() != b.canonical_hash()
    c = a.copy()
    c.add_layer("nn.ReLU", name="extra")
    assert c.canonical_hash() != a.canonical_hash()
    cyclic = NeuralDescriptor.sequential(["nn.ReLU"] * 3)
    cyclic.connect_layers("layer_2", "layer_0")
    assert len(cyclic.canonical_hash()) == 32  # cyclic graphs hash too (invariantly)
