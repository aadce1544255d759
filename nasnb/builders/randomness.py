"""Private random streams for built networks: seeded training gives the same network on any thread.

torch's dropout draws its masks from the process-wide generator. Two evaluations running on a
thread pool interleave their draws there, so the same seed would give a different network
depending on timing. :func:`private_randomness` replaces every dropout module of a network by a
:class:`PrivateDropout` drawing from the network's own ``torch.Generator``; weight
initialisation, the other use of the global generator, runs under :data:`GLOBAL_RNG_LOCK`
(:func:`nasnb.builders.build_network` with a ``seed`` takes it).

Examples
--------
>>> import torch
>>> from torch import nn
>>> from nasnb.builders.randomness import private_randomness
>>> def masks(seed):
...     net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5))
...     assert private_randomness(net, seed) == []
...     return net(torch.ones(2, 4)) == 0
>>> bool((masks(3) == masks(3)).all())
True
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import torch
from torch import nn

from nasnb._validation import _is_int, as_seed, check_probability, parameter_error

__all__ = ["GLOBAL_RNG_LOCK", "PrivateDropout", "private_randomness"]

#: Held while code seeds and draws from torch's process-wide generator (weight initialisation).
GLOBAL_RNG_LOCK = threading.RLock()

# dropout class name -> number of trailing dimensions a mask is shared over (0: element-wise)
_DROPOUTS = {"Dropout": 0, "Dropout1d": 1, "Dropout2d": 2, "Dropout3d": 3}
# modules that draw from the global generator in training and have no private version here
_SHARED_RANDOM = ("AlphaDropout", "FeatureAlphaDropout", "RReLU")


class PrivateDropout(nn.Module):
    """Dropout (element-wise or channel-wise) whose masks come from a given ``torch.Generator``.

    Parameters
    ----------
    p : float in [0, 1]
        Probability of zeroing an element (a channel for ``shared_dims > 0``).
    shared_dims : int
        Trailing dimensions one mask value covers: 0 for ``nn.Dropout``, 1 / 2 / 3 for
        ``nn.Dropout1d`` / ``2d`` / ``3d`` (a whole channel).
    generator : torch.Generator
        Where the masks are drawn from (on the module's device).

    Examples
    --------
    >>> import torch
    >>> from nasnb.builders.randomness import PrivateDropout
    >>> drop = PrivateDropout(0.5, 2, torch.Generator().manual_seed(0))
    >>> y = drop(torch.ones(1, 6, 2, 2))
    >>> sorted(set(y.flatten().tolist()))   # kept values are scaled by 1 / (1 - p)
    [0.0, 2.0]
    >>> bool((y == y[:, :, :1, :1]).all())   # one value per channel
    True
    """

    def __init__(self, p: float, shared_dims: int, generator: Any):
        super().__init__()
        self.p = check_probability(p, "p", "PrivateDropout")
        if not _is_int(shared_dims) or not 0 <= shared_dims <= 3:
            raise parameter_error("shared_dims", "PrivateDropout", "0, 1, 2 or 3", shared_dims)
        if not isinstance(generator, torch.Generator):
            raise parameter_error("generator", "PrivateDropout", "a torch.Generator", generator)
        self.shared_dims = int(shared_dims)
        self.generator = generator

    def forward(self, x: Any) -> Any:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        shape = tuple(x.shape[: x.dim() - self.shared_dims]) + (1,) * self.shared_dims
        keep = torch.rand(shape, generator=self.generator, device=x.device) >= self.p
        return x * keep.to(x.dtype) / (1.0 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}, shared_dims={self.shared_dims}"


def _derived_seed(seed: int) -> int:
    """A stream for dropout masks independent of the weight-initialisation stream of ``seed``."""
    return int(np.random.SeedSequence([int(seed), 0x6472]).generate_state(1, dtype=np.uint64)[0] >> 1)


def private_randomness(model: Any, seed: int, device: Any = "cpu") -> list[str]:
    """Give ``model``'s dropout modules a private generator seeded from ``seed``, in place.

    Parameters
    ----------
    model : torch.nn.Module
    seed : int >= 0 or numpy Generator
        The evaluation's seed (the masks use a stream derived from it, not the same numbers as
        the weight initialisation).
    device : str or torch.device
        Device the model trains on (the generator lives there).

    Returns
    -------
    list of str
        Names of modules that still draw from torch's global generator in training
        (alpha dropout, RReLU): a caller running several trainings at once must train such a
        network under :data:`GLOBAL_RNG_LOCK` with the global generator seeded.
    """
    func = "private_randomness"
    if not isinstance(model, nn.Module):
        raise parameter_error("model", func, "a torch.nn.Module", model)
    seed = as_seed(seed, func)
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise parameter_error("device", func, "a torch device or its name ('cpu', 'cuda:0')", device) from exc
    generator = torch.Generator(device=device).manual_seed(_derived_seed(seed))
    shared = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            kind = type(child).__name__
            full = f"{name}.{child_name}" if name else child_name
            if type(child).__module__.startswith("torch.nn") and kind in _DROPOUTS:
                replacement = PrivateDropout(child.p, _DROPOUTS[kind], generator)
                replacement.train(child.training)
                setattr(module, child_name, replacement)
            elif kind in _SHARED_RANDOM:
                shared.append(full)
    return shared
