"""What a resumed search reads of its study: the finished rows' keys, compactly, results on demand.

:meth:`nasnb.store.StudyRecorder.load` returns a :class:`StoredRows`: a read-only mapping from
run index to :class:`StoredResult` that holds, per finished row, only what the "already done?"
rule and a replay need up front (the candidate hash, the seed, the status, the arrival order and
the row id), in a few flat arrays of about 80 bytes a row (resuming 1,000,000 rows peaks about
210 MB above the imports, where a Python object per row with its result took 530 MB). The keys
are read by SQLite itself, a window of rows per query (:func:`read_keys`: ``group_concat`` of
each column, parsed by numpy), not row by row through Python. A row's result (fitness, loss,
metrics, time, traceback) is read when the replay asks for it (:attr:`StoredResult.result`), a
block of rows at a time by row id; a finished row is never changed in place, so it reads what
:meth:`~nasnb.store.StudyRecorder.load` saw (a row deleted or replaced since, by another
process, is a :class:`~nasnb.exceptions.StoreError`).

Examples
--------
>>> from nasnb.store import ExperimentStore
>>> from nasnb.results import EvaluationResult
>>> study = ExperimentStore(":memory:").create_study("demo")
>>> _ = study.add_evaluations({"descriptor": {"a": i}, "result": EvaluationResult(0.5, {"acc": 0.1 * i}, 1.0, i),
...                            "seq": i, "seed": i, "arrival": 2 - i} for i in range(3))
>>> keys = read_keys(study, settings_json="null", first=0)
>>> rows = StoredRows(study, keys, first=0)
>>> len(rows), 1 in rows, 7 in rows, rows[2].seed, rows[2].result.fitness, rows[2].result.metrics
(3, True, False, 2, 2.0, {'acc': 0.2})
>>> rows.arrivals()
[(0, 2), (1, 1), (2, 0)]
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, cast

import numpy as np

from nasnb._json import loads
from nasnb.exceptions import StoreError
from nasnb.results import EvaluationResult, Status
from nasnb.store.schema import FINISHED_SQL

__all__ = ["StoredResult", "StoredRows", "StoredKeys", "read_keys"]

#: Rows per aggregate query of :func:`read_keys` (bounds the texts SQLite builds: a few MB each).
WINDOW = 131_072

#: Rows read together when a stored result is first asked for (one ``id IN (...)`` query).
BLOCK = 256

#: Blocks of results kept (a replay in arrival order moves back and forth a little).
KEPT_BLOCKS = 8

_STATUSES = tuple(s.value for s in Status)  # a row's status code is its position here
_STATUS_CASE = "CASE status " + " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(_STATUSES)) + " ELSE 9 END"
# a nullable integer column as text: the integer, "n" for NULL, "x" for anything else (a crafted store)
_NULLABLE = "group_concat(CASE typeof({c}) WHEN 'integer' THEN {c} WHEN 'null' THEN 'n' ELSE 'x' END)"
_KEYS_SQL = (
    "SELECT count(*), total(settings_json=?), group_concat(seq), group_concat(id), "
    f"{_NULLABLE.format(c='seed')}, {_NULLABLE.format(c='arrival')}, "
    f"group_concat({_STATUS_CASE}, ''), group_concat(descriptor_hash, ''), "
    "group_concat(ifnull(length(CAST(descriptor_hash AS BLOB)), 0)) "
    f"FROM evaluations WHERE study_id=? AND status IN {FINISHED_SQL} AND seq>=?"
)


class StoredKeys(NamedTuple):
    """The finished rows of a study from ``first`` on, sorted by (seq, id): flat arrays, one entry a row."""

    rows: int
    same_settings: int  # rows whose settings_json equals the one asked for
    seq: np.ndarray  # int64
    id: np.ndarray  # int64
    seed: np.ndarray  # int64 (0 where the flag is not 0)
    seed_flag: np.ndarray  # uint8: 0 an integer, 1 NULL, 2 not an integer
    arrival: np.ndarray  # int64 (0 where arrival is NULL)
    arrival_null: np.ndarray  # bool
    status: np.ndarray  # uint8: position in Status
    hash_text: bytes  # every descriptor hash's UTF-8 bytes, one after the other
    hash_start: np.ndarray  # int64: where a row's hash starts in hash_text
    hash_length: np.ndarray  # int64


_COLUMNS = ("seq", "id", "seed", "seed_flag", "arrival", "arrival_flag", "status", "hash_length")


def _ints(text: str | None, count: int, what: str) -> np.ndarray:
    with warnings.catch_warnings():  # (numpy < 2.3 warns where it stops early; the count below tells)
        warnings.simplefilter("ignore", DeprecationWarning)
        values = np.fromstring(text or "", dtype=np.int64, sep=",")  # (text mode: exact for 64-bit ints)
    if len(values) != count:
        raise ValueError(f"{what}: {len(values)} values read for {count} rows")
    return values


def _nullable_ints(text: str | None, count: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Values and flags (0 an integer, 1 NULL, 2 not an integer) of a column read by ``_NULLABLE``."""
    text = text or ""
    if "n" not in text and "x" not in text:
        return _ints(text, count, what), np.zeros(count, dtype=np.uint8)
    if text.count("n") == count:  # all NULL (e.g. the seeds of an evaluator given no seed)
        return np.zeros(count, dtype=np.int64), np.ones(count, dtype=np.uint8)
    tokens = text.split(",")
    flags = np.fromiter((1 if t == "n" else 2 if t == "x" else 0 for t in tokens), dtype=np.uint8, count=len(tokens))
    return _ints(text.replace("n", "0").replace("x", "0"), count, what), flags


