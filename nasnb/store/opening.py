"""Opening a store file safely: refuse what is not a nasnb store, find damage, explain locations.

:func:`open_store` checks, before anything is written:

* the file is a SQLite database, else :class:`StoreError` naming it (SQLite itself reads the
  header: opening the file with another descriptor would drop SQLite's locks in this process);
* it is a nasnb store: ``PRAGMA application_id`` is :data:`~nasnb.store.schema.APPLICATION_ID`
  (a v2 store is migrated to v3 in one transaction), or it is a v1 nasnb store (migrated to v3
  in one transaction), or it is empty. Another
  application's SQLite file is refused, never adopted (nasnb would otherwise add its tables
  and switch the file to WAL);
* ``PRAGMA quick_check`` passes (on files up to :data:`CHECK_ON_OPEN_BYTES`; a larger file is
  checked on demand, so a million-row study opens in well under a second), else a
  :class:`StoreError` names the file and how to save what is readable;
* the location is writable (or ``read_only=True`` was asked for), else the error says so.

Examples
--------
>>> import os, sqlite3, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "other.db")
>>> with sqlite3.connect(path) as c:
...     _ = c.execute("CREATE TABLE invoices (id INTEGER)")
>>> try:
...     open_store(path)
... except StoreError as exc:
...     print("another application (tables: invoices" in str(exc))
True
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from nasnb.exceptions import StoreError
from nasnb.store.migrate import is_v1_store, migrate_v1, migrate_v2
from nasnb.store.schema import APPLICATION_ID, SCHEMA, SCHEMA_VERSION

__all__ = ["open_store", "quick_check", "write_error", "damaged", "CHECK_ON_OPEN_BYTES"]

_RECOVER = (
    "To save what is readable: `sqlite3 {path} .recover | sqlite3 recovered.sqlite` (the sqlite3 "
    "command-line tool), then open recovered.sqlite with nasnb; keep the damaged file until then."
)


def _check_path(path: Path) -> None:
    """Refuse a directory or an unreadable file by name (``stat`` only: no file descriptor is opened,
    since closing one would drop the POSIX locks SQLite holds on the same file in this process)."""
    if path.is_dir():
        raise StoreError(f"Cannot open the experiment store {str(path)!r}: it is a directory.")
    if path.exists() and not os.access(path, os.R_OK):
        raise StoreError(f"Cannot open the experiment store {str(path)!r}: permission to read it was denied.")


def _writable(path: Path) -> bool:
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return os.access(path.parent, os.W_OK)


def _read_only_hint(path: Path) -> str:
    return (
        f"The experiment store {str(path)!r} is in a read-only location (the file or its directory "
        "{dir!r} cannot be written; SQLite also needs to create the -wal and -shm files beside it). "
        "Open it with ExperimentStore(path, read_only=True) to read it, or copy it to a writable "
        "directory to record into it."
    ).replace("{dir!r}", repr(str(path.parent)))


def write_error(path, exc: BaseException) -> StoreError:
    """A :class:`StoreError` explaining a failed write (locked, read-only, full disk, damage)."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return StoreError(_read_only_hint(Path(str(path))))
    if "locked" in text or "busy" in text:
        return StoreError(f"The experiment store {str(path)!r} is locked by another process: {exc}.")
    if "malformed" in text or "not a database" in text:
        return damaged(path, exc)
    return StoreError(f"Cannot write to the experiment store {str(path)!r}: {exc}")


def open_store(path, *, timeout: float = 30.0, read_only: bool = False) -> sqlite3.Connection:
    """Open (creating or migrating) the store at ``path``; see the module docstring."""
    path = Path(path)
    _check_path(path)
    if not read_only and not _writable(path):
        raise StoreError(_read_only_hint(path))
    try:
        if read_only:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            except sqlite3.OperationalError:  # WAL needs a writable -shm: read the file as immutable
                conn.close()
                conn = sqlite3.connect(
                    f"{path.resolve().as_uri()}?immutable=1",
                    uri=True,
                    timeout=timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
        else:
            conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
        _identify(conn, path, read_only)
        if not path.exists() or path.stat().st_size <= CHECK_ON_OPEN_BYTES:
            quick_check(conn, path)
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                conn.executescript(SCHEMA)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "file is not a database" in text:
            raise StoreError(
                f"{str(path)!r} is not an experiment store: it is not a SQLite database. Pick another file name."
            ) from exc
        if "readonly" in text or "unable to open" in text:
            raise StoreError(_read_only_hint(path)) from exc
        raise StoreError(
            f"The experiment store {str(path)!r} cannot be read: {exc}. " + _RECOVER.format(path=str(path))
        ) from exc
    return conn


#: Files up to this size get SQLite's ``quick_check`` on every open (milliseconds); a larger one
#: (its check grows with the file: 4.4 s at 1,000,000 rows) is checked on demand with
#: :meth:`nasnb.store.ExperimentStore.check_integrity`, and damage met while reading is still a
#: StoreError naming the file.
CHECK_ON_OPEN_BYTES = 32 * 2**20


def quick_check(conn: sqlite3.Connection, path) -> str:
    """Run SQLite's ``quick_check``; raise :class:`StoreError` naming the file when it finds damage."""
    try:
        check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except UnicodeDecodeError as exc:  # damage in the schema's text
        check = f"unreadable text ({exc})"
    except sqlite3.DatabaseError as exc:
        check = str(exc)
    if check != "ok":
        conn.close()
        raise StoreError(
            f"The experiment store {str(path)!r} is damaged (SQLite's quick_check: {check}). "
            + _RECOVER.format(path=str(path))
        )
    return check


def _identify(conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app == APPLICATION_ID:
        if version == SCHEMA_VERSION:
            return
        if version == 2:  # same tables; the one candidate hash is recomputed (read-only: read as it is)
            if not read_only:
                migrate_v2(conn)
            return
        raise StoreError(
            f"{str(path)!r} has store schema version {version}; this nasnb reads version "
            f"{SCHEMA_VERSION}. Upgrade nasnb to open it."
        )
    if app == 0 and is_v1_store(conn):
        if read_only:
            raise StoreError(
                f"{str(path)!r} is a nasnb store of schema version 1; open it once with "
                "ExperimentStore(path) (not read-only) to migrate it to version 2."
            )
        migrate_v1(conn)
        return
    tables = sorted(
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    )
    if app == 0 and version == 0 and not tables:
        if read_only:
            raise StoreError(f"{str(path)!r} is an empty file, not an experiment store.")
        return
    conn.close()
    raise StoreError(
        f"{str(path)!r} is a SQLite database of another application (tables: "
        f"{', '.join(tables) or 'none'}; application id {app}); nasnb refuses to adopt it. "
        "Pick another file name for the experiment store."
    )


def damaged(path, exc: BaseException) -> StoreError:
    """The :class:`StoreError` for a store found damaged while reading it."""
    return StoreError(
        f"The experiment store {str(path)!r} is damaged ({type(exc).__name__}: {exc}). "
        + _RECOVER.format(path=str(path))
    )
