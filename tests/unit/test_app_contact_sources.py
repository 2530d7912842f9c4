"""The application with contact sources: the registry made from the settings, its
status as events, caller names from a remote source in the call snapshots' look-up and
the history, new settings taken over."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from parley.app import Application
from parley.app.contact_sources import ContactSourceChanged, SourceTables
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import FetchRequest
from parley.contacts.source import FetchResult, SourceIssue, SourceKind, SourceProblem
from parley.history.model import CallType, Direction, HistoryEntry
from parley.media.engine import AudioConfig
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings
from parley.settings.model import AccountSettings, Settings

WAIT = 20.0


def settings(**source: Any) -> Settings:
    book = ContactSourceSettings(
        id="book", name="PBX book", kind=SourceKind.XML_PHONEBOOK, location="/x.xml", **source
    )
    return Settings(
        accounts=[
            AccountSettings(
                name="office", domain="127.0.0.1:9", username="1001", register_on_startup=False
            )
        ],
        contacts=ContactsSettings(sources=[book]),
    )


def wait_for(predicate: Any) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    assert predicate()


def make(tmp_path: Path, fetch: Any, s: Settings | None = None) -> Application:
    return Application(
        settings=s or settings(),
        passwords={"office": "x"},
        use_keyring=False,
        data_dir=tmp_path / "data",
        default_region="DE",
        source_tables=SourceTables(fetchers={SourceKind.XML_PHONEBOOK: fetch}),
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )


def anna(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
    return FetchResult(
        contacts=(
            Contact(
                display_name="Anna Berg",
                numbers=(PhoneNumber("+49 30 1234567", NumberType.BUSINESS),),
            ),
        )
    )


def test_a_remote_source_names_callers_in_any_spelling(tmp_path: Path) -> None:
    app = make(tmp_path, anna)
    events: list[ContactSourceChanged] = []
    app.subscribe(lambda e: events.append(e) if isinstance(e, ContactSourceChanged) else None)
    try:
        app.start().result(WAIT)
        wait_for(lambda: any(e.state == "ok" for e in events))
        assert events[0].state == "syncing" and events[0].source == "book"
        ok = next(e for e in events if e.state == "ok")
        assert ok.count == 1 and ok.synced_at
        match = app.caller("030 1234567")  # national form; the book has +49
        assert match is not None and match.source_name == "PBX book"
        assert app.directory.contact_name("0049301234567") == "Anna Berg"
        # The history shows the name too.
        app.history.add(
            HistoryEntry(
                direction=Direction.INCOMING,
                type=CallType.MISSED,
                number="0301234567",
                name=None,
                account="office",
                start=datetime.now(UTC),
            )
        )
        assert app.history_entries()[0].shown_name == "Anna Berg"
        # The cache sits next to the contact store.
        assert (tmp_path / "data" / "contacts-book.sqlite3").exists()
    finally:
        app.stop()


def test_a_failure_is_an_event_with_codes(tmp_path: Path) -> None:
    def refused(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        return FetchResult(
            failed=True, issues=(SourceIssue(SourceProblem.AUTH_FAILED, "http://pbx", "401"),)
        )

    app = make(tmp_path, refused)
    events: list[ContactSourceChanged] = []
    app.subscribe(lambda e: events.append(e) if isinstance(e, ContactSourceChanged) else None)
    try:
        app.start().result(WAIT)
        wait_for(lambda: any(e.state == "failed" for e in events))
        failed = next(e for e in events if e.state == "failed")
        assert failed.problems == ("auth_failed",) and failed.details == ("401",)
        assert failed.to_dict()["event"] == "contact_source"
    finally:
        app.stop()


def test_a_hanging_source_never_blocks_the_engine(tmp_path: Path) -> None:
    release = threading.Event()

    def hanging(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        release.wait(WAIT)
        return FetchResult()

    app = make(tmp_path, hanging)
    try:
        app.start().result(WAIT)  # the phone starts while the fetch hangs
        assert app.engine.submit(lambda: 42).result(WAIT) == 42
        assert app.caller("0301234567") is None
    finally:
        release.set()
        app.stop()


def test_new_settings_are_taken_over(tmp_path: Path) -> None:
    app = make(tmp_path, anna)
    try:
        app.start().result(WAIT)
        wait_for(lambda: app.caller("0301234567") is not None)
        new = app.settings.model_copy(deep=True)
        new.contacts.sources[1].enabled = False
        app.update_settings(new).result(WAIT)
        wait_for(lambda: app.caller("0301234567") is None)
    finally:
        app.stop()


def test_the_console_words_a_source_state() -> None:
    from parley.app.contact_sources import status_event
    from parley.cli.texts import event_data
    from parley.contacts.source import SourceStatus, SyncState

    ok = event_data(status_event("book", SourceStatus(SyncState.OK, count=2, synced_at=1.0)))
    assert ok["event"] == "contact_source" and ok["text"].startswith("source book: 2 contacts")
    failed = event_data(
        status_event(
            "book",
            SourceStatus(
                SyncState.FAILED,
                count=2,
                synced_at=1.0,
                issues=(SourceIssue(SourceProblem.AUTH_FAILED, "http://pbx/b.xml", "401"),),
            ),
        )
    )
    assert "refused the user name or password" in failed["text"]
    assert "(http://pbx/b.xml) 401" in failed["text"] and "still used" in failed["text"]
