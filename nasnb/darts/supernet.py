"""The DARTS supernet: cells whose edges mix the eight operations with softmax weights.

Every cell has two input states (the outputs of the two previous cells, pre-processed to the
cell's channel count) and ``nodes`` intermediate nodes; node ``i`` sums a :class:`MixedOp` over
every earlier state. A cell outputs the **sum** of its intermediate nodes (DARTS concatenates
them; summing keeps the channel count and is what nasnb's builder does when a layer has several
inputs, so the derived descriptor computes the same kind of function). Reduction cells (at
``layers // 3`` and ``2 * layers // 3``; the last cell when ``layers < 3``) apply stride 2 on
the edges leaving the input states and double the channels. Normal cells share one
``(edges × 8)`` architecture matrix ``alphas_normal``, reduction cells ``alphas_reduce``.

Examples
--------
>>> import torch
>>> net = Supernet((1, 8, 8), 10, channels=4, layers=2, nodes=2)
>>> tuple(net(torch.zeros(3, 1, 8, 8)).shape), tuple(net.alphas_normal.shape)
((3, 10), (5, 8))
>>> len(net.arch_parameters()), net.reductions
(2, (1,))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from nasnb._validation import check_positive_int, parameter_error
from nasnb.darts.ops import PRIMITIVES, FactorizedReduce, ReLUConvBN, make_op

__all__ = ["MixedOp", "SearchCell", "Supernet", "reduction_positions", "num_edges"]


def num_edges(nodes: int) -> int:
    """Edges of a cell with ``nodes`` intermediate nodes (node ``i`` has ``i + 2`` inputs)."""
    return sum(2 + i for i in range(nodes))


def reduction_positions(layers: int) -> tuple[int, ...]:
    """Indices of the reduction cells among ``layers`` cells.

    Examples
    --------
    >>> reduction_positions(8), reduction_positions(2), reduction_positions(1)
    ((2, 5), (1,), ())
    """
    if layers >= 3:
        return tuple(sorted({layers // 3, 2 * layers // 3}))
    return (layers - 1,) if layers == 2 else ()


class MixedOp(nn.Module):
    """Weighted sum of the eight operations on one edge."""

    def __init__(self, channels: int, stride: int, *, dims: int = 2, primitives: Sequence[str] = PRIMITIVES):
        super().__init__()
        self.ops = nn.ModuleList(make_op(p, channels, stride, dims=dims) for p in primitives)

    def forward(self, x, weights):
        return sum(w * op(x) for w, op in zip(weights, self.ops))


class SearchCell(nn.Module):
    """One searchable cell (see the module docstring)."""

    def __init__(
        self,
        nodes: int,
        c_pp: int,
        c_p: int,
        channels: int,
        reduction: bool,
        reduction_prev: bool,
        *,
        dims: int = 2,
        primitives: Sequence[str] = PRIMITIVES,
    ):
        super().__init__()
        self.reduction = reduction
        self.nodes = nodes
        self.pre0 = (
            FactorizedReduce(c_pp, channels, dims=dims, affine=False)
            if reduction_prev
            else ReLUConvBN(c_pp, channels, 1, 1, 0, dims=dims, affine=False)
        )
        self.pre1 = ReLUConvBN(c_p, channels, 1, 1, 0, dims=dims, affine=False)
        self.edges = nn.ModuleList()
        for i in range(nodes):
            for j in range(2 + i):
                stride = 2 if reduction and j < 2 else 1
                self.edges.append(MixedOp(channels, stride, dims=dims, primitives=primitives))

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        offset = 0
        for _ in range(self.nodes):
            states.append(sum(self.edges[offset + j](h, weights[offset + j]) for j, h in enumerate(states)))
            offset += len(states) - 1
        return sum(states[2:])


class Supernet(nn.Module):
    """The DARTS search network.

    Parameters
    ----------
    input_shape : tuple
        ``(C, H, W)`` images or ``(C, L)`` series (no batch dimension).
    num_classes : int
        Outputs of the linear classifier.
    channels : int
        Channels of the first cells (thesis: 16; tests: 4).
    layers : int
        Number of cells (thesis: 8).
    nodes : int
        Intermediate nodes per cell (DARTS: 4).
    primitives : sequence of str
        Candidate operations (default: the eight of :data:`~nasnb.darts.ops.PRIMITIVES`).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        channels: int = 16,
        layers: int = 8,
        nodes: int = 4,
        primitives: Sequence[str] = PRIMITIVES,
    ) -> None:
        super().__init__()
        func = "Supernet"
        shape = tuple(int(v) for v in input_shape)
        if len(shape) not in (2, 3):
            raise parameter_error("input_shape", func, "(C, L) or (C, H, W)", input_shape)
        self.input_shape = shape
        self.dims = dims = len(shape) - 1
        self.num_classes = check_positive_int(num_classes, "num_classes", func)
        self.channels = check_positive_int(channels, "channels", func)
        self.layers = check_positive_int(layers, "layers", func)
        self.nodes = check_positive_int(nodes, "nodes", func)
        self.primitives = tuple(primitives)
        for p in self.primitives:
            if p not in PRIMITIVES:
                raise parameter_error("primitives", func, f"a subset of {PRIMITIVES}", p)
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        bn = nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d
        self.stem = nn.Sequential(conv(shape[0], channels, 3, padding=1, bias=False), bn(channels))
        self.reductions = reduction_positions(layers)
        c_pp = c_p = c = channels
        reduction_prev = False
        self.cells = nn.ModuleList()
        for i in range(layers):
            reduction = i in self.reductions
            if reduction:
                c *= 2
            self.cells.append(
                SearchCell(nodes, c_pp, c_p, c, reduction, reduction_prev, dims=dims, primitives=self.primitives)
            )
            reduction_prev = reduction
            c_pp, c_p = c_p, c
        self.pool = nn.AdaptiveAvgPool1d(1) if dims == 1 else nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)
        k = num_edges(nodes)
        self.alphas_normal = nn.Parameter(1e-3 * torch.randn(k, len(self.primitives)))
        self.alphas_reduce = nn.Parameter(1e-3 * torch.randn(k, len(self.primitives)))

    def arch_parameters(self) -> list[nn.Parameter]:
        """The architecture parameters (α of normal and reduction cells)."""
        return [self.alphas_normal, self.alphas_reduce]

    def weight_parameters(self) -> list[nn.Parameter]:
        """Every parameter except the architecture parameters."""
        ids = {id(p) for p in self.arch_parameters()}
        return [p for p in self.parameters() if id(p) not in ids]

    def forward(self, x):
        s0 = s1 = self.stem(x)
        w_normal = torch.softmax(self.alphas_normal, dim=-1)
        w_reduce = torch.softmax(self.alphas_reduce, dim=-1)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, w_reduce if cell.reduction else w_normal)
        return self.classifier(torch.flatten(self.pool(s1), 1))

    def config(self) -> dict[str, Any]:
        """JSON settings of this supernet."""
        return {
            "input_shape": list(self.input_shape),
            "num_classes": self.num_classes,
            "channels": self.channels,
            "layers": self.layers,
            "nodes": self.nodes,
            "primitives": list(self.primitives),
        }
