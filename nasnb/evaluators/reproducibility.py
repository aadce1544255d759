"""Seed every random number generator and ask PyTorch for deterministic kernels.

:func:`assure_reproducibility` is the thesis' reproducibility helper. It changes
*global* state by nature (Python's ``random``, NumPy's legacy global generator,
PyTorch's default generators, cuDNN flags), so call it once at the top of a
script or notebook. nasnb's own evaluators do not rely on it: they seed a forked
PyTorch generator per evaluation, so equal seeds give equal results anyway on the
CPU; on a GPU call this helper as well to get deterministic cuDNN/cuBLAS kernels.

Examples
--------
>>> import torch
>>> assure_reproducibility(0, deterministic=False)
>>> a = torch.rand(2); assure_reproducibility(0, deterministic=False)
>>> bool((a == torch.rand(2)).all())
True
"""

from __future__ import annotations

import logging
import os
import random

import numpy as np

from nasnb._validation import check_nonnegative_int

__all__ = ["assure_reproducibility"]

logger = logging.getLogger(__name__)


def assure_reproducibility(seed: int = 0, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) and request deterministic algorithms.

    Parameters
    ----------
    seed : int
        Non-negative seed for every generator.
    deterministic : bool
        Also call ``torch.use_deterministic_algorithms(True, warn_only=True)``,
        set ``cudnn.deterministic = True`` and ``cudnn.benchmark = False``, and set
        ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` (if not already set) for cuBLAS.
    """
    seed = check_nonnegative_int(seed, "seed", "assure_reproducibility")
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)  # the legacy global generator third-party code uses
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    logger.debug("reproducibility: seed=%d deterministic=%s", seed, deterministic)
