"""Fuzzing every reader of user input: only nasnb errors escape, nothing hangs, memory stays bounded."""

from __future__ import annotations

import bz2
import copy
import gzip
import json
import pickle
import resource
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _hostile import (NB201_ARCH, cifar_batch_bytes, good_descriptor_doc, good_genome_doc, nats_arch_state,
                      nb101_payload, nb201_doc, tfrecord_frame)

from nasnb._safe_pickle import safe_load
from nasnb.benchmarks import NASBench101
from nasnb.benchmarks.nb201_format import read_nats_arch, read_nats_meta, read_nb201_json
from nasnb.data.activity import load_activity_recognition, read_activity_file
from nasnb.data.images import load_cifar10, read_idx
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import NasnbError
from nasnb.genomes import Genome, genome_invalid_reason

pytestmark = pytest.mark.timeout(120)

#: Largest growth of the process' peak RSS one reader call may cause (MB).
MEMORY_LIMIT_MB = 200

# ----------------------------------------------------------------------------- strategies
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                         st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                   st.dictionaries(st.text(max_size=8), inner,
                                                                                   max_size=4)), max_leaves=12)


def _paths(value, prefix=()):
    """Every (path, container) position inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated_document(draw, base_factory):
    """A valid document with 1-3 mutations: replace a value, drop a key / item, add a key."""
    doc = copy.deepcopy(base_factory())
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return doc


@st.composite
def mutated_bytes(draw, base: bytes):
    """``base`` with byte flips, insertions, deletions and truncation."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif action == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del data[pos:pos + draw(st.integers(1, 16))]
        else:
            del data[pos:]
    return bytes(data)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _must_be_nasnb(fn, *args, **kwargs):
    """Run a reader: a nasnb error is fine, any other exception fails the test, and the call may not
    raise the process' peak RSS by more than MEMORY_LIMIT_MB."""
    before = _peak_mb()
    try:
        return fn(*args, **kwargs)
    except NasnbError:
        return None
    finally:
        grown = _peak_mb() - before
        assert grown <= MEMORY_LIMIT_MB, f"one call of {getattr(fn, '__name__', fn)} raised peak RSS by {grown:.0f} MB"


def _tmp():
    return Path(tempfile.mkdtemp(prefix="nasnb-fuzz-"))


# ----------------------------------------------------------------------------- descriptor and genome JSON
@given(mutated_document(good_descriptor_doc))
def test_fuzz_descriptor_documents(doc):
    d = _must_be_nasnb(NeuralDescriptor.from_json, json.dumps(doc))
    if d is not None:
        assert len(d.canonical_hash()) == 32
        assert NeuralDescriptor.from_json(d.to_json()) == d


@given(st.one_of(st.binary(max_size=300), st.text(max_size=300),
                 mutated_bytes(json.dumps(good_descriptor_doc()).encode())))
def test_fuzz_descriptor_raw_text(text):
    _must_be_nasnb(NeuralDescriptor.from_json, text if isinstance(text, bytes) or text.lstrip()[:1] in "{[\"" else
                   "{" + text)


@given(mutated_document(good_genome_doc))
def test_fuzz_genome_documents(doc):
    g = _must_be_nasnb(Genome.from_json, json.dumps(doc))
    if g is not None:
        assert Genome.from_json(g.to_json()) == g
        genome_invalid_reason(g)


@given(st.one_of(st.binary(max_size=300), mutated_bytes(json.dumps(good_genome_doc()).encode())))
def test_fuzz_genome_raw_bytes(data):
    _must_be_nasnb(Genome.from_json, data)


# ----------------------------------------------------------------------------- benchmark files
@given(mutated_document(nb201_doc), st.booleans())
def test_fuzz_nb201_json(doc, compress):
    path = _tmp() / ("nb201.json.gz" if compress else "nb201.json")
    data = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    archs = _must_be_nasnb(read_nb201_json, str(path))
    if archs is not None:  # whatever was accepted is usable at query time
        for hps in archs.values():
            for datasets in hps.values():
                for runs in datasets.values():
                    for run in runs:
                        float(run["test_accuracy"]) + float(run["train_time"])


_NATS_BLOB = pickle.dumps({"200": nats_arch_state(NB201_ARCH, 0, seeds=(777,), epochs=3)})


@given(st.one_of(mutated_bytes(_NATS_BLOB), mutated_bytes(bz2.compress(_NATS_BLOB)), st.binary(max_size=200)),
       st.booleans())
