"""A store that knows itself (issue 16, point 3) and upgrades old ones (issue 12, point 1).

* a v1 store written by the first landing's code (``data/v1_store.sqlite``, made with that
  code) opens, migrates in one transaction and resumes;
* another application's SQLite file, a file that is no database, a damaged store and a
  read-only location each give a :class:`StoreError` naming the file and what to do;
* what an abrupt loss of the write-ahead log costs is measured, not guessed.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from nasnb.exceptions import ParameterError, StoreError
from nasnb.results import EvaluationResult
from nasnb.spaces import layer_choice_space
from nasnb.store import ExperimentStore
from nasnb.store.schema import APPLICATION_ID, SCHEMA_VERSION
from nasnb.strategies import RegularizedEvolution

V1 = Path(__file__).parent / "data" / "v1_store.sqlite"


class GenomeScore:
    """The evaluator the v1 fixture was recorded with (tests/store/data; see the module docstring)."""

    def __init__(self):
        self.calls = 0

    def descriptor_evaluate(self, descriptor, epochs=1, seed=None):
        self.calls += 1
        convs = sum(spec.type.startswith("CONV_3") for spec in descriptor.layers.values())
        fitness = (convs + 0.01 * (seed % 7)) / (1 + len(descriptor))
        return EvaluationResult(1 - fitness, {"accuracy": fitness}, 0.1, fitness)


def _pragmas(path):
    with sqlite3.connect(path) as conn:
        return (conn.execute("PRAGMA user_version").fetchone()[0], conn.execute("PRAGMA application_id").fetchone()[0])


def test_a_v1_store_migrates_and_resumes(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(V1, path)
    assert _pragmas(path) == (1, 0)
    store = ExperimentStore(path)
    study = store.load_study("re-v1")
    rows = study.evaluations()
    assert _pragmas(path) == (SCHEMA_VERSION, APPLICATION_ID)
    assert len(rows) == 12 and all(r.candidate_json is not None and r.arrival == r.seq for r in rows)
    space = layer_choice_space()
    reference = RegularizedEvolution(space, 6, 2, seed=0, workers=2).run(GenomeScore(), 12)
    assert [r.candidate(space) for r in rows] == reference.candidates  # the genomes moved into the rows
    assert [r.parent for r in rows] == reference.parents.tolist()
    assert [r.descriptor_hash for r in rows] == [space.to_descriptor(c).canonical_hash() for c in reference.candidates]
    with sqlite3.connect(path) as conn:  # the per-candidate checkpoints are gone, the strategy's stays
        assert [n for (n,) in conn.execute("SELECT name FROM checkpoints")] == ["strategy"]
    evaluator = GenomeScore()
    resumed = RegularizedEvolution(space, 6, 2, seed=0, workers=2).run(evaluator, 16, study=study,
                                                                       evaluate_kwargs={"epochs": 1})
    assert evaluator.calls == 4 and resumed.candidates[:12] == reference.candidates  # only the new ones ran
    plain = store.load_study("plain-v1").evaluations()
    assert plain[0].result.fitness == 0.8 and plain[0].candidate_json is None


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"shop\.db.*another application \(tables: invoices"):
        ExperimentStore(path).study_names()
    assert path.read_bytes() == before  # no tables added, not switched to WAL
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.parametrize("content", [b"hello, not a database", b"\x00" * 512 + b"junk", b"PK\x03\x04zipfile"])
def test_a_file_that_is_no_database_is_refused(tmp_path, content):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=r"notes\.sqlite"):
        ExperimentStore(path).study_names()
    assert path.read_bytes() == content


def test_a_damaged_store_names_the_file_and_how_to_recover(tmp_path):
    path = tmp_path / "damaged.sqlite"
    with ExperimentStore(path) as store:
        study = store.create_study("s")
        study.add_evaluations({"descriptor": {"a": i}, "result": EvaluationResult(0.1, {}, 0.0, 0.5), "seq": i}
                              for i in range(400))
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    assert len(data) > 6 * page
    data[3 * page: 5 * page] = bytes(range(256)) * (2 * page // 256)  # garbage over two b-tree pages
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged\.sqlite.*\.recover"):
        ExperimentStore(path).load_study("s").evaluations()


def test_a_large_store_is_checked_on_demand_not_on_every_open(tmp_path, monkeypatch):
    """The integrity check grows with the file: above CHECK_ON_OPEN_BYTES opening skips it (a
    million-row study opens in under a second) and check_integrity() runs it on demand."""
    from nasnb.store import opening

    path = tmp_path / "big.sqlite"
    with ExperimentStore(path) as store:
        store.create_study("s").add_evaluations(
            {"descriptor": {"a": i}, "result": EvaluationResult(0.1, {}, 0.0, 0.5), "seq": i} for i in range(400))
        assert store.check_integrity() == "ok"
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[3 * page: 5 * page] = bytes(range(256)) * (2 * page // 256)
    path.write_bytes(bytes(data))
    monkeypatch.setattr(opening, "CHECK_ON_OPEN_BYTES", page)  # the file counts as large now
    store = ExperimentStore(path)
    assert store.study_names() == ["s"]  # opened without the whole-file check
    with pytest.raises(StoreError, match=r"(?s)big\.sqlite.*damaged.*quick_check.*\.recover"):
        store.check_integrity()


def test_a_read_only_location_is_explained_and_read_only_mode_reads(tmp_path):
    with pytest.raises(StoreError, match="read-only location.*read_only=True"):
        ExperimentStore("/proc/nasnb-store.sqlite").create_study("s")
    path = tmp_path / "shared.sqlite"
    with ExperimentStore(path) as store:
        store.create_study("s").add_evaluation({"a": 1}, EvaluationResult(0.1, {}, 0.0, 0.7), seq=0)
    reader = ExperimentStore(path, read_only=True)
    assert reader.load_study("s").evaluations()[0].fitness == 0.7
    with pytest.raises(StoreError, match="opened read-only"):
        reader.load_study("s").add_evaluation({"a": 2}, EvaluationResult(0.1, {}, 0.0, 0.7), seq=1)
    with pytest.raises(StoreError, match="does not exist"):
        ExperimentStore(tmp_path / "missing.sqlite", read_only=True)
    with pytest.raises(ParameterError, match="'group_commit'"):
        ExperimentStore(path, group_commit=0)
    with pytest.raises(ParameterError, match="'checkpoint_every'"):
        ExperimentStore(path, checkpoint_every=0)


def _record(path, n, **kw):
    store = ExperimentStore(path, **kw)
    study = store.create_study("wal")
    for i in range(n):
        study.add_evaluation({"a": i}, EvaluationResult(0.1, {}, 0.0, 0.5), seq=i)
    return store  # left open, like a killed client: no close(), no final checkpoint


def _survivors(main_file):
    return len(ExperimentStore(main_file).load_study("wal").evaluations())


def test_what_losing_the_write_ahead_log_costs(tmp_path):
    """Decided and measured: a lost -wal file costs the rows committed since the last checkpoint.

    With the default ``checkpoint_every=30`` s a client killed within 30 s of its last checkpoint
    loses those rows if the -wal file is then deleted; checkpointing after every commit loses
    nothing; :meth:`ExperimentStore.close` always checkpoints.
    """
    # default interval: the 200 rows of the last seconds live only in the WAL
    live = _record(tmp_path / "a.sqlite", 200)
    shutil.copy(tmp_path / "a.sqlite", tmp_path / "a-copy.sqlite")  # the main file without its WAL
    assert _survivors(tmp_path / "a-copy.sqlite") < 200
    live.close()  # a clean close checkpoints: nothing depends on the WAL any more
    shutil.copy(tmp_path / "a.sqlite", tmp_path / "a-closed.sqlite")
    assert _survivors(tmp_path / "a-closed.sqlite") == 200
    # checkpoint after every commit: the main file alone holds every row
    eager = _record(tmp_path / "b.sqlite", 50, checkpoint_every=1e-9)
    shutil.copy(tmp_path / "b.sqlite", tmp_path / "b-copy.sqlite")
    assert _survivors(tmp_path / "b-copy.sqlite") == 50
    eager.close()
    # a truncated WAL: SQLite keeps the frames before the cut, silently drops the rest
    live = _record(tmp_path / "c.sqlite", 60)  # fewer rows than SQLite's automatic checkpoint (1000 pages)
    wal = Path(str(tmp_path / "c.sqlite") + "-wal")
    shutil.copy(tmp_path / "c.sqlite", tmp_path / "c-copy.sqlite")
    data = wal.read_bytes()
    Path(str(tmp_path / "c-copy.sqlite") + "-wal").write_bytes(data[: len(data) // 2])
    kept = _survivors(tmp_path / "c-copy.sqlite")
    assert 0 < kept < 60  # what came before the cut is kept; no error is raised
    live.close()
