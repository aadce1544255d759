"""Client-side bookkeeping of tasks in flight: futures, resubmission, progress.

Everything here runs in the client's main thread. :meth:`TaskManager.pump` takes finished
ipyparallel results from a completion queue (filled by the results' done-callbacks, so the
cost per completed task does not grow with the number in flight) and handles each one
exactly once:

* an engine that died has its task resubmitted to a live engine (and is named in a warning).
  After ``max_retries`` losses an evaluation is run **alone** (the other tasks wait; in an MPI
  job one dying rank takes every rank with it, so only a loss while alone proves the candidate
  did it): if it kills its engine alone too, it is the candidate's doing (out of memory, a
  crash in native code) and the evaluation ends ``failed`` with the reason, so the study goes
  on; if it finishes, it is recorded as usual. Any other task fails with a
  :class:`~nasnb.exceptions.ClusterError` after ``max_retries`` losses;
* a task that names an object its engine does not hold yet (a new engine) gets the object
  sent and is sent again;
* otherwise the user's :class:`TaskFuture` is resolved.

The manager never writes to a store: the run loop that submitted an evaluation records it.

Examples
--------
>>> f = TaskFuture(manager=None)
>>> f.set_result(42); f.result()
42
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import queue
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from nasnb.cluster.engine import MISSING
from nasnb.exceptions import ClusterError, ClusterTimeoutError
from nasnb.results import EvaluationOutcome

__all__ = ["TaskFuture", "TaskManager", "EngineLostWarning", "is_engine_death"]

logger = logging.getLogger(__name__)


class EngineLostWarning(RuntimeWarning):
    """An engine died while running a task; the task was resubmitted."""


def is_engine_death(exc: BaseException) -> bool:
    """True when an ipyparallel error means the engine died (not that the task raised)."""
    name = type(exc).__name__
    return name == "EngineError" or getattr(exc, "ename", None) == "EngineError"


class TaskFuture(cf.Future):
    """A future whose ``result()`` drives the cluster's client loop while it waits.

    ``engine`` is the identity of the engine that produced the result.
    """

    def __init__(self, manager: TaskManager | None) -> None:
        super().__init__()
        self._manager = manager
        self.engine: dict[str, Any] | None = None

    def result(self, timeout: float | None = None) -> Any:
        if self._manager is not None and not self.done():
            self._manager.wait([self], timeout=timeout)
        return super().result(timeout=0 if self._manager is not None else timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if self._manager is not None and not self.done():
            self._manager.wait([self], timeout=timeout)
        return super().exception(timeout=0 if self._manager is not None else timeout)


@dataclass
class _Task:
    fn: Callable[..., Any]
    args: tuple
    future: TaskFuture
    label: str
    evaluation: bool = True
    seed: Any = None  # the evaluation's seed (for the failed outcome of a candidate that kills engines)
    alone: bool = False  # sent while no other task was in flight
    limit: float | None = None  # seconds the evaluation may run (its engine keeps the clock)
    started: float | None = None  # when the client learnt that an engine started it (monotonic)
    attempts: int = 0
    ar: Any = None
    history: list = field(default_factory=list)


class TaskManager:
    """Send tasks to a load-balanced view and process their results in the client.

    Parameters
    ----------
    client, view
        The ipyparallel client and its load-balanced view.
    ensure_engines : callable
        Called while waiting with nothing finished: sets up new engines, replaces lost ones.
    provide : callable
        ``provide(engine_id, token)`` sends the object ``token`` to that engine.
    max_retries : int
        Times a task is resubmitted after its engine died.
    engine_names : callable
        ``(engine_id, uuid) -> str``, for messages.
    kill_engine : callable, optional
        ``kill_engine(engine_id)`` stops an engine whose evaluation ran past its limit and did
        not stop (native code that never returns to Python); the lost-engine machinery then
        replaces it.
    """

    #: Seconds past its limit after which an evaluation that did not stop on its engine is
    #: recorded as timed out and its engine killed.
    stop_grace = 10.0

    def __init__(
        self,
        client: Any,
        view: Any,
        *,
        ensure_engines: Callable[[], None],
        provide: Callable[[Any, str], None],
        max_retries: int = 3,
        engine_names: Callable[[Any, Any], str] = lambda eid, uuid: f"engine {eid}",
        kill_engine: Callable[[Any], None] | None = None,
    ) -> None:
        self.client = client
        self.view = view
        self.ensure_engines = ensure_engines
        self.provide = provide
        self.max_retries = max_retries
        self.engine_names = engine_names
        self.kill_engine = kill_engine
        self._limited: dict[Any, _Task] = {}  # AsyncResult -> task with a time limit, while in flight
        self.pending: dict[Any, _Task] = {}  # AsyncResult -> task
        self._completed: queue.SimpleQueue = queue.SimpleQueue()
        self.lost_engines: list[str] = []
        self.counts = {"done": 0, "failed": 0}
        self._bar: Any = None
        self._functions: dict[Callable[..., Any], Any] = {}  # fn -> its PrePickled form
        self._suspect: _Task | None = None  # an evaluation that lost engines max_retries times, run alone
        self._suspect_sent = False
        self._held: list[_Task] = []  # tasks waiting while the suspect runs alone

    # ------------------------------------------------------------------ sending
    def submit(
        self,
        fn: Callable[..., Any],
        args: tuple,
        *,
        label: str,
        evaluation: bool = True,
        seed: Any = None,
        limit: float | None = None,
    ) -> TaskFuture:
        """Send ``fn(*args)`` to a free engine; the future gets its value.

        ``limit``: the seconds an evaluation may run (the engine enforces it); one still
        running ``stop_grace`` seconds later is resolved with a ``timeout`` outcome and its
        engine killed.
        """
        task = _Task(fn, args, TaskFuture(self), label, evaluation, seed, limit=limit)
        self._send(task)
        return task.future

    def _send(self, task: _Task) -> None:
        if self._suspect is not None and task is not self._suspect:
            self._held.append(task)  # a suspect runs alone first
            return
        task.alone = not self.pending
        task.attempts += 1
        task.started = None
        task.ar = self.view.apply_async(self._pickled(task.fn), *task.args)
        self.pending[task.ar] = task
        if task.limit is not None:
            self._limited[task.ar] = task
        task.ar.add_done_callback(self._completed.put)

    def _pickled(self, fn: Callable[..., Any]) -> Any:
        """``fn`` serialized once (as ipyparallel's own ``map`` does), not once per task."""
        pickled = self._functions.get(fn)
        if pickled is None:
            from ipyparallel.serialize import PrePickled

            pickled = self._functions[fn] = PrePickled(fn)
        return pickled

    # ------------------------------------------------------------------ receiving
    def wait(
        self, futures: Iterable[TaskFuture] | None = None, *, timeout: float | None = None, any_: bool = False
    ) -> None:
        """Pump results until all (or, with ``any_``, one) of ``futures`` are done."""
        targets = list(futures) if futures is not None else [t.future for t in self.pending.values()]
        remaining = {f for f in targets if not f.done()}
        if any_ and len(remaining) < len(targets):
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        while remaining:
            if not self.pending and all(f._manager is self for f in remaining):
                raise ClusterError("Futures are waiting for tasks that are no longer in flight.")
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ClusterTimeoutError(f"{len(remaining)} task(s) not finished after {timeout} s.")
            resolved = self.pump(0.5 if left is None else min(0.5, left))
            before = len(remaining)
            remaining.difference_update(resolved)
            if len(remaining) != before and any_:
                return
            if not resolved and any(f.done() for f in remaining):  # futures resolved elsewhere
                remaining = {f for f in remaining if not f.done()}
                if any_:
                    return

    def pump(self, timeout: float = 0.5) -> list[TaskFuture]:
        """Process the results that arrive within ``timeout`` seconds; return the futures resolved."""
        resolved: list[TaskFuture] = []
        if not self.pending:
            return resolved
        if self._limited:
            resolved += self._check_limits()
        try:
            ar = self._completed.get(timeout=timeout)
        except queue.Empty:
            self.ensure_engines()
            self._refresh_bar()
            return resolved
        while True:
            task = self.pending.pop(ar, None)
            self._limited.pop(ar, None)
            if task is not None:  # a result is handled once, even if ipyparallel reports it again
                self._handle(task, ar)
                if task.future.done():
                    resolved.append(task.future)
            try:
                ar = self._completed.get_nowait()
            except queue.Empty:
                break
        self._release()
        self._refresh_bar()
        return resolved

    def _check_limits(self) -> list[TaskFuture]:
        """Note when limited tasks started on an engine; give up on those far past their limit."""
        resolved = []
        now = time.monotonic()
        for ar, task in list(self._limited.items()):
            if task.started is None:
                md = self.client.metadata.get(ar.msg_ids[0]) if getattr(ar, "msg_ids", None) else None
                if md is not None and md.get("engine_id") is not None:  # the engine said it is busy with it
                    task.started = now
                continue
            limit = task.limit if task.limit is not None else float("inf")  # (limited tasks always have one)
            if now - task.started < limit + self.stop_grace:
                continue
            from nasnb.executors.timeout import timeout_outcome

            eid = self.client.metadata[ar.msg_ids[0]].get("engine_id")
            name = self.engine_names(eid, None)
            logger.error(
                "evaluation %s did not stop on %s %g s after its limit of %g s; killing the engine",
                task.label,
                name,
                self.stop_grace,
                limit,
            )
            self.pending.pop(ar, None)  # its engine's death is not reported as a lost task
            self._limited.pop(ar, None)
            self._resolve(
                task,
                value=timeout_outcome(
                    limit, task.seed, how=f"did not stop; {name} was killed", engine={"engine_id": eid}
                ),
                engine={"engine_id": eid},
            )
            resolved.append(task.future)
            if self.kill_engine is not None:
                try:
                    self.kill_engine(eid)
                except Exception as exc:  # noqa: BLE001 - the engine may be gone already
                    logger.warning("could not kill %s: %s: %s", name, type(exc).__name__, exc)
        return resolved

    def _release(self) -> None:
        """Send the suspect once nothing else is in flight; send the held tasks once it resolved."""
        if self._suspect is not None and not self._suspect_sent and not self.pending:
            self._suspect_sent = True
            self._send(self._suspect)
        if self._suspect is not None and self._suspect.future.done():
            self._suspect, self._suspect_sent = None, False
            held, self._held = self._held, []
            for task in held:
                self._send(task)

    def _handle(self, task: _Task, ar: Any) -> None:
        try:
            value = ar.get(timeout=0)
        except Exception as exc:  # an ipyparallel error about this task
            if is_engine_death(exc):
                self._engine_died(task, ar, exc)
                return
            if task.evaluation:  # run_evaluation catches the evaluator's errors: this is the infrastructure
                text = getattr(exc, "render_traceback", None)
                detail = "\n".join(text()) if callable(text) else f"{type(exc).__name__}: {exc}"
                self._resolve(
                    task,
                    exc=ClusterError(
                        f"Task {task.label} could not be run or its result not returned by "
                        f"{self.engine_names(ar.engine_id, None)}:\n{detail}"
                    ),
                )
            else:
                self._resolve(task, exc=exc, engine={"engine_id": ar.engine_id})
            return
        if isinstance(value, tuple) and len(value) == 2 and value[0] == MISSING:
            self.provide(ar.engine_id, value[1])
            self._send(task)
            return
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "argument_error":
            self._resolve(task, exc=value[1], engine={"engine_id": ar.engine_id})
            return
        if isinstance(value, EvaluationOutcome):
            self._resolve(task, value=value, engine=value.engine)
            return
        if isinstance(value, dict) and "value" in value:  # call_task's envelope
            value = dict(value)
            value["engine_id"] = ar.engine_id
            self._resolve(task, value=value.pop("value"), engine=value)
            return
        self._resolve(task, value=value, engine={"engine_id": ar.engine_id})

    def _engine_died(self, task: _Task, ar: Any, exc: BaseException) -> None:
        found = re.search(r"Engine b?'([^']+)' died", str(exc))
        name = self.engine_names(ar.engine_id, found.group(1) if found else None)
        self.lost_engines.append(name)
        task.history.append(name)
        if task.attempts > self.max_retries and task.evaluation and task.alone and task is self._suspect:
            from nasnb.results import EvaluationResult

            msg = (
                f"engine lost {task.attempts} times while evaluating it (the last time it ran alone; engines "
                f"{', '.join(task.history)} died): out of memory, or a crash in native code?"
            )
            logger.error("evaluation %s: %s; recorded as failed", task.label, msg)
            self._resolve(
                task,
                value=EvaluationOutcome(
                    EvaluationResult.failed(msg), seed=task.seed, engine={"engine_id": ar.engine_id}
                ),
                engine={"engine_id": ar.engine_id},
            )
            self.ensure_engines()
            self._release()
            return
        if task.attempts > self.max_retries and task.evaluation and self._suspect is None:
            logger.warning(
                "%s died while running task %s for the %d. time; running it alone to tell whether it kills its engine",
                name,
                task.label,
                task.attempts,
            )
            self._suspect, self._suspect_sent = task, False
            self.ensure_engines()
            self._release()
            return
        if task.attempts > self.max_retries and not task.evaluation:
            msg = (
                f"Task {task.label} was lost {task.attempts} times (engines {', '.join(task.history)} died); giving up."
            )
            logger.error(msg)
            self._resolve(task, exc=ClusterError(msg), engine={"engine_id": ar.engine_id})
            return
        msg = f"{name} died while running task {task.label}; resubmitting it to a live engine."
        logger.warning(msg)
        warnings.warn(msg, EngineLostWarning, stacklevel=2)
        self.ensure_engines()
        self._send(task)

    def _resolve(
        self, task: _Task, *, value: Any = None, exc: BaseException | None = None, engine: dict | None = None
    ) -> None:
        if task.future.done():  # defensive: a result is taken once only
            return
        task.future.engine = engine
        if exc is not None:
            self.counts["failed"] += 1
            task.future.set_exception(exc)
            return
        result = value.result if isinstance(value, EvaluationOutcome) else value
        if getattr(result, "ok", True):
            self.counts["done"] += 1
        else:
            self.counts["failed"] += 1
        task.future.set_result(value)

    # ------------------------------------------------------------------ progress
    def progress(self, total: int, *, enabled: bool, desc: str = "evaluations") -> TaskManager:
        """Open a tqdm.auto bar for the next ``total`` tasks (closed by :meth:`close_progress`)."""
        self.counts = {"done": 0, "failed": 0}
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="eval")
        return self

    def _refresh_bar(self) -> None:
        if self._bar is None:
            return
        finished = self.counts["done"] + self.counts["failed"]
        self._bar.n = finished
        running = min(len(self.pending), max(1, len(self.client.ids)))
        self._bar.set_postfix(done=self.counts["done"], failed=self.counts["failed"], running=running, refresh=False)
        self._bar.refresh()

    def close_progress(self) -> None:
        if self._bar is not None:
            self._refresh_bar()
            self._bar.close()
            self._bar = None

    def as_completed(self, futures: Iterable[TaskFuture], timeout: float | None = None) -> Iterator[TaskFuture]:
        """Yield ``futures`` as they finish (driving the client loop meanwhile).

        Each result is looked at once as it is pumped (no scan of every future per wake-up), so
        draining n futures costs O(n); futures resolved elsewhere are found by a scan when the
        loop idles.
        """
        left = set(futures)
        deadline = None if timeout is None else time.monotonic() + timeout
        for f in [f for f in left if f.done()]:
            left.discard(f)
            yield f
        while left:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise ClusterTimeoutError(f"{len(left)} task(s) not finished after {timeout} s.")
            if not self.pending and all(f._manager is self for f in left if not f.done()):
                stray = [f for f in left if f.done()]
                if not stray:
                    raise ClusterError("Futures are waiting for tasks that are no longer in flight.")
            resolved = self.pump(0.5 if remaining is None else min(0.5, remaining))
            if not resolved:
                resolved = [f for f in left if f.done()]  # resolved by another waiter
            for f in resolved:
                if f in left:
                    left.discard(f)
                    yield f
