"""EGraph (siamese GraphSAGE ranker), its regression variant and the ReNAS baseline."""

import math

import numpy as np
import pytest
import torch

pytest.importorskip("torch_geometric")

from nasnb.descriptors import NeuralDescriptor  # noqa: E402
from nasnb.predictors import (READOUTS, EGraphEvaluator, ScoreRanker, SiameseRanker, default_gcn_descriptor,  # noqa: E402
                              model_scores, nas_bench_graph_dataset, pairwise_scores, ranking_metrics,
                              renas_scores, seeded, train_margin, train_pairwise, train_renas)


@pytest.fixture(scope="module")
def split():
    # the chapter-7 protocol size: 450 training / 1,050 held-out architectures, epsilon 0.003
    return nas_bench_graph_dataset("cora", n=1500, seed=0).split(450, 1050, seed=0)


def test_fixed_egraph_ranks_held_out_architectures(split):
    train, test = split
    d = default_gcn_descriptor([("sage_pool", "standard"), ("sage_pool", "standard")], "max")
    with seeded(0):
        model = SiameseRanker(d, train.num_features, base_width=32)
    report = train_pairwise(model, train, epsilon=0.003, epochs=2, pairs_per_epoch=20000, seed=0)
    assert report.losses[1] < report.losses[0]
    metrics = ranking_metrics(pairwise_scores(model, test), test.scores)
    assert metrics["tau"] > 0.3  # clearly better than chance (0); 0.50 when written
    assert math.isfinite(metrics["top50_tau"])


def test_renas_trains_on_the_same_split(split):
    train, test = split
    model, report = train_renas(train, epochs=4, batch_size=256, pairs_per_epoch=4000, seed=0)
    assert len(report.losses) == 4 and report.losses[-1] < report.losses[0]
    metrics = ranking_metrics(renas_scores(model, test), test.scores)
    assert metrics["tau"] > 0.0
    assert set(metrics) == {"tau", "top50_tau"}


def test_regression_variant_with_margin_loss(split):
    train, test = split
    d = default_gcn_descriptor([("sage_lstm", "standard")], "max")
    with seeded(1):
        model = ScoreRanker(d, train.num_features, base_width=16)
    train_margin(model, train, epochs=1, lr=5e-3, pairs_per_epoch=4000, seed=1)
    assert ranking_metrics(model_scores(model, test), test.scores)["tau"] > 0.1


@pytest.mark.parametrize("readout", READOUTS)
def test_every_readout_and_aggregator_builds(readout, split):
    train, _ = split
    small = train.subset(range(5))
    d = default_gcn_descriptor([("sage_lstm", "double"), ("sage_pool", "half")], readout)
    model = SiameseRanker(d, small.num_features, base_width=4)
    k = int(readout[-1]) if readout.startswith("sort") else 1
    assert model.embedder.embedding_size == 2 * k  # half of 4, k nodes kept
    emb = model.embed(*small.to_tensors(), len(small))
    assert emb.shape == (5, 2 * k)
    assert model.compare(emb[:2], emb[2:4]).shape == (2, 3)


def test_genome_descriptor_with_branches_builds():
    from nasnb.spaces import graphsage_space

    space = graphsage_space(8)
    rng = np.random.default_rng(0)
    genome = space.sample(rng)
    for _ in range(6):
        genome = space.mutate(genome, rng)
    d = space.to_descriptor(genome)
    model = SiameseRanker(d, 11)
    readout = dict(d.layer(d.output_layer).params)["readout"]
    assert model.embedder.readout == readout
    # a layer with two inputs concatenates them
    branchy = NeuralDescriptor()
    for name, t in (("in", "input"), ("a", "sage_pool"), ("b", "sage_lstm"), ("out", "readout")):
        branchy.add_layer(t, {"filters_mult": 1.0, "filters": 6} if t.startswith("sage") else {}, name=name)
    for u, v in (("in", "a"), ("in", "b"), ("a", "out"), ("b", "out")):
        branchy.connect_layers(u, v)
    emb = SiameseRanker(branchy, 3).embedder
    assert emb.embedding_size == 12
    out = emb(torch.eye(3), torch.tensor([[0, 1], [1, 2]]), torch.zeros(3, dtype=torch.long))
    assert out.shape == (1, 12)


def test_evaluator_is_deterministic_and_flags_invalid_descriptors(split):
    train, test = split
    small_train, small_test = train.subset(range(60)), test.subset(range(80))
    ev = EGraphEvaluator(small_train, small_test, epsilon=0.003, epochs=1, base_width=8, pairs_per_epoch=512)
    d = default_gcn_descriptor([("sage_pool", "standard")], "sort2")
    a, b = ev.descriptor_evaluate(d, seed=3), ev.descriptor_evaluate(d, seed=3)
    assert a.status == "done" and a.fitness == b.fitness == a.metrics["tau"]
    no_gcn = NeuralDescriptor.sequential(["input", "output"])
    assert ev.descriptor_evaluate(no_gcn).status == "invalid"