def _codes(text: str | None, count: int, what: str) -> np.ndarray:
    values = np.frombuffer((text or "").encode("ascii"), dtype=np.uint8) - 48
    if len(values) != count:
        raise ValueError(f"{what}: {len(values)} codes read for {count} rows")
    return values


def read_keys(study: Any, *, settings_json: str, first: int) -> StoredKeys:
    """The keys of ``study``'s finished rows of ``seq >= first``, read by SQLite a window at a time.

    Also counts the rows whose settings JSON equals ``settings_json``. A row whose ``seq`` or
    ``arrival`` is not an integer (a crafted store) is a :class:`~nasnb.exceptions.StoreError`.
    """
    store, sid = study.store, study.id
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _COLUMNS}  # per column, its part of each window
    hash_texts: list[bytes] = []
    count = same = 0
    with store.reading() as conn:
        odd = conn.execute("SELECT seq FROM evaluations WHERE study_id=? AND seq>='' LIMIT 1", (sid,)).fetchone()
        if odd is not None:  # text and blobs sort after every number
            raise StoreError(f"Study {study.name!r} in {str(store.path)!r} has a row whose seq is {odd[0]!r}.")
        lo: Any = first
        while True:
            # the window: the next WINDOW rows by seq (any status), found on the (study_id, seq) index
            found = conn.execute(
                "SELECT seq FROM evaluations WHERE study_id=? AND seq>=? ORDER BY seq LIMIT 1 OFFSET ?",
                (sid, lo, WINDOW),
            ).fetchone()
            hi = None if found is None else found[0]
            if hi is not None and hi <= lo:  # more than WINDOW rows share seq `lo`: take them all
                hi = lo + 1 if lo < 2**63 - 1 else None
            sql, params = _KEYS_SQL, [settings_json, sid, lo]
            if hi is not None:
                sql, params = sql + " AND seq<?", [*params, hi]
            n, equal, t_seq, t_id, t_seed, t_arr, c_status, hashes, t_hash_len = conn.execute(sql, params).fetchone()
            if n:
                count, same = count + n, same + int(equal)
                # (a seq that is not an integer, in a crafted store, fails to parse: a damaged store)
                text = (hashes or "").encode("utf-8", "surrogatepass")
                lengths = _ints(t_hash_len, n, "descriptor_hash")
                if int(lengths.sum()) != len(text):
                    raise ValueError("descriptor_hash: lengths do not add up")
                hash_texts.append(text)
                values = (
                    _ints(t_seq, n, "seq"),
                    _ints(t_id, n, "id"),
                    *_nullable_ints(t_seed, n, "seed"),
                    *_nullable_ints(t_arr, n, "arrival"),
                    _codes(c_status, n, "status"),
                    lengths,
                )
                for name, column in zip(_COLUMNS, values):
                    parts[name].append(column)
            if hi is None:
                break
            lo = hi
    if not count:
        ints, codes = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8)
        return StoredKeys(0, 0, ints, ints, ints, codes, ints, codes.astype(bool), codes, b"", ints, ints)
    col = {name: np.concatenate(parts.pop(name)) for name in _COLUMNS}
    bad = np.flatnonzero(col["arrival_flag"] == 2)
    if len(bad):
        raise StoreError(
            f"Study {study.name!r} in {str(store.path)!r}: evaluation seq={int(col['seq'][bad[0]])} has an arrival "
            "that is not an integer."
        )
    col["hash_start"] = np.cumsum(col["hash_length"]) - col["hash_length"]  # in the joined text, in the order read
    # by seq, then id: SQLite aggregates in the order of its index scan, which is that one; else sort
    seq, ids = col["seq"], col["id"]
    step = np.diff(seq)
    if not np.all((step > 0) | ((step == 0) & (np.diff(ids) > 0))):
        order = np.lexsort((ids, seq))
        col = {name: column[order] for name, column in col.items()}
    return StoredKeys(
        rows=count,
        same_settings=same,
        seq=col["seq"],
        id=col["id"],
        seed=col["seed"],
        seed_flag=col["seed_flag"],
        arrival=col["arrival"],
        arrival_null=col["arrival_flag"] == 1,
        status=col["status"],
        hash_text=b"".join(hash_texts),
        hash_start=col["hash_start"],
        hash_length=col["hash_length"],
    )


