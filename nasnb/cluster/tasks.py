"""Client-side bookkeeping of tasks in flight: futures, resubmission, recording, progress.

Everything here runs in the client's main thread: :meth:`TaskManager.pump` waits for
ipyparallel results and handles each one exactly once — an engine that died has its
task resubmitted (and is named in a warning), an evaluation result is written to the
study, the user's :class:`TaskFuture` is resolved. Because only this loop writes, the
store never sees a result twice, even when ipyparallel reports an engine's death late.

Examples
--------
>>> f = TaskFuture(manager=None, seq=3)
>>> f.set_result(42); f.result(), f.seq
(42, 3)
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from nasnb.exceptions import ClusterError, ClusterTimeoutError
from nasnb.results import EvaluationResult

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

    ``seq`` is the sequence index of the task (ask order), ``engine`` the info of the
    engine that produced the result.
    """

    def __init__(self, manager: "TaskManager | None", seq: int | None = None) -> None:
        super().__init__()
        self._manager = manager
        self.seq = seq
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
    record: dict[str, Any] | None = None  # study, descriptor, seq, seed, settings, key
    evaluation: bool = True
    attempts: int = 0
    ar: Any = None
    history: list = field(default_factory=list)


class TaskManager:
    """Send tasks to a load-balanced view and process their results in the client."""

    def __init__(self, client: Any, view: Any, *, ensure_engines: Callable[[], None], max_retries: int = 3,
                 engine_names: Callable[[Any, Any], str] = lambda eid, uuid: f"engine {eid}") -> None:
        self.client = client
        self.view = view
        self.ensure_engines = ensure_engines
        self.max_retries = max_retries
        self.engine_names = engine_names
        self.pending: dict[Any, _Task] = {}  # AsyncResult -> task
        self.lost_engines: list[str] = []
        self.counts = {"done": 0, "failed": 0}
        self._bar: Any = None

    # ------------------------------------------------------------------ sending
    def submit(self, fn: Callable[..., Any], args: tuple, *, label: str, record: dict | None = None,
               evaluation: bool = True, seq: int | None = None) -> TaskFuture:
        task = _Task(fn, args, TaskFuture(self, seq), label, record, evaluation)
        self._send(task)
        return task.future

    def _send(self, task: _Task) -> None:
        task.attempts += 1
        task.ar = self.view.apply_async(task.fn, *task.args)
        self.pending[task.ar] = task

    # ------------------------------------------------------------------ receiving
    def wait(self, futures: Iterable[TaskFuture] | None = None, *, timeout: float | None = None,
             any_: bool = False) -> None:
        """Pump results until all (or, with ``any_``, one) of ``futures`` are done."""
        targets = list(futures) if futures is not None else None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            watch = targets if targets is not None else [t.future for t in self.pending.values()]
            done = [f for f in watch if f.done()]
            if (any_ and done) or len(done) == len(watch):
                return
            if not self.pending:
                raise ClusterError("Futures are waiting for tasks that are no longer in flight.")
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ClusterTimeoutError(f"{len(watch) - len(done)} task(s) not finished after {timeout} s.")
            self.pump(0.5 if left is None else min(0.5, left))

    def pump(self, timeout: float = 0.5) -> int:
        """Process the results that arrive within ``timeout`` seconds; return how many."""
        if not self.pending:
            return 0
        finished, _ = cf.wait(list(self.pending), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for ar in finished:
            self._handle(self.pending.pop(ar), ar)
        if not finished:
            self.ensure_engines()
        self._refresh_bar()
        return len(finished)

    def _handle(self, task: _Task, ar: Any) -> None:
        try:
            envelope = ar.get(timeout=0)
        except Exception as exc:  # an ipyparallel error about this task
            if is_engine_death(exc):
                self._engine_died(task, ar, exc)
                return
            if not task.evaluation:
                self._resolve(task, exc=exc, engine={"engine_id": ar.engine_id})
                return
            text = getattr(exc, "render_traceback", None)
            message = "\n".join(text()) if callable(text) else f"{type(exc).__name__}: {exc}"
            envelope = {"value": EvaluationResult.failed(message), "engine_id": ar.engine_id,
                        "started": None, "finished": time.time()}
        envelope["engine_id"] = ar.engine_id
        self._resolve(task, value=envelope.pop("value"), engine=envelope)

    def _engine_died(self, task: _Task, ar: Any, exc: BaseException) -> None:
        found = re.search(r"Engine b?'([^']+)' died", str(exc))
        name = self.engine_names(ar.engine_id, found.group(1) if found else None)
        self.lost_engines.append(name)
        task.history.append(name)
        if task.attempts > self.max_retries:
            msg = (f"Task {task.label} was lost {task.attempts} times (engines {', '.join(task.history)} died); "
                   "giving up.")
            logger.error(msg)
            if task.evaluation:
                self._resolve(task, value=EvaluationResult.failed(msg), engine={"engine_id": ar.engine_id})
            else:
                self._resolve(task, exc=ClusterError(msg), engine={"engine_id": ar.engine_id})
            return
        msg = f"{name} died while running task {task.label}; resubmitting it to a live engine."
        logger.warning(msg)
        warnings.warn(msg, EngineLostWarning, stacklevel=2)
        self.ensure_engines()
        self._send(task)

    def _resolve(self, task: _Task, *, value: Any = None, exc: BaseException | None = None,
                 engine: dict | None = None) -> None:
        if task.future.done():  # defensive: a result is taken once only
            return
        task.future.engine = engine
        if task.record is not None and exc is None:
            rec = task.record
            rec["study"].add_evaluation(rec["descriptor"], value, seq=rec["seq"], seed=rec["seed"],
                                        settings=rec["settings"], engine_id=(engine or {}).get("engine_id"),
                                        started=(engine or {}).get("started"),
                                        finished=(engine or {}).get("finished"))
        if exc is not None:
            self.counts["failed"] += 1
            task.future.set_exception(exc)
            return
        if isinstance(value, EvaluationResult) and not value.ok:
            self.counts["failed"] += 1
        else:
            self.counts["done"] += 1
        task.future.set_result(value)

    # ------------------------------------------------------------------ progress
    def progress(self, total: int, *, enabled: bool, desc: str = "evaluations") -> "TaskManager":
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
        self._bar.set_postfix(done=self.counts["done"], failed=self.counts["failed"], running=running,
                              refresh=False)
        self._bar.refresh()

    def close_progress(self) -> None:
        if self._bar is not None:
            self._refresh_bar()
            self._bar.close()
            self._bar = None

    def as_completed(self, futures: Iterable[TaskFuture], timeout: float | None = None) -> Iterator[TaskFuture]:
        """Yield ``futures`` as they finish (driving the client loop meanwhile)."""
        left = list(futures)
        deadline = None if timeout is None else time.monotonic() + timeout
        while left:
            ready = [f for f in left if f.done()]
            if not ready:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                self.wait(left, timeout=remaining, any_=True)
                continue
            for f in ready:
                left.remove(f)
                yield f
