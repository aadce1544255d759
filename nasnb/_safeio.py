"""Bounded reading of user files: size caps, capped decompression, bounded JSON.

Every reader of a user file in nasnb goes through these helpers, so that a small file
can never make a reader allocate a large amount of memory:

* :func:`read_file` refuses directories, special files and files above the reader's cap
  *before* reading, and names the file, the cause (missing, not readable, a directory)
  and the remedy in the error;
* :func:`decompress` streams gzip / bz2 data and stops at a cap: the decompressed size may
  be at most ``max(MIN_BUDGET, AMPLIFICATION x compressed size)`` (and the reader's own cap),
  so a 785-byte bz2 bomb stops at 32 MiB instead of 1 GiB;
* :func:`load_json` parses JSON text after checking a structural estimate of the memory the
  parsed objects will take (a fixed cost per ``{``, ``[``, ``,`` and ``:`` plus the text
  itself) against the same budget, refuses NaN/Infinity and integers of more than 64
  digits, and turns every parse failure into the caller's error with line and column.

Errors are raised as the caller's :class:`~nasnb.exceptions.NasnbError` subclass.

Examples
--------
>>> import gzip
>>> decompress(gzip.compress(b"abc"), "gzip", name="x.gz", error=ValueError)
b'abc'
>>> load_json('{"a": [1, 2]}', name="doc", error=ValueError)
{'a': [1, 2]}
>>> load_json('{"a": NaN}', name="doc", error=ValueError)
Traceback (most recent call last):
...
ValueError: doc: invalid JSON: non-standard constant 'NaN' is not allowed.
"""

from __future__ import annotations

import bz2
import json
import os
import stat
import zlib
from typing import Any

__all__ = [
    "MIN_BUDGET",
    "AMPLIFICATION",
    "memory_budget",
    "read_file",
    "decompress",
    "load_json",
    "estimate_json_memory",
    "MAX_INT_DIGITS",
]

#: Smallest memory budget of one file (bytes).
MIN_BUDGET = 32 * 2**20
#: Budget per byte of the file on disk.
AMPLIFICATION = 32
#: Longest integer literal accepted in JSON.
MAX_INT_DIGITS = 64
_CHUNK = 1 << 20


def memory_budget(source_bytes: int) -> int:
    """``max(MIN_BUDGET, AMPLIFICATION * source_bytes)``: what a file of that size may use.

    Examples
    --------
    >>> memory_budget(10) == MIN_BUDGET, memory_budget(2**30) == 32 * 2**30
    (True, True)
    """
    return max(MIN_BUDGET, AMPLIFICATION * int(source_bytes))


def read_file(path: Any, *, what: str, error: type, max_bytes: int) -> bytes:
    """Read a regular file of at most ``max_bytes`` bytes; errors name the file and the cause.

    Examples
    --------
    >>> import tempfile
    >>> read_file(tempfile.gettempdir(), what="descriptor file", error=ValueError, max_bytes=10)
    Traceback (most recent call last):
    ...
    ValueError: Cannot read the descriptor file '/tmp': it is a directory, not a file.
    """
    try:
        path = os.fspath(path)
    except TypeError:
        raise error(f"The {what} must be given as a path, got {type(path).__name__}.") from None
    shown = repr(path if isinstance(path, str) else os.fsdecode(path))
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISDIR(info.st_mode):  # pragma: no cover - open() refuses directories on POSIX
                raise IsADirectoryError(21, "Is a directory")
            if not stat.S_ISREG(info.st_mode):
                raise error(f"Cannot read the {what} {shown}: it is not a regular file.")
            if info.st_size > max_bytes:
                raise error(
                    f"Cannot read the {what} {shown}: {info.st_size} bytes exceed the limit of "
                    f"{max_bytes} bytes for this kind of file."
                )
            data = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise error(f"Cannot read the {what} {shown}: it is a directory, not a file.") from None
    except FileNotFoundError:
        raise error(f"Cannot read the {what} {shown}: no such file (check the path).") from None
    except PermissionError:
        raise error(f"Cannot read the {what} {shown}: permission denied (make it readable).") from None
    except OSError as exc:
        raise error(f"Cannot read the {what} {shown}: {exc.strerror or exc}.") from exc
    except ValueError as exc:  # e.g. an embedded NUL byte in the path
        raise error(f"Cannot read the {what} {shown}: {exc}.") from None
    if len(data) > max_bytes:
        raise error(f"Cannot read the {what} {shown}: it grew beyond the limit of {max_bytes} bytes while read.")
    return data


