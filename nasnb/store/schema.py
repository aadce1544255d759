"""SQLite schema of the experiment store and the pure helpers that shape its rows.

The store keeps three tables:

``studies``
    one row per study: a unique name and its configuration as canonical JSON.
``evaluations``
    one row per evaluation of a study, identified by a *key* derived from
    (descriptor canonical hash, seed, evaluator settings, sequence index); the
    key is unique inside a study, so an evaluation can never be recorded twice.
    Schema v2 adds what a search and a cluster know about each evaluation: the
    candidate as JSON (e.g. a genome) and its ``parent``, the ``arrival`` order in
    which the result was applied to the search, and where it ran (``threads``,
    ``engine_id``, ``engine_host``, ``engine_rank``, ``engine_pid``, ``device``).
``checkpoints``
    named JSON values per study (search-strategy state).

Schema v3 (this version) changes no table: it recomputes the ``descriptor_hash`` of rows
whose candidate is not a descriptor with :func:`candidate_hash`, the one candidate hash of
nasnb (v2 stored a tabular space's own key on the search path and BLAKE2b of the JSON on
the ``add_evaluation`` path), and their keys (:mod:`nasnb.store.migrate`).

Every row is built by :func:`evaluation_row` and written by the one statement
:data:`UPSERT`; statuses are :class:`nasnb.results.Status` values.

Examples
--------
>>> canonical_json({"b": 1, "a": [1, 2]})
'{"a":[1,2],"b":1}'
>>> evaluation_key("abc", 0, {"epochs": 1}, 3) == evaluation_key("abc", 0, {"epochs": 1}, 3)
True
>>> evaluation_key("abc", 0, {"epochs": 1}, 3) == evaluation_key("abc", 1, {"epochs": 1}, 3)
False
>>> candidate_hash({"b": 1, "a": 2}) == candidate_hash({"a": 2, "b": 1})
True
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from typing import Any

from nasnb._json import MAX_DEPTH, check_depth
from nasnb._validation import check_choice, check_nonnegative_int
from nasnb.exceptions import ParameterError
from nasnb.results import Status

__all__ = [
    "SCHEMA_VERSION",
    "APPLICATION_ID",
    "V2_COLUMNS",
    "SCHEMA",
    "STORE_STATUSES",
    "FINAL_STATUSES",
    "FINISHED_SQL",
    "WRITE_COLUMNS",
    "CANONICAL_ENCODER",
    "UPSERT",
    "canonical_json",
    "candidate_hash",
    "json_hash",
    "JsonText",
    "evaluation_row",
    "evaluation_key",
    "key_from_json",
    "describe",
    "check_seed",
    "finite_or_none",
]

#: Version of the table layout written into ``PRAGMA user_version``.
SCHEMA_VERSION = 3

#: ``PRAGMA application_id`` of every nasnb store (ASCII "nasn"): a SQLite file without it is not ours.
APPLICATION_ID = 0x6E61736E

#: Columns schema v2 added to ``evaluations`` (name, SQL type), in order.
V2_COLUMNS = (
    ("candidate_json", "TEXT"),
    ("parent", "INTEGER"),
    ("arrival", "INTEGER"),
    ("threads", "INTEGER"),
    ("engine_host", "TEXT"),
    ("engine_rank", "INTEGER"),
    ("engine_pid", "INTEGER"),
    ("device", "TEXT"),
)

#: Every status a row can hold (:class:`~nasnb.results.Status`); ``queued`` and ``running`` are not final.
STORE_STATUSES = tuple(s.value for s in Status)

#: Statuses of an evaluation that has ended (a resumed study does not run these again).
FINAL_STATUSES = tuple(s.value for s in Status.finished())

#: ``('done','failed','invalid','diverged')``: the final statuses as an SQL list.
FINISHED_SQL = Status.sql_list()

SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    config_json TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    descriptor_json TEXT NOT NULL,
    descriptor_hash TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    seed INTEGER,
    status TEXT NOT NULL CHECK (status IN {statuses}),
    fitness REAL,
    loss REAL,
    metrics_json TEXT NOT NULL DEFAULT '{}',
    total_time REAL,
    engine_id TEXT,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    traceback TEXT NOT NULL DEFAULT '',
    candidate_json TEXT,
    parent INTEGER,
    arrival INTEGER,
    threads INTEGER,
    engine_host TEXT,
    engine_rank INTEGER,
    engine_pid INTEGER,
    device TEXT,
    UNIQUE (study_id, key)
);
CREATE INDEX IF NOT EXISTS evaluations_by_hash ON evaluations (study_id, descriptor_hash);
CREATE INDEX IF NOT EXISTS evaluations_by_status ON evaluations (study_id, status);
CREATE INDEX IF NOT EXISTS evaluations_by_seq ON evaluations (study_id, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value_json TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (study_id, name)
);
""".replace("{statuses}", Status.sql_list(Status))

