"""Functions that run *on the engines* of a :class:`~nasnb.cluster.Cluster`.

They are plain module-level functions, so ipyparallel pickles them by reference and
every engine imports this module once. Engine-wide state lives in the engine's IPython
user namespace under ``_nasnb_engine`` (nothing here keeps module-level state):

* ``engine`` -- who this engine is (id, host, pid, MPI rank, device), set by
  :func:`engine_setup`, and copied into every :class:`~nasnb.results.EvaluationOutcome`;
* ``objects`` -- evaluators and functions the client sent once (:func:`cache_object`,
  cloudpickled, so classes and loaders defined in a notebook work) and that tasks name by
  token (:func:`evaluate_cached`, :func:`call_cached`): an evaluator is unpickled once per
  engine and keeps the data sets it loaded for every later task of the study.

Called outside an engine (tests, serial fallback) each call gets a fresh namespace.

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
from collections.abc import Callable
from typing import Any

__all__ = [
    "engine_namespace",
    "engine_info",
    "pin_threads",
    "engine_setup",
    "cache_object",
    "cached_object",
    "evaluate_cached",
    "evaluate_packed",
    "call_cached",
    "call_task",
    "dumps_object",
    "loads_object",
    "MISSING",
]

#: Marker a task returns when its engine does not hold the object it names (the client sends it and retries).
MISSING = "__nasnb_missing_object__"

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
    if "mpi4py.MPI" not in sys.modules and not any(
        k in os.environ for k in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "MPI_LOCALRANKID")
    ):
        return None, None
    from mpi4py import MPI

    return MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()


def engine_info() -> dict[str, Any]:
    """Host name, pid, CPU count, torch thread count and MPI rank/size of this process."""
    rank, size = _mpi_rank_size()
    threads = engine_namespace().get("threads")  # pinned; torch takes it when it is imported
    if "torch" in sys.modules:
        import torch

        threads = torch.get_num_threads()
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "cpus": os.cpu_count() or 1,
        "threads": threads,
        "mpi_rank": rank,
        "mpi_size": size,
    }


def pin_threads(threads: int) -> dict[str, Any]:
    """Limit this engine to ``threads`` intra-op threads (torch and OpenMP/MKL env vars)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    if "torch" in sys.modules:  # else torch reads OMP_NUM_THREADS when first imported (table look-ups never do)
        import torch

        torch.set_num_threads(int(threads))
    engine_namespace()["threads"] = int(threads)
    return engine_info()


def dumps_object(obj: Any) -> bytes:
    """Serialize an evaluator or function for the engines (cloudpickle).

    cloudpickle sends functions and classes defined in a notebook (``__main__``) by value.
    """
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - ipyparallel installs cloudpickle
        return pickle.dumps(obj)
    return cloudpickle.dumps(obj)


def loads_object(blob: bytes) -> Any:
    """Inverse of :func:`dumps_object` (bytes the client produced from its own objects)."""
    return pickle.loads(blob)  # noqa: S301 - trusted: produced by dumps_object on the client


def engine_setup(engine_id: int, threads: int) -> dict[str, Any]:
    """Pin threads, choose this engine's device and remember who it is; returns :func:`engine_info` + device."""
    info = pin_threads(threads)
    device = "cpu"
    try:
        from nasnb.cluster.devices import engine_device

        device = str(engine_device())
    except ImportError:  # pragma: no cover - devices needs torch, always present on engines
        pass
    info.update(engine_id=int(engine_id), device=device)
    engine_namespace()["engine"] = {
        "engine_id": int(engine_id),
        "host": info["host"],
        "pid": info["pid"],
        "mpi_rank": info["mpi_rank"],
        "device": device,
    }
    return info


def cache_object(token: str, blob: bytes) -> bool:
    """Keep the client's object (an evaluator, a function) under ``token`` on this engine.

    An evaluator that leaves its device to be chosen (``device=None``) trains on this engine's
    device (``cuda:(local rank mod device count)`` on a GPU host).
    """
    namespace = engine_namespace()
    objects = namespace.setdefault("objects", {})
    if token not in objects:
        obj = loads_object(blob)
        device = namespace.get("engine", {}).get("device")
        if device and device.startswith("cuda") and hasattr(obj, "device") and obj.device is None:
            obj.device = device
        objects[token] = obj
    return True