def test_fuzz_nats_pbz2(blob, meta):
    d = _tmp()
    (d / "meta.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps({"meta_archs": [NB201_ARCH]})))
    payload = blob if blob.startswith(b"BZh") else bz2.compress(blob)
    (d / ("meta.pickle.pbz2" if meta else "000000.pickle.pbz2")).write_bytes(payload)
    _must_be_nasnb(read_nats_meta, str(d))
    _must_be_nasnb(read_nats_arch, str(d), 0)


_FRAME = tfrecord_frame(nb101_payload())


@given(st.one_of(mutated_bytes(_FRAME + _FRAME), st.binary(max_size=64),
                 st.builds(lambda n, tail: struct.pack("<Q", n) + tail, st.integers(0, 2**64 - 1),
                           st.binary(max_size=32))))
def test_fuzz_nb101_tfrecord(data):
    path = _tmp() / "nb101.tfrecord"
    path.write_bytes(data)
    _must_be_nasnb(lambda: len(NASBench101(path)))


@given(mutated_document(lambda: json.loads(nb101_payload().decode())))
def test_fuzz_nb101_record_fields(fields):
    path = _tmp() / "nb101.tfrecord"
    path.write_bytes(tfrecord_frame(json.dumps(fields).encode()))
    _must_be_nasnb(lambda: len(NASBench101(path)))


# ----------------------------------------------------------------------------- data files
_CIFAR = cifar_batch_bytes(n=2)


@given(st.one_of(mutated_bytes(_CIFAR), mutated_bytes(cifar_batch_bytes(n=2, protocol=4)),
                 mutated_bytes(cifar_batch_bytes(n=2, protocol=5))))
def test_fuzz_cifar_batch_pickles(blob):
    root = _tmp()
    d = root / "cifar-10-batches-py"
    d.mkdir()
    for stem in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        (d / stem).write_bytes(_CIFAR)
    (d / "data_batch_4").write_bytes(blob)
    _must_be_nasnb(load_cifar10, str(root))
    _must_be_nasnb(safe_load, blob)


@given(st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=5), st.binary(max_size=200), st.booleans(),
       st.integers(0, 255))
def test_fuzz_idx_files(dims, data, compress, ndim_override):
    header = b"\x00\x00\x08" + bytes([ndim_override if ndim_override < 10 else len(dims)])
    raw = header + struct.pack(f">{len(dims)}I", *dims) + data
    path = _tmp() / ("x-idx3-ubyte.gz" if compress else "x-idx3-ubyte")
    path.write_bytes(gzip.compress(raw) if compress else raw)
    arr = _must_be_nasnb(read_idx, str(path))
    if arr is not None:
        assert arr.dtype == np.uint8 and arr.size == len(raw) - 4 - 4 * arr.ndim


_ROW = st.tuples(st.integers(0, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5000, 5000),
                 st.text(alphabet="0123456789.-e", max_size=6), st.integers(-2, 9))


@given(st.one_of(st.lists(_ROW, max_size=40).map(lambda rows: "".join(",".join(map(str, r)) + "\n" for r in rows)),
                 st.text(max_size=200)),
       st.integers(1, 60), st.integers(1, 60))
def test_fuzz_activity_csv(text, window, stride):
    path = _tmp() / "1.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    out = _must_be_nasnb(read_activity_file, str(path), window=window, stride=stride)
    if out is not None:
        x, y = out
        assert x.shape[1:] == (3, window) and len(x) == len(y) and set(y.tolist()) <= set(range(7))
    _must_be_nasnb(load_activity_recognition, str(path.parent), window=window, stride=stride)


# ----------------------------------------------------------------------------- settings
_OPTIMIZERS = st.one_of(st.sampled_from(["Adam", "SGD", "RMSprop", "Adamax", "adagrad", "bogus", ""]), json_scalars)
_OPT_PARAMS = st.one_of(st.dictionaries(st.sampled_from(["lr", "momentum", "betas", "eps", "weight_decay", "nesterov",
                                                         "alpha", "nonsense", "params", ""]),
                                        st.one_of(json_scalars, st.tuples(json_scalars, json_scalars)), max_size=3),
                        json_values)


@given(_OPTIMIZERS, _OPT_PARAMS, st.one_of(st.integers(-3, 300), json_scalars),
       st.one_of(st.floats(-1, 2), json_scalars), st.one_of(st.sampled_from(["mvs", "fixed", "sum"]), json_scalars),
       st.one_of(st.sampled_from(["test", "validation"]), json_scalars))
def test_fuzz_evaluator_settings(optimizer, params, batch_size, validation, merge, evaluate_on):
    from nasnb.evaluators import LocalEvaluator

    ev = _must_be_nasnb(lambda: LocalEvaluator(optimizer, params, batch_size=batch_size, validation=validation,
                                               merge=merge, evaluate_on=evaluate_on))
    if ev is not None:  # accepted settings build and step the optimizer
        import torch

        from nasnb.evaluators.train import resolve_optimizer

        weight = torch.nn.Parameter(torch.zeros(2))
        opt = resolve_optimizer(ev.optimizer_class)([weight], **ev.optimizer_params)
        weight.grad = torch.ones(2)
        opt.step()
        json.dumps(ev.settings(), default=str)


@given(st.one_of(st.floats(-1, 2), json_scalars), st.one_of(st.floats(-1, 2), json_scalars),
       st.one_of(st.integers(-2, 500), json_scalars), json_scalars)
def test_fuzz_split_settings(percentage, validation, batch_size, seed):
    from nasnb.data import DatasetRegistry, load_splits

    reg = DatasetRegistry()
    x = np.zeros((20, 1, 2, 2), np.float32)
    y = np.arange(20) % 2
    reg.add_classification_dataset("toy", 2, (2, 2), 1, lambda: (x, y, x, y))
    s = _must_be_nasnb(lambda: load_splits("toy", registry=reg, percentage=percentage, validation=validation,
                                           batch_size=batch_size, seed=seed))
    if s is not None:
        assert 1 <= len(s.train_tensors[0]) <= 20
