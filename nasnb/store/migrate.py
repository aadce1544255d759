"""Upgrading stores written by older nasnb versions (schema v1 → v3, v2 → v3).

A v2 store holds, for candidates that are not descriptors (genomes, benchmark cells), the
hash its recording path chose (a tabular space's key on the search path). :func:`migrate_v2`
recomputes those with :func:`~nasnb.store.schema.candidate_hash` (BLAKE2b of the candidate's
canonical JSON) and the keys with them, in one transaction, so every path agrees on a
candidate's hash. Descriptor rows keep their canonical hash.

A v1 store (``PRAGMA user_version = 1``, no application id) holds the evaluations in the
v1 columns and, for searches, each candidate in a checkpoint named ``candidate:<seq>``.
:func:`migrate_v1` adds the v2 columns, moves candidate, key-free parent and wall time out
of those checkpoints into the rows (the checkpoints are then deleted), recomputes each
descriptor's canonical hash and the evaluation key with the current hash function (so a
migrated study resumes), puts the settings in the current schema (the v1 keyword arguments
under ``"evaluate"``, ``"evaluator": null`` since v1 did not record it), and stamps the
application id and version 2 — all in one transaction: a failed migration leaves the v1 file as it was.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

from nasnb.store.schema import APPLICATION_ID, SCHEMA, SCHEMA_VERSION, V2_COLUMNS, key_from_json

__all__ = ["migrate_v1", "migrate_v2", "is_v1_store"]

_V1_TABLES = {"studies", "evaluations", "checkpoints"}


def is_v1_store(conn: sqlite3.Connection) -> bool:
    """True for a file written by nasnb's schema v1 (its three tables, user_version 1)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return version == 1 and _V1_TABLES <= tables


def _rehash(descriptor_json: str, old_hash: str) -> str:
    try:
        data = json.loads(descriptor_json)
    except ValueError:
        return old_hash
    if isinstance(data, dict) and "layers" in data and "connections" in data:
        from nasnb.descriptors import NeuralDescriptor

        try:
            return NeuralDescriptor.from_json(descriptor_json).canonical_hash()
        except Exception:  # a row we cannot re-read keeps its old hash (it will not be resumed)
            return old_hash
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def migrate_v2(conn: sqlite3.Connection) -> int:
    """Upgrade a v2 store in place (one transaction): the one candidate hash; return rows rehashed."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        updates = []
        for rid, seq, desc_json, old_hash, seed, settings_json in conn.execute(
            "SELECT id, seq, descriptor_json, descriptor_hash, seed, settings_json FROM evaluations "
            "WHERE descriptor_json NOT LIKE '%\"connections\"%'"
        ):
            new_hash = _rehash(desc_json, old_hash)
            if new_hash != old_hash:
                updates.append((new_hash, key_from_json(new_hash, seed, settings_json, seq), rid))
        conn.executemany("UPDATE evaluations SET descriptor_hash=?, key=? WHERE id=?", updates)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return len(updates)


def _v2_settings(settings_json: str) -> str:
    """v1 recorded the call's keyword arguments as the settings; later schemas record
    ``{"evaluator": ..., "evaluate": ...}``. A v1 row knows no evaluator configuration, so it gets
    ``"evaluator": null`` (which the "already done?" rule reads as "not recorded")."""
    try:
        value = json.loads(settings_json)
    except ValueError:
        return settings_json
    if isinstance(value, dict) and set(value) == {"evaluator", "evaluate"}:
        return settings_json
    value = {"evaluate": {} if value is None else value, "evaluator": None}
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def migrate_v1(conn: sqlite3.Connection) -> int:
    """Upgrade a v1 store in place (one transaction); return the number of rows migrated."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        have = {r[1] for r in conn.execute("PRAGMA table_info(evaluations)")}
        for name, sql_type in V2_COLUMNS:
            if name not in have:
                conn.execute(f"ALTER TABLE evaluations ADD COLUMN {name} {sql_type}")
        for statement in SCHEMA.split(";"):
            if statement.strip().upper().startswith("CREATE INDEX"):
                conn.execute(statement)
        rows = conn.execute(
            "SELECT id, study_id, seq, descriptor_json, descriptor_hash, seed, settings_json FROM evaluations"
        ).fetchall()
        checkpoints = {
            (sid, name): value
            for sid, name, value in conn.execute(
                "SELECT study_id, name, value_json FROM checkpoints WHERE name LIKE 'candidate:%'"
            )
        }
        updates = []
        for rid, sid, seq, desc_json, old_hash, seed, settings_json in rows:
            new_hash = _rehash(desc_json, old_hash)
            settings_json = _v2_settings(settings_json)
            saved = checkpoints.get((sid, f"candidate:{seq}"))
            candidate_json, parent = None, None
            if saved is not None:
                value = json.loads(saved)
                candidate_json = json.dumps(value.get("candidate"), sort_keys=True, separators=(",", ":"))
                parent = value.get("parent")
            updates.append(
                (
                    settings_json,
                    new_hash,
                    key_from_json(new_hash, seed, settings_json, seq),
                    candidate_json,
                    parent,
                    seq if saved is not None else None,
                    rid,
                )
            )
        conn.executemany(
            "UPDATE evaluations SET settings_json=?, descriptor_hash=?, key=?, candidate_json=?, "
            "parent=?, arrival=? WHERE id=?",
            updates,
        )
        conn.execute("DELETE FROM checkpoints WHERE name LIKE 'candidate:%'")
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return len(rows)
