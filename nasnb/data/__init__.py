"""Data curators: dataset configurations, the dataset registry, built-in loaders, splits.

The registry and configs import no torch; the split helpers (``load_splits``,
``TensorBatches``) load torch on first use.

Examples
--------
>>> from nasnb.data import default_datasets
>>> default_datasets().get("mnist1d").input_shape
(1, 40)
"""

from __future__ import annotations

from nasnb._lazy import lazy_exports
from nasnb.data.activity import load_activity_recognition, read_activity_file
from nasnb.data.builtin import (
    activity_recognition_config,
    cifar10_config,
    default_datasets,
    digits_config,
    digits_loader,
    fashion_mnist_config,
    mnist1d_config,
    mnist1d_loader,
)
from nasnb.data.config import DatasetConfig, DatasetRegistry
from nasnb.data.images import load_cifar10, load_fashion_mnist, read_idx, write_idx
from nasnb.data.safe_pickle import safe_load

_LAZY = {
    "load_splits": "nasnb.data.splits",
    "load_data": "nasnb.data.splits",
    "make_splits": "nasnb.data.splits",
    "DataSplits": "nasnb.data.splits",
    "LoadedData": "nasnb.data.splits",
    "TensorBatches": "nasnb.data.batches",
    "Augment": "nasnb.data.augment",
    "RandomHorizontalFlip": "nasnb.data.augment",
    "RandomErasing": "nasnb.data.augment",
    "thesis_augment": "nasnb.data.augment",
}

__all__ = [  # sorted; the eager imports above plus _LAZY
    "Augment",
    "DataSplits",
    "DatasetConfig",
    "DatasetRegistry",
    "LoadedData",
    "RandomErasing",
    "RandomHorizontalFlip",
    "TensorBatches",
    "activity_recognition_config",
    "cifar10_config",
    "default_datasets",
    "digits_config",
    "digits_loader",
    "fashion_mnist_config",
    "load_activity_recognition",
    "load_cifar10",
    "load_data",
    "load_fashion_mnist",
    "load_splits",
    "make_splits",
    "mnist1d_config",
    "mnist1d_loader",
    "read_activity_file",
    "read_idx",
    "safe_load",
    "thesis_augment",
    "write_idx",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
