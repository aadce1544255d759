"""The one restricted unpickler of nasnb (data-set batches and tabular-benchmark files).

``pickle.load`` on a user's file can run any code, and even a pickle that only builds
allowed objects can ask for gigabytes from a few bytes. :func:`safe_load` therefore

1. reads the whole pickle into memory (at most ``max_bytes``);
2. **scans its opcodes** before running any of them: refuses the opcodes that call
   arbitrary classes or need outside help (``INST``, ``OBJ``, ``NEWOBJ``, ``NEWOBJ_EX``,
   ``EXT*``, persistent ids, out-of-band buffers), memo indices that would make the
   unpickler allocate a huge memo table, frames longer than the data, and estimates the
   memory the objects will take (a fixed cost per created object plus 5x every payload);
   a pickle whose estimate exceeds ``max(32 MiB, 32 x source_bytes)`` is refused;
3. unpickles with ``find_class`` resolving exactly these globals, each through a checking shim:

   * ``numpy.dtype`` -- plain numeric or boolean dtypes only (``"u1"``, ``"<f8"``...; no
     fields, sub-arrays or objects);
   * ``numpy.core.multiarray._reconstruct`` / ``numpy._core.multiarray._reconstruct`` with
     ``numpy.ndarray`` (how arrays are pickled up to protocol 4): only the empty
     placeholder numpy writes; the data is accepted when its byte count is exactly
     ``prod(shape) * itemsize`` (so a small pickle cannot allocate a large array);
   * ``numpy.core.numeric._frombuffer`` / ``numpy._core.numeric._frombuffer`` (protocol 5
     arrays), with the same size check;
   * ``numpy.core.multiarray.scalar`` -- numpy scalars come back as Python numbers;
   * ``collections.OrderedDict`` -- comes back as a plain ``dict``;
   * ``builtins.set`` / ``builtins.frozenset`` (protocol-2 sets) and ``builtins.bytes()``
     without arguments (protocol-2 ``b""``);
   * ``_codecs.encode`` with the ``latin1`` codec (protocol-2 ``bytes``).

Every other global, and every malformed pickle, raises the caller's error class
(:class:`~nasnb.exceptions.DatasetError` by default) naming the file.

Examples
--------
>>> import io, os, pickle, numpy as np
>>> blob = pickle.dumps({b"data": np.arange(3, dtype=np.uint8), "x": np.float64(0.5)}, protocol=2)
>>> out = safe_load(io.BytesIO(blob), name="example")
>>> out[b"data"].tolist(), out["x"]
([0, 1, 2], 0.5)
>>> safe_load(io.BytesIO(pickle.dumps(os.getcwd)), name="evil.pkl")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nasnb.exceptions.DatasetError: evil.pkl: refusing to load global 'posix.getcwd' from a pickle; ...
"""

from __future__ import annotations

import io
import math
import pickle
import struct
from typing import Any, BinaryIO

import numpy as np

from nasnb.exceptions import DatasetError, NasnbError

__all__ = ["safe_load", "SafeUnpickler", "estimate_pickle_memory", "MIN_BUDGET", "AMPLIFICATION", "MAX_PICKLE_BYTES"]

#: Smallest memory budget of one pickle (bytes).
MIN_BUDGET = 32 * 2**20
#: Budget per byte of the source file (the compressed size for a compressed file).
AMPLIFICATION = 32
#: Largest pickle read at all (bytes).
MAX_PICKLE_BYTES = 2 * 2**30
_MAX_NDIM = 32
_DTYPE_KINDS = "biufc"  # bool, signed, unsigned, float, complex

