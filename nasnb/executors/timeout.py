"""A time limit per evaluation on any executor: :class:`TimeLimit`, and letting go of hung threads.

Python cannot stop a thread, so an evaluation that runs past its limit is *abandoned*: its
future is completed at once with what ``on_timeout`` returns (the run loop records it as
``failed`` with the reason ``timeout``), a queued one is cancelled, and the worker thread that
runs it is detached from its thread pool (:func:`abandon_thread`): the pool starts a fresh
worker in its place, shutting the pool down no longer waits for it, and it no longer keeps the
interpreter alive at exit. On a process pool the worker process
interrupts the call itself (a ``SIGALRM`` timer raises :class:`EvaluationTimeout` in it), so
the worker is free again at once -- unless the call is stuck in C code that never returns to
Python.

The clock of an evaluation starts when it starts running. A cluster (an executor whose
``limits_evaluation_time`` is true, see :meth:`nasnb.Cluster.submit_evaluation`) keeps the
clock itself, on the engine that runs the evaluation: queued work does not use up its time,
and the engine is freed (interrupted, or restarted when it does not stop).

Examples
--------
>>> import time
>>> from concurrent.futures import ThreadPoolExecutor
>>> pool = ThreadPoolExecutor(1)
>>> limited = TimeLimit(pool, 0.2, on_timeout=lambda *args, **kwargs: "timed out")
>>> slow, fast = limited.submit(time.sleep, 2), limited.submit(abs, -3)
>>> slow.result(), fast.result()
('timed out', 3)
>>> pool.shutdown()   # returns at once: the sleeping worker was let go
"""

from __future__ import annotations

import concurrent.futures as cf
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from nasnb._validation import parameter_error

__all__ = [
    "TimeLimit",
    "EvaluationTimeout",
    "abandon_thread",
    "abandon_pool",
    "limit_evaluations",
    "timeout_outcome",
    "interrupted",
]

logger = logging.getLogger(__name__)


def abandon_thread(thread: threading.Thread, pool: Any = None) -> None:
    """Let go of a worker ``thread`` that may never return (a hung evaluation).

    It is removed from ``pool``'s workers (a ``ThreadPoolExecutor`` then starts another one
    and its ``shutdown`` does not wait for it) and made a daemon thread, so the interpreter
    can exit while it still runs. Best effort: on interpreters whose internals differ, the
    thread is only logged.
    """
    if pool is not None:
        threads = getattr(pool, "_threads", None)
        if isinstance(threads, set):
            threads.discard(thread)
    queues = getattr(cf.thread, "_threads_queues", None)
    if queues is not None:
        queues.pop(thread, None)  # concurrent.futures' exit hook joins the threads listed here
    try:
        lock = getattr(thread, "_tstate_lock", None)
        shutdown_locks = getattr(threading, "_shutdown_locks", None)
        if lock is not None and shutdown_locks is not None:
            with threading._shutdown_locks_lock:  # type: ignore[attr-defined]
                shutdown_locks.discard(lock)  # threading joins the non-daemon threads' locks at exit
            thread._daemonic = True  # type: ignore[attr-defined]
        else:
            logger.debug("thread %s stays joined at exit on this interpreter", thread.name)
    except Exception as exc:  # noqa: BLE001 - best effort on other interpreters
        logger.debug("could not detach thread %s: %s", thread.name, exc)


def abandon_pool(pool: Any) -> None:
    """Stop a ``ThreadPoolExecutor`` without waiting for its running calls (Ctrl-C on a hung evaluation).

    Queued calls are cancelled and every worker thread is let go (:func:`abandon_thread`), so
    neither a later ``shutdown()`` (a ``with`` block's exit) nor the interpreter's exit waits
    for a call that never returns. Other executors are shut down with ``wait=False``.
    """
    shutdown = getattr(pool, "shutdown", None)
    if not callable(shutdown):
        return
    try:
        shutdown(wait=False, cancel_futures=True)
    except TypeError:  # an executor without cancel_futures
        shutdown(wait=False)
    if isinstance(pool, cf.ThreadPoolExecutor):
        for thread in list(getattr(pool, "_threads", ())):
            abandon_thread(thread, pool)


class EvaluationTimeout(BaseException):
    """Raised inside a process-pool worker when its call runs out of time (not an ``Exception``:
    an evaluator's ``except Exception`` does not swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise EvaluationTimeout()


def _alarmed(timeout: float, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a process-pool worker with a ``timeout``-second timer (the worker's main thread)."""
    import signal

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _default_timeout(*args: Any, **kwargs: Any) -> Any:
    raise cf.TimeoutError("the call did not finish within its time limit")


