"""The one writer of evaluations and the one "already done?" rule: :class:`StudyRecorder`.

Every recorded evaluation goes through this class (searches, and the cluster's
``map_evaluate``, which is a search over a fixed list of candidates). Each finished evaluation
becomes **one row written in one transaction** (built by
:func:`~nasnb.store.schema.evaluation_row`, written by
:meth:`~nasnb.store.ExperimentStore.write_rows`), holding what really happened: the candidate
(its descriptor JSON and :func:`~nasnb.store.schema.candidate_hash`, computed once by the
caller, and the search candidate as JSON with its parent), the seed the evaluator received,
the evaluator's settings (one schema: ``{"evaluator": evaluator.settings(), "evaluate":
keyword arguments}``), the torch thread count, the engine (id, host, MPI rank, pid, device),
the times, and the order in which the search applied the result (``arrival``).

**Already done?** A stored row is reused only when its candidate hash, its seed and its
settings all equal the ones of the evaluation asked for (:meth:`StudyRecorder.reusable`).
:meth:`StudyRecorder.load` checks the whole study up front: rows recorded with other
settings or other seeds raise :class:`~nasnb.exceptions.SettingsMismatchError`, which lists the
differing keys, unless ``on_mismatch="archive"`` was chosen: then the old rows move to an
archived study (:meth:`~nasnb.store.ExperimentStore.archive_study`; nothing is deleted) and the
study starts afresh.

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
>>> stored = rec.load(lambda seq: 5)
>>> rec.reusable(stored[0], "h0", 5), rec.reusable(stored[0], "h0", 6)
(True, False)
>>> StudyRecorder(study, evaluator_settings(object(), {"epochs": 8})).load(lambda seq: 5)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nasnb.exceptions.SettingsMismatchError: Study 'demo' ... (differs in: evaluate.epochs: stored 1, now 8). ...
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nasnb._validation import check_choice
from nasnb.exceptions import SettingsMismatchError, StoreError
from nasnb.results import EvaluationOutcome, Status
from nasnb.store.schema import FINISHED_SQL, JsonText, canonical_json, evaluation_row
from nasnb.store.stored import StoredKeys, StoredResult, StoredRows, read_keys

__all__ = ["StudyRecorder", "StoredResult", "StoredRows", "evaluator_settings", "ON_MISMATCH"]

logger = logging.getLogger(__name__)

#: What ``on_mismatch=`` accepts: ``"raise"`` (default) or ``"archive"`` (start the study afresh,
#: its old rows kept in an archived study).
ON_MISMATCH = ("raise", "archive")


def evaluator_settings(evaluator: Any, evaluate_kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings recorded with every row: the evaluator's own and the call's (seed excluded).

    ``evaluator.settings()`` when the evaluator has it, else its class name; keyword arguments
    that are not JSON (e.g. a dataset object) are recorded by name or ``repr``.
    """
    own = (
        evaluator.settings()
        if callable(getattr(evaluator, "settings", None))
        else {"evaluator": type(evaluator).__name__}
    )
    call = {k: v for k, v in dict(evaluate_kwargs or {}).items() if k != "seed"}
    settings = {"evaluator": own, "evaluate": call}
    return json.loads(json.dumps(settings, sort_keys=True, default=lambda v: getattr(v, "name", repr(v))))


_STATUS_CODE = {s.value: i for i, s in enumerate(Status)}  # (as nasnb.store.stored codes them)


def _other_seeds(keys: StoredKeys, wanted: list) -> np.ndarray:
    """Which rows of ``keys`` hold another seed than ``wanted`` (the run's, per row; an int, else
    ``None``: a non-int seed is normalised to ``None`` in place, as the rows record it)."""
    n = len(wanted)
    flag = np.zeros(n, dtype=np.uint8)  # 0 an int, 1 None, 2 an int beyond 64 bits (never stored)
    values = np.zeros(n, dtype=np.int64)
    try:
        if set(map(type, wanted)) - {int}:
            raise TypeError
        values = np.array(wanted, dtype=np.int64).reshape(n)
    except (TypeError, OverflowError):
        for k, want in enumerate(wanted):
            if type(want) is not int and not (isinstance(want, int) and not isinstance(want, bool)):
                wanted[k] = None
                flag[k] = 1
            elif -(2**63) <= want < 2**63:
                values[k] = want
            else:
                flag[k] = 2
    return (keys.seed_flag != flag) | (flag == 2) | (keys.seed_flag == 2) | ((flag == 0) & (keys.seed != values))


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict) and value:
        out: dict[str, str] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix or "<settings>": canonical_json(value)}


