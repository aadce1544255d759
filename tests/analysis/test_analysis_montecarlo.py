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
    with pytest.raises(ParameterError, match="reading"):
        proxy_study([2], [0.8], [10], 2, reading="literal")
    with pytest.raises(ParameterError, match="score"):
        proxy_study([2], [0.8], [10], 2, score="percent")
    with pytest.raises(ParameterError, match="noise"):
        proxy_study([2], [0.8], [10], 2, noise="cauchy")
    with pytest.raises(ParameterError, match="champion"):
        proxy_study([2], [0.8], [10], 2, champion="oracle")
    with pytest.raises(ParameterError, match="resolution"):
        proxy_study([2], [0.8], [10], 2, resolution=1)


# ---------------------------------------------------------------- lazy grids and readings
from nasnb.analysis.landscape import RastriginGrid, perturb_grid  # noqa: E402
from nasnb.analysis.montecarlo import READINGS, score_points  # noqa: E402
from nasnb.analysis.reconcile import PUBLISHED, conclusions, published_table, reconcile  # noqa: E402


@pytest.mark.parametrize("dims, res", [(1, 7), (2, 30), (3, 12), (4, 6)])
def test_lazy_grid_matches_dense_grid_and_counts_strictly_better_points(dims, res):
    grid = RastriginGrid(dims, res)
    dense = rastrigin_grid(dims, res).ravel()
    flat = np.arange(grid.size)
    assert np.allclose(grid.values(flat), dense)
    assert grid.max == pytest.approx(dense.max()) and grid.std == pytest.approx(dense.std())
    probe = np.random.default_rng(0).integers(0, grid.size, 50)
    expected = [(dense < dense[i] - 1e-9).mean() for i in probe]
    assert np.allclose(grid.fraction_below(grid.values(probe)), expected)
    assert np.array_equal(grid.unravel(probe) @ grid.strides, probe)


def test_odd_resolution_contains_the_optimum_and_even_does_not():
    assert RastriginGrid(3, 101).min == pytest.approx(0.0, abs=1e-9)
    floor = RastriginGrid(3, 100).min / RastriginGrid(3, 100).max
    assert floor == pytest.approx(0.013, abs=0.0005)  # Table 4.3's 1000-generation original column


@pytest.mark.parametrize("noise", ["gaussian", "uniform"])
def test_hashed_perturbation_hits_tau_and_is_seeded(noise):
    grid = RastriginGrid(2, 60)
    space = perturb_grid(grid, 0.75, noise=noise, seed=3)
    flat = np.arange(grid.size)
    tau = stats.kendalltau(grid.values(flat), space.values(flat)).statistic
    assert abs(tau - 0.75) <= 0.005 and space.tau == pytest.approx(tau)
    assert np.array_equal(perturb_grid(grid, 0.75, noise=noise, seed=3).values(flat), space.values(flat))
    assert not np.array_equal(perturb_grid(grid, 0.75, noise=noise, seed=4).values(flat), space.values(flat))
    if noise == "uniform":
        assert np.abs(space.draw(flat)).max() <= 0.5


def test_sampled_tau_on_a_large_grid():
    space = perturb_grid(RastriginGrid(4, 60), 0.85, noise="uniform", seed=0, sample_size=20_000)
    assert space.sample_size <= 20_000 and abs(space.tau - 0.85) <= 0.005
    check = np.random.default_rng(9).integers(0, space.grid.size, 20_000)
    measured = stats.kendalltau(space.grid.values(check), space.values(check)).statistic
    assert abs(measured - 0.85) < 0.02


def test_scores_of_known_points():
    grid = RastriginGrid(1, 5)  # -5.12, -2.56, 0, 2.56, 5.12
    assert score_points(grid, [2], "rank").tolist() == [0.0]
    assert score_points(grid, [0, 4], "rank").tolist() == [0.6, 0.6]  # 3 better points, the two ends tie
    assert score_points(grid, [2], "value").tolist() == [0.0]
    assert score_points(grid, [0], "value_grid")[0] == pytest.approx(1.0)


