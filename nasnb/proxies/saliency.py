"""Loss-gradient saliencies at initialisation: ``grad_norm``, ``snip``, ``grasp``, ``fisher``.

Definitions followed: the reference code of Abdelfattah et al., "Zero-Cost Proxies for
Lightweight NAS", ICLR 2021 (github.com/mohsaied/zero-cost-nas, ``foresight/pruners/measures``),
each registered there with ``bn=True``: the network in training mode (batch norm normalises with
the minibatch's statistics), one minibatch, cross-entropy loss (mean squared error for float
targets), the per-weight scores of the convolution and linear layers summed into one number.

* ``grad_norm`` -- ``sum over layers of ||∂L/∂W||₂`` (the layer's gradient norm).
* ``snip`` (Lee et al., ICLR 2019) -- ``sum |W ⊙ ∂L/∂W|``; the reference differentiates a
  weight mask of ones, whose gradient is exactly ``W ⊙ ∂L/∂W``.
* ``grasp`` (Wang et al., ICLR 2020) -- ``sum -W ⊙ Hg`` with ``g = ∂L/∂W`` (first pass, detached)
  and ``Hg = ∂(gᵀ ∂L/∂W)/∂W`` (second pass, a Hessian-gradient product); the sign as in the
  reference ("accuracy seems to be negatively correlated with this metric, so we add -ve sign").
* ``fisher`` (Theis et al. 2018; Turner et al., ICLR 2020) -- for the output activation ``z`` of
  every convolution and linear layer, per channel ``0.5 · mean over the batch of
  (sum over positions of z ⊙ ∂L/∂z)²``, summed over channels and layers.

Examples
--------
>>> import torch
>>> torch.manual_seed(0)  # doctest: +ELLIPSIS
<torch._C.Generator object at ...>
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
...                           torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 10))
>>> x, y = torch.randn(16, 3, 8, 8), torch.arange(16) % 10
>>> [round(f(net, x, y), 3) > 0 for f in (grad_norm, snip, fisher)]
[True, True, True]
>>> isinstance(grasp(net, x, y), float)
True
"""

from __future__ import annotations

from typing import Any

import torch

from nasnb.proxies.base import (
    ProxyError,
    check_inputs,
    check_targets,
    finite,
    forward,
    loss_of,
    training_copy,
    weight_layers,
)

__all__ = ["grad_norm", "snip", "grasp", "fisher"]


def _prepare(net: torch.nn.Module, inputs: Any, targets: Any, proxy: str, copy: bool, seed: Any):
    inputs = check_inputs(net, inputs, proxy)
    targets = check_targets(targets, inputs, proxy)
    net = training_copy(net, copy, seed, proxy)
    layers = weight_layers(net, proxy)
    net.zero_grad(set_to_none=True)
    return net, layers, inputs, targets


def _backward(net: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor, proxy: str) -> None:
    loss = loss_of(forward(net, inputs, proxy), targets)
    finite(f"{proxy} loss", loss)
    loss.backward()


def grad_norm(
    net: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor | None = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """Sum over convolution and linear layers of the L2 norm of the loss gradient of the weight.

    ``seed`` seeds the dropout masks (if any); ``copy=False`` scores ``net``
    itself (its gradients and batch-norm statistics change). See the module docstring.
    """
    net, layers, inputs, targets = _prepare(net, inputs, targets, "grad_norm", copy, seed)
    _backward(net, inputs, targets, "grad_norm")
    with torch.no_grad():
        total = sum(float(m.weight.grad.norm()) for m in layers if m.weight.grad is not None)
    return finite("grad_norm", total)


def snip(
    net: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor | None = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """SNIP saliency ``sum |W ⊙ ∂L/∂W|`` over convolution and linear weights (module docstring)."""
    net, layers, inputs, targets = _prepare(net, inputs, targets, "snip", copy, seed)
    _backward(net, inputs, targets, "snip")
    with torch.no_grad():
        total = sum(float((m.weight * m.weight.grad).abs().sum()) for m in layers if m.weight.grad is not None)
    return finite("snip", total)


def grasp(
    net: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor | None = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """GraSP saliency ``sum -W ⊙ Hg`` over convolution and linear weights (module docstring)."""
    net, layers, inputs, targets = _prepare(net, inputs, targets, "grasp", copy, seed)
    weights = [m.weight for m in layers]
    loss = loss_of(forward(net, inputs, "grasp"), targets)
    first = torch.autograd.grad(loss, weights, allow_unused=True)
    loss = loss_of(forward(net, inputs, "grasp"), targets)
    second = torch.autograd.grad(loss, weights, create_graph=True, allow_unused=True)
    z = sum((g1.detach() * g2).sum() for g1, g2 in zip(first, second) if g1 is not None and g2 is not None)
    if not isinstance(z, torch.Tensor) or not z.requires_grad:
        raise ProxyError(
            "The grasp score is undefined: the loss does not depend on any convolution or linear weight of the network."
        )
    hg = torch.autograd.grad(z, weights, allow_unused=True)
    with torch.no_grad():
        total = sum(float((-w * h).sum()) for w, h in zip(weights, hg) if h is not None)
    return finite("grasp", total)


def fisher(
    net: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor | None = None, *, seed: Any = 0, copy: bool = True
) -> float:
    """Fisher information of the activations of convolution and linear layers (module docstring)."""
    net, layers, inputs, targets = _prepare(net, inputs, targets, "fisher", copy, seed)
    scores: list[torch.Tensor] = []

    def keep(module: torch.nn.Module, args: Any, output: torch.Tensor) -> None:
        if output.requires_grad:
            detached = output.detach()

            def on_grad(grad: torch.Tensor, act: torch.Tensor = detached) -> None:
                g = act * grad
                if g.dim() > 2:
                    g = g.sum(dim=tuple(range(2, g.dim())))
                scores.append(g.pow(2).mean(0).mul(0.5).sum())

            output.register_hook(on_grad)

    handles = [m.register_forward_hook(keep) for m in layers]
    try:
        _backward(net, inputs, targets, "fisher")
    finally:
        for h in handles:
            h.remove()
    return finite("fisher", sum(float(s) for s in scores))
