"""The thesis' chapter-3 listings, written in the original framework's style, run with only
their import lines changed (see ``_nord_scripts.run_original``)."""

import os
import sys
import warnings

import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
from _nord_scripts import restore_determinism, run_original  # noqa: E402

from nasnb.builders import InferredParameterWarning  # noqa: E402

# Listing 3.1: a branched descriptor; conv3 declares 5 input channels but is fed conv2's 10
LISTING_3_1 = """
import torch.nn as nn
from nord.neural_nets import NeuralDescriptor, NeuralNet

conv, pool = nn.Conv2d, nn.MaxPool2d
d = NeuralDescriptor()
d.add_layer(conv, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3}, 'conv')
d.add_layer(conv, {'in_channels': 5, 'out_channels': 10, 'kernel_size': 5}, 'conv2')
d.add_layer(conv, {'in_channels': 5, 'out_channels': 10, 'kernel_size': 3}, 'conv3')
d.add_layer(pool, {'kernel_size': 2, 'stride': 2}, 'pool1')
d.add_layer(pool, {'kernel_size': 2, 'stride': 5}, 'pool2')
for origin, target in [('conv', 'conv2'), ('conv2', 'conv3'), ('conv3', 'pool2'),
                       ('conv2', 'pool1'), ('pool1', 'pool2')]:
    d.connect_layers(origin, target)
net = NeuralNet(net_descriptor=d, num_classes=10, input_shape=(128, 128), input_channels=3)
"""

# the sequential form of the same listing (each layer connected to the previous one)
LISTING_SEQUENTIAL = """
import torch.nn as nn
from nord.neural_nets import NeuralDescriptor, NeuralNet

d = NeuralDescriptor()
d.add_layer_sequential(nn.Conv2d, {'in_channels': 3, 'out_channels': 5, 'kernel_size': 3})
d.add_layer_sequential(nn.Conv2d, {'in_channels': 5, 'out_channels': 10, 'kernel_size': 5})
d.add_layer_sequential(nn.MaxPool2d, {'kernel_size': 2, 'stride': 2})
d.add_layer_sequential(nn.MaxPool2d, {'kernel_size': 2, 'stride': 5})
net = NeuralNet(net_descriptor=d, num_classes=10, input_shape=(32, 32), input_channels=3)
"""

# the local-evaluator listing as printed: it uses `conv` without ever defining it
LOCAL_EVALUATOR_AS_PRINTED = """
import torch.nn as nn
import torch.optim as opt
from nord.neural_nets import LocalEvaluator, NeuralDescriptor
from nord.utils import assure_reproducibility

assure_reproducibility()
evaluator = LocalEvaluator(optimizer_class=opt.Adam, optimizer_params={'lr': 0.01}, verbose=True)
d = NeuralDescriptor()
conv_params = {'in_channels': 1, 'out_channels': 8, 'kernel_size': 3}
pool = nn.MaxPool2d
d.add_layer_sequential(conv, conv_params)
d.add_layer_sequential(pool, {'kernel_size': 2, 'stride': 2})
loss, metrics, total_time = evaluator.descriptor_evaluate(descriptor=d, epochs=EPOCHS, dataset=DATASET)
"""
# ... and with the one missing line added
LOCAL_EVALUATOR_FIXED = LOCAL_EVALUATOR_AS_PRINTED.replace("pool = nn.MaxPool2d\n",
                                                           "pool = nn.MaxPool2d\nconv = nn.Conv2d\n")


@pytest.fixture
def deterministic_scope():
    yield
    restore_determinism()


def test_listing_3_1_builds_with_a_warning_naming_conv3():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ns = run_original(LISTING_3_1, "listing_3_1")
    inferred = [w for w in caught if issubclass(w.category, InferredParameterWarning)]
    assert len(inferred) == 1 and "'conv3'" in str(inferred[0].message)
    assert "in_channels=5" in str(inferred[0].message) and "10 channels" in str(inferred[0].message)
    net = ns["net"]
    assert net.functional and net.network.layer("conv3").in_channels == 10
    assert net.network.shapes["pool2"] == (10, 12, 12)
    assert net(torch.randn(2, 3, 128, 128)).shape == (2, 10)
    assert ns["d"].layer("conv3").params["in_channels"] == 5  # the descriptor is left as written


def test_sequential_listing_builds_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", InferredParameterWarning)
        ns = run_original(LISTING_SEQUENTIAL, "listing_sequential")
    # unnamed layers are called '<k>_Layer', as in the original
    assert ns["net"].network.shapes == {"0_Layer": (5, 30, 30), "1_Layer": (10, 26, 26),
                                        "2_Layer": (10, 13, 13), "3_Layer": (10, 3, 3)}
    assert ns["net"](torch.randn(4, 3, 32, 32)).shape == (4, 10)


def test_local_evaluator_listing_has_its_own_bug(deterministic_scope):
    with pytest.raises(NameError, match="'conv' is not defined"):
        run_original(LOCAL_EVALUATOR_AS_PRINTED, "local_as_printed", EPOCHS=1, DATASET="digits")


def test_local_evaluator_listing_runs_once_conv_is_defined(deterministic_scope, capsys):
    first = run_original(LOCAL_EVALUATOR_FIXED, "local_fixed", EPOCHS=2, DATASET="digits")
    again = run_original(LOCAL_EVALUATOR_FIXED, "local_fixed", EPOCHS=2, DATASET="digits")
    loss, metrics, total_time = first["loss"], first["metrics"], first["total_time"]
    assert type(metrics) is dict and set(metrics) == {"accuracy"}
    assert metrics["accuracy"] > 0.3 and 0 < loss < 2.2 and total_time > 0  # well above chance (0.1)
    # assure_reproducibility() at the top makes the whole script repeat exactly
    assert (again["loss"], again["metrics"]) == (loss, metrics)
    # verbose=True prints the network, the epochs and the test result, as the original
    out = capsys.readouterr().out
    assert out.count("Epoch 2/2") == 2 and out.count("Loss: ") >= 4
    assert out.count("Metrics of the network on the test images:  {'accuracy': ") == 2
    assert "Loss of the network on the test images: %.4f" % loss in out
