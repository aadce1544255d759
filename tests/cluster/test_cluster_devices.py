"""Engines pick ``cuda:(local rank mod GPUs)``; data-parallel groups use NCCL there (GPUs faked: CI has none)."""

import os
import sys

import pytest
import torch
import torch.distributed as dist

from nasnb.cluster import devices, distributed
from nasnb.cluster.devices import device_for_rank, engine_device, env_local_rank, local_ranks
from nasnb.cluster.distributed import distributed_context

sys.path.insert(0, os.path.dirname(__file__))
from _cluster_helpers import digits_descriptor, digits_evaluator  # noqa: E402


@pytest.fixture()
def no_launcher(monkeypatch):
    for var in devices.LOCAL_RANK_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


@pytest.fixture()
def gpus(no_launcher):
    """Pretend this host has CUDA with ``count`` GPUs; records set_device and process-group calls."""
    calls = {"set_device": [], "init": []}

    def fake(count):
        no_launcher.setattr(torch.cuda, "is_available", lambda: count > 0)
        no_launcher.setattr(torch.cuda, "device_count", lambda: count)
        no_launcher.setattr(torch.cuda, "set_device", lambda d: calls["set_device"].append(str(torch.device(d))))
        no_launcher.setattr(dist, "init_process_group",
                            lambda backend, **kw: calls["init"].append((backend, kw["rank"], kw["world_size"])))
        no_launcher.setattr(dist, "destroy_process_group", lambda: None)
        no_launcher.setattr(dist, "is_initialized", lambda: False)
        return calls

    return fake


def test_local_rank_comes_from_the_mpi_launcher_before_slurm():
    assert env_local_rank({"SLURM_LOCALID": "0", "MPI_LOCALRANKID": "3"}) == 3          # MPICH inside an allocation
    assert env_local_rank({"OMPI_COMM_WORLD_LOCAL_RANK": "5", "LOCAL_RANK": "1"}) == 5  # Open MPI
    assert env_local_rank({"SLURM_LOCALID": "2"}) == 2
    assert env_local_rank({"LOCAL_RANK": "x", "PMI_RANK": "7"}) is None                 # global rank is not local


def test_engine_device_is_local_rank_modulo_gpu_count(gpus, no_launcher):
    calls = gpus(4)
    no_launcher.setenv("MPI_LOCALRANKID", "6")
    assert engine_device() == "cuda:2"
    assert calls["set_device"] == ["cuda:2"]
    assert engine_device(1, set_current=False) == "cuda:1" and calls["set_device"] == ["cuda:2"]
    gpus(1)  # the scheduler gave each rank its own GPU (CUDA_VISIBLE_DEVICES)
    assert engine_device() == "cuda:0"


def test_engine_device_is_cpu_without_cuda(gpus, no_launcher):
    calls = gpus(0)
    no_launcher.setenv("OMPI_COMM_WORLD_LOCAL_RANK", "3")
    assert engine_device() == "cpu" and calls["set_device"] == []
    assert device_for_rank(3, cuda_available=True, device_count=0) == "cpu"


def test_local_ranks_number_engines_per_host():
    # reported MPI local ranks are kept
    infos = [{"host": "a", "local_rank": 1}, {"host": "a", "local_rank": 0}, {"host": "b", "local_rank": 0}]
    assert local_ranks(infos) == [1, 0, 0]
    # mpiexec inside a Slurm batch step: every rank inherited SLURM_LOCALID=0 -> number them by MPI rank
    infos = [{"host": "a", "local_rank": 0, "mpi_rank": 2}, {"host": "b", "local_rank": 0, "mpi_rank": 1},
             {"host": "a", "local_rank": 0, "mpi_rank": 0}, {"host": "a", "local_rank": 0, "mpi_rank": 4}]
    assert local_ranks(infos) == [1, 0, 0, 2]
    # engines started separately report nothing: order given
    assert [device_for_rank(r, cuda_available=True, device_count=2)
            for r in local_ranks([{"host": "a"}] * 3)] == ["cuda:0", "cuda:1", "cuda:0"]


