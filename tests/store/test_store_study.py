"""Behaviour of the SQLite experiment store that searches and notebooks rely on."""

import math
import pickle
import sqlite3

import pytest

from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import ParameterError, StoreError, StudyConfigError
from nasnb.results import EvaluationResult
from nasnb.store import ExperimentStore, evaluation_key


def _desc(width):
    return NeuralDescriptor.sequential([("nn.Linear", {"in_features": 4, "out_features": width}), "nn.ReLU"])


@pytest.fixture
def store(tmp_path):
    with ExperimentStore(tmp_path / "exp.sqlite") as s:
        yield s


def test_missing_directory_is_a_clear_error(tmp_path):
    path = tmp_path / "nope" / "exp.sqlite"
    with pytest.raises(StoreError, match="does not exist") as info:
        ExperimentStore(path)
    assert str(path.parent) in str(info.value)


def test_reopening_with_other_config_is_refused(store):
    store.create_study("s", {"epochs": 1, "dataset": "digits"})
    assert store.create_study("s", {"dataset": "digits", "epochs": 1}).name == "s"  # key order irrelevant
    with pytest.raises(StudyConfigError, match="differs in: epochs"):
        store.create_study("s", {"epochs": 2, "dataset": "digits"})
    with pytest.raises(StudyConfigError):
        store.create_study("s", {"epochs": 1, "dataset": "digits"}, load_if_exists=False)
    with pytest.raises(ParameterError, match="JSON"):
        store.create_study("t", {"epochs": object()})


def test_round_trip_of_an_evaluation(store, tmp_path):
    study = store.create_study("s", {"epochs": 1})
    d = _desc(8)
    res = EvaluationResult(0.25, {"accuracy": 0.9}, 1.5, 0.9)
    key = study.add_evaluation(d, res, seq=0, seed=3, settings={"epochs": 1}, engine_id=1,
                               started=10.0, finished=11.5)
    assert key == evaluation_key(d.canonical_hash(), 3, {"epochs": 1}, 0)
    # another process/connection reads the same row (WAL)
    other = ExperimentStore(tmp_path / "exp.sqlite").load_study("s")
    rec = other.get(key)
    assert rec.status == "done" and rec.seed == 3 and rec.engine_id == "1"
    assert rec.result == res
    assert rec.descriptor() == d
    assert other.find(d.canonical_hash(), seed=3, settings={"epochs": 1})[0].key == key
    assert other.find(d.canonical_hash(), seed=4) == []
    mode = sqlite3.connect(tmp_path / "exp.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_failed_rows_keep_traceback_and_nan_loss(store):
    study = store.create_study("s")
    key = study.add_evaluation({"arch": 1}, EvaluationResult.failed("Traceback ...\nZeroDivisionError"), seq=0)
    rec = study.get(key)
    assert rec.status == "failed" and "ZeroDivisionError" in rec.traceback
    assert rec.loss is None and math.isnan(rec.result.loss)


def test_an_evaluation_is_never_recorded_twice(store):
    study = store.create_study("s")
    study.add_evaluation({"a": 1}, seq=0, seed=0)  # queued
    assert study.evaluations()[0].status == "queued"
    study.add_evaluation({"a": 1}, EvaluationResult(1.0, {}, 0.1, 0.5), seq=0, seed=0)  # completes the row
    assert [r.status for r in study.evaluations()] == ["done"]
    with pytest.raises(StoreError, match="never recorded twice"):
        study.add_evaluation({"a": 1}, EvaluationResult(2.0, {}, 0.1, 0.1), seq=0, seed=0)
    assert study.evaluations()[0].loss == 1.0
    study.add_evaluation({"a": 1}, EvaluationResult(2.0, {}, 0.1, 0.1), seq=0, seed=0, overwrite=True)
    assert len(study) == 1 and study.evaluations()[0].loss == 2.0
    # same descriptor, other seq or seed: a different evaluation
    study.add_evaluation({"a": 1}, EvaluationResult(3.0, {}, 0.1, 0.1), seq=1, seed=0)
    assert len(study) == 2 and study.final_keys() == {r.key for r in study.evaluations()}


def test_status_moves_and_resume_keys(store):
    study = store.create_study("s")
    keys = study.add_evaluations([{"descriptor": {"a": i}, "seq": i} for i in range(3)])
    study.set_status(keys[:2], "running", engine_id=0)
    assert [r.status for r in study.evaluations()] == ["running", "running", "queued"]
    assert study.evaluations(status="running")[0].started is not None
    assert study.final_keys() == set() and study.next_seq() == 3
    with pytest.raises(ParameterError, match="status"):
        study.evaluations(status="finished")


def test_dataframe_has_metric_columns(store):
    study = store.create_study("s")
    study.add_evaluations([
        {"descriptor": _desc(w), "result": EvaluationResult(0.1 * w, {"accuracy": w / 10}, 1.0, w / 10),
         "seq": i, "seed": i, "settings": {"epochs": 1}} for i, w in enumerate([2, 4, 6])])
    frame = study.to_dataframe()
    assert list(frame["seq"]) == [0, 1, 2]
    assert list(frame["metrics.accuracy"]) == pytest.approx([0.2, 0.4, 0.6])
    assert set(frame["status"]) == {"done"}
    assert str(frame["finished"].dtype).startswith("datetime64")


def test_checkpoints(store):
    study = store.create_study("s")
    assert study.load_checkpoint("strategy", default={}) == {}
    study.save_checkpoint("strategy", {"population": [1, 2], "generation": 3})
    study.save_checkpoint("strategy", {"population": [2, 3], "generation": 4})
    assert study.load_checkpoint("strategy") == {"population": [2, 3], "generation": 4}


def test_store_and_study_refuse_to_travel_to_engines(store):
    study = store.create_study("s")
    with pytest.raises(StoreError, match="only the client"):
        pickle.dumps(study)
    with pytest.raises(StoreError, match="only the client"):
        pickle.dumps(store)


def test_bulk_insert_many_rows(store):
    study = store.create_study("bulk")
    res = EvaluationResult(0.5, {"accuracy": 0.5}, 0.1, 0.5)
    study.add_evaluations({"descriptor": {"i": i}, "result": res, "seq": i, "seed": 0} for i in range(3000))
    assert len(study) == 3000 and len(study.evaluations(status="done")) == 3000


def test_unknown_study_and_bad_seed(store):
    with pytest.raises(StoreError, match="No study named 'x'"):
        store.load_study("x")
    study = store.create_study("s")
    import numpy as np

    with pytest.raises(ParameterError, match="seed"):
        study.add_evaluation({"a": 1}, seq=0, seed=np.random.default_rng(0))
    store.delete_study("s")
    assert store.study_names() == []