class _Watch:
    """One watched call: its inner future, the caller's future and, once running, its thread and start."""

    __slots__ = ("inner", "outer", "thread", "started", "args", "kwargs")

    def __init__(self, args: tuple, kwargs: dict) -> None:
        self.inner: Any = None
        self.outer: cf.Future = cf.Future()
        self.thread: threading.Thread | None = None
        self.started: float | None = None
        self.args, self.kwargs = args, kwargs


class TimeLimit:
    """Wrap an executor so that each submitted call gets at most ``timeout`` seconds.

    Parameters
    ----------
    executor : object or None
        A ``concurrent.futures`` executor, or anything with ``submit`` (and optionally
        ``submit_evaluation``, as :class:`nasnb.Cluster`). ``None`` runs each call in this
        process, one at a time, on a daemon thread (the inline executor with a limit).
    timeout : float
        Seconds a call may run.
    on_timeout : callable, optional
        ``on_timeout(*args, **kwargs)`` with the call's arguments gives the result of a call
        that ran out of time (default: the future raises ``concurrent.futures.TimeoutError``).
    """

    def __init__(self, executor: Any, timeout: float, *, on_timeout: Callable[..., Any] | None = None) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise parameter_error("timeout", "TimeLimit", "a positive number of seconds", timeout)
        self.executor = executor
        self.timeout = float(timeout)
        self.on_timeout = on_timeout or _default_timeout
        self.deterministic = bool(getattr(executor, "deterministic", False))
        self._heap: list = []
        self._count = itertools.count()
        self._lock = threading.Condition()
        self._watcher: threading.Thread | None = None
        self._order: dict[cf.Future, int] = {}
        if callable(getattr(executor, "submit_evaluation", None)):
            self.submit_evaluation = self._submit_evaluation

    # ------------------------------------------------------------------ submitting
    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> cf.Future:
        """Submit ``fn(*args, **kwargs)``; the returned future completes within ``timeout`` of its start."""
        watch = _Watch(args, kwargs)
        if self.executor is None:
            return self._inline(watch, fn)
        if isinstance(self.executor, cf.ThreadPoolExecutor):

            def timed(*a: Any, **k: Any) -> Any:  # runs on the worker: the clock starts now
                with self._lock:
                    watch.thread, watch.started = threading.current_thread(), time.monotonic()
                    self._schedule(watch, watch.started)
                return fn(*a, **k)

            watch.inner = self.executor.submit(timed, *args, **kwargs)
        elif isinstance(self.executor, cf.ProcessPoolExecutor) and hasattr(__import__("signal"), "setitimer"):
            watch.inner = self.executor.submit(_alarmed, self.timeout, fn, *args, **kwargs)  # the worker times it
        else:
            watch.inner = self.executor.submit(fn, *args, **kwargs)
            with self._lock:
                watch.started = time.monotonic()
                self._schedule(watch, watch.started)
        watch.inner.add_done_callback(lambda f: self._deliver(watch, f))
        return watch.outer

    def _submit_evaluation(self, *args: Any, **kwargs: Any) -> cf.Future:
        if getattr(self.executor, "limits_evaluation_time", False):  # a cluster: its engine keeps the clock
            return self.executor.submit_evaluation(*args, timeout=self.timeout, **kwargs)
        watch = _Watch(args[1:], kwargs)  # (evaluator, payload, ...): on_timeout sees payload and kwargs
        watch.inner = self.executor.submit_evaluation(*args, **kwargs)
        with self._lock:
            watch.started = time.monotonic()
            self._schedule(watch, watch.started)
        watch.inner.add_done_callback(lambda f: self._deliver(watch, f))
        return watch.outer

    def _inline(self, watch: _Watch, fn: Any) -> cf.Future:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(*watch.args, **watch.kwargs)
            except BaseException as exc:  # noqa: BLE001 - delivered through the future
                box["error"] = exc

        thread = threading.Thread(target=target, name="nasnb-evaluation", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            self._expire(watch)
        elif "error" in box:
            watch.outer.set_exception(box["error"])
        else:
            watch.outer.set_result(box.get("value"))
        self._order[watch.outer] = next(self._count)
        return watch.outer

    def wait_first(self, futures: Any) -> set:
        """Inline: the earliest-submitted of ``futures`` (all are done); otherwise the first to finish."""
        futures = list(futures)
        if self.executor is None:
            first = min(futures, key=lambda f: self._order.get(f, -1))
            self._order.pop(first, None)
            return {first}
        if getattr(self.executor, "limits_evaluation_time", False):  # its own futures: it drives them
            return set(self.executor.wait_first(futures))
        done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def shutdown(self, wait: bool = True, **kwargs: Any) -> None:
        """Shut the wrapped executor down."""
        shutdown = getattr(self.executor, "shutdown", None)
        if callable(shutdown):
            shutdown(wait=wait, **kwargs)

    # ------------------------------------------------------------------ the clock
    def _schedule(self, watch: _Watch, started: float) -> None:
        heapq.heappush(self._heap, (started + self.timeout, next(self._count), watch))
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch_loop, name="nasnb-time-limit", daemon=True)
            self._watcher.start()
        self._lock.notify()

    def _watch_loop(self) -> None:
        with self._lock:
            while True:
                while self._heap and self._heap[0][2].outer.done():
                    heapq.heappop(self._heap)
                if not self._heap:
                    if not self._lock.wait(timeout=5.0) and not self._heap:
                        self._watcher = None
                        return
                    continue
                deadline, _, watch = self._heap[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self._lock.wait(timeout=left)
                    continue
                heapq.heappop(self._heap)
                self._expire(watch)

    def _expire(self, watch: _Watch) -> None:
        if watch.outer.done():
            return
        try:
            value, error = self.on_timeout(*watch.args, **watch.kwargs), None
        except Exception as exc:  # noqa: BLE001 - delivered through the future
            value, error = None, exc
        if error is not None:
            watch.outer.set_exception(error)
        else:
            watch.outer.set_result(value)
        if watch.inner is not None:
            watch.inner.cancel()  # still queued: it never runs
        if watch.thread is not None:
            abandon_thread(watch.thread, self.executor)

    def _deliver(self, watch: _Watch, inner: Any) -> None:
        with self._lock:
            if watch.outer.done():
                return
            if inner.cancelled():
                watch.outer.cancel()
                watch.outer.set_running_or_notify_cancel()
                return
            error = inner.exception()
            if isinstance(error, EvaluationTimeout):
                self._expire(watch)
            elif error is not None:
                watch.outer.set_exception(error)
            else:
                watch.outer.set_result(inner.result())


def limit_evaluations(executor: Any, timeout: float | None, func: str = "Strategy.run") -> Any:
    """The executor a search runs on when each evaluation has ``timeout`` seconds (``None``: unchanged).

    An evaluation that runs out of time completes with a ``failed`` outcome whose message
    starts with ``timeout``; the search records it and goes on.

    Examples
    --------
    >>> import time
    >>> from nasnb.evaluators.execution import run_evaluation
    >>> class Sleepy:
    ...     def evaluate_candidate(self, seconds): time.sleep(seconds); return 1.0
    >>> inline = limit_evaluations(None, 0.2)
    >>> outcome = inline.submit(run_evaluation, Sleepy(), 5.0, fast=True, kwargs={}).result()
    >>> outcome.result.status, outcome.result.message.split(":")[0]
    ('failed', 'timeout')
    """
    if timeout is None:
        return executor
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise parameter_error("timeout", func, "a positive number of seconds or None", timeout)
    if getattr(executor, "deterministic", False):
        raise parameter_error(
            "timeout", func, "None with a simulated executor (its time is not wall-clock time)", timeout
        )
    limit = float(timeout)

    def on_timeout(*args: Any, **kwargs: Any) -> Any:
        return timeout_outcome(limit, (kwargs.get("kwargs") or {}).get("seed"))

    return TimeLimit(executor, limit, on_timeout=on_timeout)


def timeout_outcome(
    limit: float, seed: Any = None, *, how: str = "was abandoned", engine: Any = None, started: float | None = None
) -> Any:
    """The ``failed`` outcome of an evaluation that ran past ``limit`` seconds (its message starts ``timeout``).

    Examples
    --------
    >>> outcome = timeout_outcome(2.0, seed=3, how="was stopped on its engine")
    >>> outcome.result.status, outcome.seed
    ('failed', 3)
    >>> print(outcome.result.message)
    timeout: the evaluation did not finish within timeout=2 s and was stopped on its engine (recorded as failed)
    """
    from nasnb.results import EvaluationOutcome, EvaluationResult

    message = f"timeout: the evaluation did not finish within timeout={limit:g} s and {how} (recorded as failed)"
    seed = int(seed) if isinstance(seed, int) and not isinstance(seed, bool) else None
    return EvaluationOutcome(
        EvaluationResult.failed(message, limit), seed, None, dict(engine or {}), started, time.time()
    )


def interrupted(executor: Any, recorder: Any = None, told: int = 0) -> str:
    """After Ctrl-C: let go of ``executor``'s running calls and say how to resume (the message)."""
    pool = executor.executor if isinstance(executor, TimeLimit) else executor
    if isinstance(pool, cf.Executor):  # a cluster is left as it is: the same call resumes on it
        abandon_pool(pool)
    study = getattr(recorder, "study", None)
    if study is None:
        message = (
            f"Search interrupted after {told} evaluation(s); nothing was recorded (no study). Pass study= "
            "to make a search resumable."
        )
    else:
        name = getattr(study, "name", "")
        message = (
            f"Search interrupted after {told} evaluation(s), all recorded in study {name!r}"
            "; evaluations in flight were not. Run the same call with the same study to resume."
        )
    logger.warning("%s", message)
    return message
