"""SynFlow (Tanaka et al., NeurIPS 2020) as a zero-cost proxy (Abdelfattah et al., ICLR 2021).

Definition followed: ``compute_synflow_per_weight`` of the reference code of Abdelfattah et al.,
"Zero-Cost Proxies for Lightweight NAS" (github.com/mohsaied/zero-cost-nas), registered there
with ``bn=False``:

* batch norm disabled (every ``BatchNorm`` module replaced by the identity),
* the network in double precision,
* every parameter replaced by its absolute value (sign-abs, "linearised"),
* one input of ones of shape ``(1, *input_shape)``; ``R = sum(network(ones))`` back-propagated,
* score = ``sum |θ ⊙ ∂R/∂θ|`` over the weights of the convolution and linear layers.

The network runs in ``eval`` mode (the reference uses ``train``; with batch norm removed the two
differ only by dropout, which would only add noise to a data-free score). The score is data-free:
only the shape of ``inputs`` is used. Large networks give large scores (1e20 and beyond on
NAS-Bench-201); an overflow to ``inf`` raises :class:`~nasnb.proxies.ProxyError`.

Examples
--------
>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
...                           torch.nn.Linear(4 * 6 * 6, 10))
>>> a = synflow(net, torch.zeros(8, 3, 8, 8))
>>> a > 0, a == synflow(net, torch.zeros(1, 3, 8, 8))
(True, True)
"""

from __future__ import annotations

from typing import Any

import torch

from nasnb.proxies.base import check_inputs, finite, forward, weight_layers, without_batchnorm, working_copy

__all__ = ["synflow"]


def synflow(
    net: torch.nn.Module, inputs: torch.Tensor, targets: Any = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """SynFlow score of ``net`` (see the module docstring for the definition).

    Parameters
    ----------
    net : torch.nn.Module
        The network at initialisation.
    inputs : torch.Tensor
        A batch; only its example shape is used (the score is data-free).
    targets : ignored
    seed : int
        Unused (the score is deterministic for given weights); accepted like every proxy.
    copy : bool, default True
        Score a deep copy (the caller's network is left as it was). ``False`` changes ``net``
        (double precision, absolute weights, batch norm removed): for a network built only to be scored.

    Returns
    -------
    float
    """
    inputs = check_inputs(net, inputs, "synflow")
    net = without_batchnorm(working_copy(net, copy)).double().eval()
    layers = weight_layers(net, "synflow")
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad(set_to_none=True)
    ones = torch.ones((1, *inputs.shape[1:]), dtype=torch.float64, device=inputs.device)
    forward(net, ones, "synflow").sum().backward()
    total = torch.zeros((), dtype=torch.float64)
    with torch.no_grad():
        for layer in layers:
            if layer.weight.grad is not None:
                total += (layer.weight * layer.weight.grad).abs().sum()
    return finite("synflow", total)
