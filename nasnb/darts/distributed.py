"""Data-parallel DARTS through ``torch.distributed`` (thesis ch. 8, Algorithms 1 and 2).

Every worker runs :func:`darts_worker` inside an initialised process group (gloo on CPU):

* locally, :func:`spawn_darts` starts ``workers`` processes with ``torch.multiprocessing``;
* on a :class:`nasnb.Cluster` of MPI engines, :func:`cluster_darts_worker` runs on every
  engine through ``Cluster.apply_all`` (which forms the process group from the MPI ranks).

The all-reduce every worker uses is an :class:`AllReduceCounter`, so results report how many
collective calls a search made (Algorithm 1: one per epoch; Algorithm 2: one set of two per
step, see :mod:`nasnb.darts.search`).

Examples
--------
>>> from nasnb.darts.search import DartsConfig
>>> cfg = DartsConfig(channels=2, layers=1, nodes=1, epochs=1, percentage=0.1, batch_size=32)
>>> results = darts_parallel(cfg, workers=2, algorithm="algorithm1")   # doctest: +SKIP
>>> [r.allreduce_calls for r in results]                                # doctest: +SKIP
[1, 1]
"""

from __future__ import annotations

import dataclasses
import logging
import socket
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist

from nasnb._validation import check_choice, check_positive_int
from nasnb.darts.search import ALGORITHMS, DartsConfig, DartsResult, _Communicator, load_search_data, run_search
from nasnb.exceptions import ClusterError, ParameterError

__all__ = ["AllReduceCounter", "darts_worker", "spawn_darts", "cluster_darts_worker", "darts_parallel", "free_port"]

logger = logging.getLogger(__name__)


class AllReduceCounter:
    """``torch.distributed.all_reduce`` (sum) that counts its calls and reduced elements.

    Examples
    --------
    >>> counter = AllReduceCounter(group=None)
    >>> counter.calls()
    0
    """

    def __init__(self, group: Any = None) -> None:
        self.group = group
        self.count = 0
        self.elements = 0

    def __call__(self, tensor: torch.Tensor) -> torch.Tensor:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM, group=self.group)
        self.count += 1
        self.elements += tensor.numel()
        return tensor

    def calls(self) -> int:
        """Number of all-reduce calls so far."""
        return self.count


def darts_worker(config: dict | DartsConfig, algorithm: str = "algorithm1", *, threads: int | None = 1,
                 seeds: Any = None) -> dict | list:
    """Run one worker of a data-parallel search in the current (initialised) process group.

    Returns the worker's :meth:`DartsResult.to_dict` (plain data, cheap to send back); with
    ``seeds``, runs one search per seed in turn and returns the list of their dicts.
    """
    check_choice(algorithm, ALGORITHMS, "algorithm", "darts_worker")
    if not dist.is_initialized():
        raise ClusterError("darts_worker needs an initialised torch.distributed process group "
                           "(use spawn_darts, Cluster.apply_all or init_process_group first).")
    config = config if isinstance(config, DartsConfig) else DartsConfig(**config)
    if threads is not None:
        torch.set_num_threads(threads)
    data = load_search_data(config)
    out = []
    for seed in ([config.seed] if seeds is None else list(seeds)):
        comm = _Communicator(AllReduceCounter(), dist.get_rank(), dist.get_world_size())
        seeded_config = config if seed == config.seed else dataclasses.replace(config, seed=int(seed))
        out.append(run_search(seeded_config, data, algorithm=algorithm, comm=comm).to_dict())
    return out[0] if seeds is None else out