def test_process_group_uses_nccl_on_the_local_gpu(gpus, no_launcher):
    calls = gpus(2)
    # explicit ranks meeting on the loopback address: all on this host, local rank = rank
    with distributed_context(rank=3, world_size=4, port=1234) as ctx:
        assert (ctx.backend, ctx.device) == ("nccl", torch.device("cuda", 1))
    # an MPI launcher's local rank wins over the global rank
    no_launcher.setenv("OMPI_COMM_WORLD_LOCAL_RANK", "0")
    with distributed_context(rank=3, world_size=4, port=1234) as ctx:
        assert ctx.device == torch.device("cuda", 0)
    # MPI rendezvous: global rank 3 is the third rank on its host
    no_launcher.setattr(distributed, "_mpi_rendezvous", lambda: (3, 4, "10.0.0.1", 1234, 2))
    with distributed_context() as ctx:
        assert (ctx.rank, ctx.backend, ctx.device) == (3, "nccl", torch.device("cuda", 0))
    with distributed_context("gloo") as ctx:  # asked for gloo: CPU tensors
        assert ctx.device == torch.device("cpu")
    assert calls["init"] == [("nccl", 3, 4), ("nccl", 3, 4), ("nccl", 3, 4), ("gloo", 3, 4)]
    assert calls["set_device"] == ["cuda:1", "cuda:0", "cuda:0"]


def test_process_group_uses_gloo_on_cpu(gpus):
    calls = gpus(0)
    with distributed_context(rank=1, world_size=2, port=1234) as ctx:
        assert (ctx.backend, ctx.device) == ("gloo", torch.device("cpu"))
    assert calls["init"] == [("gloo", 1, 2)] and calls["set_device"] == []
    with pytest.raises(ValueError, match="'backend' parameter of distributed_context.*'nccl' needs CUDA"):
        with distributed_context("nccl", rank=0, world_size=1):
            pass


def test_single_rank_data_parallel_evaluation_trains_on_cpu_with_gloo(no_launcher):
    no_launcher.setattr(torch.cuda, "is_available", lambda: False)
    with distributed_context(rank=0, world_size=1) as ctx:
        result = distributed.data_parallel_evaluate(ctx, digits_evaluator(), digits_descriptor(4), 3, "digits",
                                                    seed=0)
    assert (ctx.backend, ctx.device.type) == ("gloo", "cpu")
    assert result.status == "done" and result.loss < 1.0  # untrained: 2.30


def test_engines_without_a_launcher_rank_are_numbered_on_their_host(no_launcher, tmp_path):
    import subprocess
    import time

    pytest.importorskip("psutil")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    go, done = tmp_path / "go", tmp_path / "done"
    # stand-ins for `python -m ipyparallel.engine` processes of one cluster (and one of another); all
    # are alive while each works out its rank
    code = ("import os, sys, time\nfrom nasnb.cluster import devices\n"
            f"while not os.path.exists({str(go)!r}): time.sleep(0.02)\n"
            "print(devices.engine_local_rank(), flush=True)\n"
            f"while not os.path.exists({str(done)!r}): time.sleep(0.02)\n")
    procs = []
    try:
        for cluster in ("c1", "c2", "c1"):
            env = dict(os.environ, PYTHONPATH=repo, IPP_CLUSTER_ID=cluster)
            procs.append(subprocess.Popen([sys.executable, "-c", code, "ipyparallel.engine"], env=env,
                                          stdout=subprocess.PIPE, text=True))
            time.sleep(0.05)  # distinct start times
        go.touch()
        ranks = [int(p.stdout.readline()) for p in procs]
    finally:
        done.touch()
        for p in procs:
            p.communicate(timeout=60)
    assert ranks == [0, 0, 1]
