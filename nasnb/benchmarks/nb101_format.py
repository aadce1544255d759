"""Pure-Python reading of the official NAS-Bench-101 data file (no TensorFlow).

The official ``nasbench_full.tfrecord`` / ``nasbench_only108.tfrecord`` is a TFRecord file:
a sequence of frames ``uint64 length | uint32 masked-CRC32C(length) | data | uint32
masked-CRC32C(data)`` (little endian). Each ``data`` is UTF-8 JSON
``[module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]`` where
``raw_adjacency`` is the row-major 0/1 matrix as a string, ``raw_operations`` the
comma-separated op labels, and ``raw_metrics`` base64 of a serialized ``ModelMetrics``
protobuf (``evaluation_data`` = 1 (repeated message: ``current_epoch`` = 1,
``training_time`` = 2, ``train_accuracy`` = 3, ``validation_accuracy`` = 4,
``test_accuracy`` = 5, all doubles), ``trainable_parameters`` = 2 (int32),
``total_time`` = 3 (double)). Entry 1 of ``evaluation_data`` is the half-way evaluation,
entry 2 the final one.

This module also has the official graph pruning and module hash (``graph_util.hash_module``).

Examples
--------
>>> hex(crc32c(b"123456789"))
'0xe3069283'
>>> decode_protobuf(bytes([0x10, 0x96, 0x01]), "demo")
{2: [150]}
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np

from nasnb.exceptions import BenchmarkError

__all__ = [
    "MAX_RECORD_BYTES",
    "crc32c",
    "masked_crc32c",
    "iter_tfrecords",
    "decode_protobuf",
    "parse_model_metrics",
    "prune_spec",
    "hash_module",
]


def _make_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data`` -- the checksum TFRecord frames use."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 and add ``0xa282ead8``."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


#: Largest TFRecord frame accepted (bytes); NAS-Bench-101 records take about 1 KB.
MAX_RECORD_BYTES = 1 << 20


def _stream_size(fh: BinaryIO) -> int | None:
    try:
        here = fh.tell()
        end = fh.seek(0, 2)
        fh.seek(here)
        return end - here
    except (OSError, AttributeError, ValueError):
        return None


def iter_tfrecords(
    fh: BinaryIO, name: str, *, verify_data: bool = False, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(record index, data)`` of every frame of a TFRecord stream.

    The length checksum is always verified, and the announced length is checked against
    ``max_record_bytes`` and against what is left of the file *before* anything is read
    (a frame that claims 2**40 bytes is refused, not allocated). The data checksum is
    verified when ``verify_data`` (pure-Python CRC32C runs at a few MB/s, so it is off by
    default for the 2 GB file).

    Examples
    --------
    >>> import io
    >>> list(iter_tfrecords(io.BytesIO(b""), "empty.tfrecord"))
    []
    """
    index = 0
    offset = 0
    left = _stream_size(fh)
    while True:
        header = fh.read(12)
        if not header:
            return
        if len(header) < 12:
            raise BenchmarkError(
                f"{name}: record {index} at byte {offset}: truncated frame header "
                f"({len(header)} of 12 bytes); the file was cut short."
            )
        length, length_crc = struct.unpack("<QI", header)
        if masked_crc32c(header[:8]) != length_crc:
            raise BenchmarkError(
                f"{name}: record {index} at byte {offset}: bad length checksum (not a TFRecord file?)."
            )
        if length > max_record_bytes:
            raise BenchmarkError(
                f"{name}: record {index} at byte {offset}: announces {length} bytes, more than the "
                f"limit of {max_record_bytes} bytes for one record; the file is corrupt or not "
                "NAS-Bench-101 data."
            )
        if left is not None and 16 + length > left - offset:
            raise BenchmarkError(
                f"{name}: record {index} at byte {offset}: truncated record ({length} bytes "
                f"announced, {max(0, left - offset - 16)} left in the file)."
            )
        data = fh.read(length)
        footer = fh.read(4)
        if len(data) < length or len(footer) < 4:
            raise BenchmarkError(
                f"{name}: record {index} at byte {offset}: truncated record ({length} bytes announced)."
            )
        if verify_data and masked_crc32c(data) != struct.unpack("<I", footer)[0]:
            raise BenchmarkError(f"{name}: record {index} at byte {offset}: bad data checksum.")
        yield index, data
        index += 1
        offset += 16 + length


