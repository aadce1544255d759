"""What every zero-cost proxy shares: the network it scores, the batch, the layers, the checks.

A proxy scores a network *at initialisation* from one minibatch (or none). Each proxy function
of :mod:`nasnb.proxies` takes a torch module, a batch of inputs (and targets where a loss is
needed) and a ``seed``, works on a copy of the module (``copy=True``, the default; the
caller's weights are never changed) and returns one finite float. Here live the parts they
share:

* :func:`as_network` -- a torch module as is, or a :class:`~nasnb.descriptors.NeuralDescriptor`
  built with :func:`nasnb.builders.build_network` (seeded);
* :func:`check_inputs` -- a batch that does not fit the network raises
  :class:`~nasnb.exceptions.ParameterError` naming both shapes;
* :func:`weight_layers` -- the convolution and linear layers whose weights are scored (as in
  the reference code of Abdelfattah et al., which scores ``nn.Conv2d`` and ``nn.Linear``);
  a network without any trainable one raises :class:`ProxyError`;
* :func:`finite` -- an overflowing or NaN score raises :class:`ProxyError` naming the proxy,
  so that no NaN ever enters a ranking (:class:`~nasnb.proxies.ProxyEvaluator` records it as a
  ``failed`` row with that reason).

Examples
--------
>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten())
>>> [type(m).__name__ for m in weight_layers(net)]
['Conv2d']
>>> [type(m).__name__ for m in without_batchnorm(net).children()]
['Conv2d', 'Identity', 'Flatten']
>>> finite("synflow", float("inf"))
Traceback (most recent call last):
...
nasnb.proxies.base.ProxyError: The synflow score is inf (overflow or NaN); it cannot take part in a ranking.
"""

from __future__ import annotations

import copy as _copy
import math
import numbers
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from nasnb._validation import as_seed, parameter_error
from nasnb.exceptions import EvaluationError, ParameterError

__all__ = [
    "ProxyError",
    "as_network",
    "check_inputs",
    "check_targets",
    "weight_layers",
    "without_batchnorm",
    "finite",
    "working_copy",
    "training_copy",
    "loss_of",
    "generator",
]

_WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


class ProxyError(EvaluationError):
    """A zero-cost proxy cannot score this network (no trainable weights, overflow, NaN)."""


def as_network(
    model: Any,
    input_shape: Sequence[int] | None = None,
    num_outputs: int | None = None,
    *,
    seed: Any = 0,
    func: str = "as_network",
    **build_kwargs: Any,
) -> nn.Module:
    """The torch module to score: ``model`` itself, or a descriptor built (seeded) by nasnb's builder.

    Parameters
    ----------
    model : torch.nn.Module or NeuralDescriptor
    input_shape : tuple of int, optional
        Input shape without the batch axis; required for a descriptor.
    num_outputs : int, optional
        Outputs of the builder's head (a descriptor only; ``None`` builds without a head unless
        ``head`` is given).
    seed : int >= 0
        Seed of the weight initialisation of a built descriptor.
    **build_kwargs
        Further arguments of :func:`~nasnb.builders.build_network` (``head``, ``merge``...).

    Examples
    --------
    >>> from nasnb import NeuralDescriptor
    >>> d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3})])
    >>> as_network(d, (3, 8, 8), 10, head="linear")(torch.zeros(2, 3, 8, 8)).shape
    torch.Size([2, 10])
    """
    if isinstance(model, nn.Module):
        return model
    if hasattr(model, "add_layer") and hasattr(model, "connections"):
        if input_shape is None:
            raise ParameterError(f"The 'input_shape' parameter of {func} is required to build a descriptor.")
        from nasnb.builders import build_network

        if num_outputs is None:
            build_kwargs.setdefault("head", None)
        return build_network(model, tuple(input_shape), num_outputs, seed=as_seed(seed, func), **build_kwargs)
    raise parameter_error("model", func, "a torch.nn.Module or a NeuralDescriptor", model)


def working_copy(net: nn.Module, copy: bool) -> nn.Module:
    """A deep copy of ``net`` (``copy=True``) or ``net`` itself; the proxies change weights and modes."""
    return _copy.deepcopy(net) if copy else net


def training_copy(net: nn.Module, copy: bool, seed: Any, proxy: str) -> nn.Module:
    """:func:`working_copy` in training mode, its dropout drawing from a generator seeded from ``seed``.

    A proxy scored in training mode would otherwise take its dropout masks from torch's global
    generator, whose state depends on everything the process ran before: the same network, batch
    and seed gave other scores in another process or on another thread. Alpha dropout and RReLU
    (no private version) still draw from the global generator.
    """
    from nasnb.builders.randomness import private_randomness

    net = working_copy(net, copy).train()
    private_randomness(net, as_seed(seed, proxy))
    return net


