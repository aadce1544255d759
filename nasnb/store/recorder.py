"""The one writer of evaluations: :class:`StudyRecorder`.

Searches (:meth:`nasnb.strategies.Strategy.run`) and the cluster's ``map_evaluate`` /
``submit`` record through this class and nothing else writes evaluation rows. Each finished
evaluation becomes **one row written in one transaction**, holding what really happened:
the candidate (its descriptor JSON and canonical hash, computed once by the caller, and the
search candidate as JSON with its parent), the seed the evaluator received, the evaluator's
settings (one schema: ``{"evaluator": evaluator.settings(), "evaluate": keyword arguments}``),
the torch thread count, the engine (id, host, MPI rank, pid, device), the times, and the
order in which the search applied the result (``arrival``).

Examples
--------
>>> from nasnb.store import ExperimentStore
>>> from nasnb.results import EvaluationOutcome, EvaluationResult
>>> study = ExperimentStore(":memory:").create_study("demo")
>>> rec = StudyRecorder(study, evaluator_settings(object(), {"epochs": 1, "seed": 5}))
>>> out = EvaluationOutcome(EvaluationResult(0.1, {"accuracy": 0.9}, 1.0, 0.9), seed=5, threads=1,
...                         engine={"engine_id": 0, "host": "n1", "mpi_rank": 0, "pid": 42, "device": "cpu"})
>>> rec.record(0, descriptor_json='{"cell": 1}', descriptor_hash="h0", outcome=out, candidate_json='[1]',
...            parent=-1, arrival=0)
>>> row = study.evaluations()[0]
>>> row.seed, row.threads, row.engine_rank, row.settings["evaluate"], row.candidate()
(5, 1, 0, {'epochs': 1}, [1])
"""

from __future__ import annotations

import json
import time
from typing import Any, Mapping

from nasnb.exceptions import StoreError
from nasnb.results import EvaluationOutcome
from nasnb.store.schema import FINAL_STATUSES, canonical_json
from nasnb.store.study import EvaluationRecord, _Json

__all__ = ["StudyRecorder", "evaluator_settings"]


def evaluator_settings(evaluator: Any, evaluate_kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings recorded with every row: the evaluator's own and the call's (seed excluded).

    ``evaluator.settings()`` when the evaluator has it, else its class name; keyword arguments
    that are not JSON (e.g. a dataset object) are recorded by name or ``repr``.
    """
    own = evaluator.settings() if callable(getattr(evaluator, "settings", None)) else {
        "evaluator": type(evaluator).__name__}
    call = {k: v for k, v in dict(evaluate_kwargs or {}).items() if k != "seed"}
    settings = {"evaluator": own, "evaluate": call}
    return json.loads(json.dumps(settings, sort_keys=True, default=lambda v: getattr(v, "name", repr(v))))


class StudyRecorder:
    """Writes finished evaluations into ``study`` and reads back the ones it holds.

    Parameters
    ----------
    study : nasnb.store.Study
    settings : dict
        From :func:`evaluator_settings`; part of every row's key.
    """

    def __init__(self, study: Any, settings: Mapping[str, Any]) -> None:
        for method in ("record", "evaluations", "_row"):
            if not callable(getattr(study, method, None)):
                raise StoreError(f"The study {study!r} has no {method}(...) method; pass a nasnb.store.Study.")
        self.study = study
        self.settings = dict(settings)
        self.settings_json = _Json(canonical_json(self.settings, what="settings", func="StudyRecorder"))

    def completed(self, *, retry_failed: bool = False) -> dict[int, EvaluationRecord]:
        """Finished rows by sequence index (``failed`` ones left out when ``retry_failed``)."""
        out: dict[int, EvaluationRecord] = {}
        for row in self.study.evaluations():
            if row.status in FINAL_STATUSES and not (retry_failed and row.status == "failed"):
                out[row.seq] = row
        return out

    def record(self, seq: int, *, descriptor_json: str, descriptor_hash: str, outcome: EvaluationOutcome,
               candidate_json: str | None = None, parent: int | None = None, arrival: int | None = None,
               overwrite: bool = False) -> None:
        """Write one finished evaluation (one transaction)."""
        result = outcome.result
        row = self.study._row(
            descriptor_json, seq=seq, seed=outcome.seed, settings=self.settings_json, status=result.status,
            result=result, engine_id=None, started=outcome.started, finished=outcome.finished or time.time(),
            now=time.time(), candidate=None if candidate_json is None else _Json(candidate_json), parent=parent,
            arrival=arrival, threads=outcome.threads, engine=outcome.engine, descriptor_hash=descriptor_hash)
        self.study.record(row, overwrite=overwrite)

    def discard(self, seqs: Any) -> int:
        """Delete stored rows that a resumed search evaluates again."""
        return self.study.discard(seqs)
