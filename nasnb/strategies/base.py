"""The one strategy interface: ask / tell, and ``run`` which loops them over an evaluator.

A strategy proposes :class:`Trial` s with :meth:`Strategy.ask` and learns their results with
:meth:`Strategy.tell`, which applies results *in ask order* (a result told early waits until
every earlier trial has been told). :meth:`Strategy.run` is the one search loop of nasnb
(regularized evolution, random search, the architecture GA and the Double-DQN agent all go
through it): it evaluates in the client, on a ``concurrent.futures`` executor or on a
:class:`nasnb.Cluster`, records every evaluation into a study, captures failures, resumes,
and returns the :class:`~nasnb.strategies.history.SearchHistory`. Two schedules
(:mod:`nasnb.strategies.runloop`):

* ``mode="batch"`` -- the thesis' batch-synchronous cycle: ``batch_size`` trials (``workers``
  of a concurrent strategy) are asked, evaluated in parallel, and applied in ask order;
* ``mode="async"`` -- steady state (Real et al.): ``workers`` evaluations stay in flight and a
  new trial is asked the moment any one finishes; results are applied in arrival order, which
  the study records, so a resume or replay rebuilds exactly the same search.

Resume (after Optuna: strategies keep no private history that a crash could lose): ``run``
starts from a fresh state, replays the seeded ask sequence and, for every trial the study
already holds, takes the stored result instead of evaluating again. A search killed half-way
and run again with the same study continues where it stopped, with the same history as an
uninterrupted run.

Subclasses implement ``_reset_state()``, ``_propose() -> (candidate, parent)`` and
``_apply(index, fitness)`` (called in the order results are applied).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

from nasnb._validation import as_generator, check_choice, check_positive_int, parameter_error
from nasnb.results import EvaluationResult, Status, as_result
from nasnb.spaces.base import check_search_space
from nasnb.strategies.history import SearchHistory

__all__ = ["Trial", "Strategy"]

logger = logging.getLogger(__name__)


class Trial(NamedTuple):
    """One proposed evaluation: sequence ``index``, ``candidate``, ``parent`` index
    (-1 for a random sample) and the evaluation ``seed`` derived from the strategy's seed."""

    index: int  # type: ignore[assignment]  # a NamedTuple field may shadow tuple.index (mypy flags it anyway)
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
        self._results: list[EvaluationResult | None] = []
        self._wall_times: list[float] = []
        self._order: list[int] = []  # indices in the order their results were applied
        self._pending: dict[int, tuple[EvaluationResult, float]] = {}
        self._told = 0
        self._next_in_order = 0
        self._reset_state()
        self._started = True

    @property
    def num_asked(self) -> int:
        return len(self._candidates) if self._started else 0

    @property
    def num_told(self) -> int:
        return self._told if self._started else 0

    def trial_seed(self, index: int) -> int:
        """The evaluation seed of trial ``index`` (derived from the strategy's seed)."""
        return (self._eval_seed_base + index) % (2**31 - 1)

    def ask(self) -> Trial:
        """Propose the next candidate."""
        if not self._started:
            self.reset()
        candidate, parent = self._propose()
        index = len(self._candidates)
        self._candidates.append(candidate)
        self._parents.append(parent)
        self._fitness.append(0.0)
        self._results.append(None)
        self._wall_times.append(0.0)
        return Trial(index, candidate, parent, self.trial_seed(index))

    def tell(self, trial: Trial | int, result: Any, *, wall_time: float = 0.0) -> None:
        """Report the result of a trial (an ``EvaluationResult``, a fitness, or a thesis tuple).

        Results are applied in ask order; a result for a later trial waits in a buffer.
        """
        index = trial.index if isinstance(trial, Trial) else int(trial)
        if not self._started or not 0 <= index < len(self._candidates):
            raise parameter_error("trial", f"{type(self).__name__}.tell", "a trial returned by ask()", trial)
        if self._results[index] is not None or index in self._pending:
            raise parameter_error("trial", f"{type(self).__name__}.tell", "a trial not told yet", index)
        if not isinstance(result, EvaluationResult):
            result = as_result(result)
        if index != self._next_in_order:
            self._pending[index] = (result, wall_time)
            return
        self._apply_result(index, result, wall_time)
        while self._next_in_order in self._pending:
            self._apply_result(self._next_in_order, *self._pending.pop(self._next_in_order))

    def _apply_result(self, index: int, res: EvaluationResult, wall: float) -> None:
        """Apply one result now (the run loop calls this in arrival order in ``async`` mode)."""
        fitness = float(res.fitness) if res.status is Status.DONE else 0.0
        self._fitness[index] = fitness
        self._results[index] = res
        self._wall_times[index] = wall
        self._order.append(index)
        self._told += 1
        while self._next_in_order < len(self._results) and self._results[self._next_in_order] is not None:
            self._next_in_order += 1
        self._apply(index, fitness)

    # ------------------------------------------------------------------ history
    def _history_extra(self, told: list[int]) -> dict[str, Any]:
        return {}

    def _result_of(self, index: int) -> EvaluationResult:
        """The result told for ``index`` (the hooks that read it run after it is told)."""
        result = self._results[index]
        assert result is not None, f"evaluation {index} has not been told yet"
        return result

    @property
    def history(self) -> SearchHistory:
        """The evaluations told so far, in ask order, as a :class:`SearchHistory`."""
        if not self._started:
            self.reset()
        results = {i: r for i, r in enumerate(self._results) if r is not None}
        told = list(results)
        arrival = {index: k for k, index in enumerate(self._order)}
        return SearchHistory(
            [self._candidates[i] for i in told],
            [self._fitness[i] for i in told],
            statuses=[results[i].status for i in told],
            parents=[self._parents[i] for i in told],
            total_times=[results[i].total_time for i in told],
            wall_times=[self._wall_times[i] for i in told],
            messages=[results[i].message for i in told],
            metrics=[results[i].metrics for i in told],
            arrivals=[arrival[i] for i in told],
            indices=told,
            key_fn=self.space.key,
            info=self.config(),
            **self._history_extra(told),
        )

    # ------------------------------------------------------------------ run
    def run(
        self,
        evaluator: Any,
        budget: int | None = None,
        *,
        study: Any = None,
        executor: Any = None,
        evaluate_kwargs: Mapping[str, Any] | None = None,
        mode: str = "batch",
        catch: Any = (Exception,),
        retry_failed: bool = False,
        progress: bool = False,
        timeout: float | None = None,
        on_mismatch: str = "raise",
    ) -> SearchHistory:
        """Search with ``evaluator`` for ``budget`` evaluations and return the history.

        Parameters
        ----------
        evaluator : object
            Anything with ``descriptor_evaluate(descriptor, **evaluate_kwargs)``, or with
            ``evaluate_candidate(candidate)`` (tabular benchmarks: no descriptor is built).
        budget : int, optional
            Number of evaluations (default: the strategy's own, e.g. P + cycles * W).
        study : Study, optional
            Experiment-store study: every evaluation is recorded (one row, one transaction),
            and evaluations it already holds are taken from it instead of being repeated.
        executor : object, optional
            Where evaluations run: a :class:`nasnb.Cluster` (the evaluator is sent once per
            engine), any ``concurrent.futures`` executor, or a
            :class:`nasnb.executors.SimulatedExecutor`. ``None`` evaluates in this process.
            The history does not depend on it.
        evaluate_kwargs : dict, optional
            Extra arguments of ``descriptor_evaluate`` (e.g. ``epochs``, ``dataset``). A
            ``seed`` here is used for every evaluation (and recorded); otherwise each trial
            gets its own seed derived from the strategy's.
        mode : {"batch", "async"}
            ``"batch"``: the thesis' batch-synchronous cycles; ``"async"``: steady state, a new
            trial the moment any evaluation finishes (see the module docstring).
        catch : tuple of exception classes, default ``(Exception,)``
            Evaluator exceptions recorded as ``failed`` while the run goes on; any other one is
            recorded and then stops the run (as Optuna's ``catch``). Failures are logged at
            WARNING. Argument errors (``ParameterError``, ``DatasetError``) always stop it.
        retry_failed : bool
            When resuming, evaluate the trials the study holds as ``failed`` again.
        progress : bool
            Show a tqdm progress bar.
        timeout : float, optional
            Seconds each evaluation may run (in this process, on a thread or process pool, on
            a cluster). One that runs longer is abandoned and recorded ``failed`` with a message
            starting ``timeout``, and the search goes on (see :mod:`nasnb.executors.timeout`).
        on_mismatch : {"raise", "archive"}
            When the study holds evaluations recorded with other settings (evaluator
            configuration, ``evaluate_kwargs``) or other seeds: ``"raise"`` a
            :class:`~nasnb.exceptions.SettingsMismatchError` listing the differing keys, or
            ``"archive"``: move them to an archived study (nothing is deleted) and start afresh.
            A stored row is reused only when candidate, seed and settings all match.

        Ctrl-C (``KeyboardInterrupt``) stops the run at once, whatever runs the evaluations:
        what finished is recorded, a thread pool is shut down without waiting for a hung
        evaluation, and the interrupt's message says how to resume.

        Raises
        ------
        SettingsMismatchError
            The study was recorded with other settings (see ``on_mismatch``).
        ClusterError
            When the executor cannot run an evaluation (engines lost for good, a timeout). No
            row is recorded for such an evaluation; run the same call again to resume.
        """
        from nasnb.strategies.runloop import RunLoop

        func = f"{type(self).__name__}.run"
        if budget is None:
            budget = self.default_budget()
            if budget is None:
                raise parameter_error("budget", func, "a positive int", None)
        budget = check_positive_int(budget, "budget", func)
        mode = check_choice(mode, ("batch", "async"), "mode", func)
        loop = RunLoop(
            self,
            evaluator,
            study=study,
            executor=executor,
            evaluate_kwargs=evaluate_kwargs,
            catch=catch,
            retry_failed=retry_failed,
            progress=progress,
            func=func,
            timeout=timeout,
            on_mismatch=on_mismatch,
        )
        loop.run(budget, mode)
        history = self.history
        logger.info("%s finished %d evaluations: %s", type(self).__name__, len(history), history.status_counts)
        return history
