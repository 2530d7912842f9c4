"""The presence facade (`app.presence`): our presence state and the people we watch.

`set_state`, `watch` and `unwatch` run on the engine and return
`concurrent.futures.Future`s; `state()` and `watched()` may be read on any thread.
A state chosen is also saved as `functions.presence`/`presence_note` in the settings
file (through `Configuration.update_settings`, as every settings change), so that it is
kept across restarts. The contacts' presence addresses are watched too: given to the
phone when it starts and again whenever the contacts change. So are the contacts of the
contact sources that have a presence account (`app.source_presence` says which address
and through which account): again whenever such a source has synchronised and whenever
the settings change (a presence account chosen, changed or taken away).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading

from parley.app.accounts import Configuration
from parley.app.contact_sources import ContactSourceChanged
from parley.app.context import AppContext, AppError, done, failed
from parley.app.events import SettingsApplied
from parley.app.source_presence import SCAN_PER_SOURCE, SourceWatch, WatchPlan, plan_watches
from parley.contacts.registry import ContactSources
from parley.contacts.source import SourceKind
from parley.contacts.store import ContactStore
from parley.history.db import StoreError
from parley.phone.events import PhoneEvent, PresenceChanged
from parley.phone.subscriptions import SubscriptionError
from parley.settings import ConfigError
from parley.sip.pidf import PresenceState

log = logging.getLogger(__name__)

__all__ = ["STATES", "Presence"]

# The words of the console and the settings file, in the manual's order.
STATES = tuple(s.value for s in PresenceState)


class Presence:
    """[app.presence] Our state (published, saved) and the watched addresses."""

    def __init__(
        self,
        ctx: AppContext,
        configuration: Configuration,
        contacts: ContactStore,
        sources: ContactSources | None = None,
    ) -> None:
        self._ctx = ctx
        self._configuration = configuration
        self._contacts = contacts
        self._sources = sources
        self._lock = threading.Lock()
        f = configuration.settings.functions
        self._state = PresenceState(f.presence)
        self._note = f.presence_note or ""
        self._watched: dict[str, PresenceChanged] = {}
        contacts.on_change(self._contacts_changed)

    # ------------------------------------------------------------------ our state

    def state(self) -> tuple[PresenceState, str]:
        """The state chosen and its note (any thread)."""
        with self._lock:
            return self._state, self._note

    def set_state(
        self, state: PresenceState | str, note: str = ""
    ) -> concurrent.futures.Future[None]:
        """Choose our state: published and told to watchers at once, saved in the
        settings file. A word that is no state fails the future (AppError)."""
        try:
            chosen = PresenceState(state)
        except ValueError:
            return failed(AppError(f"no presence state {state!r}; one of: {', '.join(STATES)}"))
        note = note.strip()
        with self._lock:
            self._state, self._note = chosen, note
        self._save(chosen, note)
        try:
            self._ctx.phone()
        except AppError:
            return done()  # not started: the phone takes it from the settings
        return self._ctx.engine.submit(self._on_engine, chosen, note)

    def _on_engine(self, state: PresenceState, note: str) -> None:
        self._ctx.phone().presence.set_state(state, note)

    def _save(self, state: PresenceState, note: str) -> None:
        settings = self._configuration.settings
        f = settings.functions
        if f.presence == state.value and (f.presence_note or "") == note:
            return
        new = settings.model_copy(deep=True)
        new.functions.presence = state.value
        new.functions.presence_note = note or None
        try:
            self._configuration.update_settings(new)
        except ConfigError as exc:  # the state still changes; only keeping it failed
            log.warning("the presence state could not be saved: %s", exc)

    # ------------------------------------------------------------------ watching

    def watch(self, uri: str) -> concurrent.futures.Future[None]:
        """Watch the presence of `uri` (a SIP address, or a number on the domain of
        each account that subscribes presence)."""
        if not uri.strip():
            return failed(AppError("watch whom? e.g. 'watch 1002' or 'watch sip:1002@pbx'"))
        return self._engine(lambda p: p.watch(uri))

    def unwatch(self, uri: str) -> concurrent.futures.Future[None]:
        return self._engine(lambda p: p.unwatch(uri))

    def watched(self) -> dict[str, PresenceChanged]:
        """The last known presence per watched address (any thread)."""
        with self._lock:
            return dict(self._watched)

    def _engine(self, action: object) -> concurrent.futures.Future[None]:
        def run() -> None:
            presence = self._ctx.phone().presence
            try:
                action(presence)  # type: ignore[operator]
            except SubscriptionError as exc:
                raise AppError(str(exc)) from exc
            known = presence.watched()
            with self._lock:
                self._watched = known

        return self._ctx.engine.submit(run)

    # ------------------------------------------------------------------ the application's

    def on_event(self, event: PhoneEvent) -> None:
        """Every phone event (engine thread), before the front-ends hear it."""
        if isinstance(event, PresenceChanged) and not event.own:
            with self._lock:
                self._watched[event.uri] = event

    def contact_addresses(self) -> list[str]:
        """The presence addresses of the local contacts watched through every account
        that subscribes presence (all of them, unless the local source has a presence
        account of its own)."""
        return sorted(self.plan().everywhere)

    def plan(self) -> WatchPlan:
        """What the contacts and the contact sources want watched, and through which
        account (read from the stores and the sources' caches)."""
        settings = self._configuration.settings
        read: list[SourceWatch] = []
        for source in settings.contacts.sources:
            try:
                if source.kind is SourceKind.LOCAL:
                    contacts = self._contacts.list()
                elif source.presence_account and source.enabled and self._sources is not None:
                    contacts = list(self._sources.get(source.id).search("", SCAN_PER_SOURCE))
                else:
                    continue
            except KeyError:
                continue  # not in the registry yet (it follows the settings)
            except StoreError:
                log.exception("the contacts of source %r could not be read", source.id)
                continue
            read.append(SourceWatch(source, contacts))
        return plan_watches(settings, read)

    def phone_started(self) -> None:
        """On the engine, once the phone runs: watch the contacts."""
        self._give(self.plan())

    def _give(self, plan: WatchPlan) -> None:
        """On the engine: hand the phone what to watch."""
        try:
            presence = self._ctx.phone().presence
        except AppError:
            return  # not started: phone_started gives them
        presence.set_contacts(plan.everywhere, plan.by_account)
        known = presence.watched()
        with self._lock:
            self._watched = known

    def _contacts_changed(self) -> None:
        plan = self.plan()
        if self._ctx.engine.running:
            self._ctx.engine.submit(self._give, plan)

    def on_app_event(self, event: PhoneEvent) -> None:
        """The application's events (engine thread, or the caller's before the engine
        runs): a source that synchronised, or new settings, may change what is watched."""
        synced = (
            isinstance(event, ContactSourceChanged)
            and event.state == "ok"
            and self._watched_through_account(event.source)
        )
        if synced or isinstance(event, SettingsApplied):
            self._contacts_changed()

    def _watched_through_account(self, source_id: str) -> bool:
        for source in self._configuration.settings.contacts.sources:
            if source.id == source_id:
                return bool(source.presence_account)
        return False
