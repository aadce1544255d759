"""Fashion-MNIST IDX and CIFAR-10 batches: bad files are named, declared sizes checked before allocating."""

from __future__ import annotations

import gzip
import os
import pickle

import numpy as np
import pytest

from _hostile import HOSTILE_PICKLES, cifar_amplifying_labels, cifar_batch_bytes, gzip_bomb, idx_bytes

from nasnb.data.images import load_cifar10, load_fashion_mnist, read_idx, write_idx
from nasnb.exceptions import DatasetError

BAD_IDX = [
    ("dims_65536_pow4_overflow", idx_bytes((65536,) * 4, b""), r"announces shape \(65536, 65536, 65536, 65536\)"),
    ("dims_claim_4GB", idx_bytes((2**32 - 1,), b"\x00" * 16), "announces shape"),
    ("bad_magic", b"\x12\x34\x56\x78junk", "bad magic number"),
    ("magic_float_type", idx_bytes((2,), b"\x00" * 8, magic=b"\x00\x00\x0d"), "bad magic number"),
    ("magic_nonzero_first", idx_bytes((2,), b"\x00\x00", magic=b"\x01\x00\x08"), "bad magic number"),
    ("empty_file", b"", "bad magic number empty"),
    ("three_bytes", b"\x00\x00\x08", "bad magic number"),
    ("zero_dims", b"\x00\x00\x08\x00", "0 dimensions"),
    ("255_dims", b"\x00\x00\x08\xff" + b"\x00" * 16, "255 dimensions"),
    ("nine_dims", idx_bytes((1,) * 9), "9 dimensions"),
    ("truncated_header", b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated IDX header"),
    ("truncated_data", idx_bytes((2, 28, 28))[:-2], "holds 1566 data bytes"),
    ("trailing_data", idx_bytes((2, 28, 28)) + b"\x00", "holds 1569 data bytes"),
    ("zero_sized_dim_with_data", idx_bytes((0, 28), b"\x00"), "holds 1 data bytes"),
]


@pytest.mark.parametrize("label, data, match", BAD_IDX, ids=[b[0] for b in BAD_IDX])
def test_bad_idx_is_named(tmp_path, label, data, match):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(data)
    with pytest.raises(DatasetError, match=f"train-images-idx3-ubyte: .*{match}"):
        read_idx(str(path))


BAD_IDX_GZ = [
    ("gzip_bomb", gzip_bomb(), "decompresses to more than"),
    ("truncated_gzip", gzip.compress(idx_bytes((3, 28, 28)))[:-12], "truncated gzip"),
    ("not_gzip", b"not gzip at all", "not valid gzip"),
    ("gzip_of_bad_idx", gzip.compress(idx_bytes((65536,) * 4, b"")), "announces shape"),
]


@pytest.mark.parametrize("label, data, match", BAD_IDX_GZ, ids=[b[0] for b in BAD_IDX_GZ])
def test_bad_gzipped_idx_is_named(tmp_path, label, data, match):
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(data)
    with pytest.raises(DatasetError, match=match):
        read_idx(str(path))


def test_idx_directory_and_missing_paths(tmp_path):
    (tmp_path / "d-idx3-ubyte").mkdir()
    with pytest.raises(DatasetError, match="is a directory"):
        read_idx(str(tmp_path / "d-idx3-ubyte"))
    with pytest.raises(DatasetError, match="no such file"):
        read_idx(str(tmp_path / "missing"))


def test_fashion_mnist_images_must_be_28x28(tmp_path):
    rng = np.random.default_rng(0)
    write_idx(str(tmp_path / "train-images-idx3-ubyte"), rng.integers(0, 255, (3, 8, 8), dtype=np.uint8))
    write_idx(str(tmp_path / "train-labels-idx1-ubyte"), np.zeros(3, np.uint8))
    write_idx(str(tmp_path / "t10k-images-idx3-ubyte"), np.zeros((2, 28, 28), np.uint8))
    write_idx(str(tmp_path / "t10k-labels-idx1-ubyte"), np.zeros(2, np.uint8))
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte: 3 images of shape \(8, 8\)"):
        load_fashion_mnist(str(tmp_path))


def _cifar_dir(tmp_path, bad: bytes | None, stem="data_batch_3"):
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    for s in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        (d / s).write_bytes(cifar_batch_bytes())
    if bad is not None:
        (d / stem).write_bytes(bad)
    return d


BAD_CIFAR = [
    ("labels_amplify_0.4MB_to_3GB", cifar_amplifying_labels(), "'labels' must be a list of ints"),
    ("labels_strings", cifar_batch_bytes(labels=["1", "2", "3", "4"]), "'labels' must be a list of ints"),
    ("labels_floats", cifar_batch_bytes(labels=[1.0, 2.0, 3.0, 4.0]), "'labels' must be a list of ints"),
    ("labels_bools", cifar_batch_bytes(labels=[True] * 4), "'labels' must be a list of ints"),
    ("labels_nested", cifar_batch_bytes(labels=[[1]] * 4), "'labels' must be a list of ints"),
    ("labels_dict", cifar_batch_bytes(labels={0: 1}), "'labels' must be a list of ints"),
    ("labels_float_array", cifar_batch_bytes(labels=np.zeros(4)), "float64 array"),
    ("labels_2d_array", cifar_batch_bytes(labels=np.zeros((4, 1), np.int64)), "shape"),
    ("labels_out_of_range", cifar_batch_bytes(labels=[0, 1, 2, 10]), "label 10 is outside 0..9"),
    ("labels_negative", cifar_batch_bytes(labels=[0, -1, 2, 3]), "label -1 is outside 0..9"),
    ("labels_huge_int", cifar_batch_bytes(labels=[0, 1, 2, 10**30]), "outside 0..9"),
    ("labels_count_mismatch", cifar_batch_bytes(labels=[1, 2, 3]), "4 images but 3 labels"),
    ("data_list", cifar_batch_bytes(data=[[0] * 3072] * 4), "'data' must be a uint8 array"),
    ("data_bytes", cifar_batch_bytes(data=b"\x00" * 3072 * 4), "'data' must be a uint8 array"),
    ("data_float", cifar_batch_bytes(data=np.zeros((4, 3072))), "float64 array of shape"),
    ("data_wrong_width", cifar_batch_bytes(data=np.zeros((4, 3000), np.uint8)), r"\(4, 3000\)"),
    ("data_3d", cifar_batch_bytes(data=np.zeros((4, 3, 1024), np.uint8)), r"\(4, 3, 1024\)"),
    ("data_missing", cifar_batch_bytes(drop=[b"data"]), "lacks the 'data' or 'labels' entry"),
    ("labels_missing", cifar_batch_bytes(drop=[b"labels"]), "lacks the 'data' or 'labels' entry"),
    ("not_a_dict", pickle.dumps([1, 2, 3], protocol=2), "expected a dict"),
    ("hostile_global", pickle.dumps({b"data": os.system}, protocol=2), "refusing to load global"),
    ("numpy_1.5GB_ndarray", HOSTILE_PICKLES["ndarray_constructor_1.5GB"], "not a valid data pickle"),
    ("reconstruct_big_shape", HOSTILE_PICKLES["reconstruct_big_shape"], "not a valid data pickle"),
    ("set_flood", HOSTILE_PICKLES["empty_set_flood"], "would take about"),
    ("truncated_batch", cifar_batch_bytes()[:5000], "not a valid data pickle"),
    ("empty_file", b"", "not a valid data pickle"),
    ("text_file", b"this is not a pickle\n", "not a valid data pickle"),
]


@pytest.mark.parametrize("label, data, match", BAD_CIFAR, ids=[b[0] for b in BAD_CIFAR])
def test_bad_cifar_python_batch_is_named(tmp_path, label, data, match):
    assert len(data) < 1_000_000
    _cifar_dir(tmp_path, data)
    with pytest.raises(DatasetError, match=f"data_batch_3: .*{match}"):
        load_cifar10(str(tmp_path))


def test_cifar_batch_that_is_a_directory(tmp_path):
    d = _cifar_dir(tmp_path, None)
    (d / "test_batch").unlink()
    (d / "test_batch").mkdir()
    with pytest.raises(DatasetError, match="'test_batch' not found"):
        load_cifar10(str(tmp_path))


BAD_CIFAR_BIN = [
    ("empty", b"", "size 0 bytes"),
    ("one_byte_short", b"\x00" * (3073 * 2 - 1), "size 6145 bytes"),
    ("one_byte_long", b"\x00" * (3073 + 1), "size 3074 bytes"),
    ("label_out_of_range", b"\x0a" + b"\x00" * 3072, "label 10 is outside 0..9"),
    ("label_255", b"\x00" + b"\x00" * 3072 + b"\xff" + b"\x00" * 3072, "label 255 is outside 0..9"),
]


@pytest.mark.parametrize("label, data, match", BAD_CIFAR_BIN, ids=[b[0] for b in BAD_CIFAR_BIN])
def test_bad_cifar_binary_batch_is_named(tmp_path, label, data, match):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    for s in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        (d / f"{s}.bin").write_bytes(b"\x01" + b"\x00" * 3072)
    (d / "data_batch_2.bin").write_bytes(data)
    with pytest.raises(DatasetError, match=f"data_batch_2.bin: {match}"):
        load_cifar10(str(tmp_path))


def test_good_cifar_batch_with_int_array_labels(tmp_path):
    _cifar_dir(tmp_path, cifar_batch_bytes(labels=np.array([1, 2, 3, 4], np.int32)))
    xtr, ytr, _, _ = load_cifar10(str(tmp_path))
    assert ytr[8:12].tolist() == [1, 2, 3, 4] and xtr.dtype == np.uint8 and len(xtr) == 20
