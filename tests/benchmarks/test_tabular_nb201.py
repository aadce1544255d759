"""NAS-Bench-201 / NATS-Bench: arch strings, the NATS directory format, nasnb JSON, the .pth path."""

from __future__ import annotations

import bz2
import math
import os
import pickle

import pytest

from _tabular_files import nats_arch_state, write_nats_dir
from _tabular_fixtures import NB201_ARCHS
from _tabular_fixtures import nats_dir, nb101_file  # noqa: F401  (fixtures)

from nasnb.benchmarks import NASBench201, arch_string, parse_arch_string, write_nb201_json
from nasnb.benchmarks.nb201_format import read_nats_arch
from nasnb.exceptions import BenchmarkError, ParameterError


def test_arch_string_round_trip():
    for s in NB201_ARCHS:
        assert arch_string(parse_arch_string(s)) == s


@pytest.mark.parametrize("bad, match", [
    ("|nor_conv_3x3~0|+|nor_conv_3x3~0|", "3 node groups"),
    ("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|conv_9x9~2|", "Unknown op 'conv_9x9'"),
    ("|nor_conv_3x3~1|+|none~0|none~1|+|none~0|none~1|none~2|", "expected '<op>~0'"),
    ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 must have 2 inputs"),
])
def test_malformed_arch_strings(bad, match):
    with pytest.raises(BenchmarkError, match=match):
        parse_arch_string(bad)


def test_nats_directory(nats_dir):
    nb = NASBench201(nats_dir)
    assert len(nb) == 3
    c = parse_arch_string(NB201_ARCHS[1])
    q = nb.query(c, run=2)
    assert q["validation_accuracy"] == pytest.approx((80 + 1 + 2 + 1) / 100)  # base + index + run + valid bonus
    assert q["test_accuracy"] == pytest.approx((80 + 1 + 2) / 100)
    assert q["training_time"] == pytest.approx(400.0) and q["seed"] == 999
    assert nb.query(c, epochs=12)["epochs"] == 12
    assert math.isnan(nb.query(c, dataset="cifar10")["validation_accuracy"])  # cifar10 has no validation split
    assert nb.evaluate_candidate(c, dataset="cifar10").fitness == nb.query(c, dataset="cifar10")["test_accuracy"]
    with pytest.raises(ParameterError, match="12 or 200"):
        nb.evaluate_candidate(c, epochs=100)
    seeded = [nb.evaluate_candidate(c, seed=s).fitness for s in range(6)]
    assert seeded == [NASBench201(nats_dir).evaluate_candidate(c, seed=s).fitness for s in range(6)]
    assert nb.evaluate_candidate(("none",) * 6).status == "invalid"  # not in the directory
    frame = nb.records()
    assert set(frame["budget"]) == {12, 200} and len(frame) == 3 * (3 + 1)


def test_json_round_trip(nats_dir, tmp_path):
    nb = NASBench201(nats_dir)
    archs = {s: read_nats_arch(str(nats_dir), i) for i, s in enumerate(NB201_ARCHS)}
    path = tmp_path / "nb201.json.gz"
    write_nb201_json(str(path), archs)
    other = NASBench201(path)
    for s in NB201_ARCHS:
        c = parse_arch_string(s)
        assert other.query(c, seed=4) == nb.query(c, seed=4)


def test_malformed_nats_files(tmp_path):
    directory = tmp_path / "nats"
    write_nats_dir(directory, NB201_ARCHS[:2], missing=(1,))
    nb = NASBench201(directory)
    r = nb.evaluate_candidate(parse_arch_string(NB201_ARCHS[1]))
    assert r.status == "invalid" and "000001.pickle.pbz2" in r.message
    (directory / "000000.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps(os.system)))
    with pytest.raises(BenchmarkError, match=r"000000.pickle.pbz2: refusing to load global"):
        NASBench201(directory).query(parse_arch_string(NB201_ARCHS[0]))
    (directory / "000000.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps({"200": {"all_results": 3}})))
    with pytest.raises(BenchmarkError, match=r"000000.pickle.pbz2 \[200\]: malformed ArchResults"):
        NASBench201(directory).query(parse_arch_string(NB201_ARCHS[0]))
    bad_json = tmp_path / "x.json"
    bad_json.write_text('{"format": "something-else"}')
    with pytest.raises(BenchmarkError, match="not a nasnb NAS-Bench-201 file"):
        len(NASBench201(bad_json))
    with pytest.raises(BenchmarkError, match="expected a NATS"):
        len(NASBench201(tmp_path / "file.csv"))


def test_official_pth_layout_with_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    state = {"meta_archs": NB201_ARCHS[:1],
             "arch2infos": {0: {"less": nats_arch_state(NB201_ARCHS[0], 0, seeds=(111,), epochs=12),
                                "full": nats_arch_state(NB201_ARCHS[0], 0)}},
             "evaluated_indexes": [0]}
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save(state, path)
    nb = NASBench201(path)
    assert nb.query(parse_arch_string(NB201_ARCHS[0]), run=0)["validation_accuracy"] == pytest.approx(0.81)
    evil = tmp_path / "evil.pth"
    torch.save({"meta_archs": [], "arch2infos": {}, "x": os.system}, evil)
    with pytest.raises(BenchmarkError, match="weights_only=True"):
        len(NASBench201(evil))


def test_cell_space_fixed_inputs(nats_dir):
    cell = NASBench201(nats_dir).cell_space()
    assert [cell.fixed_inputs(i) for i in range(6)] == [(0,), (0,), (1,), (0,), (1,), (2, 3)]
    assert cell.build([3, 3, 4, 1, 3, 1], []) == parse_arch_string(NB201_ARCHS[0])