# ----------------------------------------------------------------------------- opcode scan
_VALUE = 64  # a slot in a container, the stack and a dict/set table
# opcode byte -> (argument kind, fixed cost in bytes); kinds: int n = n fixed bytes,
# "len1"/"len4"/"len8" = length-prefixed payload, "line"/"line2" = newline-terminated text
_OPS: dict[int, tuple[Any, int]] = {}
for _ch, _kind, _cost in [
    ("(", 0, 8),
    (".", 0, 0),
    ("0", 0, 0),
    ("1", 0, 0),
    ("2", 0, _VALUE),
    ("N", 0, _VALUE),
    ("\x88", 0, _VALUE),
    ("\x89", 0, _VALUE),
    (")", 0, _VALUE),
    ("]", 0, _VALUE + 72),
    ("}", 0, _VALUE + 240),
    ("\x8f", 0, _VALUE + 232),
    ("a", 0, 0),
    ("e", 0, 0),
    ("s", 0, 0),
    ("u", 0, 0),
    ("\x90", 0, 0),
    ("l", 0, _VALUE + 72),
    ("d", 0, _VALUE + 240),
    ("t", 0, _VALUE + 56),
    ("\x85", 0, _VALUE + 56),
    ("\x86", 0, _VALUE + 56),
    ("\x87", 0, _VALUE + 56),
    ("\x91", 0, _VALUE + 232),
    ("R", 0, _VALUE + 240),
    ("b", 0, 0),
    ("\x93", 0, _VALUE),
    ("\x94", 0, 16),
    ("K", 1, _VALUE),
    ("M", 2, _VALUE + 32),
    ("J", 4, _VALUE + 32),
    ("G", 8, _VALUE + 24),
    ("h", 1, _VALUE),
    ("j", 4, _VALUE),
    ("q", 1, 16),
    ("r", 4, 16),
    ("\x80", 1, 0),
    ("\x95", 8, 0),
    ("U", "len1", _VALUE + 80),
    ("C", "len1", _VALUE + 80),
    ("\x8c", "len1", _VALUE + 80),
    ("\x8a", "len1", _VALUE + 32),
    ("T", "len4", _VALUE + 80),
    ("B", "len4", _VALUE + 80),
    ("X", "len4", _VALUE + 80),
    ("\x8b", "len4", _VALUE + 32),
    ("\x8d", "len8", _VALUE + 80),
    ("\x8e", "len8", _VALUE + 80),
    ("\x96", "len8", _VALUE + 80),
    ("I", "line", _VALUE + 32),
    ("L", "line", _VALUE + 32),
    ("F", "line", _VALUE + 24),
    ("S", "line", _VALUE + 80),
    ("V", "line", _VALUE + 80),
    ("g", "line", _VALUE),
    ("p", "line", 16),
    ("c", "line2", _VALUE),
]:
    _OPS[ord(_ch)] = (_kind, _cost)
_PAYLOAD_FACTOR = 5  # utf-8 -> UCS-4 str (4x) plus a latin-1 bytes copy
_REFUSED = {
    ord("P"): "PERSID",
    ord("Q"): "BINPERSID",
    ord("i"): "INST",
    ord("o"): "OBJ",
    0x81: "NEWOBJ",
    0x92: "NEWOBJ_EX",
    0x82: "EXT1",
    0x83: "EXT2",
    0x84: "EXT4",
    0x97: "NEXT_BUFFER",
    0x98: "READONLY_BUFFER",
}
_MEMO_OPS = {ord("q"), ord("r")}
_MAX_TEXT_LINE = 4096


class _Refused(Exception):
    """Internal: a pickle the scan refuses (converted to the caller's error)."""


