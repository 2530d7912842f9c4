"""The local copy of one remote source's contacts (SQLite, one file per source next to
the contact store), so that lists, searches and caller look-ups are answered at once
whatever the server does.

A good fetch replaces everything at once: the new copy is written beside the answering
one in short transactions (so that a caller look-up on the engine thread never waits
long for the file) and takes its place in one transaction; a failed fetch, or a write
that fails half-way, never touches the answering copy. Numbers are indexed under
`normalize_number(number, region)`, so national and international spellings meet; the
HTTP validators (ETag, Last-Modified) of the copy, and a source's own sync state
(CardDAV's sync tokens and card ETags), are kept for the next fetch, also after a
restart.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.numbers import clean_number, normalize_number, valid_region
from parley.history.db import Database

# Two copies live side by side (tables _0 and _1): a new one is written into the idle
# tables in short transactions (a reader never waits long for the file), made the
# answering one in a single tiny transaction, and the old one emptied at once
# (DELETE without WHERE: SQLite drops the tables' pages instead of row after row).
_TABLES = """
    CREATE TABLE contacts_{g} (
        id           INTEGER PRIMARY KEY,  -- the source's order
        first_name   TEXT NOT NULL DEFAULT '',
        last_name    TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '',
        company      TEXT NOT NULL DEFAULT '',
        presence     TEXT NOT NULL DEFAULT '',
        sort_key     TEXT NOT NULL,  -- the name shown, casefolded
        haystack     TEXT NOT NULL   -- names and company, casefolded, for searches
    );
    CREATE TABLE numbers_{g} (
        contact_id INTEGER NOT NULL,
        position   INTEGER NOT NULL,
        number     TEXT NOT NULL,
        type       TEXT NOT NULL,
        key        TEXT NOT NULL,  -- normalize_number(number, region)
        digits     TEXT NOT NULL   -- clean_number(number), for searches
    );
    CREATE INDEX numbers_{g}_by_key ON numbers_{g} (key);
    CREATE INDEX numbers_{g}_by_contact ON numbers_{g} (contact_id, position);
    CREATE INDEX contacts_{g}_by_name ON contacts_{g} (sort_key);
