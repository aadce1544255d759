"""The one strategy interface: ask / tell, and ``run`` which loops them over an evaluator.

A strategy proposes :class:`Trial` s with :meth:`Strategy.ask` and learns their results with
:meth:`Strategy.tell`. Results are *applied in ask order*: a result told early is buffered
until every earlier trial has been told, so a search never depends on which evaluation
finished first. :meth:`Strategy.run` asks ``batch_size`` trials at a time (``workers`` of a
concurrent strategy), evaluates them (serially, or in parallel on an executor), tells them
in order, records every evaluation into a study when given one, and returns the
:class:`~nasnb.strategies.history.SearchHistory`.

Resume (after Optuna: strategies keep no private history that a crash could lose): ``run``
starts from a fresh state, replays the seeded ask sequence, and for every sequence index the
study already holds a finished evaluation of, it takes the stored result instead of
evaluating again. A search killed half-way and run again with the same study continues
where it stopped, with the same history as an uninterrupted run.

Subclasses implement ``_reset_state()``, ``_propose() -> (candidate, parent)`` and
``_apply(index, fitness)``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping, NamedTuple

from nasnb._validation import as_generator, check_positive_int, parameter_error
from nasnb.results import EvaluationResult
from nasnb.spaces.base import check_search_space
from nasnb.strategies.evaluation import CandidateEvaluator, as_result
from nasnb.strategies.history import SearchHistory
from nasnb.strategies.recording import StudyRecorder

__all__ = ["Trial", "Strategy"]

logger = logging.getLogger(__name__)


class Trial(NamedTuple):
    """One proposed evaluation: sequence ``index``, ``candidate``, ``parent`` index
    (-1 for a random sample) and the evaluation ``seed`` derived from the strategy's seed."""

    index: int
    candidate: Any
    parent: int
    seed: int


