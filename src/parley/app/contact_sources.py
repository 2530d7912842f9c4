"""The application's side of the contact sources: the registry made from the settings
(caches next to the contact store, passwords from the keyring), its status changes as
events on the one event stream, and new settings taken over when they are applied."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from parley.app.engine import Engine
from parley.contacts.cloud_sources import NoKeyring
from parley.contacts.oauth_device import TokenStore
from parley.contacts.registry import (
    DEFAULT_FETCH_TIMEOUT,
    ContactSources,
    Fetcher,
    Searcher,
    Signature,
)
from parley.contacts.source import SourceKind, SourceStatus
from parley.contacts.store import ContactStore
from parley.phone.events import PhoneEvent
from parley.settings.contact_sources import ContactSourceSettings, get_source_password
from parley.settings.model import Settings

log = logging.getLogger(__name__)


def outgoing_account(settings: Settings, source_id: str) -> str:
    """The source's "Use this account for outgoing calls" (calls and messages to its
    contacts) when that account is there and enabled; "" (the usual account) otherwise."""
    try:
        chosen = settings.contacts.source(source_id).outgoing_account
    except KeyError:
        return ""
    for account in settings.accounts:
        if chosen and account.name.casefold() == chosen.casefold() and account.enabled:
            return account.name
    return ""


@dataclass(frozen=True)
class ContactSourceChanged(PhoneEvent):
    """A contact source's synchronisation state changed. `state` is a `SyncState` value
    (never, syncing, ok, failed); `done`/`total` the progress while syncing (-1: not
    known); `problems` the `SourceProblem` codes of the last fetch with their `wheres`
    and `details` (the front-ends word them)."""

    source: str
    state: str
    count: int
    synced_at: float | None
    done: int = -1
    total: int = -1
    problems: tuple[str, ...] = ()
    wheres: tuple[str, ...] = ()
    details: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "contact_source"


def status_event(source_id: str, status: SourceStatus) -> ContactSourceChanged:
    done, total = status.progress if status.progress is not None else (-1, -1)
    return ContactSourceChanged(
        source=source_id,
        state=status.state.value,
        count=status.count,
        synced_at=status.synced_at,
        done=done,
        total=total,
        problems=tuple(i.problem.value for i in status.issues),
        wheres=tuple(i.where for i in status.issues),
        details=tuple(i.detail for i in status.issues),
    )


@dataclass(frozen=True)
class SourceTables:
    """What fetches each kind of source (tests give fakes; None: the real modules)."""

    fetchers: Mapping[SourceKind, Fetcher] | None = None
    searchers: Mapping[SourceKind, Searcher] | None = None
    signatures: Mapping[SourceKind, Signature] | None = None


def make_contact_sources(
    settings: Settings,
    store: ContactStore,
    *,
    cache_dir: Path | None,
    default_region: str | None,
    engine: Engine,
    dispatch: Callable[[PhoneEvent], None],
    use_keyring: bool,
    tables: SourceTables | None = None,
    fetch_timeout: float | None = None,
    memory_passwords: Mapping[str, str] | None = None,
) -> ContactSources:
    """The registry of `settings`' sources; status changes reach `dispatch` on the
    engine thread (directly while the engine is not running)."""

    def report(source_id: str, status: SourceStatus) -> None:
        event = status_event(source_id, status)
        if engine.running:
            engine.submit(dispatch, event)
        else:
            dispatch(event)

    def password_of(source: ContactSourceSettings) -> str | None:
        # One written in the settings file is used as given (as an account's), the
        # keyring only when it is in use.
        if source.password is not None:
            return source.password.get_secret_value()
        if memory_passwords is not None and source.id in memory_passwords:
            return memory_passwords[source.id]  # e.g. a provisioning profile's
        return get_source_password(source) if use_keyring else None

    tables = tables or SourceTables()
    registry = ContactSources(
        settings.contacts.sources,
        store,
        data_dir=cache_dir,
        default_region=default_region,
        fetchers=tables.fetchers,
        searchers=tables.searchers,
        signatures=tables.signatures,
        password_of=password_of,
        on_status=report,
        fetch_timeout=fetch_timeout if fetch_timeout is not None else DEFAULT_FETCH_TIMEOUT,
        token_store=None if use_keyring else TokenStore(NoKeyring()),
    )
    registry.http_proxy = settings.automation.http_proxy
    return registry
