"""Which accelerator an engine trains on: ``cuda:(local rank mod GPUs on the host)`` or ``"cpu"``.

The *local rank* of an engine is its index among the engines on the same host. It comes
from the launcher when there is one — Open MPI (``OMPI_COMM_WORLD_LOCAL_RANK``), MPICH
and Intel MPI (``MPI_LOCALRANKID``), MVAPICH (``MV2_COMM_WORLD_LOCAL_RANK``), Slurm
(``SLURM_LOCALID``), torchrun (``LOCAL_RANK``) — and otherwise from the engine
processes of the same cluster running on the host, ordered by start time. With GPUs
visible each engine gets ``cuda:(local_rank % torch.cuda.device_count())``, so 8 engines
on a 4-GPU node share the GPUs two by two and a scheduler that gives each rank one GPU
(``CUDA_VISIBLE_DEVICES``) gives every engine ``cuda:0``; without CUDA every engine
trains on ``"cpu"``.

Examples
--------
>>> env_local_rank({"OMPI_COMM_WORLD_LOCAL_RANK": "3"})
3
>>> device_for_rank(5, cuda_available=True, device_count=4)
'cuda:1'
>>> device_for_rank(5, cuda_available=False)
'cpu'
>>> local_ranks([{"host": "a"}, {"host": "b"}, {"host": "a"}])
[0, 0, 1]
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "LOCAL_RANK_VARIABLES",
    "env_local_rank",
    "engine_local_rank",
    "local_ranks",
    "device_for_rank",
    "engine_device",
]

# most specific first: an MPI launcher's own variable beats Slurm's (mpiexec inside an
# allocation inherits the batch step's SLURM_LOCALID=0 in every rank)
LOCAL_RANK_VARIABLES = (
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "MPI_LOCALRANKID",
    "MV2_COMM_WORLD_LOCAL_RANK",
    "SLURM_LOCALID",
    "LOCAL_RANK",
)


def env_local_rank(environ: Mapping[str, str] | None = None) -> int | None:
    """Local rank set by the launcher (MPI, Slurm, torchrun) in ``environ``, or None."""
    environ = os.environ if environ is None else environ
    for var in LOCAL_RANK_VARIABLES:
        value = environ.get(var)
        if value is not None and value.strip().isdigit():
            return int(value)
    return None


def _is_engine(cmdline: Sequence[str]) -> bool:
    text = " ".join(cmdline)
    return ("ipyparallel.engine" in text and "nanny" not in text) or text.rstrip().endswith("ipengine")


def _sibling_index() -> int | None:
    """Index of this process among the engine processes of its cluster on this host (by start time)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - the [cluster] extra installs psutil
        return None
    me = psutil.Process()
    if not _is_engine(me.cmdline()):
        return None
    cluster = os.environ.get("IPP_CLUSTER_ID")
    engines = []
    for proc in psutil.process_iter(["cmdline", "create_time"]):
        try:
            if not _is_engine(proc.info["cmdline"] or []) or proc.environ().get("IPP_CLUSTER_ID") != cluster:
                continue
        except (psutil.Error, OSError):
            continue
        engines.append((proc.info["create_time"], proc.pid))
    order = [pid for _, pid in sorted(engines)]
    return order.index(me.pid) if me.pid in order else None


def engine_local_rank(default: int | None = 0) -> int | None:
    """This engine's local rank: the launcher's, else its index among the host's engines of its cluster.

    ``default`` when neither is known (a process that is not an ipyparallel engine).
    """
    rank = env_local_rank()
    if rank is None:
        rank = _sibling_index()
    return default if rank is None else rank


def local_ranks(infos: Sequence[Mapping[str, Any]]) -> list[int]:
    """Client-side local ranks of engines described by ``infos`` (dicts with ``host``).

    An engine keeps the ``local_rank`` it reported when the ranks reported on its host
    are distinct; otherwise engines are numbered per host in the given order (sorted
    by ``mpi_rank`` when every engine of the host has one).
    """
    by_host: dict[str, list[int]] = defaultdict(list)
    for i, info in enumerate(infos):
        by_host[info["host"]].append(i)
    out = [0] * len(infos)
    for members in by_host.values():
        reported = [infos[i].get("local_rank") for i in members]
        if None not in reported and len(set(reported)) == len(reported):
            for i, rank in zip(members, reported):
                out[i] = int(rank) if rank is not None else 0  # (None is excluded just above)
            continue
        if all(infos[i].get("mpi_rank") is not None for i in members):
            members = sorted(members, key=lambda i: infos[i]["mpi_rank"])
        for rank, i in enumerate(members):
            out[i] = rank
    return out


def device_for_rank(local_rank: int, *, cuda_available: bool | None = None, device_count: int | None = None) -> str:
    """``"cuda:(local_rank % device_count)"`` when CUDA is available, else ``"cpu"``."""
    if cuda_available is None or (cuda_available and device_count is None):
        import torch

        if cuda_available is None:
            cuda_available = torch.cuda.is_available()
        if cuda_available and device_count is None:
            device_count = torch.cuda.device_count()
    if not cuda_available or not device_count:
        return "cpu"
    return f"cuda:{int(local_rank) % int(device_count)}"


def engine_device(local_rank: int | None = None, *, set_current: bool = True) -> str:
    """The device this engine trains on (``"cuda:k"`` or ``"cpu"``).

    Parameters
    ----------
    local_rank : int, optional
        Default :func:`engine_local_rank` (the launcher's local rank, else the index
        among this host's engines of the cluster).
    set_current : bool
        Make a CUDA device the process's current one (``torch.cuda.set_device``), so
        code that says ``"cuda"`` lands on it too.

    Examples
    --------
    >>> import torch
    >>> engine_device() == ("cuda:0" if torch.cuda.is_available() else "cpu")
    True
    """
    import torch

    rank = engine_local_rank(0) if local_rank is None else local_rank
    device = device_for_rank(rank if rank is not None else 0)
    if set_current and device != "cpu":
        torch.cuda.set_device(torch.device(device))
    return device