"""
MIGRATIONS: tuple[str, ...] = (
    _TABLES.format(g=0)
    + _TABLES.format(g=1)
    + "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
)
CHUNK = 1000  # contacts per write transaction while a new copy is filled in


def cache_file_name(source_id: str) -> str:
    return f"contacts-{source_id}.sqlite3"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ContactCache:
    """One source's cached contacts. Safe on any thread (the worker writes, the GUI and
    the engine read). `path` is a file or ":memory:"."""

    def __init__(self, path: Path | str, *, default_region: str | None = None) -> None:
        self._db = Database(path, MIGRATIONS, what="contact source cache")
        self.default_region = valid_region(default_region)
        self._gen = int(self._meta("generation") or 0)  # the copy that answers
        self._rekey_if_region_changed()

    @property
    def path(self) -> Path | str:
        return self._db.path

    def close(self) -> None:
        self._db.close()

    def _key(self, number: str) -> str:
        return normalize_number(number, self.default_region)

    def _rekey_if_region_changed(self) -> None:
        region = self.default_region or ""
        if self._meta("region") == region:
            return
        with self._db.transaction() as conn:
            for g in (0, 1):
                rows = conn.execute(f"SELECT rowid, number FROM numbers_{g}").fetchall()
                conn.executemany(
                    f"UPDATE numbers_{g} SET key = ? WHERE rowid = ?",
                    [(self._key(r["number"]), r["rowid"]) for r in rows],
                )
            conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES ('region', ?)", (region,)
            )

    # -- meta

    def _meta(self, name: str) -> str | None:
        row = self._db.query_one("SELECT value FROM meta WHERE name = ?", (name,))
        return str(row[0]) if row is not None else None

    @property
    def etag(self) -> str | None:
        return self._meta("etag") or None

    @property
    def last_modified(self) -> str | None:
        return self._meta("last_modified") or None

    @property
    def synced_at(self) -> float | None:
        value = self._meta("synced_at")
        return float(value) if value else None

    @property
    def sync_state(self) -> str | None:
        """A source's own state for its next fetch (CardDAV: each book's sync token and
        its cards' ETags), written with the copy it belongs to, in the same transaction."""
        return self._meta("sync_state") or None

    @property
    def signature(self) -> str | None:
        """A source's own change marker (a folder's signature), kept with the copy."""
        return self._meta("signature") or None

    # -- writing

    def replace_all(
        self,
        contacts: Iterable[Contact],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        signature: str | None = None,
        synced_at: float | None = None,
        progress: Callable[[int], None] | None = None,
        sync_state: str | None = None,
    ) -> int:
        """Make `contacts` the whole copy, all or nothing: the new copy is written beside
        the answering one and takes its place in one transaction; if anything fails
        before, the old copy answers on. `progress(stored)` hears how far the writing
        is. Returns how many are stored."""
        new = 1 - self._gen
        self._drop(new)  # what an interrupted earlier fill left
        count = 0
        batch: list[Contact] = []
        try:
            for contact in contacts:
                batch.append(contact)
                if len(batch) >= CHUNK:
                    count += self._write(new, batch, count)
                    batch = []
                    if progress is not None:
                        progress(count)
            count += self._write(new, batch, count)
        except BaseException:
            self._drop(new)
            raise
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES ('generation', ?)", (str(new),)
            )
            self._write_meta(conn, etag, last_modified, signature, synced_at, sync_state)
            self._gen = new
        self._drop(1 - new)
        return count

    def _write(self, gen: int, contacts: list[Contact], offset: int) -> int:
        """One short transaction of the new copy (ids follow the source's order)."""
        rows: list[tuple[object, ...]] = []
        numbers: list[tuple[object, ...]] = []
        for index, contact in enumerate(contacts, start=1 + offset):
            texts = (contact.first_name, contact.last_name, contact.display_name, contact.company)
            rows.append(
                (
                    index,
                    *(t.strip() for t in texts),
                    contact.presence.strip(),
                    contact.name.casefold(),
                    "\n".join(t.casefold() for t in (*texts, contact.name) if t),
                )
            )
            for position, n in enumerate(contact.numbers):
                text = n.number.strip()
                if text:
                    numbers.append(
                        (index, position, text, _type(n.type).value, self._key(text),
                         clean_number(text))
                    )  # fmt: skip
        if not rows:
            return 0
        with self._db.transaction() as conn:
            conn.executemany(
                f"INSERT INTO contacts_{gen} (id, first_name, last_name, display_name, company,"
                " presence, sort_key, haystack) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                f"INSERT INTO numbers_{gen} (contact_id, position, number, type, key, digits)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                numbers,
            )
        return len(rows)

    def _drop(self, gen: int) -> None:
        """Empty one copy's tables (the answering one is never passed here)."""
        with self._db.transaction() as conn:
            conn.execute(f"DELETE FROM numbers_{gen}")
            conn.execute(f"DELETE FROM contacts_{gen}")

    def mark_unchanged(
        self,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        signature: str | None = None,
        synced_at: float | None = None,
        sync_state: str | None = None,
    ) -> None:
        """The server said "not modified": the copy stays, its time and validators move."""
        with self._db.transaction() as conn:
            self._write_meta(
                conn,
                etag if etag is not None else self.etag,
                last_modified if last_modified is not None else self.last_modified,
                signature if signature is not None else self.signature,
                synced_at,
                sync_state if sync_state is not None else self.sync_state,
            )

    def _write_meta(
        self,
        conn: sqlite3.Connection,
        etag: str | None,
        last_modified: str | None,
        signature: str | None,
        synced_at: float | None,
        sync_state: str | None = None,
    ) -> None:
        values = {
            "sync_state": sync_state or "",
            "etag": etag or "",
            "last_modified": last_modified or "",
            "signature": signature or "",
            "synced_at": repr(synced_at if synced_at is not None else time.time()),
        }
        conn.executemany(
            "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", list(values.items())
        )

    # -- reading

    def count(self) -> int:
        row = self._db.query_one(f"SELECT COUNT(*) FROM contacts_{self._gen}")
        return int(row[0]) if row is not None else 0

    def contacts(self, limit: int | None = None) -> list[Contact]:
        """Every contact, sorted by the name shown."""
        gen = self._gen
        sql = f"SELECT * FROM contacts_{gen} ORDER BY sort_key, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._load(gen, self._db.query(sql))

    def search(self, text: str, limit: int = 200) -> list[Contact]:
        """Contacts whose names or company contain `text` (any case), or one of whose
        numbers contains its digits."""
        needle = text.strip().casefold()
        if not needle:
            return self.contacts(limit)
        digits = clean_number(text)
        gen = self._gen
        sql = f"SELECT * FROM contacts_{gen} WHERE haystack LIKE ? ESCAPE '\\'"
        params: list[object] = [_like(needle)]
        if digits:
            sql += (
                f" OR id IN (SELECT contact_id FROM numbers_{gen} WHERE digits LIKE ? ESCAPE '\\')"
            )
            params.append(_like(digits))
        sql += f" ORDER BY sort_key, id LIMIT {int(limit)}"
        return self._load(gen, self._db.query(sql, params))

    def _filter(
        self, gen: int, text: str, hide_without_name: bool, hide_without_number: bool
    ) -> tuple[str, list[object]]:
        """The WHERE clause (or "") of the contacts matching `text` as `search` does, and
        the source's filters; with its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        needle = text.strip().casefold()
        if needle:
            match = "haystack LIKE ? ESCAPE '\\'"
            params.append(_like(needle))
            digits = clean_number(text)
            if digits:
                match += (
                    f" OR id IN (SELECT contact_id FROM numbers_{gen}"
                    " WHERE digits LIKE ? ESCAPE '\\')"
                )
                params.append(_like(digits))
            clauses.append(f"({match})")
        if hide_without_name:
            clauses.append("sort_key != ''")
        if hide_without_number:
            clauses.append(f"EXISTS (SELECT 1 FROM numbers_{gen} n WHERE n.contact_id = id)")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def count_matching(
        self, text: str = "", *, hide_without_name: bool = False, hide_without_number: bool = False
    ) -> int:
        """How many contacts `rows_at` has for these arguments."""
        gen = self._gen
        where, params = self._filter(gen, text, hide_without_name, hide_without_number)
        row = self._db.query_one(f"SELECT COUNT(*) FROM contacts_{gen}{where}", params)
        return int(row[0]) if row is not None else 0

    def rows_at(
        self,
        offset: int,
        limit: int,
        text: str = "",
        *,
        hide_without_name: bool = False,
        hide_without_number: bool = False,
    ) -> list[Contact]:
        """Contacts `offset` to `offset + limit` of the list (sorted as `contacts`) of those
        matching `text` (all for blank) and the filters: a window of a long list, for a
        view that reads only the rows it shows."""
        gen = self._gen
        where, params = self._filter(gen, text, hide_without_name, hide_without_number)
        sql = (
            f"SELECT * FROM contacts_{gen}{where} ORDER BY sort_key, id"
            f" LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        return self._load(gen, self._db.query(sql, params))

    def lookup(self, number: str) -> Contact | None:
        """The first contact (in the source's order) owning `number` in any spelling."""
        if not number.strip():
            return None
        gen = self._gen
        row = self._db.query_one(
            f"SELECT contact_id FROM numbers_{gen} WHERE key = ? ORDER BY contact_id LIMIT 1",
            (self._key(number),),
        )
        if row is None:
            return None
        found = self._load(
            gen, self._db.query(f"SELECT * FROM contacts_{gen} WHERE id = ?", (int(row[0]),))
        )
        return found[0] if found else None

    def _load(self, gen: int, rows: list[sqlite3.Row]) -> list[Contact]:
        if not rows:
            return []
        ids = [int(r["id"]) for r in rows]
        numbers: dict[int, list[PhoneNumber]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for n in self._db.query(
                f"SELECT contact_id, number, type FROM numbers_{gen} WHERE contact_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY contact_id, position",
                chunk,
            ):
                numbers[int(n["contact_id"])].append(PhoneNumber(n["number"], _type(n["type"])))
        # Remote contacts carry no id: they are not the local store's to edit.
        return [
            Contact(
                first_name=r["first_name"],
                last_name=r["last_name"],
                display_name=r["display_name"],
                company=r["company"],
                presence=r["presence"],
                numbers=tuple(numbers[int(r["id"])]),
            )
            for r in rows
        ]


def _type(value: object) -> NumberType:
    try:
        return NumberType(str(value))
    except ValueError:
        return NumberType.OTHER