def decompress(data: bytes, kind: str, *, name: str, error: type, limit: int | None = None) -> bytes:
    """Decompress gzip (``kind="gzip"``) or bz2 data, stopping at a cap.

    The cap is ``min(limit, memory_budget(len(data)))``; more output raises ``error``.
    """
    cap = memory_budget(len(data)) if limit is None else min(int(limit), memory_budget(len(data)))
    out: list[bytes] = []
    total = 0
    rest = bytes(data)
    try:
        while rest:
            if kind == "gzip":
                engine: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
            elif kind == "bz2":
                engine = bz2.BZ2Decompressor()
            else:  # pragma: no cover - programming error
                raise ValueError(f"unknown compression {kind!r}")
            pending = rest
            while True:
                chunk = engine.decompress(pending, cap - total + 1)
                total += len(chunk)
                if total > cap:
                    raise error(
                        f"{name}: decompresses to more than {cap} bytes, the limit for a compressed file "
                        f"of {len(data)} bytes; refusing it as malformed or hostile (a compression bomb)."
                    )
                out.append(chunk)
                if engine.eof:
                    break
                if kind == "gzip":
                    pending = engine.unconsumed_tail
                    if not pending and not chunk:
                        break
                else:
                    pending = b""
                    if engine.needs_input:
                        break
            if not engine.eof:
                raise error(f"{name}: truncated {kind} data (the file ends inside a compressed stream).")
            rest = engine.unused_data
            if kind == "gzip":
                rest = rest.lstrip(b"\x00")  # gzip members may be followed by zero padding
    except (zlib.error, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, error):
            raise
        raise error(f"{name}: not valid {kind} data ({exc}).") from exc
    return b"".join(out)


def estimate_json_memory(text: str | bytes) -> int:
    """An upper estimate of the bytes ``json.loads(text)`` allocates (structure + text).

    Examples
    --------
    >>> estimate_json_memory("[[], []]") > estimate_json_memory("[0, 0]")
    True
    """
    if isinstance(text, (bytes, bytearray)):
        bcount = text.count
        return 200 * bcount(b"{") + 80 * bcount(b"[") + 72 * (bcount(b",") + bcount(b":")) + 4 * len(text) + 64
    count = text.count
    return 200 * count("{") + 80 * count("[") + 72 * (count(",") + count(":")) + 4 * len(text) + 64


class _Bad(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _Bad(f"non-standard constant {name!r} is not allowed")


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Bad(f"an integer with {digits} digits exceeds the limit of {MAX_INT_DIGITS} digits")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Bad(f"the number {text[:40]} is out of the range of a double")
    return value


def _unique_keys(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        for key, _ in pairs:
            if key in seen:
                raise _Bad(f"duplicate key {key!r} in an object")
            seen.add(key)
    return out


def load_json(text: str | bytes | bytearray, *, name: str, error: type, budget: int | None = None) -> Any:
    """Parse JSON strictly, within a memory budget; ``error`` names ``name`` and the line.

    ``budget`` defaults to :func:`memory_budget` of the text's length. Refused: invalid
    UTF-8, NaN / Infinity, numbers beyond a double's range, integers of more than
    :data:`MAX_INT_DIGITS` digits, duplicate keys, nesting deeper than Python's recursion limit.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    elif isinstance(text, str):
        text = text.lstrip("\ufeff")
    else:
        raise error(f"{name}: expected JSON text, got {type(text).__name__}.")
    budget = memory_budget(len(text)) if budget is None else budget
    estimate = estimate_json_memory(text)
    if estimate > budget:
        raise error(
            f"{name}: the JSON document would take about {estimate / 2**20:.0f} MiB in memory, more than "
            f"the {budget / 2**20:.0f} MiB its file size justifies; refusing it as malformed or hostile "
            "(decompress it first if it is a compressed file you trust)."
        )
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise error(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except _Bad as exc:
        raise error(f"{name}: invalid JSON: {exc}.") from None
    except RecursionError:
        raise error(f"{name}: invalid JSON: nesting is too deep.") from None
    except (ValueError, MemoryError, OverflowError) as exc:
        raise error(f"{name}: invalid JSON ({type(exc).__name__}: {exc}).") from None