def estimate_pickle_memory(data: bytes) -> int:
    """Scan the opcodes of ``data`` and return an upper estimate of the bytes it will allocate.

    Raises an internal error (turned into the caller's error by :func:`safe_load`) for a
    refused opcode, a memo index beyond the objects seen so far, or a truncated argument.

    Examples
    --------
    >>> import pickle
    >>> estimate_pickle_memory(pickle.dumps([1, 2, 3])) < 1000
    True
    """
    view = memoryview(data)
    n, pos, total, memo = len(data), 0, 0, 0
    ops, refused, memo_ops = _OPS, _REFUSED, _MEMO_OPS
    unpack_from = struct.unpack_from
    while pos < n:
        code = data[pos]
        entry = ops.get(code)
        if entry is None:
            name = refused.get(code)
            if name is not None:
                raise _Refused(f"opcode {name} at byte {pos} is not allowed")
            raise _Refused(f"unknown opcode 0x{code:02x} at byte {pos}")
        kind, cost = entry
        start = pos
        pos += 1
        if kind.__class__ is int:
            if pos + kind > n:
                raise _Refused(f"truncated argument at byte {start}")
            if code == 0x94:  # MEMOIZE: the next free index
                memo += 1
            elif code in memo_ops:
                index = data[pos] if kind == 1 else unpack_from("<I", view, pos)[0]
                if index > memo:
                    raise _Refused(f"memo index {index} at byte {start} skips ahead of the {memo} objects stored")
                memo += 1
            elif code == 0x95 and unpack_from("<Q", view, pos)[0] > n - pos - 8:
                raise _Refused(f"frame at byte {start} is longer than the data")
            pos += kind
        elif kind == "len1" or kind == "len4" or kind == "len8":
            width = 1 if kind == "len1" else (4 if kind == "len4" else 8)
            if pos + width > n:
                raise _Refused(f"truncated length at byte {start}")
            size = data[pos] if width == 1 else unpack_from("<Q" if width == 8 else "<i", view, pos)[0]
            pos += width
            if size < 0 or size > n - pos:
                raise _Refused(f"payload of {size} bytes at byte {start} is longer than the data")
            pos += size
            cost += _PAYLOAD_FACTOR * size
        else:  # newline-terminated text (protocol 0)
            for _ in range(2 if kind == "line2" else 1):
                end = data.find(b"\n", pos, pos + _MAX_TEXT_LINE + 1)
                if end < 0:
                    raise _Refused(f"unterminated or overlong text argument at byte {start}")
                if code == ord("p"):
                    try:
                        index = int(data[pos:end])
                    except ValueError:
                        raise _Refused(f"bad memo index at byte {start}") from None
                    if not 0 <= index <= memo:
                        raise _Refused(f"memo index {index} at byte {start} skips ahead of the objects stored")
                    memo += 1
                cost += _PAYLOAD_FACTOR * (end - pos)
                pos = end + 1
        total += cost
        if code == 0x2E:  # STOP: what follows is never read
            break
    return total


# ----------------------------------------------------------------------------- shims
def _check_dtype(dtype: Any) -> np.dtype:
    if isinstance(dtype, _DtypeBuilder):
        dtype = dtype.dtype
    if (
        not isinstance(dtype, np.dtype)
        or dtype.kind not in _DTYPE_KINDS
        or dtype.fields is not None
        or dtype.subdtype is not None
        or dtype.hasobject
        or dtype.itemsize > 16
    ):
        raise pickle.UnpicklingError(f"numpy dtype {dtype!r} is not a plain numeric dtype")
    return dtype


class _DtypeBuilder:
    """``numpy.dtype(code)`` whose pickled state may only set the byte order."""

    __slots__ = ("dtype",)
    __hash__ = None  # type: ignore[assignment]  # unhashable; mypy rejects None here (python/mypy#4266)

    def __init__(self, code: Any, align: Any = False, copy: Any = False) -> None:
        if not isinstance(code, str) or not 1 <= len(code) <= 4:
            raise pickle.UnpicklingError(f"numpy.dtype({code!r}) is not a plain numeric dtype code")
        try:
            dtype = np.dtype(code)
        except TypeError as exc:
            raise pickle.UnpicklingError(f"numpy.dtype({code!r}): {exc}") from None
        self.dtype = _check_dtype(dtype)

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) < 5 or any(s is not None for s in state[2:5]):
            raise pickle.UnpicklingError("numpy dtype state with fields or sub-arrays is not allowed")
        order = state[1]
        if order not in ("<", ">", "|", "="):
            raise pickle.UnpicklingError(f"numpy dtype byte order {order!r} is not valid")
        if order in ("<", ">") and self.dtype.itemsize > 1:
            self.dtype = self.dtype.newbyteorder(order)


def _check_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if (
        not isinstance(shape, tuple)
        or len(shape) > _MAX_NDIM
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape)
    ):
        raise pickle.UnpicklingError(f"array shape {shape!r} is not a tuple of at most {_MAX_NDIM} sizes >= 0")
    return shape


def _as_buffer(raw: Any) -> bytes | bytearray | memoryview:
    if isinstance(raw, str):  # protocol-2 pickles written by Python 2 / latin-1 decoding
        try:
            return raw.encode("latin1")
        except UnicodeEncodeError:
            raise pickle.UnpicklingError("array data string is not latin-1") from None
    if isinstance(raw, (bytes, bytearray)):
        return raw
    if isinstance(raw, pickle.PickleBuffer):
        return raw.raw()
    raise pickle.UnpicklingError(f"array data must be bytes, got {type(raw).__name__}")


