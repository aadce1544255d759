"""The one "already done?" rule (issue 20): a stored row is reused only when candidate, seed and
settings all match; a study run with other settings raises a named error or, when asked, starts
afresh with its old rows archived. Checked on every executor of this process (the cluster's
cases are in tests/cluster/test_cluster_mpi.py)."""

from __future__ import annotations

import concurrent.futures as cf
import sqlite3

import pytest

import nasnb
from nasnb.exceptions import SettingsMismatchError, StoreError
from nasnb.executors import SimulatedExecutor
from nasnb.spaces import layer_choice_space
from nasnb.store import ExperimentStore, Status
from nasnb.strategies import RandomSearch

# torch imported here, in the main thread: run_evaluation imports it lazily, and two pool threads
# importing it at once can meet a partially initialised module (a race outside this test's subject)
pytest.importorskip("torch")


class Counting:
    """Deterministic scores from the descriptor, the seed and ``epochs``; counts its calls."""

    def __init__(self, scale=1.0):
        self.scale, self.calls = scale, 0

    def settings(self):
        return {"evaluator": "Counting", "scale": self.scale}

    def descriptor_evaluate(self, descriptor, seed=None, epochs=1):
        self.calls += 1
        fitness = ((len(descriptor.layers) * 7 + (seed or 0) * 3 + epochs) % 17) / 17 * self.scale
        return nasnb.EvaluationResult(1.0 - fitness, {"accuracy": fitness}, 0.0, fitness)


EXECUTORS = {
    "inline": lambda: None,
    "thread_pool": lambda: cf.ThreadPoolExecutor(2),
    "simulated": lambda: SimulatedExecutor(2, cost=lambda outcome: 1.0),
}


def _run(study, evaluator, executor_name, budget=4, **kw):
    executor = EXECUTORS[executor_name]()
    try:
        return RandomSearch(layer_choice_space(channels=8), seed=0, workers=2).run(
            evaluator, budget, study=study, executor=executor, **kw)
    finally:
        if isinstance(executor, cf.Executor):
            executor.shutdown()


@pytest.fixture
def store(tmp_path):
    return ExperimentStore(tmp_path / "s.sqlite")


@pytest.mark.parametrize("executor", sorted(EXECUTORS))
@pytest.mark.parametrize("change, differs", [
    ({"evaluate_kwargs": {"epochs": 8}}, "evaluate.epochs: stored 1, now 8"),
    ({"evaluator": lambda: Counting(scale=0.5)}, "evaluator.scale: stored 1.0, now 0.5"),
    ({"evaluate_kwargs": {"epochs": 1, "seed": 9}}, "seed: stored "),
])
def test_other_settings_are_refused_and_archive_starts_afresh(store, executor, change, differs):
    study = store.create_study("s")
    first = _run(study, Counting(), executor, evaluate_kwargs={"epochs": 1})
    rows = [(r.seq, r.fitness) for r in study.evaluations()]
    evaluator = change.get("evaluator", Counting)()
    kwargs = change.get("evaluate_kwargs", {"epochs": 1})
    with pytest.raises(SettingsMismatchError, match=differs) as info:
        _run(study, evaluator, executor, evaluate_kwargs=kwargs)
    assert "another study name" in str(info.value) and 'on_mismatch="archive"' in str(info.value)
    assert evaluator.calls == 0 and [(r.seq, r.fitness) for r in study.evaluations()] == rows  # nothing ran
    # the explicit choice: the old rows move to an archived study, the study starts afresh
    fresh = _run(study, evaluator, executor, evaluate_kwargs=kwargs, on_mismatch="archive")
    assert evaluator.calls == 4
    archived = store.load_study("s~archived-1")
    assert [(r.seq, r.fitness) for r in archived.evaluations()] == rows  # kept, never deleted
    assert [r.fitness for r in study.evaluations()] == pytest.approx(fresh.fitness.tolist())
    assert first.candidates == fresh.candidates  # same search, other settings: other results kept apart
    # resumed with the new settings: all reused
    again = Counting(getattr(evaluator, "scale", 1.0))
    resumed = _run(study, again, executor, evaluate_kwargs=kwargs)
    assert again.calls == 0 and resumed.fitness.tolist() == fresh.fitness.tolist()


