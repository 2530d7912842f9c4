"""Presence for the phone (RFC 3856 presence, RFC 3863 PIDF, RFC 3903 PUBLISH): our own
state for others, and the state of the people we watch.

Our state is what the person chose (`functions.presence` and `presence_note` at start,
`set_state` afterwards), and what others see of it:

- for each account with `publish_presence`, our PIDF (`sip.pidf.build`, one tuple id per
  account that stays the same across restarts) is PUBLISHed once the account has
  registered, modified on each change, and removed at stop (`phone.publications`);
- Invisible and Offline publish `basic` closed: watchers see us offline, while our own
  subscriptions go on (we still see them); invisible publishes no note either;
- "On the phone" is shown automatically while a call is connected or held, when
  `functions.presence_on_the_phone` is on and we are not invisible or offline; the
  chosen state comes back when the last call ends;
- SUBSCRIBEs to our presence that reach us (no presence server on the way: a PBX without
  one routes them to the phone, or a colleague's phone subscribes directly) are always
  answered here — with the same PIDF, and a NOTIFY to each watcher on every change.
  A server that does handle presence never lets them through, so serving always is
  harmless; the same trust rule as for calls applies (from the account's server, or from
  anywhere only with `functions.allow_direct_calls`). When a PUBLISH is answered 489, 404,
  405 or 501 (no presence server there), that account stops publishing and relies on this.

Watching: every address in `watched` (explicit `watch`es plus the contacts' presence
addresses the application passes with `set_contacts`) is subscribed ("presence", Accept
application/pidf+xml) through each account with `subscribe_presence`. The contacts of
a source with a presence account of its own (`set_contacts`' `by_account`) are subscribed
through that account only, whether or not it has `subscribe_presence` (the source chose
it). Each NOTIFY body is parsed; an empty body (Kamailio's first NOTIFY for a presentity
that published nothing) is offline; a body that is no presence document is refused with
a logged reason and the last state is kept. A `PresenceChanged` goes out per watched
address when its state or note changes. Our own state is told as
`PresenceChanged(own=True)` with what watchers see.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.net.address import Source
from parley.phone.events import (
    AccountStateChanged,
    CallStateChanged,
    PhoneEvent,
    PresenceChanged,
    PublicationChanged,
    SubscriptionStatus,
)
from parley.phone.incoming import trusted_source
from parley.phone.publications import Publication, Publications
from parley.phone.subscriptions import (
    Notice,
    Subscription,
    SubscriptionError,
    Subscriptions,
    Watcher,
)
from parley.settings.model import Settings
from parley.sip.pidf import CONTENT_TYPE, PidfError, PresenceState, build, parse
from parley.sip.publication import PubState
from parley.sip.registration import RegState

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = ["NO_PRESENCE_SERVER", "PACKAGE", "Presence", "PresenceContext", "tuple_id"]

PACKAGE = "presence"
# Answers to PUBLISH that mean "nobody here keeps presence" (RFC 3903 §6, RFC 6665 §8.3).
NO_PRESENCE_SERVER = frozenset({404, 405, 489, 501})
_HIDDEN = (PresenceState.INVISIBLE, PresenceState.OFFLINE)


@dataclass(frozen=True)
class PresenceContext:
    """What presence may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    settings: Callable[[], Settings]
    accounts: Callable[[], Mapping[str, Account]]
    calls: Callable[[], Iterable[Call]]
    publications: Publications
    subscriptions: Subscriptions


def tuple_id(account: Account) -> str:
    """Our PIDF tuple id for `account`: the same at every start (a server aggregating
    several devices keeps one tuple per id), an XML ID."""
    seed = f"{account.name}\n{account.registration.aor}".encode()
    return "parley-" + hashlib.sha1(seed, usedforsecurity=False).hexdigest()[:10]


def watch_key(uri: str) -> str:
    """How a watched address is kept: as typed, without spaces or angle brackets."""
    return uri.strip().strip("<>").strip()


