"""Readers for Fashion-MNIST and CIFAR-10 in their official raw formats.

Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist): the four IDX
files ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, gzipped (``.gz``) or not,
in ``root``, ``root/fashion-mnist`` or torchvision's ``root/FashionMNIST/raw``.

CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html): either the "python
version" ``cifar-10-batches-py/{data_batch_1..5, test_batch}`` (pickles, read with
the restricted unpickler of :mod:`nasnb.data.safe_pickle`, never ``pickle.load``)
or the "binary version" ``cifar-10-batches-bin/{data_batch_1..5, test_batch}.bin``
(records of 1 label byte + 3072 pixel bytes), under ``root``.

Images are returned as ``uint8`` arrays ``(n, C, H, W)``; batches are scaled to
``[0, 1]`` during training. With ``download=True`` missing files are fetched
through torchvision (only where torchvision imports) and then read by these
same readers.

Examples
--------
>>> import gzip, os, tempfile, numpy as np
>>> root = tempfile.mkdtemp()
>>> write_idx(os.path.join(root, "x-idx3-ubyte.gz"), np.zeros((2, 28, 28), np.uint8))
>>> read_idx(os.path.join(root, "x-idx3-ubyte.gz")).shape
(2, 28, 28)
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import struct
from typing import Any

import numpy as np

from nasnb.data.supply import supply_hint
from nasnb.exceptions import DatasetError

__all__ = [
    "read_idx",
    "write_idx",
    "load_fashion_mnist",
    "load_cifar10",
    "FASHION_MNIST_FILES",
    "MAX_IDX_BYTES",
    "MAX_CIFAR_BATCH_BYTES",
]

logger = logging.getLogger(__name__)

FASHION_MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
FASHION_MNIST_URL = "https://github.com/zalandoresearch/fashion-mnist (data/fashion/*.gz)"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar.html (cifar-10-python.tar.gz or cifar-10-binary.tar.gz)"
_CIFAR_TRAIN = [f"data_batch_{i}" for i in range(1, 6)]
_CIFAR_RECORD = 1 + 3 * 32 * 32


#: Largest IDX file read (decompressed bytes); the Fashion-MNIST training images take 47 MB.
MAX_IDX_BYTES = 512 * 2**20
#: Largest CIFAR-10 batch file read; the official batches take 31 MB.
MAX_CIFAR_BATCH_BYTES = 256 * 2**20
_MAX_IDX_DIMS = 8


def read_idx(path: str) -> np.ndarray:
    """Read an IDX file of unsigned bytes (magic ``0x0000080D``, D dimensions), gzipped or not.

    The header's dimensions are checked against the data before any array is made; a
    ``.gz`` file may decompress to at most ``min(MAX_IDX_BYTES, 32 x its size)`` (at least
    32 MiB).

    Raises
    ------
    DatasetError
        Naming the file: unreadable, not an IDX file, or a header that does not match the data.
    """
    from nasnb._safeio import decompress, read_file

    path = os.fspath(path)
    raw = read_file(path, what="IDX file", error=DatasetError, max_bytes=MAX_IDX_BYTES)
    if path.endswith(".gz"):
        raw = decompress(raw, "gzip", name=path, error=DatasetError, limit=MAX_IDX_BYTES)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{path}: not an unsigned-byte IDX file (bad magic number {raw[:4].hex() or 'empty'}).")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or ndim > _MAX_IDX_DIMS:
        raise DatasetError(f"{path}: IDX header announces {ndim} dimensions; expected 1 to {_MAX_IDX_DIMS}.")
    if len(raw) < header:
        raise DatasetError(f"{path}: truncated IDX header ({len(raw)} bytes, {header} needed for {ndim} dimensions).")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = math.prod(dims)  # Python ints: no overflow
    if len(raw) - header != expected:
        raise DatasetError(
            f"{path}: IDX header announces shape {dims} ({expected} bytes) "
            f"but the file holds {len(raw) - header} data bytes."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def write_idx(path: str, array: np.ndarray) -> None:
    """Write a ``uint8`` array as an IDX file (gzipped when ``path`` ends in ``.gz``)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)


def _find_file(dirs: list[str], stem: str) -> str | None:
    for d in dirs:
        for candidate in (stem, stem + ".gz"):
            p = os.path.join(d, candidate)
            if os.path.isfile(p):
                return p
    return None


