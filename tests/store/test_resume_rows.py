"""What a resumed search reads of its study (``StudyRecorder.load`` -> ``StoredRows``): the same
rows, seeds, statuses, arrivals and results as the study holds, read a window at a time, with the
row of the largest id winning where several share one index; damage is a named StoreError."""

from __future__ import annotations

import math
import sqlite3

import pytest

from nasnb.exceptions import SettingsMismatchError, StoreError
from nasnb.results import EvaluationResult, Status
from nasnb.store import ExperimentStore, StudyRecorder, evaluator_settings
from nasnb.store import stored as stored_module

SETTINGS = evaluator_settings(object(), {"epochs": 1})


def _result(i, status=Status.DONE):
    if status == Status.FAILED:
        return EvaluationResult(float("nan"), {}, 0.5, 0.0, Status.FAILED, f"boom {i}")
    return EvaluationResult(0.5 + i, {"accuracy": i / 7, "odd": float("nan") if i % 3 == 0 else i}, 1.0 + i, -i / 3)


def _study(tmp_path, n, *, seed=lambda i: i, arrival=None, status=lambda i: Status.DONE, **kw):
    arrival = arrival or (lambda i: n - 1 - i)
    store = ExperimentStore(tmp_path / "s.sqlite", **kw)
    study = store.create_study("s")
    study.add_evaluations({"descriptor": {"arch": i}, "result": _result(i, status(i)), "seq": i, "seed": seed(i),
                           "settings": SETTINGS, "arrival": arrival(i), "candidate": [i]} for i in range(n))
    return study


def _expected(study, first=0):
    """What the rows hold, read the plain way (the last row of each seq wins)."""
    out = {}
    for r in study.evaluations():
        if r.final and r.seq >= first:
            out[r.seq - first] = (r.descriptor_hash, r.seed, str(r.status), r.arrival, r.fitness, r.loss,
                                  r.metrics, r.total_time, r.traceback)
    return out


def _loaded(rows):
    return {i: (r.descriptor_hash, r.seed, r.status, r.arrival, r.fitness, r.loss, r.result.metrics,
                r.total_time, r.traceback) for i, r in rows.items()}


def _same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        for x, y in zip(a[k], b[k]):
            if isinstance(x, dict):
                assert x.keys() == y.keys() and all(
                    (math.isnan(x[m]) and (y[m] is None or math.isnan(y[m]))) or x[m] == y[m] for m in x)
            else:
                assert x == y and type(x) is type(y), (k, x, y)


def test_every_window_reads_the_rows_the_study_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(stored_module, "WINDOW", 7)  # many windows
    monkeypatch.setattr(stored_module, "BLOCK", 5)  # many blocks of results
    study = _study(tmp_path, 40, status=lambda i: Status.FAILED if i % 5 == 2 else Status.DONE)
    rows = StudyRecorder(study, SETTINGS).load(lambda i: i)
    assert len(rows) == 40 and list(rows) == list(range(40))
    loaded = _loaded(rows)
    assert loaded[2][2] == "failed" and loaded[2][8] == "boom 2" and loaded[2][5] is None  # NaN loss: NULL
    assert loaded[3][6]["odd"] != loaded[3][6]["odd"]  # a NaN metric comes back as NaN
    _same(loaded, {k: (*v[:6], v[6], *v[7:]) for k, v in _expected(study).items()})
    assert rows.arrivals() == [(39 - i, i) for i in range(39, -1, -1)]
    assert rows.with_status("failed") == [i for i in range(40) if i % 5 == 2]
    assert 40 not in rows and -1 not in rows and "3" not in rows and rows.get(41) is None
    # a search's first_seq: rows before it are another run's part; run indices count from it
    tail = StudyRecorder(study, SETTINGS, first_seq=30).load(lambda i: i + 30)
    assert list(tail) == list(range(10)) and tail[0].seq == 30 and tail[0].result.fitness == -10.0
    # retry_failed leaves failed rows out
    retry = StudyRecorder(study, SETTINGS).load(lambda i: i, retry_failed=True)
    assert 2 not in retry and len(retry) == 32


