"""Instant messages (RFC 3428) and typing notification (RFC 3994) for the phone.

`Messages` sends a text through an account — stored first, then a MESSAGE with the
account's credentials (digest retry in the core's client), outbound proxy and endpoint —
and reports its fate as `MessageStatus` events:

- SENDING when it goes out;
- **DELIVERED on 200 OK**: the final answer of the recipient's phone, relayed by the
  proxy (Kamailio, a PBX) or straight from it. That is our evidence it arrived;
- **SENT on 202 Accepted** (or another 2xx): a store-and-forward server took it
  (RFC 3428 §7: "accepted for later delivery", msilo and PBX message stores answer so);
  nothing says the person has it yet;
- FAILED with the SIP status and reason (404, 480, 488...), 408 when nothing answered
  at all, or no status and the transport's words when it could not be sent.

A text over 1300 bytes from a UDP account goes over TCP to the same server (RFC 3261
§18.1.1: a datagram that size is fragmented, and fragments get lost); where TCP does not
connect, over UDP after all.

Received MESSAGEs follow the trust rule of calls (`phone.incoming.trusted_source`): from
one of our accounts' servers, or from anywhere only with `functions.allow_direct_calls`;
a stranger gets 403. A text is stored (at the time of its Date header when it has a
sensible one: a server delivering what it kept while we were offline keeps the original
time), answered 200 and reported as `MessageReceived`. Bodies we do not take are refused
as `sip.pager.read_message` says (413, 415 with Accept).

Typing (only where the account's `typing_notification` is on): `typing(peer, True)` sends
"active" (refresh 60 s) at once and at most every 30 s while typing goes on; 15 s without
a keystroke, or `typing(peer, False)`, sends "idle"; sending the message ends it without
a word (the message says it, RFC 3994 §3). Their "active" gives `TypingChanged(active=
True)`, which ends with their "idle", their message, or their refresh interval running
out without a word.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from parley.messages.model import normalise_peer
from parley.messages.store import MessageStore
from parley.net.address import Address, Source
from parley.net.driver import SipDriver
from parley.net.transport import UDP_SIZE_LIMIT
from parley.phone.events import (
    MessageDelivery,
    MessageReceived,
    MessageStatus,
    PhoneEvent,
    TypingChanged,
)
from parley.phone.incoming import trusted_source
from parley.settings.model import Settings
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.is_composing import (
    ComposingSender,
    ComposingWatch,
    IsComposing,
    IsComposingError,
    decode,
    encode,
)
from parley.sip.message import Request, Response
from parley.sip.pager import (
    IS_COMPOSING_TYPE,
    MAX_BODY,
    TEXT_PLAIN_UTF8,
    IncomingMessage,
    Refusal,
    build_message,
    next_hop,
    read_message,
    register_pager,
)
from parley.sip.registration import proxy_uri
from parley.sip.request_client import ClientCallbacks, Credentials
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.account import Account

log = logging.getLogger(__name__)

__all__ = ["CLOCK_SKEW", "MessageError", "Messages", "MessagesContext", "delivery_of"]

# A Date this far ahead of our clock is not believed (the sender's clock is wrong).
CLOCK_SKEW = 300.0
TIMEOUT_STATUS, TIMEOUT_REASON = 408, "Request Timeout"


class MessageError(ValueError):
    """A message that cannot be sent (no account, a bad address); the text says why."""


def _with_via(request: Request, transport: str, branch: str) -> Request:
    """A copy of `request` whose top Via says `transport` and has a new `branch`."""
    head, _, rest = request.headers.get_all("Via")[0].partition(";branch=")
    _old, _, params = rest.partition(";")
    protocol, _, sent_by = head.partition(" ")
    version = protocol.rsplit("/", 1)[0]
    top = f"{version}/{transport} {sent_by};branch={branch}" + (f";{params}" if params else "")
    headers = request.headers.copy()
    headers.remove_first("Via")
    headers.add("Via", top, first=True)
    return Request(method=request.method, uri=request.uri, headers=headers, body=request.body)


def delivery_of(status: int) -> MessageDelivery:
    """The delivery state a final answer to our MESSAGE means (see the module's rule)."""
    if status == 200:
        return MessageDelivery.DELIVERED
    if 200 <= status < 300:
        return MessageDelivery.SENT
    return MessageDelivery.FAILED


@dataclass(frozen=True)
class MessagesContext:
    """What messaging may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    driver: SipDriver
    settings: Callable[[], Settings]
    accounts: Callable[[], Mapping[str, Account]]
    store: MessageStore


class Messages:
    """Sending, receiving and typing notification, for every account."""

    def __init__(self, ctx: MessagesContext) -> None:
        self.ctx = ctx
        self._senders: dict[tuple[str, str], ComposingSender] = {}  # (account, peer)
        self._watch = ComposingWatch()
        self._watch_accounts: dict[str, str] = {}  # peer -> account it types to
        self._tasks: set[asyncio.Task[None]] = set()
        core = ctx.driver.core
        register_pager(core, self.on_message)
        core.add_timed(self)

    # ================================================================== sending

    async def send(self, target: str, text: str, account_name: str | None = None) -> int:
        """Send `text` to `target` (a number on the account's domain, or a SIP URI) and
        return its id in the store; its fate comes as `MessageStatus` events."""
        if not text.strip():
            raise MessageError("nothing to send: the message is empty")
        body = text.encode("utf-8")
        if len(body) > MAX_BODY:
            raise MessageError(
                f"the message is too long ({len(body)} bytes; at most {MAX_BODY} go in one)"
            )
        account, uri, peer = self._addressed(target, account_name)
        row = self.ctx.store.add(
            peer, text, direction="out", account=account.name, state=MessageDelivery.SENDING
        )
        self._status(row.id, peer, account.name, MessageDelivery.SENDING)
        sender = self._senders.pop((account.name, peer), None)
        if sender is not None:
            sender.message_sent()  # the message itself ends our typing (RFC 3994 §3)
        request = self._build(account, uri, body, TEXT_PLAIN_UTF8)
        callbacks = ClientCallbacks(
            on_response=lambda r: self._answered(row.id, peer, account.name, r),
            on_timeout=lambda: self._failed(
                row.id, peer, account.name, TIMEOUT_STATUS, TIMEOUT_REASON
            ),
            on_transport_error=lambda why: self._failed(row.id, peer, account.name, None, why),
        )
        await self._send_request(account, request, callbacks)
        return row.id

    def _addressed(self, target: str, account_name: str | None) -> tuple[Account, SipURI, str]:
        """The account to send from, the request URI for `target` and the conversation's
        key (its peer); a target or account that cannot be used is a MessageError."""
        from parley.phone.outgoing import DialError, account_for, target_uri

        try:
            account = account_for(self.ctx.accounts(), account_name)
            uri = target_uri(target, account)
        except DialError as exc:
            raise MessageError(str(exc)) from exc
        return account, uri, normalise_peer(str(uri))

    def _build(self, account: Account, uri: SipURI, body: bytes, content_type: str) -> Request:
        s = account.settings
        from_ = NameAddr(s.caller_id or s.display_name or None, account.registration.aor, {})
        routes = [f"<{proxy_uri(s.outbound_proxy, s.transport)}>"] if s.outbound_proxy else []
        return build_message(
            uri,
            body,
            from_=from_,
            local=account.local_endpoint(),
            content_type=content_type,
            routes=routes,
            rng=self.ctx.driver.core.ids.rng,
        )

    async def _send_request(
        self, account: Account, request: Request, callbacks: ClientCallbacks
    ) -> None:
        try:
            dest: Address = await account.resolve_next_hop(next_hop(request))
        except Exception as exc:  # DNS, no server: the message failed, the phone goes on
            log.info("message to %s: cannot reach %s: %s", request.uri, next_hop(request), exc)
            callbacks.on_transport_error(str(exc) or type(exc).__name__)
            return
        driver, credentials = self.ctx.driver, self._credentials(account)
        if dest.transport == "udp" and len(request.to_bytes()) > UDP_SIZE_LIMIT:
            # RFC 3261 §18.1.1: a request this long goes over TCP to the same place (top
            # Via saying so); where TCP does not connect, over UDP after all.
            def over_udp(why: str) -> None:
                log.info("message to %s: TCP failed (%s), sending it over UDP", dest, why)
                again = _with_via(request, "UDP", driver.core.ids.branch())
                driver.send_request(again, dest, callbacks, credentials=credentials)

            tcp = Address("tcp", dest.host, dest.port)
            big = _with_via(request, "TCP", driver.core.ids.branch())
            driver.send_request(
                big, tcp, replace(callbacks, on_transport_error=over_udp), credentials=credentials
            )
            return
        driver.send_request(request, dest, callbacks, credentials=credentials)

    @staticmethod
    def _credentials(account: Account) -> Credentials:
        return Credentials(
            digest=account.registration.digest,
            username=account.settings.effective_auth_username,
            password=account.registration.config.password,
        )

    def _answered(self, message_id: int, peer: str, account: str, response: Response) -> None:
        if response.status < 200:
            return
        state = delivery_of(response.status)
        self.ctx.store.set_state(message_id, state, response.status, response.reason)
        self._status(message_id, peer, account, state, response.status, response.reason)

    def _failed(
        self, message_id: int, peer: str, account: str, status: int | None, reason: str
    ) -> None:
        self.ctx.store.set_state(message_id, MessageDelivery.FAILED, status, reason)
        self._status(message_id, peer, account, MessageDelivery.FAILED, status, reason)

    def _status(
        self,
        message_id: int,
        peer: str,
        account: str,
        state: MessageDelivery,
        status: int | None = None,
        reason: str = "",
    ) -> None:
        self.ctx.emit(MessageStatus(message_id, peer, state, status, reason, account))

    # ================================================================== typing (ours)

    def typing(self, target: str, active: bool, account_name: str | None = None) -> None:
        """The person types to `target` (active) or stopped; sends isComposing when due."""
        account, uri, peer = self._addressed(target, account_name)
        if not account.settings.typing_notification:
            return
        key = (account.name, peer)
        sender = self._senders.get(key)
        if sender is None:
            if not active:
                return
            sender = self._senders[key] = ComposingSender()
        now = self.ctx.driver.now
        doc = sender.typed(now) if active else sender.stopped(now)
        if doc is not None:
            self._spawn(self._send_composing(account, uri, doc))
        if sender.next_timer() is None:
            del self._senders[key]  # idle: nothing to remember
        self.ctx.driver.core.wake()  # the idle deadline moved

    async def _send_composing(self, account: Account, uri: SipURI, doc: IsComposing) -> None:
        request = self._build(account, uri, encode(doc), IS_COMPOSING_TYPE)

        def answered(response: Response) -> None:
            if response.status >= 300:
                log.info("isComposing to %s refused: %s", uri, response.status)

        callbacks = ClientCallbacks(
            on_response=answered,
            on_timeout=lambda: log.info("isComposing to %s: no answer", uri),
            on_transport_error=lambda why: log.info("isComposing to %s: %s", uri, why),
        )
        await self._send_request(account, request, callbacks)

    # ================================================================== receiving

    def on_message(self, tx: ServerTransaction, request: Request, now: float) -> None:
        """An out-of-dialog MESSAGE (the core's handler)."""
        try:
            self._receive(tx, request, now)
        except Exception:  # never leave a request unanswered because of a bug here
            log.exception("incoming MESSAGE")
            self._answer(tx, 500, "Server Internal Error")  # ignored if answered already

    def _receive(self, tx: ServerTransaction, request: Request, now: float) -> None:
        source = tx.peer
        settings = self.ctx.settings()
        accounts = list(self.ctx.accounts().values())
        servers = [a.server for a in accounts if a.server is not None]
        if not isinstance(source, Source) or not trusted_source(
            source, servers, allow_direct=settings.functions.allow_direct_calls
        ):
            where = f"{source.host}:{source.port}" if isinstance(source, Source) else "?"
            log.info("MESSAGE from %s refused: not from an account's server", where)
            self._answer(tx, 403, "Forbidden")
            return
        account = self._account_for(request, accounts)
        if account is None:
            self._answer(tx, 404, "Not Found")
            return
        result = read_message(request)
        if isinstance(result, Refusal):
            log.info("MESSAGE refused with %s: %s", result.status, result.detail)
            self._answer(tx, result.status, result.reason, result.headers)
            return
        if result.is_composing:
            self._composing_received(tx, result, account)
            return
        self._answer(tx, 200, "OK")
        self._text_received(result, account)

    def _composing_received(
        self, tx: ServerTransaction, message: IncomingMessage, account: Account
    ) -> None:
        try:
            doc = decode(message.body)
        except IsComposingError as exc:
            log.info("isComposing from %s refused: %s", message.sender, exc)
            self._answer(tx, 400, "Bad isComposing Document")
            return
        self._answer(tx, 200, "OK")
        if not account.settings.typing_notification:
            return
        peer = self._peer_of(message, account)
        if self._watch.received(peer, doc, self.ctx.driver.now):
            self._watch_accounts[peer] = account.name
            self.ctx.emit(TypingChanged(peer, self._watch.active(peer), account.name))
        self.ctx.driver.core.wake()  # the expiry moved

    def _text_received(self, message: IncomingMessage, account: Account) -> None:
        if not message.text.strip():
            return  # an empty MESSAGE (a ping): answered, nothing to show
        peer = self._peer_of(message, account)
        now = time.time()
        at = message.date if message.date is not None and message.date <= now + CLOCK_SKEW else now
        row = self.ctx.store.add_received(
            peer, message.text, account=account.name, at=at, name=message.sender_name
        )
        if self._watch.message_received(peer):
            self.ctx.emit(TypingChanged(peer, False, account.name))
        self.ctx.emit(
            MessageReceived(
                sender=peer,
                text=message.text,
                account=account.name,
                sender_name=message.sender_name,
                message_id=row.id,
                at=at,
            )
        )

    @staticmethod
    def _peer_of(message: IncomingMessage, account: Account) -> str:
        """The conversation key of a sender. Some phones (linphone) write addresses on
        the PBX's domain without its port: on the account's own host they mean the
        account's server, so they get its port — one conversation, however written."""
        from parley.phone.transfer import on_account_server

        try:
            uri = on_account_server(SipURI.parse(message.sender), account.settings.domain)
        except SipParseError:
            return normalise_peer(message.sender)
        return normalise_peer(str(uri))

    @staticmethod
    def _account_for(request: Request, accounts: Iterable[Account]) -> Account | None:
        """The account a MESSAGE is for: by the Request-URI's user, else the first."""
        listed = list(accounts)
        user = request.uri.user if isinstance(request.uri, SipURI) else None
        return next((a for a in listed if a.settings.username == user), None) or (
            listed[0] if listed else None
        )

    def _answer(
        self,
        tx: ServerTransaction,
        status: int,
        reason: str,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        driver = self.ctx.driver
        driver.send_response(tx, driver.core.response(tx.request, status, reason, headers=headers))

    # ================================================================== timers

    def next_timer(self) -> float | None:
        deadlines = [s.next_timer() for s in self._senders.values()]
        deadlines.append(self._watch.next_timer())
        return min((d for d in deadlines if d is not None), default=None)

    def handle_timer(self, now: float) -> None:
        accounts = self.ctx.accounts()
        for (account_name, peer), sender in list(self._senders.items()):
            doc = sender.handle_timer(now)
            account = accounts.get(account_name)
            if doc is not None and account is not None:
                self._spawn(self._send_composing(account, SipURI.parse(peer), doc))
            if sender.next_timer() is None:
                del self._senders[(account_name, peer)]
        for peer in self._watch.expire(now):
            account_name = self._watch_accounts.pop(peer, "")
            self.ctx.emit(TypingChanged(peer, False, account_name))

    def close(self) -> None:
        self.ctx.driver.core.remove_timed(self)
        for task in list(self._tasks):
            task.cancel()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
