"""Instant-message conversations in SQLite: add, delivery state, one conversation, the
list of conversations with unread counts, search, mark read.

The same kind of file as the call history (`parley.history.db`: WAL, one connection
behind a lock, so the GUI thread reads while the engine thread writes; schema versions).
A file that is not ours — not SQLite, damaged, or another program's database — is never
written to: opening it raises `StoreError` naming the file and what to do.

Search is case-insensitive for every script: each row keeps its text case-folded beside
it, and LIKE (with its wildcards escaped) runs on that.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from parley.history.db import MEMORY, Database, StoreError, like_pattern
from parley.messages.model import (
    RECEIVED,
    ConversationInfo,
    Direction,
    StoredMessage,
    normalise_peer,
)

__all__ = ["FILE_NAME", "MIGRATIONS", "MessageStore"]

FILE_NAME = "messages.sqlite3"
_TABLE = "messages"

# Append only: each script takes the schema from the previous version to the next.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE messages (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        peer      TEXT    NOT NULL,  -- normalised: sip:user@host[:port]
        name      TEXT,              -- the peer's display name, when it gave one
        account   TEXT    NOT NULL,
        direction TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
        text      TEXT    NOT NULL,
        folded    TEXT    NOT NULL,  -- text.casefold(), for search
        at        REAL    NOT NULL,  -- seconds since the epoch
        state     TEXT    NOT NULL,
        status    INTEGER,
        reason    TEXT    NOT NULL DEFAULT '',
        read      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX messages_by_peer ON messages (peer, at);
    CREATE INDEX messages_unread ON messages (peer) WHERE read = 0;
    """,
)

_COLUMNS = "id, peer, account, direction, text, at, state, status, reason, read"


def _check_ours(path: Path) -> None:
    """Refuse a file that holds another program's tables (read-only look: nothing is
    written to it). Not SQLite at all is found by `Database` itself."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot open the message store at {path}: {exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The message store at {path} cannot be used ({exc}); it is not a Parley "
            "database or it is damaged — move the file away and Parley starts a new one"
        ) from exc
    finally:
        conn.close()
    tables.discard("sqlite_sequence")
    if tables and not {"schema_version", _TABLE} <= tables:
        raise StoreError(
            f"The message store at {path} belongs to another program (tables: "
            f"{', '.join(sorted(tables))}); it was left as it is — move it away or choose "
            "another data folder"
        )


class MessageStore:
    """The conversations of one user. Safe to use from several threads.

    `path` is a file (created with its folder when missing) or ":memory:" for tests.
    Every method raises `StoreError` when the file cannot be used.
    """

    def __init__(self, path: Path | str) -> None:
        if path != MEMORY:
            _check_ours(Path(path))
        self._db = Database(path, MIGRATIONS, what="message store")

    @property
    def path(self) -> Path | str:
        return self._db.path

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ writing

    def add(
        self,
        peer: str,
        text: str,
        *,
        direction: Direction,
        account: str,
        state: str,
        at: float | None = None,
        name: str | None = None,
        status: int | None = None,
        reason: str = "",
        read: bool | None = None,
    ) -> StoredMessage:
        """Store a message and return it with its id. Ours are read; theirs unread
        unless `read` says otherwise."""
        if direction not in ("in", "out"):
            raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
        key = normalise_peer(peer)
        when = time.time() if at is None else float(at)
        seen = direction == "out" if read is None else read
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO messages (peer, name, account, direction, text, folded, at, state,"
                " status, reason, read) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    name,
                    account,
                    direction,
                    text,
                    text.casefold(),
                    when,
                    state,
                    status,
                    reason,
                    int(seen),
                ),
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return StoredMessage(
            new_id, key, account, direction, text, when, state, status, reason, seen
        )

    def add_received(
        self,
        peer: str,
        text: str,
        *,
        account: str,
        at: float | None = None,
        name: str | None = None,
    ) -> StoredMessage:
        return self.add(
            peer, text, direction="in", account=account, state=RECEIVED, at=at, name=name
        )

    def set_state(
        self, message_id: int, state: str, status: int | None = None, reason: str = ""
    ) -> bool:
        """The delivery state of one of our messages; False when there is no such row."""
        with self._db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE messages SET state = ?, status = ?, reason = ? WHERE id = ?",
                    (state, status, reason, message_id),
                ).rowcount
                > 0
            )

    def mark_read(self, peer: str) -> int:
        """Every message of the conversation with `peer` read; how many were not."""
        with self._db.transaction() as conn:
            return conn.execute(
                "UPDATE messages SET read = 1 WHERE peer = ? AND read = 0",
                (normalise_peer(peer),),
            ).rowcount

    def delete_conversation(self, peer: str) -> int:
        with self._db.transaction() as conn:
            return conn.execute(
                "DELETE FROM messages WHERE peer = ?", (normalise_peer(peer),)
            ).rowcount

    # ------------------------------------------------------------------ reading

    def get(self, message_id: int) -> StoredMessage | None:
        row = self._db.query_one(f"SELECT {_COLUMNS} FROM messages WHERE id = ?", (message_id,))
        return _message(row) if row is not None else None

    def conversation(self, peer: str, limit: int = 200) -> list[StoredMessage]:
        """The last `limit` messages with `peer`, oldest first."""
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM messages WHERE peer = ? ORDER BY at DESC, id DESC LIMIT ?",
            (normalise_peer(peer), max(0, int(limit))),
        )
        return [_message(r) for r in reversed(rows)]

    def conversations(self) -> list[ConversationInfo]:
        """Every conversation, the most recent first."""
        rows = self._db.query(
            """
            SELECT m.peer, m.text, m.at, m.direction,
                   (SELECT name FROM messages n WHERE n.peer = m.peer AND n.name IS NOT NULL
                     ORDER BY n.at DESC, n.id DESC LIMIT 1) AS name,
                   (SELECT COUNT(*) FROM messages u WHERE u.peer = m.peer AND u.read = 0)
                     AS unread
            FROM messages m
            WHERE m.id = (SELECT l.id FROM messages l WHERE l.peer = m.peer
                          ORDER BY l.at DESC, l.id DESC LIMIT 1)
            ORDER BY m.at DESC, m.id DESC
            """
        )
        return [
            ConversationInfo(
                peer=r["peer"],
                name=r["name"],
                last_text=r["text"],
                last_at=float(r["at"]),
                unread=int(r["unread"]),
                last_direction="out" if r["direction"] == "out" else "in",
            )
            for r in rows
        ]

    def unread(self) -> int:
        row = self._db.query_one("SELECT COUNT(*) FROM messages WHERE read = 0")
        return int(row[0]) if row is not None else 0

    def search(self, text: str, limit: int = 200) -> list[StoredMessage]:
        """Messages containing `text` (any case, any script), the newest first."""
        needle = text.strip().casefold()
        if not needle:
            return []
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM messages WHERE folded LIKE ? ESCAPE '\\' "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (like_pattern(needle), max(0, int(limit))),
        )
        return [_message(r) for r in rows]


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        id=int(row["id"]),
        peer=row["peer"],
        account=row["account"],
        direction="out" if row["direction"] == "out" else "in",
        text=row["text"],
        at=float(row["at"]),
        state=row["state"],
        status=row["status"],
        reason=row["reason"],
        read=bool(row["read"]),
    )
