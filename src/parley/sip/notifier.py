"""The notifier side of RFC 6665 and the routing of SUBSCRIBE/NOTIFY outside any
subscription, sans-IO (the subscriber side is `parley.sip.subscription`).

- `IncomingSubscription` (we are subscribed to): handed to the owner who `accept`s
  (200 with Expires, then at once a NOTIFY with its current body, §4.2.1.2) or
  `refuse`s; refreshes extend, Expires: 0 ends with ``terminated;reason=timeout``, so
  does an expiry without refresh; `notify` for each state change (one NOTIFY in flight,
  the newest body wins), `terminate(reason)`; a NOTIFY answered 481 (or never) ends it.
- `EventPackages`: what the core must know — SUBSCRIBE and NOTIFY in Allow, the body
  types subscribers Accept, an out-of-dialog SUBSCRIBE handler per served package (489
  with Allow-Events for the others), and a hook per package for NOTIFYs outside any
  subscription (unsolicited MWI; without a hook: 481).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from parley.sip.core import UserAgentCore
from parley.sip.dialog import Dialog, LocalEndpoint
from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response
from parley.sip.request_client import ClientCallbacks
from parley.sip.subscription import (
    EventHeader,
    SubscriptionStateHeader,
    SubState,
    Transmit,
    dialog_seq,
)
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

__all__ = [
    "SERVER_DEFAULT_EXPIRES",
    "SERVER_MAX_EXPIRES",
    "SERVER_MIN_EXPIRES",
    "EventPackages",
    "IncomingSubscription",
]

log = logging.getLogger(__name__)

# What we grant as notifier (RFC 6665 §4.2.1.1).
SERVER_MIN_EXPIRES = 60
SERVER_MAX_EXPIRES = 3600
SERVER_DEFAULT_EXPIRES = 3600


# ====================================================================== notifier


class IncomingSubscription:
    """A SUBSCRIBE to one of our packages (RFC 6665 §4.2): the owner accepts or refuses
    it, then reports each state change with `notify`."""

    def __init__(
        self,
        packages: EventPackages,
        request: Request,
        tx: ServerTransaction,
        event: EventHeader,
        expires: int,
        local: LocalEndpoint | None = None,
    ) -> None:
        self.packages = packages
        self.core = packages.core
        self.request = request
        self.tx = tx
        self.event = event
        self.expires = expires
        self.local = local
        self.subscriber = str(request.from_.uri)
        self.dialog: Dialog | None = None
        self.state: SubState | None = None  # None: not decided yet
        self.body = b""
        self.content_type = ""
        self.on_end: Callable[[IncomingSubscription, str], None] | None = None
        self._expires_at: float | None = None
        self._in_flight = False
        self._queued = False
        self._final_reason: str | None = None  # set: the next NOTIFY is the last
        self._finished = False

    def __repr__(self) -> str:
        return f"<IncomingSubscription {self.event.package} from {self.subscriber}>"

    @property
    def package(self) -> str:
        return self.event.package

    # ------------------------------------------------------------------ the owner's answers

    def accept(
        self,
        now: float,
        body: bytes = b"",
        content_type: str = "",
        *,
        pending: bool = False,
        local: LocalEndpoint | None = None,
    ) -> None:
        """200 with Expires, then at once a NOTIFY with `body` (§4.2.1.2)."""
        if self.state is not None:
            return
        local = local or self.local
        if local is None:
            raise ValueError("accepting a subscription needs our LocalEndpoint")
        response = self.core.response(
            self.request,
            200,
            headers=[("Expires", str(self.expires)), ("Contact", local.contact)],
        )
        self.core.send_response(self.tx, response, now)
        self.dialog = Dialog.as_uas(self.request, response, local)
        self.core.bind_dialog(self.dialog.id, self)
        self.state = SubState.PENDING if pending else SubState.ACTIVE
        self.body, self.content_type = body, content_type
        self._expires_at = now + self.expires
        if self.expires == 0:  # a fetch: one NOTIFY with the state, and done
            self._final_reason = "timeout"
        self._send_notify(now)

    def refuse(self, now: float, status: int = 403, reason: str | None = None) -> None:
        if self.state is not None:
            return
        self.state = SubState.TERMINATED
        self._finished = True
        self.core.answer(self.tx, status, reason, now=now)

    def notify(
        self, now: float, body: bytes, content_type: str, *, pending: bool | None = None
    ) -> None:
        """The resource's state changed: a NOTIFY with the new body (the newest wins
        while one is in flight)."""
        if self._finished or self.state in (None, SubState.TERMINATED):
            return
        self.body, self.content_type = body, content_type
        if pending is not None:
            self.state = SubState.PENDING if pending else SubState.ACTIVE
        self._send_notify(now)

    def terminate(self, now: float, reason: str = "noresource") -> None:
        """End it: a last NOTIFY ``terminated;reason=...``."""
        if self._finished or self.state in (None, SubState.TERMINATED):
            return
        self._final_reason = reason
        self._send_notify(now)

    # ------------------------------------------------------------------ NOTIFYs

    def _send_notify(self, now: float) -> None:
        if self.dialog is None or self._finished:
            return
        if self._in_flight:
            self._queued = True
            return
        if self._final_reason is not None:
            state = SubscriptionStateHeader("terminated", self._final_reason)
            self.state = SubState.TERMINATED
        else:
            left = max(0, int((self._expires_at or now) - now))
            state = SubscriptionStateHeader(self.state or SubState.ACTIVE, None, left)
        request = self.dialog.create_request(
            "NOTIFY",
            headers=[("Event", str(self.event)), ("Subscription-State", str(state))],
            body=self.body,
            content_type=self.content_type or None,
        )
        self._in_flight = True
        self._queued = False
        last = state.state == "terminated"
        self.packages.transmit(
            request,
            self.dialog.next_hop,
            ClientCallbacks(
                on_response=lambda r: self._answered(r, last),
                on_timeout=lambda: self._gone("no response"),
                on_transport_error=lambda _t: self._gone("transport"),
                retry_seq=dialog_seq(self.dialog),
            ),
        )
        self.core.wake()

    def _answered(self, response: Response, last: bool) -> None:
        if response.status < 200:
            return
        self._in_flight = False
        if response.status in (481, 408) or response.status >= 500:
            self._gone(str(response.status))  # §4.2.2: the subscriber forgot it
            return
        if last:
            self._gone(self._final_reason or "terminated")
        elif self._queued:
            self._send_notify(self.core.now)

    def _gone(self, reason: str) -> None:
        if self._finished:
            return
        self._finished = True
        self.state = SubState.TERMINATED
        self._in_flight = False
        if self.dialog is not None:
            self.dialog.terminate()
        self.core.detach(self)
        self.core.wake()
        if self.on_end is not None:
            try:
                self.on_end(self, reason)
            except Exception:
                log.exception("end handler of %r failed", self)

    # ------------------------------------------------------------------ DialogUsage

    @property
    def finished(self) -> bool:
        return self._finished

    def accepts(self, request: Request) -> bool:
        if request.method.upper() != "SUBSCRIBE" or self._finished:
            return False
        return EventHeader.find(request) == self.event  # the same package and id

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        """A refresh (or Expires: 0, an unsubscribe) in the subscription's dialog."""
        assert self.dialog is not None
        bad = self.dialog.check_request(request)
        if bad is not None:
            self.core.answer(tx, bad, now=now)
            return
        try:
            asked = request.expires
        except SipParseError:
            self.core.answer(tx, 400, "Bad Expires", now=now)
            return
        if asked is None:
            asked = SERVER_DEFAULT_EXPIRES
        if 0 < asked < SERVER_MIN_EXPIRES:
            self.core.answer(tx, 423, headers=[("Min-Expires", str(SERVER_MIN_EXPIRES))], now=now)
            return
        granted = min(asked, SERVER_MAX_EXPIRES)
        self.dialog.update_target(request)
        self.core.answer(tx, 200, headers=[("Expires", str(granted))], now=now)
        self._expires_at = now + granted
        if granted == 0:
            self._final_reason = "timeout"
        self._send_notify(now)  # §4.2.1.2: the current state after every refresh

    def on_ack(self, ack: Request, now: float) -> None:
        pass

    def on_stray_response(self, response: Response, now: float) -> None:
        pass

    def next_timer(self) -> float | None:
        if self._finished or self.state in (None, SubState.TERMINATED):
            return None
        return self._expires_at

    def handle_timer(self, now: float) -> None:
        if self._expires_at is None or now < self._expires_at or self._finished:
            return
        self._expires_at = None
        if self.state in (None, SubState.TERMINATED):
            return
        self._final_reason = "timeout"  # §4.2.2: expired without refresh
        if self._in_flight:
            self._queued = True
        else:
            self._send_notify(now)


