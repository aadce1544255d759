"""Items 3-4: every proxy under the bootstrap rank protocol, and the planner taking a measured proxy."""

import numpy as np
import pytest

from nasnb.analysis import MeasuredProxy, plan_budget, plan_proxies
from nasnb.exceptions import ParameterError
from nasnb.proxies import measured_proxies, proxy_fidelity


def test_fidelity_bootstraps_tau_with_a_standard_error_for_every_proxy():
    rng = np.random.default_rng(0)
    full = rng.random(60)
    good = full + 0.05 * rng.standard_normal(60)
    poor = full + 0.8 * rng.standard_normal(60)
    table = proxy_fidelity({"synflow": good, "2 epochs": poor}, full, seconds={"synflow": 0.1, "2 epochs": 8.0},
                           n_resamples=200, seed=1)
    assert table.proxy.tolist() == ["synflow", "2 epochs"]
    assert table.kind.tolist() == ["zero-cost", "reduced training"]
    assert table.tau[0] > 0.8 > table.tau[1]
    assert (table.tau_se > 0).all() and (table.ci_low < table.tau).all() and (table.tau < table.ci_high).all()
    again = proxy_fidelity({"synflow": good, "2 epochs": poor}, full, seconds={"synflow": 0.1, "2 epochs": 8.0},
                           n_resamples=200, seed=1)
    assert again.equals(table)


def test_a_nan_score_never_enters_the_protocol():
    with pytest.raises(ParameterError, match="'synflow' hold NaN"):
        proxy_fidelity({"synflow": [1.0, np.nan, 2.0]}, [0.1, 0.2, 0.3], seconds={"synflow": 0.1})
    with pytest.raises(ParameterError, match="no cost for 'snip'"):
        proxy_fidelity({"snip": [1.0, 3.0, 2.0]}, [0.1, 0.2, 0.3], seconds={})


def test_the_planner_takes_a_measured_proxy_and_prices_it_against_full_training():
    proxy = MeasuredProxy("5 epochs", 0.7, 50.0, tau_se=0.05)
    plan = plan_budget(proxy, full_seconds=200.0, budget=10, dims=2, repetitions=20, seed=0, compare_readings=())
    assert plan.proxy == "5 epochs" and plan.proxy_generations == 40 and not plan.capped
    same = plan_budget(0.7, 0.25, budget=10, dims=2, repetitions=20, seed=0, compare_readings=())
    assert plan.difference == same.difference and plan.recommendation == same.recommendation
    with pytest.raises(ParameterError, match="full_seconds"):
        plan_budget(proxy, budget=10)
    with pytest.raises(ParameterError, match="does not rank"):
        plan_budget(MeasuredProxy("grasp", -0.1, 1.0), full_seconds=10.0)


def test_plan_proxies_ranks_the_ways_to_spend_a_budget():
    proxies = measured_proxies(proxy_fidelity(
        {"synflow": [1, 2, 3, 4, 5, 7, 6, 8], "grasp": [8, 7, 6, 5, 4, 3, 1, 2]}, list(range(8)),
        seconds={"synflow": 0.1, "grasp": 0.5}, n_resamples=50, seed=0))
    table = plan_proxies(proxies, 100.0, budget=5, dims=2, repetitions=10, seed=0, compare_readings=(),
                         max_generations=100)
    assert set(table.proxy) == {"synflow", "grasp", "full evaluation"}
    grasp = table.set_index("proxy").loc["grasp"]
    assert grasp.recommendation == "does not rank (tau <= 0)" and np.isnan(grasp.mean_top_pct)
    synflow = table.set_index("proxy").loc["synflow"]
    assert synflow.capped and synflow.generations == 100
    assert table.mean_top_pct.is_monotonic_increasing or table.mean_top_pct.isna().any()
