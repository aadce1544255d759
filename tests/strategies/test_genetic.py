"""Tests of the shared genetic algorithm (nasnb.strategies.genetic)."""

import numpy as np
import pytest

from nasnb.exceptions import ParameterError
from nasnb.strategies.genetic import GeneticAlgorithm


def sphere_table(n=20, d=2):
    axes = np.meshgrid(*[np.arange(n)] * d, indexing="ij")
    return sum((a - 7.0) ** 2 for a in axes)


def test_run_finds_the_optimum_of_a_small_integer_problem():
    ga = GeneticAlgorithm([0, 0, 0], [9, 9, 9], mutation_prob=0.2, seed=0)
    res = ga.run(lambda x: float(np.sum((x - [1, 5, 8]) ** 2)), generations=60)
    assert res.best_x.tolist() == [1, 5, 8]
    assert res.best_fitness == 0.0
    assert len(res.evaluated) == 10 * 61
    # pure elitism: the champion never gets worse
    assert np.all(np.diff(res.history["best_fitness"].to_numpy()) <= 0)


def test_run_is_reproducible_for_a_seed_and_differs_across_seeds():
    def fit(x):
        return float(np.sin(x).sum())

    a = GeneticAlgorithm([0] * 4, [50] * 4, seed=3).run(fit, 15)
    b = GeneticAlgorithm([0] * 4, [50] * 4, seed=3).run(fit, 15)
    c = GeneticAlgorithm([0] * 4, [50] * 4, seed=4).run(fit, 15)
    assert a.evaluated.equals(b.evaluated)
    assert not a.evaluated.equals(c.evaluated)


def test_maximize_and_failed_candidates_count_as_worst():
    def fit(x):
        return float("nan") if x[0] == 4 else float(x.sum())

    res = GeneticAlgorithm([0, 0], [4, 4], maximize=True, mutation_prob=0.3, seed=1).run(fit, 40)
    assert res.best_x[0] != 4
    assert res.best_fitness == 7.0  # (3, 4)


def test_real_genes_stay_in_bounds_and_improve():
    ga = GeneticAlgorithm([-2.0, -2.0], [2.0, 2.0], integer=False, mutation_prob=0.5, seed=0)
    res = ga.run(lambda x: float(np.sum((x - 0.5) ** 2)), generations=80)
    evaluated = np.array(res.evaluated["x"].tolist())
    assert evaluated.min() >= -2.0 and evaluated.max() <= 2.0
    assert res.best_fitness < 0.05


def test_conv_net_example_settings_from_the_thesis():
    # 4 integer genes, crossover 0.9, mutation 0.2, population 10, 10 generations
    ga = GeneticAlgorithm([0, 0, 0, 0], [3, 3, 3, 3], mutation_prob=0.2, maximize=True, seed=0)
    res = ga.run(lambda x: float(x.sum()), generations=10)
    assert len(res.history) == 11 and res.history["evaluations"].iloc[-1] == 110
    assert res.best_fitness >= 9


@pytest.mark.parametrize("crossover", ["exponential", "single"])
def test_run_batch_table_converges_and_is_seeded(crossover):
    table = sphere_table()
    ga = GeneticAlgorithm([0, 0], [19, 19], crossover=crossover, mutation_prob=0.1, seed=5)
    res = ga.run_batch(table, generations=200, repetitions=50, checkpoints=[0, 10, 200])
    assert res.best_x.shape == (3, 50, 2) and res.checkpoints == (0, 10, 200)
    # champions never get worse along a run
    assert np.all(np.diff(res.best_fitness, axis=0) <= 0)
    assert np.mean(res.best_fitness[-1] == 0) > 0.9
    again = GeneticAlgorithm([0, 0], [19, 19], crossover=crossover, mutation_prob=0.1, seed=5)
    assert np.array_equal(again.run_batch(table, 200, 50, checkpoints=[0, 10, 200]).best_x, res.best_x)


def test_run_batch_matches_callable_and_table_fitness():
    table = sphere_table(10, 3)
    ga = GeneticAlgorithm([0] * 3, [9] * 3, seed=2)
    by_table = ga.run_batch(table, 30, 8)
    by_call = ga.run_batch(lambda x: table[x[..., 0], x[..., 1], x[..., 2]], 30, 8)
    assert np.array_equal(by_table.best_x, by_call.best_x)
    x, f = by_table.at(30)
    assert np.array_equal(f, table[tuple(x.T)])


def test_tournament_larger_than_two_and_offset_bounds():
    table = sphere_table(10, 2)
    ga = GeneticAlgorithm([5, 5], [14, 14], tournament_size=4, mutation_prob=0.2, seed=0)
    res = ga.run_batch(table, 100, 10)
    assert res.best_x.min() >= 5 and res.best_x.max() <= 14
    assert np.all(res.best_x[-1] == 12)  # table minimum at index 7 -> gene 7 + 5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"bounds_low": [0, 0], "bounds_high": [1]}, "bounds_high"),
        ({"bounds_low": [2], "bounds_high": [1]}, "bounds_high"),
        ({"bounds_low": [0.5], "bounds_high": [2]}, "bounds_low"),
        ({"bounds_low": [0], "bounds_high": [2], "population_size": 1}, "population_size"),
        ({"bounds_low": [0], "bounds_high": [2], "crossover_prob": 1.5}, "crossover_prob"),
        ({"bounds_low": [0], "bounds_high": [2], "mutation_prob": -0.1}, "mutation_prob"),
        ({"bounds_low": [0], "bounds_high": [2], "tournament_size": 11}, "tournament_size"),
        ({"bounds_low": [0], "bounds_high": [2], "crossover": "sbx"}, "crossover"),
    ],
)
def test_bad_settings_raise_clear_errors(kwargs, match):
    low, high = kwargs.pop("bounds_low"), kwargs.pop("bounds_high")
    with pytest.raises(ParameterError, match=match):
        GeneticAlgorithm(low, high, **kwargs)


def test_bad_run_arguments():
    ga = GeneticAlgorithm([0, 0], [3, 3], seed=0)
    with pytest.raises(ParameterError, match="generations"):
        ga.run(lambda x: 0.0, -1)
    with pytest.raises(ParameterError, match="fitness"):
        ga.run_batch(np.zeros((3, 3)), 5, 2)
    with pytest.raises(ParameterError, match="checkpoints"):
        ga.run_batch(np.zeros((4, 4)), 5, 2, checkpoints=[6])
    with pytest.raises(ParameterError, match="repetitions"):
        ga.run_batch(np.zeros((4, 4)), 5, 0)


def test_run_batch_callable_must_return_one_value_per_individual():
    ga = GeneticAlgorithm([0, 0], [3, 3], seed=0)
    with pytest.raises(ParameterError, match="shape"):
        ga.run_batch(lambda x: x.sum(), 5, 2)
