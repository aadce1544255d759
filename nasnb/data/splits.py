"""Turn a loader's output into seeded train / validation / test splits.

:func:`load_data` calls a data set's loader once and normalises whatever it
returned (see the loader contract in :mod:`nasnb.data.config`) into a
:class:`LoadedData`. :func:`make_splits` then draws, from a seed, a validation
part and a ``percentage`` of the rest of the training set, and wraps everything
in batch iterators. :func:`load_splits` does both.

The split depends only on ``seed`` (not on the evaluation seed), so every
candidate of a study sees the same training subset. Subsets are nested: the
first 10 % is part of the first 50 %.

Examples
--------
>>> from nasnb.data import default_datasets
>>> s = load_splits("digits", percentage=0.5, seed=0, batch_size=64, registry=default_datasets())
>>> len(s.train_tensors[0]), len(s.validation_tensors[0]), len(s.test_tensors[0])
(647, 144, 360)
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from nasnb._validation import as_generator, check_fraction, check_positive_int, check_probability, parameter_error
from nasnb.data.batches import TensorBatches
from nasnb.data.config import DatasetConfig, DatasetRegistry
from nasnb.exceptions import DatasetError

__all__ = ["LoadedData", "DataSplits", "load_data", "make_splits", "load_splits"]

logger = logging.getLogger(__name__)


@dataclass
class LoadedData:
    """A loader's output in normal form: tensors, or map-style datasets."""

    config: DatasetConfig
    train: Any  # (x, y) tensors or a torch Dataset
    test: Any

    @property
    def in_memory(self) -> bool:
        return isinstance(self.train, tuple)

    @property
    def num_train(self) -> int:
        return len(self.train[0]) if self.in_memory else len(self.train)


@dataclass
class DataSplits:
    """Train / validation / test batch iterators of one data set.

    ``train``/``validation``/``test`` are :class:`TensorBatches` for in-memory data
    and ``torch.utils.data.DataLoader`` otherwise; ``validation`` is ``None``
    when no validation part was asked for. ``*_tensors`` are ``(x, y)`` pairs for
    in-memory data (``None`` otherwise), e.g. for sharding among workers.
    """

    config: DatasetConfig
    train: Any
    validation: Any
    test: Any
    train_tensors: tuple[torch.Tensor, torch.Tensor] | None = None
    validation_tensors: tuple[torch.Tensor, torch.Tensor] | None = None
    test_tensors: tuple[torch.Tensor, torch.Tensor] | None = None


# -- normalising loader output ---------------------------------------------------------
def _as_tensor(a: Any, what: str, config: DatasetConfig) -> torch.Tensor:
    try:
        if isinstance(a, torch.Tensor):
            t = a
        else:
            arr = np.asarray(a)
            t = torch.as_tensor(arr if arr.flags.writeable else arr.copy())
    except (TypeError, ValueError, RuntimeError) as exc:
        raise DatasetError(
            f"The loader of dataset {config.name!r} returned {what} that is not an array: {exc}"
        ) from exc
    return t.detach().cpu()


def _pair(x: Any, y: Any, part: str, config: DatasetConfig) -> tuple[torch.Tensor, torch.Tensor]:
    x = _as_tensor(x, f"{part} inputs", config)
    y = _as_tensor(y, f"{part} targets", config)
    if x.dtype != torch.uint8:
        x = x.to(torch.float32)
    if tuple(x.shape[1:]) != config.input_shape:
        raise DatasetError(
            f"The loader of dataset {config.name!r} returned {part} inputs of shape "
            f"{tuple(x.shape)}; expected (n, {', '.join(map(str, config.input_shape))}) "
            f"from the dataset's input_shape."
        )
    if len(y) != len(x):
        raise DatasetError(
            f"The loader of dataset {config.name!r} returned {len(x)} {part} inputs but {len(y)} targets."
        )
    if config.task == "classification":
        if y.dtype.is_floating_point and not torch.equal(y, y.round()):
            raise DatasetError(
                f"Dataset {config.name!r}: {part} targets must be class indices, got non-integer values."
            )
        y = y.reshape(-1).to(torch.int64)
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= config.num_outputs):
            raise DatasetError(
                f"Dataset {config.name!r}: {part} labels span [{int(y.min())}, {int(y.max())}] "
                f"but num_classes is {config.num_outputs}."
            )
    else:
        y = y.to(torch.float32).reshape(len(y), -1)
        if y.shape[1] != config.num_outputs:
            raise DatasetError(
                f"Dataset {config.name!r}: {part} targets have {y.shape[1]} columns "
                f"but num_outputs is {config.num_outputs}."
            )
    return x.contiguous(), y.contiguous()


