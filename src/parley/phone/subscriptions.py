"""Subscriptions bound to accounts, for every event package (RFC 6665).

The protocol lives in `parley.sip.subscription`; this module gives it what it cannot
have: the account (its Via/Contact, its credentials, its outbound proxy), where a
request goes (RFC 3263, which awaits), and the phone's life:

- `Subscriptions.subscribe(account, target, package, accept, on_notify)`: a number is
  subscribed on the account's domain, a SIP URI as it is; the expiry asked is the
  account's `subscription_expiry`. Each state change is reported as
  `SubscriptionChanged`, each NOTIFY handed to `on_notify` as a `Notice`.
  `Subscription.close()` unsubscribes. `check(content_type, body)` (optional) reads a
  body before it is answered: a problem refuses the NOTIFY with 400.
- A subscription is restored (a new SUBSCRIBE, a new dialog) when its account
  registers again after it was not registered (failed, unregistered, or its server
  stopped answering the keep-alive: it may have restarted and forgotten everything), or
  after the connection to its server was lost; one made while its account has no
  address yet starts at the registration. The dialogs it replaces are unsubscribed
  (Expires: 0, from the account's address now): a server that still holds them would
  go on NOTIFYing an address we left, or NOTIFY twice; one that forgot them says 481.
- `serve(package, on_subscribe)`: SUBSCRIBEs to us for `package` (a PBX or colleague
  watching our presence or line) are handed over as `Watcher`s to accept or refuse.
- `unsolicited(package, accept, decide)`: NOTIFYs outside any subscription (MWI that
  a PBX sends unasked) are taken (200) or refused (403, or a status of its own such as
  400) as `decide(notice, source)` says.
- `close_all()` at the phone's stop: unsubscribe everything, wait a bounded time; a
  subscription asked for after that (a feature following the account's last state
  changes) is not made.

`Subscriptions` sees the phone only through its `SubscriptionContext`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parley.net.address import Address, Source
from parley.net.driver import SipDriver
from parley.phone.events import (
    AccountStateChanged,
    PhoneEvent,
    Reachability,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.phone.outgoing import DialError, target_uri
from parley.settings.model import Settings
from parley.sip.dialog import LocalEndpoint
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.message import Request
from parley.sip.notifier import EventPackages, IncomingSubscription
from parley.sip.registration import RegState, proxy_uri
from parley.sip.request_client import ClientCallbacks, Credentials
from parley.sip.subscription import (
    Notification,
    Subscriber,
    SubscriptionStateHeader,
    SubscriptionUpdate,
    body_type,
)
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.account import Account

log = logging.getLogger(__name__)

__all__ = [
    "CLOSE_TIMEOUT",
    "Notice",
    "Subscription",
    "SubscriptionContext",
    "SubscriptionError",
    "Subscriptions",
    "Watcher",
]

CLOSE_TIMEOUT = 5.0  # seconds close_all waits for the unsubscribes


class SubscriptionError(ValueError):
    """A subscription that cannot be made; the message says why."""


@dataclass(frozen=True)
class SubscriptionContext:
    """What subscriptions may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    driver: SipDriver
    settings: Callable[[], Settings]
    accounts: Callable[[], Mapping[str, Account]]


@dataclass(frozen=True)
class Notice:
    """A NOTIFY of one of our subscriptions: its body (untouched), the state it
    announced and who sent it. `uri`: what we subscribed to; `notifier`: the NOTIFY's
    From (a forked subscription has several)."""

    package: str
    content_type: str
    body: bytes
    state: SubscriptionStatus
    reason: str
    notifier: str
    uri: str
    account: str


def credentials_of(account: Account) -> Credentials:
    """The account's digest credentials (as `phone/call.py` uses them)."""
    return Credentials(
        digest=account.registration.digest,
        username=account.settings.effective_auth_username,
        password=account.registration.config.password,
    )


def _has_address(account: Account) -> bool:
    """True when the account knows its own address (Via, Contact): registered once."""
    return account.registration.local_host not in ("0.0.0.0", "::", "")


