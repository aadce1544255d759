"""The NAS-Bench-201 network of a cell, hand-written in plain torch: the reference nasnb's build is timed against.

The macro skeleton of the benchmark's ``TinyNetwork`` (Dong & Yang, 2020): stem conv 3×3 → BN,
three stages of five cells at 16/32/64 channels with a residual reduction block between stages,
head BN → ReLU → global average pool → linear. Modules are created in the order nasnb's builder
creates them (its layers' lexicographic topological order), so with the same seed the weights,
and hence every data-free score, are bit-for-bit those of
``build_network(nb201_network(ops), (3, 32, 32), head=None, seed=seed)``;
``bench_proxies.py`` checks that before it times the two side by side.
"""

from __future__ import annotations

import torch
from torch import nn

from nasnb.benchmarks.nb201_format import EDGES

#: edge indices in nasnb's creation order (layer names ``edge_<src>_<dst>`` sort by source, then target)
_CREATION_ORDER = sorted(range(len(EDGES)), key=lambda e: (EDGES[e][1], EDGES[e][0]))


class _Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def _op(name: str, c: int) -> nn.Module:
    if name in ("nor_conv_3x3", "nor_conv_1x1"):
        k = 3 if name == "nor_conv_3x3" else 1
        return nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, k, padding=k // 2, bias=False), nn.BatchNorm2d(c))
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, 1, 1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity()
    return _Zero()


class _Cell(nn.Module):
    def __init__(self, ops, c: int) -> None:
        super().__init__()
        edges: list = [None] * len(EDGES)
        for e in _CREATION_ORDER:
            edges[e] = _op(ops[e], c)
        self.edges = nn.ModuleList(edges)

    def forward(self, x):
        nodes = [x]
        for node in (1, 2, 3):
            total = None
            for e, (dst, src) in enumerate(EDGES):
                if dst == node:
                    t = self.edges[e](nodes[src])
                    total = t if total is None else total + t
            nodes.append(total)
        return nodes[3]


class _Reduction(nn.Module):
    def __init__(self, cin: int, c: int) -> None:
        super().__init__()
        self.a = nn.Sequential(nn.ReLU(), nn.Conv2d(cin, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c))
        self.b = _op("nor_conv_3x3", c)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(cin, c, 1, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.shortcut(x)


class TinyNetwork(nn.Module):
    """The whole NAS-Bench-201 network of cell ``ops`` (6 op names in arch-string edge order)."""

    def __init__(self, ops, num_classes: int = 10) -> None:
        super().__init__()
        blocks: list[nn.Module] = [nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)]
        cin = 16
        for stage, c in enumerate((16, 32, 64)):
            if stage:
                blocks.append(_Reduction(cin, c))
                cin = c
            blocks += [_Cell(ops, c) for _ in range(5)]
        blocks += [nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, num_classes)]
        self.body = nn.Sequential(*blocks)

    def forward(self, x):
        return self.body(x)


def reference_network(ops, num_classes: int = 10, seed: int = 0) -> TinyNetwork:
    """:class:`TinyNetwork` with weights drawn from ``seed`` (in a forked RNG, as nasnb's builder does)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TinyNetwork(ops, num_classes)
