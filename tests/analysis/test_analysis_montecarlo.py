"""Monte-Carlo proxy studies: Rastrigin grids, perturbation to a target tau, GA tables."""

import numpy as np
import pytest
from scipy import stats

from nasnb.analysis import (
    chapter4_table,
    chapter5_table,
    perturb_to_tau,
    proxy_study,
    rastrigin,
    rastrigin_grid,
    top_fraction,
)
from nasnb.exceptions import ParameterError


def test_rastrigin_grid_values_and_shape():
    grid = rastrigin_grid(2, 100)
    assert grid.shape == (100, 100)
    axis = np.linspace(-5.12, 5.12, 100)
    assert grid[3, 17] == pytest.approx(rastrigin([axis[3], axis[17]]))
    assert rastrigin_grid(3, 11)[5, 5, 5] == pytest.approx(0.0)  # 11 points include x = 0
    assert rastrigin_grid(4).shape == (20, 20, 20, 20)


def test_grid_too_large_for_memory_raises_before_allocating():
    with pytest.raises(ParameterError, match="GiB"):
        rastrigin_grid(4, 500)
    with pytest.raises(ParameterError, match="max_bytes"):
        rastrigin_grid(2, 100, max_bytes=1000)
    with pytest.raises(ParameterError, match="resolution"):
        rastrigin_grid(2, 1)


@pytest.mark.parametrize("dims", [2, 3, 4])
@pytest.mark.parametrize("target", [0.95, 0.85, 0.75, 0.65])
def test_perturbation_hits_target_tau_reproducibly(dims, target):
    grid = rastrigin_grid(dims)
    space = perturb_to_tau(grid, target, seed=11)
    measured = stats.kendalltau(grid.ravel(), space.values.ravel()).statistic
    assert abs(measured - target) <= 0.005
    assert space.tau == pytest.approx(measured)
    again = perturb_to_tau(grid, target, seed=11)
    assert np.array_equal(again.values, space.values)
    assert not np.array_equal(perturb_to_tau(grid, target, seed=12).values, space.values)


def test_perturbation_tau_one_is_a_copy():
    grid = rastrigin_grid(2, 20)
    space = perturb_to_tau(grid, 1.0, seed=0)
    assert np.array_equal(space.values, grid) and space.values is not grid


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.01, 2, float("nan"), "0.8", True])
def test_tau_outside_unit_interval_raises(bad):
    with pytest.raises(ParameterError, match="target_tau"):
        perturb_to_tau(rastrigin_grid(2, 10), bad)
    with pytest.raises(ParameterError, match="target_tau"):
        proxy_study([2], [bad], [10], 2, resolution=10)


def test_perturbation_rejects_nan_and_constant_values():
    with pytest.raises(ParameterError, match="NaN"):
        perturb_to_tau([1.0, np.nan, 2.0], 0.8)
    with pytest.raises(ParameterError, match="non-constant"):
        perturb_to_tau(np.ones(10), 0.8)


def test_top_fraction_counts_strictly_better_points():
    grid = np.array([[3.0, 1.0], [1.0, 0.0]])
    assert top_fraction(grid, [[1, 1], [0, 1], [1, 0], [0, 0]]).tolist() == [0.0, 0.25, 0.25, 0.75]
    with pytest.raises(ParameterError, match="index"):
        top_fraction(grid, [[2, 0]])


@pytest.fixture(scope="module")
def small_chapter5():
    return chapter5_table(repetitions=40, seed=0)


def test_chapter5_table_shape_and_settings(small_chapter5):
    study = small_chapter5
    assert study.table.index.tolist() == [(d, g) for d in (2, 3, 4) for g in (10, 100, 1000)]
    assert study.table.columns.get_level_values(0).unique().tolist() == ["original", "tau=0.85", "tau=0.75", "tau=0.65"]
    assert len(study.scores) == 3 * 4 * 3 * 40
    s = study.settings
    assert s["repetitions"] == 40 and s["generations"] == [10, 100, 1000] and s["ga"]["population_size"] == 10
    assert study.table.attrs["settings"] is s
    for d in (2, 3, 4):
        for label, tau in s["per_dims"][d]["achieved_tau"].items():
            if label != "original":
                assert abs(tau - float(label.split("=")[1])) <= 0.005


def test_score_falls_as_generations_grow(small_chapter5):
    summary = small_chapter5.summary
    for (d, space), part in summary.groupby(["dims", "space"]):
        part = part.sort_values("generations")
        means, sems = part.mean_top_pct.to_numpy(), part.sem_top_pct.to_numpy()
        assert means[-1] < means[0], (d, space)
        for i in range(len(means) - 1):
            assert means[i + 1] <= means[i] + 3 * np.hypot(sems[i], sems[i + 1]) + 1e-12, (d, space)


def test_original_does_at_least_as_well_as_perturbed_within_mc_error(small_chapter5):
    s = small_chapter5.summary.set_index(["dims", "generations", "space"])
    for (d, g, space), row in s.iterrows():
        if space == "original":
            continue
        orig = s.loc[(d, g, "original")]
        assert orig.mean_top_pct <= row.mean_top_pct + 3 * np.hypot(orig.sem_top_pct, row.sem_top_pct), (d, g, space)


def test_chapter4_table_from_one_call_is_reproducible():
    a = chapter4_table(repetitions=10, resolution=20, seed=3)
    b = chapter4_table(repetitions=10, resolution=20, seed=3)
    assert a.table.index.tolist() == [(3, 10), (3, 100), (3, 1000)]
    assert a.table.columns.get_level_values(0).unique().tolist() == ["original", "tau=0.95", "tau=0.85", "tau=0.75"]
    assert a.scores.equals(b.scores)
    assert a.settings["taus"] == [0.95, 0.85, 0.75] and a.settings["repetitions"] == 10


def test_pygmo_backend_agrees_with_nasnb_within_mc_error():
    pytest.importorskip("pygmo")
    kw = dict(dims=[2], taus=[0.75], generations=[10, 100], repetitions=60, resolution=40, seed=0)
    ours = proxy_study(**kw).summary.set_index(["space", "generations"])
    theirs = proxy_study(backend="pygmo", **kw).summary.set_index(["space", "generations"])
    assert theirs.attrs["settings"]["backend"] == "pygmo"
    for key, row in ours.iterrows():
        other = theirs.loc[key]
        err = np.hypot(row.sem_top_pct, other.sem_top_pct)
        assert abs(row.mean_top_pct - other.mean_top_pct) <= 4 * err + 0.05, key


def test_proxy_study_bad_arguments():
    with pytest.raises(ParameterError, match="backend"):
        proxy_study([2], [0.8], [10], 2, backend="deap")
    with pytest.raises(ParameterError, match="generations"):
        proxy_study([2], [0.8], [0], 2)
    with pytest.raises(ParameterError, match="ga_options"):
        proxy_study([2], [0.8], [10], 2, elitism=3)
    with pytest.raises(ParameterError, match="GiB"):
        proxy_study([4], [0.8], [10], 2, resolution=1000)
