"""Declared input sizes that disagree with a layer's real input: inferred with a warning, or strict."""

import warnings

import pytest
import torch

from nasnb.builders import build_network
from nasnb.builders.builder import InferredParameterWarning
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BuildError, ParameterError


def listing_3_1():
    """The thesis' first listing: conv3 declares 5 input channels but receives conv2's 10."""
    d = NeuralDescriptor()
    d.add_layer("nn.Conv2d", {"in_channels": 3, "out_channels": 5, "kernel_size": 3}, "conv")
    d.add_layer("nn.Conv2d", {"in_channels": 5, "out_channels": 10, "kernel_size": 5}, "conv2")
    d.add_layer("nn.Conv2d", {"in_channels": 5, "out_channels": 10, "kernel_size": 3}, "conv3")
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2, "stride": 2}, "pool1")
    d.add_layer("nn.MaxPool2d", {"kernel_size": 2, "stride": 5}, "pool2")
    for src, dst in (("conv", "conv2"), ("conv2", "conv3"), ("conv3", "pool2"), ("conv2", "pool1"),
                     ("pool1", "pool2")):
        d.connect_layers(src, dst)
    return d


def build_recording(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = build_network(*args, **kwargs)
    return net, [w for w in caught if issubclass(w.category, InferredParameterWarning)]


def test_listing_3_1_builds_with_one_warning_naming_conv3():
    d = listing_3_1()
    before = d.to_json()
    net, caught = build_recording(d, (3, 128, 128), 10)
    assert len(caught) == 1
    text = str(caught[0].message)
    assert "'conv3'" in text and "in_channels=5" in text and "10 channels" in text
    assert caught[0].filename == __file__  # points at the caller, not at nasnb internals
    conv3 = net.layer("conv3")
    assert (conv3.in_channels, conv3.out_channels) == (10, 10) and conv3.weight.shape == (10, 10, 3, 3)
    assert d.to_json() == before  # the descriptor keeps what was declared
    assert net(torch.randn(2, 3, 128, 128)).shape == (2, 10)


def test_strict_raises_build_error_naming_the_layer():
    with pytest.raises(BuildError, match=r"'conv3' \(nn.Conv2d\) declares in_channels=5.*10 channels"):
        build_network(listing_3_1(), (3, 128, 128), 10, strict=True)
    with pytest.raises(ParameterError, match="strict"):
        build_network(listing_3_1(), (3, 128, 128), 10, strict="yes")


def test_matching_or_missing_declarations_do_not_warn():
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}),
                                     ("nn.BatchNorm2d", {"num_features": 4}), "nn.Flatten",
                                     ("nn.Linear", {"out_features": 6})])
    net, caught = build_recording(d, (1, 8, 8), 3, strict=True)
    assert caught == [] and net.layer("layer_3").in_features == 4 * 6 * 6


def test_in_features_and_num_features_are_inferred_too():
    d = NeuralDescriptor.sequential([("nn.Conv1d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}),
                                     ("nn.BatchNorm1d", {"num_features": 9}), "nn.Flatten",
                                     ("nn.Linear", {"in_features": 3, "out_features": 6})])
    net, caught = build_recording(d, (1, 10), 3)
    assert sorted(str(w.message).split("'")[1] for w in caught) == ["layer_1", "layer_3"]
    assert net.layer("layer_1").num_features == 4 and net.layer("layer_3").in_features == 32
    assert net(torch.randn(5, 1, 10)).shape == (5, 3)


def test_merged_input_counts_after_the_mvs_projection():
    # a layer after a merge (pool2 sums conv3 and pool1) is checked against the merged input
    d = listing_3_1()
    d.add_layer("nn.Conv2d", {"in_channels": 16, "out_channels": 2, "kernel_size": 1}, "tail")
    d.connect_layers("pool2", "tail")
    net, caught = build_recording(d, (3, 64, 64), 4)
    assert {str(w.message).split("'")[1] for w in caught} == {"conv3", "tail"}
    assert net.layer("tail").in_channels == net.shapes["pool2"][0] == 10