#: Columns written for one evaluation, in the order of :func:`evaluation_row`'s tuple.
WRITE_COLUMNS = (
    "study_id",
    "key",
    "seq",
    "descriptor_json",
    "descriptor_hash",
    "settings_json",
    "seed",
    "status",
    "fitness",
    "loss",
    "metrics_json",
    "total_time",
    "traceback",
    "engine_id",
    "created",
    "started",
    "finished",
    "candidate_json",
    "parent",
    "arrival",
    "threads",
    "engine_host",
    "engine_rank",
    "engine_pid",
    "device",
)

#: The one statement that writes an evaluation row: inserts it, or completes a non-final row of
#: the same key; a final row is left alone (the caller sees ``rowcount == 0``).
UPSERT = (
    f"INSERT INTO evaluations ({', '.join(WRITE_COLUMNS)}) VALUES ({','.join('?' * len(WRITE_COLUMNS))}) "
    "ON CONFLICT(study_id, key) DO UPDATE SET "
    + ", ".join(f"{c}=excluded.{c}" for c in WRITE_COLUMNS if c not in ("study_id", "key", "created", "started"))
    + ", started=COALESCE(excluded.started, evaluations.started) "
    f"WHERE evaluations.status NOT IN {FINISHED_SQL}"
)


#: The encoder of canonical JSON: sorted keys, compact, finite numbers only (one for every call).
CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(value: Any, *, what: str = "value", func: str = "ExperimentStore") -> str:
    """Serialize ``value`` to compact JSON with sorted keys; raise if it is not JSON data.

    NaN and infinities are rejected because they are not JSON, and so is nesting deeper than
    :data:`nasnb._json.MAX_DEPTH` levels.
    """
    where = f"The {what!r} parameter of {func}"
    try:
        text = CANONICAL_ENCODER.encode(value)
    except RecursionError:
        text = None  # far too deep for the encoder: refused below, without the RecursionError's context
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"{where} must be JSON data (dict/list/str/number/bool/None, "
            f"finite numbers only). Got {value!r} instead: {exc}"
        ) from exc
    if text is None:
        check_depth(value, what=where, error=ParameterError)
        raise ParameterError(f"{where}: JSON nested too deep to encode.")
    if len(text) > 2 * MAX_DEPTH:  # (shorter text cannot nest that deep)
        check_depth(text, what=where, error=ParameterError)  # the text: counting brackets is cheap
    return text


def evaluation_key(descriptor_hash: str, seed: int | None, settings: Any, seq: int) -> str:
    """Identity of one evaluation: hash of (descriptor hash, seed, settings, seq)."""
    return key_from_json(descriptor_hash, seed, canonical_json(settings, what="settings"), seq)


