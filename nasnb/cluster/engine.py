"""Functions that run *on the engines* of a :class:`~nasnb.cluster.Cluster`.

They are plain module-level functions, so ipyparallel pickles them by reference and
every engine imports this module once. Engine-wide state (the evaluators already
unpickled, with the data sets they loaded) lives in the engine's IPython user
namespace under ``_nasnb_engine``, the engine-global namespace the client cannot
see; nothing here keeps module-level state. Called outside an engine (tests, serial
fallback) each call gets a fresh namespace.

Examples
--------
>>> info = engine_info()
>>> sorted(info)
['cpus', 'host', 'mpi_rank', 'mpi_size', 'pid', 'threads']
>>> out = call_task(divmod, (7, 2), {})
>>> out["value"], out["pid"] == info["pid"]
((3, 1), True)
"""

from __future__ import annotations

import os
import pickle
import socket
import sys
import time
import traceback
from typing import Any, Callable

__all__ = ["engine_namespace", "engine_info", "pin_threads", "evaluate_task", "call_task", "dumps_object", "loads_object"]

_NS_KEY = "_nasnb_engine"


def engine_namespace() -> dict:
    """The engine-global dict kept in the IPython user namespace (fresh dict off-engine)."""
    ipython = None
    if "IPython" in sys.modules:
        from IPython import get_ipython

        ipython = get_ipython()
    if ipython is None:
        return {}
    return ipython.user_ns.setdefault(_NS_KEY, {})


def _mpi_rank_size() -> tuple[int | None, int | None]:
    """MPI rank and size when this process runs under MPI (mpi4py already imported)."""
    if "mpi4py.MPI" not in sys.modules and not any(k in os.environ for k in (
            "PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "MPI_LOCALRANKID")):
        return None, None
    from mpi4py import MPI

    return MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()


def engine_info() -> dict[str, Any]:
    """Host name, pid, CPU count, torch thread count and MPI rank/size of this process."""
    rank, size = _mpi_rank_size()
    threads = None
    if "torch" in sys.modules:
        threads = sys.modules["torch"].get_num_threads()
    return {"host": socket.gethostname(), "pid": os.getpid(), "cpus": os.cpu_count() or 1,
            "threads": threads, "mpi_rank": rank, "mpi_size": size}


def pin_threads(threads: int) -> dict[str, Any]:
    """Limit this engine to ``threads`` intra-op threads (torch and OpenMP/MKL env vars)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    import torch

    torch.set_num_threads(int(threads))
    engine_namespace()["threads"] = int(threads)
    return engine_info()


def dumps_object(evaluator: Any) -> bytes:
    """Serialize an evaluator or function for the engines (cloudpickle when present, else pickle).

    cloudpickle sends functions and classes defined in a notebook (``__main__``) by value.
    """
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - ipyparallel installs cloudpickle
        return pickle.dumps(evaluator)
    return cloudpickle.dumps(evaluator)


def _cached_evaluator(token: str, blob: bytes) -> Any:
    cache = engine_namespace().setdefault("evaluators", {})
    evaluator = cache.get(token)
    if evaluator is None:
        # the client's own evaluator object, serialized by the client itself
        evaluator = loads_object(blob)
        cache[token] = evaluator
    return evaluator


def loads_object(blob: bytes) -> Any:
    """Inverse of :func:`dumps_object` (bytes the client produced from its own objects)."""
    return pickle.loads(blob)  # noqa: S301 - trusted: produced by dumps_object on the client


def _envelope(value: Any, started: float) -> dict[str, Any]:
    info = engine_info()
    info.update(value=value, started=started, finished=time.time())
    return info


def evaluate_task(token: str, blob: bytes, descriptor: Any, epochs: int, dataset: Any,
                  percentage: float, seed: int | None) -> dict[str, Any]:
    """Evaluate one descriptor with the engine's cached copy of the evaluator.

    The evaluator is unpickled once per engine (keyed by the client's ``token``) so the
    data sets it loads stay in memory for the following tasks. Any exception becomes a
    ``failed`` :class:`~nasnb.results.EvaluationResult` holding the traceback.
    """
    from nasnb.results import EvaluationResult

    started = time.time()
    try:
        evaluator = _cached_evaluator(token, blob)
        result = evaluator.descriptor_evaluate(descriptor, epochs, dataset, percentage=percentage, seed=seed)
        if not isinstance(result, EvaluationResult):
            loss, metrics, total_time = result
            result = EvaluationResult(float(loss), dict(metrics), float(total_time))
    except Exception:  # recorded as a failed evaluation, never lost
        result = EvaluationResult.failed(traceback.format_exc(), time.time() - started)
    return _envelope(result, started)


def call_task(fn: Callable[..., Any] | bytes, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Run ``fn(*args, **kwargs)`` and wrap the value with where and when it ran.

    ``fn`` may be given as :func:`dumps_object` bytes. Exceptions propagate (the client
    turns them into the future's exception).
    """
    started = time.time()
    if isinstance(fn, bytes):
        fn = loads_object(fn)
    return _envelope(fn(*args, **kwargs), started)
