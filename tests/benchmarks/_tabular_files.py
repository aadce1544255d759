"""Writers of small benchmark files in the official formats, independent of nasnb's readers."""

from __future__ import annotations

import base64
import bz2
import json
import pickle
import struct
from collections import OrderedDict

import numpy as np


def crc32c_bitwise(data: bytes) -> int:
    """Bit-by-bit CRC-32C (a different implementation from nasnb's table-driven one)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def masked(data: bytes) -> int:
    crc = crc32c_bitwise(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord_frame(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(length)) + data + struct.pack("<I", masked(data))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _double(field: int, value: float) -> bytes:
    return _varint(field << 3 | 1) + struct.pack("<d", value)


def model_metrics(evals: list[tuple], params: int) -> bytes:
    """Serialize a ModelMetrics protobuf: evals = [(epoch, time, train, valid, test), ...]."""
    out = b""
    for ev in evals:
        msg = b"".join(_double(i + 1, v) for i, v in enumerate(ev)) + _varint(6 << 3 | 2) + _varint(4) + b"ckpt"
        out += _varint(1 << 3 | 2) + _varint(len(msg)) + msg
    return out + _varint(2 << 3 | 0) + _varint(params) + _double(3, 123.0)


def nb101_record(module_hash: str, epochs: int, matrix, ops, final: tuple, params: int = 1000) -> bytes:
    m = np.asarray(matrix)
    raw_adj = "".join(str(int(x)) for x in m.ravel())
    half = tuple(v * 0.5 for v in final)
    evals = [(0.0, 0.0, 0.1, 0.1, 0.1), (epochs / 2, half[0], half[1], half[2], half[3]),
             (float(epochs), final[0], final[1], final[2], final[3])]
    payload = [module_hash, epochs, raw_adj, ",".join(ops), base64.b64encode(model_metrics(evals, params)).decode()]
    return json.dumps(payload).encode("utf-8")


def write_tfrecord(path, records: list[bytes]) -> None:
    with open(path, "wb") as fh:
        for r in records:
            fh.write(tfrecord_frame(r))


def nats_arch_state(arch: str, index: int, seeds=(777, 888, 999), epochs: int = 200, base: float = 80.0) -> dict:
    """An ArchResults state dict as NATS-Bench stores it (OrderedDicts and numpy scalars included)."""
    results = OrderedDict()
    for k, seed in enumerate(seeds):
        for dataset in ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"):
            last = epochs - 1
            names = {"cifar10-valid": ["x-valid", "ori-test"], "cifar10": ["ori-test"]}.get(
                dataset, ["x-valid", "x-test", "ori-test"])
            evals = {f"{n}@{e}": base + k + (1.0 if n == "x-valid" else 0.0) * (e == last) for n in names
                     for e in (0, last)}
            results[(dataset, seed)] = {
                "name": dataset, "seed": f"{seed:04d}", "epochs": epochs, "params": np.float64(0.5 + index / 100),
                "flop": 10.0 + index, "latency": [np.float64(0.01)], "train_acc1es": {e: 90.0 for e in range(epochs)},
                "train_acc5es": None, "train_losses": {e: 0.1 for e in range(epochs)},
                "train_times": OrderedDict((e, 2.0) for e in range(epochs)), "arch_config": {"arch_str": arch},
                "eval_names": names, "eval_acc1es": evals, "eval_times": {}, "eval_losses": {}, "net_state_dict": None,
            }
    return {"arch_index": index, "arch_str": arch, "all_results": results,
            "dataset_seed": {d: list(seeds) for d in ("cifar10-valid",)}, "clear_net_done": True}


def write_nats_dir(directory, archs: list[str], *, missing=()) -> None:
    """A NATS-tss '*-simple' directory: meta + one bz2 pickle per architecture."""
    directory.mkdir(parents=True, exist_ok=True)
    meta = {"meta_archs": archs, "total_archs": len(archs), "arch2infos": None, "evaluated_indexes": set()}
    (directory / "meta.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps(meta)))
    for i, arch in enumerate(archs):
        if i in missing:
            continue
        data = OrderedDict([("12", nats_arch_state(arch, i, seeds=(111,), epochs=12, base=50.0 + i)),
                            ("200", nats_arch_state(arch, i, base=80.0 + i))])
        (directory / f"{i:06d}.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps(data)))
