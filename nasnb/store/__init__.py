"""Experiment store: studies, evaluations and checkpoints in one SQLite file.

Examples
--------
>>> from nasnb.store import ExperimentStore
>>> study = ExperimentStore(":memory:").create_study("demo", {"epochs": 1})
>>> len(study)
0
"""

from nasnb.results import Status
from nasnb.store.recorder import StudyRecorder, evaluator_settings
from nasnb.store.schema import FINAL_STATUSES, STORE_STATUSES, candidate_hash, evaluation_key
from nasnb.store.store import ExperimentStore
from nasnb.store.study import EvaluationRecord, Study

__all__ = [
    "ExperimentStore",
    "Study",
    "EvaluationRecord",
    "StudyRecorder",
    "evaluator_settings",
    "evaluation_key",
    "candidate_hash",
    "Status",
    "STORE_STATUSES",
    "FINAL_STATUSES",
]
