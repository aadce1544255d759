"""What ``Strategy.run`` records and how it treats failures (issue 12: the defects, reproduced).

No cluster here (see tests/cluster/test_cluster_executor.py for the same checks on engines).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import sqlite3

import numpy as np
import pytest

from nasnb.exceptions import EvaluationError, ParameterError
from nasnb.results import EvaluationResult
from nasnb.spaces import layer_choice_space
from nasnb.store import ExperimentStore
from nasnb.strategies import RegularizedEvolution


class TupleEvaluator:
    """Returns the thesis' ``(loss, metrics, total_time)`` tuple; records the seeds it got."""

    def __init__(self):
        self.seeds = []

    def descriptor_evaluate(self, descriptor, epochs=1, seed=None):
        self.seeds.append(seed)
        return (0.25, {"accuracy": 0.9}, 1.5)


class Flaky:
    """Raises NameError for some candidates (by their size), scores the others."""

    def __init__(self, error=NameError):
        self.error = error

    def descriptor_evaluate(self, descriptor, seed=None):
        if len(descriptor) % 3 == 0:
            raise self.error("name 'conv' is not defined")
        return EvaluationResult(0.1, {"accuracy": len(descriptor) / 20}, 0.0, len(descriptor) / 20)

    def settings(self):  # the evaluator's configuration: a subclass that fixes a bug keeps it
        return {"evaluator": "scores by size", "version": 1}


def search(**kw):
    return RegularizedEvolution(layer_choice_space(), 6, 2, seed=11, **kw)


@pytest.fixture
def store(tmp_path):
    return ExperimentStore(tmp_path / "r.sqlite")


def test_the_recorded_seed_is_the_seed_the_evaluator_used(store):
    """Defect: with evaluate_kwargs={"seed": 7} every evaluation trained with 7, yet the rows
    recorded the strategy's trial seeds."""
    study = store.create_study("fixed-seed")
    evaluator = TupleEvaluator()
    search().run(evaluator, 10, study=study, evaluate_kwargs={"seed": 7, "epochs": 1})
    assert evaluator.seeds == [7] * 10
    assert [r.seed for r in study.evaluations()] == [7] * 10
    # without a fixed seed each trial gets its own, and the row holds exactly that one
    study = store.create_study("trial-seeds")
    evaluator = TupleEvaluator()
    search().run(evaluator, 10, study=study)
    assert [r.seed for r in study.evaluations()] == evaluator.seeds
    assert len(set(evaluator.seeds)) == 10


@pytest.mark.parametrize("executor", [None, "threads"])
def test_a_thesis_tuple_gives_its_accuracy_as_fitness_everywhere(store, executor):
    """Defect: the tuple became fitness 0.9 through Strategy.run and 0.0 through Cluster."""
    study = store.create_study(f"tuple-{executor}")
    with cf.ThreadPoolExecutor(2) as pool:
        h = search().run(TupleEvaluator(), 8, study=study, executor=pool if executor else None)
    assert h.fitness.tolist() == [0.9] * 8
    rows = study.evaluations()
    assert [r.fitness for r in rows] == [0.9] * 8 and [r.loss for r in rows] == [0.25] * 8
    # one settings schema, where the row was computed, with how many threads
    assert rows[0].settings == {"evaluator": {"evaluator": "TupleEvaluator"}, "evaluate": {}}
    assert all(r.threads == 1 and r.engine_host and r.engine_pid and r.device == "cpu" for r in rows)


def test_a_failing_evaluator_is_recorded_and_logged(store, caplog):
    """Defect: an evaluator raising NameError turned a search into failed rows with no warning."""
    study = store.create_study("flaky")
    with caplog.at_level(logging.WARNING, logger="nasnb.strategies"):
        h = search().run(Flaky(), 30, study=study)
    failed = [r for r in study.evaluations() if r.status == "failed"]
    assert failed and len(failed) == h.status_counts["failed"]
    assert all("NameError: name 'conv' is not defined" in r.traceback for r in failed)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("failed (recorded as 'failed')" in m for m in warnings) == min(3, len(failed))
    assert "NameError" in warnings[0]
    if len(failed) > 3:
        assert any(f"{len(failed) - 3} more evaluation(s) failed" in m for m in warnings)