def settings_differences(stored: Any, current: Any) -> list[tuple[str, str | None, str | None]]:
    """``(dotted key, stored JSON, current JSON)`` for every setting that differs."""
    old, new = _flatten(stored), _flatten(current)
    return [(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


class StudyRecorder:
    """Writes finished evaluations into ``study``, reads back the reusable ones, owns "already done?".

    Parameters
    ----------
    study : nasnb.store.Study
    settings : dict
        From :func:`evaluator_settings`; part of every row's key.
    on_mismatch : {"raise", "archive"}
        What :meth:`load` does when the study holds rows of other settings or seeds.
    first_seq : int
        Sequence index of the run's evaluation 0 (``map_evaluate(start_seq=...)``): rows are
        written at ``first_seq + index`` and :meth:`load` keys them by ``index``.
    """

    def __init__(
        self, study: Any, settings: Mapping[str, Any], *, on_mismatch: str = "raise", first_seq: int = 0
    ) -> None:
        for method in ("record", "row", "store"):
            if getattr(study, method, None) is None:
                raise StoreError(f"The study {study!r} has no {method} attribute; pass a nasnb.store.Study.")
        self.study = study
        self.on_mismatch = check_choice(on_mismatch, ON_MISMATCH, "on_mismatch", "StudyRecorder")
        self.first_seq = int(first_seq)
        self.settings = dict(settings)
        self.settings_json = JsonText(canonical_json(self.settings, what="settings", func="StudyRecorder"))
        self._memo: dict = {}  # the columns of result objects met again (evaluation_row's memo)

    # ------------------------------------------------------------------ reading
    def load(self, expected_seed: Callable[[int], Any], *, retry_failed: bool = False) -> StoredRows:
        """The finished rows by run index, after checking the study holds only this run's settings.

        ``expected_seed(index)`` is the seed the run gives evaluation ``index``. Rows recorded with
        other settings (anywhere in the study) or another seed raise
        :class:`~nasnb.exceptions.SettingsMismatchError`, or, with ``on_mismatch="archive"``,
        move to an archived study (the run then starts from an empty study).
        ``retry_failed`` leaves ``failed`` rows out.

        What it returns (:class:`~nasnb.store.stored.StoredRows`) holds each row's key columns
        compactly; a row's result is read when first asked for (see :mod:`nasnb.store.stored`).
        """
        store = self.study.store
        study_id, first, same_sql = self.study.id, self.first_seq, str(self.settings_json)
        # this run's rows, their keys read by SQLite a window at a time, each counted when it has this
        # run's settings; rows before first_seq (another run's part of the study) are only checked
        # for other settings
        keys = read_keys(self.study, settings_json=same_sql, first=first)
        wanted = [expected_seed(index) for index in (keys.seq - first).tolist()]
        wrong = _other_seeds(keys, wanted)
        seeds: dict[str, tuple] = {}
        count = int(wrong.sum())
        if count:
            k = int(np.argmax(wrong))
            seed = None if keys.seed_flag[k] == 1 else int(keys.seed[k])
            if keys.seed_flag[k] == 2:  # not an integer (a crafted store): shown as stored
                with store.reading() as conn:
                    seed = conn.execute("SELECT seed FROM evaluations WHERE id=?", (int(keys.id[k]),)).fetchone()[0]
            seeds["seed"] = (f"{seed} (seq={int(keys.seq[k])})", f"{wanted[k]}")
        with store.reading() as conn:
            other = keys.same_settings != keys.rows or (
                first > 0
                and conn.execute(
                    f"SELECT 1 FROM evaluations WHERE study_id=? AND seq<? AND status IN {FINISHED_SQL} "
                    "AND settings_json != ? LIMIT 1",
                    (study_id, first, same_sql),
                ).fetchone()
                is not None
            )
            groups = (
                []
                if not other
                else conn.execute(
                    f"SELECT settings_json, COUNT(*) FROM evaluations WHERE study_id=? AND status IN {FINISHED_SQL} "
                    "GROUP BY settings_json",
                    (study_id,),
                ).fetchall()
            )
        keep = None if not retry_failed else keys.status != _STATUS_CODE[Status.FAILED.value]
        stored = StoredRows(self.study, keys, first=first, keep=keep)
        others = [(text, n) for text, n in groups if not self._same_settings(text)]
        differences: dict[str, tuple] = {}
        if others:  # rows of other settings: only they are reported (this run's seeds are not compared)
            stored, seeds, count = StoredRows.empty(), {}, 0
        for text, n in others:
            count += n
            for key, old, new in settings_differences(json.loads(text), self.settings):
                differences.setdefault(key, (old, new))
        differences.update(seeds)
        if not differences:
            return stored
        listed = "; ".join(
            f"{k}: stored {old if old is not None else '(unset)'}, now {new if new is not None else '(unset)'}"
            for k, (old, new) in differences.items()
        )
        if self.on_mismatch == "archive":
            archived = store.archive_study(self.study.name)
            logger.warning(
                "study %r held %d evaluation(s) of other settings (%s): they moved to the archived "
                "study %r; the study starts afresh",
                self.study.name,
                count,
                listed,
                archived,
            )
            return StoredRows.empty()
        raise SettingsMismatchError(
            f"Study {self.study.name!r} in {str(store.path)!r} holds {count} finished evaluation(s) recorded "
            f"with other settings or seeds than this run's (differs in: {listed}). A study never returns results "
            'of other settings. Use another study name for these settings, or pass on_mismatch="archive" to start '
            f"study {self.study.name!r} afresh (its rows move to an archived study; nothing is deleted).",
            list(differences),
        )

    def _same_settings(self, text: str) -> bool:
        if text == self.settings_json:
            return True
        # a row migrated from schema v1 recorded no evaluator configuration ("evaluator": null):
        # it matches on the call's settings alone
        value = json.loads(text)
        return (
            isinstance(value, dict)
            and value.get("evaluator", 0) is None
            and canonical_json(value.get("evaluate")) == canonical_json(self.settings.get("evaluate"))
        )

    def reusable(self, row: StoredResult | None, descriptor_hash: str, seed: Any) -> bool:
        """The one "already done?" rule: same candidate hash, same seed (settings were checked by
        :meth:`load`, which returns only rows of this run's settings)."""
        seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
        return row is not None and row.descriptor_hash == descriptor_hash and row.seed == seed

    # ------------------------------------------------------------------ writing
    def record(
        self,
        seq: int,
        *,
        descriptor_json: str,
        descriptor_hash: str,
        outcome: EvaluationOutcome,
        candidate_json: str | None = None,
        parent: int | None = None,
        arrival: int | None = None,
        overwrite: bool = False,
    ) -> None:
        """Write one finished evaluation (one transaction) at ``first_seq + seq``."""
        result = outcome.result
        now = time.time()
        row = evaluation_row(
            self.study.id,
            descriptor_json,
            seq=self.first_seq + seq,
            seed=outcome.seed,
            settings=self.settings_json,
            status=result.status,
            result=result,
            started=outcome.started,
            finished=outcome.finished or now,
            now=now,
            candidate=None if candidate_json is None else JsonText(candidate_json),
            parent=parent,
            arrival=arrival,
            threads=outcome.threads,
            engine=outcome.engine,
            descriptor_hash=descriptor_hash,
            memo=self._memo,
            func="StudyRecorder.record",
        )
        self.study.record(row, overwrite=overwrite)

    def started(
        self,
        seq: int,
        *,
        descriptor_json: str,
        descriptor_hash: str,
        seed: Any,
        candidate_json: str | None = None,
        parent: int | None = None,
    ) -> None:
        """Write a ``running`` row for an evaluation just submitted to an executor (its final row
        replaces it: same key); a live dashboard polling the study sees it as running."""
        now = time.time()
        row = evaluation_row(
            self.study.id,
            descriptor_json,
            seq=self.first_seq + seq,
            seed=seed if isinstance(seed, int) else None,
            settings=self.settings_json,
            status=Status.RUNNING,
            result=None,
            started=now,
            finished=None,
            now=now,
            candidate=None if candidate_json is None else JsonText(candidate_json),
            parent=parent,
            descriptor_hash=descriptor_hash,
            func="StudyRecorder.started",
        )
        self.study.record_running(row)

    def discard(self, seqs: Any) -> int:
        """Delete stored rows (by run index) that a resumed search evaluates again."""
        return self.study.discard(self.first_seq + int(s) for s in seqs)

    def clear_unfinished(self) -> int:
        """Delete ``queued``/``running`` rows left by a client that stopped (run again, they are re-made)."""
        return self.study.discard_unfinished()
