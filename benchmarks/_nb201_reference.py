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
        # registered in creation order too: the scores sum the layers in module order
        self.edges = nn.ModuleList(_op(ops[e], c) for e in _CREATION_ORDER)
        self._at = {EDGES[e]: i for i, e in enumerate(_CREATION_ORDER)}

    def forward(self, x):
        # nasnb's execution order (its layers' topological order), so autograd accumulates the
        # gradients in the same order and the scores agree to the last bit
        edge = {key: self.edges[i] for key, i in self._at.items()}
        e01, e02, e03 = edge[(1, 0)](x), edge[(2, 0)](x), edge[(3, 0)](x)
        e12, e13 = edge[(2, 1)](e01), edge[(3, 1)](e01)
        e23 = edge[(3, 2)](e02 + e12)
        return e03 + e13 + e23


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
