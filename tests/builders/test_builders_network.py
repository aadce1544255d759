"""build_network: published examples, MVS numerics, merges, heads, JSON round trip, errors."""

import pytest
import torch
import torch.nn.functional as F

from nasnb.builders import NetworkModule, build_network
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BuildError, LayerParameterError, ParameterError, UnknownLayerError


def conv(c, k, **extra):
    return "nn.Conv2d", {"out_channels": c, "kernel_size": k, **extra}


def published_branched():
    """The framework's non-sequential example, with conv3 widened so that pool2 receives
    inputs of different spatial sizes *and* channel counts."""
    d = NeuralDescriptor()
    d.add_layer(*conv(5, 3), name="conv")
    d.add_layer(*conv(10, 5), name="conv2")
    d.add_layer(*conv(16, 3), name="conv3")
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2, "stride": 2}, name="pool1")
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2, "stride": 5}, name="pool2")
    for src, dst in (("conv", "conv2"), ("conv2", "conv3"), ("conv3", "pool2"), ("conv2", "pool1"),
                     ("pool1", "pool2")):
        d.connect_layers(src, dst)
    return d


def real_shapes(net, x):
    """Output shape of every layer from a real forward pass (to check the inferred ones)."""
    seen = {}
    hooks = [net.layer(n).register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, tuple(o.shape[1:])))
             for n in net.shapes]
    net(x)
    for h in hooks:
        h.remove()
    return seen


def test_published_branched_example_builds_and_runs():
    d = published_branched()
    before = d.to_json()
    net = build_network(d, (3, 128, 128), num_outputs=10)
    assert isinstance(net, NetworkModule)
    assert d.to_json() == before  # never mutated
    steps = {s.source: s for s in net.merges["pool2"]}
    assert steps["conv3"].input_shape == (16, 120, 120) and steps["pool1"].input_shape == (10, 61, 61)
    assert steps["conv3"].operations == ("interpolate", "conv1x1") and steps["pool1"].operations == ()
    x = torch.randn(2, 3, 128, 128)
    assert net(x).shape == (2, 10)
    assert real_shapes(net, x) == net.shapes
    assert net.shapes["pool2"] == (10, 12, 12)


def test_published_sequential_example_builds_and_runs():
    d = NeuralDescriptor()
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 3, "out_channels": 5, "kernel_size": 3})
    d.add_layer_sequential("nn.Conv2d", {"in_channels": 5, "out_channels": 10, "kernel_size": 5})
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2, "stride": 2})
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2, "stride": 5})
    net = build_network(d, (3, 32, 32), 10)
    x = torch.randn(4, 3, 32, 32)
    assert net(x).shape == (4, 10)
    assert net.shapes == real_shapes(net, x) == {"layer_0": (5, 30, 30), "layer_1": (10, 26, 26),
                                                 "layer_2": (10, 13, 13), "layer_3": (10, 3, 3)}
    assert net.merges == {}
    text = net.summary()
    assert "layer_1" in text and "10×26×26" in text and f"{net.num_parameters():,}" in text


def test_mvs_merge_equals_interpolation_plus_1x1_conv_plus_sum():
    torch.manual_seed(0)
    d = NeuralDescriptor()
    d.add_layer(*conv(4, 3, padding=1), name="stem")       # 4×8×8
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="small")  # 4×4×4
    d.add_layer(*conv(6, 1), name="wide")                 # 6×8×8
    d.add_layer("nn.Identity", name="join")
    for src, dst in (("stem", "small"), ("stem", "wide"), ("small", "join"), ("wide", "join")):
        d.connect_layers(src, dst)
    net = build_network(d, (1, 8, 8), head=None)
    assert net.shapes["join"] == (4, 4, 4)
    (step,) = [s for s in net.merges["join"] if s.source == "wide"]
    proj = net.adapters[step.module][-1]
    assert tuple(proj.weight.shape) == (4, 6, 1, 1)
    x = torch.randn(3, 1, 8, 8)
    stem = net.layer("stem")(x)
    small, wide = net.layer("small")(stem), net.layer("wide")(stem)
    by_hand = small + F.conv2d(F.interpolate(wide, size=(4, 4), mode="nearest"), proj.weight)
    assert torch.allclose(net(x), by_hand, atol=1e-6)


def test_mvs_picks_the_smallest_viable_size():
    d = NeuralDescriptor()
    d.add_layer(*conv(4, 3, padding=1), name="stem")          # 4×8×8
    d.add_layer("nn.MaxPool2d", {"kernel_size": 4}, name="tiny")  # 4×2×2: too small for a 3×3 kernel
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="mid")   # 4×4×4
    d.add_layer(*conv(5, 3), name="head_conv")
    for src, dst in (("stem", "tiny"), ("stem", "mid"), ("tiny", "head_conv"), ("mid", "head_conv")):
        d.connect_layers(src, dst)
    net = build_network(d, (1, 8, 8), 2)
    assert {s.source: s.output_shape for s in net.merges["head_conv"]} == {"tiny": (4, 4, 4), "mid": (4, 4, 4)}
    assert net.shapes["head_conv"] == (5, 2, 2)
    assert net(torch.randn(2, 1, 8, 8)).shape == (2, 2)