def _view(column: np.ndarray) -> memoryview:
    """A column as a memoryview: its items come out as Python ints, floats and bools, fast."""
    return memoryview(cast(Any, column))


class StoredResult:
    """What a resumed search needs of one finished row; its result is read and decoded on demand.

    ``seq``, ``descriptor_hash``, ``seed``, ``status`` and ``arrival`` are read by
    :meth:`~nasnb.store.StudyRecorder.load`; ``fitness``, ``loss``, ``metrics_json``,
    ``total_time``, ``traceback`` and :attr:`result` are read from the store when first asked
    for (with the rows around it).
    """

    __slots__ = ("seq", "descriptor_hash", "seed", "status", "arrival", "_rows", "_pos")
    seq: int
    descriptor_hash: str
    seed: int | None
    status: str
    arrival: int | None

    def __init__(self, rows: StoredRows, pos: int) -> None:
        self._rows, self._pos = rows, pos
        self.seq = rows._index[pos] + rows.first
        start = rows._hash_start[pos]
        self.descriptor_hash = rows._hash_text[start : start + rows._hash_length[pos]].decode()
        self.seed = None if rows._seed_null[pos] else rows._seed[pos]
        self.status = _STATUSES[rows._status[pos]]
        self.arrival = None if rows._arrival_null[pos] else rows._arrival[pos]

    def __repr__(self) -> str:
        return (
            f"StoredResult(seq={self.seq}, descriptor_hash={self.descriptor_hash!r}, seed={self.seed}, "
            f"status={self.status!r}, arrival={self.arrival})"
        )

    @property
    def fitness(self) -> float | None:
        """The stored fitness (``None``: SQL NULL, e.g. a failed evaluation)."""
        return self._rows._result_columns(self._pos)[0]

    @property
    def loss(self) -> float | None:
        """The stored loss (``None`` where it was NaN)."""
        return self._rows._result_columns(self._pos)[1]

    @property
    def metrics_json(self) -> str:
        """The stored metrics as JSON text."""
        return self._rows._result_columns(self._pos)[2]

    @property
    def total_time(self) -> float | None:
        """The stored evaluation time in seconds."""
        return self._rows._result_columns(self._pos)[3]

    @property
    def traceback(self) -> str:
        """The stored message of a failed evaluation (``""`` for a finished one)."""
        return self._rows._result_columns(self._pos)[4]

    @property
    def result(self) -> EvaluationResult:
        """The row as an :class:`~nasnb.results.EvaluationResult`.

        A metric that was NaN is stored as JSON ``null`` and comes back as NaN, as it was reported.
        """
        fitness, loss, metrics_json, total_time, traceback = self._rows._result_columns(self._pos)
        what = f"Study {self._rows.name!r}: evaluation seq={self.seq}: metrics"
        metrics = {
            k: float("nan") if v is None else v for k, v in loads(metrics_json, what=what, error=StoreError).items()
        }
        return EvaluationResult(
            float("nan") if loss is None else loss,
            metrics,
            total_time or 0.0,
            0.0 if fitness is None else fitness,
            self.status,
            traceback,
        )


