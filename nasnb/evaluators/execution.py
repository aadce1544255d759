"""Run one evaluation anywhere and say how it ran: :func:`run_evaluation`.

This is the one function that calls an evaluator for a search or a cluster. The client
(serial searches), ``concurrent.futures`` pools and cluster engines all run it, so a result
is converted once (:func:`~nasnb.results.as_result`), failures are captured the same way and
the thread count is fixed the same way everywhere:

* **threads** -- an evaluation trains with ``evaluator.threads`` torch intra-op threads
  (default :data:`DEFAULT_THREADS` = 1 for evaluators that train, ``None`` for table look-ups)
  and the previous setting is restored afterwards. Floating-point reductions depend on the
  thread count, so fixing it is what makes a seed give the same history bit for bit on a
  laptop with 8 threads, a thread pool and MPI engines pinned to one core.
* **failures** -- a candidate that cannot be built (:class:`~nasnb.exceptions.DescriptorError`,
  :class:`~nasnb.exceptions.BenchmarkError`) is ``invalid``; any other exception of the
  evaluator is ``failed`` with its traceback, and the outcome names the exception's classes
  so that the client can stop the run for the ones it does not ``catch``. Argument errors
  (:class:`~nasnb.exceptions.ParameterError`, :class:`~nasnb.exceptions.DatasetError`) are
  raised: they mean the whole run is misconfigured.

Examples
--------
>>> class Half:
...     def evaluate_candidate(self, c): return 0.5
>>> out = run_evaluation(Half(), "cell", fast=True)
>>> out.result.fitness, out.threads, out.engine["host"] != ""
(0.5, None, True)
>>> class Broken:
...     def descriptor_evaluate(self, d, seed=None): return undefined_name  # noqa: F821
>>> out = run_evaluation(Broken(), object(), fast=False, kwargs={"seed": 3})
>>> out.result.status, out.seed, "builtins.NameError" in out.error_types
('failed', 3, True)
"""

from __future__ import annotations

import importlib
import os
import pickle
import socket
import sys
import time
import traceback
from collections.abc import Mapping
from typing import Any

from nasnb.exceptions import BenchmarkError, DatasetError, DescriptorError, ParameterError
from nasnb.results import EvaluationOutcome, EvaluationResult, as_result

__all__ = ["run_evaluation", "evaluation_threads", "DEFAULT_THREADS", "ARGUMENT_ERRORS"]

#: Torch threads of an evaluation when the evaluator does not say (``evaluator.threads``).
DEFAULT_THREADS = 1

#: Exceptions that mean the arguments of a run are wrong: raised, never recorded.
ARGUMENT_ERRORS = (ParameterError, DatasetError)


def evaluation_threads(evaluator: Any, fast: bool) -> int | None:
    """Threads an evaluation runs with: ``evaluator.threads``, else 1 (``None`` for table look-ups)."""
    if hasattr(evaluator, "threads"):
        threads = evaluator.threads
        return None if threads is None else int(threads)
    return None if fast else DEFAULT_THREADS


def _device_of(evaluator: Any) -> str:
    device = getattr(evaluator, "device", None)
    if device is not None:
        return str(device)
    if "torch" not in sys.modules:  # a table look-up never imports torch for this
        return "cpu"
    import torch  # (waits while another thread is still importing it)

    return f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else "cpu"


def _local_engine(evaluator: Any, fast: bool) -> dict[str, Any]:
    return {
        "engine_id": None,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "mpi_rank": None,
        "device": None if fast else _device_of(evaluator),
    }


def _error_types(exc: BaseException) -> tuple[str, ...]:
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__)


def _portable(exc: BaseException, carry: bool) -> Any:
    """The exception itself, if it survives pickling (it travels back from engines)."""
    if not carry:
        return exc
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, produced just now
    except Exception:  # an exception class that cannot be pickled: its names and traceback still travel
        return None
    return exc


def run_evaluation(
    evaluator: Any,
    payload: Any,
    *,
    fast: bool,
    kwargs: Mapping[str, Any] | None = None,
    engine: Mapping[str, Any] | None = None,
    portable: bool = False,
) -> EvaluationOutcome:
    """Evaluate ``payload`` with ``evaluator`` and return an :class:`~nasnb.results.EvaluationOutcome`.

    Parameters
    ----------
    evaluator : object
        ``evaluate_candidate(candidate, **kwargs)`` when ``fast`` (tabular benchmarks), else
        ``descriptor_evaluate(descriptor, **kwargs)``.
    payload : object
        The candidate (``fast``) or its descriptor.
    fast : bool
        Which of the two methods to call.
    kwargs : mapping, optional
        Keyword arguments of the call; ``kwargs["seed"]`` is recorded as the seed used.
    engine : mapping, optional
        Where this runs (cluster engines pass their id, host, pid, MPI rank and device).
    portable : bool
        Keep a raised exception only if it can be pickled (set on engines).

    Returns
    -------
    EvaluationOutcome
    """
    kwargs = dict(kwargs or {})
    seed = kwargs.get("seed")
    threads = evaluation_threads(evaluator, fast)
    torch: Any = None
    if threads is not None:
        # the import statement, not sys.modules: while another thread is still importing torch,
        # sys.modules holds a half-initialised module, and the import statement waits for it
        torch = importlib.import_module("torch")
    previous = None
    if torch is not None:
        previous = torch.get_num_threads()
        if previous != threads:
            torch.set_num_threads(threads)
    where = dict(engine) if engine is not None else _local_engine(evaluator, fast)
    started = time.time()
    error_types: tuple = ()
    error = None
    try:
        if fast:
            value = evaluator.evaluate_candidate(payload, **kwargs)
        else:
            value = evaluator.descriptor_evaluate(payload, **kwargs)
        result = as_result(value)
    except ARGUMENT_ERRORS:
        raise
    except (DescriptorError, BenchmarkError) as exc:
        result = EvaluationResult.invalid(f"{type(exc).__name__}: {exc}", time.time() - started)
    except Exception as exc:  # recorded as failed (with the traceback); the client decides whether to stop
        result = EvaluationResult.failed(traceback.format_exc(), time.time() - started)
        error_types, error = _error_types(exc), _portable(exc, portable)
    finally:
        if torch is not None and previous != threads:
            torch.set_num_threads(previous)
    seed_used = int(seed) if isinstance(seed, int) and not isinstance(seed, bool) else None
    return EvaluationOutcome(result, seed_used, threads, where, started, time.time(), error_types, error)