def _torchvision_download(kind: str, root: str) -> None:
    from nasnb._optional import require
    from nasnb.exceptions import OptionalDependencyError

    try:
        datasets = require("torchvision.datasets", extra="vision", purpose=f"download {kind}")
    except (RuntimeError, OSError) as exc:  # installed but does not import (e.g. CUDA build next to CPU torch)
        raise OptionalDependencyError(
            f"torchvision is installed but cannot be imported ({exc}); download {kind} by hand instead."
        ) from exc
    cls = {"Fashion-MNIST": datasets.FashionMNIST, "CIFAR-10": datasets.CIFAR10}[kind]
    logger.info("downloading %s into %s through torchvision", kind, root)
    cls(root, train=True, download=True)


_REGISTRY_NAME = {"CIFAR-10": "cifar10", "Fashion-MNIST": "fashion-mnist"}
_HOLDING = {
    "CIFAR-10": "cifar-10-batches-py/ or cifar-10-batches-bin/",
    "Fashion-MNIST": "the four Fashion-MNIST IDX files (or fashion-mnist/ with them)",
}


def _missing(kind: str, what: str, where: list[str], url: str) -> DatasetError:
    return DatasetError(
        f"{kind}: file {what!r} not found in {', '.join(map(repr, where))}. "
        f"Download it from {url} (or pass download=True where torchvision is installed). "
        + supply_hint(_REGISTRY_NAME[kind], _HOLDING[kind])
    )


def load_fashion_mnist(root: str | None = None, *, download: bool = False) -> tuple[np.ndarray, ...]:
    """Return ``(x_train, y_train, x_test, y_test)`` of Fashion-MNIST from IDX files.

    ``x`` arrays are ``uint8`` of shape ``(n, 1, 28, 28)``; ``y`` are ``int64``.
    """
    if root is None:
        raise DatasetError(
            f"Dataset 'fashion-mnist' needs a root directory with the IDX files (get them from "
            f"{FASHION_MNIST_URL}). " + supply_hint("fashion-mnist", _HOLDING["Fashion-MNIST"])
        )
    dirs = [root, os.path.join(root, "fashion-mnist"), os.path.join(root, "FashionMNIST", "raw")]
    paths = {k: _find_file(dirs, stem) for k, stem in FASHION_MNIST_FILES.items()}
    if download and any(p is None for p in paths.values()):
        _torchvision_download("Fashion-MNIST", root)
        paths = {k: _find_file(dirs, stem) for k, stem in FASHION_MNIST_FILES.items()}
    found: dict[str, str] = {}
    for k, p in paths.items():
        if p is None:
            raise _missing("Fashion-MNIST", FASHION_MNIST_FILES[k] + "[.gz]", dirs, FASHION_MNIST_URL)
        found[k] = p
    arrays = {k: read_idx(p) for k, p in found.items()}
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.ndim != 1 or len(x) != len(y):
            raise DatasetError(
                f"{paths['x_' + part]}: {len(x)} images of shape {x.shape[1:]} do not match "
                f"{paths['y_' + part]} with labels of shape {y.shape}."
            )
        if len(y) and y.max() > 9:
            raise DatasetError(f"{paths['y_' + part]}: label {int(y.max())} is outside 0..9.")
    return (
        arrays["x_train"][:, None],
        arrays["y_train"].astype(np.int64),
        arrays["x_test"][:, None],
        arrays["y_test"].astype(np.int64),
    )


