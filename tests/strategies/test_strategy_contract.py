"""One contract for every strategy: the same run on every executor, with and without a study.

Every search over architectures goes through ``Strategy.run`` (issue 12, point 4): regularized
evolution, random search, the architecture GA and the Double-DQN agent. For each strategy and
each executor (serial, a thread pool, the 2-engine MPI cluster) this checks: the history equals
the serial one; with a study there is exactly one row per evaluation carrying the trial, its
parent, candidate and seed; a run killed half-way and resumed equals an uninterrupted run.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import shutil

import numpy as np
import pytest

from nasnb.store import candidate_hash

from nasnb.benchmarks import NASBenchGraph
from nasnb.store import ExperimentStore
from nasnb.strategies import DoubleDQNSearch, GeneticSearch, RandomSearch, RegularizedEvolution

BUDGET = 24


class Killed(BaseException):
    """A dead client (not an Exception: nothing may catch it)."""


class DyingStudy:
    """A study proxy whose client 'dies' right before writing its ``after``-th row."""

    def __init__(self, study, after):
        self._study, self._left = study, after

    def record(self, row, **kw):
        if self._left == 0:
            raise Killed()
        self._left -= 1
        return self._study.record(row, **kw)

    def __getattr__(self, name):
        return getattr(self._study, name)


@pytest.fixture(scope="module")
def bench():
    return NASBenchGraph("cora")


STRATEGIES = {
    "regularized_evolution": lambda b: RegularizedEvolution(b, 8, 3, seed=3, workers=4),
    "random_search": lambda b: RandomSearch(b, 8, seed=4, workers=2),
    "genetic_search": lambda b: GeneticSearch(b, population_size=6, tournament_size=2, seed=5),
    "double_dqn": lambda b: DoubleDQNSearch(b, seed=6, replay_batch_size=8, learning_starts=8),
}


def _same(a, b):
    assert a.keys == b.keys
    np.testing.assert_array_equal(a.fitness, b.fitness)
    assert a.statuses == b.statuses and a.parents.tolist() == b.parents.tolist()


def _check_rows(study, history, bench):
    rows = study.evaluations()
    assert [r.seq for r in rows] == list(range(len(history)))  # one row per evaluation
    assert [r.fitness for r in rows] == pytest.approx(history.fitness.tolist())
    assert [r.parent for r in rows] == history.parents.tolist()
    assert [r.candidate(bench) for r in rows] == history.candidates
    # the one candidate hash: what add_evaluation would store for the same candidate JSON
    assert [r.descriptor_hash for r in rows] == [candidate_hash(bench.candidate_to_json(c)) for c in history.candidates]
    assert len({json.dumps(r.settings, sort_keys=True) for r in rows}) == 1  # one settings schema per study


def _contract(make, bench, executor, tmp_path):
    reference = make(bench).run(bench, BUDGET)
    assert len(reference) == BUDGET
    plain = make(bench).run(bench, BUDGET, executor=executor)
    _same(plain, reference)
    store = ExperimentStore(tmp_path / "contract.sqlite")
    study = store.create_study("s", make(bench).config())
    recorded = make(bench).run(bench, BUDGET, executor=executor, study=study)
    _same(recorded, reference)
    _check_rows(study, recorded, bench)
    # killed half-way, then resumed: the same history, nothing evaluated twice
    killed = store.create_study("k", make(bench).config())
    with pytest.raises(Killed):
        make(bench).run(bench, BUDGET, executor=executor, study=DyingStudy(killed, BUDGET // 2 + 1))
    assert len(killed.evaluations()) == BUDGET // 2 + 1
    resumed = make(bench).run(bench, BUDGET, executor=executor, study=killed)
    _same(resumed, reference)
    _check_rows(killed, resumed, bench)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_serial(name, bench, tmp_path):
    _contract(STRATEGIES[name], bench, None, tmp_path)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_thread_pool(name, bench, tmp_path):
    with cf.ThreadPoolExecutor(2) as pool:
        _contract(STRATEGIES[name], bench, pool, tmp_path)


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("ipyparallel")
    if shutil.which("mpiexec") is None:  # pragma: no cover
        pytest.skip("mpiexec is not on PATH")
    from nasnb.cluster import Cluster

    with Cluster(n=2, timeout=120) as env:
        yield env


@pytest.mark.cluster
def test_cluster(bench, tmp_path, cluster):
    for name in sorted(STRATEGIES):
        (tmp_path / name).mkdir()
        _contract(STRATEGIES[name], bench, cluster, tmp_path / name)
    rows = ExperimentStore(tmp_path / "double_dqn" / "contract.sqlite").load_study("s").evaluations()
    assert {r.engine_rank for r in rows} <= {0, 1} and all(r.engine_id is not None for r in rows)


def test_async_replay_rebuilds_the_same_search_whatever_the_timing(bench, tmp_path):
    """Steady-state evolution on a thread pool (arrival order depends on timing): the study
    records the arrival order, and a rerun with the study rebuilds the very same history."""
    import time

    class Slow:
        def __init__(self):
            self.rng = np.random.default_rng(0)

        def evaluate_candidate(self, cell):
            time.sleep(float(self.rng.uniform(0, 0.004)))
            return bench.evaluate_candidate(cell)

        def settings(self):  # the same evaluation as the table's, slowed down: the same settings
            return {"evaluator": type(bench).__name__}

    study = ExperimentStore(tmp_path / "a.sqlite").create_study("a")
    make = STRATEGIES["regularized_evolution"]
    with cf.ThreadPoolExecutor(4) as pool:
        first = make(bench).run(Slow(), 40, executor=pool, study=study, mode="async")
    rows = study.evaluations()
    assert sorted(r.arrival for r in rows) == list(range(40))
    assert first.arrivals.tolist() == [r.arrival for r in rows]
    replayed = make(bench).run(bench, 40, study=study, mode="async")  # no evaluation runs: all replayed
    _same(replayed, first)
    assert replayed.arrivals.tolist() == first.arrivals.tolist()
