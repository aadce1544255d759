"""Readers of the official raw formats (written here in miniature) and the real activity files."""

import gzip
import os
import pickle
import shutil

import numpy as np
import pytest

from nasnb.data import default_datasets, load_splits
from nasnb.data.activity import load_activity_recognition, read_activity_file
from nasnb.data.images import load_cifar10, load_fashion_mnist, write_idx
from nasnb.data.safe_pickle import safe_load
from nasnb.exceptions import DatasetError

ACTIVITY_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "activity_recognition")
ACTIVITY_DIR = os.path.normpath(ACTIVITY_DIR)


def _write_fashion(root, n_train=12, n_test=5, gz=True):
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    for stem, arr in arrays.items():
        write_idx(os.path.join(root, stem + suffix), arr)
    return arrays


def test_fashion_mnist_idx_round_trip(tmp_path):
    arrays = _write_fashion(str(tmp_path))
    xtr, ytr, xte, yte = load_fashion_mnist(str(tmp_path))
    assert xtr.shape == (12, 1, 28, 28) and xtr.dtype == np.uint8
    assert np.array_equal(xtr[:, 0], arrays["train-images-idx3-ubyte"])
    assert np.array_equal(yte, arrays["t10k-labels-idx1-ubyte"])
    reg = default_datasets(tmp_path)
    splits = load_splits("fashion-mnist", registry=reg, validation=0.0, batch_size=4)
    xb, _ = next(iter(splits.test))
    assert xb.dtype.is_floating_point and float(xb.max()) <= 1.0  # uint8 scaled per batch


def test_fashion_mnist_malformed_and_missing_files_are_named(tmp_path):
    _write_fashion(str(tmp_path), gz=False)
    bad = tmp_path / "t10k-labels-idx1-ubyte"
    bad.write_bytes(bad.read_bytes()[:-2])  # truncated
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte: IDX header announces"):
        load_fashion_mnist(str(tmp_path))
    bad.write_bytes(b"\x12\x34\x56\x78junk")
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte: not an unsigned-byte IDX file"):
        load_fashion_mnist(str(tmp_path))
    bad.unlink()
    with pytest.raises(DatasetError, match=r"'t10k-labels-idx1-ubyte\[\.gz\]' not found.*fashion-mnist"):
        load_fashion_mnist(str(tmp_path))
    with pytest.raises(DatasetError, match="needs a root directory"):
        load_splits("fashion-mnist", registry=default_datasets())


def _cifar_batch(n, seed):
    rng = np.random.default_rng(seed)
    return {b"batch_label": b"training batch", b"labels": rng.integers(0, 10, n).tolist(),
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            b"filenames": [f"img_{i}.png".encode() for i in range(n)]}


def test_cifar10_python_pickles_are_read_without_pickle_load(tmp_path):
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    batches = {}
    for i, stem in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        batches[stem] = _cifar_batch(4, i)
        with open(d / stem, "wb") as f:
            pickle.dump(batches[stem], f, protocol=2)
    xtr, ytr, xte, yte = load_cifar10(str(tmp_path))
    assert xtr.shape == (20, 3, 32, 32) and xte.shape == (4, 3, 32, 32)
    assert np.array_equal(xtr[:4].reshape(4, -1), batches["data_batch_1"][b"data"])
    assert yte.tolist() == batches["test_batch"][b"labels"]


def test_cifar10_binary_version_and_bad_record_size(tmp_path):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    rng = np.random.default_rng(1)
    records = {}
    for stem in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        rec = rng.integers(0, 256, (3, 3073), dtype=np.uint8)
        rec[:, 0] %= 10
        records[stem] = rec
        (d / f"{stem}.bin").write_bytes(rec.tobytes())
    xtr, ytr, xte, yte = load_cifar10(str(tmp_path))
    assert xtr.shape == (15, 3, 32, 32) and ytr.tolist()[:3] == records["data_batch_1"][:, 0].tolist()
    assert np.array_equal(xte.reshape(3, -1), records["test_batch"][:, 1:])
    (d / "data_batch_3.bin").write_bytes(b"\x00" * 100)
    with pytest.raises(DatasetError, match=r"data_batch_3\.bin: size 100 bytes"):
        load_cifar10(str(tmp_path))
    (d / "test_batch.bin").unlink()
    (d / "data_batch_3.bin").write_bytes(records["data_batch_3"].tobytes())
    with pytest.raises(DatasetError, match="'test_batch.bin' not found"):
        load_cifar10(str(tmp_path))


