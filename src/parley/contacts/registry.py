"""The contact sources of the settings as `ContactSource`s: the local store, and each
remote source answered from its cache at once and synchronised in the background.

One worker thread synchronises the remote sources — at start, every
`refresh_minutes`, and on demand (`sync`). Each fetch runs in a throw-away thread with
a deadline: a server that never answers costs that fetch, never the worker, the GUI or
the engine loop. A failed fetch leaves the cache as it was and the source says why
(`SourceStatus` with `SourceIssue` codes; the front-ends word them).

The fetchers are called through tables keyed by `SourceKind` whose entries import their
module only when used, so a build without one kind's module still runs the others (that
source reports `UNSUPPORTED`). Tests pass their own tables.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from parley.contacts.cache import ContactCache, cache_file_name
from parley.contacts.model import Contact, filter_contacts
from parley.contacts.source import (
    FetchResult,
    SourceIssue,
    SourceKind,
    SourceProblem,
    SourceStatus,
    SyncState,
)
from parley.contacts.store import ContactStore
from parley.history.db import StoreError
from parley.settings.contact_sources import WITH_SIGN_IN, ContactSourceSettings

log = logging.getLogger(__name__)

DEFAULT_FETCH_TIMEOUT = 30.0  # seconds one fetch may take, all of it
CHECK_INTERVAL = 30.0  # seconds between cheap change checks (a contacts folder's signature)
LOOKUP_BUDGET = 0.5  # seconds a caller-name look-up may spend over all sources
_MEMO_SIZE = 512


@dataclass(frozen=True)
class FetchRequest:
    """What a fetch gets besides the source's settings."""

    password: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    timeout: float = DEFAULT_FETCH_TIMEOUT
    region: str | None = None  # the default country: how LDAP spells numbers
    proxy: str | None = None  # the HTTP proxy ([automation] http_proxy)
    state: str | None = None  # what the last good fetch left for this one (the cache's)
    tokens: Any = None  # the OAuth TokenStore of the sign-in sources (Google, Outlook)


Fetcher = Callable[[ContactSourceSettings, FetchRequest], FetchResult]
Searcher = Callable[[ContactSourceSettings, FetchRequest, str, int], FetchResult]
Signature = Callable[[ContactSourceSettings], str | None]


# --- the real fetchers: imported when first used ---------------------------------------


