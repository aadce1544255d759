"""The layer registry and the built-in blocks (thesis, benchmark ops, torch.nn allow-list)."""

import pickle
import subprocess
import sys

import pytest
import torch
from torch import nn

from nasnb.builders import build_network
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BuildError, LayerParameterError, ParameterError, UnknownLayerError
from nasnb.layers import LayerRegistry, default_registry
from nasnb.layers.thesis import CH6_CHOICES

BLOCKS = [("deepneat_conv", {"filters": 6, "kernel": 3, "dropout": 0.3, "weight_scale": 1.5, "max_pool": True}),
          ("deepneat_conv", {"filters": 6, "kernel": 1, "batch_norm": True}),
          *[(c, {}) for c in CH6_CHOICES],
          ("conv3x3-bn-relu", {}), ("conv1x1-bn-relu", {"channels": 5}), ("maxpool3x3", {}),
          ("input", {}), ("output", {}), ("IN", {}), ("OUT", {}),
          ("nor_conv_3x3", {"channels": 4}), ("nor_conv_1x1", {}), ("avg_pool_3x3", {}), ("skip_connect", {}),
          ("none", {})]


def shape_of(net, name, x):
    out = {}

    def hook(module, inputs, output):
        out["s"] = tuple(output.shape[1:])

    h = net.layer(name).register_forward_hook(hook)
    net(x)
    h.remove()
    return out["s"]


@pytest.mark.parametrize("input_shape", [(1, 28, 28), (1, 8, 8), (2, 40)], ids=["28x28", "8x8", "1d"])
@pytest.mark.parametrize("block, params", BLOCKS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_builtin_block_builds_and_runs(block, params, input_shape):
    # two blocks in a row, so that each also receives the output of a block
    d = NeuralDescriptor.sequential([(block, params), (block, params)])
    net = build_network(d, input_shape, 3, fixed_channels=8)
    x = torch.randn(2, *input_shape)
    assert net(x).shape == (2, 3)
    assert shape_of(net, "layer_1", x) == net.shapes["layer_1"]
    assert len(net.shapes["layer_1"]) == len(input_shape)


def test_ch6_blocks_follow_the_thesis_recipe():
    net = build_network(NeuralDescriptor.sequential(["CONV_3.H", "CONV_5.N", "POOL_2.A", "POOL_3.M", "POOL_5.A"]),
                        (1, 28, 28), 10, fixed_channels=64)
    conv_h = net.layer("layer_0")
    assert [type(m) for m in conv_h] == [nn.Conv2d, nn.ReLU6, nn.BatchNorm2d, nn.Dropout]
    assert conv_h[0].out_channels == 32 and conv_h[3].p == pytest.approx(0.1)
    assert net.layer("layer_1")[0].out_channels == 64 and net.layer("layer_1")[0].kernel_size == (5, 5)
    assert isinstance(net.layer("layer_2"), nn.AvgPool2d) and isinstance(net.layer("layer_3"), nn.MaxPool2d)
    assert [net.shapes[f"layer_{i}"] for i in range(5)] == [(32, 28, 28), (64, 28, 28), (64, 14, 14), (64, 7, 7),
                                                            (64, 4, 4)]
    default = build_network(NeuralDescriptor.sequential(["CONV_2.N"]), (1, 8, 8), 10)
    assert default.shapes["layer_0"] == (64, 8, 8)  # the thesis' fixed channel count by default


def test_deepneat_weight_scale_multiplies_initial_weights():
    d0 = NeuralDescriptor.sequential([("deepneat_conv", {"filters": 4, "weight_scale": 1.0})])
    d2 = NeuralDescriptor.sequential([("deepneat_conv", {"filters": 4, "weight_scale": 2.0})])
    torch.manual_seed(3)
    w1 = build_network(d0, (1, 8, 8), 2).layer("layer_0")[0].weight.detach().clone()
    torch.manual_seed(3)
    w2 = build_network(d2, (1, 8, 8), 2).layer("layer_0")[0].weight.detach()
    assert torch.allclose(w2, 2 * w1)
    block = build_network(NeuralDescriptor.sequential([("deepneat_conv", {"filters": 4, "max_pool": True})]),
                          (3, 9, 9), 2).layer("layer_0")
    assert [type(m) for m in block] == [nn.Conv2d, nn.ReLU, nn.Dropout2d, nn.MaxPool2d]


def test_benchmark_ops_match_their_definitions():
    net = build_network(NeuralDescriptor.sequential(["conv3x3-bn-relu", "nor_conv_3x3", "none"]), (4, 6, 6), None,
                        head=None)
    assert [type(m) for m in net.layer("layer_0")] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU]
    assert [type(m) for m in net.layer("layer_1")] == [nn.ReLU, nn.Conv2d, nn.BatchNorm2d]
    assert net.layer("layer_0")[0].bias is None and net.shapes["layer_1"] == (4, 6, 6)
    assert torch.count_nonzero(net(torch.randn(2, 4, 6, 6))) == 0


