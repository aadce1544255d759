"""Chapter-7 table variants: ReNAS op encodings, the EGraph regression head, parameter counts."""

import numpy as np
import pytest
import torch

pytest.importorskip("torch_geometric")

from nasnb.exceptions import ParameterError  # noqa: E402
from nasnb.predictors import (EGraphEvaluator, ReNAS, default_gcn_descriptor, nas_bench_graph_dataset,  # noqa: E402
                              renas_scores, renas_tensors, train_renas)


@pytest.fixture(scope="module")
def split():
    return nas_bench_graph_dataset("cora", n=160, seed=0).split(100, 60, seed=0)


def test_onehot_encoding_puts_each_op_in_its_own_channel(split):
    train, _ = split
    tensors = renas_tensors(train, encoding="onehot")
    scalar = renas_tensors(train)
    assert tensors.shape == (len(train), len(train.vocabulary), train.max_nodes, train.max_nodes)
    assert scalar.shape[1] == 1
    g = train.graphs[0]
    index = {op: i for i, op in enumerate(train.vocabulary)}
    for j, op in enumerate(g.ops):
        assert tensors[0, index[op], j, j] == 1.0                       # the node's op, on the diagonal
        assert tensors[0, :, j, j].sum() == 1.0
    for u, v in g.edges:
        assert tensors[0, index[g.ops[v]], u, v] == 1.0                 # edge u -> v in v's op channel
    assert tensors[0].sum() == len(g.ops) + len(g.edges)
    # the scalar form holds the same edges, weighted by the op code
    assert bool(((scalar[0, 0] > 0) == (tensors[0].sum(0) > 0)).all())
    with pytest.raises(ParameterError, match="encoding"):
        renas_tensors(train, encoding="bits")


def test_renas_scores_new_architectures_with_the_encoding_it_was_trained_on(split):
    train, test = split
    model, report = train_renas(train, epochs=2, batch_size=64, pairs_per_epoch=300, seed=0, encoding="onehot")
    assert model.encoding == "onehot" and model.features[0].in_channels == len(train.vocabulary)
    scores = renas_scores(model, test)
    assert scores.shape == (len(test),) and np.isfinite(scores).all()
    again, _ = train_renas(train, epochs=2, batch_size=64, pairs_per_epoch=300, seed=0, encoding="onehot")
    assert np.array_equal(renas_scores(again, test), scores)
    assert ReNAS(6).encoding == "scalar"


def test_regression_head_and_parameter_counts(split):
    train, test = split
    d = default_gcn_descriptor([("sage_pool", "standard")], "max")
    options = dict(epsilon=0.003, epochs=1, base_width=8, pairs_per_epoch=256, batch_size=32)
    pairwise = EGraphEvaluator(train, test, **options).descriptor_evaluate(d, seed=0)
    regression = EGraphEvaluator(train, test, head="regression", **options).descriptor_evaluate(d, seed=0)
    assert pairwise.status == regression.status == "done"
    # 11 features -> 8 (SAGE with projection): 11*11+11 + 8*11+8 + 8*11 = 316; heads: 16->8->3, 8->4->1
    assert pairwise.metrics["parameters"] == 316 + (16 * 8 + 8) + (8 * 3 + 3)
    assert regression.metrics["parameters"] == 316 + (8 * 4 + 4) + (4 * 1 + 1)
    assert -1.0 <= regression.metrics["tau"] <= 1.0 and regression.fitness == regression.metrics["tau"]
    again = EGraphEvaluator(train, test, head="regression", **options).descriptor_evaluate(d, seed=0)
    assert again.metrics["tau"] == regression.metrics["tau"]
    assert EGraphEvaluator(train, test, head="regression").settings()["head"] == "regression"
    with pytest.raises(ParameterError, match="head"):
        EGraphEvaluator(train, test, head="ordinal")
