"""Data-parallel DARTS (Algorithms 1 and 2) on a cluster of 2 MPI engines."""

import shutil

import pytest

pytest.importorskip("ipyparallel")
pytest.importorskip("mpi4py")
if shutil.which("mpiexec") is None:  # pragma: no cover
    pytest.skip("mpiexec is not on PATH", allow_module_level=True)

import torch  # noqa: E402

import nasnb.darts.distributed as distributed  # noqa: E402
from nasnb.builders import build_network  # noqa: E402
from nasnb.cluster import Cluster  # noqa: E402
from nasnb.darts import (  # noqa: E402
    DartsConfig,
    darts_consistency_report,
    darts_parallel,
    darts_registry,
    darts_search,
    genotype_to_descriptor,
)
from nasnb.store import ExperimentStore  # noqa: E402

pytestmark = pytest.mark.cluster

TINY = DartsConfig(channels=4, layers=2, nodes=2, epochs=2, batch_size=32, percentage=0.1)


@pytest.fixture(scope="module")
def env():
    with Cluster(n=2, timeout=120) as cluster:
        yield cluster


def test_algorithms_1_and_2_count_their_all_reduces_on_two_engines(env):
    alg1 = darts_parallel(TINY, algorithm="algorithm1", cluster=env)
    alg2 = darts_parallel(TINY, algorithm="algorithm2", cluster=env)
    assert [r.rank for r in alg1] == [0, 1] and [r.workers for r in alg2] == [2, 2]
    for r in alg1:  # Algorithm 1: one all-reduce (weights + BN statistics + alphas) per epoch
        assert r.allreduce_per_epoch == [1] * TINY.epochs
    for r in alg2:  # Algorithm 2: one set (alpha grads, weight grads) per step
        assert r.allreduce_per_epoch == [r.steps_per_epoch] * TINY.epochs
    # Algorithm 2 keeps the replicas identical: same architecture on both engines
    assert alg2[0].alphas_normal == alg2[1].alphas_normal
    assert alg1[0].genotype == alg1[1].genotype

    serial = darts_search(TINY)
    registry = darts_registry()
    for result in (serial, alg1[0], alg2[0]):
        d = genotype_to_descriptor(result.genotype, (1, 8, 8), channels=4, layers=2)
        net = build_network(d, (1, 8, 8), 10, head="linear", registry=registry)
        opt = torch.optim.SGD(net.parameters(), lr=0.05)
        loss = torch.nn.functional.cross_entropy(net(torch.randn(8, 1, 8, 8)), torch.arange(8))
        loss.backward()
        opt.step()

    report = darts_consistency_report({1: [serial], 2: [alg1[0], alg2[0]]})
    assert set(report.ged["pair"]) == {"1-2", "2-2"}
    assert report.ks is not None and len(report.ks) == 1


class _ClientDied(Exception):
    pass


def test_algorithm2_checkpointed_on_the_cluster_resumes_bit_identical(env, tmp_path, monkeypatch):
    reference = darts_parallel(TINY, algorithm="algorithm2", cluster=env)   # one apply_all, no study
    save = distributed.save_search_checkpoint

    def save_then_die(study, config, algorithm, workers, epoch, states):
        save(study, config, algorithm, workers, epoch, states)
        if epoch == 1:
            raise _ClientDied

    with ExperimentStore(tmp_path / "darts.sqlite") as store:
        study = store.create_study("darts", {"darts": TINY.to_dict()})
        monkeypatch.setattr(distributed, "save_search_checkpoint", save_then_die)
        with pytest.raises(_ClientDied):
            darts_parallel(TINY, algorithm="algorithm2", cluster=env, study=study)
        assert study.load_checkpoint("darts:seed=0")["epoch"] == 1
        monkeypatch.undo()
        resumed = darts_parallel(TINY, algorithm="algorithm2", cluster=env, study=study)
        assert study.load_checkpoint("darts:seed=0")["epoch"] == TINY.epochs
    for ref, got in zip(reference, resumed, strict=True):
        assert torch.equal(torch.tensor(got.alphas_normal), torch.tensor(ref.alphas_normal))
        assert torch.equal(torch.tensor(got.alphas_reduce), torch.tensor(ref.alphas_reduce))
        assert got.genotype == ref.genotype and got.val_accuracy == ref.val_accuracy
        assert got.allreduce_per_epoch == ref.allreduce_per_epoch and got.allreduce_calls == ref.allreduce_calls