def key_from_json(descriptor_hash: str, seed: int | None, settings_json: str, seq: int) -> str:
    """:func:`evaluation_key` from the settings' canonical JSON (no re-serialisation)."""
    text = f"{descriptor_hash}|{'null' if seed is None else int(seed)}|{int(seq)}|{settings_json}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def json_hash(text: str) -> str:
    """BLAKE2b (16 bytes, hex) of a candidate's canonical JSON text."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def candidate_hash(candidate: Any) -> str:
    """The one candidate hash of nasnb: what ``descriptor_hash`` holds for every row.

    A :class:`~nasnb.descriptors.NeuralDescriptor` (anything with ``canonical_hash``) gives
    its canonical hash (invariant to layer order and names); any other candidate (a genome's
    or a benchmark cell's JSON value) the BLAKE2b of its canonical JSON, whichever path
    records it (a search, ``add_evaluation``, a cluster).
    """
    if hasattr(candidate, "to_json") and hasattr(candidate, "canonical_hash"):
        return candidate.canonical_hash()
    return json_hash(canonical_json(candidate, what="descriptor", func="candidate_hash"))


def describe(descriptor: Any) -> tuple[str, str]:
    """Return ``(descriptor_json, descriptor_hash)`` for a descriptor or a JSON candidate
    (the hash is :func:`candidate_hash`)."""
    if hasattr(descriptor, "to_json") and hasattr(descriptor, "canonical_hash"):
        return descriptor.to_json(), descriptor.canonical_hash()
    text = canonical_json(descriptor, what="descriptor", func="Study.add_evaluation")
    return text, json_hash(text)


#: Result objects whose columns a ``memo`` of :func:`evaluation_row` keeps (then it starts afresh).
MEMO_SIZE = 4096

_STATUS_VALUE: dict[Any, str] = {**{s: s.value for s in Status}, **{s.value: s.value for s in Status}}
_NO_ENGINE: dict = {}


class JsonText(str):
    """A string that already is canonical JSON (settings or a candidate serialised once)."""


def _metrics_json(metrics: Any) -> str:
    if not metrics:
        return "{}"
    try:  # the usual case: finite numbers, encoded once; NaN/inf (stored as null) and bad values go below
        text = CANONICAL_ENCODER.encode(metrics)
    except (TypeError, ValueError, RecursionError):
        pass
    else:
        if len(text) <= 2 * MAX_DEPTH:
            return text
    clean = {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in metrics.items()}
    return canonical_json(clean, what="metrics")


def _result_columns(result: Any, memo: dict | None) -> tuple:
    if result is None:
        return (None, None, "{}", None, "")
    entry = None if memo is None else memo.get(id(result))
    if entry is not None and entry[0] is result:  # (the entry holds its result: an id is never reused under it)
        return entry[1]
    fitness, loss, seconds = result.fitness, result.loss, result.total_time
    values = (
        fitness if type(fitness) is float and fitness - fitness == 0.0 else finite_or_none(fitness),
        loss if type(loss) is float and loss - loss == 0.0 else finite_or_none(loss),
        _metrics_json(result.metrics),
        seconds if type(seconds) is float and seconds - seconds == 0.0 else finite_or_none(seconds),
        result.message if result.status != Status.DONE else "",
    )
    if memo is not None:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[id(result)] = (result, values)
    return values


def evaluation_row(
    study_id: int,
    descriptor: Any,
    *,
    seq: int,
    seed: Any,
    settings: Any,
    status: Any,
    result: Any,
    started: float | None,
    finished: float | None,
    now: float,
    memo: dict | None = None,
    candidate: Any = None,
    parent: int | None = None,
    arrival: int | None = None,
    threads: int | None = None,
    engine: Any = None,
    engine_id: Any = None,
    descriptor_hash: str | None = None,
    func: str = "Study.add_evaluation",
) -> tuple:
    """The one row builder: the tuple of :data:`WRITE_COLUMNS` for one evaluation, validated.

    ``descriptor`` with ``descriptor_hash`` given is taken as already serialised JSON text;
    ``settings`` / ``candidate`` given as :class:`JsonText` are not re-encoded; ``memo`` (a dict
    the caller keeps) caches the columns of a result object met again (a tabular benchmark returns
    one result object per cell), up to :data:`MEMO_SIZE` of them.
    """
    if type(seq) is not int or not 0 <= seq < 2**63:  # (fast path for the usual int)
        seq = check_nonnegative_int(seq, "seq", func)
        if seq >= 2**63:
            raise ParameterError(
                f"The 'seq' parameter of {func} must be below 2**63 (a SQLite integer). Got {seq} instead."
            )
    if seed is not None and (type(seed) is not int or not -(2**63) <= seed < 2**63):
        seed = check_seed(seed, func)
    value = _STATUS_VALUE.get(status) if type(status) in (str, Status) else None  # (str Enum: hashes as its value)
    status = value if value is not None else Status(check_choice(status, STORE_STATUSES, "status", func)).value
    if descriptor_hash is not None and isinstance(descriptor, str):
        desc_json, desc_hash = descriptor, descriptor_hash  # already serialised and hashed once
    else:
        desc_json, desc_hash = describe(descriptor)
    settings_json = settings if isinstance(settings, JsonText) else canonical_json(settings, what="settings", func=func)
    key = key_from_json(desc_hash, seed, settings_json, seq)
    candidate_json = (
        None
        if candidate is None
        else (candidate if isinstance(candidate, JsonText) else canonical_json(candidate, what="candidate", func=func))
    )
    engine = engine or _NO_ENGINE
    if engine_id is None:
        engine_id = engine.get("engine_id")
    return (
        study_id,
        key,
        seq,
        desc_json,
        desc_hash,
        settings_json if type(settings_json) is str else str(settings_json),
        seed,
        status,
        *_result_columns(result, memo),
        None if engine_id is None else str(engine_id),
        now,
        started,
        finished,
        candidate_json if candidate_json is None or type(candidate_json) is str else str(candidate_json),
        parent if parent is None or type(parent) is int else int(parent),
        arrival if arrival is None or type(arrival) is int else int(arrival),
        threads if threads is None or type(threads) is int else int(threads),
        engine.get("host"),
        engine.get("mpi_rank"),
        engine.get("pid"),
        engine.get("device"),
    )


def check_seed(seed: Any, func: str) -> int | None:
    """Seeds stored in a study must be ``None`` or an int (a Generator cannot be replayed)."""
    if seed is None:
        return None
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and -(2**63) <= int(seed) < 2**63:
        return int(seed)
    raise ParameterError(
        f"The 'seed' parameter of {func} must be None or a 64-bit int when a study records the "
        f"evaluation (a Generator cannot be stored and replayed). Got {seed!r} instead."
    )


def finite_or_none(value: Any) -> float | None:
    """``float(value)`` or ``None`` for missing / NaN / infinite numbers (SQL NULL)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
