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

Examples
--------
>>> canonical_json({"b": 1, "a": [1, 2]})
'{"a":[1,2],"b":1}'
>>> evaluation_key("abc", 0, {"epochs": 1}, 3) == evaluation_key("abc", 0, {"epochs": 1}, 3)
True
>>> evaluation_key("abc", 0, {"epochs": 1}, 3) == evaluation_key("abc", 1, {"epochs": 1}, 3)
False
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from typing import Any

from nasnb._json import check_depth
from nasnb.exceptions import ParameterError

__all__ = [
    "SCHEMA_VERSION",
    "APPLICATION_ID",
    "V2_COLUMNS",
    "SCHEMA",
    "STORE_STATUSES",
    "FINAL_STATUSES",
    "canonical_json",
    "evaluation_key",
    "key_from_json",
    "describe",
    "check_seed",
    "finite_or_none",
]

#: Version of the table layout written into ``PRAGMA user_version``.
SCHEMA_VERSION = 2

#: ``PRAGMA application_id`` of every nasnb store (ASCII "nasn"): a SQLite file without it is not ours.
APPLICATION_ID = 0x6E61736E

#: Columns schema v2 added to ``evaluations`` (name, SQL type), in order.
V2_COLUMNS = (("candidate_json", "TEXT"), ("parent", "INTEGER"), ("arrival", "INTEGER"), ("threads", "INTEGER"),
              ("engine_host", "TEXT"), ("engine_rank", "INTEGER"), ("engine_pid", "INTEGER"), ("device", "TEXT"))

#: Every status a row can hold; ``queued`` and ``running`` are not final.
STORE_STATUSES = ("queued", "running", "done", "failed", "invalid", "diverged")

#: Statuses of an evaluation that has ended (a resumed study does not run these again).
FINAL_STATUSES = ("done", "failed", "invalid", "diverged")

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
    status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','invalid','diverged')),
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
"""


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(value: Any, *, what: str = "value", func: str = "ExperimentStore") -> str:
    """Serialize ``value`` to compact JSON with sorted keys; raise if it is not JSON data.

    NaN and infinities are rejected because they are not JSON, and so is nesting deeper than
    :data:`nasnb._json.MAX_DEPTH` levels.
    """
    where = f"The {what!r} parameter of {func}"
    try:
        text = _ENCODER.encode(value)
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
    check_depth(text, what=where, error=ParameterError)  # the text: counting brackets is cheap
    return text


def evaluation_key(descriptor_hash: str, seed: int | None, settings: Any, seq: int) -> str:
    """Identity of one evaluation: hash of (descriptor hash, seed, settings, seq)."""
    return key_from_json(descriptor_hash, seed, canonical_json(settings, what="settings"), seq)


def key_from_json(descriptor_hash: str, seed: int | None, settings_json: str, seq: int) -> str:
    """:func:`evaluation_key` from the settings' canonical JSON (no re-serialisation)."""
    text = f"{descriptor_hash}|{'null' if seed is None else int(seed)}|{int(seq)}|{settings_json}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def describe(descriptor: Any) -> tuple[str, str]:
    """Return ``(descriptor_json, descriptor_hash)`` for a descriptor or a JSON candidate.

    A :class:`~nasnb.descriptors.NeuralDescriptor` (anything with ``to_json`` and
    ``canonical_hash``) gives its own JSON and canonical hash; any other JSON value (a
    benchmark candidate) is stored as canonical JSON and hashed with BLAKE2b.
    """
    if hasattr(descriptor, "to_json") and hasattr(descriptor, "canonical_hash"):
        return descriptor.to_json(), descriptor.canonical_hash()
    text = canonical_json(descriptor, what="descriptor", func="Study.add_evaluation")
    return text, hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def check_seed(seed: Any, func: str) -> int | None:
    """Seeds stored in a study must be ``None`` or an int (a Generator cannot be replayed)."""
    if seed is None:
        return None
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and -2**63 <= int(seed) < 2**63:
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