def _cifar_pickle(path: str) -> tuple[np.ndarray, np.ndarray]:
    from nasnb._safe_pickle import safe_load
    from nasnb._safeio import read_file

    raw = read_file(path, what="CIFAR-10 batch", error=DatasetError, max_bytes=MAX_CIFAR_BATCH_BYTES)
    batch = safe_load(raw, name=path, error=DatasetError)
    if not isinstance(batch, dict):
        raise DatasetError(f"{path}: expected a dict in a CIFAR-10 batch, got {type(batch).__name__}.")
    batch = {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        keys = sorted(map(str, batch))[:10]
        raise DatasetError(f"{path}: CIFAR-10 batch lacks the 'data' or 'labels' entry (keys: {keys}).")
    data, labels = batch["data"], batch["labels"]
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        got = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DatasetError(f"{path}: 'data' must be a uint8 array of shape (n, 3072); got {got}.")
    if isinstance(labels, np.ndarray):
        if labels.dtype.kind not in "iu" or labels.ndim != 1:
            raise DatasetError(
                f"{path}: 'labels' must be a list of ints; got a {labels.dtype} array of shape {labels.shape}."
            )
        labels = labels.astype(np.int64)
    elif isinstance(labels, list) and all(type(v) is int for v in labels):
        if labels and (min(labels) < 0 or max(labels) > 9):
            bad = next(v for v in labels if not 0 <= v <= 9)
            raise DatasetError(f"{path}: label {bad} is outside 0..9.")
        labels = np.asarray(labels, dtype=np.int64)
    else:
        raise DatasetError(
            f"{path}: 'labels' must be a list of ints; got {type(labels).__name__} holding other values."
        )
    if labels.shape != (len(data),):
        raise DatasetError(f"{path}: {len(data)} images but {len(labels)} labels.")
    return data.reshape(-1, 3, 32, 32), labels


def _cifar_binary(path: str) -> tuple[np.ndarray, np.ndarray]:
    from nasnb._safeio import read_file

    raw = np.frombuffer(
        read_file(path, what="CIFAR-10 batch", error=DatasetError, max_bytes=MAX_CIFAR_BATCH_BYTES), dtype=np.uint8
    )
    if len(raw) == 0 or len(raw) % _CIFAR_RECORD:
        raise DatasetError(
            f"{path}: size {len(raw)} bytes is not a multiple of the {_CIFAR_RECORD}-byte CIFAR-10 record."
        )
    records = raw.reshape(-1, _CIFAR_RECORD)
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0]


def load_cifar10(root: str | None = None, *, download: bool = False) -> tuple[np.ndarray, ...]:
    """Return ``(x_train, y_train, x_test, y_test)`` of CIFAR-10 (python or binary version).

    ``x`` arrays are ``uint8`` of shape ``(n, 3, 32, 32)``; ``y`` are ``int64``.
    """
    if root is None:
        raise DatasetError(
            f"Dataset 'cifar10' needs a root directory holding 'cifar-10-batches-py' or "
            f"'cifar-10-batches-bin' (get the files from {CIFAR10_URL}). "
            + supply_hint("cifar10", _HOLDING["CIFAR-10"])
        )
    py_dir, bin_dir = os.path.join(root, "cifar-10-batches-py"), os.path.join(root, "cifar-10-batches-bin")
    if download and not os.path.isdir(py_dir) and not os.path.isdir(bin_dir):
        _torchvision_download("CIFAR-10", root)
    if os.path.isdir(py_dir):
        directory, reader, suffix = py_dir, _cifar_pickle, ""
    elif os.path.isdir(bin_dir):
        directory, reader, suffix = bin_dir, _cifar_binary, ".bin"
    else:
        raise _missing("CIFAR-10", "cifar-10-batches-py/ or cifar-10-batches-bin/", [root], CIFAR10_URL)
    parts = {}
    for part, names in (("train", _CIFAR_TRAIN), ("test", ["test_batch"])):
        xs, ys = [], []
        for stem in names:
            path = os.path.join(directory, stem + suffix)
            if not os.path.isfile(path):
                raise _missing("CIFAR-10", stem + suffix, [directory], CIFAR10_URL)
            x, y = reader(path)
            if len(y) and (int(y.min()) < 0 or int(y.max()) > 9):
                raise DatasetError(f"{path}: label {int(y.max()) if y.max() > 9 else int(y.min())} is outside 0..9.")
            xs.append(x)
            ys.append(y)
        parts[part] = (np.concatenate(xs), np.concatenate(ys).astype(np.int64))
    return parts["train"][0], parts["train"][1], parts["test"][0], parts["test"][1]


def fashion_mnist_loader(root: Any = None, download: bool = False) -> tuple[np.ndarray, ...]:
    """Loader used by the built-in ``fashion-mnist`` config."""
    return load_fashion_mnist(None if root is None else os.fspath(root), download=download)


def cifar10_loader(root: Any = None, download: bool = False) -> tuple[np.ndarray, ...]:
    """Loader used by the built-in ``cifar10`` config."""
    return load_cifar10(None if root is None else os.fspath(root), download=download)
