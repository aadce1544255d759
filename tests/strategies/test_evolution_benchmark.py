"""Issue 5, done-when 1 and 2, on the real NAS-Bench-Graph ``cora`` table.

1. 30 seeds x 500 evaluations: regularized evolution (P = 50, S = 10) ends with a better best
   validation score than random search (S = 1): one-sided Mann-Whitney U, p < 0.01.
2. Concurrent regularized evolution, W = 4 vs W = 1: the distributions of how often an
   individual is sampled before it is removed (thesis Fig. 6.2) are compared with a
   two-sample Kolmogorov-Smirnov test; as in the thesis they are indistinguishable.
"""

import numpy as np
import pytest

pytest.importorskip("nas_bench_graph")
stats = pytest.importorskip("scipy.stats")

from nasnb.benchmarks import NASBenchGraph  # noqa: E402
from nasnb.strategies import RandomSearch, RegularizedEvolution, curves_frame  # noqa: E402

P, S, BUDGET, SEEDS = 50, 10, 500, 30


@pytest.fixture(scope="module")
def cora():
    return NASBenchGraph("cora")


@pytest.fixture(scope="module")
def histories(cora):
    return {
        "regularized evolution": [RegularizedEvolution(cora, P, S, seed=s).run(cora, BUDGET) for s in range(SEEDS)],
        "random search": [RandomSearch(cora, P, seed=s).run(cora, BUDGET) for s in range(SEEDS)],
    }


def test_regularized_evolution_beats_random_search_on_cora(histories):
    curves = curves_frame(histories)
    assert len(curves) == 2 * SEEDS * BUDGET
    final = curves[curves.evaluation == BUDGET].groupby("strategy").best_so_far
    re_best = final.get_group("regularized evolution").to_numpy()
    rs_best = final.get_group("random search").to_numpy()
    test = stats.mannwhitneyu(re_best, rs_best, alternative="greater")
    assert test.pvalue < 0.01, (re_best.mean(), rs_best.mean(), test)
    # the curves are data: every run's incumbent curve is monotone and ends at its best
    for label, runs in histories.items():
        for h in runs:
            assert h.best_so_far()[-1] == h.best.fitness and h.status_counts == {"done": BUDGET}


def test_concurrent_workers_sample_individuals_like_the_serial_algorithm(cora):
    counts = {}
    for workers in (1, 4):
        runs = [RegularizedEvolution(cora, P, S, seed=s, workers=workers).run(cora, BUDGET) for s in range(10)]
        counts[workers] = np.concatenate([h.removed_sample_counts() for h in runs])
    assert len(counts[1]) == len(counts[4]) == 10 * (BUDGET - P)
    test = stats.ks_2samp(counts[1], counts[4])
    assert test.pvalue > 0.01, test
    assert abs(counts[1].mean() - counts[4].mean()) < 0.5
