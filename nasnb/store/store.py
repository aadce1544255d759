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
nasnb.exceptions.StudyConfigError: Study 're-digits' in ':memory:' already exists with a different configuration (differs in: epochs, strategy). Use another study name or the stored configuration.
>>> store.study_names()
['re-digits']
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from nasnb.exceptions import ParameterError, StoreError, StudyConfigError
from nasnb.store.schema import SCHEMA, SCHEMA_VERSION, canonical_json
from nasnb.store.study import Study

__all__ = ["ExperimentStore"]


def _config_differences(old: Any, new: Any) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new), key=str)
        return [str(k) for k in keys if canonical_json(old.get(k)) != canonical_json(new.get(k))
                or (k in old) != (k in new)]
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

    Raises
    ------
    StoreError
        When the directory of ``path`` does not exist or the file is not a store.
    """

    def __init__(self, path: str | os.PathLike, *, timeout: float = 30.0) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise ParameterError(f"The 'path' parameter of ExperimentStore must be a str or os.PathLike. "
                                 f"Got {path!r} instead.")
        self.path = str(path) if str(path) == ":memory:" else Path(path)
        self.timeout = float(timeout)
        if self.path != ":memory:":
            parent = self.path.expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"Cannot open the experiment store {str(self.path)!r}: its directory "
                                 f"{str(parent)!r} does not exist. Create it first (e.g. os.makedirs).")
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"ExperimentStore({str(self.path)!r})"

    def __reduce__(self):
        raise StoreError(f"ExperimentStore {str(self.path)!r} cannot be pickled or sent to an engine: "
                         "only the client process writes to the store.")

    # ------------------------------------------------------------------ connection
    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        target = self.path if self.path == ":memory:" else str(self.path.expanduser())
        try:
            conn = sqlite3.connect(target, timeout=self.timeout, isolation_level=None,
                                   check_same_thread=False)
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise StoreError(f"{str(self.path)!r} has store schema version {version}; this nasnb "
                                 f"reads version {SCHEMA_VERSION}.")
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot open the experiment store {str(self.path)!r}: {exc}") from exc
        self._conn, self._pid = conn, os.getpid()
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error), serialised by a lock."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"The experiment store {str(self.path)!r} is locked: {exc}") from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.DatabaseError as exc:
                    raise StoreError(f"Cannot write to the experiment store {str(self.path)!r}: {exc}") from exc

    def close(self) -> None:
        """Close the connection (a later call reopens it)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __enter__(self) -> "ExperimentStore":
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
        with self._transaction() as conn:
            row = conn.execute("SELECT id, config_json FROM studies WHERE name=?", (name,)).fetchone()
            if row is None:
                cur = conn.execute("INSERT INTO studies (name, config_json, created) VALUES (?,?,?)",
                                   (name, text, time.time()))
                return Study(self, cur.lastrowid, name, json.loads(text))
        if not load_if_exists:
            raise StudyConfigError(f"Study {name!r} already exists in {str(self.path)!r} and "
                                   "load_if_exists=False.")
        if row[1] != text:
            diff = ", ".join(_config_differences(json.loads(row[1]), json.loads(text)))
            raise StudyConfigError(f"Study {name!r} in {str(self.path)!r} already exists with a different "
                                   f"configuration (differs in: {diff}). Use another study name or the "
                                   "stored configuration.")
        return Study(self, row[0], name, json.loads(row[1]))

    def load_study(self, name: str) -> Study:
        """Open an existing study with its stored configuration."""
        row = self._connection().execute("SELECT id, config_json FROM studies WHERE name=?", (name,)).fetchone()
        if row is None:
            known = ", ".join(repr(n) for n in self.study_names()) or "none"
            raise StoreError(f"No study named {name!r} in {str(self.path)!r} (studies: {known}).")
        return Study(self, row[0], name, json.loads(row[1]))

    def study_names(self) -> list[str]:
        """Names of the studies in this store, oldest first."""
        return [r[0] for r in self._connection().execute("SELECT name FROM studies ORDER BY id")]

    def delete_study(self, name: str) -> None:
        """Remove a study with all its evaluations and checkpoints."""
        study = self.load_study(name)
        with self._transaction() as conn:
            conn.execute("DELETE FROM evaluations WHERE study_id=?", (study.id,))
            conn.execute("DELETE FROM checkpoints WHERE study_id=?", (study.id,))
            conn.execute("DELETE FROM studies WHERE id=?", (study.id,))