class Presence:
    """Our presence (published and served) and the presence of the watched addresses."""

    def __init__(self, ctx: PresenceContext) -> None:
        self.ctx = ctx
        f = ctx.settings().functions
        self.chosen = PresenceState(f.presence)
        self.note = f.presence_note or ""
        self._shown: tuple[PresenceState, str] | None = None  # what watchers were told
        self._pubs: dict[str, Publication] = {}  # account name -> its publication
        self._no_server: set[str] = set()  # accounts whose server keeps no presence
        self._watchers: list[Watcher] = []
        self._explicit: set[str] = set()
        self._contacts: set[str] = set()
        self._by_account: dict[str, set[str]] = {}  # account name -> its sources' contacts
        self._subs: dict[tuple[str, str], Subscription] = {}  # (account, key) -> ours
        self._known: dict[str, PresenceChanged] = {}  # subscribed uri -> last state
        self._on_call = False
        ctx.subscriptions.serve(PACKAGE, self._on_subscribe)

    # ------------------------------------------------------------------ our state

    def state(self) -> tuple[PresenceState, str]:
        """The state the person chose, and the note."""
        return self.chosen, self.note

    def effective(self) -> PresenceState:
        """What watchers see: on the phone during a call (where wanted), else the choice."""
        if self.chosen in _HIDDEN:
            return self.chosen
        if self._on_call and self.ctx.settings().functions.presence_on_the_phone:
            return PresenceState.ON_THE_PHONE
        return self.chosen

    def set_state(self, state: PresenceState | str, note: str = "") -> None:
        """Choose our state (and note); published and notified at once where it shows."""
        self.chosen = PresenceState(state)
        self.note = note.strip()
        self._changed(force_event=True)

    def shown_note(self) -> str:
        """The note watchers get: none while invisible (it would give us away)."""
        return "" if self.chosen is PresenceState.INVISIBLE else self.note

    def body_for(self, account: Account) -> bytes:
        """Our PIDF as `account`."""
        aor = str(account.registration.aor)
        return build(aor, self.effective(), self.shown_note(), tuple_id(account))

    def start(self) -> None:
        """Tell the front-ends our state (the phone has started)."""
        self._changed(force_event=True)

    def _changed(self, *, force_event: bool = False) -> None:
        shown = (self.effective(), self.shown_note())
        if shown != self._shown:
            self._shown = shown
            for name, pub in list(self._pubs.items()):
                account = self.ctx.accounts().get(name)
                if account is not None and pub.state not in (PubState.REMOVED, PubState.FAILED):
                    pub.modify(self.body_for(account))
            for watcher in list(self._watchers):
                if watcher.finished:
                    continue
                watcher.notify(self.body_for(watcher.account), CONTENT_TYPE)
            self._publish_missing()
        elif not force_event:
            return
        accounts = list(self.ctx.accounts().values())
        first = accounts[0] if accounts else None
        self.ctx.emit(
            PresenceChanged(
                uri=str(first.registration.aor) if first is not None else "",
                state=shown[0],
                note=self.note,
                account=first.name if first is not None else "",
                own=True,
            )
        )

    # ------------------------------------------------------------------ publishing

    def _publish_missing(self) -> None:
        """PUBLISH for each registered account that should and has no live publication."""
        for account in self.ctx.accounts().values():
            self._publish(account)

    def _publish(self, account: Account) -> None:
        if not account.settings.publish_presence or account.name in self._no_server:
            return
        if account.state is not RegState.REGISTERED:
            return
        pub = self._pubs.get(account.name)
        if pub is not None and pub.state not in (PubState.REMOVED, PubState.FAILED):
            return
        self._pubs[account.name] = self.ctx.publications.publish(
            account, PACKAGE, CONTENT_TYPE, self.body_for(account)
        )

    def _unpublish(self, name: str) -> None:
        pub = self._pubs.pop(name, None)
        if pub is not None and pub.state not in (PubState.REMOVED, PubState.FAILED):
            pub.remove()

    def _publication_changed(self, event: PublicationChanged) -> None:
        if event.package != PACKAGE or event.state is not SubscriptionStatus.FAILED:
            return
        if event.status in NO_PRESENCE_SERVER:
            log.info(
                "%s: no presence server (%s %s): watchers' subscriptions are answered here",
                event.account,
                event.status,
                event.reason,
            )
            self._no_server.add(event.account)
            self._pubs.pop(event.account, None)

    # ------------------------------------------------------------------ serving watchers

    def _on_subscribe(self, watcher: Watcher) -> None:
        settings = self.ctx.settings()
        source = watcher.incoming.tx.peer
        servers = [a.server for a in self.ctx.accounts().values() if a.server is not None]
        if not isinstance(source, Source) or not trusted_source(
            source, servers, allow_direct=settings.functions.allow_direct_calls
        ):
            log.info("presence SUBSCRIBE from %s refused: not from our server", watcher.subscriber)
            watcher.refuse(403)
            return
        self._watchers = [w for w in self._watchers if not w.finished]
        self._watchers.append(watcher)
        watcher.accept(self.body_for(watcher.account), CONTENT_TYPE)

    # ------------------------------------------------------------------ watching

    def watched(self) -> dict[str, PresenceChanged]:
        """The last known state per subscribed address."""
        return dict(self._known)

    def watching(self) -> set[str]:
        """Every address watched (as given)."""
        return self._explicit | self._contacts

    def watch(self, uri: str) -> None:
        key = watch_key(uri)
        if not key:
            raise SubscriptionError("watch which address?")
        self._explicit.add(key)
        self.sync()

    def unwatch(self, uri: str) -> None:
        self._explicit.discard(watch_key(uri))
        self.sync()

    def set_contacts(
        self, uris: Iterable[str], by_account: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        """The contacts' presence addresses (replacing the ones given before), and, when
        given, the addresses watched through one account each (contact sources with a
        presence account; replacing those given before)."""
        self._contacts = {k for k in (watch_key(u) for u in uris) if k}
        if by_account is not None:
            self._by_account = {
                name: keys
                for name, given in by_account.items()
                if (keys := {k for k in (watch_key(u) for u in given) if k})
            }
        self.sync()

    def sync(self) -> None:
        """Subscribe what should be and is not; unsubscribe what no longer should be."""
        accounts = self.ctx.accounts()
        wanted = {
            (name, key)
            for name, account in accounts.items()
            if account.settings.subscribe_presence
            for key in self.watching()
        }
        wanted |= {
            (name, key)
            for name, keys in self._by_account.items()
            if name in accounts
            for key in keys
        }
        for pair, sub in list(self._subs.items()):
            if pair not in wanted or sub.closed or pair[0] not in accounts:
                del self._subs[pair]
                if not sub.closed:
                    sub.close()
                if not any(s.uri == sub.uri for s in self._subs.values()):
                    self._known.pop(sub.uri, None)
        for name, key in sorted(wanted - self._subs.keys()):
            try:
                self._subs[(name, key)] = self.ctx.subscriptions.subscribe(
                    accounts[name], key, PACKAGE, [CONTENT_TYPE], self._on_notify
                )
            except SubscriptionError as exc:
                log.warning("%s: cannot watch %r: %s", name, key, exc)

    def _on_notify(self, notice: Notice) -> None:
        live = any(
            s.uri == notice.uri and s.account.name == notice.account and not s.closed
            for s in self._subs.values()
        )
        if not live:  # the last NOTIFY of one we no longer watch
            return
        if notice.body and notice.content_type and notice.content_type != CONTENT_TYPE:
            log.info("presence of %s: a %s body ignored", notice.uri, notice.content_type)
            return
        try:
            document = parse(notice.body)
        except PidfError as exc:
            log.warning("presence of %s refused: %s (last state kept)", notice.uri, exc)
            return
        before = self._known.get(notice.uri)
        if before is not None and (before.state, before.note) == (document.state, document.note):
            return
        event = PresenceChanged(
            uri=notice.uri, state=document.state, note=document.note, account=notice.account
        )
        self._known[notice.uri] = event
        self.ctx.emit(event)

    # ------------------------------------------------------------------ the phone's life

    def observe(self, event: PhoneEvent) -> None:
        """The phone's events: registrations (publish), calls (on the phone), refused
        publications (no presence server)."""
        if isinstance(event, CallStateChanged):
            ended = event.call if event.state == "ended" else None
            on_call = any(
                c.id != ended and not c.ended and c.state in ("connected", "held")
                for c in self.ctx.calls()
            )
            if on_call != self._on_call:
                self._on_call = on_call
                self._changed()
        elif isinstance(event, AccountStateChanged) and event.state is RegState.REGISTERED:
            account = self.ctx.accounts().get(event.account)
            if account is not None:
                self._publish(account)
                self.sync()
        elif isinstance(event, PublicationChanged):
            self._publication_changed(event)

    def apply_settings(self) -> None:
        """Accounts may have switched publishing or watching on or off, and "on the
        phone" may have been switched."""
        self._changed()
        for name in list(self._pubs):
            account = self.ctx.accounts().get(name)
            if account is None or not account.settings.publish_presence:
                self._unpublish(name)
        self._publish_missing()
        self.sync()

    def forget_account(self, name: str) -> None:
        """The account `name` is being removed (its publication goes with it)."""
        self._pubs.pop(name, None)
        self._no_server.discard(name)
        for pair in [p for p in self._subs if p[0] == name]:
            self._subs.pop(pair).close()