@pytest.mark.parametrize("executor", sorted(EXECUTORS))
def test_same_settings_reuse_every_row(store, executor):
    study = store.create_study("s")
    first = _run(study, Counting(), executor, budget=6, evaluate_kwargs={"epochs": 2})
    again = Counting()
    resumed = _run(study, again, executor, budget=6, evaluate_kwargs={"epochs": 2})
    assert again.calls == 0 and resumed.fitness.tolist() == first.fitness.tolist()
    assert {r.status for r in study.evaluations()} == {Status.DONE} and len(study) == 6


def test_the_issue_example_raises(tmp_path):
    """Editing a notebook cell (epochs 1 -> 8) and running it again into the same study."""
    space = nasnb.layer_choice_space(channels=8)
    ev = nasnb.LocalEvaluator("Adam", {"lr": 1e-2})
    store = nasnb.ExperimentStore(tmp_path / "s.sqlite")
    s = nasnb.RandomSearch(space, seed=0)
    st = store.create_study("s", {"search": s.config()})
    s.run(ev, 2, study=st, evaluate_kwargs={"epochs": 1, "dataset": "digits", "percentage": 0.2})
    s2 = nasnb.RandomSearch(space, seed=0)
    st2 = store.create_study("s", {"search": s2.config()})
    with pytest.raises(SettingsMismatchError, match="evaluate.epochs: stored 1, now 8") as info:
        s2.run(ev, 2, study=st2, evaluate_kwargs={"epochs": 8, "dataset": "digits", "percentage": 0.2})
    assert info.value.differences == ["evaluate.epochs"]
    assert isinstance(info.value, StoreError)  # a StudyConfigError, as a changed study configuration
    ev2 = nasnb.LocalEvaluator("Adam", {"lr": 1e-3})  # the evaluator's own configuration counts too
    with pytest.raises(SettingsMismatchError, match=r"evaluator.optimizer_params.lr: stored 0.01, now 0.001"):
        nasnb.RandomSearch(space, seed=0).run(ev2, 2, study=st2, evaluate_kwargs={
            "epochs": 1, "dataset": "digits", "percentage": 0.2})


def test_a_candidate_on_an_executor_is_a_running_row(tmp_path):
    path = tmp_path / "r.sqlite"
    study = ExperimentStore(path).create_study("r")
    seen = []

    class Peeking(Counting):
        def descriptor_evaluate(self, descriptor, seed=None, epochs=1):
            with sqlite3.connect(path) as conn:  # what a dashboard polling the file sees meanwhile
                seen.append(conn.execute("SELECT seq, status FROM evaluations WHERE status='running' "
                                         "ORDER BY seq").fetchall())
            return super().descriptor_evaluate(descriptor, seed=seed, epochs=epochs)

    with cf.ThreadPoolExecutor(1) as pool:
        RandomSearch(layer_choice_space(channels=8), seed=0).run(Peeking(), 3, study=study, executor=pool)
    assert seen == [[(0, "running")], [(1, "running")], [(2, "running")]]
    assert [r.status for r in study.evaluations()] == ["done"] * 3  # each completed, no running row left


def test_running_rows_of_a_stopped_run_are_removed(tmp_path):
    class Boom(Counting):
        def descriptor_evaluate(self, descriptor, seed=None, epochs=1):
            if self.calls == 2:
                raise KeyboardInterrupt
            return super().descriptor_evaluate(descriptor, seed=seed, epochs=epochs)

    study = ExperimentStore(tmp_path / "b.sqlite").create_study("b")
    with cf.ThreadPoolExecutor(1) as pool, pytest.raises(BaseException):
        RandomSearch(layer_choice_space(channels=8), seed=0).run(Boom(), 5, study=study, executor=pool,
                                                                 catch=(ValueError,))
    assert [r.status for r in study.evaluations()] == ["done", "done"]