def test_user_registered_layers_three_ways():
    reg = default_registry().copy()

    def scaled(shape, factor=2.0):  # returns (module, output shape)
        from nasnb.layers.modules import Scale
        return Scale(factor), shape

    def halve(shape):  # module only: shape from the output_shape function
        return nn.AvgPool1d(2)

    def squeeze(shape, width=3):  # module only, no shape function: one meta pass
        return nn.Sequential(nn.Flatten(), nn.Linear(shape[0] * shape[1], width))

    reg.register_layer("scaled", scaled)
    reg.register_layer("halve", halve, output_shape=lambda s: (s[0], s[1] // 2), ranks=[2])
    reg.register_layer("squeeze", squeeze, ranks=[2])
    d = NeuralDescriptor.sequential([("scaled", {"factor": 3.0}), "halve", ("squeeze", {"width": 5})])
    net = build_network(d, (2, 10), 4, registry=reg)
    assert net.shapes == {"layer_0": (2, 10), "layer_1": (2, 5), "layer_2": (5,)}
    assert net(torch.randn(3, 2, 10)).shape == (3, 4)
    with pytest.raises(UnknownLayerError, match="'scaled'"):
        build_network(d, (2, 10), 4)  # not in the default registry
    with pytest.raises(LayerParameterError, match=r"'layer_0' \(scaled\) has no parameter 'gain'.*factor"):
        build_network(NeuralDescriptor.sequential([("scaled", {"gain": 1})]), (2, 10), 4, registry=reg)
    with pytest.raises(BuildError, match=r"'layer_0' \(halve\) accepts series"):
        build_network(NeuralDescriptor.sequential(["halve"]), (1, 4, 4), 4, registry=reg)
    assert pickle.loads(pickle.dumps(default_registry().copy())).names() == default_registry().names()


def test_registry_rules():
    with pytest.raises(ParameterError, match="read-only"):
        default_registry().register_layer("x", lambda shape: nn.Identity())
    reg = LayerRegistry()
    reg.register_layer("x", lambda shape: nn.Identity())
    with pytest.raises(ParameterError, match="already registered"):
        reg.register_layer("x", lambda shape: nn.Identity())
    reg.register_layer("x", lambda shape: nn.Tanh(), replace=True)
    with pytest.raises(ParameterError, match="reserved"):
        reg.register_layer("nn.Evil", lambda shape: nn.Identity())
    with pytest.raises(ParameterError, match="input shape as its first argument"):
        reg.register_layer("y", lambda: nn.Identity())
    with pytest.raises(UnknownLayerError, match="'nn.Module'"):
        default_registry().validate_layer("l", "nn.Module", {})
    with pytest.raises(UnknownLayerError):
        default_registry().validate_layer("l", "torch.nn.Conv2d", {})


@pytest.mark.parametrize("type_name, params, culprit", [
    ("nn.Conv2d", {"out_channels": 4, "kernel_size": 0}, "kernel_size"),
    ("nn.Conv2d", {"out_channels": 4, "kernel_size": 3, "device": "cuda"}, "device"),
    ("nn.Dropout", {"p": 1.5}, "'p'"),
    ("nn.ReLU", {"inplace": True}, "inplace"),
    ("nn.MaxPool2d", {"kernel_size": 2, "return_indices": True}, "return_indices"),
    ("nn.Linear", {"out_features": -1}, "out_features"),
    ("deepneat_conv", {"filters": 8, "dropout": 1.0}, "dropout"),
    ("deepneat_conv", {"filters": 8, "weight_scale": -1}, "weight_scale"),
    ("deepneat_conv", {}, "filters"),
    ("conv3x3-bn-relu", {"channels": 0}, "channels"),
    ("CONV_3.N", {"channels": 8}, "channels"),
])
def test_bad_layer_parameters_name_layer_and_parameter(type_name, params, culprit):
    with pytest.raises(LayerParameterError, match=f"'bad' \\({type_name}\\).*{culprit}"):
        default_registry().validate_layer("bad", type_name, params)


def test_importing_layers_and_validating_does_not_import_torch():
    code = ("import sys, nasnb.layers; from nasnb.descriptors import NeuralDescriptor; "
            "NeuralDescriptor.sequential([('deepneat_conv', {'filters': 4}), 'CONV_3.H', 'nor_conv_1x1']).validate(); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
