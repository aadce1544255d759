"""Builders of hostile and malformed inputs shared by the hardening, fuzz and peak-RSS tests.

Every builder writes bytes by hand (opcodes, frames, headers), independently of nasnb's
readers, so a test can fail when a reader accepts what it should refuse.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import pickle
import struct
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _tabular_files import model_metrics, nats_arch_state, tfrecord_frame  # noqa: E402

__all__ = ["model_metrics", "nats_arch_state", "tfrecord_frame", "HOSTILE_PICKLES", "cifar_batch_bytes",
           "tfrecord_length_bomb", "idx_bytes", "bz2_bomb", "gzip_bomb", "nb101_payload", "nb201_doc", "NB201_ARCH",
           "good_descriptor_doc", "good_genome_doc", "raw_pickle"]

NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def raw_pickle(*parts: bytes, proto: int = 2) -> bytes:
    """A pickle from raw opcode bytes: PROTO, the parts, STOP."""
    return bytes([0x80, proto]) + b"".join(parts) + b"."


def _u(text: str) -> bytes:  # BINUNICODE
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


_SHAPE_1_5GB = b"J" + struct.pack("<i", 200_000_000) + b"\x85"  # (200_000_000,) as a 1-tuple

#: name -> a pickle that nasnb's restricted unpickler must refuse (each < 1 MB)
HOSTILE_PICKLES: dict[str, bytes] = {
    # the 240-byte pickle: numpy.ndarray((200_000_000,), "f8") = 1.6 GB uninitialised
    "ndarray_constructor_1.5GB": raw_pickle(_global("numpy", "ndarray"), b"(", _SHAPE_1_5GB, _u("f8"), b"tR"),
    "reconstruct_big_shape": raw_pickle(_global("numpy.core.multiarray", "_reconstruct"), _global("numpy", "ndarray"),
                                        _SHAPE_1_5GB, b"C\x01b\x87R"),
    "reconstruct_other_class": raw_pickle(_global("numpy.core.multiarray", "_reconstruct"),
                                          _global("numpy", "dtype"), b"K\x00\x85C\x01b\x87R"),
    "setstate_shape_larger_than_data": raw_pickle(
        _global("numpy._core.multiarray", "_reconstruct"), _global("numpy", "ndarray"), b"K\x00\x85C\x01b\x87R",
        b"(K\x01", _SHAPE_1_5GB, _global("numpy", "dtype"), _u("u1"), b"\x89\x88\x87R", b"\x89C\x03abct", b"b"),
    "setstate_object_dtype": raw_pickle(
        _global("numpy._core.multiarray", "_reconstruct"), _global("numpy", "ndarray"), b"K\x00\x85C\x01b\x87R",
        b"(K\x01K\x02\x85", _global("numpy", "dtype"), _u("O8"), b"\x89\x88\x87R", b"\x89]K\x01aK\x02at", b"b"),
    "dtype_with_fields_state": raw_pickle(
        _global("numpy", "dtype"), _u("f8"), b"\x89\x88\x87R",
        b"(K\x03", _u("|"), b"N(", _u("a"), b"tN", b"J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"),
    "dtype_void_code": raw_pickle(_global("numpy", "dtype"), _u("V1048576"), b"\x89\x88\x87R"),
    "dtype_unicode": raw_pickle(_global("numpy", "dtype"), _u("U8"), b"\x89\x88\x87R"),
    "frombuffer_size_mismatch": raw_pickle(_global("numpy._core.numeric", "_frombuffer"), b"(C\x03abc",
                                           _global("numpy", "dtype"), _u("f8"), b"\x89\x88\x87R", _SHAPE_1_5GB,
                                           _u("C"), b"tR", proto=5),
    "os_system": raw_pickle(_global("os", "system"), _u("echo pwned"), b"\x85R"),
    "posix_system": raw_pickle(_global("posix", "system"), _u("echo pwned"), b"\x85R"),
    "builtins_eval": raw_pickle(_global("builtins", "eval"), _u("1+1"), b"\x85R"),
    "builtins_getattr": raw_pickle(_global("builtins", "getattr"), b"(K\x00", _u("real"), b"tR"),
    "subprocess_popen": raw_pickle(_global("subprocess", "Popen"), _u("ls"), b"\x85R"),
    "numpy_load": raw_pickle(_global("numpy", "load"), _u("x.npy"), b"\x85R"),
    "numpy_frombuffer_public": raw_pickle(_global("numpy", "frombuffer"), b"C\x01a\x85R"),
    "bytes_of_huge_size": raw_pickle(_global("builtins", "bytes"), b"J\x00\x00\x00\x40\x85R"),
    "codecs_encode_other_codec": raw_pickle(_global("_codecs", "encode"), _u("abc"), _u("rot13"), b"\x86R"),
    "codecs_decode": raw_pickle(_global("_codecs", "decode"), b"C\x03abc", _u("zlib"), b"\x86R"),
    "memo_index_bomb": raw_pickle(b"]r\xff\xff\xff\x7f"),
    "memo_index_text_bomb": raw_pickle(b"]p99999999999\n", proto=0)[2:],
    "empty_set_flood": raw_pickle(b"](", b"\x8f" * 900_000, b"e", proto=4),
    "empty_dict_flood": raw_pickle(b"](", b"}" * 900_000, b"e", proto=4),
    "frame_longer_than_data": raw_pickle(b"\x95" + struct.pack("<Q", 1 << 40), b"N", proto=4),
    "binbytes8_claims_1TB": raw_pickle(b"\x8e" + struct.pack("<Q", 1 << 40) + b"abc", proto=4),
    "binunicode_claims_4GB": raw_pickle(b"X\xff\xff\xff\xffabc"),
    "persistent_id": raw_pickle(_u("pid"), b"Q"),
    "persistent_id_text": b"Pabc\n.",
    "inst_opcode": b"(ios\nsystem\nS'echo pwned'\n.",
    "obj_opcode": raw_pickle(b"(", _global("os", "system"), _u("x"), b"o"),
    "newobj_opcode": raw_pickle(_global("collections", "OrderedDict"), b")\x81"),
    "ext1_opcode": raw_pickle(b"\x82\x01"),
    "next_buffer": raw_pickle(b"\x97", proto=5),
    "unknown_opcode": raw_pickle(b"\xff"),
    "truncated": pickle.dumps({"a": list(range(100))}, protocol=2)[:-20],
    "empty": b"",
    "stack_underflow": raw_pickle(b"a"),
    "long_int_text_line": b"I" + b"9" * 5000 + b"\n.",
    "ordereddict_with_args": raw_pickle(_global("collections", "OrderedDict"), _u("abc"), b"\x85R"),
    "set_of_huge_range": raw_pickle(_global("builtins", "set"), _global("builtins", "range"), b"J\xff\xff\xff\x7f\x85R\x85R"),
    "scalar_wrong_payload": raw_pickle(_global("numpy.core.multiarray", "scalar"), _global("numpy", "dtype"),
                                       _u("f8"), b"\x89\x88\x87R", b"C\x03abc\x86R"),
    "scalar_object_dtype": raw_pickle(_global("numpy.core.multiarray", "scalar"), _global("numpy", "dtype"),
                                      _u("O8"), b"\x89\x88\x87R", b"N\x86R"),
    "build_on_dict": raw_pickle(b"}}b"),
    "array_state_set_twice": raw_pickle(
        _global("numpy._core.multiarray", "_reconstruct"), _global("numpy", "ndarray"), b"K\x00\x85C\x01b\x87R",
        b"(K\x01K\x01\x85", _global("numpy", "dtype"), _u("u1"), b"\x89\x88\x87R", b"\x89C\x01at", b"b",
        b"(K\x01K\x01\x85", _global("numpy", "dtype"), _u("u1"), b"\x89\x88\x87R", b"\x89C\x01at", b"b"),
    "array_placeholder_without_data": raw_pickle(
        _global("numpy._core.multiarray", "_reconstruct"), _global("numpy", "ndarray"), b"K\x00\x85C\x01b\x87R"),
    "placeholder_as_dict_key": raw_pickle(
        b"}", _global("numpy._core.multiarray", "_reconstruct"), _global("numpy", "ndarray"), b"K\x00\x85C\x01b\x87R",
        b"K\x01s"),
    "array_too_many_dims": raw_pickle(
        _global("numpy._core.multiarray", "_reconstruct"), _global("numpy", "ndarray"), b"K\x00\x85C\x01b\x87R",
        b"(K\x01(" + b"K\x01" * 40 + b"t", _global("numpy", "dtype"), _u("u1"), b"\x89\x88\x87R", b"\x89C\x01at",
        b"b"),
}


def cifar_batch_bytes(data=None, labels=None, *, n: int = 4, protocol: int = 2, drop=(), extra=None) -> bytes:
    """A CIFAR-10 python batch pickle (valid unless arguments say otherwise)."""
    rng = np.random.default_rng(0)
    batch = {b"batch_label": b"training batch",
             b"labels": rng.integers(0, 10, n).tolist() if labels is None else labels,
             b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8) if data is None else data,
             b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
    for key in drop:
        batch.pop(key)
    batch.update(extra or {})
    return pickle.dumps(batch, protocol=protocol)


def cifar_amplifying_labels(size: int = 300_000, copies: int = 10_000) -> bytes:
    """The issue's 0.4 MB batch: 'labels' holds one 300 kB bytes object referenced 10,000 times;
    ``np.asarray(labels)`` would make a 3 GB array."""
    big = b"x" * size
    return cifar_batch_bytes(labels=[big] * copies)


def idx_bytes(dims, data: bytes | None = None, *, magic: bytes = b"\x00\x00\x08") -> bytes:
    header = magic + bytes([len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return header + (bytes(int(np.prod(dims, dtype=object))) if data is None else data)


def tfrecord_length_bomb(length: int = 1 << 40) -> bytes:
    """A TFRecord frame whose (correctly checksummed) length claims ``length`` bytes."""
    head = struct.pack("<Q", length)
    from _tabular_files import masked

    return head + struct.pack("<I", masked(head)) + b"{}" + b"\x00" * 4


#: ``bz2.compress(bytes(2**30), 9)``: the issue's 785-byte NATS file that decompresses to 1 GiB
#: (stored: compressing 1 GiB takes 18 s).
_BZ2_BOMB = base64.b64decode(
    "QlpoOTFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kO"
    "CeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAA"
    "CCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWp"
    "CoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J"
    "4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAI"
    "IAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakK"
    "gJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni"
    "3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAgg"
    "ADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqA"
    "lzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1lIfF/J"
    "AIpSyADAAAAEAAggADDMBSmmkSJDYUSJDxdyRThQkPaI5AI=")


def bz2_bomb() -> bytes:
    """785 bytes of bz2 that decompress to 1 GiB of zeros."""
    return _BZ2_BOMB


def gzip_bomb(size: int = 48 << 20) -> bytes:
    """About 48 kB of gzip that decompress to ``size`` zero bytes (above the 32 MiB floor of every cap)."""
    return _gzip_bomb(size)


@functools.lru_cache(maxsize=4)
def _gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"\x00" * size, 9)


def nb101_payload(module_hash="0" * 32, epochs=108, adj="0110000000000000", ops="input,conv3x3-bn-relu,maxpool3x3,output",
                  metrics=None, params=1000) -> bytes:
    if metrics is None:
        evals = [(0.0, 0.0, 0.1, 0.1, 0.1), (54.0, 1.0, 0.5, 0.5, 0.5), (108.0, 2.0, 0.9, 0.9, 0.9)]
        metrics = base64.b64encode(model_metrics(evals, params)).decode()
    return json.dumps([module_hash, epochs, adj, ops, metrics]).encode()


def nb201_doc(run_overrides=None, *, hp="200", dataset="cifar10-valid", arch=NB201_ARCH) -> dict:
    run = {"seed": 777, "epochs": 200, "params": 0.5, "flops": 10.0, "latency": 0.01, "train_accuracy": 90.0,
           "valid_accuracy": 85.0, "test_accuracy": 84.0, "train_time": 400.0}
    run.update(run_overrides or {})
    return {"format": "nasnb-nb201", "version": 1, "archs": {arch: {hp: {dataset: [run]}}}}


def good_descriptor_doc() -> dict:
    return {"format": "nasnb.descriptor", "schema_version": 1, "name": "cell",
            "layers": [{"name": "a", "type": "nn.Conv2d", "params": {"out_channels": 4, "kernel_size": 3}},
                       {"name": "b", "type": "nn.ReLU", "params": {}},
                       {"name": "c", "type": "nn.MaxPool2d", "params": {"kernel_size": 2}}],
            "connections": [["a", "b"], ["b", "c"], ["a", "c"]], "input": None, "output": None}


def good_genome_doc() -> dict:
    return {"format": "nasnb.genome", "schema_version": 1,
            "layers": [{"innovation": 1, "type": "CONV_3.N", "params": {}}],
            "connections": [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True]],
            "hyperparameters": [[4, "readout", "mean"]]}
