"""The presence facade (`app.presence`): our presence state and the people we watch.

`set_state`, `watch` and `unwatch` run on the engine and return
`concurrent.futures.Future`s; `state()` and `watched()` may be read on any thread.
A state chosen is also saved as `functions.presence`/`presence_note` in the settings
file (through `Configuration.update_settings`, as every settings change), so that it is
kept across restarts. The contacts' presence addresses are watched too: given to the
phone when it starts and again whenever the contacts change.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading

from parley.app.accounts import Configuration
from parley.app.context import AppContext, AppError, done, failed
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
        self, ctx: AppContext, configuration: Configuration, contacts: ContactStore
    ) -> None:
        self._ctx = ctx
        self._configuration = configuration
        self._contacts = contacts
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
        """The presence addresses of the local contacts."""
        try:
            return sorted({c.presence for c in self._contacts.list() if c.presence})
        except StoreError:
            log.exception("the contacts' presence addresses could not be read")
            return []

    def phone_started(self) -> None:
        """On the engine, once the phone runs: watch the contacts."""
        self._ctx.phone().presence.set_contacts(self.contact_addresses())

    def _contacts_changed(self) -> None:
        addresses = self.contact_addresses()

        def run() -> None:
            try:
                presence = self._ctx.phone().presence
            except AppError:
                return  # not started: phone_started gives them
            presence.set_contacts(addresses)
            known = presence.watched()
            with self._lock:
                self._watched = known

        if self._ctx.engine.running:
            self._ctx.engine.submit(run)
