"""The search loop behind :meth:`nasnb.strategies.Strategy.run`: schedules, recording, resume.

One loop serves every strategy, executor and schedule:

* **batch** (the thesis' distributed regularized evolution): ask ``batch_size`` trials, run
  them (in parallel on an executor), apply their results in ask order, repeat. Each cycle
  waits for its slowest evaluation.
* **async** (steady state, Real et al.): keep ``batch_size`` evaluations in flight; the
  moment one finishes its result is applied and the next trial is asked. Workers never wait
  for each other. Results are applied in *arrival* order, which depends on timing, so each
  row records its ``arrival`` number: a resumed run replays the stored arrivals first (in
  the same order, without waiting) and only then evaluates what is missing, so it rebuilds
  exactly the population and history of the interrupted run. An executor that declares
  ``deterministic = True`` (:class:`~nasnb.executors.SimulatedExecutor`: its completion order is
  a function of what was submitted) runs the stored evaluations again instead, so its simulated
  clock is rebuilt too; their stored results are checked and used, not recorded twice.

Every finished evaluation is recorded as it arrives (one row, one transaction) by the study
recorder, which also owns the one "already done?" rule (:mod:`nasnb.store.recorder`): a stored
row is reused only when candidate hash, seed and settings match, and a study recorded with other
settings raises :class:`~nasnb.exceptions.SettingsMismatchError` (or, with
``on_mismatch="archive"``, starts afresh with its old rows archived). An evaluation submitted to
an executor is written as a ``running`` row at once and completed by its final row; ``running``
rows left when a run stops are removed.  an evaluation that raised is recorded ``failed``, logged, and stops the run
only
when its exception is not in ``catch``. An executor failure (engines lost for good, a
timeout) is never recorded as the candidate's failure: the run stops with a
:class:`~nasnb.exceptions.ClusterError` and the same call resumes it.

Without an executor, evaluations run in this process through :class:`InlineExecutor`
(evaluate at submission, complete in submission order), so the serial run is the same loop.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from nasnb.exceptions import ClusterError, StoreError
from nasnb.executors import InlineExecutor, as_completed, wait_first
from nasnb.executors.timeout import interrupted, limit_evaluations
from nasnb.results import EvaluationOutcome, Status
from nasnb.store.recorder import StudyRecorder
from nasnb.store.stored import StoredRows
from nasnb.strategies.evaluation import CandidateEvaluator, FailureLog, Job

__all__ = ["RunLoop"]

logger = logging.getLogger(__name__)


class RunLoop:
    """One run of a strategy (see the module docstring); used by ``Strategy.run``."""

    def __init__(
        self,
        strategy: Any,
        evaluator: Any,
        *,
        study: Any,
        executor: Any,
        evaluate_kwargs: Mapping[str, Any] | None,
        catch: Any,
        retry_failed: bool,
        progress: bool,
        func: str,
        timeout: float | None = None,
        on_mismatch: str = "raise",
        first_seq: int = 0,
    ) -> None:
        self.strategy = strategy
        self.runner = CandidateEvaluator(strategy.space, evaluator, evaluate_kwargs)
        self.failures = FailureLog(catch, where=func)
        self.executor = executor = limit_evaluations(executor, timeout, func)  # a time limit per evaluation
        self.inline = executor is None
        self.recorder = (
            StudyRecorder(study, self.runner.settings, on_mismatch=on_mismatch, first_seq=first_seq)
            if study is not None
            else None
        )
        self.retry_failed = bool(retry_failed)
        self.stored = StoredRows.empty()
        self.retried: set[int] = set()
        # a candidate on an executor is recorded as running (not for a simulated clock: nothing runs)
        self.mark_running = (
            self.recorder is not None and not self.inline and not getattr(executor, "deterministic", False)
        )
        self.progress = progress
        self.func = func
        self._bar: Any = None
        self._clock = time.perf_counter

    # ------------------------------------------------------------------ entry
    def run(self, budget: int, mode: str) -> None:
        strategy = self.strategy
        strategy.reset()
        if self.recorder is not None:
            runner = self.runner
            seed_of = (
                (lambda index: strategy.trial_seed(index)) if runner.pass_seed else (lambda index: runner.fixed_seed)
            )
            self.stored = self.recorder.load(seed_of)
            if self.retry_failed:
                self.retried = set(self.stored.with_status(Status.FAILED))
            self.recorder.clear_unfinished()
            self.recorder.study.save_checkpoint(
                "strategy", {"config": strategy.config(), "budget": budget, "mode": mode}
            )
        if self.progress:
            from tqdm.auto import tqdm  # a core dependency

            self._bar = tqdm(total=budget, desc=type(strategy).__name__)
        try:
            if self.inline and strategy.batch_size == 1:
                self._serial(budget)
            elif mode == "batch":
                self._batches(budget)
            else:
                self._steady_state(budget)
        except KeyboardInterrupt:
            raise KeyboardInterrupt(interrupted(self.executor, self.recorder, strategy.num_told)) from None
        finally:
            if self.recorder is not None:
                self.recorder.study.store.flush()
                if self.mark_running:
                    self.recorder.clear_unfinished()  # evaluations still in flight were not recorded
            self.failures.summary()
            if self._bar is not None:
                self._bar.close()

    # ------------------------------------------------------------------ pieces
    def _serial(self, budget: int) -> None:
        """One trial at a time in this process (recorded and resumed when there is a study)."""
        strategy, runner, clock = self.strategy, self.runner, self._clock
        apply, stored = strategy._apply_result, self.stored
        for _ in range(budget):
            trial = strategy.ask()
            job = runner.prepare(trial)
            if trial.index in stored:
                row = self._stored_result(job)
                if row is not None:
                    apply(trial.index, row.result, 0.0)
                    self._tick()
                    continue
            start = clock()
            outcome = runner.evaluate(job)
            self._finish(job, outcome, arrival=trial.index)
            apply(trial.index, outcome.result, clock() - start)
            self._tick()

    def _stored_result(self, job: Job) -> Any:
        """The stored row of a job (``None``: evaluate it). Checks the replay proposes the same candidate."""
        row = self.stored.get(job.index)
        if row is None or job.index in self.retried:
            return None
        digest = self.runner.describe(job)[1]
        assert self.recorder is not None  # stored rows are loaded by the recorder
        if self.recorder.reusable(row, digest, job.seed):
            return row
        if self.retried and job.index > min(self.retried):
            # a failed trial was evaluated again and the search took another path from there:
            # the stored rows after it belong to the old path and are evaluated anew
            stale = sorted(seq for seq in self.stored if seq >= job.index)
            self.recorder.discard(stale)
            for seq in stale:
                self.stored.pop(seq, None)
            logger.info(
                "resume: %d stored evaluation(s) after a retried failure took another path; evaluating them again",
                len(stale),
            )
            return None
        raise StoreError(
            f"Cannot resume: evaluation seq={job.index} of the study has descriptor hash {row.descriptor_hash!r}, "
            f"but the replayed search proposes {digest!r}. The study was made with another strategy, seed, "
            "search space or schedule (mode)."
        )

    def _start(self, job: Job) -> Any:
        """Submit a job; returns a future of its outcome (``None`` for an invalid candidate: nothing to run)."""
        if job.invalid is not None:
            return None
        if self.inline:
            return self._inline.submit(self.runner.evaluate, job)
        if self.mark_running and job.index not in self.stored:  # (a retried row is replaced by its result)
            assert self.recorder is not None  # mark_running needs one
            desc_json, desc_hash, cand_json = self.runner.describe(job)
            self.recorder.started(
                job.index,
                descriptor_json=desc_json,
                descriptor_hash=desc_hash,
                seed=job.seed,
                candidate_json=cand_json,
                parent=job.parent,
            )
        return self.runner.submit(self.executor, job)

    @property
    def _inline(self) -> InlineExecutor:
        if not hasattr(self, "_inline_executor"):
            self._inline_executor = InlineExecutor()
        return self._inline_executor

    def _wait(self, futures: Any) -> set:
        try:
            return wait_first(self._inline if self.inline else self.executor, futures)
        except ClusterError as exc:  # e.g. every engine of a connected cluster is gone and none came back
            raise type(exc)(
                f"{exc} The {len(futures)} evaluation(s) in flight were not recorded. When engines "
                "are available again, run the same call with the same study to resume."
            ) from exc

    def _completed(self, futures: Any) -> Any:
        """The futures as they finish (O(1) per completion on a cluster, whatever the batch size)."""
        count = len(futures)
        try:
            yield from as_completed(self._inline if self.inline else self.executor, list(futures))
        except ClusterError as exc:
            raise type(exc)(
                f"{exc} The {count} evaluation(s) of this batch still in flight were not recorded. "
                "When engines are available again, run the same call with the same study to "
                "resume."
            ) from exc

    def _outcome(self, future: Any, job: Job) -> EvaluationOutcome:
        try:
            outcome = future.result()
        except ClusterError as exc:
            raise ClusterError(
                f"{exc} Evaluation {job.index} was not recorded; run the same call again with the same study to resume."
            ) from exc
        except (cf.CancelledError, cf.BrokenExecutor, cf.TimeoutError) as exc:
            raise ClusterError(
                f"The executor could not run evaluation {job.index} ({type(exc).__name__}: "
                f"{exc}); nothing was recorded for it. Run the same call again with the same "
                "study to resume."
            ) from exc
        if not isinstance(outcome, EvaluationOutcome):
            raise ClusterError(
                f"The executor returned {type(outcome).__name__} for evaluation {job.index}; "
                "expected an EvaluationOutcome from nasnb.evaluators.run_evaluation."
            )
        return outcome

    def _finish(self, job: Job, outcome: EvaluationOutcome, arrival: int, overwrite: bool = False) -> None:
        """Record (one transaction), then log/raise a failure."""
        if self.recorder is not None:
            desc_json, desc_hash, cand_json = self.runner.describe(job)
            self.recorder.record(
                job.index,
                descriptor_json=desc_json,
                descriptor_hash=desc_hash,
                outcome=outcome,
                candidate_json=cand_json,
                parent=job.parent,
                arrival=arrival,
                overwrite=overwrite or job.index in self.retried,
            )
        self.failures.check(job.index, outcome)

    def _tick(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    # ------------------------------------------------------------------ batch-synchronous
    def _batches(self, budget: int) -> None:
        strategy, clock = self.strategy, self._clock
        while strategy.num_asked < budget:
            trials = [strategy.ask() for _ in range(min(strategy.batch_size, budget - strategy.num_asked))]
            results: dict[int, Any] = {}
            walls: dict[int, float] = {}
            pending: dict[Any, Job] = {}
            start = clock()
            for trial in trials:
                job = self.runner.prepare(trial)
                row = self._stored_result(job)
                if row is not None:
                    results[trial.index], walls[trial.index] = row.result, 0.0
                    continue
                future = self._start(job)
                if future is None:
                    outcome = self.runner.settled(job)
                    self._finish(job, outcome, arrival=job.index)
                    results[trial.index], walls[trial.index] = outcome.result, 0.0
                else:
                    pending[future] = job
            for future in self._completed(pending):
                job = pending.pop(future)
                outcome = self._outcome(future, job)
                self._finish(job, outcome, arrival=job.index)
                results[job.index], walls[job.index] = outcome.result, clock() - start
            for trial in trials:
                strategy.tell(trial, results[trial.index], wall_time=walls[trial.index])
            self._tick(len(trials))

    # ------------------------------------------------------------------ asynchronous (steady state)
    def _replay_order(self) -> deque:
        """Stored seqs in arrival order, cut at the first retried failure (what follows is re-run)."""
        rows = self.stored.arrivals()
        if self.retried:
            cut = min(a for a in (self.stored[seq].arrival for seq in self.retried) if a is not None)
            stale = [seq for arrival, seq in rows if arrival > cut]
            if stale:
                assert self.recorder is not None  # stored rows are loaded by the recorder
                self.recorder.discard(stale)
                for seq in stale:
                    self.stored.pop(seq, None)
            rows = [(a, s) for a, s in rows if a < cut]
        return deque(seq for _, seq in rows)

    def _steady_state(self, budget: int) -> None:
        strategy, clock = self.strategy, self._clock
        workers = strategy.batch_size
        # an executor whose completion order is a function of what was submitted (a simulated clock)
        # rebuilds its state by running the stored evaluations again; every other one is replayed
        rebuild = bool(getattr(self.executor, "deterministic", False))
        replay = deque() if rebuild else self._replay_order()
        replayed = set(replay)
        in_flight: dict[int, tuple[Any, Job, Any, float]] = {}  # index -> (trial, job, future | None, t0)
        futures: dict[Any, int] = {}
        ready: deque = deque()  # invalid candidates: finished at once, applied in turn like any arrival
        arrival = 0

        def top_up() -> None:
            while len(in_flight) < workers and strategy.num_asked < budget:
                trial = strategy.ask()
                job = self.runner.prepare(trial)
                if trial.index in replayed:
                    in_flight[trial.index] = (trial, job, None, clock())
                    continue
                future = self._start(job)
                in_flight[trial.index] = (trial, job, future, clock())
                if future is None:
                    ready.append(trial.index)
                else:
                    futures[future] = trial.index

        top_up()
        while in_flight:
            if replay:
                seq = replay.popleft()
                if seq not in in_flight:
                    raise StoreError(
                        f"Cannot resume: the study applied evaluation seq={seq} as arrival {arrival}, but the "
                        "replayed search does not have it in flight then. The study was made with another "
                        "strategy, seed, number of workers or schedule (mode)."
                    )
                trial, job, _, _ = in_flight.pop(seq)
                row = self._stored_result(job)
                if row is None:
                    raise StoreError(f"Cannot resume: stored evaluation seq={seq} no longer matches the replay.")
                strategy._apply_result(seq, row.result, 0.0)
                arrival += 1
                self._tick()
                top_up()
                continue
            if ready:
                index = ready.popleft()
                trial, job, _, _ = in_flight.pop(index)
                outcome = self.runner.settled(job)
                self._finish(job, outcome, arrival=arrival)
                strategy._apply_result(index, outcome.result, 0.0)
                arrival += 1
                self._tick()
                top_up()
                continue
            done = self._wait(list(futures))
            for future in sorted(done, key=lambda f: futures[f]):
                index = futures.pop(future)
                trial, job, _, t0 = in_flight.pop(index)
                outcome = self._outcome(future, job)
                row = self.stored.get(index) if rebuild and index not in self.retried else None
                if row is not None:  # re-simulated: the stored result, checked, not recorded again
                    checked = self._stored_result(job)
                    if checked is not None and checked.arrival != arrival and not self.retried:
                        raise StoreError(
                            f"Cannot resume: evaluation seq={index} arrived as {arrival} when "
                            f"re-simulated, but the study holds it as arrival {row.arrival}."
                        )
                    if checked is None or checked.arrival != arrival:  # after a retried failure: a new path
                        row = None
                if row is not None:
                    strategy._apply_result(index, row.result, clock() - t0)
                else:
                    self._finish(job, outcome, arrival=arrival, overwrite=index in self.stored)
                    strategy._apply_result(index, outcome.result, clock() - t0)
                arrival += 1
                self._tick()
                top_up()  # after each arrival, as a replay does: the next trial sees exactly this population
