"""A small SQLite wrapper shared by the user-data stores (history, contacts).

Why one connection behind a lock: the GUI thread reads and the engine thread writes, and
each statement is short; one serialised connection is simpler than a connection per
thread and can be closed deterministically. WAL lets another Parley process (the console
next to the GUI) read while we write. ``synchronous=NORMAL`` in WAL mode does not fsync on
every commit, so a write on the engine thread never waits for the disk.

Schema versions: the table ``schema_version`` holds one row with the number of applied
migrations; each migration is an SQL script applied in its own transaction.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MEMORY = ":memory:"


class StoreError(Exception):
    """A store cannot be opened, read or written; the message names the file and what to do."""


class Database:
    """One SQLite file with migrations applied, safe to use from several threads."""

    def __init__(self, path: Path | str, migrations: Sequence[str], *, what: str) -> None:
        self.path = path if path == MEMORY else Path(path)
        self.what = what
        self._lock = threading.RLock()
        try:
            if isinstance(self.path, Path):
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path), timeout=5.0, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Cannot open the {what} at {self.path}: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(migrations)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(
                f"The {what} at {self.path} cannot be used ({exc}); it is not a Parley "
                "database or it is damaged — move the file away and Parley starts a new one"
            ) from exc

    @property
    def version(self) -> int:
        row = self.query_one("SELECT version FROM schema_version")
        return int(row[0]) if row is not None else 0

    def _migrate(self, migrations: Sequence[str]) -> None:
        with self._lock:
            conn = self._conn
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
                current = 0
            else:
                current = int(row[0])
            if current > len(migrations):
                raise StoreError(
                    f"The {self.what} at {self.path} was written by a newer Parley "
                    f"(schema {current}, this version knows {len(migrations)}); "
                    "update Parley to use it"
                )
            for number, script in enumerate(migrations[current:], start=current + 1):
                try:
                    conn.executescript(
                        f"BEGIN;\n{script}\n;UPDATE schema_version SET version = {number};\nCOMMIT;"
                    )
                except sqlite3.Error:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                log.info("%s %s: schema migrated to version %d", self.what, self.path, number)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements atomically; the lock is held for the whole transaction."""
        with self._lock:
            self._check_open()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot write the {self.what} at {self.path}: {exc}") from exc
            try:
                yield self._conn
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"Cannot write the {self.what} at {self.path}: {exc}") from exc
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"Cannot write the {self.what} at {self.path}: {exc}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            self._check_open()
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot read the {self.what} at {self.path}: {exc}") from exc

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def _check_open(self) -> None:
        if self._conn is None:
            raise StoreError(f"The {self.what} at {self.path} is closed")

    @property
    def closed(self) -> bool:
        return self._conn is None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally
    (use with ``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