class Strategy:
    """Base class of nasnb's search strategies (see the module docstring).

    Parameters
    ----------
    space : SearchSpace
        Where candidates come from (see :mod:`nasnb.spaces`).
    seed : int, numpy Generator or None
        Seeds everything the strategy draws; an int makes ``run`` repeatable and resumable.

    Examples
    --------
    Driving a strategy by hand (``run`` does the same loop):

    >>> from nasnb.spaces import NB101MutationSpace
    >>> from nasnb.strategies import RegularizedEvolution
    >>> strategy = RegularizedEvolution(NB101MutationSpace(), population_size=5, sample_size=2, seed=0)
    >>> for _ in range(8):
    ...     trial = strategy.ask()
    ...     strategy.tell(trial, float(len(trial.candidate.ops)))   # any fitness
    >>> len(strategy.history), strategy.history.best.fitness >= 3
    (8, True)
    """

    name = "strategy"

    def __init__(self, space: Any, *, seed: Any = None) -> None:
        self.space = check_search_space(space, type(self).__name__)
        as_generator(seed, type(self).__name__)  # validates the type (a Generator is returned as is, not drawn from)
        self.seed = seed
        self._started = False

    # ------------------------------------------------------------------ subclass hooks
    @property
    def batch_size(self) -> int:
        """Trials asked before their results are told (1 for serial strategies)."""
        return 1

    def default_budget(self) -> int | None:
        """Budget used by ``run`` when none is given (``None``: a budget is required)."""
        return None

    def _reset_state(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _propose(self) -> tuple[Any, int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _apply(self, index: int, fitness: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """JSON-able settings (give them to ``ExperimentStore.create_study``)."""
        space_cfg = self.space.to_json() if callable(getattr(self.space, "to_json", None)) else repr(self.space)
        seed = self.seed if isinstance(self.seed, int) or self.seed is None else repr(self.seed)
        return {"strategy": type(self).__name__, "seed": seed, "space": space_cfg}

    # ------------------------------------------------------------------ ask / tell
    def reset(self) -> None:
        """Start afresh: new random generator from ``seed``, empty history, fresh space state."""
        self.rng = as_generator(self.seed)
        self._eval_seed_base = int(self.rng.integers(2**31 - 1))
        reset = getattr(self.space, "reset", None)
        if callable(reset):
            reset()
        self._candidates: list[Any] = []
        self._parents: list[int] = []
        self._fitness: list[float] = []
        self._results: list[EvaluationResult] = []
        self._wall_times: list[float] = []
        self._pending: dict[int, tuple[EvaluationResult, float]] = {}
        self._told = 0
        self._reset_state()
        self._started = True

    @property
    def num_asked(self) -> int:
        return len(self._candidates) if self._started else 0

    @property
    def num_told(self) -> int:
        return self._told if self._started else 0

    def ask(self) -> Trial:
        """Propose the next candidate."""
        if not self._started:
            self.reset()
        candidate, parent = self._propose()
        index = len(self._candidates)
        self._candidates.append(candidate)
        self._parents.append(parent)
        return Trial(index, candidate, parent, (self._eval_seed_base + index) % (2**31 - 1))

    def tell(self, trial: Trial | int, result: Any, *, wall_time: float = 0.0) -> None:
        """Report the result of a trial (an ``EvaluationResult``, a fitness, or a thesis tuple).

        Results are applied in ask order; a result for a later trial waits in a buffer.
        """
        index = trial.index if isinstance(trial, Trial) else int(trial)
        if not self._started or not 0 <= index < len(self._candidates):
            raise parameter_error("trial", f"{type(self).__name__}.tell", "a trial returned by ask()", trial)
        if index < self._told or index in self._pending:
            raise parameter_error("trial", f"{type(self).__name__}.tell", "a trial not told yet", index)
        if not isinstance(result, EvaluationResult):
            result = as_result(result)
        if index != self._told:
            self._pending[index] = (result, wall_time)
            return
        self._record(result, wall_time)
        while self._told in self._pending:
            self._record(*self._pending.pop(self._told))

    def _record(self, res: EvaluationResult, wall: float) -> None:
        fitness = float(res.fitness) if res.status == "done" else 0.0
        self._fitness.append(fitness)
        self._results.append(res)
        self._wall_times.append(wall)
        self._apply(self._told, fitness)
        self._told += 1

    # ------------------------------------------------------------------ history
    def _history_extra(self) -> dict[str, Any]:
        return {}

    @property
    def history(self) -> SearchHistory:
        """The evaluations told so far, as a :class:`SearchHistory`."""
        if not self._started:
            self.reset()
        n, results = self._told, self._results
        return SearchHistory(self._candidates[:n], self._fitness, statuses=[r.status for r in results],
                             parents=self._parents[:n], total_times=[r.total_time for r in results],
                             wall_times=self._wall_times, messages=[r.message for r in results],
                             metrics=[r.metrics for r in results],
                             key_fn=self.space.key, info=self.config(), **self._history_extra())

    # ------------------------------------------------------------------ run
    def run(self, evaluator: Any, budget: int | None = None, *, study: Any = None, executor: Any = None,
            evaluate_kwargs: Mapping[str, Any] | None = None, progress: bool = False) -> SearchHistory:
        """Search with ``evaluator`` for ``budget`` evaluations and return the history.

        Parameters
        ----------
        evaluator : object
            Anything with ``descriptor_evaluate(descriptor, **evaluate_kwargs)``, or with
            ``evaluate_candidate(candidate)`` (tabular benchmarks: the fast path).
        budget : int, optional
            Number of evaluations (default: the strategy's own, e.g. P + cycles * W).
        study : Study, optional
            Experiment-store study: every evaluation is recorded, and evaluations it already
            holds are taken from it instead of being repeated (resume).
        executor : object, optional
            ``submit(fn, *args, **kwargs) -> future`` (:class:`nasnb.Cluster`,
            ``concurrent.futures`` executors): the trials of a batch run in parallel. Tabular
            benchmarks (``evaluate_candidate``) are always looked up in the client.
        evaluate_kwargs : dict, optional
            Extra arguments of ``descriptor_evaluate`` (e.g. ``epochs``, ``dataset``).
        progress : bool
            Show a tqdm progress bar.
        """
        if budget is None:
            budget = self.default_budget()
            if budget is None:
                raise parameter_error("budget", f"{type(self).__name__}.run", "a positive int", None)
        budget = check_positive_int(budget, "budget", f"{type(self).__name__}.run")
        runner = CandidateEvaluator(self.space, evaluator, evaluate_kwargs)
        if executor is not None and runner.fast:
            # a table look-up takes microseconds: shipping the benchmark to engines would cost more
            logger.debug("%s: evaluate_candidate runs in the client; the executor is not used", type(self).__name__)
            executor = None
        recorder = StudyRecorder(study, self.space, runner) if study is not None else None
        stored = recorder.completed() if recorder is not None else {}
        if recorder is not None:
            study.save_checkpoint("strategy", {"config": self.config(), "budget": budget})
        self.reset()
        bar = None
        if progress:
            from nasnb._optional import require

            tqdm = require("tqdm.auto", extra="progress", purpose="show a progress bar").tqdm
            bar = tqdm(total=budget, desc=type(self).__name__)
        step = self.batch_size
        try:
            if step == 1 and executor is None and recorder is None:
                self._run_serial_fast(runner, budget, bar)
            else:
                self._run_batches(runner, budget, step, executor, recorder, stored, bar)
        finally:
            if bar is not None:
                bar.close()
        history = self.history
        logger.info("%s finished %d evaluations: %s", type(self).__name__, len(history), history.status_counts)
        return history

    def _run_serial_fast(self, runner: CandidateEvaluator, budget: int, bar: Any) -> None:
        # ask/tell inlined (no Trial objects, no checks): the hot loop of benchmark searches
        propose, record, evaluate, clock = self._propose, self._record, runner.evaluate, time.perf_counter
        candidates, parents, base = self._candidates, self._parents, self._eval_seed_base
        for index in range(budget):
            candidate, parent = propose()
            candidates.append(candidate)
            parents.append(parent)
            start = clock()
            result = evaluate(candidate, (base + index) % (2**31 - 1))
            record(result, clock() - start)
            if bar is not None:
                bar.update(1)

    def _run_batches(self, runner: CandidateEvaluator, budget: int, step: int, executor: Any,
                     recorder: StudyRecorder | None, stored: dict, bar: Any) -> None:
        clock = time.perf_counter
        while self.num_asked < budget:
            trials = [self.ask() for _ in range(min(step, budget - self.num_asked))]
            results: list[Any] = [None] * len(trials)
            walls = [0.0] * len(trials)
            todo = []
            for k, trial in enumerate(trials):
                reused = recorder.reuse(trial, stored) if recorder is not None else None
                if reused is not None:
                    results[k] = reused
                else:
                    todo.append(k)
            start = clock()
            if executor is None:
                for k in todo:
                    t0 = clock()
                    results[k] = runner.evaluate(trials[k].candidate, trials[k].seed)
                    walls[k] = clock() - t0
            else:
                futures = {k: runner.submit(executor, trials[k].candidate, trials[k].seed) for k in todo}
                for k in todo:
                    results[k] = runner.collect(futures[k])
                    walls[k] = clock() - start
            for k, trial in enumerate(trials):
                self.tell(trial, results[k], wall_time=walls[k])
                if recorder is not None and k in todo:
                    recorder.record(trial, results[k], walls[k])
            if bar is not None:
                bar.update(len(trials))
