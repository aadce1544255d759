"""Built-in data sets and :func:`default_datasets`.

=======================  ==========  ============  =====================================
name                     input       classes       source
=======================  ==========  ============  =====================================
``digits``               1×8×8       10            scikit-learn ``load_digits`` (embedded)
``mnist1d``              1×40        10            ``mnist1d.make_dataset`` (generated)
``activity_recognition`` 3×52        7             UCI CSV files in ``root``
``fashion-mnist``        1×28×28     10            official IDX files in ``root``
``cifar10``              3×32×32     10            official python/binary batches in ``root``
=======================  ==========  ============  =====================================

Examples
--------
>>> reg = default_datasets()
>>> reg.names()
['activity_recognition', 'cifar10', 'digits', 'fashion-mnist', 'mnist1d']
>>> reg.get("digits").input_shape
(1, 8, 8)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nasnb.data.activity import activity_recognition_loader
from nasnb.data.config import DatasetConfig, DatasetRegistry
from nasnb.data.images import cifar10_loader, fashion_mnist_loader

__all__ = [
    "default_datasets",
    "digits_loader",
    "mnist1d_loader",
    "digits_config",
    "mnist1d_config",
    "activity_recognition_config",
    "fashion_mnist_config",
    "cifar10_config",
]


def digits_loader(seed: int = 0, test_fraction: float = 0.2) -> tuple[np.ndarray, ...]:
    """scikit-learn's 1,797 8×8 digits, scaled to [0, 1], seeded stratified split.

    Examples
    --------
    >>> x, y, xt, yt = digits_loader()
    >>> x.shape, xt.shape, float(x.max())
    ((1437, 1, 8, 8), (360, 1, 8, 8), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = data.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)
    return xtr, ytr, xte, yte


def mnist1d_loader(seed: int = 42, num_samples: int = 5000, train_split: float = 0.8) -> tuple[np.ndarray, ...]:
    """MNIST-1D generated locally (``make_dataset`` never downloads); series ``(1, 40)``.

    ``seed`` 42 and 5,000 samples are the benchmark's published settings
    (4,000 train / 1,000 test). NumPy's global random state, which ``mnist1d``
    reseeds, is restored afterwards.
    """
    from nasnb._optional import require

    mdata = require("mnist1d.data", extra="data", purpose="generate the MNIST-1D data set")
    args = mdata.get_dataset_args()
    args.seed, args.num_samples, args.train_split = int(seed), int(num_samples), float(train_split)
    state = np.random.get_state()
    try:
        d = mdata.make_dataset(args)
    finally:
        np.random.set_state(state)
    return (
        d["x"].astype(np.float32)[:, None],
        d["y"].astype(np.int64),
        d["x_test"].astype(np.float32)[:, None],
        d["y_test"].astype(np.int64),
    )


def digits_config(**loader_kwargs: Any) -> DatasetConfig:
    """Config of the embedded ``digits`` data set."""
    return DatasetConfig(
        "digits",
        "classification",
        10,
        (1, 8, 8),
        1,
        digits_loader,
        loader_kwargs=loader_kwargs,
        description="scikit-learn 8x8 digits (embedded)",
    )


def mnist1d_config(**loader_kwargs: Any) -> DatasetConfig:
    """Config of the generated ``mnist1d`` data set."""
    return DatasetConfig(
        "mnist1d",
        "classification",
        10,
        (1, 40),
        1,
        mnist1d_loader,
        loader_kwargs=loader_kwargs,
        description="MNIST-1D series (generated locally)",
    )


def activity_recognition_config(root: Any = None, *, window: int = 52, **options: Any) -> DatasetConfig:
    """Config of the UCI activity data set; ``window`` sets the series length.

    Examples
    --------
    >>> activity_recognition_config("/data/ar", window=104).input_shape
    (3, 104)
    """
    return DatasetConfig(
        "activity_recognition",
        "classification",
        7,
        (3, int(window)),
        3,
        activity_recognition_loader,
        loader_kwargs={"root": root, "window": window, **options},
        description="UCI chest-accelerometer activity windows (x, y, z)",
    )


def fashion_mnist_config(root: Any = None, *, download: bool = False) -> DatasetConfig:
    """Config of Fashion-MNIST read from its IDX files under ``root``."""
    return DatasetConfig(
        "fashion-mnist",
        "classification",
        10,
        (1, 28, 28),
        1,
        fashion_mnist_loader,
        loader_kwargs={"root": root, "download": download},
        description="Fashion-MNIST (official IDX files)",
    )


def cifar10_config(root: Any = None, *, download: bool = False) -> DatasetConfig:
    """Config of CIFAR-10 read from its python or binary batches under ``root``."""
    return DatasetConfig(
        "cifar10",
        "classification",
        10,
        (3, 32, 32),
        3,
        cifar10_loader,
        loader_kwargs={"root": root, "download": download},
        description="CIFAR-10 (official python or binary batches)",
    )


def default_datasets(root: Any = None, *, download: bool = False) -> DatasetRegistry:
    """Return a NEW registry holding the five built-in data sets.

    Parameters
    ----------
    root : path, optional
        Data directory for the file-based sets: ``activity_recognition`` reads
        ``root/activity_recognition`` (or ``root``), ``fashion-mnist`` its IDX files
        in ``root``, ``root/fashion-mnist`` or ``root/FashionMNIST/raw``, ``cifar10``
        ``root/cifar-10-batches-py`` or ``root/cifar-10-batches-bin``. Without it
        those sets raise a :class:`~nasnb.exceptions.DatasetError` when loaded;
        set it later with ``registry.configure(name, root=...)``.
    download : bool
        Let Fashion-MNIST / CIFAR-10 download missing files via torchvision.

    Examples
    --------
    >>> a, b = default_datasets(), default_datasets()
    >>> a is b, a.names() == b.names()
    (False, True)
    """
    root = None if root is None else os.fspath(root)
    return DatasetRegistry(
        {
            c.name: c
            for c in (
                digits_config(),
                mnist1d_config(),
                activity_recognition_config(root),
                fashion_mnist_config(root, download=download),
                cifar10_config(root, download=download),
            )
        }
    )
