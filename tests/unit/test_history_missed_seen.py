"""The history store remembers how far the missed calls were seen (schema version 2)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from parley.history.model import CallType, Direction, HistoryEntry
from parley.history.store import HistoryStore


def call(kind: CallType, number: str = "1002") -> HistoryEntry:
    return HistoryEntry(
        direction=kind.direction,
        type=kind,
        number=number,
        name=None,
        account="office",
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )


def test_missed_calls_count_until_seen_and_stay_seen_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    assert store.unseen_missed() == 0
    store.add(call(CallType.MISSED))
    store.add(call(CallType.ACCEPTED_INCOMING))
    store.add(call(CallType.MISSED, "1003"))
    assert store.unseen_missed() == 2
    store.mark_missed_seen()
    assert store.unseen_missed() == 0
    store.close()

    store = HistoryStore(path)  # a restart: the seen calls stay seen
    assert store.unseen_missed() == 0
    store.add(call(CallType.MISSED))
    assert store.unseen_missed() == 1
    store.close()
    store = HistoryStore(path)  # … and an unseen one stays unseen
    assert store.unseen_missed() == 1
    store.close()


def test_clearing_the_history_does_not_bring_back_seen_calls(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(call(CallType.MISSED))
    store.mark_missed_seen()
    store.clear()
    store.mark_missed_seen()  # on an empty history: the mark does not go back
    store.add(call(CallType.MISSED))
    assert store.unseen_missed() == 1
    store.close()


def test_missed_calls_of_an_older_history_count_as_seen(tmp_path: Path) -> None:
    """A history file of schema 1 (before the mark existed) gets it without a count."""
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);"
        "INSERT INTO schema_version VALUES (1);"
        "CREATE TABLE calls (id INTEGER PRIMARY KEY AUTOINCREMENT, direction TEXT NOT NULL,"
        " type TEXT NOT NULL, number TEXT NOT NULL, name TEXT, account TEXT NOT NULL,"
        " start REAL NOT NULL, duration REAL NOT NULL DEFAULT 0, sip_code INTEGER,"
        " reason TEXT NOT NULL DEFAULT '', uri TEXT NOT NULL DEFAULT '');"
        "INSERT INTO calls (direction, type, number, account, start)"
        " VALUES ('incoming', 'missed', '1002', 'office', 0);"
    )
    conn.commit()
    conn.close()
    store = HistoryStore(path)
    assert [e.type for e in store.list()] == [CallType.MISSED]
    assert store.unseen_missed() == 0
    store.add(call(CallType.MISSED))
    assert store.unseen_missed() == 1
    assert Direction.INCOMING is CallType.MISSED.direction
    store.close()
