"""The budget planner built on the Monte-Carlo proxy simulation."""

import pytest

from nasnb.analysis import plan_budget
from nasnb.exceptions import ParameterError


def test_cheap_good_proxy_wins_and_simulation_is_shown():
    plan = plan_budget(0.85, 0.1, budget=10, dims=2, repetitions=80, seed=0)
    assert (plan.full_generations, plan.proxy_generations) == (10, 100)
    assert plan.recommendation == "proxy"
    assert plan.options.option.tolist() == ["full", "proxy"]
    assert plan.difference > 0
    text = str(plan)
    assert "proxy" in text and "100 generations" in text
    assert set(plan.study.scores.generations) == {10, 100}


def test_expensive_bad_proxy_loses():
    plan = plan_budget(0.3, 0.9, budget=100, dims=2, repetitions=80, seed=0)
    assert plan.proxy_generations == 111
    assert plan.recommendation == "full"


def test_planner_is_reproducible():
    a = plan_budget(0.75, 0.5, budget=10, dims=2, repetitions=20, seed=4)
    b = plan_budget(0.75, 0.5, budget=10, dims=2, repetitions=20, seed=4)
    assert a.options.equals(b.options)


@pytest.mark.parametrize(
    "args, match",
    [((0.0, 0.5), "target_tau"), ((1.2, 0.5), "target_tau"), ((0.8, 0.0), "cost_ratio"),
     ((0.8, 2.0), "cost_ratio"), ((0.8, 1e-6), "cost_ratio")],
)
def test_planner_bad_input(args, match):
    with pytest.raises(ParameterError, match=match):
        plan_budget(*args, dims=2, repetitions=2)


def test_planner_names_its_reading_and_gives_both_answers():
    plan = plan_budget(0.75, 0.1, budget=100, dims=3, repetitions=100, seed=0)
    assert plan.reading == "thesis"
    assert plan.readings.index.tolist() == ["thesis", "text"]
    assert plan.readings.loc["thesis", "recommendation"] == plan.recommendation
    text = str(plan)
    assert "reading 'thesis'" in text and "reading 'text'" in text
    if not plan.readings_agree:
        assert "DISAGREE" in text


def test_planner_without_comparison_and_bad_reading():
    plan = plan_budget(0.85, 0.2, budget=10, dims=2, repetitions=20, compare_readings=(), seed=0)
    assert plan.readings.index.tolist() == ["thesis"] and plan.readings_agree
    with pytest.raises(ParameterError, match="reading"):
        plan_budget(0.85, 0.2, dims=2, repetitions=2, reading="literal")
