"""Regularized evolution / random search: determinism, aging, concurrency, invalid candidates."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from nasnb.exceptions import ParameterError
from nasnb.results import EvaluationResult
from nasnb.spaces import NB101MutationSpace
from nasnb.strategies import RandomSearch, RegularizedEvolution, SearchHistory, curves_frame


class Bits:
    """A tiny space: 12-bit strings; mutation flips one bit. Candidates with bits 0..2 all set
    are invalid (the space says so)."""

    n = 12

    def sample(self, rng):
        return tuple(int(b) for b in rng.integers(0, 2, self.n))

    def mutate(self, c, rng):
        i = int(rng.integers(self.n))
        return c[:i] + (1 - c[i],) + c[i + 1:]

    def to_descriptor(self, c):
        from nasnb.descriptors import NeuralDescriptor

        return NeuralDescriptor.sequential(["nn.Identity"] * (1 + sum(c)))

    def key(self, c):
        return "".join(map(str, c))

    def candidate_to_json(self, c):
        return list(c)

    def candidate_from_json(self, v):
        return tuple(v)

    def invalid_reason(self, c):
        return "bits 0-2 are all set" if c[:3] == (1, 1, 1) else None


class OneMax:
    """Fast-path evaluator: fitness = fraction of ones (seeded noise is not needed)."""

    def __init__(self):
        self.calls = 0

    def evaluate_candidate(self, c):
        self.calls += 1
        return EvaluationResult(float("nan"), {}, 0.0, sum(c) / len(c))


class DescriptorOneMax:
    """Descriptor-path evaluator that also raises for some candidates and diverges for others."""

    def __init__(self):
        self.seeds = []

    def descriptor_evaluate(self, descriptor, epochs=1, dataset="x", seed=None):
        self.seeds.append(seed)
        n = len(descriptor) - 1
        if n == 7:
            raise RuntimeError("CUDA out of memory (simulated)")
        if n == 8:
            return EvaluationResult.diverged("loss became nan")
        return EvaluationResult(1.0 - n / 12, {"accuracy": n / 12}, 0.01, n / 12)


def test_same_seed_same_history_and_population_invariants():
    runs = [RegularizedEvolution(Bits(), 20, 5, seed=3).run(OneMax(), 200) for _ in range(2)]
    a, b = runs
    assert a.candidates == b.candidates and np.array_equal(a.fitness, b.fitness)
    assert len(a) == 200 and (a.parents[:20] == -1).all() and (a.parents[20:] >= 0).all()
    # each tournament draws S = 5 contestants among the living
    assert a.sample_counts.sum() == 5 * (200 - 20)
    # aging: the oldest leaves when a child arrives, so everyone lives exactly P evaluations
    removed = a.removed_at >= 0
    assert removed.sum() == 200 - 20 and (a.ages[removed] == 20).all()
    assert a.best.fitness == a.fitness.max() and a.best_so_far()[-1] == a.fitness.max()
    different = RegularizedEvolution(Bits(), 20, 5, seed=4).run(OneMax(), 200)
    assert different.candidates != a.candidates


def test_random_search_is_the_same_loop_with_sample_size_one():
    rs = RandomSearch(Bits(), 20, seed=0)
    assert isinstance(rs, RegularizedEvolution) and rs.sample_size == 1
    h = rs.run(OneMax(), 120)
    assert h.sample_counts.sum() == 100 and h.info["sample_size"] == 1


def test_evolution_beats_random_search_on_onemax():
    re_best = [RegularizedEvolution(Bits(), 20, 5, seed=s).run(OneMax(), 150).best_so_far()[-1] for s in range(8)]
    rs_best = [RandomSearch(Bits(), 20, seed=s).run(OneMax(), 150).best_so_far()[-1] for s in range(8)]
    assert np.mean(re_best) > np.mean(rs_best)


def test_ask_tell_applies_results_in_ask_order():
    serial = RegularizedEvolution(Bits(), 10, 3, seed=1, workers=4)
    shuffled = RegularizedEvolution(Bits(), 10, 3, seed=1, workers=4)
    ev = OneMax()
    for _ in range(10):
        t1 = [serial.ask() for _ in range(4)]
        for t in t1:
            serial.tell(t, ev.evaluate_candidate(t.candidate))
        t2 = [shuffled.ask() for _ in range(4)]
        for t in reversed(t2):  # completion order differs
            shuffled.tell(t, ev.evaluate_candidate(t.candidate))
    assert serial.history.candidates == shuffled.history.candidates
    with pytest.raises(ParameterError, match="not told yet"):
        shuffled.tell(t2[0], 0.5)


def test_concurrent_workers_with_an_executor_match_the_serial_batches():
    plain = RegularizedEvolution(Bits(), 16, 4, seed=2, workers=4, cycles=20).run(DescriptorOneMax())
    with ThreadPoolExecutor(4) as pool:
        parallel = RegularizedEvolution(Bits(), 16, 4, seed=2, workers=4, cycles=20).run(DescriptorOneMax(),
                                                                                         executor=pool)
    assert len(plain) == 16 + 20 * 4
    assert plain.candidates == parallel.candidates and plain.statuses == parallel.statuses
    assert np.array_equal(plain.fitness, parallel.fitness)
    # each cycle adds W = 4 children and removes the 4 oldest
    assert (plain.removed_at[plain.removed_at >= 0] >= 16).all()
    assert np.bincount(plain.removed_at[plain.removed_at >= 0])[16::4].tolist() == [1] * 20


def test_invalid_and_failed_candidates_get_fitness_zero_and_never_stop_a_search():
    ev = DescriptorOneMax()
    h = RegularizedEvolution(Bits(), 15, 4, seed=0).run(ev, 150, evaluate_kwargs={"epochs": 1, "dataset": "x"})
    assert len(h) == 150
    counts = h.status_counts
    assert counts["invalid"] > 0 and counts["failed"] > 0 and counts["diverged"] > 0
    bad = np.array([s != "done" for s in h.statuses])
    assert (h.fitness[bad] == 0).all() and h.num_invalid == counts["invalid"]
    failed = [m for m, s in zip(h.messages, h.statuses) if s == "failed"]
    assert all("CUDA out of memory" in m for m in failed)
    invalid = [m for m, s in zip(h.messages, h.statuses) if s == "invalid"]
    assert all(m == "bits 0-2 are all set" for m in invalid)
    # the evaluator was never called for invalid candidates, and got a per-evaluation seed
    assert len(ev.seeds) == 150 - counts["invalid"] and len(set(ev.seeds)) == len(ev.seeds)


def test_nb101_space_invalid_cells_get_fitness_zero():
    class Count:
        def descriptor_evaluate(self, d, seed=None):
            return EvaluationResult(0.0, {}, 0.0, len(d) / 10)

    h = RegularizedEvolution(NB101MutationSpace(), 10, 3, seed=0).run(Count(), 150)
    assert h.num_invalid > 0 and (h.fitness[np.array(h.statuses) == "invalid"] == 0).all()
    assert max(len(c.ops) - 2 for c in h.candidates) <= 5


def test_history_to_dataframe_and_curves():
    h = RegularizedEvolution(Bits(), 10, 3, seed=0).run(OneMax(), 40)
    df = h.to_dataframe(with_keys=True)
    assert list(df.columns[:4]) == ["index", "parent", "fitness", "status"] and len(df) == 40
    assert df["key"].str.len().eq(12).all()
    frame = curves_frame({"re": [h, h]})
    assert len(frame) == 80 and frame.groupby("run").best_so_far.apply(lambda c: c.is_monotonic_increasing).all()
    assert isinstance(h, SearchHistory) and "best=" in repr(h)


def test_bad_arguments_raise():
    with pytest.raises(ParameterError, match="sample_size"):
        RegularizedEvolution(Bits(), 5, 10)
    with pytest.raises(ParameterError, match="budget"):
        RegularizedEvolution(Bits(), 5, 2).run(OneMax())
    with pytest.raises(ParameterError, match="evaluator"):
        RegularizedEvolution(Bits(), 5, 2).run(object(), 10)
