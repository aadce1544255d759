"""The cluster as an executor of ``Strategy.run`` (issue 12): the same record and history as serially.

One module-scoped cluster of 2 MPI engines serves every test.
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("mpi4py")
if shutil.which("mpiexec") is None:  # pragma: no cover
    pytest.skip("mpiexec is not on PATH", allow_module_level=True)

import cloudpickle  # noqa: E402

from nasnb.cluster import Cluster  # noqa: E402
from nasnb.data import default_datasets  # noqa: E402
from nasnb.evaluators import LocalEvaluator  # noqa: E402
from nasnb.genomes import ConvBlockGenes  # noqa: E402
from nasnb.spaces import GenomeSpace, layer_choice_space  # noqa: E402
from nasnb.store import ExperimentStore  # noqa: E402
from nasnb.strategies import RegularizedEvolution  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # like classes defined in a notebook

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def env():
    with Cluster(n=2, timeout=120) as cluster:
        yield cluster


class TupleEvaluator:
    def descriptor_evaluate(self, descriptor, epochs=1, seed=None):
        return (0.25, {"accuracy": 0.9}, 1.5)


def counted_digits(log_path):
    """The digits loader, appending one line to ``log_path`` per load (where it ran)."""
    from sklearn.datasets import load_digits

    with open(log_path, "a") as fh:
        fh.write(f"{os.getpid()}\n")
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32").reshape(-1, 1, 8, 8)
    return x[:1400], y[:1400], x[1400:], y[1400:]


def test_thesis_tuple_and_rows_are_the_same_as_in_the_client(env, tmp_path):
    store = ExperimentStore(tmp_path / "t.sqlite")
    local, remote = store.create_study("local"), store.create_study("remote")
    space = layer_choice_space()
    a = RegularizedEvolution(space, 4, 2, seed=0, workers=2).run(TupleEvaluator(), 8, study=local)
    b = RegularizedEvolution(space, 4, 2, seed=0, workers=2).run(TupleEvaluator(), 8, study=remote, executor=env)
    assert a.fitness.tolist() == b.fitness.tolist() == [0.9] * 8
    la, lb = local.evaluations(), remote.evaluations()
    assert [r.settings for r in la] == [r.settings for r in lb]  # one settings schema on every path
    assert [r.seed for r in la] == [r.seed for r in lb]
    assert all(r.engine_id in ("0", "1") and r.engine_rank in (0, 1) and r.threads == 1 for r in lb)
    assert all(r.engine_id is None and r.engine_pid == os.getpid() for r in la)


def test_a_data_set_is_loaded_once_per_engine(env, tmp_path):
    """Defect: run(executor=cluster) shipped the evaluator with every task (40 loads for 40)."""
    log = tmp_path / "loads.txt"
    datasets = default_datasets()
    datasets.add_classification_dataset("counted", 10, (8, 8), 1, counted_digits, loader_kwargs={"log_path": str(log)})
    evaluator = LocalEvaluator("Adam", {"lr": 0.01}, batch_size=128, datasets=datasets)
    study = ExperimentStore(tmp_path / "l.sqlite").create_study("loads")
    space = GenomeSpace(ConvBlockGenes(4, 8))
    h = RegularizedEvolution(space, 4, 2, seed=1, workers=2).run(
        evaluator, 12, study=study, executor=env, evaluate_kwargs={"epochs": 1, "dataset": "counted"})
    assert h.status_counts == {"done": 12}, h.messages
    engines = {r.engine_id for r in study.evaluations()}
    pids = log.read_text().split()
    assert len(pids) == len(engines) == len(set(pids))  # one load per engine that trained
    # the same evaluator through map_evaluate reuses what the engines hold: no new load
    env.map_evaluate([space.to_descriptor(h.best.candidate)] * 2, 1, "counted",
                     seeds=[0, 1], evaluator=evaluator)
    assert len(log.read_text().split()) == len(pids)


def test_same_history_with_two_client_threads_and_one_per_engine(env):
    """Defect: serial (2 torch threads) and MPI (1 per engine) differed in the third decimal."""
    import torch

    kwargs = {"epochs": 1, "dataset": "digits"}
    evaluator = LocalEvaluator(batch_size=128)  # threads=1: each evaluation fixes its thread count
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        serial = RegularizedEvolution(GenomeSpace(ConvBlockGenes(4, 8)), 4, 2, seed=0, workers=2).run(
            evaluator, 8, evaluate_kwargs=kwargs)
    finally:
        torch.set_num_threads(before)
    remote = RegularizedEvolution(GenomeSpace(ConvBlockGenes(4, 8)), 4, 2, seed=0, workers=2).run(
        evaluator, 8, evaluate_kwargs=kwargs, executor=env)
    assert serial.status_counts == {"done": 8}, serial.messages
    np.testing.assert_array_equal(serial.fitness, remote.fitness)  # bit for bit
    assert serial.candidates == remote.candidates


def test_async_search_on_engines_records_arrivals(env, tmp_path):
    study = ExperimentStore(tmp_path / "a.sqlite").create_study("async")
    h = RegularizedEvolution(layer_choice_space(), 4, 2, seed=2, workers=2).run(
        TupleEvaluator(), 10, study=study, executor=env, mode="async")
    assert sorted(r.arrival for r in study.evaluations()) == list(range(10))
    again = RegularizedEvolution(layer_choice_space(), 4, 2, seed=2, workers=2).run(
        TupleEvaluator(), 10, study=study, mode="async")  # replayed from the store, in the client
    assert again.candidates == h.candidates
