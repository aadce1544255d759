"""A simulated-time executor: run a search as if W workers trained every candidate.

Tabular benchmarks answer a query in microseconds but record how long the network took to
train. :class:`SimulatedExecutor` runs each submitted function at once and schedules its
completion on a virtual clock, as if ``workers`` machines had trained the candidate for its
cost (by default the evaluation's recorded training time). A search loop that waits with
:func:`nasnb.executors.wait_first` then sees results arrive in the order, and at the
simulated times, a real cluster would deliver them -- so best-so-far against simulated
hours for W = 1 ... 1024 workers takes seconds of real time. This is how to decide how
many GPUs a search is worth before renting them.

Scheduling is first-in first-out list scheduling: a task starts when the earliest-free
worker is free (never before the current simulated time) and ends ``cost`` seconds later.
Everything is deterministic: workers are taken lowest id first, and completions at the same
instant are ordered by submission.

Examples
--------
>>> from nasnb.results import EvaluationResult
>>> sim = SimulatedExecutor(workers=2)
>>> def train(seconds, accuracy):
...     return EvaluationResult(loss=0.0, total_time=seconds, fitness=accuracy)
>>> futures = [sim.submit(train, s, a) for s, a in [(3.0, 0.7), (1.0, 0.6), (1.0, 0.8)]]
>>> done = sim.wait_first(futures)
>>> [futures.index(f) for f in done], sim.now
([1], 1.0)
>>> sim.shutdown()            # runs the clock until every task is done
>>> sim.now, sim.efficiency()
(3.0, 0.8333333333333334)
>>> timeline = sim.timeline()
>>> timeline["worker"].tolist(), timeline[["start", "end"]].values.tolist()
([0, 1, 1], [[0.0, 3.0], [0.0, 1.0], [1.0, 2.0]])
>>> sim.best_so_far_vs_time()["best_so_far"].tolist()
[0.6, 0.8, 0.8]
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from typing import Any

import numpy as np

from nasnb._validation import check_positive_int
from nasnb.exceptions import ParameterError

__all__ = ["SimulatedExecutor", "SimulatedFuture", "simulate_schedule"]

logger = logging.getLogger(__name__)

_TIMELINE_COLUMNS = ("task", "worker", "submitted", "start", "end", "cost", "status", "fitness")


def _result_of(outcome: Any) -> Any:
    """The ``EvaluationResult`` of an ``EvaluationOutcome`` (its ``result``), or ``outcome`` itself."""
    inner = getattr(outcome, "result", None)
    if inner is not None and not callable(inner):
        return inner
    return outcome


def _total_time(outcome: Any) -> float:
    result = _result_of(outcome)
    try:
        return result.total_time
    except AttributeError:
        raise ParameterError(
            "SimulatedExecutor's default cost is the evaluation's training time (outcome.result.total_time), "
            f"but the submitted function returned {type(outcome).__name__}, which has none. Pass cost= a metric "
            "name or a callable cost(outcome) -> seconds."
        ) from None


class _MetricCost:
    """``cost="latency"``: the named metric of the evaluation's result, in seconds."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, outcome: Any) -> float:
        metrics = getattr(_result_of(outcome), "metrics", None) or {}
        try:
            return metrics[self.name]
        except KeyError:
            raise ParameterError(
                f"The cost metric {self.name!r} of SimulatedExecutor is not among the evaluation's metrics "
                f"({', '.join(sorted(metrics)) or 'none'})."
            ) from None

    def __repr__(self) -> str:
        return repr(self.name)


class SimulatedFuture(Future):
    """A future completed by its :class:`SimulatedExecutor`'s virtual clock.

    ``result()`` and ``exception()`` of a task still running advance the clock until it is
    done (they never block), so code that simply collects futures in order works too.
    ``task`` is the submission index.
    """

    def __init__(self, executor: SimulatedExecutor, task: int) -> None:
        super().__init__()
        self.executor = executor
        self.task = task
        self.completed = False

    def result(self, timeout: float | None = None) -> Any:
        if not self.completed:
            self.executor._advance_until(self)
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if not self.completed:
            self.executor._advance_until(self)
        return super().exception(timeout)