class StoredRows(Mapping[int, StoredResult]):
    """The reusable rows of a study by run index (what :meth:`~nasnb.store.StudyRecorder.load` returns).

    A read-only mapping (plus :meth:`pop`) over flat arrays: one entry per run index, the row of
    the largest id where the rows of ``keys`` (from :func:`read_keys`) whose ``keep`` is true hold
    several of one index. Run index = ``seq - first``.
    """

    def __init__(self, study: Any, keys: StoredKeys, *, first: int, keep: np.ndarray | None = None) -> None:
        self.study, self.first = study, int(first)
        self.name = getattr(study, "name", "")
        index = keys.seq - self.first
        # of several rows of one index (sorted by seq, then id), the last one kept is the row
        kept = np.flatnonzero(np.ones(len(index), dtype=bool) if keep is None else keep)
        last = np.ones(len(kept), dtype=bool)
        last[:-1] = index[kept[1:]] != index[kept[:-1]]
        rows = kept[last]

        def take(column: np.ndarray) -> np.ndarray:
            return column if len(rows) == len(column) else column[rows]  # (all rows: no copy)

        self._index = _view(take(index))
        self._ids = take(keys.id)
        self._seed = _view(take(keys.seed))
        self._seed_null = _view(take(keys.seed_flag) == 1)
        self._arrival_values = take(keys.arrival)
        self._arrival = _view(self._arrival_values)
        self._arrival_nulls = take(keys.arrival_null)
        self._arrival_null = _view(self._arrival_nulls)
        self._status_codes = take(keys.status)
        self._status = _view(self._status_codes)
        self._hash_text = keys.hash_text
        self._hash_start = _view(take(keys.hash_start))
        self._hash_length = _view(take(keys.hash_length))
        self._removed: set[int] = set()
        self._blocks: dict[int, list[tuple]] = {}

    @classmethod
    def empty(cls) -> StoredRows:
        """No rows (a run without a study)."""
        ints, codes = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8)
        return cls(
            None, StoredKeys(0, 0, ints, ints, ints, codes, ints, codes.astype(bool), codes, b"", ints, ints), first=0
        )

    # ------------------------------------------------------------------ mapping
    def _position(self, index: Any) -> int:
        if type(index) is not int:
            if not isinstance(index, int):
                return -1
            index = int(index)
        pos = bisect.bisect_left(self._index, index)
        if pos == len(self._index) or self._index[pos] != index or (self._removed and index in self._removed):
            return -1
        return pos

    def __contains__(self, index: object) -> bool:
        return self._position(index) >= 0

    def __getitem__(self, index: int) -> StoredResult:
        pos = self._position(index)
        if pos < 0:
            raise KeyError(index)
        return StoredResult(self, pos)

    def __iter__(self) -> Iterator[int]:
        removed = self._removed
        return (i for i in self._index if i not in removed) if removed else iter(self._index.tolist())

    def __len__(self) -> int:
        return len(self._index) - len(self._removed)

    def __repr__(self) -> str:
        return f"<StoredRows of study {self.name!r}: {len(self)} row(s)>"

    _MISSING = object()

    def pop(self, index: int, default: Any = _MISSING) -> Any:
        """Remove index ``index`` (a row the resumed search evaluates again) and return its row."""
        pos = self._position(index)
        if pos < 0:
            if default is self._MISSING:
                raise KeyError(index)
            return default
        row = StoredResult(self, pos)
        self._removed.add(self._index[pos])
        return row

    def _live(self) -> np.ndarray:
        index = np.asarray(self._index)
        if not self._removed:
            return np.ones(len(index), dtype=bool)
        return ~np.isin(index, np.fromiter(self._removed, dtype=np.int64, count=len(self._removed)))

    def with_status(self, status: Any) -> list[int]:
        """The run indices whose row has ``status``, ascending."""
        code = _STATUSES.index(Status(status).value)
        return np.asarray(self._index)[(self._status_codes == code) & self._live()].tolist()

    def arrivals(self) -> list[tuple[int, int]]:
        """``(arrival, index)`` of the rows that have an arrival number, sorted (the order a replay applies them)."""
        index = np.asarray(self._index)
        have = ~self._arrival_nulls & self._live()
        pairs = np.stack([self._arrival_values[have], index[have]], axis=1)
        return [(a, i) for a, i in pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))].tolist()]

    # ------------------------------------------------------------------ results, on demand
    def _result_columns(self, pos: int) -> tuple:
        """``(fitness, loss, metrics_json, total_time, traceback)`` of the row at ``pos``."""
        block = pos // BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            rows = self._read_block(block)
            if len(self._blocks) >= KEPT_BLOCKS:
                del self._blocks[next(iter(self._blocks))]
            self._blocks[block] = rows
        return rows[pos - block * BLOCK]

    def _read_block(self, block: int) -> list[tuple]:
        lo = block * BLOCK
        ids = self._ids[lo : lo + BLOCK].tolist()
        store = self.study.store
        with store.reading() as conn:
            found = {
                r[0]: r
                for r in conn.execute(
                    # (by row id alone: a condition on study_id lets SQLite pick that index and scan the study)
                    "SELECT id, seq, fitness, loss, metrics_json, total_time, traceback, study_id FROM evaluations "
                    f"WHERE id IN ({','.join('?' * len(ids))})",
                    ids,
                )
            }
        rows = []
        for k, row_id in enumerate(ids):
            row = found.get(row_id)
            seq = self._index[lo + k] + self.first
            if row is None or row[1] != seq or row[7] != self.study.id:
                raise StoreError(
                    f"Study {self.name!r} in {str(store.path)!r}: evaluation seq={seq} was deleted or replaced "
                    "while the search resumed (only one process may run a study at a time); run it again."
                )
            rows.append(row[2:7])
        return rows