def free_port() -> int:
    """A TCP port that is free on this host right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawned(rank: int, world: int, port: int, config: dict, algorithm: str, queue, timeout: float,
             seeds=None) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world,
                            timeout=timedelta(seconds=timeout))
    try:
        queue.put((rank, darts_worker(config, algorithm, seeds=seeds)))
    finally:
        dist.destroy_process_group()


def spawn_darts(config: DartsConfig, workers: int = 2, algorithm: str = "algorithm1", *,
                timeout: float = 600.0, seeds: Any = None) -> list:
    """Run a data-parallel search on ``workers`` local processes (gloo); results by rank.

    With ``seeds``, the same processes run one search per seed in turn (process start-up and
    data loading are paid once) and the result is a list, one per seed, of per-rank results.
    """
    workers = check_positive_int(workers, "workers", "spawn_darts")
    check_choice(algorithm, ALGORITHMS, "algorithm", "spawn_darts")
    ctx = torch.multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    port = free_port()
    seeds = None if seeds is None else [int(s) for s in seeds]
    procs = [ctx.Process(target=_spawned, args=(r, workers, port, config.to_dict(), algorithm, queue, timeout,
                                                seeds))
             for r in range(workers)]
    for p in procs:
        p.start()
    results: dict[int, dict] = {}
    try:
        while len(results) < workers:
            if queue.empty() and not any(p.is_alive() for p in procs):
                codes = [p.exitcode for p in procs]
                if queue.empty():
                    raise ClusterError(f"spawn_darts: worker processes exited with codes {codes} "
                                       f"before returning {workers - len(results)} result(s).")
            if not queue.empty():
                rank, res = queue.get()
                results[rank] = res
            else:
                for p in procs:
                    p.join(timeout=0.05)
    finally:
        for p in procs:
            p.join(timeout=timeout)
            if p.is_alive():  # pragma: no cover - only on a hung worker
                p.terminate()
    if seeds is not None:
        return [[DartsResult.from_dict(results[r][k]) for r in range(workers)] for k in range(len(seeds))]
    return [DartsResult.from_dict(results[r]) for r in range(workers)]


def cluster_darts_worker(ctx: Any, config: dict, algorithm: str = "algorithm1") -> dict:
    """Entry point for ``Cluster.apply_all``: runs inside its torch.distributed context ``ctx``.

    The cluster forms the process group from the MPI ranks of its engines (and pins their
    threads), so this only runs :func:`darts_worker`.
    """
    return darts_worker(config, algorithm, threads=None)


def darts_parallel(config: DartsConfig, *, workers: int = 2, algorithm: str = "algorithm1",
                   cluster: Any = None, seeds: Any = None) -> list:
    """Data-parallel DARTS with Algorithm 1 or 2 (or ``"serial"`` per worker); results by rank.

    With ``cluster`` (a :class:`nasnb.Cluster` of MPI engines, or anything with
    ``apply_all(fn, *args)``) the workers are its engines and ``workers`` is ignored; otherwise
    ``workers`` local processes are spawned. ``workers=1`` runs in this process.

    ``seeds`` (local processes only) runs one search per seed in the same worker processes, so
    process start-up is paid once, and returns a list (one per seed) of per-rank result lists.
    Compare search times with ``sum(result.epoch_seconds)``, which excludes start-up.
    """
    check_choice(algorithm, ALGORITHMS, "algorithm", "darts_parallel")
    if seeds is not None:
        if cluster is not None:
            raise ParameterError("darts_parallel: seeds= runs on local processes only; loop over the seeds "
                                 "with a cluster.")
        workers = check_positive_int(workers, "workers", "darts_parallel")
        if workers == 1:
            data = load_search_data(config)
            return [[run_search(dataclasses.replace(config, seed=int(s)), data, algorithm=algorithm)]
                    for s in seeds]
        return spawn_darts(config, workers, algorithm, seeds=seeds)
    if cluster is not None:
        raw = cluster.apply_all(cluster_darts_worker, config.to_dict(), algorithm)
        results = [DartsResult.from_dict(r) for r in raw]
        return sorted(results, key=lambda r: r.rank)
    workers = check_positive_int(workers, "workers", "darts_parallel")
    if workers == 1:
        return [run_search(config, load_search_data(config), algorithm=algorithm)]
    return spawn_darts(config, workers, algorithm)