class SimulatedExecutor(Executor):
    """Run submitted evaluations at once and complete them on a virtual clock of W workers.

    Parameters
    ----------
    workers : int
        Number of simulated workers (GPUs, engines) W.
    cost : None, str or callable, optional
        Simulated seconds a task occupies its worker. ``None`` (default): the evaluation's
        recorded training time -- the submitted function returns an ``EvaluationOutcome``
        whose ``result.total_time`` (or an ``EvaluationResult`` whose ``total_time``) is
        that time; NAS-Bench-101 and NAS-Bench-201 report their recorded training time
        there. A str names a metric of the result (e.g. ``"latency"`` of NAS-Bench-Graph,
        which records no training time). A callable ``cost(outcome) -> seconds`` is a user
        cost model. A task whose function raised costs 0 s.

    Attributes
    ----------
    now : float
        The simulated time in seconds (read-only).

    Notes
    -----
    ``submit`` calls the function immediately in this thread; only its completion is
    deferred. Wait with :meth:`wait_first` (or :func:`nasnb.executors.wait_first`), or call
    ``result()`` on a future: ``concurrent.futures.wait``/``as_completed`` would wait for
    real time and never return for a task that is still running. Not thread-safe.

    Examples
    --------
    Three one-second tasks on two workers: the third waits for a free worker.

    >>> sim = SimulatedExecutor(2, cost=lambda outcome: 1.0)
    >>> fs = [sim.submit(abs, -k) for k in range(3)]
    >>> [f.result() for f in fs], sim.now
    ([0, 1, 2], 2.0)
    >>> sim.timeline()["worker"].tolist()
    [0, 1, 0]
    """

    #: The completion order is a function of the submissions: a resumed search rebuilds it (see runloop).
    deterministic = True

    def __init__(self, workers: int = 1, *, cost: None | str | Callable[[Any], float] = None) -> None:
        self.workers = check_positive_int(workers, "workers", "SimulatedExecutor")
        self._cost: Callable[[Any], float]
        if cost is None:
            self._cost = _total_time
        elif isinstance(cost, str):
            self._cost = _MetricCost(cost)
        elif callable(cost):
            self._cost = cost
        else:
            raise ParameterError(
                "The 'cost' parameter of SimulatedExecutor must be None, a metric name or a "
                f"callable cost(outcome) -> seconds. Got {cost!r} instead."
            )
        self.cost = cost
        self._now = 0.0
        self._free = [(0.0, w) for w in range(self.workers)]  # heap of (free at, worker)
        self._pending: list[tuple[float, int, SimulatedFuture]] = []  # heap of (end, task, future)
        # per task: worker, submitted, start, end, cost, status, fitness
        self._rows: list[tuple] = []
        self._values: list[Any] = []
        self._shutdown = False
        self._pending_set: set[SimulatedFuture] = set()
        self._completed: set[SimulatedFuture] = set()  # set algebra in C keeps wait_first O(1) in Python

    # ------------------------------------------------------------------ clock
    @property
    def now(self) -> float:
        """Simulated seconds since the executor was created."""
        return self._now

    @property
    def pending(self) -> int:
        """Number of submitted tasks not completed yet."""
        return len(self._pending)

    def __len__(self) -> int:
        """Number of tasks submitted so far."""
        return len(self._rows)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> SimulatedFuture:
        """Run ``fn(*args, **kwargs)`` now; complete its future when its simulated training ends.

        The task takes the worker that is free first (lowest id among ties), starts at
        ``max(now, worker free)`` and ends ``cost`` seconds later.
        """
        if self._shutdown:
            raise RuntimeError("cannot submit to a SimulatedExecutor after shutdown()")
        task = len(self._rows)
        future = SimulatedFuture(self, task)
        future.set_running_or_notify_cancel()
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:  # the evaluation failed: it occupies no simulated time
            value, error, seconds = exc, True, 0.0
        else:
            error = False
            seconds = self._cost(value)
            try:
                seconds = float(seconds)
            except (TypeError, ValueError):
                seconds = math.nan
            if not (seconds >= 0.0 and math.isfinite(seconds)):
                raise ParameterError(
                    f"The cost of task {task} (from cost={self.cost!r}) must be a finite number "
                    f"of seconds >= 0. Got {seconds!r} instead."
                )
        free_at, worker = heapq.heappop(self._free)
        start = free_at if free_at > self._now else self._now
        end = start + seconds
        heapq.heappush(self._free, (end, worker))
        heapq.heappush(self._pending, (end, task, future))
        self._pending_set.add(future)
        if error:
            status, fitness = "failed", math.nan
        else:
            result = _result_of(value)
            status = getattr(result, "status", "done")
            fitness = getattr(result, "fitness", math.nan)
        self._rows.append((worker, self._now, start, end, seconds, status, fitness))
        self._values.append((value, error))
        return future

    def _complete_next(self) -> SimulatedFuture:
        end, task, future = heapq.heappop(self._pending)
        if end > self._now:
            self._now = end
        value, error = self._values[task]
        self._values[task] = None  # the future holds it now
        future.completed = True
        self._pending_set.discard(future)
        self._completed.add(future)
        if error:
            future.set_exception(value)
        else:
            future.set_result(value)
        return future

    def _advance_until(self, future: SimulatedFuture) -> None:
        if future.executor is not self:
            raise ParameterError("A SimulatedFuture can only be completed by the executor that made it.")
        while not future.completed:
            self._complete_next()

    def wait_first(self, futures: Iterable[Future]) -> set:
        """Advance the clock to the earliest completion among ``futures``; return those done.

        Futures already done are returned at once (the clock does not move). Otherwise
        every task of this executor that ends at or before the earliest end among
        ``futures`` completes (a task the caller does not wait for completes too when its
        time comes) and the clock moves to that end.

        Examples
        --------
        >>> sim = SimulatedExecutor(3, cost=lambda seconds: seconds)
        >>> fs = [sim.submit(float, s) for s in (2.0, 1.0, 1.0)]
        >>> sorted(f.task for f in sim.wait_first(fs)), sim.now
        ([1, 2], 1.0)
        """
        futures = futures if isinstance(futures, (set, frozenset)) else set(futures)
        if not futures <= self._pending_set:  # some are done already (or foreign): no waiting
            done: set[Any] = self._completed & futures  # a set (done.add below) even when given a frozenset
            for f in futures - done - self._pending_set:
                if not f.done():
                    raise ParameterError(
                        f"SimulatedExecutor.wait_first got {f!r}, which is neither done nor a "
                        "future of this executor; it would never complete."
                    )
                done.add(f)
            return done
        if not futures:
            return set()
        complete, pending = self._complete_next, self._pending
        newly = [complete()]
        while newly[-1] not in futures:
            newly.append(complete())
        end = self._now
        while pending and pending[0][0] <= end:  # completions at the same instant
            newly.append(complete())
        return {f for f in newly if f in futures}

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting tasks; with ``wait`` run the clock until every task is done."""
        self._shutdown = True
        if wait:
            while self._pending:
                self._complete_next()

    # ------------------------------------------------------------------ reports
    def efficiency(self, until: float | None = None) -> float:
        """Parallel efficiency: busy worker-seconds in ``[0, until]`` / (W * until).

        ``until`` defaults to :attr:`now`. 1.0 means no worker ever idled; a batch-synchronous
        search, which waits for the slowest evaluation of every batch, scores far lower when
        training times vary. A fixed budget ends with a drain (workers idle while the last
        evaluations finish); ``until=`` the start of the last task measures the steady state.

        Examples
        --------
        >>> sim = simulate_schedule([2.0, 1.0, 1.0, 3.0], 2, mode="async")
        >>> sim.now, sim.efficiency(), sim.efficiency(until=2.0)
        (5.0, 0.7, 1.0)
        """
        until = self._now if until is None else float(until)
        if not until > 0 or not self._rows:
            return float("nan")
        spans = np.array([(row[2], row[3]) for row in self._rows], dtype=float)
        busy = np.minimum(spans[:, 1], until) - np.minimum(spans[:, 0], until)
        return float(busy.sum()) / (self.workers * until)

    def timeline(self):
        """Every task: ``task, worker, submitted, start, end, cost, status, fitness`` (seconds).

        ``status``/``fitness`` are read from the evaluation's result (``failed``/NaN when the
        function raised); tasks still pending are included (their ``end`` lies ahead of
        :attr:`now`).
        """
        import pandas as pd

        frame = pd.DataFrame(self._rows, columns=_TIMELINE_COLUMNS[1:])
        frame.insert(0, "task", np.arange(len(frame), dtype=np.int64))
        frame["worker"] = frame["worker"].astype(np.int64)
        return frame

    def best_so_far_vs_time(self, history_or_outcomes: Any = None, *, maximize: bool = True):
        """The incumbent against simulated time: one row per completed evaluation, by end time.

        Parameters
        ----------
        history_or_outcomes : optional
            Where the fitness of each task comes from, in submission order (the i-th entry
            is the i-th task submitted): a ``SearchHistory`` (its ``fitness``), a sequence of
            outcomes / ``EvaluationResult`` objects (their ``fitness``) or of numbers. Default:
            the results the submitted functions returned.
        maximize : bool
            Best is the largest fitness (default) or the smallest.

        Returns
        -------
        pandas.DataFrame
            Columns ``time`` (simulated s), ``hours``, ``task``, ``evaluations`` (completed so
            far), ``fitness`` and ``best_so_far``; only tasks completed by :attr:`now`, ordered
            by end time and submission. Evaluations without a finite fitness (failed) do not
            change the best so far.

        Examples
        --------
        >>> sim = SimulatedExecutor(1, cost=lambda seconds: seconds)
        >>> _ = [sim.submit(float, s) for s in (3600.0, 1800.0)]
        >>> sim.shutdown()
        >>> curve = sim.best_so_far_vs_time([0.5, 0.9])
        >>> curve[["hours", "best_so_far"]].values.tolist()
        [[1.0, 0.5], [1.5, 0.9]]
        """
        import pandas as pd

        frame = self.timeline()
        if history_or_outcomes is None:
            fitness = frame["fitness"].to_numpy(dtype=float)
        else:
            fitness = _fitness_values(history_or_outcomes)
            if len(fitness) != len(frame):
                raise ParameterError(
                    f"SimulatedExecutor.best_so_far_vs_time got {len(fitness)} fitness values for {len(frame)} "
                    "submitted tasks; pass one per task, in submission order."
                )
        frame = frame.assign(fitness=fitness)
        pending = np.zeros(len(frame), dtype=bool)
        pending[[task for _, task, _ in self._pending]] = True
        frame = frame[~pending].sort_values(["end", "task"], kind="stable")
        values = frame["fitness"].to_numpy(dtype=float)
        worst = -np.inf if maximize else np.inf
        filled = np.where(np.isfinite(values), values, worst)
        best = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
        best = np.where(np.isfinite(best), best, np.nan)
        time = frame["end"].to_numpy(dtype=float)
        return pd.DataFrame(
            {
                "time": time,
                "hours": time / 3600.0,
                "task": frame["task"].to_numpy(),
                "evaluations": np.arange(1, len(frame) + 1, dtype=np.int64),
                "fitness": values,
                "best_so_far": best,
            }
        )

    def __repr__(self) -> str:
        return (
            f"SimulatedExecutor(workers={self.workers}, cost={self.cost!r}; now={self._now:.6g} s, "
            f"{len(self._rows)} tasks, {len(self._pending)} pending)"
        )


def _fitness_values(source: Any) -> np.ndarray:
    values = getattr(source, "fitness", None)
    if values is not None and not isinstance(source, (list, tuple)):
        return np.asarray(values, dtype=float)
    out = []
    for item in source:
        if isinstance(item, (int, float, np.number)):
            out.append(float(item))
        else:
            out.append(float(getattr(_result_of(item), "fitness", math.nan)))
    return np.asarray(out, dtype=float)


_MODES = ("batch", "async")


def simulate_schedule(durations: Iterable[float], workers: int, *, mode: str = "async") -> SimulatedExecutor:
    """Schedule tasks of known durations on W simulated workers, batch-wise or asynchronously.

    The two ways a parallel search hands out evaluations: ``"batch"`` submits W tasks and
    waits for all of them before the next W (the thesis' batch-synchronous cycle);
    ``"async"`` keeps W tasks running and submits the next the moment one finishes (steady
    state, as Real et al. ran regularized evolution). Use the returned executor's
    :meth:`~SimulatedExecutor.efficiency`, :attr:`~SimulatedExecutor.now` and
    :meth:`~SimulatedExecutor.timeline` to see what W workers would buy.

    Parameters
    ----------
    durations : iterable of float
        Seconds each task takes, in submission order (finite, >= 0).
    workers : int
        Number of workers W.
    mode : {"async", "batch"}
        Scheduling discipline.

    Returns
    -------
    SimulatedExecutor
        Shut down, every task completed.

    Examples
    --------
    >>> durations = [1.0, 4.0, 1.0, 1.0, 1.0, 1.0]
    >>> batch = simulate_schedule(durations, 2, mode="batch")
    >>> batch.now, batch.efficiency()
    (6.0, 0.75)
    >>> steady = simulate_schedule(durations, 2, mode="async")
    >>> steady.now, steady.efficiency()
    (5.0, 0.9)
    """
    from nasnb._validation import check_choice

    check_choice(mode, _MODES, "mode", "simulate_schedule")
    values = np.asarray(list(durations) if not isinstance(durations, np.ndarray) else durations, dtype=float)
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ParameterError(
            "The 'durations' parameter of simulate_schedule must be a 1-D sequence of finite "
            f"seconds >= 0. Got {values.shape} values with min {values.min(initial=0.0)!r}."
        )
    sim = SimulatedExecutor(workers, cost=float)
    w, items = sim.workers, values.tolist()
    if mode == "batch":
        for first in range(0, len(items), w):
            pending = {sim.submit(float, d) for d in items[first : first + w]}
            while pending:
                pending -= sim.wait_first(pending)
    else:
        pending = {sim.submit(float, d) for d in items[:w]}
        following = iter(items[w:])
        while pending:
            done = sim.wait_first(pending)
            pending -= done
            for _ in done:
                d = next(following, None)
                if d is not None:
                    pending.add(sim.submit(float, d))
    sim.shutdown()
    return sim
