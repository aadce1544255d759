"""Fast mini-batches over in-memory tensors (no DataLoader overhead).

For data sets that fit in memory a ``DataLoader`` with its per-sample
``__getitem__`` and collation costs more than the forward pass of a small
network. :class:`TensorBatches` draws one seeded permutation per epoch and slices
the tensors, which is what a hand-written PyTorch loop does.

Examples
--------
>>> import torch
>>> x = torch.arange(10.0).reshape(10, 1); y = torch.arange(10)
>>> batches = TensorBatches(x, y, 4, shuffle=True, seed=0)
>>> [len(yb) for _, yb in batches], len(batches)
([4, 4, 2], 3)
>>> sorted(int(v) for _, yb in batches for v in yb) == list(range(10))
True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from nasnb._validation import check_positive_int

__all__ = ["TensorBatches", "to_float"]


def to_float(x: torch.Tensor) -> torch.Tensor:
    """Scale ``uint8`` data to ``[0, 1]`` float32; other tensors pass through."""
    if x.dtype == torch.uint8:
        return x.to(torch.float32).div_(255.0)
    return x


class TensorBatches:
    """Iterable of ``(x, y)`` mini-batches over two tensors, DataLoader-like.

    Parameters
    ----------
    x, y : torch.Tensor
        Inputs and targets with the same first dimension. ``uint8`` inputs are
        converted to float in ``[0, 1]`` batch by batch (keeps memory small).
    batch_size : int
    shuffle : bool
        Draw a new permutation every epoch (``__iter__`` call).
    seed : int or None
        Seed of the private ``torch.Generator`` used for shuffling.
    device : str or torch.device or None
        Move each batch there (no-op when the tensors already live there).
    drop_last : bool
        Skip a final incomplete batch.

    Attributes
    ----------
    dataset : torch.utils.data.TensorDataset
        The data, for code that expects ``loader.dataset``.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        *,
        shuffle: bool = False,
        seed: int | None = None,
        device: Any = None,
        drop_last: bool = False,
    ) -> None:
        if len(x) != len(y):
            raise ValueError(f"x and y differ in length: {len(x)} != {len(y)}")
        self.x, self.y = x, y
        self.batch_size = check_positive_int(batch_size, "batch_size", "TensorBatches")
        self.shuffle = shuffle
        self.device = None if device is None else torch.device(device)
        self.drop_last = drop_last
        self.generator = torch.Generator()
        if seed is None:
            self.generator.seed()
        else:
            self.generator.manual_seed(int(seed))

    def reseed(self, seed: int) -> None:
        """Restart the shuffling sequence from ``seed``."""
        self.generator.manual_seed(int(seed))

    @property
    def dataset(self) -> torch.utils.data.TensorDataset:
        return torch.utils.data.TensorDataset(self.x, self.y)

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        x, y, bs, n = self.x, self.y, self.batch_size, len(self.x)
        stop = n - n % bs if self.drop_last else n
        move = self.device is not None and x.device != self.device
        order = torch.randperm(n, generator=self.generator).to(x.device) if self.shuffle else None
        for start in range(0, stop, bs):
            if order is None:
                xb, yb = x[start : start + bs], y[start : start + bs]
            else:
                idx = order[start : start + bs]
                xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            if move:
                xb = xb.to(self.device, non_blocking=True)
                yb = yb.to(self.device, non_blocking=True)
            yield to_float(xb), yb

    def __repr__(self) -> str:
        return (
            f"TensorBatches(n={len(self.x)}, batch_size={self.batch_size}, shuffle={self.shuffle}, batches={len(self)})"
        )