def _make_array(raw: Any, dtype: np.dtype, shape: tuple[int, ...], fortran: bool) -> np.ndarray:
    buf = _as_buffer(raw)
    count = math.prod(shape)
    if count * dtype.itemsize != len(buf):
        raise pickle.UnpicklingError(
            f"array of shape {shape} and dtype {dtype} needs {count * dtype.itemsize} "
            f"bytes but the pickle holds {len(buf)}"
        )
    return np.frombuffer(buf, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C")


class _ArrayBuilder:
    """The placeholder ``_reconstruct`` returns; its pickled state becomes the array."""

    __slots__ = ("array",)
    __hash__ = None  # type: ignore[assignment]  # unhashable; mypy rejects None here (python/mypy#4266)

    def __init__(self, array: np.ndarray | None = None) -> None:
        self.array = array

    def __setstate__(self, state: Any) -> None:
        if self.array is not None:
            raise pickle.UnpicklingError("an array's state was set twice")
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise pickle.UnpicklingError("malformed numpy array state")
        if len(state) == 5:
            state = state[1:]
        shape, dtype, fortran, raw = state
        if not isinstance(fortran, (bool, int)):
            raise pickle.UnpicklingError("malformed numpy array state")
        self.array = _make_array(raw, _check_dtype(dtype), _check_shape(shape), bool(fortran))


_NDARRAY = object()  # what "numpy.ndarray" resolves to: usable only as _reconstruct's first argument


def _reconstruct(cls: Any, shape: Any, dtype: Any) -> _ArrayBuilder:
    if cls is not _NDARRAY:
        raise pickle.UnpicklingError(f"_reconstruct called with {cls!r}")
    if math.prod(_check_shape(shape)) != 0 or dtype not in (b"b", "b"):
        raise pickle.UnpicklingError("_reconstruct must build numpy's empty placeholder (shape (0,), dtype 'b')")
    return _ArrayBuilder()


def _frombuffer(buf: Any, dtype: Any, shape: Any, order: Any = "C") -> _ArrayBuilder:
    if order not in ("C", "F"):
        raise pickle.UnpicklingError(f"array order {order!r} is not 'C' or 'F'")
    return _ArrayBuilder(_make_array(buf, _check_dtype(dtype), _check_shape(shape), order == "F"))


def _scalar(dtype: Any, data: Any = None) -> Any:
    dtype = _check_dtype(dtype)
    buf = _as_buffer(data)
    if len(buf) != dtype.itemsize:
        raise pickle.UnpicklingError("numpy scalar payload has the wrong size")
    return np.frombuffer(buf, dtype=dtype)[0].item()


def _latin1_encode(obj: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    if (
        not isinstance(encoding, str)
        or encoding.lower().replace("-", "").replace("_", "") not in ("latin1", "iso88591")
        or not isinstance(obj, str)
    ):
        raise pickle.UnpicklingError(f"_codecs.encode with codec {encoding!r} is not allowed")
    return obj.encode("latin1")


def _bytes(*args: Any) -> bytes:
    if args:  # protocol 2 writes only ``bytes()`` for b""; bytes(n) would allocate n bytes
        raise pickle.UnpicklingError("bytes(...) with arguments is not allowed")
    return b""


def _set(items: Any = ()) -> set:
    return set(items)


def _frozenset(items: Any = ()) -> frozenset:
    return frozenset(items)


_ALLOWED = {
    ("numpy", "dtype"): _DtypeBuilder,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("collections", "OrderedDict"): dict,
    ("builtins", "set"): _set,
    ("builtins", "frozenset"): _frozenset,
    ("__builtin__", "set"): _set,
    ("__builtin__", "frozenset"): _frozenset,
    ("_codecs", "encode"): _latin1_encode,
    ("builtins", "bytes"): _bytes,
    ("__builtin__", "bytes"): _bytes,
}


class SafeUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only the globals listed in the module docs.

    Use :func:`safe_load`, which also scans the opcodes and bounds memory first.
    """

    def __init__(
        self, file: BinaryIO, *, name: str = "<pickle>", encoding: str = "bytes", error: type = DatasetError
    ) -> None:
        super().__init__(file, encoding=encoding)
        self._name = name
        self._error = error
        self.placeholders = False  # True once a numpy array or dtype global was resolved

    def find_class(self, module: str, name: str) -> Any:
        try:
            found = _ALLOWED[(module, name)]
            if module.startswith("numpy") and name != "scalar":
                self.placeholders = True
            return found
        except (KeyError, TypeError):
            raise self._error(
                f"{self._name}: refusing to load global '{module}.{name}' from a pickle; "
                "only plain values and numeric numpy arrays are allowed."
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise self._error(f"{self._name}: persistent ids are not allowed in data pickles.")


def _finish(obj: Any) -> Any:
    """Replace array and dtype placeholders by the real objects (containers rebuilt in place)."""
    if isinstance(obj, _ArrayBuilder):
        if obj.array is None:
            raise pickle.UnpicklingError("an array placeholder never received its data")
        return obj.array
    if isinstance(obj, _DtypeBuilder):
        return obj.dtype
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list, tuple, _ArrayBuilder, _DtypeBuilder)):
                obj[k] = _finish(v)
        return obj
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            if isinstance(v, (dict, list, tuple, _ArrayBuilder, _DtypeBuilder)):
                obj[i] = _finish(v)
        return obj
    if isinstance(obj, tuple):
        return tuple(_finish(v) for v in obj)
    return obj


def _malformed(error: type, name: str, detail: str) -> Exception:
    from nasnb.exceptions import BenchmarkError

    what = "malformed benchmark pickle" if issubclass(error, BenchmarkError) else "not a valid data pickle"
    return error(f"{name}: {what} ({detail}).")


def safe_load(
    file: BinaryIO | bytes,
    *,
    name: str = "<pickle>",
    encoding: str = "bytes",
    error: type = DatasetError,
    source_bytes: int | None = None,
    max_bytes: int = MAX_PICKLE_BYTES,
) -> Any:
    """Unpickle ``file`` (a binary file object or bytes) allowing only plain values and arrays.

    Parameters
    ----------
    file : binary file or bytes
        The pickle.
    name : str
        The file's name, used in every error message.
    encoding : str
        How protocol-2 ``str`` objects written by Python 2 are decoded (``"bytes"`` keeps them
        as bytes, as the CIFAR-10 batches need).
    error : type
        The :class:`~nasnb.exceptions.NasnbError` subclass raised (``DatasetError`` or
        ``BenchmarkError``).
    source_bytes : int, optional
        Size of the file on disk when ``file`` holds decompressed data; the memory budget
        is ``max(MIN_BUDGET, AMPLIFICATION * source_bytes)`` (default: the pickle's size).
    max_bytes : int
        Largest pickle accepted.

    Raises
    ------
    error
        A forbidden global or opcode, a malformed pickle, or one that would take more
        memory than its budget; the message names ``name``.
    """
    try:
        data = file if isinstance(file, (bytes, bytearray)) else file.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{name}: cannot read the pickle ({exc.strerror or exc}).") from exc
    if not isinstance(data, (bytes, bytearray)):
        raise error(f"{name}: expected a binary file, got {type(data).__name__} data.")
    if len(data) > max_bytes:
        raise error(f"{name}: the pickle is larger than the limit of {max_bytes} bytes.")
    budget = max(MIN_BUDGET, AMPLIFICATION * (len(data) if source_bytes is None else int(source_bytes)))
    try:
        estimate = estimate_pickle_memory(bytes(data))
    except _Refused as exc:
        raise _malformed(error, name, str(exc)) from None
    if estimate > budget:
        raise error(
            f"{name}: the pickle would take about {estimate / 2**20:.0f} MiB in memory, more than the "
            f"{budget / 2**20:.0f} MiB a file of this size justifies; refusing it as malformed or hostile."
        )
    try:
        unpickler = SafeUnpickler(io.BytesIO(data), name=name, encoding=encoding, error=error)
        out = unpickler.load()
        return _finish(out) if unpickler.placeholders else out
    except NasnbError:
        raise
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        OverflowError,
        MemoryError,
        RecursionError,
        struct.error,
    ) as exc:
        raise _malformed(error, name, f"{type(exc).__name__}: {exc}") from exc
