"""NAS-Bench-201 JSON, NATS-Bench .pbz2 and NAS-Bench-101 TFRecord: bad files fail at read time, named."""

from __future__ import annotations

import base64
import bz2
import gzip
import json
import pickle
from collections import OrderedDict

import pytest

from _hostile import (HOSTILE_PICKLES, NB201_ARCH, bz2_bomb, gzip_bomb, model_metrics, nats_arch_state, nb101_payload,
                      nb201_doc, tfrecord_frame, tfrecord_length_bomb)

from nasnb.benchmarks import NASBench101, NASBench201
from nasnb.benchmarks.nb201_format import read_nats_arch, read_nats_meta, read_nb201_json
from nasnb.exceptions import BenchmarkError, ParameterError


def _nb201(mutate):
    doc = nb201_doc()
    mutate(doc)
    return json.dumps(doc)


def _runs(doc):
    return doc["archs"][NB201_ARCH]["200"]["cifar10-valid"]


BAD_NB201_JSON = [
    ("hp_value_list", _nb201(lambda d: d["archs"][NB201_ARCH].update({"200": []})), "hp '200' must map dataset"),
    ("hp_value_null", _nb201(lambda d: d["archs"][NB201_ARCH].update({"200": None})), "hp '200' must map"),
    ("metric_string", json.dumps(nb201_doc({"test_accuracy": "84.0"})), "'test_accuracy' must be a finite number"),
    ("train_time_string", json.dumps(nb201_doc({"train_time": "fast"})), "'train_time'"),
    ("valid_accuracy_string", json.dumps(nb201_doc({"valid_accuracy": "x"})), "'valid_accuracy'"),
    ("params_list", json.dumps(nb201_doc({"params": [1]})), "'params'"),
    ("latency_object", json.dumps(nb201_doc({"latency": {"a": 1}})), "'latency'"),
    ("seed_float", json.dumps(nb201_doc({"seed": 7.5})), "'seed' must be an integer"),
    ("seed_bool", json.dumps(nb201_doc({"seed": True})), "'seed' must be an integer"),
    ("epochs_zero", json.dumps(nb201_doc({"epochs": 0})), "'epochs' must be at least 1"),
    ("epochs_string", json.dumps(nb201_doc({"epochs": "200"})), "'epochs' must be an integer"),
    ("accuracy_1e999", json.dumps(nb201_doc()).replace("90.0", "1e999"), "out of the range"),
    ("accuracy_nan", json.dumps(nb201_doc()).replace("90.0", "NaN"), "'NaN'"),
    ("missing_test_accuracy", _nb201(lambda d: _runs(d)[0].pop("test_accuracy")), "lacks the field"),
    ("missing_seed", _nb201(lambda d: _runs(d)[0].pop("seed")), "lacks the field"),
    ("run_is_list", _nb201(lambda d: _runs(d).__setitem__(0, [1, 2])), "a run must be an object"),
    ("runs_is_object", _nb201(lambda d: d["archs"][NB201_ARCH]["200"].update({"cifar10-valid": {}})),
     "expected a list of runs"),
    ("unknown_dataset", json.dumps(nb201_doc(dataset="mnist")), "unknown data set 'mnist'"),
    ("unknown_hp", json.dumps(nb201_doc(hp="90")), "hyper-parameter set '90'"),
    ("bad_arch_string", json.dumps(nb201_doc(arch="|conv~0|")), "3 node groups"),
    ("unknown_op", json.dumps(nb201_doc(arch=NB201_ARCH.replace("avg_pool_3x3", "max_pool_3x3"))), "Unknown op"),
    ("arch_value_list", _nb201(lambda d: d["archs"].update({NB201_ARCH: []})), "must map hp -> dataset -> runs"),
    ("archs_list", _nb201(lambda d: d.update({"archs": []})), "not a nasnb NAS-Bench-201 file"),
    ("format_wrong", _nb201(lambda d: d.update({"format": "nb201"})), "not a nasnb NAS-Bench-201 file"),
    ("version_true", _nb201(lambda d: d.update({"version": True})), "not a nasnb NAS-Bench-201 file"),
    ("version_2", _nb201(lambda d: d.update({"version": 2})), "not a nasnb NAS-Bench-201 file"),
    ("top_level_list", "[]", "not a nasnb NAS-Bench-201 file"),
    ("truncated_json", json.dumps(nb201_doc())[:50], "invalid JSON at line 1"),
    ("duplicate_arch", json.dumps(nb201_doc())[:-2] + ', "' + NB201_ARCH + '": {}}}', "duplicate key"),
    ("int_5000_digits", json.dumps(nb201_doc()).replace("777", "7" * 5000), "5000 digits"),
    ("non_utf8", json.dumps(nb201_doc()).encode().replace(b"cifar10-valid", b"cifar\xff"), "not UTF-8"),
]