def _varint(buf: bytes, pos: int, where: str) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise BenchmarkError(f"{where}: truncated or overlong varint in protobuf.")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def decode_protobuf(buf: bytes, where: str) -> dict[int, list]:
    """Decode one protobuf message into ``{field number: [values]}`` (wire level).

    Varints become ints, 64-bit fields floats (doubles), 32-bit fields floats, and
    length-delimited fields bytes (decode nested messages with another call).
    """
    out: dict[int, list] = {}
    pos, n = 0, len(buf)
    value: Any
    while pos < n:
        tag, pos = _varint(buf, pos, where)
        field, wire = tag >> 3, tag & 7
        if field == 0:
            raise BenchmarkError(f"{where}: protobuf field number 0 is invalid.")
        if wire == 0:
            value, pos = _varint(buf, pos, where)
        elif wire == 1:
            if pos + 8 > n:
                raise BenchmarkError(f"{where}: truncated 64-bit protobuf field {field}.")
            value = struct.unpack_from("<d", buf, pos)[0]
            pos += 8
        elif wire == 2:
            size, pos = _varint(buf, pos, where)
            if pos + size > n:
                raise BenchmarkError(f"{where}: truncated length-delimited protobuf field {field}.")
            value = bytes(buf[pos : pos + size])
            pos += size
        elif wire == 5:
            if pos + 4 > n:
                raise BenchmarkError(f"{where}: truncated 32-bit protobuf field {field}.")
            value = struct.unpack_from("<f", buf, pos)[0]
            pos += 4
        else:
            raise BenchmarkError(f"{where}: unsupported protobuf wire type {wire} (field {field}).")
        out.setdefault(field, []).append(value)
    return out


_EVAL_FIELDS = {
    1: "current_epoch",
    2: "training_time",
    3: "train_accuracy",
    4: "validation_accuracy",
    5: "test_accuracy",
}


def parse_model_metrics(buf: bytes, where: str) -> dict[str, Any]:
    """``ModelMetrics`` protobuf → ``{"evaluation_data": [dict, ...], "trainable_parameters": int}``."""
    msg = decode_protobuf(buf, where)
    evaluations = []
    for i, raw in enumerate(msg.get(1, [])):
        if not isinstance(raw, bytes):
            raise BenchmarkError(f"{where}: evaluation_data[{i}] is not a message.")
        fields = decode_protobuf(raw, f"{where} evaluation_data[{i}]")
        entry = {}
        for num, label in _EVAL_FIELDS.items():
            if num in fields:
                value = fields[num][-1]
                if not isinstance(value, float):
                    raise BenchmarkError(f"{where}: evaluation_data[{i}].{label} is not a double.")
                entry[label] = value
        evaluations.append(entry)
    params = msg.get(2, [0])[-1]
    if not isinstance(params, int):
        raise BenchmarkError(f"{where}: trainable_parameters is not an integer.")
    if params >= 2**63:  # negative int32 as varint
        params -= 2**64
    return {"evaluation_data": evaluations, "trainable_parameters": params}


def prune_spec(matrix: np.ndarray, ops: list[str]) -> tuple[np.ndarray, list[str]] | None:
    """Remove vertices on no input → output path, as the official ``ModelSpec`` does.

    Returns ``None`` when the input does not reach the output.

    Examples
    --------
    >>> m = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    >>> pm, pops = prune_spec(m, ["input", "a", "b", "output"])
    >>> pm.tolist(), pops
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ['input', 'a', 'output'])
    """
    n = matrix.shape[0]
    fwd, frontier = {0}, [0]
    while frontier:
        top = frontier.pop()
        for v in range(top + 1, n):
            if matrix[top, v] and v not in fwd:
                fwd.add(v)
                frontier.append(v)
    bwd, frontier = {n - 1}, [n - 1]
    while frontier:
        top = frontier.pop()
        for v in range(top):
            if matrix[v, top] and v not in bwd:
                bwd.add(v)
                frontier.append(v)
    keep = sorted(fwd & bwd)
    if len(keep) < 2 or keep[0] != 0 or keep[-1] != n - 1:
        return None
    return matrix[np.ix_(keep, keep)], [ops[i] for i in keep]


def hash_module(matrix: np.ndarray, labeling: list[int]) -> str:
    """The official isomorphism-invariant MD5 module hash of NAS-Bench-101.

    ``labeling`` holds ``-1`` for the input, ``-2`` for the output and the index of each
    op in ``['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3']``. Vertex fingerprints
    start from md5 of ``(out-degree, in-degree, label)`` and are refined ``V`` times with the
    sorted fingerprints of in- and out-neighbours.
    """
    vertices = matrix.shape[0]
    in_edges = [int(x) for x in matrix.sum(axis=0)]
    out_edges = [int(x) for x in matrix.sum(axis=1)]
    hashes = [
        hashlib.md5(str((o, i, lab)).encode("utf-8")).hexdigest() for o, i, lab in zip(out_edges, in_edges, labeling)
    ]
    preds = [[w for w in range(vertices) if matrix[w, v]] for v in range(vertices)]
    succs = [[w for w in range(vertices) if matrix[v, w]] for v in range(vertices)]
    for _ in range(vertices):
        hashes = [
            hashlib.md5(
                (
                    "".join(sorted(hashes[w] for w in preds[v]))
                    + "|"
                    + "".join(sorted(hashes[w] for w in succs[v]))
                    + "|"
                    + hashes[v]
                ).encode("utf-8")
            ).hexdigest()
            for v in range(vertices)
        ]
    return hashlib.md5(str(sorted(hashes)).encode("utf-8")).hexdigest()
