"""Strategies record into the experiment store and resume from it after a crash."""

import numpy as np
import pytest

from nasnb.exceptions import SettingsMismatchError, StoreError
from nasnb.results import EvaluationResult
from nasnb.spaces import layer_choice_space
from nasnb.strategies import RegularizedEvolution

store_mod = pytest.importorskip("nasnb.store")


class Killed(BaseException):
    """Simulates a dead kernel (not an Exception: nothing may catch it)."""


class GenomeScore:
    """Descriptor-path evaluator: fitness from the layer types, counts its calls, can 'die'."""

    def __init__(self, die_after=None):
        self.calls = 0
        self.die_after = die_after

    def descriptor_evaluate(self, descriptor, epochs=1, seed=None):
        if self.die_after is not None and self.calls >= self.die_after:
            raise Killed()
        self.calls += 1
        convs = sum(spec.type.startswith("CONV_3") for spec in descriptor.layers.values())
        pools = sum(spec.type.startswith("POOL") for spec in descriptor.layers.values())
        fitness = (convs + 0.01 * (seed % 7)) / (1 + pools + len(descriptor))
        return EvaluationResult(1 - fitness, {"accuracy": fitness}, 0.1, fitness)


def make(seed=0):
    return RegularizedEvolution(layer_choice_space(), 12, 4, seed=seed, workers=2)


def test_every_evaluation_is_recorded(tmp_path):
    study = store_mod.ExperimentStore(tmp_path / "s.db").create_study("re", make().config())
    space = layer_choice_space()
    h = RegularizedEvolution(space, 12, 4, seed=0, workers=2).run(GenomeScore(), 40, study=study,
                                                                   evaluate_kwargs={"epochs": 1})
    rows = study.evaluations()
    assert [r.seq for r in rows] == list(range(40))
    assert [r.fitness for r in rows] == pytest.approx(h.fitness.tolist())
    settings = {"evaluator": {"evaluator": "GenomeScore"}, "evaluate": {"epochs": 1}}
    assert all(r.settings == settings and r.status == "done" for r in rows)
    assert rows[5].descriptor().canonical_hash() == rows[5].descriptor_hash
    assert study.load_checkpoint("strategy")["config"]["population_size"] == 12
    # the genome itself and its parent are columns of the row (schema v2)
    assert rows[7].candidate(space) == h.candidates[7]
    assert [r.parent for r in rows] == h.parents.tolist()
    assert [r.arrival for r in rows] == list(range(40))  # batch mode applies in ask order



def test_resume_after_a_dead_kernel_loses_nothing(tmp_path):
    path = tmp_path / "s.db"
    reference = make().run(GenomeScore(), 60)

    study = store_mod.ExperimentStore(path).create_study("re", make().config())
    with pytest.raises(Killed):
        make().run(GenomeScore(die_after=33), 60, study=study)
    assert len(study.evaluations()) == 33  # every finished evaluation is recorded as it arrives

    study = store_mod.ExperimentStore(path).create_study("re", make().config())  # a new kernel
    evaluator = GenomeScore()
    resumed = make().run(evaluator, 60, study=study)
    assert evaluator.calls == 60 - 33
    assert resumed.candidates == reference.candidates
    assert np.allclose(resumed.fitness, reference.fitness)
    assert len(study.evaluations()) == 60
    # running again evaluates nothing
    again = GenomeScore()
    make().run(again, 60, study=study)
    assert again.calls == 0


def test_resume_with_another_seed_is_refused(tmp_path):
    study = store_mod.ExperimentStore(tmp_path / "s.db").create_study("re", {"any": 1})
    make(seed=0).run(GenomeScore(), 20, study=study)
    with pytest.raises(SettingsMismatchError, match=r"differs in: seed: stored \d+ \(seq=0\)"):
        make(seed=1).run(GenomeScore(), 20, study=study)
