"""ProxyEvaluator is an evaluator like any other: inline, on a thread pool and on engines, its
scores recorded as metrics of the study, its failures recorded as failed rows with the reason."""

import concurrent.futures as cf
import math
import shutil

import numpy as np
import pytest

pytest.importorskip("torch")

from nasnb import NeuralDescriptor  # noqa: E402
from nasnb.benchmarks import NASBench201  # noqa: E402
from nasnb.proxies import ProxyEvaluator, score_proxies  # noqa: E402
from nasnb.spaces import layer_choice_space  # noqa: E402
from nasnb.store import ExperimentStore  # noqa: E402
from nasnb.strategies import RegularizedEvolution  # noqa: E402


def evaluator(**kw):
    return ProxyEvaluator(("synflow", "params"), input_shape=(1, 8, 8), num_outputs=10,
                          build={"fixed_channels": 8}, **kw)


def search():
    return RegularizedEvolution(layer_choice_space(channels=8), 4, 2, seed=3, workers=2)


def test_a_search_records_every_proxy_score_as_a_metric_of_the_study(tmp_path):
    store = ExperimentStore(tmp_path / "p.sqlite")
    study = store.create_study("proxies")
    history = search().run(evaluator(), 8, study=study)
    frame = study.to_dataframe()
    assert len(frame) == 8 and set(frame["status"]) == {"done"}
    np.testing.assert_array_equal(frame["fitness"], frame["metrics.synflow"])
    assert (frame["metrics.params"] > 0).all() and (frame["metrics.proxy_seconds"] > 0).all()
    np.testing.assert_array_equal(history.fitness, frame["fitness"])


def test_inline_and_thread_pool_give_the_same_scores():
    inline = search().run(evaluator(), 8)
    with cf.ThreadPoolExecutor(2) as pool:
        pooled = search().run(evaluator(), 8, executor=pool)
    assert pooled.candidates == inline.candidates
    np.testing.assert_array_equal(pooled.fitness, inline.fitness)


def test_the_seed_seeds_the_weights_and_the_same_seed_gives_the_same_scores():
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
    ev = ProxyEvaluator(("synflow", "zen"), input_shape=(3, 8, 8), num_outputs=5)
    a, b, c = (ev.descriptor_evaluate(d, seed=s) for s in (1, 1, 2))
    assert a.metrics["synflow"] == b.metrics["synflow"] and a.metrics["zen"] == b.metrics["zen"]
    assert a.metrics["synflow"] != c.metrics["synflow"]


def test_data_dependent_proxies_score_a_seeded_minibatch_of_the_dataset():
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
    ev = ProxyEvaluator(("snip", "grasp", "fisher", "grad_norm", "jacob_cov", "naswot"), dataset="digits",
                        batch_size=32)
    r = ev.descriptor_evaluate(d, seed=0)
    assert r.status == "done" and all(math.isfinite(v) for v in r.metrics.values())
    x, y = ev.batch()
    assert tuple(x.shape) == (32, 1, 8, 8)
    direct = score_proxies(d, x, y, proxies=ev.proxies, input_shape=(1, 8, 8), num_outputs=10, seed=0,
                           head=ev.build["head"], fixed_channels=ev.build["fixed_channels"])
    assert {k: r.metrics[k] for k in direct} == direct


def test_an_unscorable_candidate_is_a_failed_row_with_the_reason(tmp_path):
    store = ExperimentStore(tmp_path / "f.sqlite")
    study = store.create_study("failing")

    class Pools:  # a space whose candidates (pool sizes) have no weights at all
        def sample(self, rng):
            return int(rng.integers(1, 4))

        def mutate(self, candidate, rng):
            return self.sample(rng)

        def to_descriptor(self, candidate):
            return NeuralDescriptor.sequential([("nn.MaxPool2d", {"kernel_size": candidate})])

        def key(self, candidate):
            return str(candidate)

        def candidate_to_json(self, candidate):
            return candidate

        def candidate_from_json(self, data):
            return data

    ev = ProxyEvaluator("synflow", input_shape=(1, 8, 8))  # no head: the descriptor alone
    RegularizedEvolution(Pools(), 2, 1, seed=0).run(ev, 3, study=study)
    frame = study.to_dataframe()
    assert set(frame["status"]) == {"failed"}
    assert frame["traceback"].str.contains("no trainable convolution or linear weights").all()


def test_nas_bench_201_candidates_are_scored_as_their_whole_published_network():
    nb = NASBench201("unused-path", dataset="cifar10")
    ev = ProxyEvaluator.for_candidates(nb.network, ("params",), input_shape=nb.input_shape)
    cell = ("nor_conv_3x3",) * 6
    r = ev.evaluate_candidate(cell)
    from nasnb.benchmarks.nb201_network import nb201_parameter_count

    assert r.fitness == nb201_parameter_count(cell, 10)


@pytest.mark.cluster
def test_the_same_scores_on_two_engines():
    pytest.importorskip("ipyparallel")
    if shutil.which("mpiexec") is None:
        pytest.skip("mpiexec is not available")
    from nasnb.cluster import Cluster

    inline = search().run(evaluator(), 6)
    with Cluster(2, timeout=120) as env:
        remote = search().run(evaluator(), 6, executor=env)
    assert remote.candidates == inline.candidates
    np.testing.assert_array_equal(remote.fitness, inline.fitness)


def test_a_proxy_that_fails_leaves_its_metric_out_and_says_why():
    # one example: jacob_cov needs two, synflow (the fitness) scores it
    d = NeuralDescriptor.sequential([("nn.Conv2d", {"out_channels": 4, "kernel_size": 3}), "nn.ReLU"])
    ev = ProxyEvaluator(("synflow", "jacob_cov"), dataset="digits", batch_size=1)
    r = ev.descriptor_evaluate(d, seed=0)
    assert r.status == "done" and "jacob_cov" not in r.metrics and "synflow" in r.metrics
    assert "jacob_cov" in r.message and "at least 2 examples" in r.message
    failing = ProxyEvaluator(("jacob_cov", "synflow"), dataset="digits", batch_size=1)
    r = failing.descriptor_evaluate(d, seed=0)
    assert r.status == "failed" and "jacob_cov" in r.message
