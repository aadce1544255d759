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
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

from nasnb.exceptions import ParameterError

__all__ = ["EvaluationResult", "STATUSES"]

#: Statuses an evaluation can end in (``queued``/``running`` live only in the store).
STATUSES = ("done", "failed", "invalid", "diverged")


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
        if self.status not in STATUSES:
            raise ParameterError(f"The 'status' parameter of EvaluationResult must be one of {STATUSES}. "
                                 f"Got {self.status!r} instead.")

    def __iter__(self) -> Iterator[Any]:
        """Unpack as the thesis' ``(loss, metrics, total_time)``."""
        return iter((self.loss, self.metrics, self.total_time))

    @property
    def ok(self) -> bool:
        """True when the evaluation finished normally."""
        return self.status == "done"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly dict (``nan`` loss becomes ``None``)."""
        d = asdict(self)
        if isinstance(d["loss"], float) and not math.isfinite(d["loss"]):
            d["loss"] = None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EvaluationResult":
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        if d.get("loss") is None:
            d["loss"] = float("nan")
        return cls(**d)

    @classmethod
    def invalid(cls, message: str, total_time: float = 0.0) -> "EvaluationResult":
        """Result of a candidate that is not a working network (fitness 0)."""
        return cls(float("nan"), {}, total_time, 0.0, "invalid", message)

    @classmethod
    def failed(cls, message: str, total_time: float = 0.0) -> "EvaluationResult":
        """Result of an evaluation that raised (message holds the traceback)."""
        return cls(float("nan"), {}, total_time, 0.0, "failed", message)

    @classmethod
    def diverged(cls, message: str, total_time: float = 0.0) -> "EvaluationResult":
        """Result of a training run whose loss became NaN or infinite."""
        return cls(float("nan"), {}, total_time, 0.0, "diverged", message)