def _part(obj: Any, part: str, config: DatasetConfig) -> Any:
    """(x, y) pair, TensorDataset, DataLoader or Dataset → normal form."""
    if isinstance(obj, torch.utils.data.DataLoader):
        obj = obj.dataset
    if isinstance(obj, torch.utils.data.TensorDataset) and len(obj.tensors) == 2:
        return _pair(*obj.tensors, part, config)
    if isinstance(obj, (tuple, list)) and len(obj) == 2:
        return _pair(obj[0], obj[1], part, config)
    if hasattr(obj, "__getitem__") and hasattr(obj, "__len__"):
        return obj
    raise DatasetError(
        f"The loader of dataset {config.name!r} returned a {type(obj).__name__} as {part} data; "
        f"expected an (x, y) pair, a torch Dataset or a DataLoader."
    )


def load_data(config: DatasetConfig) -> LoadedData:
    """Call ``config``'s loader once and normalise its output (see module docs)."""
    try:
        out = config.load()
    except DatasetError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"The loader of dataset {config.name!r} failed: {exc}") from exc
    if isinstance(out, dict):
        out = tuple(out[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    if not isinstance(out, (tuple, list)) or len(out) not in (2, 3, 4):
        raise DatasetError(
            f"The loader of dataset {config.name!r} returned {type(out).__name__}; expected "
            "(x_train, y_train, x_test, y_test), (train, test) "
            "or (train_loader, test_loader, classes)."
        )
    if len(out) == 4:
        return LoadedData(config, _pair(out[0], out[1], "training", config), _pair(out[2], out[3], "test", config))
    if len(out) == 3:
        classes = out[2]
        n = classes if isinstance(classes, int) else len(classes)
        if config.task == "classification" and n != config.num_outputs:
            raise DatasetError(
                f"The loader of dataset {config.name!r} reports {n} classes "
                f"but the dataset was registered with {config.num_outputs}."
            )
    return LoadedData(config, _part(out[0], "training", config), _part(out[1], "test", config))


# -- splitting ---------------------------------------------------------------------------
def _loader(data: Any, batch_size: int, shuffle: bool, seed: int, config: DatasetConfig) -> Any:
    if config.organisation == "graph":
        from nasnb._optional import require

        loader_cls = require("torch_geometric.loader", extra="graph", purpose="batch graph data").DataLoader
    else:
        loader_cls = torch.utils.data.DataLoader
    gen = torch.Generator().manual_seed(seed)
    return loader_cls(data, batch_size=batch_size, shuffle=shuffle, generator=gen)


def make_splits(
    data: LoadedData,
    *,
    percentage: float = 1.0,
    seed: Any = 0,
    validation: float = 0.1,
    batch_size: int = 128,
    eval_batch_size: int | None = None,
    device: Any = None,
) -> DataSplits:
    """Split ``data`` into seeded train / validation / test iterators.

    Parameters
    ----------
    data : LoadedData
    percentage : float in (0, 1]
        Share of the (non-validation) training set to keep.
    seed : int, numpy Generator or None
        Seed of the split (and of the training shuffle).
    validation : float in [0, 1)
        Share of the training set held out for validation (0: none).
    batch_size, eval_batch_size : int
        Training batch size; validation/test batch size (default ``batch_size``).
    device : optional
        Device the in-memory tensors are moved to once.
    """
    func = "make_splits"
    percentage = check_fraction(percentage, "percentage", func)
    validation = check_probability(validation, "validation", func)
    if validation >= 1.0:
        raise DatasetError(f"The 'validation' share of {func} must be below 1. Got {validation!r} instead.")
    batch_size = check_positive_int(batch_size, "batch_size", func)
    eval_bs = batch_size if eval_batch_size is None else check_positive_int(eval_batch_size, "eval_batch_size", func)
    if not isinstance(data, LoadedData):
        raise parameter_error("data", func, "a LoadedData (from load_data)", data)
    if device is not None:
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError, ValueError):
            raise parameter_error(
                "device", func, "a torch device or a device string such as 'cpu' or 'cuda:0'", device
            ) from None
    rng = as_generator(seed, func)
    n = data.num_train
    order = rng.permutation(n)
    n_val = int(round(validation * n))
    rest = order[n_val:]
    keep = max(1, math.ceil(percentage * len(rest) - 1e-9))
    train_idx, val_idx = np.sort(rest[:keep]), np.sort(order[:n_val])
    if len(rest) == 0:
        raise DatasetError(
            f"Dataset {data.config.name!r}: nothing left to train on after holding out "
            f"{n_val} of {n} samples for validation."
        )
    shuffle_seed = int(rng.integers(2**62))
    cfg = data.config
    if data.in_memory:
        x, y = data.train
        ti, vi = torch.from_numpy(train_idx), torch.from_numpy(val_idx)
        tr, va, te = (x[ti], y[ti]), (x[vi], y[vi]), data.test
        if device is not None:
            tr, va, te = ((a.to(device), b.to(device)) for a, b in (tr, va, te))
        return DataSplits(
            cfg,
            TensorBatches(tr[0], tr[1], batch_size, shuffle=True, seed=shuffle_seed),
            TensorBatches(va[0], va[1], eval_bs) if n_val else None,
            TensorBatches(te[0], te[1], eval_bs),
            tr,
            va if n_val else None,
            te,
        )
    subset = torch.utils.data.Subset
    return DataSplits(
        cfg,
        _loader(subset(data.train, train_idx.tolist()), batch_size, True, shuffle_seed, cfg),
        _loader(subset(data.train, val_idx.tolist()), eval_bs, False, 0, cfg) if n_val else None,
        _loader(data.test, eval_bs, False, 0, cfg),
    )


def load_splits(
    config_or_name: Any,
    *,
    percentage: float = 1.0,
    seed: Any = 0,
    batch_size: int = 128,
    validation: float = 0.1,
    eval_batch_size: int | None = None,
    device: Any = None,
    registry: DatasetRegistry | None = None,
) -> DataSplits:
    """Load a data set and return seeded train / validation / test iterators.

    Parameters
    ----------
    config_or_name : DatasetConfig or str
        A config, or a name looked up in ``registry`` (default: the built-ins).
    percentage, seed, validation, batch_size, eval_batch_size, device
        See :func:`make_splits`.
    registry : DatasetRegistry, optional

    Examples
    --------
    >>> from nasnb.data import default_datasets
    >>> s = load_splits("digits", validation=0.0, registry=default_datasets())
    >>> s.validation is None, s.train_tensors[0].shape[1:]
    (True, torch.Size([1, 8, 8]))
    """
    if registry is not None and not isinstance(registry, DatasetRegistry):
        raise parameter_error("registry", "load_splits", "a DatasetRegistry or None", registry)
    if isinstance(config_or_name, DatasetConfig):
        config = config_or_name
    else:
        if registry is None:
            from nasnb.data.builtin import default_datasets

            registry = default_datasets()
        config = registry.get(config_or_name)
    check_fraction(percentage, "percentage", "load_splits")
    return make_splits(
        load_data(config),
        percentage=percentage,
        seed=seed,
        validation=validation,
        batch_size=batch_size,
        eval_batch_size=eval_batch_size,
        device=device,
    )
