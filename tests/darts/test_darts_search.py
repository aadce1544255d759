"""DARTS: supernet, derivation into a buildable descriptor, serial and spawned data-parallel search."""

import numpy as np
import pytest
import torch

from nasnb.builders import build_network
from nasnb.darts import (
    PRIMITIVES,
    DartsConfig,
    Genotype,
    Supernet,
    darts_consistency_report,
    darts_parallel,
    darts_registry,
    darts_search,
    derive_cell,
    genotype_to_descriptor,
)
from nasnb.exceptions import ParameterError

TINY = DartsConfig(channels=4, layers=2, nodes=2, epochs=2, batch_size=32, percentage=0.1)


def test_supernet_mixes_eight_ops_on_images_and_series():
    for shape in [(1, 8, 8), (1, 40)]:
        net = Supernet(shape, 10, channels=4, layers=3, nodes=2)
        assert net(torch.zeros(2, *shape)).shape == (2, 10)
        assert net.alphas_normal.shape == (5, len(PRIMITIVES)) == net.alphas_reduce.shape
        ids = {id(p) for p in net.arch_parameters()}
        assert not ids & {id(p) for p in net.weight_parameters()}
    with pytest.raises(ParameterError):
        Supernet((8, 8, 8, 8), 10)


def test_derivation_skips_zero_and_keeps_two_inputs_per_node():
    a = np.zeros((5, 8))
    a[:, 0] = 10.0  # "zero" dominates everywhere but may not be chosen
    a[2, 5] = 1.0   # node 1, input 0: sep_conv_5x5
    a[4, 3] = 2.0   # node 1, input 2: avg_pool_3x3
    cell = derive_cell(a, 2)
    assert len(cell) == 4 and all(op != "zero" for op, _ in cell)
    assert cell[2:] == (("sep_conv_5x5", 0), ("avg_pool_3x3", 2))


def test_derived_network_builds_and_trains_on_digits_and_mnist1d():
    from nasnb.data import load_splits
    from nasnb.evaluators.train import evaluate, train_epoch

    g = Genotype(normal=(("sep_conv_3x3", 0), ("identity", 1), ("dil_conv_5x5", 1), ("max_pool_3x3", 2)),
                 reduce=(("avg_pool_3x3", 0), ("sep_conv_5x5", 1), ("identity", 2), ("dil_conv_3x3", 0)))
    registry = darts_registry()
    for name, shape in (("digits", (1, 8, 8)), ("mnist1d", (1, 40))):
        d = genotype_to_descriptor(g, shape, channels=4, layers=2)
        net = build_network(d, shape, 10, head="linear", registry=registry)
        splits = load_splits(name, percentage=0.1, seed=0, batch_size=64)
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        loss = train_epoch(net, splits.train, opt, torch.nn.functional.cross_entropy)
        _, metrics = evaluate(net, splits.validation, torch.nn.functional.cross_entropy)
        assert np.isfinite(loss) and 0.0 <= metrics["accuracy"] <= 1.0


@pytest.fixture(scope="module")
def tiny_search():
    """One tiny serial search on digits, shared by the tests of this module."""
    return darts_search(TINY)


def test_serial_search_is_deterministic_and_derives_a_buildable_cell(tiny_search):
    a = tiny_search
    b = darts_search(TINY)
    assert a.genotype == b.genotype and a.alphas_normal == b.alphas_normal
    assert a.epochs == 2 and a.allreduce_calls == 0 and len(a.epoch_seconds) == 2
    assert a.train_loss[-1] < a.train_loss[0] or a.val_accuracy[-1] >= a.val_accuracy[0]
    d = genotype_to_descriptor(a.genotype, (1, 8, 8), channels=4, layers=2)
    net = build_network(d, (1, 8, 8), 10, head="linear", registry=darts_registry())
    assert net(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    other = darts_search(TINY, seed=1)
    assert other.alphas_normal != a.alphas_normal


def test_algorithm1_on_two_spawned_workers_reduces_once_per_epoch():
    results = darts_parallel(TINY, workers=2, algorithm="algorithm1")
    assert [r.rank for r in results] == [0, 1]
    for r in results:
        assert r.allreduce_per_epoch == [1, 1] and r.allreduce_calls == TINY.epochs
    # after the last all-reduce every worker holds the same averaged architecture
    assert results[0].alphas_normal == results[1].alphas_normal
    assert results[0].genotype == results[1].genotype


def test_consistency_report_uses_ged_kruskal_and_ks():
    g1 = Genotype((("sep_conv_3x3", 0), ("identity", 1)), (("max_pool_3x3", 0), ("identity", 1)))
    g2 = Genotype((("dil_conv_3x3", 0), ("identity", 1)), (("max_pool_3x3", 0), ("avg_pool_3x3", 1)))
    rep = darts_consistency_report({1: [g1, g1, g2], 2: [g2, g2, g1]},
                                   curves={1: [[.5, .6, .7]] * 3, 2: [[.1, .2, .3]] * 3}, first_epoch=1)
    within = rep.ged[(rep.ged.cell == "normal") & (rep.ged.pair == "1-1")]["ged"].tolist()
    assert sorted(within) == [0.0, 1.0, 1.0]
    assert set(rep.kruskal) == {"normal", "reduce"} and 0.0 <= rep.kruskal["normal"]["pvalue"] <= 1.0
    assert rep.ks.loc[0, "pvalue_bh"] < 0.05 and bool(rep.ks.loc[0, "reject"])
    assert set(rep.summary()["pair"]) == {"1-1", "1-2", "2-2"}


def test_searched_genotype_trains_above_chance_with_the_local_evaluator(tiny_search):
    """The cell derived by a real search builds and learns digits (10 classes, chance 0.1)."""
    import dataclasses

    import nasnb
    from nasnb.data import default_datasets

    d = genotype_to_descriptor(tiny_search.genotype, (1, 8, 8), channels=8, layers=2)
    # the derived network ends in a global pool (16 features): use a linear head, as DARTS does;
    # the thesis head would squeeze it through F // 8 = 2 units
    datasets = default_datasets()
    datasets.add_dataset(dataclasses.replace(datasets.get("digits"), head="linear"), replace=True)
    evaluator = nasnb.LocalEvaluator("Adam", {"lr": 0.01}, batch_size=32, datasets=datasets,
                                     layer_registry=darts_registry())
    result = evaluator.descriptor_evaluate(d, 3, "digits", percentage=0.5, seed=0)
    assert result.status == "done", result.message
    assert result.metrics["accuracy"] > 0.5  # five times chance on the held-out test split