class _Hostile:
    def __reduce__(self):
        return (os.system, ("echo pwned > hacked.txt",))


def test_hostile_pickle_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    for stem in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        with open(d / stem, "wb") as f:
            pickle.dump(_cifar_batch(2, 0), f, protocol=2)
    with open(d / "data_batch_2", "wb") as f:
        pickle.dump({b"data": _Hostile(), b"labels": [0]}, f, protocol=2)
    with pytest.raises(DatasetError, match=r"data_batch_2: refusing to load global '(posix|nt)\.system'"):
        load_cifar10(str(tmp_path))
    assert not (tmp_path / "hacked.txt").exists()
    # a numpy _reconstruct call with another class is refused too
    evil = (b"\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\ndtype\nq\x01K\x00\x85q\x02"
            b"C\x01bq\x03\x87q\x04Rq\x05.")
    with pytest.raises(DatasetError, match="evil: not a valid data pickle"):
        import io

        safe_load(io.BytesIO(evil), name="evil")


def test_activity_recognition_real_files():
    if not os.path.isdir(ACTIVITY_DIR):
        pytest.skip(f"shared activity files not at {ACTIVITY_DIR}")
    x, y = read_activity_file(os.path.join(ACTIVITY_DIR, "3.csv"))
    assert x.shape[1:] == (3, 52) and x.dtype == np.float32 and set(np.unique(y)) <= set(range(7))
    assert len(y) > 1000 and len(np.unique(y)) == 7
    xtr, ytr, xte, yte = load_activity_recognition(ACTIVITY_DIR, participants=[2, 3], test_participants=[3])
    assert len(xte) == len(y) and abs(float(xtr.mean())) < 1e-3  # standardised with training statistics
    reg = default_datasets()
    reg.configure("activity_recognition", root=ACTIVITY_DIR, participants=[3])
    splits = load_splits("activity_recognition", registry=reg, validation=0.0)
    n = len(splits.train_tensors[0]) + len(splits.test_tensors[0])
    assert n == len(y) and splits.test_tensors[0].shape[1:] == (3, 52)
    assert abs(len(splits.test_tensors[0]) / n - 0.2) < 0.01


def test_activity_recognition_bad_lines_name_file_and_line(tmp_path):
    good = "".join(f"{i},{1900 + i % 5},2300,2000,{1 if i < 60 else 0}\n" for i in range(120))
    path = tmp_path / "4.csv"
    path.write_text(good)
    x, y = read_activity_file(str(path), window=10, stride=5)
    assert x.shape == (11, 3, 10) and set(y.tolist()) == {0}  # label-0 rows dropped
    lines = good.splitlines(keepends=True)
    for bad, pattern in [("7,1,2,3\n", "expected 5 comma-separated fields"),
                         ("7,1,2,3,4,5\n", "expected 5 comma-separated fields"),
                         ("7,abc,2,3,1\n", "non-numeric value"),
                         ("7,1,2,3,9\n", "label '9' is not an integer in 0..7")]:
        path.write_text("".join(lines[:6] + [bad] + lines[7:]))
        with pytest.raises(DatasetError, match=rf"4\.csv, line 7: {pattern}"):
            read_activity_file(str(path))
    with pytest.raises(DatasetError, match="does not exist"):
        load_activity_recognition(str(tmp_path / "nowhere"))
    shutil.rmtree(tmp_path)


def test_gz_reader_accepts_torchvision_layout(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    _write_fashion(str(raw))
    assert load_fashion_mnist(str(tmp_path))[0].shape == (12, 1, 28, 28)
    with gzip.open(raw / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(b"")
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz: not an unsigned-byte IDX"):
        load_fashion_mnist(str(tmp_path))
