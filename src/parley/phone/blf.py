"""BLF (Busy Lamp Field): colleagues' lines watched through RFC 4235 dialog-info, pickup
of a call ringing there, and our own line served to whoever watches it.

Watching: for each enabled account with `use_blf`, each of its `blf_extensions` (a
number on the account's domain, or a SIP URI) is subscribed to the "dialog" package
through `phone.subscriptions`; a line added at run time (`watch`) the same way. Each
NOTIFY is folded into the line's document (`sip.dialog_info.merge`, per subscription
dialog and notifier: a new dialog starts from None); a lost partial document (a
version gap) closes the subscription and subscribes anew; an empty body (Kamailio: the
line never published) means idle. A change is reported as `BlfChanged` with the line's
URI *as configured*, so the front-ends can match it. A subscription that fails or ends
shows the line as UNKNOWN. Settings changes (lines, `use_blf`, accounts) are applied by
`sync()`, which the phone calls when its settings or accounts change.

Pickup: `pickup(uri)` asks `phone.pickup.pickup_target` what to dial (the account's
pickup prefix and the extension, or the caller with Replaces) and dials it.

Serving: a SUBSCRIBE to "dialog" of one of our accounts (a PBX or a colleague's BLF)
from where calls are trusted (`incoming.trusted_source`: our servers, anyone only with
direct calls allowed; the identifiers let a watcher take a call) is accepted and told our calls on that account as full documents (`dialog_info.build`),
one version more at each change of a call.

`Blf` sees the phone only through its `BlfContext`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from parley.net.address import Source
from parley.phone.events import (
    BlfChanged,
    BlfState,
    CallPhase,
    CallStateChanged,
    PhoneEvent,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.phone.incoming import trusted_source
from parley.phone.outgoing import account_for
from parley.phone.pickup import PickupError, pickup_target
from parley.phone.subscriptions import Notice, Subscription, Subscriptions, Watcher
from parley.settings.model import Settings
from parley.sip import dialog_info
from parley.sip.dialog_info import (
    DIALOG_INFO_TYPE,
    BlfView,
    Dialog,
    DialogInfo,
    DialogInfoError,
    DialogState,
    Direction,
    MergeOutcome,
    Participant,
    Target,
)

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = ["PACKAGE", "Blf", "BlfContext", "BlfError", "PickupError", "call_dialog"]

PACKAGE = "dialog"
ACCEPT = (DIALOG_INFO_TYPE,)

# Which leg a line shows when forked notifiers disagree: the most urgent state.
_RANK = {
    BlfState.RINGING: 4,
    BlfState.BUSY: 3,
    BlfState.HELD: 2,
    BlfState.IDLE: 1,
    BlfState.UNKNOWN: 0,
}


class BlfError(ValueError):
    """A BLF command that cannot be carried out; the message says why."""


class Dial(Protocol):
    def __call__(
        self,
        target: str,
        account_name: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> Awaitable[Call]: ...


@dataclass(frozen=True)
class BlfContext:
    """What the BLF may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    settings: Callable[[], Settings]
    accounts: Callable[[], Mapping[str, Account]]
    subscriptions: Subscriptions
    dial: Dial
    calls: Callable[[], Iterable[Call]]


@dataclass
class _Line:
    """One watched line: `uri` as configured, the account watching it."""

    uri: str
    account: str
    configured: bool  # from the settings (False: `watch` at run time)
    sub: Subscription | None = None
    # (subscription dialog's Call-ID, notifier) -> its document; None: told, no body
    legs: dict[tuple[str, str], DialogInfo | None] = field(default_factory=dict)
    view: BlfView | None = None
    shown: BlfChanged | None = None


def _event(line: _Line, view: BlfView | None, state: BlfState) -> BlfChanged:
    dialog = view.dialog if view is not None else None
    caller = ""
    if view is not None and state is not BlfState.IDLE:
        address = view.caller_uri or view.caller
        display = dialog.remote.display if dialog is not None else ""
        caller = f'"{display}" <{address}>' if display and address else address
    return BlfChanged(
        uri=line.uri,
        state=state,
        caller=caller,
        account=line.account,
        call_id=dialog.call_id if dialog is not None else "",
        local_tag=dialog.local_tag if dialog is not None else "",
        remote_tag=dialog.remote_tag if dialog is not None else "",
    )


