"""Only finished candidates compete (issue 26, point 2).

Every strategy runs with a negative fitness (``-error``, as ``LocalEvaluator`` reports for
regression) while a third of the candidates raise. A failed row keeps the placeholder fitness 0,
which is *above* every real fitness here, so any code path that ranks it would pick it: no
failed row may be a parent, the best, a point of the incumbent curve or of an ECDF, and the
DQN may not learn a failed cell as better than a finished one.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib

import numpy as np
import pytest

from nasnb.benchmarks import NASBenchGraph
from nasnb.store import ExperimentStore
from nasnb.strategies import DoubleDQNSearch, GeneticSearch, RandomSearch, RegularizedEvolution, SearchHistory
from nasnb.viz import ecdf_data, progress_data
from nasnb.viz._records import as_frame

BUDGET = 60


class NegativeErrorWithFailures:
    """Fitness ``-(1 - validation score)`` (always < 0); candidates whose key hashes to 0 mod 3 raise."""

    def __init__(self, bench):
        self.bench = bench

    def evaluate_candidate(self, candidate):
        key = str(self.bench.key(candidate))
        if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 3 == 0:
            raise RuntimeError(f"simulated crash of {key}")
        return -(1.0 - self.bench.evaluate_candidate(candidate).fitness) - 0.01


@pytest.fixture(scope="module")
def bench():
    return NASBenchGraph("cora")


STRATEGIES = {
    "regularized_evolution": lambda b: RegularizedEvolution(b, 8, 4, seed=3, workers=2),
    "random_search": lambda b: RandomSearch(b, 8, seed=4, workers=2),
    "genetic_search": lambda b: GeneticSearch(b, population_size=6, tournament_size=3, seed=5),
    "double_dqn": lambda b: DoubleDQNSearch(b, seed=6, replay_batch_size=8, learning_starts=8),
}


def _check_history(h: SearchHistory):
    statuses = np.array(h.statuses)
    done = statuses == "done"
    assert (statuses == "failed").sum() >= 5 and done.sum() >= 5  # the adversarial case really happened
    assert (h.fitness[done] < 0).all() and (h.fitness[~done] == 0).all()  # placeholder above every result
    for parent in h.parents[h.parents >= 0]:
        assert statuses[parent] == "done"  # never bred from a failed candidate
    best = h.best
    assert statuses[best.index] == "done" and best.fitness == h.fitness[done].max()
    curve = h.best_so_far()
    first = int(np.argmax(done))
    assert np.isnan(curve[:first]).all()
    expected = np.maximum.accumulate(np.where(done, h.fitness, -np.inf))[first:]
    np.testing.assert_array_equal(curve[first:], expected)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_failed_candidates_never_compete_in_a_search(name, bench):
    h = STRATEGIES[name](bench).run(NegativeErrorWithFailures(bench), BUDGET)
    assert len(h) == BUDGET
    _check_history(h)


@pytest.mark.parametrize("mode", ["batch", "async"])
def test_failed_candidates_never_compete_on_a_thread_pool(mode, bench):
    with cf.ThreadPoolExecutor(2) as pool:
        h = RegularizedEvolution(bench, 8, 4, seed=7, workers=2).run(NegativeErrorWithFailures(bench), BUDGET,
                                                                      executor=pool, mode=mode)
    _check_history(h)


def test_analyses_of_a_study_rank_only_finished_rows(bench, tmp_path):
    study = ExperimentStore(tmp_path / "s.sqlite").create_study("neg", {})
    h = RegularizedEvolution(bench, 8, 4, seed=3).run(NegativeErrorWithFailures(bench), BUDGET, study=study)
    done = np.array(h.statuses) == "done"
    frame = as_frame(study)
    assert frame.loc[frame["status"] != "done", "fitness"].isna().all()
    progress = progress_data(study).frame
    top = h.fitness[done].max()
    assert np.nanmax(progress["best_so_far"]) == top  # never the failed rows' 0
    assert progress.loc[progress["status"] != "done", "fitness"].isna().all()
    ecdf = ecdf_data(study, statuses=("done", "failed")).frame
    assert len(ecdf) == done.sum() and (ecdf["value"] < 0).all()


def test_a_history_where_nothing_finished_has_no_best():
    from nasnb.exceptions import SearchError

    h = SearchHistory(["a", "b"], [0.0, 0.0], statuses=["failed", "invalid"])
    assert np.isnan(h.best_so_far()).all()
    with pytest.raises(SearchError, match="finished"):
        h.best


@pytest.mark.parametrize("normalize", [True, False])
def test_the_dqn_learns_a_failed_cell_below_every_finished_one(normalize, bench):
    agent = DoubleDQNSearch(bench, seed=6, replay_batch_size=8, learning_starts=8, normalize_rewards=normalize)
    h = agent.run(NegativeErrorWithFailures(bench), 30)
    terminal = np.flatnonzero(agent._buf_done[:agent._buf_len] > 0)
    assert len(terminal) == 30
    learnt = agent._learnt_rewards(terminal)  # the terminal transitions in episode order
    done = np.array(h.statuses) == "done"
    assert (~done).any() and learnt[~done].max() <= learnt[done].min()