def test_add_evaluations_and_a_search_write_the_same_row(tmp_path):
    """One row builder and one write path: the public add_evaluations writes what a search writes,
    and overwrite replaces the evaluation of a sequence index in both."""
    space = layer_choice_space(channels=8)
    store = ExperimentStore(tmp_path / "w.sqlite")
    searched = store.create_study("searched")
    RandomSearch(space, seed=0).run(Counting(), 2, study=searched)
    rows = searched.evaluations()
    added = store.create_study("added")
    added.add_evaluations([{"descriptor": r.descriptor(), "result": r.result, "seq": r.seq, "seed": r.seed,
                            "settings": r.settings} for r in rows])
    assert [(r.key, r.descriptor_hash) for r in added.evaluations()] == [(r.key, r.descriptor_hash) for r in rows]
    with pytest.raises(StoreError, match="never recorded twice"):
        added.add_evaluation(rows[0].descriptor(), rows[0].result, seq=0, seed=rows[0].seed, settings=rows[0].settings)
    other = nasnb.EvaluationResult(0.5, {}, 0.0, 0.5)
    added.add_evaluation({"another": "candidate"}, other, seq=0, overwrite=True)  # replaces seq 0 whatever it held
    assert [(r.seq, r.fitness) for r in added.evaluations()] == [(0, 0.5), (1, rows[1].fitness)]


def test_a_v2_store_migrates_to_the_one_candidate_hash(tmp_path):
    path = tmp_path / "v2.sqlite"
    study = ExperimentStore(path).create_study("t")
    key = study.add_evaluation({"ops": ["conv", "pool"]}, nasnb.EvaluationResult(0.1, {}, 0.0, 0.9), seq=0)
    right = study.get(key).descriptor_hash
    with sqlite3.connect(path) as conn:  # what a v2 search path stored: the space's own key
        conn.execute("UPDATE evaluations SET descriptor_hash='tabular-key', key='old'")
        conn.execute("PRAGMA user_version=2")
    row = ExperimentStore(path).load_study("t").evaluations()[0]
    assert (row.descriptor_hash, row.key) == (right, key)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def test_retrying_failed_rows_on_an_executor(tmp_path):
    """A retried row is replaced by its new result (no running row is written over a finished one)."""

    class Flaky(Counting):
        broken = True

        def descriptor_evaluate(self, descriptor, seed=None, epochs=1):
            if self.broken and seed % 2:
                raise RuntimeError("flaky")
            return super().descriptor_evaluate(descriptor, seed=seed, epochs=epochs)

    study = ExperimentStore(tmp_path / "f.sqlite").create_study("f")
    with cf.ThreadPoolExecutor(2) as pool:
        first = RandomSearch(layer_choice_space(channels=8), seed=0, workers=2).run(Flaky(), 6, study=study,
                                                                                   executor=pool)
        failed = [i for i, s in enumerate(first.statuses) if s == "failed"]
        assert failed and len(failed) < 6
        fixed = Flaky()
        fixed.broken = False
        again = RandomSearch(layer_choice_space(channels=8), seed=0, workers=2).run(
            fixed, 6, study=study, executor=pool, retry_failed=True)
    assert fixed.calls == len(failed) and set(again.statuses) == {"done"}
    assert [r.status for r in study.evaluations()] == ["done"] * 6


class NaNMetric(Counting):
    """Reports a metric that is NaN for every candidate (e.g. a benchmark field the table lacks)."""

    def descriptor_evaluate(self, descriptor, seed=None, epochs=1):
        result = super().descriptor_evaluate(descriptor, seed=seed, epochs=epochs)
        return nasnb.EvaluationResult(result.loss, {**result.metrics, "latency": float("nan")}, 0.0, result.fitness)


def test_a_nan_metric_survives_the_store_and_the_study_resumes(tmp_path):
    # NaN is stored as JSON null; a resumed search must get NaN back, not None (which results refuse)
    path = tmp_path / "s.sqlite"
    first = _run(ExperimentStore(path).create_study("nan", {}), NaNMetric(), "inline", budget=4)
    resumed = _run(ExperimentStore(path).load_study("nan"), NaNMetric(), "inline", budget=6)
    fresh = _run(ExperimentStore(tmp_path / "f.sqlite").create_study("nan", {}), NaNMetric(), "inline", budget=6)
    assert list(resumed.fitness) == list(fresh.fitness) and list(resumed.fitness[:4]) == list(first.fitness)
    assert all(m["latency"] != m["latency"] for m in resumed.metrics)  # NaN, as reported
