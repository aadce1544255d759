"""How a strategy evaluates one candidate: fast path, descriptor path, executors.

* An evaluator with ``evaluate_candidate(candidate)`` (tabular benchmarks) is called directly:
  no descriptor is built.
* Otherwise the space's ``invalid_reason`` (when it has one) and ``to_descriptor`` run on the
  client; a :class:`~nasnb.exceptions.DescriptorError` makes an ``invalid`` result, and the
  descriptor goes to ``evaluator.descriptor_evaluate(descriptor, **evaluate_kwargs)`` with a
  per-evaluation ``seed`` derived from the strategy's seed (unless ``evaluate_kwargs`` has one).
* Any exception of the evaluator becomes a ``failed`` result with its traceback, except
  :class:`~nasnb.exceptions.ParameterError` / :class:`~nasnb.exceptions.DatasetError`, which
  mean the *arguments* are wrong and are raised.
* With an executor (``submit(fn, *args, **kwargs) -> future``, e.g. :class:`nasnb.Cluster` or a
  ``concurrent.futures`` executor), the same function :func:`evaluate_payload` runs remotely.

Examples
--------
>>> as_result(0.5).fitness, as_result((0.1, {"accuracy": 0.9}, 2.0)).fitness
(0.5, 0.9)
"""

from __future__ import annotations

import inspect
import math
import numbers
import traceback
from typing import Any, Mapping

from nasnb.exceptions import BenchmarkError, DatasetError, DescriptorError, EvaluationError, ParameterError
from nasnb.results import EvaluationResult

__all__ = ["as_result", "evaluate_payload", "CandidateEvaluator"]

_ARGUMENT_ERRORS = (ParameterError, DatasetError)


def as_result(value: Any) -> EvaluationResult:
    """Turn what an evaluator returned into an :class:`EvaluationResult`.

    Accepts an ``EvaluationResult``, a number (the fitness) or a ``(loss, metrics, time)``
    tuple (fitness = ``metrics["accuracy"]`` when present, else ``-loss``). A non-finite
    fitness becomes a ``diverged`` result.
    """
    if isinstance(value, EvaluationResult):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not math.isfinite(float(value)):
            return EvaluationResult.diverged(f"fitness {value!r} is not finite")
        return EvaluationResult(float("nan"), {}, 0.0, float(value))
    if isinstance(value, tuple) and len(value) == 3:
        loss, metrics, total = value
        metrics = dict(metrics or {})
        fitness = metrics.get("accuracy", -float(loss))
        if not math.isfinite(float(fitness)):
            return EvaluationResult.diverged(f"fitness {fitness!r} is not finite", float(total))
        return EvaluationResult(float(loss), metrics, float(total), float(fitness))
    raise EvaluationError(f"An evaluator returned {value!r} of type {type(value).__name__}; expected an "
                          "EvaluationResult, a number or a (loss, metrics, total_time) tuple.")


def evaluate_payload(evaluator: Any, payload: Any, fast: bool, kwargs: Mapping[str, Any]) -> EvaluationResult:
    """Evaluate a candidate (``fast``) or a descriptor; never raises for a bad candidate."""
    try:
        if fast:
            value = evaluator.evaluate_candidate(payload, **kwargs)
        else:
            value = evaluator.descriptor_evaluate(payload, **kwargs)
        return as_result(value)
    except _ARGUMENT_ERRORS:
        raise
    except (DescriptorError, BenchmarkError) as exc:
        return EvaluationResult.invalid(str(exc))
    except Exception:  # an evaluation that raised is recorded as failed, never stops a search
        return EvaluationResult.failed(traceback.format_exc())


def _accepts(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


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
                f"evaluate_candidate(...). Got {type(evaluator).__name__} instead.")
        fn = evaluator.evaluate_candidate if self.fast else evaluator.descriptor_evaluate
        self.pass_seed = not self.fast and "seed" not in self.kwargs and _accepts(fn, "seed")
        self._invalid_reason = getattr(space, "invalid_reason", None)

    def prepare(self, candidate: Any, seed: int) -> tuple[EvaluationResult | None, Any, dict]:
        """``(result, payload, kwargs)``: a result when the candidate is invalid, else what to evaluate."""
        kwargs = self.kwargs
        if self.fast:
            return None, candidate, kwargs
        if self._invalid_reason is not None:
            reason = self._invalid_reason(candidate)
            if reason is not None:
                return EvaluationResult.invalid(reason), None, kwargs
        try:
            payload = self.space.to_descriptor(candidate)
        except DescriptorError as exc:
            return EvaluationResult.invalid(str(exc)), None, kwargs
        if self.pass_seed:
            kwargs = {**kwargs, "seed": seed}
        return None, payload, kwargs

    def evaluate(self, candidate: Any, seed: int) -> EvaluationResult:
        """Evaluate in this process."""
        if self.fast:  # hot path for tabular benchmarks
            try:
                return as_result(self.evaluator.evaluate_candidate(candidate, **self.kwargs))
            except _ARGUMENT_ERRORS:
                raise
            except (DescriptorError, BenchmarkError) as exc:
                return EvaluationResult.invalid(str(exc))
            except Exception:
                return EvaluationResult.failed(traceback.format_exc())
        result, payload, kwargs = self.prepare(candidate, seed)
        if result is not None:
            return result
        return evaluate_payload(self.evaluator, payload, False, kwargs)

    def submit(self, executor: Any, candidate: Any, seed: int) -> Any:
        """Submit to ``executor``; returns a future, or an ``EvaluationResult`` for an invalid candidate."""
        result, payload, kwargs = self.prepare(candidate, seed)
        if result is not None:
            return result
        return executor.submit(evaluate_payload, self.evaluator, payload, self.fast, kwargs)

    @staticmethod
    def collect(future: Any) -> EvaluationResult:
        """The result of a future from :meth:`submit` (a raised future becomes ``failed``)."""
        if isinstance(future, EvaluationResult):
            return future
        try:
            return as_result(future.result())
        except _ARGUMENT_ERRORS:
            raise
        except Exception:  # remote error or lost engine: recorded, the search goes on
            return EvaluationResult.failed(traceback.format_exc())