def check_inputs(net: nn.Module, inputs: Any, proxy: str) -> torch.Tensor:
    """``inputs`` as a float tensor with a batch axis that fits ``net`` (a ``ParameterError`` if not).

    A nasnb network knows its input shape and the batch is checked against it; for any other
    module the first forward pass decides (a failure there is reported the same way).
    """
    if not isinstance(inputs, torch.Tensor):
        raise parameter_error("inputs", proxy, "a torch.Tensor batch (batch, *input_shape)", type(inputs).__name__)
    if inputs.dim() < 2 or inputs.shape[0] < 1:
        raise ParameterError(
            f"The 'inputs' parameter of {proxy} must be a batch with a batch axis; got shape {tuple(inputs.shape)}."
        )
    expected = getattr(net, "input_shape", None)
    if expected is not None and tuple(inputs.shape[1:]) != tuple(expected):
        raise ParameterError(
            f"The 'inputs' parameter of {proxy} has examples of shape {tuple(inputs.shape[1:])}, "
            f"but the network takes {tuple(expected)} (batch shape {tuple(inputs.shape)})."
        )
    if not inputs.is_floating_point():
        inputs = inputs.float()
    return inputs


def check_targets(targets: Any, inputs: torch.Tensor, proxy: str) -> torch.Tensor:
    """The targets of a loss-based proxy: one per example (a ``ParameterError`` if missing or misshaped)."""
    if not isinstance(targets, torch.Tensor):
        raise parameter_error(
            "targets",
            proxy,
            "a tensor of one target per example (the proxy needs a loss)",
            None if targets is None else type(targets).__name__,
        )
    if targets.shape[0] != inputs.shape[0]:
        raise ParameterError(
            f"The 'targets' parameter of {proxy} has {targets.shape[0]} entries for a batch of "
            f"{inputs.shape[0]} inputs."
        )
    return targets


def forward(net: nn.Module, inputs: torch.Tensor, proxy: str) -> torch.Tensor:
    """``net(inputs)``, a shape failure of the network reported as a ``ParameterError`` naming the batch."""
    try:
        return net(inputs)
    except RuntimeError as exc:
        if "shape" in str(exc) or "size" in str(exc) or "channels" in str(exc):
            raise ParameterError(
                f"The 'inputs' parameter of {proxy} (batch shape {tuple(inputs.shape)}) does not fit the network: {exc}"
            ) from exc
        raise


def weight_layers(net: nn.Module, proxy: str | None = None) -> list[nn.Conv1d | nn.Conv2d | nn.Conv3d | nn.Linear]:
    """Convolution and linear layers of ``net`` with a trainable weight, in module order.

    With ``proxy`` given, a network without any raises :class:`ProxyError` naming the proxy.
    """
    layers = [
        m
        for m in net.modules()
        if isinstance(m, _WEIGHTED) and isinstance(getattr(m, "weight", None), torch.Tensor) and m.weight.requires_grad
    ]
    if not layers and proxy is not None:
        raise ProxyError(
            f"The network has no trainable convolution or linear weights; {proxy} scores those, so "
            "it cannot score this network."
        )
    return layers


def without_batchnorm(net: nn.Module) -> nn.Module:
    """Replace every batch-norm module of ``net`` by ``nn.Identity`` (in place) and return ``net``."""
    for module in list(net.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, _NORMS):
                setattr(module, name, nn.Identity())
    return net


def finite(proxy: str, value: Any) -> float:
    """``value`` as a float, or :class:`ProxyError` when it is NaN or infinite."""
    if isinstance(value, torch.Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ProxyError(f"The {proxy} score is {value!r}, not a number.")
    value = float(value)
    if not math.isfinite(value):
        raise ProxyError(f"The {proxy} score is {value} (overflow or NaN); it cannot take part in a ranking.")
    return value


def loss_of(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy for integer targets (classification), mean squared error otherwise."""
    if targets.is_floating_point():
        return nn.functional.mse_loss(outputs.reshape(targets.shape), targets.to(outputs.dtype))
    return nn.functional.cross_entropy(outputs, targets.long())


def generator(seed: Any, proxy: str) -> torch.Generator:
    """A private CPU torch generator seeded with ``seed`` (the global random state is never touched)."""
    g = torch.Generator()
    g.manual_seed(as_seed(seed, proxy))
    return g