def test_catch_stops_the_run_on_other_exceptions_after_recording(store):
    study = store.create_study("catch")
    with pytest.raises(NameError, match="conv"):
        search().run(Flaky(), 30, study=study, catch=(KeyError,))
    rows = study.evaluations()
    assert rows[-1].status == "failed" and "NameError" in rows[-1].traceback  # recorded, then stopped
    with pytest.raises(ParameterError, match="'catch' parameter"):
        search().run(Flaky(), 3, catch="NameError")
    # an exception that cannot come back as itself still stops the run, by name
    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("not picklable")

    with pytest.raises((Odd, EvaluationError)):
        search().run(Flaky(error=Odd), 30, catch=(KeyError,))


def test_resume_can_rerun_failed_rows(store):
    study = store.create_study("retry")
    first = search().run(Flaky(), 30, study=study)
    failed = {r.seq for r in study.evaluations() if r.status == "failed"}
    assert failed

    class Fixed(Flaky):
        def descriptor_evaluate(self, descriptor, seed=None):
            return EvaluationResult(0.1, {"accuracy": 0.01}, 0.0, 0.01)

    again = search().run(Fixed(), 30, study=study)  # resume without retry: the failures stay
    assert again.statuses == first.statuses
    retried = search().run(Fixed(), 30, study=study, retry_failed=True)
    rows = study.evaluations()
    assert len(rows) == 30 and [r.seq for r in rows] == list(range(30))  # still one row per trial
    assert "failed" not in {r.status for r in rows}
    assert retried.status_counts == {"done": 30}


def test_each_evaluation_builds_and_hashes_its_descriptor_once(store, monkeypatch):
    """Defect: each recorded evaluation built its descriptor and computed its hash twice."""
    from nasnb.descriptors import NeuralDescriptor

    space = layer_choice_space()
    calls = {"build": 0, "hash": 0}
    to_descriptor, canonical_hash = type(space).to_descriptor, NeuralDescriptor.canonical_hash

    def counting_build(self, candidate):
        calls["build"] += 1
        return to_descriptor(self, candidate)

    def counting_hash(self):
        calls["hash"] += 1
        return canonical_hash(self)

    monkeypatch.setattr(type(space), "to_descriptor", counting_build)
    monkeypatch.setattr(NeuralDescriptor, "canonical_hash", counting_hash)
    RegularizedEvolution(space, 6, 2, seed=0).run(TupleEvaluator(), 20, study=store.create_study("once"))
    assert calls == {"build": 20, "hash": 20}


def test_row_and_candidate_are_written_in_one_transaction(store):
    """Defect: the row and its candidate checkpoint were separate transactions."""
    study = store.create_study("atomic")
    h = search().run(TupleEvaluator(), 8, study=study)
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("SELECT seq, candidate_json, parent FROM evaluations ORDER BY seq").fetchall()
        names = [r[0] for r in conn.execute("SELECT name FROM checkpoints")]
    assert all(c is not None for _, c, _ in rows) and [p for *_, p in rows] == h.parents.tolist()
    assert names == ["strategy"]  # no per-candidate checkpoints any more


def test_serial_thread_pool_and_async_agree_where_they_must(store):
    """Batch mode: the same history on every executor; async with one worker equals batch."""
    serial = search(workers=3).run(TupleEvaluator(), 15)
    with cf.ThreadPoolExecutor(3) as pool:
        pooled = search(workers=3).run(TupleEvaluator(), 15, executor=pool)
    assert serial.candidates == pooled.candidates
    one = search().run(TupleEvaluator(), 15)
    one_async = search().run(TupleEvaluator(), 15, mode="async")
    assert one.candidates == one_async.candidates
    np.testing.assert_array_equal(one.fitness, one_async.fitness)
