"""``nord.data_curators``: ``get_<dataset>(percentage)`` returning ``(trainloader, testloader, classes)``.

Coming from the original framework: each curator returns two ``torch.utils.data.DataLoader``
objects and the class names, as before. The data come from nasnb's loaders through the
shared configuration (:class:`~nasnb.nord.configurations.all.Configs`): the embedded
``digits`` and the generated ``mnist1d`` work anywhere; CIFAR-10, Fashion-MNIST and the
activity data are read from ``root`` (default ``$NASNB_DATA_ROOT``) and never downloaded.
``percentage`` keeps a seeded share of the training set (the same share on every call).

Examples
--------
>>> train, test, classes = get_digits(0.5)
>>> len(train.dataset), len(test.dataset), classes[:3]
(719, 360, ('0', '1', '2'))
>>> x, y = next(iter(train))
>>> tuple(x.shape[1:])
(1, 8, 8)
"""

from __future__ import annotations

from typing import Any

import torch

from nasnb.data.splits import load_splits
from nasnb.nord.configurations.all import shared_datasets

__all__ = [
    "get_dataset",
    "get_cifar10",
    "get_fashion_mnist",
    "get_activity_recognition_data",
    "get_digits",
    "get_mnist1d",
]

_CLASSES = {
    "cifar10": ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    "fashion-mnist": (
        "t-shirt",
        "trouser",
        "pullover",
        "dress",
        "coat",
        "sandal",
        "shirt",
        "sneaker",
        "bag",
        "ankle boot",
    ),
}


def get_dataset(
    name: str,
    percentage: float = 1.0,
    train_batch: int = 128,
    test_batch: int = 128,
    *,
    root: Any = None,
    seed: int = 0,
) -> tuple[Any, Any, tuple[str, ...]]:
    """Loaders of any data set in the shared configuration.

    Parameters
    ----------
    name : str
        A name known to ``Configs()`` (built-in or added).
    percentage : float in (0, 1]
        Share of the training set kept (seeded by ``seed``).
    train_batch, test_batch : int
        Batch sizes; the training loader shuffles (seeded by ``seed``).
    root : path, optional
        Data directory of the file-based sets (default: as configured).
    """
    registry = shared_datasets()
    config = registry.get(name)
    if root is not None:
        config = config.with_options(root=root)
    splits = load_splits(
        config, percentage=percentage, seed=seed, batch_size=train_batch, validation=0.0, eval_batch_size=test_batch
    )
    if splits.train_tensors is not None and splits.test_tensors is not None:  # in memory: both or neither
        gen = torch.Generator().manual_seed(seed)
        train = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(*splits.train_tensors), batch_size=train_batch, shuffle=True, generator=gen
        )
        test = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(*splits.test_tensors), batch_size=test_batch, shuffle=False
        )
    else:
        train, test = splits.train, splits.test
    classes = _CLASSES.get(config.name, tuple(str(i) for i in range(config.num_outputs)))
    return train, test, classes


def get_cifar10(
    percentage: float = 1.0, train_batch: int = 256, test_batch: int = 256, *, root: Any = None
) -> tuple[Any, Any, tuple[str, ...]]:
    """CIFAR-10 from its official batches under ``root``."""
    return get_dataset("cifar10", percentage, train_batch, test_batch, root=root)


def get_fashion_mnist(
    percentage: float = 1.0, train_batch: int = 128, test_batch: int = 128, *, root: Any = None
) -> tuple[Any, Any, tuple[str, ...]]:
    """Fashion-MNIST from its IDX files under ``root``."""
    return get_dataset("fashion-mnist", percentage, train_batch, test_batch, root=root)


def get_activity_recognition_data(
    percentage: float = 1.0, train_batch: int = 128, test_batch: int = 128, *, root: Any = None
) -> tuple[Any, Any, tuple[str, ...]]:
    """The UCI chest-accelerometer activity windows (3 × 52) from the CSV files under ``root``."""
    return get_dataset("activity_recognition", percentage, train_batch, test_batch, root=root)


def get_digits(percentage: float = 1.0, train_batch: int = 128, test_batch: int = 128) -> tuple[Any, Any, tuple]:
    """scikit-learn's 8 × 8 digits (embedded; a nasnb addition for quick runs)."""
    return get_dataset("digits", percentage, train_batch, test_batch)


def get_mnist1d(percentage: float = 1.0, train_batch: int = 128, test_batch: int = 128) -> tuple[Any, Any, tuple]:
    """MNIST-1D series (generated locally; a nasnb addition)."""
    return get_dataset("mnist1d", percentage, train_batch, test_batch)
