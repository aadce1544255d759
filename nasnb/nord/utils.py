"""``nord.utils``: the reproducibility helper and small utilities.

Coming from the original framework: ``assure_reproducibility(seed=0)`` seeds Python,
NumPy and PyTorch and asks for deterministic kernels (nasnb's
:func:`~nasnb.evaluators.assure_reproducibility`). This package's evaluators and genomes
draw their seeds from those global generators, so calling it first makes a script repeat.

Examples
--------
>>> import torch.nn as nn
>>> count_parameters(nn.Linear(3, 2))
8
"""

from __future__ import annotations

from typing import Any

from nasnb.evaluators.reproducibility import assure_reproducibility as _assure

__all__ = ["assure_reproducibility", "count_parameters"]


def assure_reproducibility(seed: int = 0) -> None:
    """Seed every global generator and request deterministic algorithms."""
    _assure(seed, deterministic=True)


def count_parameters(model: Any) -> int:
    """Number of trainable parameters of a torch module."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
