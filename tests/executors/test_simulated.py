"""SimulatedExecutor: virtual-clock scheduling, wait_first, costs, reports, efficiency."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pytest

from nasnb.benchmarks import NASBenchGraph
from nasnb.exceptions import ParameterError
from nasnb.executors import SimulatedExecutor, simulate_schedule, wait_first
from nasnb.results import EvaluationResult


@dataclass(frozen=True)
class Outcome:
    """Stand-in with the attribute names of nasnb.results.EvaluationOutcome."""

    result: EvaluationResult
    seed: int | None = None
    engine: dict = field(default_factory=dict)


def trained(seconds: float, fitness: float = 0.5) -> Outcome:
    return Outcome(EvaluationResult(0.0, {"latency": seconds / 10}, seconds, fitness))


def test_schedule_geometry_matches_list_scheduling_by_hand():
    sim = SimulatedExecutor(2)
    futures = [sim.submit(trained, s) for s in (3.0, 1.0, 1.0, 2.0)]
    assert sim.now == 0.0 and not any(f.done() for f in futures)  # nothing completes before its time
    t = sim.timeline()
    # worker 1 finishes at 1 and takes task 2 (1-2), then task 3 (2-4); worker 0 holds task 0 (0-3)
    assert t["worker"].tolist() == [0, 1, 1, 1]
    assert t["start"].tolist() == [0.0, 0.0, 1.0, 2.0]
    assert t["end"].tolist() == [3.0, 1.0, 2.0, 4.0]
    done = sim.wait_first(futures)
    assert done == {futures[1]} and sim.now == 1.0
    assert [f.done() for f in futures] == [False, True, False, False]
    assert sim.wait_first(futures) == {futures[1]} and sim.now == 1.0  # a done future answers at once
    rest = set(futures) - {futures[1]}
    assert sim.wait_first(rest) == {futures[2]} and sim.now == 2.0
    assert sim.wait_first(rest - {futures[2]}) == {futures[0]} and sim.now == 3.0
    assert futures[3].result().result.total_time == 2.0 and sim.now == 4.0  # result() advances the clock
    assert sim.efficiency() == pytest.approx(7.0 / 8.0)
    assert sim.efficiency(until=1.0) == 1.0


def test_wait_first_takes_a_frozenset_holding_a_foreign_done_future():
    sim = SimulatedExecutor(1)
    own = sim.submit(trained, 1.0)
    own.result()
    foreign = Future()
    foreign.set_result(None)
    # used to raise AttributeError: frozenset & set is a frozenset, and the foreign done future was added to it
    assert sim.wait_first(frozenset([own, foreign])) == {own, foreign}


def test_submission_after_time_passes_starts_now_not_in_the_past():
    sim = SimulatedExecutor(3, cost=float)
    first = sim.submit(float, 5.0)
    sim.wait_first([first])
    late = sim.submit(float, 1.0)
    row = sim.timeline().iloc[-1]
    assert (row["submitted"], row["start"], row["end"]) == (5.0, 5.0, 6.0)
    assert row["worker"] == 1  # workers 1 and 2 idle since 0: the longest idle, lowest id, takes it
    assert late.result() == 1.0 and sim.now == 6.0


def test_equal_costs_tie_break_by_submission_order_and_complete_together():
    runs = []
    for _ in range(2):
        sim = SimulatedExecutor(2, cost=lambda value: 1.0)
        futures = [sim.submit(int, k) for k in range(5)]
        order = []
        pending = set(futures)
        while pending:
            done = sim.wait_first(pending)
            pending -= done
            order.append((sim.now, sorted(f.task for f in done)))
        runs.append((order, sim.timeline()["worker"].tolist()))
    assert runs[0] == runs[1]  # deterministic
    assert runs[0][0] == [(1.0, [0, 1]), (2.0, [2, 3]), (3.0, [4])]
    assert runs[0][1] == [0, 1, 0, 1, 0]


def test_default_cost_reads_training_time_of_outcomes_and_results():
    sim = SimulatedExecutor(1)
    sim.submit(trained, 7.0)
    sim.submit(lambda: EvaluationResult(0.0, {}, 2.5, 0.1))  # a bare EvaluationResult works too
    assert sim.timeline()["cost"].tolist() == [7.0, 2.5]
    with pytest.raises(ParameterError, match="total_time"):
        sim.submit(lambda: "no time here")


def test_metric_and_callable_costs_and_bad_costs():
    nb = NASBenchGraph("cora")
    cell = ((0, 0, 1, 2), ("gcn", "gat", "sage", "fc"))
    latency = nb.evaluate_candidate(cell).metrics["latency"]
    sim = SimulatedExecutor(1, cost="latency")
    sim.submit(nb.evaluate_candidate, cell)
    assert sim.timeline()["cost"].tolist() == [latency] and latency > 0
    with pytest.raises(ParameterError, match="'accuracy'.*latency, parameters, test_score, validation_score"):
        SimulatedExecutor(1, cost="accuracy").submit(nb.evaluate_candidate, cell)
    double = SimulatedExecutor(1, cost=lambda outcome: 2 * outcome.result.total_time)
    double.submit(trained, 3.0)
    assert double.timeline()["end"].tolist() == [6.0]
    with pytest.raises(ParameterError, match="task 0.*finite number of seconds >= 0"):
        SimulatedExecutor(1, cost=lambda o: -1.0).submit(trained, 1.0)
    with pytest.raises(ParameterError, match="'workers'"):
        SimulatedExecutor(0)
    with pytest.raises(ParameterError, match="'cost'"):
        SimulatedExecutor(1, cost=3.0)


def test_a_raising_function_fails_its_future_at_zero_cost():
    sim = SimulatedExecutor(1)
    bad = sim.submit(lambda: 1 / 0)
    ok = sim.submit(trained, 2.0)
    assert sim.wait_first([bad, ok]) == {bad} and sim.now == 0.0
    assert isinstance(bad.exception(), ZeroDivisionError)
    row = sim.timeline().iloc[0]
    assert (row["status"], row["cost"]) == ("failed", 0.0)
    assert ok.result().result.total_time == 2.0


def test_wait_first_dispatches_to_the_executor_or_to_concurrent_futures():
    sim = SimulatedExecutor(2, cost=float)
    fs = [sim.submit(float, 2.0), sim.submit(float, 1.0)]
    assert wait_first(sim, fs) == {fs[1]} and sim.now == 1.0
    assert wait_first(sim, []) == set()
    with ThreadPoolExecutor(1) as pool:
        f = pool.submit(sum, [1, 2])
        assert wait_first(pool, [f]) == {f} and f.result() == 3

    class Recorder:
        def wait_first(self, futures):
            self.seen = list(futures)
            return futures[:1]

    rec = Recorder()
    assert wait_first(rec, ["a", "b"]) == {"a"} and rec.seen == ["a", "b"]
    other = SimulatedExecutor(1, cost=float)
    foreign = other.submit(float, 1.0)
    with pytest.raises(ParameterError, match="neither done nor a future of this executor"):
        sim.wait_first([foreign])


def test_best_so_far_vs_time_orders_by_end_time_and_accepts_a_history():
    sim = SimulatedExecutor(2)
    for seconds, fit in [(7200.0, 0.9), (1800.0, 0.4), (1800.0, 0.6)]:
        sim.submit(trained, seconds, fit)
    sim.shutdown()
    curve = sim.best_so_far_vs_time()
    assert curve["task"].tolist() == [1, 2, 0]
    assert curve["hours"].tolist() == [0.5, 1.0, 2.0]
    assert curve["best_so_far"].tolist() == [0.4, 0.6, 0.9]
    assert curve["evaluations"].tolist() == [1, 2, 3]
    lower = sim.best_so_far_vs_time([0.3, 0.2, 0.1], maximize=False)
    assert lower["best_so_far"].tolist() == [0.2, 0.1, 0.1]
    with pytest.raises(ParameterError, match="2 fitness values for 3"):
        sim.best_so_far_vs_time([0.1, 0.2])


def test_pending_tasks_are_not_in_the_curve():
    sim = SimulatedExecutor(1)
    first = sim.submit(trained, 1.0, 0.2)
    sim.submit(trained, 1.0, 0.8)
    sim.wait_first([first])
    curve = sim.best_so_far_vs_time()
    assert curve["task"].tolist() == [0] and sim.pending == 1 and len(sim) == 2


def test_lognormal_efficiency_async_beats_batch_at_64_and_256_workers():
    for w in (64, 256):
        d = np.random.default_rng(0).lognormal(np.log(0.5), 0.8, 100 * w)
        batch = simulate_schedule(d, w, mode="batch")
        steady = simulate_schedule(d, w, mode="async")
        assert steady.efficiency() >= 0.9, (w, steady.efficiency())
        assert batch.efficiency() < 0.3, (w, batch.efficiency())
        # same work either way: busy time is the sum of the durations
        assert steady.efficiency() * w * steady.now == pytest.approx(d.sum())
        assert batch.now > 3 * steady.now


def test_simulate_schedule_by_hand_and_bad_input():
    batch = simulate_schedule([1.0, 4.0, 1.0, 1.0, 1.0, 1.0], 2, mode="batch")
    steady = simulate_schedule([1.0, 4.0, 1.0, 1.0, 1.0, 1.0], 2, mode="async")
    assert (batch.now, steady.now) == (6.0, 5.0)
    assert steady.timeline()["worker"].tolist() == [0, 1, 0, 0, 0, 0]
    with pytest.raises(ParameterError, match="'durations'"):
        simulate_schedule([1.0, -1.0], 2)
    with pytest.raises(ParameterError, match="'mode'"):
        simulate_schedule([1.0], 2, mode="eager")


def test_map_and_context_manager_complete_every_task():
    with SimulatedExecutor(3, cost=float) as sim:
        assert list(sim.map(float, [3.0, 1.0, 2.0])) == [3.0, 1.0, 2.0]
    assert sim.now == 3.0 and sim.pending == 0
    with pytest.raises(RuntimeError, match="after shutdown"):
        sim.submit(float, 1.0)
