"""Seeded data augmentation of training batches: horizontal flips and random erasing.

The thesis trains its final chapter-6 network (REMNet) and its chapter-8 DARTS searches on
Fashion-MNIST with *horizontal flips* and *random erasing* (Zhong et al., 2020). The digest
names the two transforms but not their parameters; the defaults here are the usual ones
(those of ``torchvision.transforms.RandomHorizontalFlip()`` and ``RandomErasing()`` without
arguments): flip with probability 0.5; erase, with probability 0.5, one rectangle covering
2-33 % of the image with an aspect ratio in [0.3, 3.3], filled with 0.

Everything is a batched torch tensor operation (no torchvision, no PIL, no per-sample Python
loop over pixels) driven by an explicit ``torch.Generator``, so the same seed gives the same
augmented batches bit for bit. Random numbers are drawn on the CPU and moved to the batch's
device, so a seed gives the same augmentation on every device.

* :class:`RandomHorizontalFlip`, :class:`RandomErasing` -- ``transform(x, generator)`` on a
  float batch ``(N, C, H, W)``;
* :class:`Augment` -- a composition, with JSON-able :meth:`Augment.settings` (recorded in every
  study row through ``LocalEvaluator.settings()``) and :meth:`Augment.from_settings`;
* :func:`thesis_augment` -- flips then random erasing, the thesis' combination;
* :class:`AugmentedBatches` -- wraps a training batch iterable and augments each batch.

Augmentation is applied to *training* batches only; validation and test batches are never
touched (``LocalEvaluator(augment=...)`` wraps the training iterable alone).

Examples
--------
>>> import torch
>>> aug = thesis_augment()
>>> aug.settings()[0], aug.settings()[1]["scale"]
({'name': 'RandomHorizontalFlip', 'p': 0.5}, [0.02, 0.33])
>>> x = torch.rand(16, 1, 8, 8)
>>> a = aug(x, torch.Generator().manual_seed(0))
>>> b = aug(x, torch.Generator().manual_seed(0))
>>> bool(torch.equal(a, b)), bool(torch.equal(a, x)), a.shape == x.shape
(True, False, True)
>>> Augment.from_settings(aug.settings()).settings() == aug.settings()
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import torch

from nasnb._validation import check_probability
from nasnb.data.batches import to_float
from nasnb.exceptions import DatasetError, ParameterError

__all__ = ["RandomHorizontalFlip", "RandomErasing", "Augment", "AugmentedBatches", "thesis_augment", "as_augment"]

#: Erasing attempts per sample before giving up (as torchvision).
_ATTEMPTS = 10


def _check_image_batch(x: torch.Tensor, who: str) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise DatasetError(
            f"{who} augments image batches of shape (N, C, H, W); got {shape}. "
            f"Augmentation applies to 2-D image data sets only."
        )
    if not x.is_floating_point():
        raise DatasetError(
            f"{who} needs a float batch (convert uint8 data with nasnb.data.batches.to_float); got dtype {x.dtype}."
        )


def _check_range(value: Any, name: str, who: str, *, low: float, high: float | None = None) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParameterError(f"The {name!r} parameter of {who} must be a pair (min, max); got {value!r}.") from None
    if not (math.isfinite(a) and math.isfinite(b)) or a > b or a <= low or (high is not None and b > high):
        bound = f"in ({low}, {high}]" if high is not None else f"above {low}"
        raise ParameterError(f"The {name!r} parameter of {who} must be a pair min <= max, both {bound}; got {value!r}.")
    return a, b


class RandomHorizontalFlip:
    """Mirror each image left-right with probability ``p``.

    Parameters
    ----------
    p : float in [0, 1], default 0.5

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(4.0).reshape(1, 1, 1, 4)
    >>> RandomHorizontalFlip(1.0)(x, torch.Generator().manual_seed(0)).flatten().tolist()
    [3.0, 2.0, 1.0, 0.0]
    """

    def __init__(self, p: float = 0.5) -> None:
        self.p = check_probability(p, "p", "RandomHorizontalFlip")

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        _check_image_batch(x, "RandomHorizontalFlip")
        flip = (torch.rand(len(x), generator=generator) < self.p).to(x.device)
        return torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)

    def settings(self) -> dict[str, Any]:
        """JSON-able parameters (``name`` + arguments)."""
        return {"name": "RandomHorizontalFlip", "p": self.p}

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class RandomErasing:
    """Erase one random rectangle of each image with probability ``p`` (Zhong et al., 2020).

    For each selected image up to 10 rectangles are drawn (area a uniform share of the image
    in ``scale``, log-uniform aspect ratio in ``ratio``, position uniform); the first that fits
    is filled with ``value``. An image where none fits is left as is.

    Parameters
    ----------
    p : float in [0, 1], default 0.5
    scale : (float, float), default (0.02, 0.33)
        Range of the erased area as a share of the image area.
    ratio : (float, float), default (0.3, 3.3)
        Range of the rectangle's aspect ratio (height / width).
    value : float, default 0.0
        Fill value (applied to every channel).

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(64, 1, 8, 8)
    >>> y = RandomErasing(1.0, scale=(0.25, 0.25), ratio=(1.0, 1.0))(x, torch.Generator().manual_seed(0))
    >>> sorted(set((y == 0).sum(dim=(1, 2, 3)).tolist()))   # every image loses a 4x4 square
    [16]
    """

    def __init__(
        self,
        p: float = 0.5,
        scale: Sequence[float] = (0.02, 0.33),
        ratio: Sequence[float] = (0.3, 3.3),
        value: float = 0.0,
    ) -> None:
        who = "RandomErasing"
        self.p = check_probability(p, "p", who)
        self.scale = _check_range(scale, "scale", who, low=0.0, high=1.0)
        self.ratio = _check_range(ratio, "ratio", who, low=0.0)
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
            raise ParameterError(f"The 'value' parameter of {who} must be a finite number; got {value!r}.")
        self.value: float = float(value)

    def boxes(self, n: int, height: int, width: int, generator: torch.Generator) -> torch.Tensor:
        """``(n, 4)`` int boxes ``(top, left, h, w)``; ``h = 0`` where nothing is erased.

        The same number of random values is drawn whatever the outcome, so a generator's
        stream advances identically for every batch of the same size.
        """
        attempts = _ATTEMPTS
        selected = torch.rand(n, generator=generator) < self.p
        area = (
            height
            * width
            * (
                self.scale[0]
                + (self.scale[1] - self.scale[0]) * torch.rand(n, attempts, generator=generator, dtype=torch.float64)
            )
        )
        lo, hi = math.log(self.ratio[0]), math.log(self.ratio[1])
        aspect = torch.exp(lo + (hi - lo) * torch.rand(n, attempts, generator=generator, dtype=torch.float64))
        h = torch.round(torch.sqrt(area * aspect)).long()
        w = torch.round(torch.sqrt(area / aspect)).long()
        fits = (h < height) & (w < width) & (h > 0) & (w > 0)
        u_top = torch.rand(n, attempts, generator=generator, dtype=torch.float64)
        u_left = torch.rand(n, attempts, generator=generator, dtype=torch.float64)
        top = torch.floor(u_top * (height - h + 1).clamp(min=1)).long()
        left = torch.floor(u_left * (width - w + 1).clamp(min=1)).long()
        # first attempt that fits (argmax of the first True); none fits -> erase nothing
        first = torch.argmax(fits.to(torch.int8), dim=1)
        rows = torch.arange(n)
        ok = fits[rows, first] & selected
        out = torch.stack([top[rows, first], left[rows, first], h[rows, first], w[rows, first]], dim=1)
        out[~ok] = 0
        return out

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        _check_image_batch(x, "RandomErasing")
        n, _, height, width = x.shape
        boxes = self.boxes(n, height, width, generator).to(x.device)
        top, left, h, w = (boxes[:, k].view(-1, 1, 1) for k in range(4))
        ii = torch.arange(height, device=x.device).view(1, -1, 1)
        jj = torch.arange(width, device=x.device).view(1, 1, -1)
        mask = (ii >= top) & (ii < top + h) & (jj >= left) & (jj < left + w)
        return x.masked_fill(mask.unsqueeze(1), self.value)

    def settings(self) -> dict[str, Any]:
        """JSON-able parameters (``name`` + arguments)."""
        return {
            "name": "RandomErasing",
            "p": self.p,
            "scale": list(self.scale),
            "ratio": list(self.ratio),
            "value": self.value,
        }

    def __repr__(self) -> str:
        return f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value})"


_TRANSFORMS = {"RandomHorizontalFlip": RandomHorizontalFlip, "RandomErasing": RandomErasing}


class Augment:
    """Apply transforms in order to a batch: ``Augment([flip, erase])(x, generator)``.

    Parameters
    ----------
    transforms : sequence
        Objects with ``__call__(x, generator)`` and ``settings()``
        (:class:`RandomHorizontalFlip`, :class:`RandomErasing`).

    Examples
    --------
    >>> aug = Augment([RandomHorizontalFlip(0.25)])
    >>> aug
    Augment([RandomHorizontalFlip(p=0.25)])
    >>> aug.settings()
    [{'name': 'RandomHorizontalFlip', 'p': 0.25}]
    """

    def __init__(self, transforms: Iterable[Any]) -> None:
        if isinstance(transforms, (str, bytes)) or not isinstance(transforms, Iterable):
            raise ParameterError(f"Augment takes a list of transforms; got {transforms!r}.")
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t) or not callable(getattr(t, "settings", None)):
                raise ParameterError(
                    f"Augment: {t!r} is not a transform (it needs __call__(x, generator) and settings())."
                )

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        for t in self.transforms:
            x = t(x, generator)
        return x

    def settings(self) -> list[dict[str, Any]]:
        """JSON-able list of the transforms' settings, in order."""
        return [t.settings() for t in self.transforms]

    @classmethod
    def from_settings(cls, settings: Iterable[dict[str, Any]]) -> Augment:
        """Rebuild an :class:`Augment` from :meth:`settings` (e.g. read back from a study)."""
        transforms = []
        for entry in settings:
            if not isinstance(entry, dict) or entry.get("name") not in _TRANSFORMS:
                raise ParameterError(
                    f"Augment.from_settings: unknown transform {entry!r}; known: {sorted(_TRANSFORMS)}."
                )
            kwargs = {k: v for k, v in entry.items() if k != "name"}
            try:
                transforms.append(_TRANSFORMS[entry["name"]](**kwargs))
            except TypeError as exc:
                raise ParameterError(f"Augment.from_settings: bad arguments for {entry['name']}: {exc}") from None
        return cls(transforms)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Augment) and self.settings() == other.settings()

    def __repr__(self) -> str:
        return f"Augment([{', '.join(map(repr, self.transforms))}])"