class Blf:
    """The BLF of all accounts: watched lines, pickup, and our own line served."""

    def __init__(self, ctx: BlfContext) -> None:
        self.ctx = ctx
        self._lines: list[_Line] = []
        self._watchers: list[tuple[Watcher, list[int]]] = []  # with its document version
        ctx.subscriptions.serve(PACKAGE, self._on_subscribe)

    # ------------------------------------------------------------------ lines

    def lines(self) -> list[BlfChanged]:
        """Every watched line's last state, configured lines first, in order."""
        return [
            line.shown or BlfChanged(uri=line.uri, state=BlfState.UNKNOWN, account=line.account)
            for line in self._lines
        ]

    def _wanted(self) -> list[tuple[str, str]]:
        """(account, uri) of each line the settings ask for, on accounts the phone has."""
        accounts = self.ctx.accounts()
        wanted: list[tuple[str, str]] = []
        for a in self.ctx.settings().accounts:
            if not (a.enabled and a.use_blf and a.name in accounts):
                continue
            for uri in a.blf_extensions:
                key = (a.name, uri.strip())
                if key[1] and key not in wanted:
                    wanted.append(key)
        return wanted

    def sync(self) -> None:
        """Make the watched lines what the settings and accounts say now: new lines are
        subscribed, lines no longer wanted (or whose account is gone) unsubscribed."""
        wanted = self._wanted()
        accounts = self.ctx.accounts()
        kept: list[_Line] = []
        for line in self._lines:
            key = (line.account, line.uri)
            stays = key in wanted if line.configured else line.account in accounts
            if stays and line.account in accounts:
                kept.append(line)
            else:
                self._close(line)
        have = {(line.account, line.uri) for line in kept}
        configured = [line for line in kept if line.configured]
        for key in wanted:
            if key not in have:
                line = _Line(key[1], key[0], configured=True)
                configured.append(line)
                self._subscribe(line)
            else:  # a line watched at run time that the settings now name too
                for line in kept:
                    if (line.account, line.uri) == key:
                        line.configured = True
                        if line not in configured:
                            configured.append(line)
        order = {key: i for i, key in enumerate(wanted)}
        configured.sort(key=lambda line: order.get((line.account, line.uri), len(order)))
        self._lines = configured + [line for line in kept if not line.configured]

    def watch(self, uri: str, account: str | None = None) -> BlfChanged:
        """Watch `uri` too (console `blf URI`), through `account` (default: the first
        with BLF on, else the first registered one); its state now."""
        uri = uri.strip()
        if not uri:
            raise BlfError("watch which line? e.g. 'blf 1003'")
        name = account or self._default_account()
        for line in self._lines:
            if line.uri == uri and line.account == name:
                return self.lines()[self._lines.index(line)]
        line = _Line(uri, name, configured=False)
        self._subscribe(line)
        self._lines.append(line)
        return self.lines()[-1]

    def _default_account(self) -> str:
        accounts = self.ctx.accounts()
        for a in self.ctx.settings().accounts:
            if a.enabled and a.use_blf and a.name in accounts:
                return a.name
        try:
            return account_for(accounts, None).name
        except ValueError as exc:
            raise BlfError(str(exc)) from exc

    def close(self) -> None:
        for line in self._lines:
            self._close(line)
        self._lines = []

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, line: _Line) -> None:
        def on_notify(notice: Notice) -> None:
            self._on_notify(line, notice)

        try:
            line.sub = self.ctx.subscriptions.subscribe(
                line.account, line.uri, PACKAGE, ACCEPT, on_notify
            )
        except ValueError as exc:  # not an address, no such account
            log.info("BLF line %s on %s: %s", line.uri, line.account, exc)
            line.sub = None
            self._show(line, None, BlfState.UNKNOWN)

    def _resubscribe(self, line: _Line, old: Subscription) -> None:
        if line.sub is old and line in self._lines:
            self._close(line)
            self._subscribe(line)

    def _close(self, line: _Line) -> None:
        if line.sub is not None:
            line.sub.close()
            line.sub = None

    def _on_notify(self, line: _Line, notice: Notice) -> None:
        sub = line.sub
        if sub is None or sub.closed:
            return
        dialog_id = sub.machine.call_id if sub.machine is not None else ""
        key = (dialog_id, notice.notifier)
        # A new subscription dialog (restored, re-subscribed) starts from nothing.
        for old in [k for k in line.legs if k[0] != dialog_id]:
            del line.legs[old]
        if notice.state is SubscriptionStatus.TERMINATED and not notice.body.strip():
            line.legs.pop(key, None)
            self._refresh(line)
            return
        if not notice.body.strip():
            line.legs[key] = None  # nobody published anything for the line: idle
            self._refresh(line)
            return
        try:
            document = dialog_info.parse(notice.body)
        except DialogInfoError as exc:
            log.warning("BLF %s: a NOTIFY from %s refused: %s", line.uri, notice.notifier, exc)
            return
        result = dialog_info.merge(line.legs.get(key), document)
        if result.outcome is MergeOutcome.RESUBSCRIBE:
            log.info("BLF %s: a dialog-info document was lost; subscribing again", line.uri)
            line.legs.clear()
            # Not from inside the NOTIFY's handling: its 200 goes out first.
            asyncio.get_running_loop().call_soon(self._resubscribe, line, sub)
            return
        if result.outcome is MergeOutcome.APPLIED:
            line.legs[key] = result.document
            self._refresh(line)

    def _refresh(self, line: _Line) -> None:
        """Show the most urgent state among the line's notifiers."""
        best: tuple[BlfView | None, BlfState] = (None, BlfState.UNKNOWN)
        for document in line.legs.values():
            if document is None:
                view, state = None, BlfState.IDLE
            else:
                view = dialog_info.blf_view(document)
                state = BlfState(view.state.value)
            if _RANK[state] > _RANK[best[1]]:
                best = (view, state)
        self._show(line, *best)

    def _show(self, line: _Line, view: BlfView | None, state: BlfState) -> None:
        line.view = view if state is not BlfState.UNKNOWN else None
        event = _event(line, view, state)
        if event != line.shown:
            line.shown = event
            self.ctx.emit(event)

    def observe(self, event: PhoneEvent) -> None:
        """The phone's events: a failed or ended dialog subscription makes its line
        unknown; a change of one of our calls is told to our watchers."""
        if isinstance(event, SubscriptionChanged) and event.package == PACKAGE:
            if event.state in (SubscriptionStatus.FAILED, SubscriptionStatus.TERMINATED):
                for line in self._lines:
                    sub = line.sub  # its own state: not a closed one the line replaced
                    if sub is not None and sub.uri == event.uri and sub.state is event.state:
                        line.legs.clear()
                        self._show(line, None, BlfState.UNKNOWN)
        elif isinstance(event, CallStateChanged) and self._watchers:
            # A new call reports itself before the phone has it in its list.
            asyncio.get_running_loop().call_soon(self._tell_watchers, event)

    # ------------------------------------------------------------------ pickup

    async def pickup(self, uri: str) -> Call:
        """Pick up the call ringing at the line `uri` (PickupError when nothing can be
        picked up there, BlfError when `uri` is no line and no pickup code can be
        dialled; DialError from the dial)."""
        uri = uri.strip()
        line = next((ln for ln in self._lines if ln.uri == uri), None)
        if line is not None:
            account = self.ctx.accounts().get(line.account)
            view = line.view or BlfView(dialog_info.BlfState.UNKNOWN)
        else:
            account = self.ctx.accounts().get(self._default_account())
            view = BlfView(dialog_info.BlfState.UNKNOWN)
        if account is None:
            raise BlfError(f"no account to pick up {uri} with")
        target, headers = pickup_target(view, account.settings, uri)
        log.info("BLF pickup of %s: dialling %s %s", uri, target, headers)
        return await self.ctx.dial(target, account.name, headers=headers)

    # ------------------------------------------------------------------ our own line

    def _on_subscribe(self, watcher: Watcher) -> None:
        # Who may watch our calls: the rule of calls (our servers, or anyone only where
        # direct calls are allowed); the Call-ID and tags would let a stranger take one.
        source = watcher.incoming.tx.peer
        servers = [a.server for a in self.ctx.accounts().values() if a.server is not None]
        allow = self.ctx.settings().functions.allow_direct_calls
        if not isinstance(source, Source) or not trusted_source(
            source, servers, allow_direct=allow
        ):
            watcher.refuse(403)
            return
        version = [0]
        body = self._document(watcher, version[0])
        watcher.accept(body, DIALOG_INFO_TYPE)
        self._watchers.append((watcher, version))

    def _document(self, watcher: Watcher, version: int, ended: Call | None = None) -> bytes:
        account = watcher.account
        dialogs = [
            call_dialog(c)
            for c in self.ctx.calls()
            if c.account is account and (not c.ended or c is ended)
        ]
        entity = str(account.registration.aor)
        return dialog_info.build(entity, dialogs, version)

    def _tell_watchers(self, event: CallStateChanged) -> None:
        self._watchers = [(w, v) for w, v in self._watchers if not w.finished]
        if not self._watchers:
            return
        ended = None
        if event.state is CallPhase.ENDED:
            ended = next((c for c in self.ctx.calls() if c.id == event.call), None)
        for watcher, version in self._watchers:
            if watcher.account.name != event.account:
                continue
            version[0] += 1
            watcher.notify(self._document(watcher, version[0], ended), DIALOG_INFO_TYPE)