@pytest.mark.parametrize("scan", ["by seq", "by row id"])
def test_the_row_of_the_largest_id_wins_and_order_is_seq_then_id(tmp_path, monkeypatch, scan):
    monkeypatch.setattr(stored_module, "WINDOW", 3 if scan == "by seq" else 100)
    if scan == "by row id":  # SQLite aggregates in row-id order: the rows come unsorted and are sorted
        monkeypatch.setattr(stored_module, "_KEYS_SQL", stored_module._KEYS_SQL.replace(
            "FROM evaluations WHERE", "FROM evaluations NOT INDEXED WHERE"))
    study = _study(tmp_path, 6)
    # a second row of seq 1 (another candidate, same settings and seed) and a re-recorded seq 4
    study.add_evaluation({"arch": 100}, _result(100), seq=1, seed=1, settings=SETTINGS, arrival=9)
    study.add_evaluation({"arch": 44}, _result(44), seq=4, seed=4, settings=SETTINGS, arrival=8, overwrite=True)
    rows = StudyRecorder(study, SETTINGS).load(lambda i: i)
    assert len(rows) == 6
    assert rows[1].result.fitness == -100 / 3 and rows[1].arrival == 9
    assert rows[4].result.fitness == -44 / 3
    _same(_loaded(rows), _expected(study))
    assert [i for _, i in rows.arrivals()] == [5, 3, 2, 0, 4, 1]


def test_seeds_are_checked_row_by_row(tmp_path, monkeypatch):
    monkeypatch.setattr(stored_module, "WINDOW", 4)
    study = _study(tmp_path, 10, seed=lambda i: None if i % 2 else i)
    rows = StudyRecorder(study, SETTINGS).load(lambda i: None if i % 2 else i)
    assert [rows[i].seed for i in range(4)] == [0, None, 2, None]
    with pytest.raises(SettingsMismatchError, match=r"seed: stored None \(seq=1\), now 1") as info:
        StudyRecorder(study, SETTINGS).load(lambda i: i)
    assert "5 finished evaluation(s)" in str(info.value)
    with pytest.raises(SettingsMismatchError, match=r"seed: stored 6 \(seq=6\), now None"):
        StudyRecorder(study, SETTINGS).load(lambda i: None if i % 2 or i == 6 else i)
    with pytest.raises(SettingsMismatchError, match=r"seed: stored 0 \(seq=0\), now None"):
        StudyRecorder(study, SETTINGS).load(lambda i: True if i == 0 else (None if i % 2 else i))  # a bool is no seed
    with pytest.raises(SettingsMismatchError, match=r"seed: stored 0 \(seq=0\), now 36893488147419103232"):
        StudyRecorder(study, SETTINGS).load(lambda i: 2**65 if i == 0 else (None if i % 2 else i))


def test_every_seed_null_and_an_empty_study(tmp_path):
    study = _study(tmp_path, 5, seed=lambda i: None, arrival=lambda i: None)
    rows = StudyRecorder(study, SETTINGS).load(lambda i: None)
    assert [rows[i].seed for i in rows] == [None] * 5 and rows.arrivals() == []
    empty = ExperimentStore(tmp_path / "e.sqlite").create_study("e")
    assert len(StudyRecorder(empty, SETTINGS).load(lambda i: i)) == 0


def test_pop_removes_a_row(tmp_path):
    study = _study(tmp_path, 5)
    rows = StudyRecorder(study, SETTINGS).load(lambda i: i)
    assert rows.pop(2).seq == 2 and 2 not in rows and len(rows) == 4 and list(rows) == [0, 1, 3, 4]
    assert rows.pop(2, None) is None and rows.arrivals() == [(0, 4), (1, 3), (3, 1), (4, 0)]
    with pytest.raises(KeyError):
        rows.pop(2)


def test_a_row_deleted_before_its_result_is_read_is_a_store_error(tmp_path):
    study = _study(tmp_path, 5)
    rows = StudyRecorder(study, SETTINGS).load(lambda i: i)
    study.discard([3])  # (another process, say)
    with pytest.raises(StoreError, match="seq=3 was deleted or replaced while the search resumed"):
        rows[3].result


def test_a_crafted_store_is_a_store_error_naming_the_study(tmp_path):
    study = _study(tmp_path, 4)
    path = study.store.path
    study.store.close()
    conn = sqlite3.connect(path)
    damages = [  # each on top of the last one mended
        ("UPDATE evaluations SET arrival='late' WHERE seq=2", StoreError,
         "'s'.*seq=2 has an arrival that is not an integer"),
        ("UPDATE evaluations SET arrival=2, seed='five' WHERE seq=2", SettingsMismatchError,
         r"seed: stored five \(seq=2\), now 2"),
        ("UPDATE evaluations SET seed=2, seq='two' WHERE seq=2", StoreError, "'s'.*seq is 'two'"),
        ("UPDATE evaluations SET seq=2.5 WHERE seq='two'", StoreError, None),
    ]
    for sql, error, match in damages:
        conn.execute(sql)
        conn.commit()
        with pytest.raises(error, match=match):
            StudyRecorder(ExperimentStore(path).load_study("s"), SETTINGS).load(lambda i: i)
    conn.close()
