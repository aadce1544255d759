"""Small benchmark files written by the benchmark scripts themselves (no downloads, no tests/).

* :func:`write_nb101` -- a NAS-Bench-101 TFRecord (``nasbench_full`` layout: budgets 4/12/36/108,
  three runs each) of a few cells, framed and checksummed with nasnb's own CRC-32C;
* :func:`write_nb201` -- a NAS-Bench-201 file in nasnb's JSON format
  (:func:`nasnb.benchmarks.nb201_format.write_nb201_json`).

Numbers in these files are synthetic (deterministic functions of the cell); the scripts use
them to time queries, never to report accuracies.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np

from nasnb.benchmarks.nb101_format import hash_module, masked_crc32c
from nasnb.benchmarks.nb201_format import write_nb201_json

NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
#: (matrix, ops) of the cells of the small NAS-Bench-101 file
NB101_CELLS = [
    ([[0, 1], [0, 0]], ["input", "output"]),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"]),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "maxpool3x3", "output"]),
    ([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "output"]),
    ([[0, 1, 0, 0, 1], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
     ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "output"]),
]
NB201_ARCHS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|",
]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _double(field: int, value: float) -> bytes:
    return _varint(field << 3 | 1) + struct.pack("<d", value)


def _model_metrics(evals: list[tuple], params: int) -> bytes:
    """A ModelMetrics protobuf: evals = [(epoch, training time, train, valid, test), ...]."""
    out = b""
    for ev in evals:
        msg = b"".join(_double(i + 1, v) for i, v in enumerate(ev)) + _varint(6 << 3 | 2) + _varint(4) + b"ckpt"
        out += _varint(1 << 3 | 2) + _varint(len(msg)) + msg
    return out + _varint(2 << 3 | 0) + _varint(params) + _double(3, 123.0)


def _frame(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


def write_nb101(path: Path) -> Path:
    """A NAS-Bench-101 TFRecord of :data:`NB101_CELLS` (training time 10 s per epoch + run)."""
    with open(path, "wb") as fh:
        for c, (matrix, ops) in enumerate(NB101_CELLS):
            labels = [-1] + [NB101_OPS.index(o) for o in ops[1:-1]] + [-2]
            module_hash = hash_module(np.asarray(matrix), labels)
            for epochs in (4, 12, 36, 108):
                for run in range(3):
                    final = (10.0 * epochs + run, 0.5 + 0.01 * c, 0.6 + 0.01 * c + 0.001 * run, 0.55 + 0.01 * c)
                    half = tuple(v * 0.5 for v in final)
                    evals = [(0.0, 0.0, 0.1, 0.1, 0.1), (epochs / 2,) + half, (float(epochs),) + final]
                    raw_adj = "".join(str(int(x)) for x in np.asarray(matrix).ravel())
                    payload = [module_hash, epochs, raw_adj, ",".join(ops),
                               base64.b64encode(_model_metrics(evals, 1000 + c)).decode()]
                    fh.write(_frame(json.dumps(payload).encode("utf-8")))
    return path


def write_nb201(path: Path) -> Path:
    """A NAS-Bench-201 JSON file of :data:`NB201_ARCHS` on cifar10-valid (three seeds, 200 epochs)."""
    archs = {}
    for i, arch in enumerate(NB201_ARCHS):
        runs = [{"seed": seed, "epochs": 200, "params": 0.5 + i / 100, "flops": 10.0 + i, "latency": 0.01,
                 "train_accuracy": 90.0, "valid_accuracy": 80.0 + i + k, "test_accuracy": 79.0 + i + k,
                 "train_time": 400.0 + 10 * i + k} for k, seed in enumerate((777, 888, 999))]
        archs[arch] = {"200": {"cifar10-valid": runs}}
    write_nb201_json(str(path), archs)
    return path