def test_the_text_reading_cannot_give_the_published_10_generation_values():
    # 10 generations = 110 evaluations: the rank fraction of the champion is far below Table 4.3's 0.160
    text = proxy_study([3], [], [10], 200, reading="text", seed=0).summary
    assert text.mean_top_pct.iloc[0] / 100 < 0.08
    thesis = proxy_study([3], [], [10], 200, reading="thesis", seed=0).summary
    assert abs(thesis.mean_top_pct.iloc[0] / 100 - 0.160) < 0.02


def test_champion_options_are_ordered_on_the_original():
    kw = dict(dims=[2], taus=[0.75], generations=[10, 100], repetitions=40, reading="thesis", seed=2)
    runs = {c: proxy_study(champion=c, **kw).scores.top_pct.to_numpy() for c in ("proxy", "population", "evaluated")}
    assert np.all(runs["evaluated"] <= runs["population"] + 1e-12)
    assert np.all(runs["population"] <= runs["proxy"] + 1e-12)
    study = proxy_study(champion="evaluated", **kw)
    assert study.settings["reading"] == "thesis+champion=evaluated" and study.settings["champion"] == "evaluated"


def test_real_genes_run_and_are_recorded():
    study = proxy_study([2], [0.85], [10, 100], 30, genes="real", seed=0)
    assert study.settings["genes"] == "real"
    m = study.summary.set_index(["space", "generations"]).mean_top_pct
    assert m["original", 100] < m["original", 10]


def test_every_named_reading_runs():
    for name, reading in READINGS.items():
        study = proxy_study([2], [0.85], [10], 3, reading=name, seed=0)
        assert study.settings["reading"] == name and study.settings["score"] == reading.score


def test_published_tables_are_complete():
    assert published_table("4.3").shape == (3, 4)
    assert published_table("5.4").shape == (9, 4)
    assert published_table("5.4").loc[(3, 1000), "tau=0.75"] == 0.038
    assert len(PUBLISHED["5.4"]["frame"]) == 36


def test_reconcile_prefers_the_value_reading_and_reports_distances():
    rec = reconcile("4.3", readings=["text", "thesis"], repetitions=40, n_boot=200, seed=0)
    assert rec.winner == "thesis"
    d = rec.distances
    assert d.loc["thesis", "rmse"] < 0.02 < d.loc["text", "rmse"]
    assert d.loc["thesis", "rmse_ci_low"] <= d.loc["thesis", "rmse"] + 1e-12
    assert set(rec.cells.reading) == {"text", "thesis"} and len(rec.cells) == 24
    wide = rec.wide()
    assert wide.loc[(3, 10), ("original", "published")] == 0.160
    verdicts = rec.conclusions.set_index(["reading", "comparison"]).verdict
    assert verdicts["published", "1000 gen. at tau=0.75 vs 100 gen. on original"] == "proxy"
    assert verdicts["thesis", "100 gen. at tau=0.75 vs 10 gen. on original"] == "proxy"


def test_reconcile_progress_bar_counts_readings_and_changes_nothing(capsys):
    quiet = reconcile("4.3", readings=["text", "thesis"], repetitions=5, n_boot=20, generations_scale=0.02, seed=0)
    capsys.readouterr()
    shown = reconcile("4.3", readings=["text", "thesis"], repetitions=5, n_boot=20, generations_scale=0.02, seed=0,
                      progress=True)
    err = capsys.readouterr().err
    assert "Table 4.3 readings: 100%" in err and "2/2" in err
    assert shown.distances.equals(quiet.distances)
    with pytest.raises(ParameterError, match="progress"):
        reconcile("4.3", readings=["text"], progress="yes")


def test_conclusions_bootstrap_is_seeded():
    study = proxy_study([2], [0.75], [10, 100, 1000], 30, seed=0)
    a, b = conclusions(study, seed=1), conclusions(study, seed=1)
    assert a.equals(b) and set(a.verdict) <= {"proxy", "original", "tie"}
    assert (a.ci_low <= a.advantage).all() and (a.advantage <= a.ci_high).all()
