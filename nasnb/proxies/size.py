"""Size proxies, the baselines every zero-cost proxy must beat: ``params`` and ``flops``.

* ``params`` -- the number of trainable parameters.
* ``flops`` -- multiply-accumulate operations of one example's forward pass through the
  convolution and linear layers (the convention of NAS-Bench-201's ``flops`` and of fvcore):
  a convolution costs ``output elements × in_channels / groups × kernel volume``, a linear layer
  ``output elements × in_features``; counted on a forward pass of one example of ``inputs``' shape.

Both are data-free and deterministic (``seed`` is accepted and unused).

Examples
--------
>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 10))
>>> params(net, torch.zeros(1, 3, 8, 8)), flops(net, torch.zeros(1, 3, 8, 8))
(1562.0, 5328.0)
"""

from __future__ import annotations

import math
from typing import Any, cast

import torch
from torch import nn

from nasnb.proxies.base import ProxyError, check_inputs, forward, weight_layers

__all__ = ["params", "flops"]


def params(net: torch.nn.Module, inputs: Any = None, targets: Any = None, *, seed: Any = 0, copy: bool = True) -> float:
    """Number of trainable parameters of ``net`` (a :class:`ProxyError` when there are none)."""
    if inputs is not None:
        check_inputs(net, inputs, "params")
    n = sum(p.numel() for p in net.parameters() if p.requires_grad)
    if n == 0:
        raise ProxyError("The network has no trainable parameters; params cannot rank it.")
    return float(n)


def flops(
    net: torch.nn.Module, inputs: torch.Tensor, targets: Any = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """Multiply-accumulates of one example through the convolution and linear layers (module docstring)."""
    inputs = check_inputs(net, inputs, "flops")
    layers = weight_layers(net, "flops")
    total = [0]

    def count(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
        shape = cast(torch.Tensor, module.weight).shape  # a weight layer (weight_layers)
        per_output = shape[1] * math.prod(shape[2:])  # in/groups × kernel (conv)
        total[0] += (output.numel() // output.shape[0]) * per_output

    handles = [m.register_forward_hook(count) for m in layers]
    training = net.training
    try:
        net.eval()
        with torch.no_grad():
            forward(net, inputs[:1], "flops")
    finally:
        net.train(training)
        for h in handles:
            h.remove()
    return float(total[0])