def test_fixed_channel_merge_projects_every_input_to_fixed_channels():
    d = NeuralDescriptor()
    d.add_layer(*conv(6, 3, padding=1), name="a")  # 6×8×8
    d.add_layer("POOL_2.M", name="b")               # 6×4×4
    d.add_layer("CONV_5.H", name="c")               # fixed_channels/2 × 8×8
    d.add_layer("nn.ReLU", name="out")
    for src, dst in (("a", "b"), ("a", "c"), ("b", "out"), ("c", "out")):
        d.connect_layers(src, dst)
    net = build_network(d, (1, 8, 8), 3, merge="fixed", fixed_channels=8)
    assert net.shapes["b"] == (6, 4, 4) and net.shapes["c"] == (4, 8, 8)
    ops = {s.source: s.operations for s in net.merges["out"]}
    assert ops == {"b": ("conv1x1",), "c": ("interpolate", "conv1x1")}
    assert net.shapes["out"] == (8, 4, 4)
    assert net(torch.randn(2, 1, 8, 8)).shape == (2, 3)
    mvs = build_network(d, (1, 8, 8), 3, fixed_channels=8)  # MVS: channels of the smallest input (b)
    assert mvs.shapes["out"] == (6, 4, 4)
    assert {s.source: s.operations for s in mvs.merges["out"]} == {"b": (), "c": ("interpolate", "conv1x1")}
    with pytest.raises(ParameterError, match="fixed_channels"):
        build_network(d, (1, 8, 8), 3, merge="fixed")


def test_flat_merge_projects_to_the_smallest_width_and_flattens_for_linear():
    d = NeuralDescriptor()
    d.add_layer("nn.Linear", {"out_features": 12}, name="a")
    d.add_layer("nn.Linear", {"out_features": 5}, name="b")
    d.add_layer("nn.Linear", {"out_features": 7}, name="c")
    d.add_layer("nn.ReLU", name="join")
    for src, dst in (("a", "b"), ("a", "c"), ("b", "join"), ("c", "join")):
        d.connect_layers(src, dst)
    net = build_network(d, (20,), 4, head="linear")
    assert net.shapes["join"] == (5,)
    assert {s.source: s.operations for s in net.merges["join"]} == {"b": (), "c": ("linear",)}
    assert net(torch.randn(3, 20)).shape == (3, 4)
    # flatten → dense transition: a Linear after a convolution gets a flatten inserted
    img = NeuralDescriptor.sequential([conv(3, 3), ("nn.Linear", {"out_features": 6})])
    net2 = build_network(img, (1, 8, 8), 2)
    assert net2.merges["layer_1"][0].operations == ("flatten",)
    assert net2.shapes["layer_1"] == (6,) and net2(torch.randn(2, 1, 8, 8)).shape == (2, 2)


def test_json_round_trip_builds_the_same_network():
    d = published_branched()
    again = NeuralDescriptor.from_json(d.to_json())
    torch.manual_seed(7)
    a = build_network(d, (3, 64, 64), 10)
    torch.manual_seed(7)
    b = build_network(again, (3, 64, 64), 10)
    assert a.num_parameters() == b.num_parameters()
    x = torch.randn(2, 3, 64, 64)
    a.eval(); b.eval()
    assert torch.equal(a(x), b(x))


@pytest.mark.parametrize("head, expected", [("thesis", (2, 10)), ("linear", (2, 10)), (None, (2, 8, 4, 4))])
def test_heads(head, expected):
    d = NeuralDescriptor.sequential([conv(8, 3, padding=1), ("nn.MaxPool2d", {"kernel_size": 2})])
    net = build_network(d, (1, 8, 8), 10, head=head)
    assert net(torch.randn(2, 1, 8, 8)).shape == expected
    if head == "thesis":
        linears = [m for m in net.head if isinstance(m, torch.nn.Linear)]
        assert [(m.in_features, m.out_features) for m in linears] == [(128, 32), (32, 16), (16, 10)]
    custom = build_network(d, (1, 8, 8), 3, head=lambda f, n: torch.nn.Linear(f, n))
    assert custom(torch.randn(2, 1, 8, 8)).shape == (2, 3)


# ------------------------------------------------------------------ errors
def test_kernel_larger_than_input_names_layer_and_shapes():
    d = NeuralDescriptor.sequential([conv(4, 3), conv(4, 9)])
    with pytest.raises(BuildError, match=r"'layer_1' \(nn.Conv2d\).*4×6×6"):
        build_network(d, (1, 8, 8), 2)


