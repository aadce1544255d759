"""Zen-score (Lin et al., "Zen-NAS: A Zero-Shot NAS for High-Performance Image Recognition", ICCV 2021).

Definition followed: ``compute_zen_score.compute_nas_score`` of the reference code
(github.com/idstcv/ZenNAS), one repeat:

* every convolution and linear weight re-drawn from N(0, 1), their biases set to 0, every batch
  norm's weight to 1 and bias to 0 (``network_weight_gaussian_init``);
* two Gaussian batches ``x`` and ``ε`` of the shape of ``inputs`` (data-free: only the shape is used),
  ``x' = x + γ ε`` with ``γ = 1e-2``;
* the feature map before global average pooling, ``f``, in training mode (batch norm with batch
  statistics), without gradients; ``Δ = mean over the batch of sum |f(x) - f(x')|``;
* score = ``log Δ + Σ_BN log sqrt(mean(running_var))`` over the batch-norm layers, read after the two
  forward passes as in the reference.

"Before global average pooling" is the input of the last ``nn.AdaptiveAvgPool*`` module of the
network; a network without one uses its output. Gaussian draws come from a private generator
seeded with ``seed``.

Examples
--------
>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
...                           torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 10))
>>> zen(net, torch.zeros(4, 3, 8, 8), seed=0) == zen(net, torch.zeros(4, 3, 8, 8), seed=0)
True
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from nasnb.proxies.base import ProxyError, check_inputs, finite, forward, generator, training_copy, weight_layers

__all__ = ["zen"]

_GAMMA = 1e-2
_POOLS = (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _gaussian_init(net: nn.Module, g: torch.Generator) -> None:
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)):
                m.weight.normal_(generator=g)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, _NORMS) and m.affine:
                m.weight.fill_(1.0)
                m.bias.zero_()


def zen(net: torch.nn.Module, inputs: torch.Tensor, targets: Any = None, *, seed: Any = 0, copy: bool = True) -> float:
    """Zen-score of ``net`` (module docstring); ``seed`` seeds the Gaussian weights, inputs and dropout masks."""
    inputs = check_inputs(net, inputs, "zen")
    net = training_copy(net, copy, seed, "zen")
    weight_layers(net, "zen")
    g = generator(seed, "zen")
    _gaussian_init(net, g)
    for m in net.modules():
        if isinstance(m, _NORMS) and m.track_running_stats:
            m.reset_running_stats()
    x = torch.randn(inputs.shape, generator=g, dtype=inputs.dtype)
    mixed = x + _GAMMA * torch.randn(inputs.shape, generator=g, dtype=inputs.dtype)
    pools = [m for m in net.modules() if isinstance(m, _POOLS)]
    features: list[torch.Tensor] = []
    handle = pools[-1].register_forward_pre_hook(lambda m, args: features.append(args[0])) if pools else None
    try:
        with torch.no_grad():
            outs = [forward(net, x, "zen"), forward(net, mixed, "zen")]
    finally:
        if handle is not None:
            handle.remove()
    a, b = features if pools else outs
    delta = float((a - b).abs().reshape(a.shape[0], -1).sum(dim=1).mean())
    if delta <= 0.0:
        raise ProxyError("zen: the features do not change under the input perturbation (log 0); the score is -inf.")
    log_bn = 0.0
    for m in net.modules():
        if isinstance(m, _NORMS) and m.running_var is not None:
            log_bn += 0.5 * math.log(float(m.running_var.mean()))
    return finite("zen", math.log(delta) + log_bn)
