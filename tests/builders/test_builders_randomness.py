"""Private dropout streams: what they replace, what they leave, and bad arguments."""

import pytest
import torch
from torch import nn

from nasnb.builders.randomness import PrivateDropout, private_randomness
from nasnb.exceptions import ParameterError


def _net():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Dropout2d(0.5), nn.Flatten(), nn.Dropout(0.3), nn.AlphaDropout(0.2))


def test_dropouts_are_replaced_and_the_rest_is_named():
    net = _net()
    shared = private_randomness(net, 3)
    assert shared == ["4"]   # AlphaDropout has no private version: the caller must lock
    assert [type(m).__name__ for m in net] == ["Conv2d", "PrivateDropout", "Flatten", "PrivateDropout", "AlphaDropout"]
    assert (net[1].p, net[1].shared_dims, net[3].p, net[3].shared_dims) == (0.5, 2, 0.3, 0)


def test_same_seed_same_masks_other_seed_other_masks_global_generator_untouched():
    def masks(seed):
        net = nn.Sequential(nn.Dropout(0.5))
        private_randomness(net, seed)
        return net(torch.ones(64)) == 0

    torch.manual_seed(1)
    before = torch.rand(2)
    torch.manual_seed(1)
    a, b, c = masks(5), masks(5), masks(6)
    assert torch.equal(a, b) and not torch.equal(a, c) and 10 < int(a.sum()) < 54
    assert torch.equal(torch.rand(2), before)


def test_eval_mode_is_the_identity():
    drop = PrivateDropout(0.9, 0, torch.Generator().manual_seed(0)).eval()
    x = torch.arange(6.0)
    assert torch.equal(drop(x), x)


@pytest.mark.parametrize("kwargs, match", [
    ({"p": 1.5}, "'p' parameter of PrivateDropout"),
    ({"shared_dims": 4}, "'shared_dims' parameter of PrivateDropout"),
    ({"generator": 0}, "'generator' parameter of PrivateDropout"),
])
def test_private_dropout_bad_arguments(kwargs, match):
    args = {"p": 0.5, "shared_dims": 0, "generator": torch.Generator(), **kwargs}
    with pytest.raises(ParameterError, match=match):
        PrivateDropout(**args)


@pytest.mark.parametrize("kwargs, match", [
    ({"model": "net"}, "'model' parameter of private_randomness"),
    ({"seed": -1}, "'seed' parameter of private_randomness"),
    ({"device": "gpu7"}, "'device' parameter of private_randomness"),
])
def test_private_randomness_bad_arguments(kwargs, match):
    args = {"model": _net(), "seed": 0, **kwargs}
    with pytest.raises(ParameterError, match=match):
        private_randomness(**args)
