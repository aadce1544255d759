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
import functools
import logging
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import torch
import torch.distributed as dist

from nasnb._validation import check_choice, check_positive_int
from nasnb.darts.checkpoint import load_search_checkpoint, save_search_checkpoint
from nasnb.darts.search import (
    ALGORITHMS,
    DartsConfig,
    DartsResult,
    _Communicator,
    load_search_data,
    run_in_process,
    run_search,
)
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


def darts_worker(
    config: dict | DartsConfig,
    algorithm: str = "algorithm1",
    *,
    threads: int | None = 1,
    seeds: Any = None,
    resume: Any = None,
    stop: int | None = None,
    on_epoch: Callable[[int, int, dict], None] | None = None,
) -> dict | list:
    """Run one worker of a data-parallel search in the current (initialised) process group.

    Returns the worker's :meth:`DartsResult.to_dict` (plain data, cheap to send back); with
    ``seeds``, runs one search per seed in turn and returns the list of their dicts.
    ``resume`` (one entry per seed: this rank's encoded state or ``None``), ``stop`` and
    ``on_epoch(seed_index, epoch, state)`` checkpoint and resume the searches (see
    :func:`nasnb.darts.search.run_search`).
    """
    check_choice(algorithm, ALGORITHMS, "algorithm", "darts_worker")
    if not dist.is_initialized():
        raise ClusterError(
            "darts_worker needs an initialised torch.distributed process group "
            "(use spawn_darts, Cluster.apply_all or init_process_group first)."
        )
    config = config if isinstance(config, DartsConfig) else DartsConfig(**config)
    if threads is not None:
        torch.set_num_threads(threads)
    data = load_search_data(config)
    seed_list = [config.seed] if seeds is None else list(seeds)
    resume = [None] * len(seed_list) if resume is None else list(resume)
    out = []
    for k, seed in enumerate(seed_list):
        comm = _Communicator(AllReduceCounter(), dist.get_rank(), dist.get_world_size())
        seeded_config = config if seed == config.seed else dataclasses.replace(config, seed=int(seed))
        report = None if on_epoch is None else functools.partial(on_epoch, k)
        out.append(
            run_search(
                seeded_config, data, algorithm=algorithm, comm=comm, resume=resume[k], stop=stop, on_epoch=report
            ).to_dict()
        )
    return out[0] if seeds is None else out


def free_port() -> int:
    """A TCP port that is free on this host right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawned(
    rank: int,
    world: int,
    port: int,
    config: dict,
    algorithm: str,
    queue,
    timeout: float,
    seeds=None,
    resume=None,
    report: bool = False,
) -> None:
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world, timeout=timedelta(seconds=timeout)
    )

    def send(k: int, epoch: int, state: dict) -> None:
        queue.put(("epoch", rank, (k, epoch, state)))

    try:
        queue.put(
            (
                "result",
                rank,
                darts_worker(config, algorithm, seeds=seeds, resume=resume, on_epoch=send if report else None),
            )
        )
    finally:
        dist.destroy_process_group()


class _Checkpointer:
    """Client side of checkpointing: stored states per rank, and writing an epoch once every rank sent it."""

    def __init__(self, study: Any, configs: list[DartsConfig], algorithm: str, workers: int) -> None:
        self.study, self.configs, self.algorithm, self.workers = study, configs, algorithm, workers
        loaded = [
            load_search_checkpoint(study, c, algorithm, workers) if study is not None else (0, None) for c in configs
        ]
        self.done = [epoch for epoch, _ in loaded]
        self.states = [states for _, states in loaded]
        self.pending: dict[tuple[int, int], dict[int, dict]] = {}

    def resume_for(self, rank: int) -> list:
        """This rank's stored state for every seed (``None`` where the search starts afresh)."""
        return [None if s is None else s[rank] for s in self.states]

    def receive(self, rank: int, k: int, epoch: int, state: dict) -> None:
        got = self.pending.setdefault((k, epoch), {})
        got[rank] = state
        if len(got) == self.workers:
            del self.pending[(k, epoch)]
            self.save(k, epoch, [got[r] for r in range(self.workers)])

    def save(self, k: int, epoch: int, states: list) -> None:
        save_search_checkpoint(self.study, self.configs[k], self.algorithm, self.workers, epoch, states)
        self.states[k] = states


def spawn_darts(
    config: DartsConfig,
    workers: int = 2,
    algorithm: str = "algorithm1",
    *,
    timeout: float = 600.0,
    seeds: Any = None,
    study: Any = None,
) -> list:
    """Run a data-parallel search on ``workers`` local processes (gloo); results by rank.

    With ``seeds``, the same processes run one search per seed in turn (process start-up and
    data loading are paid once) and the result is a list, one per seed, of per-rank results.
    With ``study``, every epoch's states of all workers are checkpointed in it (by this
    process, the only one that writes to the store) and the search resumes from them.
    """
    workers = check_positive_int(workers, "workers", "spawn_darts")
    check_choice(algorithm, ALGORITHMS, "algorithm", "spawn_darts")
    ctx = torch.multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    port = free_port()
    seeds = None if seeds is None else [int(s) for s in seeds]
    configs = [config] if seeds is None else [dataclasses.replace(config, seed=s) for s in seeds]
    checkpoints = _Checkpointer(study, configs, algorithm, workers)
    procs = [
        ctx.Process(
            target=_spawned,
            args=(
                r,
                workers,
                port,
                config.to_dict(),
                algorithm,
                queue,
                timeout,
                seeds,
                checkpoints.resume_for(r),
                study is not None,
            ),
        )
        for r in range(workers)
    ]
    for p in procs:
        p.start()
    results: dict[int, dict] = {}
    try:
        while len(results) < workers:
            if queue.empty() and not any(p.is_alive() for p in procs):
                codes = [p.exitcode for p in procs]
                if queue.empty():
                    raise ClusterError(
                        f"spawn_darts: worker processes exited with codes {codes} "
                        f"before returning {workers - len(results)} result(s)."
                    )
            if not queue.empty():
                kind, rank, payload = queue.get()
                if kind == "epoch":
                    checkpoints.receive(rank, *payload)
                else:
                    results[rank] = payload
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


