"""The one record every evaluator returns.

An :class:`EvaluationResult` unpacks like the thesis' ``(loss, metrics, total_time)``
tuple, and also carries the evaluation's ``status`` and ``fitness`` so that a search
never has to guess whether a candidate failed.

Examples
--------
>>> r = EvaluationResult(loss=0.3, metrics={"accuracy": 0.91}, total_time=1.5, fitness=0.91)
>>> loss, metrics, total_time = r
>>> metrics["accuracy"], r.status
(0.91, 'done')
>>> EvaluationResult.invalid("no path from input to output").fitness
0.0
>>> as_result((0.1, {"accuracy": 0.9}, 2.0)).fitness, as_result(0.5).fitness
(0.9, 0.5)
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from nasnb.exceptions import EvaluationError, ParameterError

__all__ = ["Status", "EvaluationResult", "EvaluationOutcome", "STATUSES", "as_result", "competes"]


class Status(str, enum.Enum):
    """The one status vocabulary of nasnb (results, store rows, strategies, exports, SQL).

    A member compares equal to its string value (``Status.DONE == "done"``), so rows read
    back from SQLite and JSON need no conversion. ``running`` marks a candidate submitted to
    an executor and not finished yet (a search writes it when it submits, and replaces it by
    the final row); every other status is final (:attr:`is_finished`), like Optuna's
    ``TrialState.is_finished``.

    Examples
    --------
    >>> Status("done").is_finished, Status.RUNNING.is_finished
    (True, False)
    >>> [s.value for s in Status if s.is_finished]
    ['done', 'failed', 'invalid', 'diverged']
    >>> f"{Status.FAILED}" == "failed"
    True
    """

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INVALID = "invalid"
    DIVERGED = "diverged"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:  # shown as the plain string it equals (tables, doctests, messages)
        return repr(self.value)

    def __format__(self, format_spec: str) -> str:  # formats as the plain string (f"{s:>8}")
        return format(self.value, format_spec)

    @property
    def is_finished(self) -> bool:
        """True when the evaluation has ended (done / failed / invalid / diverged)."""
        return self not in (Status.QUEUED, Status.RUNNING)

    @classmethod
    def finished(cls) -> tuple[Status, ...]:
        """The final statuses, in declaration order."""
        return tuple(s for s in cls if s.is_finished)

    @classmethod
    def sql_list(cls, statuses: Any = None) -> str:
        """``('done','failed',...)``: an SQL list of ``statuses`` (default: the final ones)."""
        chosen = cls.finished() if statuses is None else tuple(cls(s) for s in statuses)
        return "(" + ",".join(f"'{s.value}'" for s in chosen) + ")"


#: Statuses an evaluation can end in (the finished :class:`Status` values).
STATUSES = tuple(s.value for s in Status.finished())


def competes(status: Any) -> bool:
    """True when an evaluation with ``status`` finished normally (``done``) and its fitness is a result.

    The one test of "does this row compete": only finished evaluations are a parent, the best
    of a study, or a point of a best-so-far curve or an ECDF. A ``failed``, ``invalid`` or
    ``diverged`` row keeps a placeholder fitness (0) that is never ranked, whatever the sign
    of the real fitness values. (:attr:`Status.is_finished` is wider: it says the evaluation
    has *ended*, failures included, as Optuna's ``TrialState.is_finished``.)

    Examples
    --------
    >>> [competes(s) for s in ("done", "failed", "invalid", "diverged", "running")]
    [True, False, False, False, False]
    """
    return status == Status.DONE


@dataclass(frozen=True)
class EvaluationResult:
    """Outcome of evaluating one architecture.

    Parameters
    ----------
    loss : float
        Final test (or validation) loss; ``nan`` when not available.
    metrics : dict of str to float
        Named metrics, e.g. ``{"accuracy": 0.93}``.
    total_time : float
        Wall-clock seconds the evaluation took (training time for benchmarks).
    fitness : float
        The number a search maximises (accuracy for classification, negative MSE
        for regression, validation accuracy for tabular benchmarks); 0 for
        invalid candidates.
    status : {"done", "failed", "invalid", "diverged"}
        How the evaluation ended.
    message : str
        Reason for a non-``done`` status (error message or traceback text).
    """

    loss: float
    metrics: dict[str, float] = field(default_factory=dict)
    total_time: float = 0.0
    fitness: float = 0.0
    status: str = "done"
    message: str = ""

    def __post_init__(self) -> None:
        # (fast paths for the usual types: a Status, floats, a dict of str to float; the checks below otherwise)
        status = self.status
        if type(status) is not Status or status not in STATUSES:
            if status not in STATUSES:
                raise ParameterError(
                    f"The 'status' parameter of EvaluationResult must be one of {STATUSES}. Got {status!r} instead."
                )
            object.__setattr__(self, "status", Status(status))
        for name in ("loss", "total_time", "fitness"):
            value = getattr(self, name)
            if type(value) is float:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ParameterError(
                    f"The {name!r} parameter of EvaluationResult must be a real number. Got {value!r} instead."
                )
            object.__setattr__(self, name, float(value))
        if not isinstance(self.metrics, dict):
            try:
                object.__setattr__(self, "metrics", dict(self.metrics))
            except (TypeError, ValueError) as exc:
                raise ParameterError(
                    "The 'metrics' parameter of EvaluationResult must be a dict of str to "
                    f"float. Got {self.metrics!r} instead."
                ) from exc
        for key, value in self.metrics.items():
            if type(key) is str and (type(value) is float or type(value) is int):
                continue
            if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ParameterError(
                    "The 'metrics' parameter of EvaluationResult must be a dict of str to "
                    f"float. Got {key!r}: {value!r} instead."
                )
        if not isinstance(self.message, str):
            raise ParameterError(
                f"The 'message' parameter of EvaluationResult must be a str. Got {self.message!r} instead."
            )

    def __iter__(self) -> Iterator[Any]:
        """Unpack as the thesis' ``(loss, metrics, total_time)``."""
        return iter((self.loss, self.metrics, self.total_time))

    @property
    def ok(self) -> bool:
        """True when the evaluation finished normally."""
        return self.status is Status.DONE

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly dict (``nan`` loss becomes ``None``)."""
        d = asdict(self)
        d["status"] = Status(self.status).value
        if isinstance(d["loss"], float) and not math.isfinite(d["loss"]):
            d["loss"] = None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvaluationResult:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        if d.get("loss") is None:
            d["loss"] = float("nan")
        return cls(**d)

    @classmethod
    def invalid(cls, message: str, total_time: float = 0.0) -> EvaluationResult:
        """Result of a candidate that is not a working network (fitness 0)."""
        return cls(float("nan"), {}, total_time, 0.0, "invalid", message)

    @classmethod
    def failed(cls, message: str, total_time: float = 0.0) -> EvaluationResult:
        """Result of an evaluation that raised (message holds the traceback)."""
        return cls(float("nan"), {}, total_time, 0.0, "failed", message)

    @classmethod
    def diverged(cls, message: str, total_time: float = 0.0) -> EvaluationResult:
        """Result of a training run whose loss became NaN or infinite."""
        return cls(float("nan"), {}, total_time, 0.0, "diverged", message)


def as_result(value: Any) -> EvaluationResult:
    """Turn what an evaluator returned into an :class:`EvaluationResult` (the one conversion).

    Accepts an ``EvaluationResult``, a number (the fitness) or the thesis' ``(loss, metrics,
    total_time)`` tuple (fitness = ``metrics["accuracy"]`` when present, else ``-loss``). A
    non-finite fitness becomes a ``diverged`` result. The client, thread pools and cluster
    engines all convert through this function, so a result never depends on where it ran.
    """
    if isinstance(value, EvaluationResult):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not math.isfinite(float(value)):
            return EvaluationResult.diverged(f"fitness {value!r} is not finite")
        return EvaluationResult(float("nan"), {}, 0.0, float(value))
    if isinstance(value, tuple) and len(value) == 3:
        loss, metrics, total = value
        try:
            metrics = {str(k): float(v) for k, v in dict(metrics or {}).items()}
            loss, total = float(loss), float(total)
        except (TypeError, ValueError) as exc:
            raise EvaluationError(
                f"An evaluator returned the tuple {value!r}; expected (loss: float, "
                f"metrics: dict of str to float, total_time: float)."
            ) from exc
        fitness = metrics.get("accuracy", -loss)
        if not math.isfinite(fitness):
            return EvaluationResult.diverged(f"fitness {fitness!r} is not finite", total)
        return EvaluationResult(loss, metrics, total, fitness)
    raise EvaluationError(
        f"An evaluator returned {value!r} of type {type(value).__name__}; expected an "
        "EvaluationResult, a number or a (loss, metrics, total_time) tuple."
    )


@dataclass(frozen=True)
class EvaluationOutcome:
    """An :class:`EvaluationResult` with where and how it was produced.

    Returned by :func:`nasnb.evaluators.run_evaluation` wherever an evaluation runs (the
    client, a thread pool, a cluster engine); the study recorder writes it as one row.

    Parameters
    ----------
    result : EvaluationResult
    seed : int or None
        The seed the evaluator really received.
    threads : int or None
        Torch intra-op threads during the evaluation (``None``: not fixed, e.g. table look-ups).
    engine : dict
        ``engine_id``, ``host``, ``pid``, ``mpi_rank`` and ``device`` of the process that ran it.
    started, finished : float
        Unix times around the evaluator call.
    error_types : tuple of str
        For an evaluation that raised: qualified names of the exception's classes (its MRO),
        so the client can decide whether the error stops the run (``catch``).
    error : BaseException or None
        The exception object itself when it could be carried back.
    """

    result: EvaluationResult
    seed: int | None = None
    threads: int | None = None
    engine: dict = field(default_factory=dict)
    started: float | None = None
    finished: float | None = None
    error_types: tuple = ()
    error: Any = None

    def raised(self, classes: tuple) -> bool:
        """True when the evaluation raised an instance of one of ``classes``."""
        if not self.error_types:
            return False
        names = set(self.error_types)
        return any(f"{c.__module__}.{c.__qualname__}" in names for c in classes)
