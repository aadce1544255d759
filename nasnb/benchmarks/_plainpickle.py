"""A restricted unpickler for tabular-benchmark files made of plain values.

The NAS-Bench-Graph ``.bench`` files and the NATS-Bench ``*.pickle.pbz2`` files are
pickles of dicts, lists, tuples, strings and numbers -- plus numpy float scalars and
``collections.OrderedDict``. ``pickle.load`` on such a file could run any code, so
:func:`load_plain_pickle` resolves exactly three globals, each through a checking shim:

* ``numpy.dtype`` -- only numeric / boolean dtype codes (``"f8"``, ``"i4"``, ...);
* ``numpy.core.multiarray.scalar`` (or ``numpy._core``) -- only for those dtypes; the
  value comes back as a plain Python ``float`` / ``int`` / ``bool``;
* ``collections.OrderedDict`` -- comes back as a plain ``dict``.

Every other global raises :class:`~nasnb.exceptions.BenchmarkError` naming the file.

Examples
--------
>>> import io, pickle, numpy as np
>>> blob = pickle.dumps({"a": np.float64(0.5), "b": [1, "x"]})
>>> load_plain_pickle(io.BytesIO(blob), name="demo")
{'a': 0.5, 'b': [1, 'x']}
>>> import os
>>> load_plain_pickle(io.BytesIO(pickle.dumps(os.getcwd)), name="evil.bench")
Traceback (most recent call last):
...
nasnb.exceptions.BenchmarkError: evil.bench: refusing to load global 'posix.getcwd' from a benchmark pickle; only plain values (dicts, lists, numbers, strings, numpy scalars) are allowed.
"""

from __future__ import annotations

import io
import pickle
from typing import Any, BinaryIO

import numpy as np

from nasnb.exceptions import BenchmarkError

__all__ = ["load_plain_pickle", "load_plain_pickle_bytes"]

_NUMERIC_KINDS = "biuf"  # bool, signed int, unsigned int, float


def _safe_dtype(code: Any, align: Any = False, copy: Any = False) -> np.dtype:
    if not isinstance(code, str) or len(code) > 4:
        raise pickle.UnpicklingError(f"numpy.dtype({code!r}) is not a plain numeric dtype")
    dtype = np.dtype(code)
    if dtype.kind not in _NUMERIC_KINDS:
        raise pickle.UnpicklingError(f"numpy.dtype({code!r}) is not a plain numeric dtype")
    return dtype


def _safe_scalar(dtype: Any, data: Any = None) -> Any:
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMERIC_KINDS:
        raise pickle.UnpicklingError(f"numpy scalar of dtype {dtype!r} is not allowed")
    if isinstance(data, str):  # protocol-2 pickles store bytes as latin-1 strings
        data = data.encode("latin1")
    if not isinstance(data, (bytes, bytearray)) or len(data) != dtype.itemsize:
        raise pickle.UnpicklingError("numpy scalar payload has the wrong size")
    return np.frombuffer(bytes(data), dtype=dtype)[0].item()


_ALLOWED = {
    ("numpy", "dtype"): _safe_dtype,
    ("numpy.core.multiarray", "scalar"): _safe_scalar,
    ("numpy._core.multiarray", "scalar"): _safe_scalar,
    ("collections", "OrderedDict"): dict,
}


class _PlainUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, name: str) -> None:
        super().__init__(file)
        self._name = name

    def find_class(self, module: str, name: str) -> Any:
        shim = _ALLOWED.get((module, name))
        if shim is None:
            raise BenchmarkError(
                f"{self._name}: refusing to load global '{module}.{name}' from a benchmark pickle; only plain "
                "values (dicts, lists, numbers, strings, numpy scalars) are allowed."
            )
        return shim


def load_plain_pickle(file: BinaryIO, *, name: str) -> Any:
    """Unpickle plain values from ``file``; ``name`` (the file's path) is used in errors.

    Raises
    ------
    BenchmarkError
        For a forbidden global or a malformed pickle.
    """
    try:
        return _PlainUnpickler(file, name).load()
    except BenchmarkError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise BenchmarkError(f"{name}: malformed benchmark pickle ({type(exc).__name__}: {exc}).") from exc


def load_plain_pickle_bytes(data: bytes, *, name: str) -> Any:
    """:func:`load_plain_pickle` on an in-memory byte string."""
    return load_plain_pickle(io.BytesIO(data), name=name)
