"""The whole NAS-Bench-201 network of a cell: structure, parameter count, training, drawing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nasnb.benchmarks import NASBench201, NB201_OPS, nb201_network, nb201_parameter_count
from nasnb.builders import build_network
from nasnb.exceptions import BenchmarkError, ParameterError

ALL_CELLS = list(itertools.product(NB201_OPS, repeat=6))


def _sample(n: int, seed: int) -> list[tuple[str, ...]]:
    rng = np.random.default_rng(seed)
    return [ALL_CELLS[i] for i in rng.choice(len(ALL_CELLS), size=n, replace=False)]


def _params(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize("num_classes, side", [(10, 32), (100, 32), (120, 16)])
def test_formula_equals_built_network_for_a_seeded_sample(num_classes, side):
    cells = _sample(4, seed=num_classes) + [("nor_conv_3x3",) * 6, ("none",) * 6]
    for ops in cells:
        net = build_network(nb201_network(ops, num_classes), (3, side, side), head=None)
        assert _params(net) == nb201_parameter_count(ops, num_classes), ops
        # no merge adapter is inserted: every sum adds tensors of one shape
        assert all(not step.operations for steps in net.merges.values() for step in steps)


def test_published_size_of_the_all_conv3x3_cell():
    # NAS-Bench-201 records 1.531546 M parameters for it on CIFAR-10, 1.537396 M on CIFAR-100
    assert nb201_parameter_count(("nor_conv_3x3",) * 6, 10) == 1_531_546
    assert nb201_parameter_count(("nor_conv_3x3",) * 6, 100) == 1_537_396


def test_structure_of_the_skeleton():
    ops = ("nor_conv_3x3", "skip_connect", "none", "avg_pool_3x3", "nor_conv_1x1", "none")
    d = nb201_network(ops, 10)
    cells = {name.split(".")[0] for name in d.layers if name.startswith("cell")}
    assert len(cells) == 17  # 15 cells + 2 reduction blocks (cell5, cell11)
    assert {n for n in d.layers if n.endswith(".shortcut.conv")} == {"cell5.shortcut.conv", "cell11.shortcut.conv"}
    for k in (0, 6, 16):  # one cell per stage: edges in arch-string order with their op
        assert [d.layer(f"cell{k}.edge_{s}_{t}").type for t, s in ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))] \
            == list(ops)
        assert sorted(d.incoming(f"cell{k}.node3")) == [f"cell{k}.edge_0_3", f"cell{k}.edge_1_3", f"cell{k}.edge_2_3"]
    channels = [d.layer(f"cell{k}.edge_0_1").params["channels"] for k in (0, 4, 6, 10, 12, 16)]
    assert channels == [16, 16, 32, 32, 64, 64]
    assert d.layer("head.classifier").params["out_features"] == 10
    net = build_network(d, (3, 32, 32), head=None)
    assert net.shapes["cell4.node3"] == (16, 32, 32)
    assert net.shapes["cell10.node3"] == (32, 16, 16)
    assert net.shapes["cell16.node3"] == (64, 8, 8)


def test_one_training_step_for_a_seeded_sample():
    for ops in _sample(2, seed=7):
        torch.manual_seed(0)
        net = build_network(nb201_network(ops, 10), (3, 32, 32), head=None)
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        x, y = torch.randn(8, 3, 32, 32), torch.arange(8) % 10
        net.train()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        before = [p.detach().clone() for p in net.parameters()]
        loss.backward()
        opt.step()
        assert torch.isfinite(loss)
        assert any(not torch.equal(b, p) for b, p in zip(before, net.parameters()))


def test_benchmark_network_uses_the_data_sets_classes_and_input():
    nb = NASBench201("unused", dataset="ImageNet16-120")
    assert nb.input_shape == (3, 16, 16) and nb.num_classes == 120
    d = nb.network(("nor_conv_1x1",) * 6)
    net = build_network(d, nb.input_shape, head=None)
    assert net(torch.zeros(1, *nb.input_shape)).shape == (1, 120)


def test_fewer_cells_per_stage_keep_the_design():
    ops = ("nor_conv_3x3", "skip_connect", "none", "avg_pool_3x3", "nor_conv_1x1", "none")
    d = nb201_network(ops, 10, cells_per_stage=1)
    assert {n.split(".")[0] for n in d.layers if n.startswith("cell")} == {f"cell{k}" for k in range(5)}
    net = build_network(d, (3, 32, 32), head=None)
    assert _params(net) == nb201_parameter_count(ops, 10, cells_per_stage=1) < nb201_parameter_count(ops, 10)
    with pytest.raises(ParameterError, match="cells_per_stage"):
        nb201_network(ops, 10, cells_per_stage=0)


def test_network_is_drawn():
    from nasnb.viz import architecture_data, plot_architecture

    d = nb201_network(("nor_conv_3x3", "skip_connect", "none", "avg_pool_3x3", "nor_conv_1x1", "none"), 10,
                      cells_per_stage=1)
    data = architecture_data(d)
    assert sorted(data.names) == sorted(d.layers)
    x = dict(zip(data.names, data.positions[:, 0]))
    # drawn left to right in data-flow order: stem, the cells, the head
    assert x["stem.conv"] < x["cell0.node3"] < x["cell1.sum"] < x["cell2.node3"] < x["head.classifier"]
    fig = plot_architecture(data, figsize=(40, 2.4))
    assert fig.axes[0].texts or fig.axes[0].patches


@pytest.mark.parametrize("ops, num_classes, error, match", [
    (("nor_conv_3x3",) * 5, 10, BenchmarkError, "6 edge ops"),
    (("conv_9x9",) * 6, 10, BenchmarkError, "conv_9x9"),
    (42, 10, BenchmarkError, "sequence of 6 ops"),
    (("none",) * 6, 0, ParameterError, "num_classes"),
])
def test_bad_input(ops, num_classes, error, match):
    with pytest.raises(error, match=match):
        nb201_network(ops, num_classes)
    with pytest.raises(error, match=match):
        nb201_parameter_count(ops, num_classes)
