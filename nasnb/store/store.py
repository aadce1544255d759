"""``ExperimentStore``: every study of a project in one SQLite file the user names.

The client process is the only writer (engines return results; the client records
them). The database runs in WAL mode so that notebooks and dashboards can read it while a
search writes. Writes happen in short ``BEGIN IMMEDIATE`` transactions; bulk writes use
``executemany`` (tens of thousands of rows per second).

Examples
--------
>>> store = ExperimentStore(":memory:")
>>> study = store.create_study("re-digits", {"strategy": "regularized_evolution", "epochs": 1})
>>> store.create_study("re-digits", {"strategy": "regularized_evolution", "epochs": 1}).id == study.id
True
>>> store.create_study("re-digits", {"epochs": 2})
Traceback (most recent call last):
...
nasnb.exceptions.StudyConfigError: Study 're-digits' in ':memory:' already exists with a different configuration ...
>>> store.study_names()
['re-digits']
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nasnb._json import loads
from nasnb.exceptions import ParameterError, StoreError, StudyConfigError
from nasnb.store import opening
from nasnb.store.schema import (
    APPLICATION_ID,
    FINAL_STATUSES,
    FINISHED_SQL,
    SCHEMA,
    SCHEMA_VERSION,
    UPSERT,
    canonical_json,
)
from nasnb.store.study import Study

__all__ = ["ExperimentStore"]


def _config_differences(old: Any, new: Any) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new), key=str)
        return [
            str(k) for k in keys if canonical_json(old.get(k)) != canonical_json(new.get(k)) or (k in old) != (k in new)
        ]
    return ["<whole configuration>"]


class ExperimentStore:
    """A SQLite file holding studies, their evaluations and checkpoints.

    Parameters
    ----------
    path : str or os.PathLike
        The database file (created on first use; its directory must exist), or
        ``":memory:"`` for a throw-away store.
    timeout : float, optional
        Seconds to wait for a lock held by another connection.
    read_only : bool, default False
        Open an existing store for reading only (e.g. on a read-only share); writes raise
        :class:`~nasnb.exceptions.StoreError`.
    checkpoint_every : float, default 30
        Seconds between write-ahead-log checkpoints while recording (see Notes).
    group_commit : int, default 1
        Evaluations a search records per transaction. 1 (the default) commits each result as
        it arrives. A larger value is for very fast searches (table look-ups, microseconds per
        evaluation): rows wait in memory until ``group_commit`` of them are written together
        (and at the end of every ``run``, on :meth:`flush`, on any read of the study and on
        :meth:`close`), so a killed client loses at most ``group_commit - 1`` evaluations,
        which a resumed search evaluates again (with the same seeds, so the same results).

    Notes
    -----
    **Durability.** The store runs SQLite in WAL mode with ``synchronous=NORMAL``: each
    evaluation is one committed transaction, appended to the ``-wal`` file beside the store,
    and survives a crash of the process (a killed kernel, client or engine). A commit is
    not synced to disk, so a power loss can lose the last commits; ``synchronous=FULL``
    would cost one ``fsync`` (milliseconds) per evaluation. Committed rows move into the main
    file at a checkpoint: every ``checkpoint_every`` seconds while recording, whenever the
    WAL reaches 1000 pages (SQLite's automatic checkpoint) and on :meth:`close`. Deleting or
    truncating the ``-wal`` file of a store that was not closed loses the rows committed
    since the last checkpoint: at most ``checkpoint_every`` seconds of work (measured and
    tested in ``tests/store/test_store_integrity.py``).

    Raises
    ------
    StoreError
        When the directory of ``path`` does not exist or the file is not a store.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        timeout: float = 30.0,
        read_only: bool = False,
        checkpoint_every: float = 30.0,
        group_commit: int = 1,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise ParameterError(
                f"The 'path' parameter of ExperimentStore must be a str or os.PathLike. Got {path!r} instead."
            )
        self.path = str(path) if str(path) == ":memory:" else Path(path)
        self.timeout = float(timeout)
        self.read_only = bool(read_only)
        if (
            not isinstance(checkpoint_every, (int, float))
            or isinstance(checkpoint_every, bool)
            or not checkpoint_every > 0
        ):
            raise ParameterError(
                "The 'checkpoint_every' parameter of ExperimentStore must be a positive number "
                f"of seconds. Got {checkpoint_every!r} instead."
            )
        self.checkpoint_every = float(checkpoint_every)
        if isinstance(group_commit, bool) or not isinstance(group_commit, int) or group_commit < 1:
            raise ParameterError(
                f"The 'group_commit' parameter of ExperimentStore must be a positive int. Got {group_commit!r} instead."
            )
        self.group_commit = group_commit
        self._pending_rows: list[tuple] = []  # held rows (group_commit) ...
        self._pending_replaced: list[tuple] = []  # ... and held rows that replace a stored evaluation
        if isinstance(self.path, Path):
            parent = self.path.expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(
                    f"Cannot open the experiment store {str(self.path)!r}: its directory "
                    f"{str(parent)!r} does not exist. Create it first (e.g. os.makedirs)."
                )
            if self.read_only and not self.path.expanduser().is_file():
                raise StoreError(
                    f"Cannot open the experiment store {str(self.path)!r} read-only: the file does not exist."
                )
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()
        # the next interval checkpoint (never for ":memory:", which has no write-ahead log)
        self._next_checkpoint = math.inf if self.path == ":memory:" else time.monotonic() + self.checkpoint_every

    def __repr__(self) -> str:
        return f"ExperimentStore({str(self.path)!r})"

    def __reduce__(self):
        raise StoreError(
            f"ExperimentStore {str(self.path)!r} cannot be pickled or sent to an engine: "
            "only the client process writes to the store."
        )

    # ------------------------------------------------------------------ connection
    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        if not isinstance(self.path, Path):  # ":memory:"
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        else:
            conn = opening.open_store(self.path.expanduser(), timeout=self.timeout, read_only=self.read_only)
        self._conn, self._pid = conn, os.getpid()
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error), serialised by a lock.

        Part of the small interface a :class:`~nasnb.store.Study` uses (with :meth:`reading`,
        :meth:`write_rows` and :meth:`flush`); nothing else reaches into the store.
        """
        self._writable()
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise opening.write_error(self.path, exc) from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.DatabaseError as exc:
                    raise opening.write_error(self.path, exc) from exc
                self._maybe_checkpoint()

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"The experiment store {str(self.path)!r} was opened read-only; open it with "
                "ExperimentStore(path) (read_only=False) in a writable location to record."
            )

    def _maybe_checkpoint(self) -> None:
        if time.monotonic() > self._next_checkpoint:
            self.checkpoint(truncate=False)

    def write_rows(self, rows: Sequence[tuple], *, overwrite: bool = False, hold: bool = False) -> None:
        """The one write path of evaluation rows (built by :func:`~nasnb.store.schema.evaluation_row`).

        All ``rows`` are written in one transaction (a single row as one autocommit statement).
        A final row is never replaced: writing an evaluation that is already recorded raises
        :class:`StoreError` and writes nothing of the call, unless ``overwrite``, which first
        deletes every row of the same sequence indices. ``hold=True`` (the study recorder) lets
        ``group_commit`` rows wait in memory and go together (see the class docstring).
        """
        rows = list(rows)
        if not rows:
            return
        if hold and self.group_commit > 1:
            (self._pending_replaced if overwrite else self._pending_rows).extend(rows)
            if len(self._pending_rows) + len(self._pending_replaced) >= self.group_commit:
                self.flush()
            return
        self.flush()
        if len(rows) == 1 and not overwrite:
            self._writable()
            with self._lock:  # one statement in autocommit mode: its own transaction, one round trip
                conn = self._connection()
                try:
                    cur = conn.execute(UPSERT, rows[0])
                except sqlite3.OperationalError as exc:
                    raise opening.write_error(self.path, exc) from exc
                if cur.rowcount == 0:
                    raise self._duplicate(rows[0])
                self._maybe_checkpoint()
            return
        with self.transaction() as conn:
            self._write(conn, rows, overwrite, explain=True)

    def _write(self, conn: sqlite3.Connection, rows: list[tuple], overwrite: bool, explain: bool = False) -> None:
        if overwrite:  # the evaluation of these sequence indices is replaced, whatever it was
            conn.executemany("DELETE FROM evaluations WHERE study_id=? AND seq=?", [(r[0], r[2]) for r in rows])
        elif explain:  # name the evaluation already recorded (held-back rows rely on the count below)
            self._refuse_duplicates(conn, rows)
        before = conn.total_changes
        conn.executemany(UPSERT, rows)
        if conn.total_changes - before < len(rows):
            raise StoreError(
                "An evaluation of this batch is already recorded; an evaluation is never recorded "
                "twice (pass overwrite=True to replace it)."
            )

    def _duplicate(self, row: tuple) -> StoreError:
        return StoreError(
            f"Evaluation seq={row[2]} (key {row[1]}) of study {self._study_name(row[0])!r} is "
            "already recorded; an evaluation is never recorded twice (pass overwrite=True to "
            "replace it)."
        )

    def _study_name(self, study_id: int) -> str:
        found = self._connection().execute("SELECT name FROM studies WHERE id=?", (study_id,)).fetchone()
        return f"#{study_id}" if found is None else found[0]

    def _refuse_duplicates(self, conn: sqlite3.Connection, rows: list[tuple]) -> None:
        final = [(r[0], r[1]) for r in rows if r[7] in FINAL_STATUSES]
        if len(set(final)) != len(final):
            raise StoreError(
                f"The same evaluation appears twice in one batch for study {self._study_name(rows[0][0])!r}."
            )
        by_study: dict[int, list[str]] = {}
        for sid, key in final:
            by_study.setdefault(sid, []).append(key)
        for sid, keys in by_study.items():
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                hit = conn.execute(
                    f"SELECT seq, key, status FROM evaluations WHERE study_id=? AND key IN ({marks}) "
                    f"AND status IN {FINISHED_SQL} LIMIT 1",
                    (sid, *chunk),
                ).fetchone()
                if hit:
                    raise StoreError(
                        f"Evaluation seq={hit[0]} (key {hit[1]}) of study {self._study_name(sid)!r} "
                        f"is already recorded as {hit[2]!r}; an evaluation is never recorded twice "
                        "(pass overwrite=True to replace it)."
                    )

    def flush(self) -> None:
        """Write the rows that ``group_commit`` holds back (one transaction)."""
        if not self._pending_rows and not self._pending_replaced:
            return
        pending, self._pending_rows = self._pending_rows, []
        replaced, self._pending_replaced = self._pending_replaced, []
        with self.transaction() as conn:
            if replaced:
                self._write(conn, replaced, True)
            if pending:
                self._write(conn, pending, False)

    def check_integrity(self) -> str:
        """Run SQLite's ``quick_check`` on the whole file now; ``"ok"``, else :class:`StoreError`.

        Opening runs it only on files up to ``nasnb.store.opening.CHECK_ON_OPEN_BYTES`` (its cost
        grows with the file); call this for a large store you suspect (after a disk error).
        """
        if self.path == ":memory:":
            return "ok"
        with self._lock:
            conn = self._connection()
            try:
                return opening.quick_check(conn, self.path)
            except StoreError:
                self._conn = None
                raise

    def checkpoint(self, *, truncate: bool = True) -> None:
        """Copy the write-ahead log into the main file (what :meth:`close` and the interval timer do).

        After a checkpoint every committed row lives in the main ``.sqlite`` file, so losing
        the ``-wal`` file (a crash of the disk or a careless clean-up) can no longer lose it.
        """
        if self.path == ":memory:" or self.read_only:
            return
        with self._lock:
            conn = self._connection()
            mode = "TRUNCATE" if truncate else "PASSIVE"
            try:
                conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            except sqlite3.DatabaseError as exc:
                raise opening.write_error(self.path, exc) from exc
            self._next_checkpoint = time.monotonic() + self.checkpoint_every

    def close(self) -> None:
        """Write held-back rows, checkpoint the write-ahead log into the main file and close."""
        self.flush()
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                try:
                    self.checkpoint()
                except StoreError:  # a busy reader can block TRUNCATE; the WAL then stays, nothing is lost
                    pass
                self._conn.close()
            self._conn = None

    def __enter__(self) -> ExperimentStore:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ studies
    def create_study(self, name: str, config: Any = None, *, load_if_exists: bool = True) -> Study:
        """Create the study ``name`` with ``config``, or re-open it (resuming) if it exists.

        Parameters
        ----------
        name : str
            Unique study name inside this store.
        config : JSON value, optional
            Everything that defines the study (strategy, space, evaluator, budget, seed).
            Re-opening must give an equal configuration.
        load_if_exists : bool
            When False, an existing study of that name is an error.

        Raises
        ------
        StudyConfigError
            The name exists with a different configuration (never a silent mix).
        """
        if not isinstance(name, str) or not name:
            raise ParameterError(f"The 'name' parameter of create_study must be a non-empty str. Got {name!r} instead.")
        config = {} if config is None else config
        text = canonical_json(config, what="config", func="create_study")
        with self.transaction() as conn:
            row = conn.execute("SELECT id, config_json FROM studies WHERE name=?", (name,)).fetchone()
            if row is None:
                cur = conn.execute(
                    "INSERT INTO studies (name, config_json, created) VALUES (?,?,?)", (name, text, time.time())
                )
                return Study(self, int(cur.lastrowid or 0), name, json.loads(text))  # checked by canonical_json
        if not load_if_exists:
            raise StudyConfigError(f"Study {name!r} already exists in {str(self.path)!r} and load_if_exists=False.")
        if row[1] != text:
            diff = ", ".join(_config_differences(self._config(name, row[1]), json.loads(text)))
            raise StudyConfigError(
                f"Study {name!r} in {str(self.path)!r} already exists with a different "
                f"configuration (differs in: {diff}). Use another study name or the "
                "stored configuration."
            )
        return Study(self, row[0], name, self._config(name, row[1]))

    def _config(self, name: str, text: str) -> Any:
        """A study's stored configuration, decoded (a crafted one is a StoreError naming the study)."""
        return loads(text, what=f"Study {name!r} in {str(self.path)!r}: its configuration", error=StoreError)

    @contextlib.contextmanager
    def reading(self, *also: type) -> Iterator[sqlite3.Connection]:
        """A connection for reads (held-back rows written first).

        Damage found while reading (``sqlite3`` errors, undecodable text or JSON, and the exception
        types ``also`` names) becomes a StoreError naming the file."""
        self.flush()
        conn = self._connection()
        caught: tuple[type[BaseException], ...] = (
            sqlite3.DatabaseError,
            UnicodeDecodeError,
            ValueError,
            TypeError,
            *also,
        )
        try:
            yield conn
        except caught as exc:
            if isinstance(exc, StoreError):
                raise
            raise opening.damaged(self.path, exc) from exc

    def load_study(self, name: str) -> Study:
        """Open an existing study with its stored configuration."""
        with self.reading() as conn:
            row = conn.execute("SELECT id, config_json FROM studies WHERE name=?", (name,)).fetchone()
            config = None if row is None else self._config(name, row[1])
        if row is None:
            known = ", ".join(repr(n) for n in self.study_names()) or "none"
            raise StoreError(f"No study named {name!r} in {str(self.path)!r} (studies: {known}).")
        return Study(self, row[0], name, config)

    def study_names(self) -> list[str]:
        """Names of the studies in this store, oldest first."""
        with self.reading() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM studies ORDER BY id")]

    def archive_study(self, name: str) -> str:
        """Move every evaluation and checkpoint of study ``name`` into a new archived study; return its name.

        The study ``name`` keeps its configuration and starts empty; nothing is deleted. The
        archive is named ``"<name>~archived-<k>"`` (the first free ``k``), holds the same
        configuration and can be opened with :meth:`load_study` like any study. This is what
        ``on_mismatch="archive"`` of :meth:`nasnb.strategies.Strategy.run` does when a study
        is run with other settings than it recorded.

        Examples
        --------
        >>> from nasnb.results import EvaluationResult
        >>> store = ExperimentStore(":memory:")
        >>> study = store.create_study("s")
        >>> _ = study.add_evaluation({"a": 1}, EvaluationResult(0.1, {}, 1.0, 0.9), seq=0)
        >>> store.archive_study("s"), len(study), len(store.load_study("s~archived-1"))
        ('s~archived-1', 0, 1)
        """
        study = self.load_study(name)
        with self.transaction() as conn:
            taken = {r[0] for r in conn.execute("SELECT name FROM studies WHERE name LIKE ?", (f"{name}~archived-%",))}
            k = 1
            while f"{name}~archived-{k}" in taken:
                k += 1
            archived = f"{name}~archived-{k}"
            config = conn.execute("SELECT config_json FROM studies WHERE id=?", (study.id,)).fetchone()[0]
            new_id = conn.execute(
                "INSERT INTO studies (name, config_json, created) VALUES (?,?,?)", (archived, config, time.time())
            ).lastrowid
            conn.execute("UPDATE evaluations SET study_id=? WHERE study_id=?", (new_id, study.id))
            conn.execute("UPDATE checkpoints SET study_id=? WHERE study_id=?", (new_id, study.id))
        return archived

    def delete_study(self, name: str) -> None:
        """Remove a study with all its evaluations and checkpoints."""
        study = self.load_study(name)
        with self.transaction() as conn:
            conn.execute("DELETE FROM evaluations WHERE study_id=?", (study.id,))
            conn.execute("DELETE FROM checkpoints WHERE study_id=?", (study.id,))
            conn.execute("DELETE FROM studies WHERE id=?", (study.id,))