# ====================================================================== registration


def _refuse_transmit(request: Request, hop: SipURI | None, callbacks: ClientCallbacks) -> None:
    callbacks.on_transport_error("no way to send NOTIFY")


@dataclass
class _Served:
    on_subscribe: Callable[[IncomingSubscription], None]
    accept: tuple[str, ...] = field(default_factory=tuple)


class EventPackages:
    """Registers SUBSCRIBE/NOTIFY with the core and routes what comes outside any
    subscription: SUBSCRIBEs to the package's server, NOTIFYs to the package's hook."""

    def __init__(self, core: UserAgentCore, transmit: Transmit = _refuse_transmit) -> None:
        self.core = core
        self.transmit = transmit
        self._served: dict[str, _Served] = {}
        self._unsolicited: dict[str, Callable[[ServerTransaction, Request, float], None]] = {}
        self._subscribed: set[str] = set()
        core.capabilities.add(methods=("SUBSCRIBE", "NOTIFY"))
        core.on_request("SUBSCRIBE", self._on_subscribe)
        core.on_request("NOTIFY", self._on_notify)

    @property
    def allow_events(self) -> str:
        """Packages we take NOTIFYs or SUBSCRIBEs for (RFC 6665 §8.2.2)."""
        return ", ".join(sorted(self._served.keys() | self._subscribed | {"refer"}))

    def subscribing(self, package: str, accept: Iterable[str]) -> None:
        """We subscribe to `package` and read these body types in its NOTIFYs."""
        self._subscribed.add(package.lower())
        self.core.capabilities.add(accept=accept, accept_for=("NOTIFY",))

    def serve(self, package: str, on_subscribe: Callable[[IncomingSubscription], None]) -> None:
        """Incoming SUBSCRIBEs for `package` go to `on_subscribe`, which accepts or
        refuses each `IncomingSubscription`."""
        self._served[package.lower()] = _Served(on_subscribe)

    def unserve(self, package: str) -> None:
        self._served.pop(package.lower(), None)

    def on_unsolicited(
        self, package: str, handler: Callable[[ServerTransaction, Request, float], None]
    ) -> None:
        """NOTIFYs of `package` outside any subscription go to `handler`, which answers
        them (e.g. MWI from the account's server: 200; from a stranger: 403)."""
        self._unsolicited[package.lower()] = handler

    # ------------------------------------------------------------------ routing

    def _on_subscribe(self, tx: ServerTransaction, request: Request, now: float) -> None:
        core = self.core
        event = EventHeader.find(request)
        served = self._served.get(event.package) if event is not None else None
        if event is None or served is None:
            core.answer(tx, 489, headers=[("Allow-Events", self.allow_events)], now=now)
            return
        try:
            asked = request.expires
            request.from_  # noqa: B018 - parse to check syntax
            if not request.contacts:
                raise SipParseError("SUBSCRIBE without Contact")
        except SipParseError as exc:
            log.info("SUBSCRIBE refused: %s", exc)
            core.answer(tx, 400, "Bad Request", now=now)
            return
        if asked is None:
            asked = SERVER_DEFAULT_EXPIRES
        if 0 < asked < SERVER_MIN_EXPIRES:
            core.answer(tx, 423, headers=[("Min-Expires", str(SERVER_MIN_EXPIRES))], now=now)
            return
        incoming = IncomingSubscription(self, request, tx, event, min(asked, SERVER_MAX_EXPIRES))
        try:
            served.on_subscribe(incoming)
        except Exception:
            log.exception("SUBSCRIBE handler for %s failed", event.package)
            if incoming.state is None:
                incoming.refuse(now, 500)

    def _on_notify(self, tx: ServerTransaction, request: Request, now: float) -> None:
        event = EventHeader.find(request)
        if event is None:
            self.core.answer(tx, 489, headers=[("Allow-Events", self.allow_events)], now=now)
            return
        hook = self._unsolicited.get(event.package)
        if hook is None:
            self.core.answer(tx, 481, now=now)  # no such subscription
            return
        hook(tx, request, now)
