"""The call history in SQLite: add, list (filtered and searched), delete one, clear all;
and how many missed calls the user has not seen yet."""

from __future__ import annotations

import builtins
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from parley.history.db import Database, like_pattern
from parley.history.model import CallType, Direction, HistoryEntry

log = logging.getLogger(__name__)

FILE_NAME = "history.sqlite3"

# Append only: each script takes the schema from the previous version to the next.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE calls (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        direction TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        type      TEXT    NOT NULL,
        number    TEXT    NOT NULL,
        name      TEXT,
        account   TEXT    NOT NULL,
        start     REAL    NOT NULL,  -- seconds since the epoch, UTC
        duration  REAL    NOT NULL DEFAULT 0,
        sip_code  INTEGER,
        reason    TEXT    NOT NULL DEFAULT '',
        uri       TEXT    NOT NULL DEFAULT ''
    );
    CREATE INDEX calls_by_start ON calls (start DESC);
    CREATE INDEX calls_by_number ON calls (number);
    """,
    # 2: how far the user has seen the missed calls (the newest entry id seen), so that
    # a count of missed calls survives a restart only until they are seen. Calls that
    # are already there when this is added count as seen.
    """
    CREATE TABLE marks (
        name  TEXT    PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO marks (name, value)
        SELECT 'missed_seen', COALESCE(MAX(id), 0) FROM calls;
    """,
)

_MISSED_SEEN = "missed_seen"

_COLUMNS = "id, direction, type, number, name, account, start, duration, sip_code, reason, uri"


class HistoryStore:
    """The call history of one user. Safe to use from several threads.

    `path` is a file (created with its folder when missing) or ":memory:" for tests.
    Every method raises `StoreError` (from `parley.history.db`) when the file cannot be
    used.
    """

    def __init__(self, path: Path | str) -> None:
        self._db = Database(path, MIGRATIONS, what="call history")

    @property
    def path(self) -> Path | str:
        return self._db.path

    def close(self) -> None:
        self._db.close()

    def add(self, entry: HistoryEntry) -> HistoryEntry:
        """Store `entry` (its `id` is ignored) and return it with its new id."""
        start = entry.start if entry.start.tzinfo else entry.start.replace(tzinfo=UTC)
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO calls (direction, type, number, name, account, start, duration,"
                " sip_code, reason, uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    Direction(entry.direction).value,
                    CallType(entry.type).value,
                    entry.number,
                    entry.name,
                    entry.account,
                    start.timestamp(),
                    max(0.0, float(entry.duration)),
                    entry.sip_code,
                    entry.reason,
                    entry.uri,
                ),
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return _replace_id(entry, new_id, start)

    def get(self, entry_id: int) -> HistoryEntry | None:
        row = self._db.query_one(f"SELECT {_COLUMNS} FROM calls WHERE id = ?", (entry_id,))
        return _entry(row) if row is not None else None

    def list(
        self,
        *,
        types: CallType | Iterable[CallType] | None = None,
        search: str = "",
        account: str | None = None,
        number: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[HistoryEntry]:
        """Entries newest first.

        `types` keeps only those call types; `search` matches any part of the number,
        the name or the address (case-insensitive for ASCII letters); `account` and
        `number` match exactly.
        """
        where: builtins.list[str] = []
        params: builtins.list[object] = []
        if types is not None:
            wanted = (
                [CallType(types).value]
                if isinstance(types, str)
                else [CallType(t).value for t in types]
            )
            if not wanted:
                return []
            where.append(f"type IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        if search.strip():
            pattern = like_pattern(search.strip())
            where.append(
                "(number LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR uri LIKE ? ESCAPE '\\')"
            )
            params.extend([pattern] * 3)
        if account is not None:
            where.append("account = ?")
            params.append(account)
        if number is not None:
            where.append("number = ?")
            params.append(number)
        sql = f"SELECT {_COLUMNS} FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY start DESC, id DESC LIMIT ? OFFSET ?"
        params.extend([-1 if limit is None else limit, offset])
        entries = []
        for row in self._db.query(sql, params):
            entry = _entry(row)
            if entry is not None:
                entries.append(entry)
        return entries

    def count(self) -> int:
        row = self._db.query_one("SELECT COUNT(*) FROM calls")
        return int(row[0]) if row is not None else 0

    def unseen_missed(self) -> int:
        """How many missed calls came after the user last saw the missed calls."""
        row = self._db.query_one(
            "SELECT COUNT(*) FROM calls WHERE type = ? AND id >"
            " COALESCE((SELECT value FROM marks WHERE name = ?), 0)",
            (CallType.MISSED.value, _MISSED_SEEN),
        )
        return int(row[0]) if row is not None else 0

    def mark_missed_seen(self) -> None:
        """The user has seen every call stored so far: `unseen_missed` is 0 until the
        next missed call."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO marks (name, value) SELECT ?, COALESCE(MAX(id), 0) FROM calls"
                " WHERE true ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
                (_MISSED_SEEN,),
            )

    def delete(self, entry_id: int) -> bool:
        """Delete one entry; False when there was none with that id."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM calls WHERE id = ?", (entry_id,)).rowcount > 0

    def delete_many(self, entry_ids: Iterable[int]) -> int:
        ids = [(i,) for i in entry_ids]
        with self._db.transaction() as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM calls WHERE id = ?", ids)
            return conn.total_changes - before

    def clear(self) -> int:
        """Delete the whole history; returns how many entries there were."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM calls").rowcount


def _replace_id(entry: HistoryEntry, new_id: int, start: datetime) -> HistoryEntry:
    return replace(entry, id=new_id, start=start.astimezone(UTC))


def _entry(row: sqlite3.Row) -> HistoryEntry | None:
    try:
        kind = CallType(row["type"])
        direction = Direction(row["direction"])
    except ValueError:
        # Written by a newer Parley with a type this one does not know: leave it alone.
        log.warning("history entry %s has an unknown type %r; not shown", row["id"], row["type"])
        return None
    return HistoryEntry(
        id=int(row["id"]),
        direction=direction,
        type=kind,
        number=row["number"],
        name=row["name"],
        account=row["account"],
        start=datetime.fromtimestamp(float(row["start"]), UTC),
        duration=float(row["duration"]),
        sip_code=row["sip_code"],
        reason=row["reason"],
        uri=row["uri"],
    )
