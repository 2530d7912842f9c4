"""Local contacts in SQLite: add, update, delete, get, list with the manual's filters,
and finding the contact of a number. Listeners (`on_change`) hear of every change (the
application re-subscribes the contacts' presence addresses)."""

from __future__ import annotations

import builtins
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from parley.contacts.model import Contact, NumberType, PhoneNumber, filter_contacts
from parley.contacts.numbers import normalize_number, valid_region
from parley.history.db import Database

log = logging.getLogger(__name__)

FILE_NAME = "contacts.sqlite3"

# Append only: each script takes the schema from the previous version to the next.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE contacts (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        first_name   TEXT    NOT NULL DEFAULT '',
        last_name    TEXT    NOT NULL DEFAULT '',
        display_name TEXT    NOT NULL DEFAULT '',
        company      TEXT    NOT NULL DEFAULT '',
        favourite    INTEGER NOT NULL DEFAULT 0,
        avatar       BLOB,
        created      REAL    NOT NULL,
        updated      REAL    NOT NULL
    );
    CREATE TABLE contact_numbers (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        number     TEXT    NOT NULL,
        type       TEXT    NOT NULL,
        key        TEXT    NOT NULL  -- normalize_number(number, region) for look-ups
    );
    CREATE INDEX contact_numbers_by_key ON contact_numbers (key);
    CREATE INDEX contact_numbers_by_contact ON contact_numbers (contact_id, position);
    CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # The address whose presence is shown with the contact (issue #9); old rows: none.
    """
    ALTER TABLE contacts ADD COLUMN presence TEXT NOT NULL DEFAULT '';
    """,
    # The account the contact's presence is watched through; old rows: the source's choice.
    """
    ALTER TABLE contacts ADD COLUMN presence_account TEXT NOT NULL DEFAULT '';
    """,
)

_COLUMNS = (
    "id, first_name, last_name, display_name, company, favourite, avatar, presence,"
    " presence_account"
)


