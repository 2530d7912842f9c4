"""The contact sources registry with fake fetchers: synchronising into the cache, a
failed fetch keeping the old copy, the status events in order, the deadline of a fetch
that never ends, caller look-ups across sources, the address book with filters."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import ContactSources, FetchRequest, LocalSource
from parley.contacts.source import (
    FetchResult,
    SourceIssue,
    SourceKind,
    SourceProblem,
    SourceStatus,
    SyncState,
)
from parley.contacts.store import ContactStore
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings


def person(name: str, *numbers: str) -> Contact:
    return Contact(
        display_name=name, numbers=tuple(PhoneNumber(n, NumberType.BUSINESS) for n in numbers)
    )


def xml_source(
    source_id: str = "book", name: str = "PBX book", **kw: object
) -> ContactSourceSettings:
    return ContactSourceSettings(
        id=source_id, name=name, kind=SourceKind.XML_PHONEBOOK, location="/books/x.xml", **kw
    )


class FakeFetcher:
    """Answers with the queued results, records what it was asked."""

    def __init__(self, *results: FetchResult) -> None:
        self.results = list(results)
        self.requests: list[FetchRequest] = []

    def __call__(self, source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
        self.requests.append(request)
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


@pytest.fixture
def store() -> ContactStore:
    s = ContactStore(":memory:", default_region="DE")
    yield s
    s.close()


def make(
    store: ContactStore,
    fetcher: object,
    *sources: ContactSourceSettings,
    tmp_path: Path | None = None,
    **kw: object,
) -> tuple[ContactSources, list[tuple[str, SourceStatus]]]:
    events: list[tuple[str, SourceStatus]] = []
    settings = ContactsSettings(sources=list(sources) or [xml_source()])
    registry = ContactSources(
        settings.sources,
        store,
        data_dir=tmp_path,
        default_region="DE",
        fetchers={SourceKind.XML_PHONEBOOK: fetcher},  # type: ignore[dict-item]
        on_status=lambda sid, st: events.append((sid, st)),
        **kw,  # type: ignore[arg-type]
    )
    return registry, events


def remote(registry: ContactSources, source_id: str = "book"):
    source = registry.get(source_id)
    assert not isinstance(source, LocalSource)
    return source


def test_sync_fills_the_cache_and_reports_syncing_then_ok(store: ContactStore) -> None:
    fetcher = FakeFetcher(FetchResult(contacts=(person("Anna Berg", "+49301234567"),), etag='"v1"'))
    registry, events = make(store, fetcher)
    status = registry.sync_now(remote(registry))
    assert status.state is SyncState.OK and status.count == 1 and status.synced_at
    states = [st.state for sid, st in events if sid == "book"]
    assert states[0] is SyncState.SYNCING and states[-1] is SyncState.OK
    assert any(st.progress == (0, 1) for _sid, st in events)  # storing 1 contact
    assert [c.name for c in remote(registry).contacts()] == ["Anna Berg"]
    # The next fetch sends the validators of the copy.
    registry.sync_now(remote(registry))
    assert fetcher.requests[-1].etag == '"v1"'
    registry.stop()


def test_failed_fetch_keeps_the_old_copy_and_says_why(store: ContactStore) -> None:
    issue = SourceIssue(SourceProblem.AUTH_FAILED, "http://pbx/book.xml", "401")
    fetcher = FakeFetcher(
        FetchResult(contacts=(person("Anna Berg", "0301234567"),)),
        FetchResult(failed=True, issues=(issue,)),
    )
    registry, _events = make(store, fetcher)
    registry.sync_now(remote(registry))
    status = registry.sync_now(remote(registry))
    assert status.state is SyncState.FAILED
    assert status.issues == (issue,)
    assert status.count == 1 and status.synced_at is not None  # the last good copy
    assert registry.lookup("+49 30 1234567") is not None
    registry.stop()


def test_not_modified_keeps_contacts(store: ContactStore) -> None:
    fetcher = FakeFetcher(
        FetchResult(contacts=(person("Anna Berg", "0301"),), etag='"v1"'),
        FetchResult(not_modified=True),
    )
    registry, _ = make(store, fetcher)
    registry.sync_now(remote(registry))
    status = registry.sync_now(remote(registry))
    assert status.state is SyncState.OK and status.count == 1
    registry.stop()


def test_a_fetch_that_never_ends_fails_at_its_deadline(store: ContactStore) -> None:
    release = threading.Event()

    def hanging(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        release.wait(60)
        return FetchResult(contacts=(person("Late", "0301"),))

    registry, _ = make(store, hanging, fetch_timeout=0.2)
    status = registry.sync_now(remote(registry))
    release.set()
    assert status.state is SyncState.FAILED
    assert status.issues[0].problem is SourceProblem.UNREACHABLE
    assert remote(registry).contacts() == []  # what came too late is not stored
    registry.stop()


def test_a_fetcher_that_raises_is_a_failure_not_a_crash(store: ContactStore) -> None:
    def broken(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        raise RuntimeError("bug")

    registry, _ = make(store, broken)
    assert registry.sync_now(remote(registry)).state is SyncState.FAILED
    registry.stop()


def test_a_missing_fetcher_module_is_unsupported(store: ContactStore) -> None:
    def missing(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        import parley.contacts.no_such_module  # type: ignore[import-not-found]  # noqa: F401

        raise AssertionError

    registry, _ = make(store, missing)
    status = registry.sync_now(remote(registry))
    assert status.issues[0].problem is SourceProblem.UNSUPPORTED
    registry.stop()


def test_the_worker_syncs_at_start_without_blocking(store: ContactStore) -> None:
    release = threading.Event()
    calls: list[int] = []

    def slow(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        calls.append(1)
        release.wait(30)
        return FetchResult(contacts=(person("Anna Berg", "0301234567"),))

    registry, events = make(store, slow)
    registry.start()  # returns while the fetch hangs
    assert registry.lookup("0301234567") is None  # answered from the (empty) cache at once
    release.set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(st.state is SyncState.OK for _i, st in events):
        time.sleep(0.02)
    assert any(st.state is SyncState.OK for _i, st in events)
    assert registry.lookup("0301234567") is not None  # the memo was forgotten on sync
    registry.sync("book")  # on demand
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(calls) < 2:
        time.sleep(0.02)
    assert len(calls) == 2
    registry.stop()


def test_lookup_local_first_then_sources_in_order(store: ContactStore) -> None:
    store.add(Contact(last_name="Local", numbers=(PhoneNumber("+49 30 999"),)))
    first = FakeFetcher(FetchResult(contacts=(person("From A", "030999", "040123456"),)))
    registry, _ = make(
        store,
        first,
        xml_source("a", "A"),
        xml_source("b", "B"),
        ContactSourceSettings(id="local", name="Parley", kind=SourceKind.LOCAL),
    )
    registry.fetchers[SourceKind.XML_PHONEBOOK] = lambda s, r: FetchResult(
        contacts=(person(f"From {s.name}", "030999", "040123456"),)
    )
    for sid in ("a", "b"):
        registry.sync_now(remote(registry, sid))
    match = registry.lookup("0049 30 999")
    assert match is not None and match.contact.name == "Local" and match.source_id == "local"
    other = registry.lookup("+4940123456")
    assert other is not None and other.source_name == "A"  # list order after local
    registry.stop()


def test_disabled_sources_are_not_used(store: ContactStore) -> None:
    registry, _ = make(
        store, FakeFetcher(FetchResult(contacts=(person("Anna", "0301"),))), xml_source()
    )
    registry.sync_now(remote(registry))
    assert registry.lookup("0301") is not None
    registry.configure(ContactsSettings(sources=[xml_source(enabled=False)]).sources)
    assert registry.lookup("0301") is None
    assert [c.contact.name for c in registry.list_contacts()] == []
    registry.stop()


def test_address_book_merges_sources_with_their_filters(store: ContactStore) -> None:
    store.add(Contact(last_name="Zander", numbers=(PhoneNumber("0309"),)))
    fetcher = FakeFetcher(
        FetchResult(contacts=(person("Anna Berg", "0301"), Contact(display_name="No Number")))
    )
    registry, _ = make(store, fetcher, xml_source(hide_without_number=True))
    registry.sync_now(remote(registry))
    listed = registry.list_contacts()
    assert [(c.contact.name, c.source_name, c.local) for c in listed] == [
        ("Zander", "Parley", True),
        ("Anna Berg", "PBX book", False),
    ]
    assert [c.contact.name for c in registry.list_contacts("berg")] == ["Anna Berg"]
    registry.stop()


def test_the_cache_survives_a_restart(store: ContactStore, tmp_path: Path) -> None:
    fetcher = FakeFetcher(FetchResult(contacts=(person("Anna Berg", "0301234567"),)))
    registry, _ = make(store, fetcher, xml_source(), tmp_path=tmp_path)
    registry.sync_now(remote(registry))
    registry.stop()
    assert (tmp_path / "contacts-book.sqlite3").exists()
    again, _ = make(store, FakeFetcher(FetchResult(failed=True)), xml_source(), tmp_path=tmp_path)
    status = again.status("book")
    assert status.state is SyncState.OK and status.count == 1
    assert again.lookup("+49301234567") is not None
    again.stop()


def test_settings_problems_fail_without_fetching(store: ContactStore) -> None:
    fetcher = FakeFetcher(FetchResult())
    source = ContactSourceSettings(id="book", name="B", kind=SourceKind.XML_PHONEBOOK)
    registry, _ = make(store, fetcher, source)
    status = registry.sync_now(remote(registry))
    assert status.state is SyncState.FAILED and not fetcher.requests
    assert [(i.problem, i.where) for i in status.issues] == [(SourceProblem.NOT_SET_UP, "location")]
    registry.stop()


def test_password_goes_to_the_fetcher(store: ContactStore) -> None:
    fetcher = FakeFetcher(FetchResult())
    registry, _ = make(store, fetcher, password_of=lambda s: f"secret-{s.id}")
    registry.sync_now(remote(registry))
    assert fetcher.requests[0].password == "secret-book"
    registry.stop()


def test_windows_signature_skips_an_unchanged_folder(store: ContactStore, tmp_path: Path) -> None:
    reads: list[int] = []

    def read(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        reads.append(1)
        return FetchResult(contacts=(person("Anna", "0301"),))

    source = ContactSourceSettings(id="win", name="Win", kind=SourceKind.WINDOWS, folder=tmp_path)
    registry = ContactSources(
        ContactsSettings(sources=[source]).sources,
        store,
        fetchers={SourceKind.WINDOWS: read},
        signatures={SourceKind.WINDOWS: lambda _s: "sig-1"},
    )
    registry.sync_now(remote(registry, "win"))
    status = registry.sync_now(remote(registry, "win"))
    assert len(reads) == 1 and status.state is SyncState.OK and status.count == 1
    registry.stop()


def test_ldap_search_refines_on_the_server(store: ContactStore) -> None:
    source = ContactSourceSettings(
        id="dir", name="Directory", kind=SourceKind.LDAP, host="127.0.0.1", base_dn="dc=x"
    )
    got: list[list[Contact]] = []
    done = threading.Event()
    registry = ContactSources(
        ContactsSettings(sources=[source]).sources,
        store,
        fetchers={},
        searchers={
            SourceKind.LDAP: lambda s, r, text, limit: FetchResult(
                contacts=(person(f"Found {text}", "0301"),)
            )
        },
    )
    assert registry.refine("dir", "berg", 10, lambda c: (got.append(c), done.set()))
    assert done.wait(20)
    assert got[0][0].name == "Found berg"
    assert not registry.refine("local", "berg", 10, lambda c: None)
    registry.stop()


def test_storing_a_large_book_reports_progress(store: ContactStore) -> None:
    many = tuple(person(f"P{i}", f"030{1000000 + i}") for i in range(2500))
    registry, events = make(store, FakeFetcher(FetchResult(contacts=many)))
    status = registry.sync_now(remote(registry))
    assert status.state is SyncState.OK and status.count == 2500
    steps = [st.progress for _sid, st in events if st.state is SyncState.SYNCING]
    assert steps == [None, (0, 2500), (1000, 2500), (2000, 2500)]
    registry.stop()


def test_a_watched_folder_that_changes_is_read_again(store: ContactStore, tmp_path: Path) -> None:
    reads: list[int] = []
    signature = ["sig-1"]

    def read(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
        reads.append(1)
        return FetchResult(contacts=(person(f"Anna {len(reads)}", "0301"),))

    source = ContactSourceSettings(
        id="win", name="Win", kind=SourceKind.WINDOWS, folder=tmp_path, refresh_minutes=0
    )
    registry = ContactSources(
        ContactsSettings(sources=[source]).sources,
        store,
        fetchers={SourceKind.WINDOWS: read},
        signatures={SourceKind.WINDOWS: lambda _s: signature[0]},
        check_interval=0.05,
    )
    registry.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(reads) < 1:
        time.sleep(0.02)
    time.sleep(0.3)  # several checks of an unchanged folder: no new read
    assert len(reads) == 1
    signature[0] = "sig-2"  # a .contact file was added
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(reads) < 2:
        time.sleep(0.02)
    assert len(reads) == 2
    deadline = time.monotonic() + 20
    while (
        time.monotonic() < deadline and remote(registry, "win").status().state is not SyncState.OK
    ):
        time.sleep(0.02)
    names = lambda: [c.name for c in remote(registry, "win").contacts()]  # noqa: E731
    while time.monotonic() < deadline and names() != ["Anna 2"]:
        time.sleep(0.02)
    assert names() == ["Anna 2"]
    registry.stop()


def test_a_lookup_racing_a_sync_does_not_keep_the_old_answer(store: ContactStore) -> None:
    fetcher = FakeFetcher(FetchResult(contacts=(person("Anna Berg", "0301234567"),)))
    registry, _ = make(store, fetcher)
    cache = remote(registry).cache
    real_lookup = cache.lookup
    entered, release = threading.Event(), threading.Event()

    def slow_lookup(number: str) -> Contact | None:
        answer = real_lookup(number)  # the old (empty) copy answers...
        entered.set()
        release.wait(20)  # ...and the sync finishes before the answer is kept
        return answer

    cache.lookup = slow_lookup  # type: ignore[method-assign]
    racing = threading.Thread(target=registry.lookup, args=("0301234567",))
    racing.start()
    assert entered.wait(20)
    registry.sync_now(remote(registry))
    release.set()
    racing.join(20)
    cache.lookup = real_lookup  # type: ignore[method-assign]
    found = registry.lookup("0301234567")
    assert found is not None and found.contact.name == "Anna Berg"
    registry.stop()