def _fetch_xml(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    from parley.contacts.phonebook_xml import fetch_phonebook

    result: FetchResult = fetch_phonebook(
        source.location or "",
        username=source.username or "",
        password=request.password or "",
        verify_tls=source.verify_tls,
        ca_file=str(source.ca_file) if source.ca_file is not None else None,
        etag=request.etag,
        last_modified=request.last_modified,
        timeout=request.timeout,
        proxy=request.proxy,
        auth=source.auth,
    )
    return result


def _fetch_windows(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    from parley.contacts.windows_contacts import read_folder

    if source.folder is None:
        return FetchResult(issues=(SourceIssue(SourceProblem.NOT_SET_UP, "folder"),), failed=True)
    result: FetchResult = read_folder(source.folder)
    return result


def _windows_signature(source: ContactSourceSettings) -> str | None:
    from parley.contacts.windows_contacts import folder_signature

    if source.folder is None:
        return None
    value = folder_signature(source.folder)
    return None if value is None else str(value)


def _fetch_csv(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    from parley.contacts.csv_source import read_csv_source

    if not source.location:
        return FetchResult(issues=(SourceIssue(SourceProblem.NOT_SET_UP, "location"),), failed=True)
    return read_csv_source(
        Path(source.location).expanduser(),
        encoding=source.encoding,
        separator=source.separator,
        columns=source.columns,
    )


def _csv_signature(source: ContactSourceSettings) -> str | None:
    from parley.contacts.csv_source import file_signature

    return file_signature(Path(source.location).expanduser()) if source.location else None


def _ldap_config(source: ContactSourceSettings, request: FetchRequest) -> Any:
    from parley.contacts.ldap_directory import LdapAttributes, LdapConfig

    a = source.attributes
    return LdapConfig(
        host=source.host or "",
        port=source.ldap_port,
        security=source.security,
        ignore_certificate=source.ignore_certificate,
        ca_file=str(source.ca_file) if source.ca_file is not None else None,
        bind_dn=source.bind_dn or "",
        password=request.password or "",
        base_dn=source.base_dn or "",
        search_filter=source.search_filter,
        result_limit=source.result_limit,
        attributes=LdapAttributes(
            display_name=a.display_name,
            first_name=a.first_name,
            last_name=a.last_name,
            company=a.company,
            business=a.business,
            work_ip_phone=a.ip_phone,
            mobile=a.mobile,
            home=a.home,
            fax=a.fax,
        ),
        timeout=request.timeout,
        default_country=request.region or "",
    )


def _fetch_ldap(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    from parley.contacts.ldap_directory import fetch_all  # type: ignore[import-not-found,unused-ignore]

    result: FetchResult = fetch_all(_ldap_config(source, request))
    return result


def _search_ldap(
    source: ContactSourceSettings, request: FetchRequest, text: str, limit: int
) -> FetchResult:
    from parley.contacts.ldap_directory import search  # type: ignore[import-not-found,unused-ignore]

    result: FetchResult = search(_ldap_config(source, request), text, limit)
    return result


def _fetch_carddav(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    """Every address book the URL leads to, each synced from the state the last sync
    left in the cache (sync token, card ETags): after a restart too, only changes."""
    from parley.contacts.cloud_sources import fetch_carddav

    return fetch_carddav(
        source,
        password=request.password,
        state=request.state,
        timeout=request.timeout,
        proxy=request.proxy,
    )


def _fetch_google(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    from parley.contacts.cloud_sources import fetch_google

    return fetch_google(
        source, request.tokens, state=request.state, timeout=request.timeout, proxy=request.proxy
    )


def _fetch_outlook(source: ContactSourceSettings, request: FetchRequest) -> FetchResult:
    from parley.contacts.cloud_sources import fetch_outlook

    return fetch_outlook(
        source,
        request.tokens,
        timeout=request.timeout,
        password=request.password,
        proxy=request.proxy,
    )


FETCHERS: dict[SourceKind, Fetcher] = {
    SourceKind.XML_PHONEBOOK: _fetch_xml,
    SourceKind.WINDOWS: _fetch_windows,
    SourceKind.LDAP: _fetch_ldap,
    SourceKind.CARDDAV: _fetch_carddav,
    SourceKind.CSV: _fetch_csv,
    SourceKind.GOOGLE: _fetch_google,
    SourceKind.OUTLOOK: _fetch_outlook,
}
SEARCHERS: dict[SourceKind, Searcher] = {SourceKind.LDAP: _search_ldap}
SIGNATURES: dict[SourceKind, Signature] = {
    SourceKind.WINDOWS: _windows_signature,
    SourceKind.CSV: _csv_signature,
}


def _where(source: ContactSourceSettings) -> str:
    return source.location or source.host or (str(source.folder) if source.folder else source.id)


def _unsupported(source: ContactSourceSettings, detail: str) -> FetchResult:
    return FetchResult(
        failed=True, issues=(SourceIssue(SourceProblem.UNSUPPORTED, source.kind.value, detail),)
    )


def run_with_deadline(
    work: Callable[[], FetchResult], timeout: float, where: str = ""
) -> FetchResult:
    """`work()` in a thread of its own, given up after `timeout` seconds (its thread is
    left to end by itself; what it returns then is dropped). Exceptions become a failed
    result: nothing from outside raises through here."""
    box: list[FetchResult] = []

    def run() -> None:
        try:
            box.append(work())
        except ModuleNotFoundError as exc:
            box.append(
                FetchResult(
                    failed=True,
                    issues=(SourceIssue(SourceProblem.UNSUPPORTED, where, str(exc)),),
                )
            )
        except Exception as exc:  # a fetcher's bug must not stop the others
            log.exception("contact source fetch failed")
            box.append(
                FetchResult(
                    failed=True,
                    issues=(SourceIssue(SourceProblem.UNREACHABLE, where, repr(exc)),),
                )
            )

    thread = threading.Thread(target=run, name="parley-source-fetch", daemon=True)
    thread.start()
    thread.join(timeout)
    if box:
        return box[0]
    return FetchResult(
        failed=True,
        issues=(SourceIssue(SourceProblem.UNREACHABLE, where, f"no answer within {timeout:g} s"),),
    )


# --- the sources -----------------------------------------------------------------------


class LocalSource:
    """Parley's own contacts (the built-in source)."""

    def __init__(self, settings: ContactSourceSettings, store: ContactStore) -> None:
        self.settings = settings
        self.store = store

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def kind(self) -> SourceKind:
        return SourceKind.LOCAL

    def contacts(self) -> Sequence[Contact]:
        return self.store.list()

    def search(self, text: str, limit: int = 200) -> Sequence[Contact]:
        return self.store.list(search=text)[:limit]

    def lookup(self, number: str) -> Contact | None:
        return self.store.lookup_number(number)

    def status(self) -> SourceStatus:
        return SourceStatus(SyncState.OK, count=self.store.count())


class RemoteSource:
    """A source read through its cache; the registry's worker fills the cache."""

    def __init__(self, settings: ContactSourceSettings, cache: ContactCache) -> None:
        self.settings = settings
        self.cache = cache
        self._lock = threading.Lock()
        synced = cache.synced_at
        self._status = (
            SourceStatus(SyncState.OK, count=cache.count(), synced_at=synced)
            if synced is not None
            else SourceStatus()
        )
        self.next_due = 0.0  # monotonic time of the next periodic sync
        self.next_check = 0.0  # monotonic time of the next cheap change check

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def kind(self) -> SourceKind:
        return self.settings.kind

    def contacts(self) -> Sequence[Contact]:
        return self.cache.contacts()

    def search(self, text: str, limit: int = 200) -> Sequence[Contact]:
        return self.cache.search(text, limit)

    def lookup(self, number: str) -> Contact | None:
        return self.cache.lookup(number)

    def status(self) -> SourceStatus:
        with self._lock:
            return self._status

    def set_status(self, status: SourceStatus) -> None:
        with self._lock:
            self._status = status


Source = LocalSource | RemoteSource


@dataclass(frozen=True)
class SourceMatch:
    """Who a number belongs to, and which source said so."""

    contact: Contact
    source_id: str
    source_name: str
    kind: SourceKind


@dataclass(frozen=True)
class ListedContact:
    """A contact of the address book with the source it comes from."""

    contact: Contact
    source_id: str
    source_name: str
    kind: SourceKind

    @property
    def local(self) -> bool:
        return self.kind is SourceKind.LOCAL


StatusCallback = Callable[[str, SourceStatus], None]


class ContactSources:
    """Every contact source of the settings, in their order.

    `data_dir`: where the caches live (None: in memory, for tests). `fetchers`,
    `searchers`, `signatures`: the tables of what fetches each kind (default: the real
    modules). `password_of(source)`: the source's password (the keyring). `on_status`
    hears every status change, on the worker thread. `fetch_timeout`: the deadline of
    one fetch. `check_interval`: how often sources with a cheap change check (a
    folder's signature) are looked at between their periodic synchronisations.
    """

    def __init__(
        self,
        sources: Sequence[ContactSourceSettings],
        local: ContactStore,
        *,
        data_dir: Path | str | None = None,
        default_region: str | None = None,
        fetchers: Mapping[SourceKind, Fetcher] | None = None,
        searchers: Mapping[SourceKind, Searcher] | None = None,
        signatures: Mapping[SourceKind, Signature] | None = None,
        password_of: Callable[[ContactSourceSettings], str | None] = lambda _s: None,
        on_status: StatusCallback | None = None,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        check_interval: float = CHECK_INTERVAL,
        clock: Callable[[], float] = time.time,
        token_store: Any = None,
    ) -> None:
        self.local_store = local
        # OAuth tokens of the sign-in sources (a TokenStore; None: the keyring's, made
        # when first needed). The settings' "Generate token" page stores into the same.
        self._token_store = token_store
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.default_region = default_region
        self.http_proxy: str | None = None  # [automation] http_proxy, set by the app
        self.fetchers = dict(FETCHERS if fetchers is None else fetchers)
        self.searchers = dict(SEARCHERS if searchers is None else searchers)
        self.signatures = dict(SIGNATURES if signatures is None else signatures)
        self.password_of = password_of
        self.fetch_timeout = fetch_timeout
        self.check_interval = check_interval
        self.clock = clock
        self._listeners: list[StatusCallback] = [on_status] if on_status else []
        self._lock = threading.RLock()
        self._sources: list[Source] = []
        self._memo: OrderedDict[str, SourceMatch | None] = OrderedDict()
        self._epoch = 0  # counts changes of any source (see `lookup`)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._stopping = False
        self._unlisten = local.on_change(self._forget_lookups)
        self.configure(sources)

    @property
    def token_store(self) -> Any:
        """The TokenStore the sign-in sources' tokens are kept in and read from."""
        with self._lock:
            if self._token_store is None:
                from parley.contacts.oauth_device import TokenStore

                self._token_store = TokenStore()
            return self._token_store

    # ------------------------------------------------------------------ sources

    def configure(self, sources: Sequence[ContactSourceSettings]) -> None:
        """Take the (new) settings: keep the caches of sources still there, open those of
        new ones, close the others; changed or new remote sources synchronise soon."""
        with self._lock:
            old = {s.id: s for s in self._sources}
            new: list[Source] = []
            for settings in sources:
                previous = old.pop(settings.id, None)
                if settings.kind is SourceKind.LOCAL:
                    new.append(LocalSource(settings, self.local_store))
                    continue
                if isinstance(previous, RemoteSource) and previous.kind is settings.kind:
                    changed = previous.settings != settings
                    previous.settings = settings
                    if changed:
                        previous.next_due = 0.0
                        self._forget_sync_state(previous)
                    new.append(previous)
                    continue
                if isinstance(previous, RemoteSource):
                    previous.cache.close()
                new.append(RemoteSource(settings, self._open_cache(settings)))
            for gone in old.values():
                if isinstance(gone, RemoteSource):
                    gone.cache.close()
            self._sources = new
            self._memo.clear()
            self._epoch += 1
        self._wake.set()

    @staticmethod
    def _forget_sync_state(source: RemoteSource) -> None:
        # Another URL or login: the next sync starts afresh (the contacts answer on).
        if source.cache.sync_state is None:
            return
        try:
            source.cache.mark_unchanged(sync_state="", synced_at=source.cache.synced_at)
        except StoreError:
            log.exception("the sync state of contact source %r was not reset", source.id)

    def _open_cache(self, settings: ContactSourceSettings) -> ContactCache:
        path: Path | str = (
            self.data_dir / cache_file_name(settings.id)
            if self.data_dir is not None
            else ":memory:"
        )
        try:
            return ContactCache(path, default_region=self.default_region)
        except StoreError:
            log.exception("the cache of contact source %r cannot be used", settings.id)
            return ContactCache(":memory:", default_region=self.default_region)

    def all(self) -> list[Source]:
        """Every source of the settings, enabled or not, in order."""
        with self._lock:
            return list(self._sources)

    def enabled(self) -> list[Source]:
        """The enabled sources, the local one first, then the others in order."""
        sources = [s for s in self.all() if s.settings.enabled]
        return sorted(sources, key=lambda s: s.kind is not SourceKind.LOCAL)

    def get(self, source_id: str) -> Source:
        for source in self.all():
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def status(self, source_id: str) -> SourceStatus:
        return self.get(source_id).status()

    def on_status(self, callback: StatusCallback) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    # ------------------------------------------------------------------ reading

    def list_contacts(self, search: str = "", limit: int = 500) -> list[ListedContact]:
        """The address book: the contacts of every enabled source (local first), each
        source's filters applied, answered from the caches; at most `limit` of each remote
        source (a 100,000-entry phone book is searched, not scrolled)."""
        out: list[ListedContact] = []
        for source in self.enabled():
            s = source.settings
            try:
                if isinstance(source, LocalSource):
                    found: Sequence[Contact] = source.store.list(
                        search=search,
                        hide_without_name=s.hide_without_name,
                        hide_without_number=s.hide_without_number,
                    )
                else:
                    found = filter_contacts(
                        source.search(search, limit)
                        if search.strip()
                        else source.cache.contacts(limit),
                        hide_without_name=s.hide_without_name,
                        hide_without_number=s.hide_without_number,
                    )
            except StoreError:
                log.exception("contact source %r cannot be read", s.id)
                continue
            out += [ListedContact(c, s.id, s.name, s.kind) for c in found]
        return out

    def lookup(self, number: str) -> SourceMatch | None:
        """Who `number` belongs to: the local contacts first, then each enabled source in
        order; spellings that normalise alike match. Remembered until a source changes;
        gives up after `LOOKUP_BUDGET` seconds (a caller's name is not worth a stall)."""
        key = number.strip()
        if not key:
            return None
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
            epoch = self._epoch  # a change while we look makes the answer unfit to keep
        started = time.monotonic()
        found: SourceMatch | None = None
        complete = True
        for source in self.enabled():
            if time.monotonic() - started > LOOKUP_BUDGET:
                log.warning("caller look-up of %s stopped: over %.1f s", key, LOOKUP_BUDGET)
                complete = False
                break
            try:
                contact = source.lookup(key)
            except StoreError:
                log.exception("contact source %r cannot be read", source.id)
                continue
            if contact is not None:
                s = source.settings
                found = SourceMatch(contact, s.id, s.name, s.kind)
                break
        if complete or found is not None:
            with self._lock:
                if epoch != self._epoch:
                    return found
                self._memo[key] = found
                while len(self._memo) > _MEMO_SIZE:
                    self._memo.popitem(last=False)
        return found

    def _forget_lookups(self) -> None:
        with self._lock:
            self._memo.clear()
            self._epoch += 1

    def refine(
        self, source_id: str, text: str, limit: int, done: Callable[[list[Contact]], None]
    ) -> bool:
        """Ask a searching source (LDAP) for `text` on its server, in a thread; `done`
        gets what it found (not called when the search failed). False when the source
        does not search on its server."""
        source = self.get(source_id)
        searcher = self.searchers.get(source.kind)
        if searcher is None or not isinstance(source, RemoteSource) or not text.strip():
            return False
        settings = source.settings

        def work() -> None:
            request = FetchRequest(
                password=self._password(settings),
                timeout=self.fetch_timeout,
                region=self.default_region,
                proxy=self.http_proxy,
            )
            result = run_with_deadline(
                lambda: searcher(settings, request, text, limit), self.fetch_timeout, settings.id
            )
            if not result.failed:
                done(list(result.contacts))

        threading.Thread(target=work, name="parley-source-search", daemon=True).start()
        return True

    # ------------------------------------------------------------------ synchronising

    def start(self) -> None:
        """Start the worker: every enabled remote source synchronises now."""
        with self._lock:
            if self._worker is not None:
                return
            self._stopping = False
            self._worker = threading.Thread(
                target=self._run, name="parley-contact-sources", daemon=True
            )
        self._worker.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the worker (a fetch under way is abandoned) and close the caches."""
        with self._lock:
            worker, self._worker = self._worker, None
            self._stopping = True
        self._queue.put(None)
        self._wake.set()
        if worker is not None:
            worker.join(timeout)
        self._unlisten()
        for source in self.all():
            if isinstance(source, RemoteSource):
                source.cache.close()

    def sync(self, source_id: str | None = None) -> None:
        """Synchronise one source (or every enabled remote one) as soon as possible."""
        ids = (
            [source_id]
            if source_id
            else [s.id for s in self.enabled() if isinstance(s, RemoteSource)]
        )
        for sid in ids:
            self._queue.put(sid)
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            wanted: list[str] = []
            try:
                while True:
                    item = self._queue.get_nowait()
                    if item is None:
                        return
                    if item not in wanted:
                        wanted.append(item)
            except queue.Empty:
                pass
            now = time.monotonic()
            for source in self.enabled():
                if not isinstance(source, RemoteSource) or source.id in wanted:
                    continue
                minutes = source.settings.refresh_minutes
                if source.next_due == 0.0 or (minutes and now >= source.next_due):
                    wanted.append(source.id)
                elif self._changed_since_sync(source, now):
                    wanted.append(source.id)  # watched: the folder changed
            for sid in wanted:
                if self._stopping:
                    return
                try:
                    source = self.get(sid)
                except KeyError:
                    continue
                if isinstance(source, RemoteSource):
                    self.sync_now(source)
            self._wake.clear()
            self._wake.wait(self._next_wait())

    def _changed_since_sync(self, source: RemoteSource, now: float) -> bool:
        sign = self.signatures.get(source.kind)
        if sign is None or now < source.next_check:
            return False
        source.next_check = now + self.check_interval
        settings = source.settings
        box = run_with_deadline(
            lambda: FetchResult(etag=sign(settings)), self.fetch_timeout, settings.id
        )
        return box.etag is not None and box.etag != source.cache.signature

    def _next_wait(self) -> float:
        if not self._queue.empty():
            return 0.0
        now = time.monotonic()
        waits = [60.0]
        for source in self.enabled():
            if isinstance(source, RemoteSource) and source.settings.refresh_minutes:
                waits.append(max(0.0, source.next_due - now))
            if isinstance(source, RemoteSource) and source.kind in self.signatures:
                waits.append(max(0.0, source.next_check - now))
        return min(waits)

    def sync_now(self, source: RemoteSource) -> SourceStatus:
        """Fetch `source` and store what came (on the calling thread; the worker's job)."""
        settings = source.settings
        minutes = settings.refresh_minutes
        source.next_due = time.monotonic() + (minutes * 60 if minutes else 10**9)
        before = source.status()
        self._report(source, replace(before, state=SyncState.SYNCING, progress=None))
        result, signature = self._fetch(source)
        if result.failed:
            status = replace(
                before,
                state=SyncState.FAILED,
                count=source.cache.count(),
                issues=result.issues,
                progress=None,
            )
        else:
            now = self.clock()
            try:
                if result.not_modified:
                    source.cache.mark_unchanged(
                        etag=result.etag,
                        last_modified=result.last_modified,
                        signature=signature,
                        synced_at=now,
                        sync_state=result.state,
                    )
                else:
                    total = len(result.contacts)
                    syncing = replace(before, state=SyncState.SYNCING)

                    def stored(done: int) -> None:
                        self._report(source, replace(syncing, progress=(done, total)))

                    stored(0)
                    source.cache.replace_all(
                        result.contacts,
                        etag=result.etag,
                        last_modified=result.last_modified,
                        signature=signature,
                        synced_at=now,
                        progress=stored,
                        sync_state=result.state,
                    )
                status = SourceStatus(
                    SyncState.OK, count=source.cache.count(), synced_at=now, issues=result.issues
                )
            except StoreError as exc:
                status = replace(
                    before,
                    state=SyncState.FAILED,
                    issues=(SourceIssue(SourceProblem.BAD_DATA, "cache", str(exc)),),
                    progress=None,
                )
            self._forget_lookups()
        self._report(source, status)
        return status

    def _fetch(self, source: RemoteSource) -> tuple[FetchResult, str | None]:
        settings = source.settings
        missing = settings.missing()
        if missing:
            return (
                FetchResult(
                    failed=True,
                    issues=tuple(
                        SourceIssue(SourceProblem.NOT_SET_UP, key, problem)
                        for key, problem in zip(missing, settings.problems(), strict=False)
                    ),
                ),
                None,
            )
        fetcher = self.fetchers.get(settings.kind)
        if fetcher is None:
            return _unsupported(settings, "no fetcher for this kind"), None
        signature: str | None = None
        sign = self.signatures.get(settings.kind)
        if sign is not None:
            box = run_with_deadline(
                lambda: FetchResult(etag=sign(settings)), self.fetch_timeout, settings.id
            )
            signature = box.etag
            if signature is not None and signature == source.cache.signature:
                return FetchResult(not_modified=True), signature
        try:
            password = self._password(settings)
        except Exception as exc:  # a locked keyring: the fetch says so
            return (
                FetchResult(
                    failed=True,
                    issues=(SourceIssue(SourceProblem.AUTH_FAILED, "keyring", str(exc)),),
                ),
                None,
            )
        request = FetchRequest(
            password=password,
            etag=source.cache.etag,
            last_modified=source.cache.last_modified,
            timeout=self.fetch_timeout,
            region=self.default_region,
            proxy=self.http_proxy,
            state=source.cache.sync_state,
            tokens=self.token_store if settings.kind in WITH_SIGN_IN else None,
        )
        # The fetcher has its own time-outs; the deadline (a little later) is the promise.
        result = run_with_deadline(
            lambda: fetcher(settings, request), self.fetch_timeout + 1.0, _where(settings)
        )
        return result, signature

    def _password(self, settings: ContactSourceSettings) -> str | None:
        return self.password_of(settings)

    def _report(self, source: RemoteSource, status: SourceStatus) -> None:
        source.set_status(status)
        for callback in list(self._listeners):
            try:
                callback(source.id, status)
            except Exception:
                log.exception("contact source listener failed")