@pytest.mark.parametrize("label, text, match", BAD_NB201_JSON, ids=[b[0] for b in BAD_NB201_JSON])
def test_bad_nb201_json_fails_at_read_time(tmp_path, label, text, match):
    path = tmp_path / "nb201.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(BenchmarkError, match=f"nb201.json: .*{match}"):
        read_nb201_json(str(path))
    nb = NASBench201(path)
    with pytest.raises(BenchmarkError, match="nb201.json"):
        len(nb)


BAD_NB201_GZ = [
    ("gzip_bomb", gzip_bomb(), "decompresses to more than"),
    ("truncated_gzip", gzip.compress(json.dumps(nb201_doc()).encode())[:-10], "truncated gzip"),
    ("not_gzip", b"{}", "not valid gzip"),
    ("gzip_of_string_metrics", gzip.compress(json.dumps(nb201_doc({"test_accuracy": "x"})).encode()),
     "'test_accuracy'"),
    ("gzip_of_container_flood", gzip.compress(b"[" + b"[]," * 5_000_000 + b"[]]"), "would take about"),
]


@pytest.mark.parametrize("label, data, match", BAD_NB201_GZ, ids=[b[0] for b in BAD_NB201_GZ])
def test_bad_nb201_json_gz(tmp_path, label, data, match):
    path = tmp_path / "nb201.json.gz"
    path.write_bytes(data)
    assert len(data) < 1_000_000
    with pytest.raises(BenchmarkError, match=match):
        read_nb201_json(str(path))


def test_nb201_source_that_is_a_directory_or_missing(tmp_path):
    (tmp_path / "d.json").mkdir()
    with pytest.raises(BenchmarkError, match="is a directory"):
        read_nb201_json(str(tmp_path / "d.json"))
    with pytest.raises(BenchmarkError, match="no such file"):
        read_nb201_json(str(tmp_path / "missing.json.gz"))


def _nats_dir(tmp_path, meta=None, arch=None):
    d = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    d.mkdir()
    meta = {"meta_archs": [NB201_ARCH], "total_archs": 1} if meta is None else meta
    (d / "meta.pickle.pbz2").write_bytes(meta if isinstance(meta, bytes) else bz2.compress(pickle.dumps(meta)))
    if arch is None:
        arch = OrderedDict([("200", nats_arch_state(NB201_ARCH, 0))])
    (d / "000000.pickle.pbz2").write_bytes(arch if isinstance(arch, bytes) else bz2.compress(pickle.dumps(arch)))
    return d


def _state(**changes):
    state = nats_arch_state(NB201_ARCH, 0, seeds=(777,), epochs=4)
    for res in state["all_results"].values():
        res.update(changes)
    return {"200": state}


