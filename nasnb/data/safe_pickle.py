"""A restricted unpickler for numpy-array pickles such as the CIFAR-10 batches.

``pickle.load`` on a file can run any code. :func:`safe_load` uses an
``Unpickler`` whose ``find_class`` resolves exactly these globals and refuses
every other one with a :class:`~nasnb.exceptions.DatasetError`:

* ``numpy.core.multiarray._reconstruct`` / ``numpy._core.multiarray._reconstruct``
  (how numpy arrays are pickled; called only with the two classes below),
* ``numpy.ndarray`` and ``numpy.dtype``,
* ``_codecs.encode`` -- used by Python 3 protocol-2 pickles to store ``bytes``;
  only the ``latin1`` codec is accepted.

Plain containers (dict, list, tuple, str, bytes, numbers) need no globals.

Examples
--------
>>> import io, pickle, numpy as np
>>> blob = pickle.dumps({b"data": np.arange(3, dtype=np.uint8)}, protocol=2)
>>> safe_load(io.BytesIO(blob), name="example")[b"data"].tolist()
[0, 1, 2]
>>> import os
>>> safe_load(io.BytesIO(pickle.dumps(os.getcwd)), name="evil.pkl")
Traceback (most recent call last):
...
nasnb.exceptions.DatasetError: evil.pkl: refusing to load global 'posix.getcwd' from a pickle; only numpy array data is allowed.
"""

from __future__ import annotations

import pickle
from typing import Any, BinaryIO

import numpy as np

from nasnb.exceptions import DatasetError

__all__ = ["safe_load", "SafeUnpickler"]


def _reconstruct_fn():
    try:
        from numpy._core.multiarray import _reconstruct  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


def _checked_reconstruct(cls: Any, shape: Any, dtype: Any) -> Any:
    if cls is not np.ndarray:
        raise pickle.UnpicklingError(f"_reconstruct called with {cls!r}")
    return _reconstruct_fn()(cls, shape, dtype)


def _latin1_encode(obj: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    if encoding.lower().replace("-", "") not in ("latin1", "iso88591") or not isinstance(obj, str):
        raise pickle.UnpicklingError(f"_codecs.encode with codec {encoding!r} is not allowed")
    return obj.encode("latin1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _checked_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _checked_reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class SafeUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only numpy-array globals (see module docs)."""

    def __init__(self, file: BinaryIO, *, name: str = "<pickle>", encoding: str = "bytes") -> None:
        super().__init__(file, encoding=encoding)
        self._name = name

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise DatasetError(f"{self._name}: refusing to load global '{module}.{name}' from a pickle; "
                               f"only numpy array data is allowed.") from None

    def persistent_load(self, pid: Any) -> Any:
        raise DatasetError(f"{self._name}: persistent ids are not allowed in data pickles.")


def safe_load(file: BinaryIO, *, name: str = "<pickle>", encoding: str = "bytes") -> Any:
    """Unpickle ``file`` allowing only plain containers and numpy arrays.

    Raises
    ------
    DatasetError
        The pickle names a forbidden global or is malformed; the message names ``name``.
    """
    try:
        return SafeUnpickler(file, name=name, encoding=encoding).load()
    except DatasetError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
            KeyError, MemoryError) as exc:
        raise DatasetError(f"{name}: not a valid data pickle ({type(exc).__name__}: {exc}).") from exc