def test_size_shrinking_to_zero_names_layer():
    d = NeuralDescriptor.sequential([("nn.MaxPool2d", {"kernel_size": 2})] * 4)
    with pytest.raises(BuildError, match=r"'layer_3' \(nn.MaxPool2d\).*1×1×1"):
        build_network(d, (1, 8, 8), 2)


def test_no_merge_size_fits_the_receiving_layer():
    d = NeuralDescriptor()
    d.add_layer("nn.MaxPool2d", {"kernel_size": 4}, name="p1")
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2}, name="p2")
    d.add_layer(*conv(2, 3), name="c")
    d.add_layer("nn.Identity", name="in")
    for src, dst in (("in", "p1"), ("p1", "p2"), ("p1", "c"), ("p2", "c")):
        d.connect_layers(src, dst)
    with pytest.raises(BuildError, match=r"'c' \(nn.Conv2d\).*p1 1×2×2.*p2 1×1×1"):
        build_network(d, (1, 8, 8), 2)


def test_structural_and_layer_errors_from_build():
    cyc = NeuralDescriptor.sequential(["nn.ReLU", "nn.Tanh", "nn.ReLU"])
    cyc.add_layer("nn.Identity", name="in"); cyc.connect_layers("in", "layer_0")
    cyc.connect_layers("layer_2", "layer_1")
    with pytest.raises(BuildError, match="cycle"):
        build_network(cyc, (4,), 2)
    nopath = NeuralDescriptor()
    nopath.add_layer("nn.ReLU", name="i"); nopath.add_layer("nn.ReLU", name="o")
    nopath.set_input("i"); nopath.set_output("o")
    with pytest.raises(BuildError, match="no path"):
        build_network(nopath, (4,), 2)
    with pytest.raises(UnknownLayerError, match="'bogus'"):
        build_network(NeuralDescriptor.sequential(["bogus"]), (4,), 2)
    with pytest.raises(LayerParameterError, match="'kernel'"):
        build_network(NeuralDescriptor.sequential([("deepneat_conv", {"filters": 4, "kernel": 2})]), (1, 8, 8), 2)
    with pytest.raises(BuildError, match=r"in_channels=7.*1 channels"):
        build_network(NeuralDescriptor.sequential([conv(4, 3, in_channels=7)]), (1, 8, 8), 2, strict=True)
    with pytest.raises(BuildError, match=r"'layer_0' \(nn.Conv2d\) accepts image"):
        build_network(NeuralDescriptor.sequential([conv(4, 3)]), (1, 40), 2)


def test_bad_arguments():
    d = NeuralDescriptor.sequential(["nn.ReLU"])
    with pytest.raises(ParameterError, match="'input_shape' parameter of build_network"):
        build_network(d, (1, 0, 8), 2)
    with pytest.raises(ParameterError, match="'num_outputs'"):
        build_network(d, (4,), 0)
    with pytest.raises(ParameterError, match="'merge'"):
        build_network(d, (4,), 2, merge="max")
    with pytest.raises(ParameterError, match="'head'"):
        build_network(d, (4,), 2, head="huge")
    assert build_network(d, (4,), head=None)(torch.ones(1, 4)).shape == (1, 4)


def test_series_merge_and_copies():
    import copy
    import pickle

    d = NeuralDescriptor()
    d.add_layer("nn.Conv1d", {"out_channels": 6, "kernel_size": 3}, name="a")   # 6×38
    d.add_layer("deepneat_conv", {"filters": 4, "max_pool": True}, name="b")   # 4×19
    d.add_layer("nn.Conv1d", {"out_channels": 3, "kernel_size": 5}, name="c")
    for src, dst in (("a", "b"), ("a", "c"), ("b", "c")):
        d.connect_layers(src, dst)
    net = build_network(d, (1, 40), 10)
    assert {s.source: s.operations for s in net.merges["c"]} == {"a": ("interpolate", "conv1x1"), "b": ()}
    assert net.shapes["c"] == (3, 15)
    x = torch.randn(2, 1, 40)
    net.eval()
    y = net(x)
    assert y.shape == (2, 10)
    assert torch.equal(copy.deepcopy(net)(x), y)
    assert torch.equal(pickle.loads(pickle.dumps(net))(x), y)


def test_seed_makes_weights_reproducible_without_touching_global_rng():
    import torch

    from nasnb import NeuralDescriptor, build_network

    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
    before = torch.random.get_rng_state()
    a, b = (build_network(d, (1, 8, 8), 10, seed=3) for _ in range(2))
    other = build_network(d, (1, 8, 8), 10, seed=4)
    x = torch.ones(2, 1, 8, 8)
    assert torch.equal(a(x), b(x)) and not torch.equal(a(x), other(x))
    assert torch.equal(before, torch.random.get_rng_state())