def cluster_darts_worker(
    ctx: Any,
    config: dict,
    algorithm: str = "algorithm1",
    states: list | None = None,
    stop: int | None = None,
    checkpoint: bool = False,
) -> dict:
    """Entry point for ``Cluster.apply_all``: runs inside its torch.distributed context ``ctx``.

    The cluster forms the process group from the MPI ranks of its engines (and pins their
    threads), so this only runs :func:`darts_worker`. With ``checkpoint=True`` the search
    resumes from this rank's entry of ``states`` (per-rank encoded states, or ``None``), ends
    after ``stop`` epochs and returns ``{"result": ..., "state": ...}`` so that the client can
    store the state.
    """
    if not checkpoint:
        return cast(dict, darts_worker(config, algorithm, threads=None))  # one seed: one result dict
    last: list = []
    resume = None if states is None else [states[dist.get_rank()]]
    result = darts_worker(
        config, algorithm, threads=None, resume=resume, stop=stop, on_epoch=lambda k, epoch, state: last.append(state)
    )
    return {"result": result, "state": last[-1] if last else (None if resume is None else resume[0])}


def _cluster_checkpointed(config: DartsConfig, algorithm: str, cluster: Any, study: Any) -> list:
    """Algorithm 1 or 2 on a cluster, one ``apply_all`` per epoch, each epoch's states stored by the client."""
    workers = getattr(cluster, "num_engines", None)
    if not isinstance(workers, int) or workers < 1:
        raise ParameterError(
            f"darts_parallel: study= with a cluster needs a cluster with engines (num_engines); got {cluster!r}."
        )
    checkpoints = _Checkpointer(study, [config], algorithm, workers)
    raw: list = []
    for stop in range(checkpoints.done[0] + 1, config.epochs + 1):
        raw = cluster.apply_all(cluster_darts_worker, config.to_dict(), algorithm, checkpoints.states[0], stop, True)
        checkpoints.save(0, stop, [r["state"] for r in raw])
    if not raw:  # finished before: derive the result from the stored states
        raw = cluster.apply_all(
            cluster_darts_worker, config.to_dict(), algorithm, checkpoints.states[0], config.epochs, True
        )
    return sorted((DartsResult.from_dict(r["result"]) for r in raw), key=lambda r: r.rank)


def darts_parallel(
    config: DartsConfig,
    *,
    workers: int = 2,
    algorithm: str = "algorithm1",
    cluster: Any = None,
    seeds: Any = None,
    study: Any = None,
) -> list:
    """Data-parallel DARTS with Algorithm 1 or 2 (or ``"serial"`` per worker); results by rank.

    With ``cluster`` (a :class:`nasnb.Cluster` of MPI engines, or anything with
    ``apply_all(fn, *args)``) the workers are its engines and ``workers`` is ignored; otherwise
    ``workers`` local processes are spawned. ``workers=1`` runs in this process.

    ``seeds`` (local processes only) runs one search per seed in the same worker processes, so
    process start-up is paid once, and returns a list (one per seed) of per-rank result lists.
    Compare search times with ``sum(result.epoch_seconds)``, which excludes start-up.

    ``study`` (a :class:`nasnb.store.Study`) checkpoints every epoch of every worker there and
    resumes from it, as :func:`nasnb.darts.search.darts_search` does: a search killed at any
    epoch and run again ends bit-identical to an uninterrupted one. On a cluster the search
    then runs one ``apply_all`` per epoch (each engine sends its state back to be stored).
    """
    check_choice(algorithm, ALGORITHMS, "algorithm", "darts_parallel")
    if seeds is not None:
        if cluster is not None:
            raise ParameterError(
                "darts_parallel: seeds= runs on local processes only; loop over the seeds with a cluster."
            )
        workers = check_positive_int(workers, "workers", "darts_parallel")
        if workers == 1:
            data = load_search_data(config)
            return [[run_in_process(dataclasses.replace(config, seed=int(s)), data, algorithm, study)] for s in seeds]
        return spawn_darts(config, workers, algorithm, seeds=seeds, study=study)
    if cluster is not None and study is not None:
        return _cluster_checkpointed(config, algorithm, cluster, study)
    if cluster is not None:
        raw = cluster.apply_all(cluster_darts_worker, config.to_dict(), algorithm)
        results = [DartsResult.from_dict(r) for r in raw]
        return sorted(results, key=lambda r: r.rank)
    workers = check_positive_int(workers, "workers", "darts_parallel")
    if workers == 1:
        return [run_in_process(config, load_search_data(config), algorithm, study)]
    return spawn_darts(config, workers, algorithm, study=study)