BAD_NATS = [
    ("meta_bz2_bomb_785_bytes", {"meta": bz2_bomb()}, "meta.pickle.pbz2: decompresses to more than"),
    ("arch_bz2_bomb", {"arch": bz2_bomb()}, "000000.pickle.pbz2: decompresses to more than"),
    ("meta_not_bz2", {"meta": b"plain bytes"}, "meta.pickle.pbz2: not valid bz2"),
    ("meta_truncated_bz2", {"meta": bz2.compress(pickle.dumps({"meta_archs": [NB201_ARCH]}))[:-8]}, "truncated bz2"),
    ("meta_hostile_global", {"meta": bz2.compress(HOSTILE_PICKLES["os_system"])}, "refusing to load global 'os.system'"),
    ("meta_ndarray_1.5GB", {"meta": bz2.compress(HOSTILE_PICKLES["ndarray_constructor_1.5GB"])},
     "malformed benchmark pickle"),
    ("meta_memo_bomb", {"meta": bz2.compress(HOSTILE_PICKLES["memo_index_bomb"])}, "memo index"),
    ("meta_set_flood", {"meta": bz2.compress(HOSTILE_PICKLES["empty_set_flood"])}, "would take about"),
    ("meta_not_dict", {"meta": [NB201_ARCH]}, "expected a dict with a 'meta_archs' list"),
    ("meta_archs_ints", {"meta": {"meta_archs": [1, 2]}}, r"meta_archs\[0\] is not an arch string"),
    ("meta_archs_bad_string", {"meta": {"meta_archs": [NB201_ARCH, "|x~0|"]}}, r"meta_archs\[1\]: .*3 node groups"),
    ("arch_not_dict", {"arch": [1, 2]}, "expected a dict of hyper-parameter set"),
    ("arch_empty_dict", {"arch": {}}, "expected a dict of hyper-parameter set"),
    ("arch_metric_string", {"arch": _state(params="big")}, "malformed ArchResults"),
    ("arch_epochs_zero", {"arch": _state(epochs=0)}, "malformed ArchResults"),
    ("arch_epochs_huge", {"arch": _state(epochs=10**9)}, "malformed ArchResults"),
    ("arch_flop_nan", {"arch": _state(flop=float("nan"))}, "'flops' must be a finite number"),
    ("arch_missing_results", {"arch": {"200": {"arch_index": 0}}}, "malformed ArchResults"),
    ("arch_results_list", {"arch": {"200": {"all_results": [1, 2]}}}, "malformed ArchResults"),
]


@pytest.mark.parametrize("label, files, match", BAD_NATS, ids=[b[0] for b in BAD_NATS])
def test_bad_nats_directory_is_named(tmp_path, label, files, match):
    d = _nats_dir(tmp_path, **files)
    with pytest.raises(BenchmarkError, match=match):
        read_nats_meta(str(d))
        read_nats_arch(str(d), 0)


def test_bz2_bomb_is_the_issue_size():
    data = bz2_bomb()
    assert len(data) == 785 and len(bz2.BZ2Decompressor().decompress(data, 2**21)) == 2**21


# ----------------------------------------------------------------------------- NAS-Bench-101
def _metrics(evals, params=1000):
    return base64.b64encode(model_metrics(evals, params)).decode()