def call_dialog(call: Call) -> Dialog:
    """One of our calls as a dialog-info `<dialog>`, seen from our side (RFC 4235)."""
    session = call.session
    state = {
        "dialing": DialogState.TRYING,
        "ringing": DialogState.EARLY,
        "early media": DialogState.EARLY,
        "incoming": DialogState.EARLY,
        "connected": DialogState.CONFIRMED,
        "held": DialogState.CONFIRMED,
    }.get(call.state, DialogState.TERMINATED)
    if call.ended:
        state = DialogState.TERMINATED
    remote_tag = ""
    sip_dialog = session.dialog
    if sip_dialog is None and session.early_dialogs:
        sip_dialog = session.early_dialogs[0]
    if sip_dialog is not None:
        remote_tag = sip_dialog.remote_tag
    aor = str(call.account.registration.aor)
    params = (("+sip.rendering", "no"),) if call.held_by_us else ()
    local = Participant(aor, "", Target(aor, params) if params else None)
    remote = Participant(call.remote, call.remote_name or "")
    return Dialog(
        id=f"parley-{call.id}",
        state=state,
        call_id=session.call_id,
        local_tag=session.local_tag,
        remote_tag=remote_tag,
        direction=Direction.INITIATOR if call.direction == "outgoing" else Direction.RECIPIENT,
        local=local,
        remote=remote,
    )