class Subscription:
    """One subscription of ours as the phone keeps it: across re-subscriptions, failures
    and restores, until `close()`."""

    def __init__(
        self,
        owner: Subscriptions,
        account: Account,
        target: SipURI,
        package: str,
        accept: tuple[str, ...],
        on_notify: Callable[[Notice], None],
        check: Callable[[str, bytes], str | None] | None = None,
    ) -> None:
        self.owner = owner
        self.account = account
        self.target = target
        self.uri = str(target)
        self.package = package.lower()
        self.accept = accept
        self.on_notify = on_notify
        self.check = check
        self.state: SubscriptionStatus | None = None
        self.reason = ""
        self.status: int | None = None
        self.machine: Subscriber | None = None
        self.closed = False
        self._retiring: list[Subscriber] = []  # replaced machines still unsubscribing
        self._retired = asyncio.Event()  # set while none is
        self._retired.set()
        self._send_lock = asyncio.Lock()  # FIFO: in-dialog CSeq order on the wire
        self._done = asyncio.Event()

    def __repr__(self) -> str:
        return f"<Subscription {self.package} {self.uri} via {self.account.name}>"

    # -- the owner's commands

    def close(self) -> None:
        """Unsubscribe (Expires: 0) and forget it; `wait_closed` waits for the end."""
        if self.closed:
            return
        self.closed = True
        machine = self.machine
        if machine is None or machine.finished:
            self._ended()
            return
        machine.close(self.owner.now)
        if machine.finished:
            self._ended()

    async def wait_closed(self) -> None:
        """Until it has ended, and the dialogs a restore replaced have too."""
        await self._done.wait()
        await self._retired.wait()

    # -- inside

    def start(self) -> None:
        """A new SUBSCRIBE now (the first, or a restore after the account came back).
        A restore unsubscribes the dialogs of the machine it replaces (from the
        account's address now) and forgets what they still say."""
        if self.closed:
            return
        account = self.account
        local = account.local_endpoint()
        s = account.settings
        aor = account.registration.aor
        routes = [f"<{proxy_uri(s.outbound_proxy, s.transport)}>"] if s.outbound_proxy else []
        machine: Subscriber
        machine = Subscriber(
            self.owner.core,
            package=self.package,
            target=self.target,
            from_=NameAddr(s.display_name or None, aor, {}),
            to=NameAddr(None, self.target.copy(), {}),
            local=local,
            transmit=self._transmit,
            on_update=lambda update: self._on_update(machine, update),
            on_notify=lambda note: self._on_notify(machine, note),
            accept=self.accept,
            expires=s.subscription_expiry,
            routes=routes,
            headers=[("Allow-Events", self.owner.packages.allow_events)],
            check=self.check,
        )
        old, self.machine = self.machine, machine
        if old is not None and not old.finished:
            self._retire(old, local)
        machine.start(self.owner.now)

    def _retire(self, machine: Subscriber, local: LocalEndpoint) -> None:
        self._retiring.append(machine)
        self._retired.clear()
        machine.close(self.owner.now, local)
        if machine.finished:
            self._retire_done(machine)

    def _retire_done(self, machine: Subscriber) -> None:
        self._retiring = [m for m in self._retiring if m is not machine]
        if not self._retiring:
            self._retired.set()

    def _transmit(self, request: Request, hop: SipURI | None, callbacks: ClientCallbacks) -> None:
        self.owner.spawn(self._send(request, hop, callbacks))

    async def _send(self, request: Request, hop: SipURI | None, callbacks: ClientCallbacks) -> None:
        async with self._send_lock:
            try:
                dest: Address = await self.account.resolve_next_hop(hop)
            except Exception as exc:  # DNS, no server: the machine hears a transport error
                log.info("%r: cannot reach %s: %s", self, hop, exc)
                callbacks.on_transport_error(str(exc))
                self.owner.driver.flush()
                return
            self.owner.driver.send_request(
                request, dest, callbacks, credentials=credentials_of(self.account)
            )

    def _on_update(self, machine: Subscriber, update: SubscriptionUpdate) -> None:
        if machine is not self.machine:  # a replaced one, unsubscribing
            if machine.finished:
                self._retire_done(machine)
            return
        self.state = SubscriptionStatus(update.state.value)
        self.reason, self.status = update.reason, update.status
        self.owner.ctx.emit(
            SubscriptionChanged(
                uri=self.uri,
                package=self.package,
                state=self.state,
                reason=update.reason,
                status=update.status,
                account=self.account.name,
            )
        )
        if self.closed and self.machine is not None and self.machine.finished:
            self._ended()

    def _on_notify(self, machine: Subscriber, note: Notification) -> None:
        if machine is not self.machine:
            return  # the last word of a replaced dialog: it says nothing now
        self.on_notify(
            Notice(
                package=note.package,
                content_type=note.content_type,
                body=note.body,
                state=SubscriptionStatus(note.state.value),
                reason=note.reason,
                notifier=note.notifier,
                uri=self.uri,
                account=self.account.name,
            )
        )

    def _ended(self) -> None:
        self.owner.forget(self)
        self._done.set()