_GOOD_EVALS = [(0.0, 0.0, 0.1, 0.1, 0.1), (54.0, 1.0, 0.5, 0.5, 0.5), (108.0, 2.0, 0.9, 0.9, 0.9)]
BAD_NB101 = [
    ("length_claims_2pow40", tfrecord_length_bomb(), "announces 1099511627776 bytes"),
    ("length_past_end", tfrecord_length_bomb(1000), "truncated record"),
    ("bad_length_crc", b"\x05" + b"\x00" * 7 + b"\x00" * 4 + b"hello" + b"\x00" * 4, "bad length checksum"),
    ("truncated_header", tfrecord_frame(nb101_payload())[:7], "truncated frame header"),
    ("truncated_footer", tfrecord_frame(nb101_payload())[:-2], "truncated record"),
    ("not_json", tfrecord_frame(b"{not json"), "expected JSON"),
    ("json_object", tfrecord_frame(b'{"a": 1}'), "expected JSON"),
    ("four_fields", tfrecord_frame(json.dumps(["h", 108, "01", "a"]).encode()), "expected JSON"),
    ("deep_nesting", tfrecord_frame(b"[" * 100_000 + b"]" * 100_000), "nesting is too deep"),
    ("huge_int", tfrecord_frame(nb101_payload(epochs=0).replace(b", 0,", b", " + b"9" * 5000 + b",")), "5000 digits"),
    ("non_utf8", tfrecord_frame(b'["\xff"]'), "not UTF-8"),
    ("hash_number", tfrecord_frame(nb101_payload(module_hash=5)), "module_hash must be a string"),
    ("epochs_bool", tfrecord_frame(nb101_payload(epochs=True)), "epochs must be a positive integer"),
    ("epochs_zero", tfrecord_frame(nb101_payload(epochs=0)), "epochs must be a positive integer"),
    ("epochs_string", tfrecord_frame(nb101_payload(epochs="108")), "epochs must be a positive integer"),
    ("adjacency_not_square", tfrecord_frame(nb101_payload(adj="01101")), "not a square 0/1 matrix"),
    ("adjacency_twos", tfrecord_frame(nb101_payload(adj="0120000000000000")), "not a square 0/1 matrix"),
    ("adjacency_8_vertices", tfrecord_frame(nb101_payload(adj="0" * 64, ops=",".join(["input"] + ["maxpool3x3"] * 6
                                                                                       + ["output"]))),
     "2 to 7 vertices"),
    ("adjacency_list", tfrecord_frame(nb101_payload(adj=[0, 1])), "must be strings"),
    ("ops_count_mismatch", tfrecord_frame(nb101_payload(ops="input,output")), "2 operations for a 4x4 matrix"),
    ("ops_no_input", tfrecord_frame(nb101_payload(ops="conv3x3-bn-relu,conv3x3-bn-relu,maxpool3x3,output")),
     "must start with 'input'"),
    ("unknown_op", tfrecord_frame(nb101_payload(ops="input,conv5x5,maxpool3x3,output")), "Unknown op 'conv5x5'"),
    ("metrics_not_base64", tfrecord_frame(nb101_payload(metrics="%%%")), "not valid base64"),
    ("metrics_truncated_protobuf", tfrecord_frame(nb101_payload(metrics=base64.b64encode(b"\x0a\x50abc").decode())),
     "truncated length-delimited"),
    ("metrics_overlong_varint", tfrecord_frame(nb101_payload(metrics=base64.b64encode(b"\x08" + b"\xff" * 12)
                                                            .decode())), "overlong varint"),
    ("metrics_two_evaluations", tfrecord_frame(nb101_payload(metrics=_metrics(_GOOD_EVALS[:2]))),
     "needs 3 evaluation_data entries"),
    ("metrics_nan_accuracy", tfrecord_frame(nb101_payload(metrics=_metrics(
        _GOOD_EVALS[:2] + [(108.0, 2.0, 0.9, float("nan"), 0.9)]))), "validation_accuracy is nan"),
    ("metrics_inf_time", tfrecord_frame(nb101_payload(metrics=_metrics(
        _GOOD_EVALS[:2] + [(108.0, float("inf"), 0.9, 0.9, 0.9)]))), "training_time is inf"),
    ("empty_file", b"", "holds no NAS-Bench-101 records"),
]


@pytest.mark.parametrize("label, data, match", BAD_NB101, ids=[b[0] for b in BAD_NB101])
def test_bad_nb101_tfrecord_is_named(tmp_path, label, data, match):
    path = tmp_path / "nasbench.tfrecord"
    path.write_bytes(data)
    with pytest.raises(BenchmarkError, match=match) as info:
        len(NASBench101(path))
    assert "nasbench.tfrecord" in str(info.value)


def test_nb101_good_record_and_directory(tmp_path):
    path = tmp_path / "ok.tfrecord"
    path.write_bytes(tfrecord_frame(nb101_payload()))
    assert len(NASBench101(path)) == 1
    with pytest.raises(BenchmarkError, match="is a directory"):
        len(NASBench101(tmp_path))


BAD_CONSTRUCTORS = [
    ("nb201_dataset", lambda: NASBench201("x.json", dataset="mnist"), "'dataset'"),
    ("nb201_seed_string", lambda: NASBench201("x.json", seed="zero"), "'seed'"),
    ("nb201_path_number", lambda: NASBench201(3.5), "'path'"),
    ("nb101_seed_float", lambda: NASBench101("x.tfrecord", seed=1.5), "'seed'"),
    ("nb101_path_none", lambda: NASBench101(None), "'path'"),
]


@pytest.mark.parametrize("label, make, match", BAD_CONSTRUCTORS, ids=[b[0] for b in BAD_CONSTRUCTORS])
def test_bad_benchmark_constructor_arguments(label, make, match):
    with pytest.raises(ParameterError, match=match):
        make()
