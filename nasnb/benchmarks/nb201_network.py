"""The whole published NAS-Bench-201 network of a cell, as a nasnb descriptor.

NAS-Bench-201 trains every cell in one macro skeleton (Dong & Yang, 2020, Fig. 1; the
reference ``TinyNetwork``):

* stem: conv 3×3 (16 channels, no bias) → batch norm;
* three stages of five cells at 16, 32 and 64 channels, with a residual reduction block
  between stages (``ResNetBasicblock``: ReLU → conv 3×3 stride 2 → BN → ReLU → conv 3×3 → BN,
  plus a shortcut avg-pool 2×2 → conv 1×1 without bias, summed);
* head: batch norm → ReLU → global average pooling → linear layer to the data set's classes
  (10 for CIFAR-10, 100 for CIFAR-100, 120 for ImageNet16-120).

Inside a cell, node ``i`` is the sum of the ops on its incoming edges ``j → i``; the cell's
output is node 3. The ops are nasnb's NAS-Bench-201 layer types
(:mod:`nasnb.layers.benchmark_ops`): ``nor_conv_3x3`` / ``nor_conv_1x1`` (ReLU → conv → BN),
``avg_pool_3x3``, ``skip_connect`` (identity) and ``none`` (zeros). Nodes 1–3 are
``nn.Identity`` layers named ``cell<k>.node<i>``: nasnb's builder sums a layer's inputs,
which is the node sum. Edge layers are named ``cell<k>.edge_<j>_<i>``.

Compile with ``build_network(descriptor, input_shape, head=None)`` (the descriptor holds its
own classifier). Its parameter count is :func:`nb201_parameter_count`, the ``params`` the
benchmark records (parameters / 10⁶).

Examples
--------
>>> d = nb201_network(("nor_conv_3x3",) * 6, num_classes=10)
>>> d.input_layer, d.output_layer
('stem.conv', 'head.classifier')
>>> nb201_parameter_count(("nor_conv_3x3",) * 6, num_classes=10)
1531546
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from nasnb.benchmarks.nb201_format import EDGES, arch_string
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import BenchmarkError, ParameterError

__all__ = [
    "nb201_network",
    "nb201_parameter_count",
    "NB201_STAGE_CHANNELS",
    "NB201_CELLS_PER_STAGE",
    "NB201_STEM_CHANNELS",
]

#: channels of the three stages
NB201_STAGE_CHANNELS = (16, 32, 64)
#: cells per stage
NB201_CELLS_PER_STAGE = 5
#: channels of the stem convolution
NB201_STEM_CHANNELS = 16


def _check(ops: Any, num_classes: Any, func: str, cells_per_stage: Any = NB201_CELLS_PER_STAGE) -> tuple[str, ...]:
    try:
        arch_string(ops)
    except TypeError:
        raise BenchmarkError(f"{func}: a NAS-Bench-201 cell is a sequence of 6 ops; got {ops!r:.80}.") from None
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise ParameterError(
            f"The 'num_classes' parameter of {func} must be a positive int. Got {num_classes!r} instead."
        )
    if isinstance(cells_per_stage, bool) or not isinstance(cells_per_stage, numbers.Integral) or cells_per_stage < 1:
        raise ParameterError(
            f"The 'cells_per_stage' parameter of {func} must be a positive int. Got {cells_per_stage!r} instead."
        )
    return tuple(ops)


def _edge_params(op: str, c: int) -> int:
    if op == "nor_conv_3x3":
        return 9 * c * c + 2 * c
    if op == "nor_conv_1x1":
        return c * c + 2 * c
    return 0


def nb201_parameter_count(
    ops: Sequence[str], num_classes: int = 10, *, cells_per_stage: int = NB201_CELLS_PER_STAGE
) -> int:
    """Trainable parameters of :func:`nb201_network` (weights and biases, no BN buffers).

    Parameters
    ----------
    ops : sequence of 6 str
        The cell's edge ops in arch-string order.
    num_classes : int
        Outputs of the classifier.
    cells_per_stage : int
        Cells per stage (NAS-Bench-201: 5).

    Examples
    --------
    >>> nb201_parameter_count(("none",) * 6, num_classes=100)
    79156
    """
    ops = _check(ops, num_classes, "nb201_parameter_count", cells_per_stage)
    c0, (c1, c2, c3) = NB201_STEM_CHANNELS, NB201_STAGE_CHANNELS
    total = 3 * 9 * c0 + 2 * c0  # stem conv + BN
    for c in NB201_STAGE_CHANNELS:
        total += cells_per_stage * sum(_edge_params(op, c) for op in ops)
    for cin, cout in ((c1, c2), (c2, c3)):  # residual reduction blocks
        total += 9 * cin * cout + 2 * cout + 9 * cout * cout + 2 * cout + cin * cout
    total += 2 * c3 + c3 * num_classes + num_classes  # last BN + classifier
    return total


def _cell(d: NeuralDescriptor, k: int, ops: tuple[str, ...], source: str, channels: int) -> str:
    nodes = {0: source}
    for node in (1, 2, 3):
        nodes[node] = d.add_layer("nn.Identity", name=f"cell{k}.node{node}")
    for op, (target, src) in zip(ops, EDGES):
        params = {"channels": channels} if op.startswith("nor_conv") else None
        edge = d.add_layer(op, params, name=f"cell{k}.edge_{src}_{target}")
        d.connect_layers(nodes[src], edge)
        d.connect_layers(edge, nodes[target])
    return nodes[3]


def _reduction(d: NeuralDescriptor, k: int, source: str, channels: int) -> str:
    p = f"cell{k}"
    a = [
        d.add_layer("nn.ReLU", name=f"{p}.a.relu"),
        d.add_layer(
            "nn.Conv2d",
            {"out_channels": channels, "kernel_size": 3, "stride": 2, "padding": 1, "bias": False},
            name=f"{p}.a.conv",
        ),
        d.add_layer("nn.BatchNorm2d", name=f"{p}.a.bn"),
        d.add_layer("nor_conv_3x3", {"channels": channels}, name=f"{p}.b"),
        d.add_layer("nn.Identity", name=f"{p}.sum"),
    ]
    short = [
        d.add_layer("nn.AvgPool2d", {"kernel_size": 2, "stride": 2}, name=f"{p}.shortcut.pool"),
        d.add_layer(
            "nn.Conv2d", {"out_channels": channels, "kernel_size": 1, "bias": False}, name=f"{p}.shortcut.conv"
        ),
    ]
    for chain in (a, short + [a[-1]]):
        d.connect_layers(source, chain[0])
        for u, v in zip(chain, chain[1:]):
            d.connect_layers(u, v)
    return a[-1]


def nb201_network(
    ops: Sequence[str], num_classes: int = 10, *, cells_per_stage: int = NB201_CELLS_PER_STAGE
) -> NeuralDescriptor:
    """Descriptor of the whole NAS-Bench-201 network with cell ``ops`` (see the module docstring).

    Parameters
    ----------
    ops : sequence of 6 str
        The cell's edge ops in arch-string order.
    num_classes : int
        Outputs of the classifier (10, 100 or 120 for the benchmark's data sets).
    cells_per_stage : int
        Cells per stage: 5 in NAS-Bench-201 (what the recorded sizes count); fewer gives a
        smaller network of the same design, e.g. 1 for a readable drawing.

    Returns
    -------
    NeuralDescriptor
        Named by the arch string; with 5 cells per stage, 17 blocks (15 cells, 2 reduction
        blocks) between the stem and the head, numbered ``cell0`` … ``cell16``. Build it with
        ``build_network(d, input_shape, head=None)``.

    Examples
    --------
    >>> import torch
    >>> from nasnb.builders import build_network
    >>> ops = ("nor_conv_1x1", "skip_connect", "none", "avg_pool_3x3", "nor_conv_3x3", "skip_connect")
    >>> net = build_network(nb201_network(ops, 10), (3, 32, 32), head=None)
    >>> sum(p.numel() for p in net.parameters()) == nb201_parameter_count(ops, 10)
    True
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """
    ops = _check(ops, num_classes, "nb201_network", cells_per_stage)
    d = NeuralDescriptor(name=arch_string(ops))
    last = d.add_layer(
        "nn.Conv2d",
        {"out_channels": NB201_STEM_CHANNELS, "kernel_size": 3, "padding": 1, "bias": False},
        name="stem.conv",
    )
    bn = d.add_layer("nn.BatchNorm2d", name="stem.bn")
    d.connect_layers(last, bn)
    last, k = bn, 0
    for stage, channels in enumerate(NB201_STAGE_CHANNELS):
        if stage:
            last = _reduction(d, k, last, channels)
            k += 1
        for _ in range(cells_per_stage):
            last = _cell(d, k, ops, last, channels)
            k += 1
    for layer, params, name in (
        ("nn.BatchNorm2d", None, "head.bn"),
        ("nn.ReLU", None, "head.relu"),
        ("nn.AdaptiveAvgPool2d", {"output_size": 1}, "head.pool"),
        ("nn.Flatten", None, "head.flatten"),
        ("nn.Linear", {"out_features": int(num_classes)}, "head.classifier"),
    ):
        d.add_layer(layer, params, name=name)
        d.connect_layers(last, name)
        last = name
    d.set_input("stem.conv")
    d.set_output("head.classifier")
    return d