def thesis_augment() -> Augment:
    """The thesis' training augmentation: horizontal flips, then random erasing (defaults)."""
    return Augment([RandomHorizontalFlip(), RandomErasing()])


def as_augment(value: Any, func: str = "LocalEvaluator") -> Augment | None:
    """``None``, an :class:`Augment`, a transform, a list of transforms or of settings → Augment.

    Examples
    --------
    >>> as_augment([{"name": "RandomHorizontalFlip", "p": 0.5}])
    Augment([RandomHorizontalFlip(p=0.5)])
    >>> as_augment(None) is None
    True
    """
    if value is None or isinstance(value, Augment):
        return value
    if callable(value) and callable(getattr(value, "settings", None)):
        return Augment([value])
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, dict) for v in value):
            return Augment.from_settings(value)
        return Augment(value)
    raise ParameterError(
        f"The 'augment' parameter of {func} must be None, an Augment, a transform or a list "
        f"of transforms (or of their settings); got {value!r}."
    )


def _derived_seed(seed: int) -> int:
    """A seed for the augmentation stream, distinct from the shuffling stream's ``seed``."""
    return (int(seed) * 6364136223846793005 + 1442695040888963407) % (2**63)


class AugmentedBatches:
    """Training batches with an augmentation applied to each input batch.

    Parameters
    ----------
    batches : iterable of (x, y)
        A :class:`~nasnb.data.batches.TensorBatches` or a ``DataLoader`` of image batches.
    augment : Augment
    seed : int
        Seed of the augmentation's own generator (derived, so it does not repeat the
        shuffling stream of a ``TensorBatches`` seeded with the same number). The generator
        runs on across epochs: each epoch sees new augmentations.

    Examples
    --------
    >>> import torch
    >>> from nasnb.data.batches import TensorBatches
    >>> x = torch.rand(10, 1, 4, 4); y = torch.arange(10)
    >>> plain = TensorBatches(x, y, 4, shuffle=True, seed=0)
    >>> aug = AugmentedBatches(TensorBatches(x, y, 4, shuffle=True, seed=0), thesis_augment(), seed=0)
    >>> [yb.tolist() for _, yb in aug] == [yb.tolist() for _, yb in plain], len(aug)
    (True, 3)
    """

    def __init__(self, batches: Any, augment: Augment, seed: int) -> None:
        self.batches = batches
        self.augment = augment
        self.generator = torch.Generator().manual_seed(_derived_seed(seed))

    def reseed(self, seed: int) -> None:
        """Restart the augmentation stream from ``seed``."""
        self.generator.manual_seed(_derived_seed(seed))

    def __len__(self) -> int:
        return len(self.batches)

    @property
    def dataset(self) -> Any:
        return self.batches.dataset

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for xb, yb in self.batches:
            yield self.augment(to_float(xb), self.generator), yb

    def __repr__(self) -> str:
        return f"AugmentedBatches({self.batches!r}, {self.augment!r})"
