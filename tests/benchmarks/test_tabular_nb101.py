"""NAS-Bench-101: the pure-Python reader of the official TFRecord format, pruning and hashing."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from _tabular_files import nb101_record, tfrecord_frame, write_tfrecord
from _tabular_fixtures import NB101_CELLS, nb101_final, nb101_hash
from _tabular_fixtures import nats_dir, nb101_file  # noqa: F401  (fixtures)

from nasnb.benchmarks import NASBench101
from nasnb.benchmarks.nb101_format import crc32c, hash_module, prune_spec
from nasnb.exceptions import BenchmarkError, ParameterError


def cell(i):
    matrix, ops = NB101_CELLS[i]
    return tuple(tuple(r) for r in matrix), tuple(ops)


def test_reads_every_budget_and_run(nb101_file):
    nb = NASBench101(nb101_file, verify_checksums=True)
    assert nb.valid_epochs == (4, 12, 36, 108) and len(nb) == len(NB101_CELLS)
    for c in range(len(NB101_CELLS)):
        for epochs in (4, 108):
            for run in range(3):
                q = nb.query(cell(c), epochs=epochs, run=run)
                t, train, valid, test = nb101_final(c, epochs, run)
                assert q["validation_accuracy"] == pytest.approx(valid)
                assert q["test_accuracy"] == pytest.approx(test)
                assert q["train_accuracy"] == pytest.approx(train)
                assert q["training_time"] == pytest.approx(t) and q["total_time"] == pytest.approx(t)
                assert q["halfway_validation_accuracy"] == pytest.approx(valid * 0.5)
                assert q["trainable_parameters"] == 1000 + c


def test_seeded_run_choice_is_deterministic(nb101_file):
    nb = NASBench101(nb101_file)
    runs = {nb.query(cell(3), seed=s)["run"] for s in range(20)}
    assert runs == {0.0, 1.0, 2.0}  # the seed picks among the 3 recorded runs
    assert [nb.evaluate_candidate(cell(3), seed=s).fitness for s in range(10)] == \
           [NASBench101(nb101_file).evaluate_candidate(cell(3), seed=s).fitness for s in range(10)]
    # no seed: the run is fixed per architecture by the benchmark's seed, whatever the query order
    first = [nb.evaluate_candidate(cell(c)).fitness for c in range(5)]
    other = NASBench101(nb101_file)
    assert [other.evaluate_candidate(cell(c)).fitness for c in reversed(range(5))] == first[::-1]
    rng = np.random.default_rng(0)
    assert nb.evaluate_candidate(cell(3), seed=rng).status == "done"


def test_pruning_and_isomorphism_share_a_record(nb101_file):
    nb = NASBench101(nb101_file)
    # cell 3 with its two hidden vertices swapped
    swapped = (((0, 1, 1, 0), (0, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
               ("input", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"))
    assert nb.key(swapped) == nb.key(cell(3))
    # cell 1 plus a dangling vertex (reads the input, feeds nothing): pruned away
    dangling = (((0, 1, 1, 0), (0, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0)),
                ("input", "conv3x3-bn-relu", "maxpool3x3", "output"))
    assert nb.key(dangling) == nb.key(cell(1))
    assert nb.evaluate_candidate(dangling, seed=0).fitness == nb.evaluate_candidate(cell(1), seed=0).fitness
    assert nb.key(cell(1)) != nb.key(cell(2))  # same graph, different op


def test_hash_is_permutation_invariant_on_random_graphs():
    rng = np.random.default_rng(1)
    for _ in range(20):
        n = 7
        m = np.triu(rng.integers(0, 2, (n, n)), 1)
        labels = [-1] + [int(x) for x in rng.integers(0, 3, n - 2)] + [-2]
        perm = [0] + list(rng.permutation(np.arange(1, n - 1))) + [n - 1]
        pm = m[np.ix_(perm, perm)]
        assert hash_module(pm, [labels[p] for p in perm]) == hash_module(m, labels)


def test_prune_spec_official_behaviour():
    m = np.array([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert prune_spec(m, ["input", "a", "b", "output"]) is None  # input does not reach output


def test_invalid_candidates_are_invalid_not_errors(nb101_file):
    nb = NASBench101(nb101_file)
    too_many_edges = (tuple(tuple(1 if j > i else 0 for j in range(7)) for i in range(7)),
                      ("input",) + ("conv3x3-bn-relu",) * 5 + ("output",))
    r = nb.evaluate_candidate(too_many_edges)
    assert r.status == "invalid" and "edges" in r.message and r.fitness == 0.0
    not_recorded = (((0, 1, 1), (0, 0, 1), (0, 0, 0)), ("input", "conv1x1-bn-relu", "output"))
    assert nb.evaluate_candidate(not_recorded).status == "invalid"
    with pytest.raises(BenchmarkError, match="not in"):
        nb.query(not_recorded)
    with pytest.raises(ParameterError, match="4, 12, 36, 108"):
        nb.evaluate_candidate(cell(1), epochs=50)


def test_crc32c_matches_bitwise_reference():
    from _tabular_files import crc32c_bitwise

    for data in (b"", b"a", b"123456789", bytes(range(256))):
        assert crc32c(data) == crc32c_bitwise(data)


def _write(tmp_path, blobs: list[bytes], name="bad.tfrecord"):
    path = tmp_path / name
    path.write_bytes(b"".join(blobs))
    return path


def test_malformed_files_name_the_record(tmp_path):
    m, ops = NB101_CELLS[1]
    good = nb101_record(nb101_hash(m, ops), 108, m, ops, (1.0, 0.5, 0.5, 0.5))
    truncated = _write(tmp_path, [tfrecord_frame(good), tfrecord_frame(good)[:-10]], "truncated.tfrecord")
    with pytest.raises(BenchmarkError, match=r"truncated.tfrecord: record 1 .*truncated"):
        len(NASBench101(truncated))
    not_json = _write(tmp_path, [tfrecord_frame(b"{not json")], "notjson.tfrecord")
    with pytest.raises(BenchmarkError, match=r"notjson.tfrecord: record 0: expected JSON"):
        len(NASBench101(not_json))
    bad_op = nb101_record("h", 108, m, ["input", "conv5x5", "output"], (1.0, 0.5, 0.5, 0.5))
    with pytest.raises(BenchmarkError, match=r"Unknown op 'conv5x5' at .*record 0 vertex 1"):
        len(NASBench101(_write(tmp_path, [tfrecord_frame(bad_op)], "badop.tfrecord")))
    frame = bytearray(tfrecord_frame(good))
    frame[20] ^= 0xFF  # corrupt one data byte: only the data checksum notices
    corrupt = _write(tmp_path, [bytes(frame)], "corrupt.tfrecord")
    with pytest.raises(BenchmarkError, match="bad data checksum"):
        len(NASBench101(corrupt, verify_checksums=True))
    garbage = _write(tmp_path, [struct.pack("<Q", 5) + b"\0\0\0\0" + b"hello\0\0\0\0"], "garbage.tfrecord")
    with pytest.raises(BenchmarkError, match="length checksum"):
        len(NASBench101(garbage))
    with pytest.raises(BenchmarkError, match="Cannot read"):
        len(NASBench101(tmp_path / "missing.tfrecord"))


def test_only108_file(tmp_path):
    m, ops = NB101_CELLS[2]
    path = tmp_path / "nasbench_only108.tfrecord"
    write_tfrecord(path, [nb101_record(nb101_hash(m, ops), 108, m, ops, (1.0, 0.5, 0.7 + r / 100, 0.6), 7)
                          for r in range(3)])
    nb = NASBench101(path)
    assert nb.valid_epochs == (108,)
    assert nb.query(cell(2), run=2)["validation_accuracy"] == pytest.approx(0.72)
    frame = nb.records()
    assert len(frame) == 3 and set(frame["budget"]) == {108}


def test_dqn_state_is_45_bits(nb101_file):
    space = NASBench101(nb101_file).cell_space()
    assert space.state_size == 45 and space.max_inputs == 2 and len(space.ops) == 3