def cached_object(token: str, blob: bytes | None = None) -> Any:
    """The object kept under ``token`` (unpickling ``blob`` first when given and not cached yet)."""
    objects = engine_namespace().setdefault("objects", {})
    if token not in objects and blob is not None:
        cache_object(token, blob)
    return objects.get(token)


def evaluate_cached(token: str, payload: Any, fast: bool, kwargs: dict, timeout: float | None = None) -> Any:
    """Run :func:`~nasnb.evaluators.run_evaluation` with the engine's cached evaluator ``token``.

    Returns the :class:`~nasnb.results.EvaluationOutcome` (with this engine's identity), or
    ``(MISSING, token)`` when the evaluator was never sent here (a new engine), or
    ``("argument_error", exc)`` for a ParameterError/DatasetError (the client raises it).
    With ``timeout`` the evaluation gets that many seconds, counted from its start here: a
    ``SIGALRM`` timer interrupts it and the outcome is ``failed`` with a message starting
    ``timeout``, so the engine is free at once (an evaluation stuck in native code that never
    returns to Python is left to the client, which restarts the engine).
    """
    from nasnb.evaluators.execution import ARGUMENT_ERRORS, run_evaluation

    namespace = engine_namespace()
    evaluator = namespace.get("objects", {}).get(token)
    if evaluator is None:
        return (MISSING, token)
    engine = namespace.get("engine") or {
        "engine_id": None,
        **{k: v for k, v in engine_info().items() if k in ("host", "pid", "mpi_rank")},
    }
    try:
        if timeout is None or not _can_alarm():
            return run_evaluation(evaluator, payload, fast=fast, kwargs=kwargs, engine=engine, portable=True)
        from nasnb.executors.timeout import EvaluationTimeout, _alarmed, timeout_outcome

        started = time.time()
        try:
            return _alarmed(
                timeout, run_evaluation, evaluator, payload, fast=fast, kwargs=kwargs, engine=engine, portable=True
            )
        except EvaluationTimeout:
            return timeout_outcome(
                timeout, kwargs.get("seed"), how="was stopped on its engine", engine=engine, started=started
            )
    except ARGUMENT_ERRORS as exc:
        return ("argument_error", exc)


def _can_alarm() -> bool:
    """True where a ``SIGALRM`` timer can interrupt this call (POSIX, main thread: an ipyparallel engine)."""
    import signal
    import threading

    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def evaluate_packed(blob: bytes) -> Any:
    """:func:`evaluate_cached` of ``pickle.loads(blob)`` = ``(token, payload, fast, kwargs[, timeout])``.

    The client packs a task's arguments into one pickle: ipyparallel then sends one bytes
    buffer instead of serialising each argument on its own (a third of the per-task cost).
    """
    return evaluate_cached(*loads_object(blob))


def _envelope(value: Any, started: float) -> dict[str, Any]:
    info = engine_info()
    info.update(value=value, started=started, finished=time.time())
    return info


def call_cached(token: str, args: tuple, kwargs: dict) -> Any:
    """Run the cached function ``token`` as ``fn(*args, **kwargs)`` (see :func:`call_task`)."""
    fn = engine_namespace().get("objects", {}).get(token)
    if fn is None:
        return (MISSING, token)
    return call_task(fn, args, kwargs)


def call_task(fn: Callable[..., Any] | bytes, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Run ``fn(*args, **kwargs)`` and wrap the value with where and when it ran.

    ``fn`` may be given as :func:`dumps_object` bytes. Exceptions propagate (the client
    turns them into the future's exception).
    """
    started = time.time()
    call = loads_object(fn) if isinstance(fn, bytes) else fn
    return _envelope(call(*args, **kwargs), started)
