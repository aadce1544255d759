"""A study: one named search with its configuration, evaluations and checkpoints.

A :class:`Study` is a thin handle on rows of an :class:`~nasnb.store.ExperimentStore`.
Every method reads or writes the database directly, so a study re-opened by another
process (after a crash of the client) sees exactly what was recorded. Only the client
writes: a study refuses to be pickled, so it can never be shipped to an engine.

Examples
--------
>>> from nasnb.store import ExperimentStore
>>> from nasnb.results import EvaluationResult
>>> study = ExperimentStore(":memory:").create_study("demo", {"epochs": 1})
>>> key = study.add_evaluation({"arch": [1, 2]}, EvaluationResult(0.5, {"accuracy": 0.8}, 1.0, 0.8),
...                            seq=0, seed=0, settings={"epochs": 1})
>>> study.get(key).status, study.get(key).metrics
('done', {'accuracy': 0.8})
>>> study.to_dataframe()[["seq", "status", "fitness", "metrics.accuracy"]].values.tolist()
[[0, 'done', 0.8, 0.8]]
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nasnb._json import loads
from nasnb._validation import check_choice
from nasnb.exceptions import StoreError
from nasnb.results import EvaluationResult, Status
from nasnb.store.schema import (
    FINAL_STATUSES,
    FINISHED_SQL,
    STORE_STATUSES,
    WRITE_COLUMNS,
    canonical_json,
    evaluation_row,
)

if TYPE_CHECKING:  # pragma: no cover
    from nasnb.store.store import ExperimentStore

__all__ = ["Study", "EvaluationRecord"]


#: Columns read for an :class:`EvaluationRecord`: the row id and every written column but the study's id.
_COLUMNS = ("id", *(c for c in WRITE_COLUMNS if c != "study_id"))


@dataclass(frozen=True)
class EvaluationRecord:
    """One row of the ``evaluations`` table, decoded."""

    id: int
    key: str
    seq: int
    descriptor_json: str
    descriptor_hash: str
    settings: Any
    seed: int | None
    status: str
    fitness: float | None
    loss: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    total_time: float | None = None
    engine_id: str | None = None
    created: float | None = None
    started: float | None = None
    finished: float | None = None
    traceback: str = ""
    candidate_json: str | None = None
    parent: int | None = None
    arrival: int | None = None
    threads: int | None = None
    engine_host: str | None = None
    engine_rank: int | None = None
    engine_pid: int | None = None
    device: str | None = None

    @property
    def final(self) -> bool:
        """True when the evaluation has ended (done / failed / invalid / diverged)."""
        return Status(self.status).is_finished

    @property
    def result(self) -> EvaluationResult:
        """The row as an :class:`~nasnb.results.EvaluationResult` (final rows only)."""
        if not self.final:
            raise StoreError(
                f"Evaluation seq={self.seq} (key {self.key}) has status {self.status!r}; it has no result yet."
            )
        loss = float("nan") if self.loss is None else self.loss
        fitness = 0.0 if self.fitness is None else self.fitness
        return EvaluationResult(loss, dict(self.metrics), self.total_time or 0.0, fitness, self.status, self.traceback)

    def descriptor(self):
        """Rebuild the stored :class:`~nasnb.descriptors.NeuralDescriptor` (or JSON candidate)."""
        data = loads(self.descriptor_json, what=f"evaluation seq={self.seq}: descriptor_json", error=StoreError)
        if isinstance(data, dict) and "layers" in data and "connections" in data:
            from nasnb.descriptors import NeuralDescriptor

            return NeuralDescriptor.from_json(self.descriptor_json)
        return data

    def candidate(self, space: Any = None) -> Any:
        """The stored search candidate (e.g. a genome): ``space.candidate_from_json`` of its JSON.

        Without a ``space`` the decoded JSON value is returned; ``None`` when the row has no
        candidate (an evaluation recorded without a search).
        """
        if self.candidate_json is None:
            return None
        value = loads(self.candidate_json, what=f"evaluation seq={self.seq}: candidate_json", error=StoreError)
        return value if space is None else space.candidate_from_json(value)

    @classmethod
    def _from_row(cls, row: tuple) -> EvaluationRecord:
        d = dict(zip(_COLUMNS, row))
        d["settings"] = loads(d.pop("settings_json"), what=f"evaluation seq={d['seq']}: settings", error=StoreError)
        d["metrics"] = loads(d.pop("metrics_json"), what=f"evaluation seq={d['seq']}: metrics", error=StoreError)
        d["status"] = Status(d["status"])
        return cls(**d)


class Study:
    """Handle on one study of an experiment store (use :meth:`ExperimentStore.create_study`)."""

    def __init__(self, store: ExperimentStore, study_id: int, name: str, config: Any) -> None:
        self.store = store
        self.id = study_id
        self.name = name
        self.config = config

    def __repr__(self) -> str:
        return f"Study(name={self.name!r}, store={str(self.store.path)!r})"

    def _repr_html_(self) -> str | None:
        """Rich display in notebooks (drawn by :mod:`nasnb.viz.display`)."""
        try:
            from nasnb.viz.display import study_html
        except ImportError:
            return None
        return study_html(self)

    def __reduce__(self):
        raise StoreError(
            f"Study {self.name!r} cannot be pickled or sent to an engine: only the "
            "client process writes to the experiment store."
        )

    # ------------------------------------------------------------------ writing
    def row(self, descriptor: Any, **fields: Any) -> tuple:
        """The row tuple of one evaluation of this study (:func:`~nasnb.store.schema.evaluation_row`)."""
        return evaluation_row(self.id, descriptor, **fields)

    def add_evaluations(self, items: Iterable[Mapping[str, Any]], *, overwrite: bool = False) -> list[str]:
        """Record many evaluations in one transaction and return their keys.

        Each item is a mapping with the keyword arguments of :meth:`add_evaluation`
        (``descriptor``, ``result``, ``seq``, ``seed``, ``settings``, ``status``,
        ``engine_id``, ``started``, ``finished``). Rows are built and written exactly as a
        search records them (one row builder, one write path). A final row (done / failed /
        invalid / diverged) is never overwritten unless ``overwrite=True``, which replaces
        every row of the same sequence index: recording the same evaluation twice raises
        :class:`~nasnb.exceptions.StoreError`.
        """
        now = time.time()
        rows = []
        memo: dict = {}
        for item in items:
            item = dict(item)
            result = item.pop("result", None)
            status = item.pop("status", None) or (result.status if result is not None else Status.QUEUED)
            rows.append(
                self.row(
                    item.pop("descriptor"),
                    seq=item.pop("seq"),
                    seed=item.pop("seed", None),
                    settings=item.pop("settings", None),
                    status=status,
                    result=result,
                    engine_id=item.pop("engine_id", None),
                    started=item.pop("started", None),
                    finished=item.pop("finished", None) or (now if status in FINAL_STATUSES else None),
                    now=now,
                    memo=memo,
                    candidate=item.pop("candidate", None),
                    parent=item.pop("parent", None),
                    arrival=item.pop("arrival", None),
                    threads=item.pop("threads", None),
                    engine=item.pop("engine", None),
                    descriptor_hash=item.pop("descriptor_hash", None),
                )
            )
            if item:
                raise StoreError(f"Unknown evaluation fields {sorted(item)} for study {self.name!r}.")
        self.store.write_rows(rows, overwrite=overwrite)
        return [r[1] for r in rows]

    def add_evaluation(
        self,
        descriptor: Any,
        result: EvaluationResult | None = None,
        *,
        seq: int,
        seed: int | None = None,
        settings: Any = None,
        status: str | None = None,
        engine_id: Any = None,
        started: float | None = None,
        finished: float | None = None,
        overwrite: bool = False,
        candidate: Any = None,
        parent: int | None = None,
        arrival: int | None = None,
        threads: int | None = None,
        engine: Mapping[str, Any] | None = None,
    ) -> str:
        """Record one evaluation (or queue it when ``result`` is None) and return its key.

        Parameters
        ----------
        descriptor : NeuralDescriptor or JSON value
            The architecture (a benchmark candidate may be any JSON value).
        result : EvaluationResult, optional
            The outcome; omitted for a ``queued`` / ``running`` row.
        seq : int
            Sequence (ask) index of the evaluation in the study.
        seed : int, optional
            Seed the evaluator used.
        settings : JSON value, optional
            Evaluator settings (epochs, dataset, percentage, evaluator configuration).
        status : str, optional
            Defaults to ``result.status``, or ``"queued"`` without a result.
        engine_id, started, finished : optional
            Where and when it ran (epoch seconds).
        candidate, parent : optional
            The search candidate as JSON (e.g. a genome) and its parent's sequence index.
        arrival : int, optional
            Order in which the search applied this result (replays an asynchronous search).
        threads : int, optional
            Torch threads the evaluation used.
        engine : dict, optional
            ``engine_id``, ``host``, ``mpi_rank``, ``pid`` and ``device`` of the process that ran it.
        """
        return self.add_evaluations(
            [
                dict(
                    descriptor=descriptor,
                    result=result,
                    seq=seq,
                    seed=seed,
                    settings=settings,
                    status=status,
                    engine_id=engine_id,
                    started=started,
                    finished=finished,
                    candidate=candidate,
                    parent=parent,
                    arrival=arrival,
                    threads=threads,
                    engine=engine,
                )
            ],
            overwrite=overwrite,
        )[0]

    def record(self, row: tuple, *, overwrite: bool = False) -> None:
        """Write one row made by :meth:`row` (the study recorder's hot path), as one transaction
        (or grouped: see ``ExperimentStore(group_commit=...)``).

        A final row is never replaced unless ``overwrite`` (which replaces every row of that
        sequence index); a ``queued``/``running`` row of the same key is completed.
        """
        self.store.write_rows([row], overwrite=overwrite, hold=True)

    def record_running(self, row: tuple) -> None:
        """Write a ``running`` row made by :meth:`row` (a candidate submitted to an executor); its
        final row, of the same key, completes it."""
        self.store.write_rows([row], hold=True)

    def discard(self, seqs: Iterable[int]) -> int:
        """Delete the rows of these sequence indices (a resumed search that re-runs them); return how many."""
        seqs = [int(s) for s in seqs]
        with self.store.transaction() as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM evaluations WHERE study_id=? AND seq=?", [(self.id, s) for s in seqs])
            return conn.total_changes - before

    def discard_unfinished(self) -> int:
        """Delete the ``queued`` / ``running`` rows (left by a run that stopped); return how many."""
        unfinished = Status.sql_list((Status.QUEUED, Status.RUNNING))
        with self.store.reading() as conn:  # (no write transaction when there is nothing to delete)
            if (
                conn.execute(
                    f"SELECT 1 FROM evaluations WHERE study_id=? AND status IN {unfinished} LIMIT 1", (self.id,)
                ).fetchone()
                is None
            ):
                return 0
        with self.store.transaction() as conn:
            cur = conn.execute(f"DELETE FROM evaluations WHERE study_id=? AND status IN {unfinished}", (self.id,))
            return cur.rowcount

    def set_status(self, keys: Iterable[str], status: str, *, engine_id: Any = None) -> None:
        """Move non-final rows to ``queued`` or ``running`` (e.g. when work is submitted)."""
        check_choice(status, (Status.QUEUED, Status.RUNNING), "status", "Study.set_status")
        status = Status(status).value
        now = time.time() if status == Status.RUNNING else None
        with self.store.transaction() as conn:
            conn.executemany(
                "UPDATE evaluations SET status=?, started=COALESCE(?, started), engine_id=COALESCE(?, engine_id) "
                "WHERE study_id=? AND key=? AND status IN " + Status.sql_list((Status.QUEUED, Status.RUNNING)),
                [(status, now, None if engine_id is None else str(engine_id), self.id, k) for k in keys],
            )

    # ------------------------------------------------------------------ reading
    def _select(self, where: str = "", params: tuple = ()) -> list[EvaluationRecord]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM evaluations WHERE study_id=? {where} ORDER BY seq, id"
        with self.store.reading() as conn:
            rows = conn.execute(sql, (self.id, *params)).fetchall()
        try:
            return [EvaluationRecord._from_row(r) for r in rows]
        except StoreError as exc:
            raise StoreError(f"Study {self.name!r} in {str(self.store.path)!r}: {exc}") from None

    def get(self, key: str) -> EvaluationRecord | None:
        """The record with this evaluation key, or None."""
        found = self._select("AND key=?", (key,))
        return found[0] if found else None

    def find(self, descriptor_hash: str, seed: int | None = None, settings: Any = None) -> list[EvaluationRecord]:
        """Records of a descriptor (by canonical hash), optionally narrowed to a seed and settings."""
        where = "AND descriptor_hash=?"
        params: list[Any] = [descriptor_hash]
        if seed is not None:
            where += " AND seed=?"
            params.append(int(seed))
        if settings is not None:
            where += " AND settings_json=?"
            params.append(canonical_json(settings, what="settings", func="Study.find"))
        return self._select(where, tuple(params))

    def evaluations(self, status: str | None = None) -> list[EvaluationRecord]:
        """All records in sequence order, optionally only those with ``status``."""
        if status is None:
            return self._select()
        check_choice(status, STORE_STATUSES, "status", "Study.evaluations")
        return self._select("AND status=?", (status,))

    def final_keys(self) -> set[str]:
        """Keys of evaluations that have ended (a resumed study skips them)."""
        with self.store.reading() as conn:
            rows = conn.execute(
                f"SELECT key FROM evaluations WHERE study_id=? AND status IN {FINISHED_SQL}", (self.id,)
            ).fetchall()
        return {r[0] for r in rows}

    def next_seq(self) -> int:
        """One more than the largest sequence index recorded (0 for an empty study)."""
        with self.store.reading() as conn:
            row = conn.execute("SELECT MAX(seq) FROM evaluations WHERE study_id=?", (self.id,)).fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def __len__(self) -> int:
        with self.store.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM evaluations WHERE study_id=?", (self.id,)).fetchone()[0]

    def to_dataframe(self):
        """All evaluations as a pandas DataFrame, one row each, metrics as ``metrics.<name>`` columns.

        Timestamps (``created``, ``started``, ``finished``) are UTC datetimes; ``settings`` holds
        the decoded evaluator settings. The metric columns are extracted by SQLite itself
        (``json_extract``), so reading a study costs about what ``pandas.read_sql_query`` costs.
        """
        import pandas as pd

        base = [
            "id",
            "seq",
            "descriptor_hash",
            "seed",
            "status",
            "fitness",
            "loss",
            "total_time",
            "engine_id",
            "created",
            "started",
            "finished",
            "traceback",
            "descriptor_json",
            "settings_json",
            "key",
            "candidate_json",
            "parent",
            "arrival",
            "threads",
            "engine_host",
            "engine_rank",
            "engine_pid",
            "device",
        ]
        with self.store.reading(pd.errors.DatabaseError) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT j.key FROM evaluations AS e, json_each(e.metrics_json) AS j WHERE e.study_id=? "
                    "ORDER BY e.seq, e.id",
                    (self.id,),
                )
            ]
            in_sql = [n for n in names if '"' not in n]  # SQLite extracts these; other names are decoded here
            metric_sql = "".join(f", json_extract(metrics_json, ?) AS m{i}" for i in range(len(in_sql)))
            paths = tuple(f'$."{n}"' for n in in_sql)
            frame = pd.read_sql_query(
                f"SELECT {', '.join(base)}{metric_sql}"
                f"{', metrics_json' if len(in_sql) < len(names) else ''} FROM evaluations "
                "WHERE study_id=? ORDER BY seq, id",
                conn,
                params=(*paths, self.id),
            )
            frame = frame.rename(columns={f"m{i}": f"metrics.{n}" for i, n in enumerate(in_sql)})
            if len(in_sql) < len(names):
                decoded_metrics = [self._loads(t, "metrics") for t in frame.pop("metrics_json")]
                for n in (n for n in names if '"' in n):
                    frame[f"metrics.{n}"] = [m.get(n) for m in decoded_metrics]
            # a study has few distinct settings: decode each once (factorize is vectorised, where
            # iterating the column row by row costs as much as reading it)
            codes, texts = pd.factorize(frame["settings_json"], use_na_sentinel=False)
            decoded = [self._loads(t, "settings") for t in texts]
            frame["settings_json"] = pd.Series([decoded[c] for c in codes.tolist()], index=frame.index, dtype=object)
        frame = frame.rename(columns={"settings_json": "settings"})
        for col in ("created", "started", "finished"):
            frame[col] = pd.to_datetime(frame[col].astype("float64"), unit="s", utc=True)
        for col in ("fitness", "loss", "total_time", *(f"metrics.{n}" for n in names)):
            frame[col] = frame[col].astype("float64")
        return frame

    # ------------------------------------------------------------------ checkpoints
    def save_checkpoint(self, name: str, value: Any) -> None:
        """Store a JSON value (e.g. a strategy's state) under ``name``, replacing an older one."""
        text = canonical_json(value, what="value", func="Study.save_checkpoint")
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO checkpoints (study_id, name, value_json, updated) VALUES (?,?,?,?) "
                "ON CONFLICT(study_id, name) DO UPDATE SET value_json=excluded.value_json, "
                "updated=excluded.updated",
                (self.id, str(name), text, time.time()),
            )

    def load_checkpoint(self, name: str, default: Any = None) -> Any:
        """The JSON value saved under ``name``, or ``default`` when there is none."""
        with self.store.reading() as conn:
            row = conn.execute(
                "SELECT value_json FROM checkpoints WHERE study_id=? AND name=?", (self.id, str(name))
            ).fetchone()
        return default if row is None else self._loads(row[0], f"checkpoint {str(name)!r}")

    def _loads(self, text: str, what: str) -> Any:
        """A JSON document of this study, decoded (a crafted one is a StoreError naming the study)."""
        return loads(text, what=f"Study {self.name!r} in {str(self.store.path)!r}: {what}", error=StoreError)
