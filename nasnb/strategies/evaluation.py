"""How a strategy evaluates its candidates: jobs, executors, failure capture.

:class:`CandidateEvaluator` turns a :class:`~nasnb.strategies.base.Trial` into a :class:`Job`
once, in the client: an evaluator with ``evaluate_candidate(candidate)`` (tabular benchmarks)
gets the candidate itself; otherwise the space's ``invalid_reason`` and ``to_descriptor`` run
here, a :class:`~nasnb.exceptions.DescriptorError` makes an ``invalid`` result without any
evaluation, and the descriptor goes to ``descriptor_evaluate(descriptor, seed=..., **kwargs)``
with the trial's seed (unless ``evaluate_kwargs`` fixes a seed: that one is then used and
recorded). The evaluation itself is :func:`~nasnb.evaluators.run_evaluation`, wherever it runs:

* in the client (no executor);
* on any executor with ``submit(fn, *args, **kwargs) -> Future`` (``concurrent.futures`` pools);
* on a :class:`nasnb.Cluster`, through its ``submit_evaluation``, which sends the evaluator
  once per engine and keeps it (with the data it loaded) there.

:class:`FailureLog` logs failed evaluations at WARNING (type and message of the first few,
then a count) and decides with ``catch`` whether a failure stops the run.

Examples
--------
>>> from nasnb.spaces import NB101MutationSpace
>>> class Ops:
...     def evaluate_candidate(self, cell): return float(len(cell.ops))
>>> space = NB101MutationSpace()
>>> runner = CandidateEvaluator(space, Ops())
>>> import numpy as np
>>> from nasnb.strategies.base import Trial
>>> job = runner.prepare(Trial(0, space.sample(np.random.default_rng(0)), -1, 7))
>>> runner.evaluate(job).result.fitness > 0, job.seed
(True, None)
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nasnb.evaluators.execution import run_evaluation
from nasnb.exceptions import DescriptorError, EvaluationError, ParameterError
from nasnb.results import EvaluationOutcome, EvaluationResult, Status, as_result
from nasnb.store.recorder import evaluator_settings
from nasnb.store.schema import CANONICAL_ENCODER, describe, json_hash

__all__ = ["as_result", "CandidateEvaluator", "Job", "FailureLog"]

logger = logging.getLogger(__name__)


def _accepts(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


@dataclass
class Job:
    """One trial made ready to evaluate: what to send, with which arguments, and what to record."""

    index: int
    candidate: Any
    parent: int
    payload: Any = None
    kwargs: Mapping[str, Any] | None = None
    invalid: EvaluationResult | None = None  # set when no evaluation is needed
    seed: int | None = None
    _described: tuple | None = None


class CandidateEvaluator:
    """Evaluates the candidates of one space with one evaluator (see the module docstring)."""

    def __init__(self, space: Any, evaluator: Any, evaluate_kwargs: Mapping[str, Any] | None = None) -> None:
        self.space = space
        self.evaluator = evaluator
        self.kwargs = dict(evaluate_kwargs or {})
        self.fast = callable(getattr(evaluator, "evaluate_candidate", None))
        if not self.fast and not callable(getattr(evaluator, "descriptor_evaluate", None)):
            raise ParameterError(
                f"The 'evaluator' parameter of Strategy.run must have descriptor_evaluate(...) or "
                f"evaluate_candidate(...). Got {type(evaluator).__name__} instead."
            )
        fn = evaluator.evaluate_candidate if self.fast else evaluator.descriptor_evaluate
        self.pass_seed = not self.fast and "seed" not in self.kwargs and _accepts(fn, "seed")
        self.fixed_seed = self.kwargs.get("seed")
        self._invalid_reason = getattr(space, "invalid_reason", None)
        self.settings = evaluator_settings(evaluator, self.kwargs)

    def prepare(self, trial: Any) -> Job:
        """The :class:`Job` of a trial (builds the descriptor once; invalid candidates are settled here)."""
        job = Job(trial.index, trial.candidate, trial.parent)
        seed = trial.seed if self.pass_seed else self.fixed_seed
        job.seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
        if trial.candidate is None:
            job.invalid = EvaluationResult.invalid(
                f"{type(self.space).__name__}: the strategy proposed no valid candidate"
            )
            return job
        if self.fast:
            job.payload, job.kwargs = trial.candidate, self.kwargs
            return job
        if self._invalid_reason is not None:
            reason = self._invalid_reason(trial.candidate)
            if reason is not None:
                job.invalid = EvaluationResult.invalid(reason)
                return job
        try:
            job.payload = self.space.to_descriptor(trial.candidate)
        except DescriptorError as exc:
            job.invalid = EvaluationResult.invalid(f"{type(exc).__name__}: {exc}")
            return job
        job.kwargs = {**self.kwargs, "seed": trial.seed} if self.pass_seed else self.kwargs
        return job

    def settled(self, job: Job) -> EvaluationOutcome:
        """The outcome of a job that needs no evaluation (an invalid candidate)."""
        assert job.invalid is not None, "settled() is for a job whose candidate is invalid"
        return EvaluationOutcome(job.invalid, job.seed, None, {})

    def evaluate(self, job: Job) -> EvaluationOutcome:
        """Evaluate in this process."""
        if job.invalid is not None:
            return self.settled(job)
        return run_evaluation(self.evaluator, job.payload, fast=self.fast, kwargs=job.kwargs)

    def submit(self, executor: Any, job: Job) -> Any:
        """Submit to ``executor``; returns a future of an :class:`EvaluationOutcome`."""
        submit_evaluation = getattr(executor, "submit_evaluation", None)
        if callable(submit_evaluation):
            return submit_evaluation(self.evaluator, job.payload, fast=self.fast, kwargs=job.kwargs)
        return executor.submit(run_evaluation, self.evaluator, job.payload, fast=self.fast, kwargs=job.kwargs)

    def describe(self, job: Job) -> tuple[str, str, str | None]:
        """``(descriptor JSON, its hash, candidate JSON)`` of a job, computed once.

        A candidate with a descriptor is stored by the descriptor's JSON and canonical hash;
        a tabular candidate (fast path) or one that has no working descriptor by its own
        JSON (no descriptor is built for a table look-up). The hash is always
        :func:`nasnb.store.schema.candidate_hash`, as on every other recording path.
        """
        if job._described is None and getattr(self.space, "candidate_is_descriptor", False):
            # a fixed list (Cluster.map_evaluate): the candidate is the descriptor, stored once
            job._described = (*describe(job.candidate), None) if job.candidate is not None else ("null", "none", None)
        if job._described is None:
            candidate_json = None
            if job.candidate is not None:
                candidate_json = CANONICAL_ENCODER.encode(self.space.candidate_to_json(job.candidate))
            if job.payload is not None and not self.fast and hasattr(job.payload, "canonical_hash"):
                job._described = (job.payload.to_json(), job.payload.canonical_hash(), candidate_json)
            elif candidate_json is not None:  # (a candidate was given)
                job._described = (candidate_json, json_hash(candidate_json), candidate_json)
            else:
                job._described = ("null", "none", None)
        return job._described


class FailureLog:
    """Logs failed evaluations and applies ``catch`` (see the module docstring).

    Parameters
    ----------
    catch : tuple of exception classes
        Exceptions of an evaluator that are recorded as ``failed`` and let the run go on
        (default: every ``Exception``). Any other exception is recorded, then stops the run.
    first : int
        Failures logged one by one before only a count is kept.
    """

    def __init__(self, catch: Any = (Exception,), *, first: int = 3, where: str = "Strategy.run") -> None:
        if isinstance(catch, type):
            catch = (catch,)
        if not isinstance(catch, tuple) or not all(isinstance(c, type) and issubclass(c, BaseException) for c in catch):
            raise ParameterError(
                f"The 'catch' parameter of {where} must be a tuple of exception classes. Got {catch!r} instead."
            )
        self.catch = catch
        self.first = first
        self.where = where
        self.count = 0

    def check(self, index: int, outcome: EvaluationOutcome) -> None:
        """Log a failed outcome; raise when its exception is not caught (after it was recorded)."""
        result = outcome.result
        if result.status != Status.FAILED:
            return
        self.count += 1
        last = result.message.strip().splitlines()[-1] if result.message.strip() else "unknown error"
        if self.count <= self.first:
            logger.warning("evaluation %d failed (recorded as 'failed'): %s", index, last)
        if outcome.error_types and not outcome.raised(self.catch):
            if isinstance(outcome.error, BaseException):
                raise outcome.error
            raise EvaluationError(
                f"Evaluation {index} raised {last}, which is not in catch={self.catch!r}; "
                f"the run stopped. Traceback from where it ran:\n{result.message}"
            )

    def summary(self) -> None:
        """Log how many evaluations failed beyond the ones already logged."""
        if self.count > self.first:
            logger.warning(
                "%d more evaluation(s) failed (%d in all); their tracebacks are in the study rows "
                "and SearchHistory.messages",
                self.count - self.first,
                self.count,
            )
