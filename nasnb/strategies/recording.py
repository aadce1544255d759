"""Recording a search into an experiment-store study, and reading it back to resume.

Every finished evaluation becomes one row of the study (:meth:`nasnb.store.Study.add_evaluation`):
the candidate's descriptor (or, when the candidate has none, e.g. an invalid genome, its
JSON), the evaluation seed, the evaluator settings (``evaluate_kwargs``), the sequence
index ``seq`` and the result. The candidate itself (its JSON), its key and its parent go
into a checkpoint named ``"candidate:<seq>"`` (:meth:`Study.save_checkpoint`), so a genome
can be rebuilt from the store with ``space.candidate_from_json``.

When a search is run again with the same study, :meth:`StudyRecorder.reuse` returns the
stored result of a sequence index instead of evaluating it again, after checking that the
replayed candidate has the stored descriptor hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Mapping

from nasnb.exceptions import DescriptorError, StoreError
from nasnb.results import EvaluationResult

__all__ = ["StudyRecorder", "FINISHED_STATUSES", "candidate_checkpoint_name"]

logger = logging.getLogger(__name__)

#: Statuses of a finished evaluation (``queued``/``running`` rows are evaluated again).
FINISHED_STATUSES = ("done", "failed", "invalid", "diverged")


def candidate_checkpoint_name(seq: int) -> str:
    """Name of the checkpoint holding the candidate of evaluation ``seq``."""
    return f"candidate:{int(seq)}"


def _field(row: Any, name: str, default: Any = None) -> Any:
    if isinstance(row, Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


class StudyRecorder:
    """Writes a strategy's evaluations into ``study`` and finds the ones it already holds.

    Parameters
    ----------
    study : Study
        A :class:`nasnb.store.Study` (or anything with the same ``add_evaluation``,
        ``evaluations`` and ``save_checkpoint`` methods).
    space : SearchSpace
        The strategy's space.
    runner : CandidateEvaluator
        Gives the evaluator settings recorded with each row.
    """

    def __init__(self, study: Any, space: Any, runner: Any) -> None:
        for method in ("add_evaluation", "evaluations", "save_checkpoint"):
            if not callable(getattr(study, method, None)):
                raise StoreError(f"The study {study!r} has no {method}(...) method; pass a nasnb.store.Study.")
        self.study = study
        self.space = space
        self.settings = json.loads(json.dumps(dict(runner.kwargs), sort_keys=True, default=repr))

    def describe(self, candidate: Any) -> tuple[Any, str]:
        """``(what is stored as the descriptor, its hash)`` for a candidate."""
        try:
            descriptor = self.space.to_descriptor(candidate)
            return descriptor, descriptor.canonical_hash()
        except (DescriptorError, NotImplementedError, ValueError):
            value = self.space.candidate_to_json(candidate)
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
            return value, hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def completed(self) -> dict[int, Any]:
        """Stored finished rows by sequence index."""
        out: dict[int, Any] = {}
        for row in self.study.evaluations():
            if _field(row, "status") in FINISHED_STATUSES:
                out[int(_field(row, "seq"))] = row
        return out

    def reuse(self, trial: Any, stored: Mapping[int, Any]) -> EvaluationResult | None:
        """The stored result of ``trial`` (``None`` when it must be evaluated)."""
        row = stored.get(trial.index)
        if row is None:
            return None
        _, digest = self.describe(trial.candidate)
        if digest != _field(row, "descriptor_hash"):
            raise StoreError(
                f"Cannot resume: evaluation seq={trial.index} of the study has descriptor hash "
                f"{_field(row, 'descriptor_hash')!r}, but the replayed search proposes {digest!r}. "
                "The study was made with another strategy, seed or search space.")
        result = _field(row, "result")
        if isinstance(result, EvaluationResult):
            return result
        loss = _field(row, "loss")
        return EvaluationResult(float("nan") if loss is None else float(loss), dict(_field(row, "metrics") or {}),
                                float(_field(row, "total_time") or 0.0), float(_field(row, "fitness") or 0.0),
                                str(_field(row, "status")), str(_field(row, "traceback") or ""))

    def record(self, trial: Any, result: EvaluationResult, wall_time: float) -> None:
        """Write one finished evaluation and its candidate checkpoint."""
        payload, _ = self.describe(trial.candidate)
        self.study.add_evaluation(payload, result, seq=trial.index, seed=trial.seed, settings=self.settings)
        self.study.save_checkpoint(candidate_checkpoint_name(trial.index), {
            "candidate": self.space.candidate_to_json(trial.candidate),
            "key": self.space.key(trial.candidate),
            "parent": trial.parent,
            "wall_time": float(wall_time),
        })