class ContactStore:
    """The local contacts of one user. Safe to use from several threads.

    `path` is a file (created with its folder when missing) or ":memory:" for tests.
    `default_region` (ISO country code such as "DE") makes national and international
    spellings of a number match in `lookup_number`; changing it re-keys the stored
    numbers on open. Methods raise `ContactError` for invalid contacts, `KeyError` for
    unknown ids and `StoreError` when the file cannot be used.
    """

    def __init__(self, path: Path | str, *, default_region: str | None = None) -> None:
        self._db = Database(path, MIGRATIONS, what="contacts")
        self._listeners: builtins.list[Callable[[], None]] = []
        self.default_region = valid_region(default_region)
        self._rekey_if_region_changed()

    @property
    def path(self) -> Path | str:
        return self._db.path

    def close(self) -> None:
        self._db.close()

    def _key(self, number: str) -> str:
        return _cached_key(number, self.default_region)

    def _rekey_if_region_changed(self) -> None:
        row = self._db.query_one("SELECT value FROM meta WHERE name = 'region'")
        region = self.default_region or ""
        if row is not None and row[0] == region:
            return
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT id, number FROM contact_numbers").fetchall()
            conn.executemany(
                "UPDATE contact_numbers SET key = ? WHERE id = ?",
                [(self._key(r["number"]), r["id"]) for r in rows],
            )
            conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES ('region', ?)", (region,)
            )

    # -- writing

    def on_change(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback()` (on the writer's thread) after each add, update or delete;
        returns a function that stops it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _changed(self) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                log.exception("contacts listener failed")

    def add(self, contact: Contact) -> Contact:
        """Validate and store a new contact (its `id` is ignored); returns it with its id."""
        contact = _tidy(contact)
        contact.validate()
        now = time.time()
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO contacts (first_name, last_name, display_name, company, favourite,"
                " avatar, presence, presence_account, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_fields(contact), now, now),
            )
            new_id = cursor.lastrowid
            assert new_id is not None
            self._write_numbers(conn, new_id, contact)
        self._changed()
        return replace(contact, id=new_id)

    def add_many(
        self, contacts: Sequence[Contact], *, notify: bool = True
    ) -> builtins.list[Contact]:
        """Validate and store several new contacts in one transaction (all or none: a
        `ContactError` or `StoreError` leaves the store as it was). `notify=False` leaves
        telling the listeners to the caller (`notify_changed`), e.g. once after an import."""
        tidied = [_tidy(c) for c in contacts]
        for contact in tidied:
            contact.validate()
        now = time.time()
        stored: builtins.list[Contact] = []
        with self._db.transaction() as conn:
            for contact in tidied:
                cursor = conn.execute(
                    "INSERT INTO contacts (first_name, last_name, display_name, company,"
                    " favourite, avatar, presence, presence_account, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*_fields(contact), now, now),
                )
                new_id = cursor.lastrowid
                assert new_id is not None
                self._write_numbers(conn, new_id, contact)
                stored.append(replace(contact, id=new_id))
        if notify and stored:
            self._changed()
        return stored

    def notify_changed(self) -> None:
        """Tell the listeners that contacts changed (after `add_many(..., notify=False)`)."""
        self._changed()

    def number_key(self, number: str) -> str:
        """The key under which `lookup_number` compares `number` (the store's region)."""
        return self._key(number)

    def names_by_number(self) -> dict[str, set[str]]:
        """For every stored number's key, the shown names (case-folded) of its contacts."""
        found: dict[str, set[str]] = {}
        for row in self._db.query(
            "SELECT n.key, c.first_name, c.last_name, c.display_name, c.company"
            " FROM contact_numbers n JOIN contacts c ON c.id = n.contact_id"
        ):
            name = Contact(
                first_name=row[1], last_name=row[2], display_name=row[3], company=row[4]
            ).name
            found.setdefault(row[0], set()).add(name.casefold())
        return found

    def update(self, contact: Contact) -> Contact:
        """Validate and store the changes of a stored contact (found by its `id`)."""
        contact_id = contact.id
        if contact_id is None:
            raise KeyError("the contact has no id: add it first")
        contact = _tidy(contact)
        contact.validate()
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE contacts SET first_name = ?, last_name = ?, display_name = ?,"
                " company = ?, favourite = ?, avatar = ?, presence = ?, presence_account = ?,"
                " updated = ? WHERE id = ?",
                (*_fields(contact), time.time(), contact_id),
            ).rowcount
            if not changed:
                raise KeyError(contact_id)
            conn.execute("DELETE FROM contact_numbers WHERE contact_id = ?", (contact_id,))
            self._write_numbers(conn, contact_id, contact)
        self._changed()
        return contact

    def set_favourite(self, contact_id: int, favourite: bool) -> None:
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE contacts SET favourite = ?, updated = ? WHERE id = ?",
                (int(favourite), time.time(), contact_id),
            ).rowcount
        if not changed:
            raise KeyError(contact_id)

    def delete(self, contact_id: int) -> bool:
        """Delete a contact and its numbers; False when there was none with that id."""
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,)).rowcount > 0
        if deleted:
            self._changed()
        return deleted

    def _write_numbers(self, conn: sqlite3.Connection, contact_id: int, contact: Contact) -> None:
        conn.executemany(
            "INSERT INTO contact_numbers (contact_id, position, number, type, key)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (contact_id, position, n.number, NumberType(n.type).value, self._key(n.number))
                for position, n in enumerate(contact.numbers)
            ],
        )

    # -- reading

    def get(self, contact_id: int) -> Contact | None:
        row = self._db.query_one(f"SELECT {_COLUMNS} FROM contacts WHERE id = ?", (contact_id,))
        if row is None:
            return None
        return self._load([row])[0]

    def list(
        self,
        *,
        search: str = "",
        favourites_only: bool = False,
        hide_without_name: bool = False,
        hide_without_number: bool = False,
    ) -> builtins.list[Contact]:
        """Contacts sorted by the name shown (case-insensitive), filtered as the manual's
        contact list offers; `search` matches names, company or any part of a number."""
        sql = f"SELECT {_COLUMNS} FROM contacts"
        if favourites_only:
            sql += " WHERE favourite = 1"
        contacts = self._load(self._db.query(sql))
        contacts.sort(key=lambda c: (c.name.casefold(), c.id or 0))
        return filter_contacts(
            contacts,
            search=search,
            favourites_only=favourites_only,
            hide_without_name=hide_without_name,
            hide_without_number=hide_without_number,
        )

    def count(self) -> int:
        row = self._db.query_one("SELECT COUNT(*) FROM contacts")
        return int(row[0]) if row is not None else 0

    def lookup_number(self, number: str) -> Contact | None:
        """The contact owning `number` (any spelling that normalises alike), or None.
        With several, favourites come first, then the oldest."""
        if not number.strip():
            return None
        row = self._db.query_one(
            "SELECT c.id FROM contact_numbers n JOIN contacts c ON c.id = n.contact_id"
            " WHERE n.key = ? ORDER BY c.favourite DESC, c.id LIMIT 1",
            (self._key(number),),
        )
        return self.get(int(row[0])) if row is not None else None

    def _load(self, rows: builtins.list[sqlite3.Row]) -> builtins.list[Contact]:
        if not rows:
            return []
        ids = [int(r["id"]) for r in rows]
        numbers: dict[int, builtins.list[PhoneNumber]] = {i: [] for i in ids}
        # Chunked: SQLite limits the number of parameters per statement.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for n in self._db.query(
                "SELECT contact_id, number, type FROM contact_numbers WHERE contact_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY contact_id, position",
                chunk,
            ):
                numbers[int(n["contact_id"])].append(PhoneNumber(n["number"], _type(n["type"])))
        return [
            Contact(
                id=int(r["id"]),
                first_name=r["first_name"],
                last_name=r["last_name"],
                display_name=r["display_name"],
                company=r["company"],
                favourite=bool(r["favourite"]),
                avatar=bytes(r["avatar"]) if r["avatar"] is not None else None,
                numbers=tuple(numbers[int(r["id"])]),
                presence=r["presence"],
                presence_account=r["presence_account"],
            )
            for r in rows
        ]


@functools.lru_cache(maxsize=8192)
def _cached_key(number: str, region: str | None) -> str:
    # phonenumbers is slow; an import keys each number twice (duplicates, then storing).
    return normalize_number(number, region)


def _type(value: str) -> NumberType:
    try:
        return NumberType(value)
    except ValueError:
        return NumberType.OTHER


def _tidy(contact: Contact) -> Contact:
    """Trim the texts and drop empty extra number rows (a form's blank line)."""
    numbers = tuple(
        PhoneNumber(n.number.strip(), NumberType(n.type))
        for n in contact.numbers
        if n.number.strip()
    )
    return replace(
        contact,
        first_name=contact.first_name.strip(),
        last_name=contact.last_name.strip(),
        display_name=contact.display_name.strip(),
        company=contact.company.strip(),
        numbers=numbers,
        presence=contact.presence.strip(),
        presence_account=contact.presence_account.strip(),
    )


def _fields(contact: Contact) -> tuple[str, str, str, str, int, bytes | None, str, str]:
    return (
        contact.first_name,
        contact.last_name,
        contact.display_name,
        contact.company,
        int(contact.favourite),
        contact.avatar,
        contact.presence,
        contact.presence_account,
    )