class Watcher:
    """Someone subscribed to one of our packages: accept (then `notify` each change)
    or refuse. `subscriber`: their address; `account`: ours they addressed."""

    def __init__(self, owner: Subscriptions, incoming: IncomingSubscription, account: Account):
        self.owner = owner
        self.incoming = incoming
        self.account = account
        self.subscriber = incoming.subscriber
        self.package = incoming.package

    @property
    def finished(self) -> bool:
        return self.incoming.finished

    def accept(self, body: bytes = b"", content_type: str = "", *, pending: bool = False) -> None:
        self.incoming.accept(
            self.owner.now,
            body,
            content_type,
            pending=pending,
            local=self.account.local_endpoint(),
        )
        self.owner.driver.flush()

    def refuse(self, status: int = 403, reason: str | None = None) -> None:
        self.incoming.refuse(self.owner.now, status, reason)
        self.owner.driver.flush()

    def notify(self, body: bytes, content_type: str, *, pending: bool | None = None) -> None:
        self.incoming.notify(self.owner.now, body, content_type, pending=pending)

    def terminate(self, reason: str = "noresource") -> None:
        self.incoming.terminate(self.owner.now, reason)


class Subscriptions:
    """All subscriptions of one phone, ours and those to us."""

    def __init__(self, ctx: SubscriptionContext) -> None:
        self.ctx = ctx
        self.driver = ctx.driver
        self.core = ctx.driver.core
        self.packages = EventPackages(self.core, self._notifier_transmit)
        self.subscriptions: list[Subscription] = []
        self.watchers: list[Watcher] = []
        self._down: set[str] = set()  # accounts not registered since they were
        self._lost: set[str] = set()  # accounts whose server connection was lost
        self._stopping = False  # close_all ran: nothing new is subscribed
        self._tasks: set[asyncio.Task[None]] = set()
        ctx.driver.on_connection_lost(self._connection_lost)

    @property
    def now(self) -> float:
        return self.driver.now

    # -- subscriber side

    def subscribe(
        self,
        account: Account | str,
        target: str,
        package: str,
        accept: Iterable[str],
        on_notify: Callable[[Notice], None],
        *,
        check: Callable[[str, bytes], str | None] | None = None,
    ) -> Subscription:
        """Subscribe to `package` of `target` (a number on the account's domain, or a
        SIP URI) through `account`; `accept`: the body types wanted in the NOTIFYs.
        `check(content_type, body)`: a problem with a body (the sentence), answered 400
        and not handed on; None takes it."""
        if isinstance(account, str):
            found = self.ctx.accounts().get(account)
            if found is None:
                raise SubscriptionError(f"no account named {account!r}")
            account = found
        try:
            uri = target_uri(target, account)
        except DialError as exc:
            raise SubscriptionError(str(exc)) from exc
        if not uri.is_sip:
            raise SubscriptionError(f"{target!r} is not a SIP address")
        types = tuple(t.lower() for t in accept)
        self.packages.subscribing(package, types)
        sub = Subscription(self, account, uri, package, types, on_notify, check)
        if self._stopping:
            sub.close()  # the phone stops (its accounts unregister after close_all)
            return sub
        self.subscriptions.append(sub)
        if _has_address(account):
            sub.start()
        # else: it starts when the account registers (`observe`)
        return sub

    def of_account(self, name: str) -> list[Subscription]:
        return [s for s in self.subscriptions if s.account.name == name]

    def forget(self, sub: Subscription) -> None:
        self.subscriptions = [s for s in self.subscriptions if s is not sub]

    def restore(self, account: str) -> None:
        """Subscribe again (new dialogs) everything of `account`."""
        for sub in self.of_account(account):
            if not sub.closed:
                log.info("%r: restored", sub)
                sub.start()

    def close_account(self, name: str) -> None:
        """Unsubscribe everything of the account `name` (it is being removed)."""
        for sub in self.of_account(name):
            sub.close()

    def observe(self, event: PhoneEvent) -> None:
        """The phone's events: an account registered again after it was not (failed,
        unregistered, its server unreachable) or lost its connection → its subscriptions
        are made anew; those waiting for the account's first registration start."""
        if not isinstance(event, AccountStateChanged):
            return
        name = event.account
        if event.state in (RegState.FAILED, RegState.UNREGISTERED, Reachability.UNREACHABLE):
            self._down.add(name)
            return
        if event.state is not RegState.REGISTERED:
            return
        again = name in self._down or name in self._lost
        self._down.discard(name)
        self._lost.discard(name)
        if again:
            self.restore(name)
            return
        for sub in self.of_account(name):
            if sub.machine is None and not sub.closed:
                sub.start()

    def _connection_lost(self, dest: Address) -> None:
        for account in self.ctx.accounts().values():
            if account.server == dest:
                self._lost.add(account.name)  # restored when it has registered again

    async def close_all(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Unsubscribe everything and end the subscriptions to us; wait at most
        `timeout` seconds for the answers. Nothing is subscribed after this."""
        self._stopping = True
        subs = list(self.subscriptions)
        for sub in subs:
            sub.close()
        for watcher in list(self.watchers):
            watcher.terminate("deactivated")
        self.driver.flush()
        if subs:
            try:
                await asyncio.wait_for(asyncio.gather(*(s.wait_closed() for s in subs)), timeout)
            except TimeoutError:
                log.info("some subscriptions did not end within %.0f s", timeout)
        for task in list(self._tasks):
            task.cancel()

    def unsolicited(
        self,
        package: str,
        accept: Iterable[str],
        decide: Callable[[Notice, Source], bool | int],
    ) -> None:
        """NOTIFYs of `package` outside any subscription of ours (unsolicited MWI):
        `decide(notice, source)` says whether to take it (True: 200, e.g. it comes from
        the account's server) or not (False: 403), or answers a status of its own (400
        for a body it cannot read); a body type not in `accept` gets 415."""
        types = tuple(t.lower() for t in accept)
        self.packages.subscribing(package, types)

        def hook(tx: ServerTransaction, request: Request, now: float) -> None:
            ctype = body_type(request)
            if request.body and types and ctype not in types:
                self.driver.answer(tx, 415)
                return
            try:
                value = request.headers.get("Subscription-State")
                state = SubscriptionStateHeader.parse(value) if value else None
                notifier = str(request.from_.uri)
            except SipParseError:
                self.driver.answer(tx, 400)
                return
            account = self._account_for(request.uri)
            status = {"terminated": "terminated", "pending": "pending"}.get(
                state.state if state else "", "active"
            )
            notice = Notice(
                package=package.lower(),
                content_type=ctype,
                body=request.body,
                state=SubscriptionStatus(status),
                reason=(state.reason or "") if state else "",
                notifier=notifier,
                uri="",
                account=account.name if account is not None else "",
            )
            source = tx.peer
            try:
                ok = decide(notice, source) if isinstance(source, Source) else False
            except Exception:
                log.exception("unsolicited %s NOTIFY handler failed", package)
                ok = False
            code = 200 if ok is True else 403 if ok is False else int(ok)
            self.driver.answer(tx, code if 200 <= code < 700 else 500)

        self.packages.on_unsolicited(package, hook)

    # -- notifier side

    def serve(self, package: str, on_subscribe: Callable[[Watcher], None]) -> None:
        """SUBSCRIBEs for `package` go to `on_subscribe` as `Watcher`s (nobody served:
        489)."""

        def incoming(sub: IncomingSubscription) -> None:
            account = self._account_for(sub.request.uri)
            if account is None:
                sub.refuse(self.now, 404)
                return
            watcher = Watcher(self, sub, account)
            self.watchers.append(watcher)
            sub.on_end = lambda _s, _r: self._watcher_gone(watcher)
            on_subscribe(watcher)

        self.packages.serve(package, incoming)

    def _watcher_gone(self, watcher: Watcher) -> None:
        self.watchers = [w for w in self.watchers if w is not watcher]

    def _account_for(self, uri: object) -> Account | None:
        """The account a request to `uri` addresses: by user name, else the first."""
        accounts = list(self.ctx.accounts().values())
        if isinstance(uri, SipURI):
            for account in accounts:
                if account.settings.username == uri.user:
                    return account
        return accounts[0] if accounts else None

    def _notifier_transmit(
        self, request: Request, hop: SipURI | None, callbacks: ClientCallbacks
    ) -> None:
        try:
            ours = request.from_.uri
        except SipParseError:
            ours = None
        account = self._account_for(ours)
        if account is None:
            callbacks.on_transport_error("no account")
            return

        async def send() -> None:
            try:
                dest = await account.resolve_next_hop(hop)
            except Exception as exc:
                callbacks.on_transport_error(str(exc))
                self.driver.flush()
                return
            self.driver.send_request(request, dest, callbacks, credentials=credentials_of(account))

        self.spawn(send())

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
