"""Small torch modules used by the built-in layers and by the builder's merges.

This module imports torch; :mod:`nasnb.layers` imports it only inside factories.

Examples
--------
>>> import torch
>>> Zeros()(torch.ones(2, 3)).sum().item()
0.0
>>> Resize((4, 4))(torch.ones(1, 2, 8, 8)).shape
torch.Size([1, 2, 4, 4])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Scale", "Zeros", "Resize", "INTERPOLATION_MODE"]

#: Interpolation used by merges: "nearest" works for 1-D and 2-D alike, has a deterministic
#: backward on GPUs, and commutes exactly with the 1×1 channel projection.
INTERPOLATION_MODE = "nearest"


class Scale(nn.Module):
    """Multiply the input by a constant ``factor``."""

    def __init__(self, factor: float = 1.0) -> None:
        super().__init__()
        self.factor = float(factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor

    def extra_repr(self) -> str:
        return f"factor={self.factor}"


class Zeros(nn.Module):
    """The NAS-Bench-201 ``none`` op: zeros shaped like the input (gradients stay defined)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class Resize(nn.Module):
    """Resize the spatial dimensions to ``size`` by interpolation (see :data:`INTERPOLATION_MODE`)."""

    def __init__(self, size: Sequence[int], mode: str = INTERPOLATION_MODE) -> None:
        super().__init__()
        self.size = tuple(int(s) for s in size)
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=self.size, mode=self.mode)

    def extra_repr(self) -> str:
        return f"size={self.size}, mode={self.mode!r}"
