"""SIP-specific event notification (RFC 6665) as dialog usages of the core, sans-IO.

One subscription machine for every event package (presence, dialog, message-summary...);
the bodies are the owner's business (content type and bytes go up untouched; an owner's
`check` may refuse a body it cannot read: 400, and the NOTIFY is not taken).

- `Subscriber` (we subscribe): the initial SUBSCRIBE (digest through the core's
  non-INVITE client), its 2xx, and the NOTIFYs of every dialog it creates. A NOTIFY may
  overtake the 2xx, and a forked SUBSCRIBE may make several dialogs (one per notifier):
  the subscriber is attached to its dialog set (Call-ID, our From tag), so the core
  routes all of them here; each dialog keeps its own state, expiry and refresh, and the
  owner hears every NOTIFY with its notifier (`Notification`) and one merged state
  (`SubscriptionUpdate`: active if any dialog is active, else pending while any is alive).
  Refresh at the earlier of expiry - 32 s and 90 % of it (never before half);
  423 → again with Min-Expires; 489 → failed; 481 or no answer to a refresh → start over
  (new Call-ID, new dialog). ``terminated`` reasons (§4.1.3): deactivated/timeout →
  subscribe again at once, probation/giveup → after retry-after, rejected/noresource/
  invariant → stop; no or an unknown reason → again after retry-after (or a default).
  `close` unsubscribes (Expires: 0) and waits a little for the terminating NOTIFY.
The notifier side and the routing of SUBSCRIBE/NOTIFY outside any subscription are
in `parley.sip.notifier`.

Where a request goes is the owner's business (RFC 3263 resolving awaits): every request
leaves through the owner's `Transmit(request, next_hop, callbacks)`.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from parley.sip.core import UserAgentCore
from parley.sip.dialog import Dialog, DialogId, DialogState, LocalEndpoint
from parley.sip.headers import NameAddr, SipParseError, is_token, parse_delta_seconds
from parley.sip.message import Headers, Request, Response
from parley.sip.request_client import ClientCallbacks
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

__all__ = [
    "DEFAULT_RETRY",
    "NOTIFY_WAIT",
    "UNSUBSCRIBE_WAIT",
    "EventHeader",
    "Notification",
    "SubState",
    "Subscriber",
    "SubscriptionStateHeader",
    "SubscriptionUpdate",
    "Transmit",
    "body_type",
    "dialog_seq",
    "refresh_delay",
]

log = logging.getLogger(__name__)

NOTIFY_WAIT = 32.0  # Timer N (64*T1): a 2xx and then no NOTIFY this long: terminated
DEFAULT_RETRY = 60.0  # probation/giveup without retry-after, or no reason given
UNSUBSCRIBE_WAIT = 4.0  # after Expires: 0, how long we wait for the terminating NOTIFY
QUICK = 10.0  # a subscription that ends sooner than this after starting was "quick"
MAX_BACKOFF = 300.0  # quick ends in a row: wait 2, 4, 8... up to this before again
MAX_423 = 3  # Min-Expires retries before giving up

IMMEDIATE = frozenset({"deactivated", "timeout"})
LATER = frozenset({"probation", "giveup"})
FINAL = frozenset({"rejected", "noresource", "invariant"})

# The owner's way to send a request: (request, next hop or None for the default, callbacks).
Transmit = Callable[[Request, SipURI | None, ClientCallbacks], None]


def refresh_delay(expires: float) -> float:
    """When to refresh a subscription granted for `expires` seconds: at the earlier of
    expiry - 32 s and 90 % of it, but not before half of it (short grants)."""
    return max(expires / 2, min(expires - 32, expires * 0.9))


# ====================================================================== headers


@dataclass(frozen=True)
class EventHeader:
    """An Event header (RFC 6665 §8.2.1): the package and its ``id``."""

    package: str
    id: str | None = None

    @classmethod
    def parse(cls, value: str | None) -> EventHeader:
        if value is None or not value.strip():
            raise SipParseError("no Event header")
        parts = [p.strip() for p in value.split(";")]
        package = parts[0].lower()
        if not is_token(package):
            raise SipParseError(f"malformed Event {value!r}")
        ident = None
        for part in parts[1:]:
            name, _, val = part.partition("=")
            if name.strip().lower() == "id":
                ident = val.strip().strip('"') or None
        return cls(package, ident)

    @classmethod
    def of(cls, message: Request | Response) -> EventHeader:
        return cls.parse(message.headers.get("Event") or message.headers.get("o"))

    @classmethod
    def find(cls, message: Request | Response) -> EventHeader | None:
        """The message's Event header, None when it has none or a malformed one."""
        try:
            return cls.of(message)
        except SipParseError:
            return None

    def __str__(self) -> str:
        return self.package + (f";id={self.id}" if self.id else "")


@dataclass(frozen=True)
class SubscriptionStateHeader:
    """A Subscription-State header (RFC 6665 §8.2.3); malformed numbers are refused."""

    state: str  # active, pending, terminated (an unknown one counts as pending)
    reason: str | None = None
    expires: int | None = None
    retry_after: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> SubscriptionStateHeader:
        if value is None or not value.strip():
            raise SipParseError("no Subscription-State")
        parts = [p.strip() for p in value.split(";")]
        state = parts[0].lower()
        if not is_token(state):
            raise SipParseError(f"malformed Subscription-State {value!r}")
        params: dict[str, str] = {}
        for part in parts[1:]:
            name, _, val = part.partition("=")
            params[name.strip().lower()] = val.strip()
        expires = parse_delta_seconds(params["expires"]) if "expires" in params else None
        retry = parse_delta_seconds(params["retry-after"]) if "retry-after" in params else None
        reason = params.get("reason", "").lower() or None
        if reason is not None and not is_token(reason):
            raise SipParseError(f"malformed reason in {value!r}")
        return cls(state, reason, expires, retry)

    def __str__(self) -> str:
        out = self.state
        if self.reason:
            out += f";reason={self.reason}"
        if self.expires is not None:
            out += f";expires={self.expires}"
        if self.retry_after is not None:
            out += f";retry-after={self.retry_after}"
        return out


def _expires_of(message: Request | Response) -> int | None:
    """The Expires header, None when absent; SipParseError when malformed."""
    return message.expires


# ====================================================================== subscriber


class SubState(enum.StrEnum):
    """Where a subscription stands (the merged state of its dialogs)."""

    PENDING = "pending"
    ACTIVE = "active"
    TERMINATED = "terminated"  # ended; `SubscriptionUpdate.retry_in` says if we go on
    FAILED = "failed"  # the SUBSCRIBE was refused or never answered: we stop


@dataclass(frozen=True)
class SubscriptionUpdate:
    """A change of the merged state. `reason`: the notifier's (§4.1.3) or why it failed;
    `status`: the SIP answer behind FAILED; `retry_in`: seconds until we subscribe again
    (None: we do not)."""

    state: SubState
    reason: str = ""
    status: int | None = None
    retry_in: float | None = None


@dataclass(frozen=True)
class Notification:
    """One NOTIFY, answered 200: its body for the owner, the state it announced, and who
    sent it (`notifier`: the From URI; `dialog`: tells forked notifiers apart)."""

    package: str
    content_type: str
    body: bytes
    state: SubState
    reason: str
    notifier: str
    dialog: DialogId


@dataclass
class _Leg:
    """One dialog of the subscription (one notifier)."""

    dialog: Dialog
    state: SubState = SubState.PENDING
    expires_at: float | None = None
    refresh_at: float | None = None
    refreshing: bool = False
    notified: bool = False
    notify_by: float | None = None  # Timer N after the 2xx
    unsubscribed: bool = False


def dialog_seq(dialog: Dialog) -> Callable[[Request], int]:
    def seq(_request: Request) -> int:
        dialog.local_seq += 1
        return dialog.local_seq

    return seq


def body_type(request: Request) -> str:
    """The request's Content-Type as lower-case type/subtype ('' if none or unreadable)."""
    try:
        ctype = request.content_type
    except SipParseError:
        return ""
    return ctype.mime if ctype is not None else ""


class Subscriber:
    """Our subscription to `package` at `target` (RFC 6665 §4.1), one or more dialogs."""

    def __init__(
        self,
        core: UserAgentCore,
        *,
        package: str,
        target: SipURI,
        from_: NameAddr,
        to: NameAddr,
        local: LocalEndpoint,
        transmit: Transmit,
        on_update: Callable[[SubscriptionUpdate], None],
        on_notify: Callable[[Notification], None],
        accept: Iterable[str] = (),
        expires: int = 600,
        routes: Iterable[str] = (),
        headers: Iterable[tuple[str, str]] = (),
        check: Callable[[str, bytes], str | None] | None = None,
    ) -> None:
        self.core = core
        self.package = package.lower()
        self.target = target
        self.from_ = from_
        self.to = to
        self.local = local
        self.accept = tuple(a.lower() for a in accept)
        self.expires = expires
        self.routes = list(routes)
        self.extra_headers = list(headers)
        self._transmit = transmit
        self._on_update = on_update
        self._on_notify = on_notify
        self._check = check  # the owner reads the body: a problem → 400, NOTIFY not taken
        self.state: SubState | None = None
        self.reason = ""
        self.legs: dict[str, _Leg] = {}  # remote tag -> dialog
        self.call_id = ""
        self.local_tag = ""
        self._gen = 0  # which SUBSCRIBE round a callback belongs to
        self._cseq = 0
        self._initial: Request | None = None
        self._initial_pending = False
        self._ended_tags: set[str] = set()
        self._asked = expires  # the Expires of the current initial SUBSCRIBE
        self._tries_423 = 0
        self._started_at = 0.0
        self._quick = 0  # subscriptions in a row that ended quickly
        self._retry_at: float | None = None
        self._close_by: float | None = None
        self._closing = False
        self._finished = False
        self._last_report: tuple[SubState, str] | None = None
        self._pending_end: tuple[str, int | None] | None = None

    def __repr__(self) -> str:
        return f"<Subscriber {self.package} {self.target} {self.state}>"

    # ------------------------------------------------------------------ commands

    def start(self, now: float) -> Request:
        """Send the initial SUBSCRIBE (a new dialog set)."""
        return self._begin(now)

    def close(self, now: float, local: LocalEndpoint | None = None) -> None:
        """Unsubscribe (Expires: 0 in each dialog) and end after the terminating NOTIFYs
        or `UNSUBSCRIBE_WAIT` seconds, whichever comes first. `local`: our address now,
        when it may have changed since the dialogs began (the unsubscribes leave from it
        and name it as Contact, so that the terminating NOTIFY finds us)."""
        if self._finished or self._closing:
            return
        self._closing = True
        if local is not None:
            self.local = local
            for leg in self.legs.values():
                leg.dialog.local = local
        self._retry_at = None
        self._close_by = now + UNSUBSCRIBE_WAIT
        live = [leg for leg in self.legs.values() if leg.state is not SubState.TERMINATED]
        for leg in live:
            self._unsubscribe(leg, now)
        if not live and not self._initial_pending:
            self._finish(now, "closed")
        self.core.wake()

    @property
    def closing(self) -> bool:
        return self._closing

    def restart(self, now: float, local: LocalEndpoint | None = None) -> None:
        """Start over with a new SUBSCRIBE now (the owner's transport or registration
        came back, `local`: perhaps on a new address); the old dialogs are forgotten."""
        if self._finished or self._closing:
            return
        if local is not None:
            self.local = local
        self._quick = 0
        self._begin(now)

    # ------------------------------------------------------------------ the initial SUBSCRIBE

    def _begin(self, now: float) -> Request:
        self.core.detach(self)
        for leg in self.legs.values():
            leg.dialog.terminate()
        self.legs = {}
        self._ended_tags = set()
        self._pending_end = None
        self._gen += 1
        self._retry_at = None
        self._started_at = now
        self._tries_423 = 0
        self._asked = self.expires
        self.call_id = self.core.ids.call_id(self.local.host)
        self.local_tag = self.core.ids.tag()
        self._cseq = 0
        self.core.attach(self, call_id=self.call_id, local_tag=self.local_tag)
        return self._send_initial(now)

    def _headers(self, expires: int) -> list[tuple[str, str]]:
        out = [("Event", self.package)]
        if self.accept:
            out.append(("Accept", ", ".join(self.accept)))
        out.append(("Expires", str(expires)))
        return out + self.extra_headers

    def _send_initial(self, now: float) -> Request:
        self._cseq += 1
        out = Headers()
        out.add("Via", self.local.via(self.core.ids.branch()))
        out.add("Max-Forwards", "70")
        for route in self.routes:
            out.add("Route", route)
        out.add("From", str(self.from_.with_tag(self.local_tag)))
        out.add("To", str(self.to))
        out.add("Call-ID", self.call_id)
        out.add("CSeq", f"{self._cseq} SUBSCRIBE")
        if self.local.contact:
            out.add("Contact", self.local.contact)
        if self.local.user_agent:
            out.add("User-Agent", self.local.user_agent)
        for name, value in self._headers(self._asked):
            out.add(name, value)
        request = Request(method="SUBSCRIBE", uri=self.target, headers=out)
        self._initial = request
        self._initial_pending = True
        gen = self._gen
        hop = NameAddr.parse(self.routes[0]).uri if self.routes else self.target
        self._transmit(
            request,
            hop,
            ClientCallbacks(
                on_response=lambda r: self._on_initial(gen, r),
                on_timeout=lambda: self._initial_failed(gen, None, "no response"),
                on_transport_error=lambda _t: self._initial_failed(gen, None, "transport"),
                on_retry=lambda r: self._retried(gen, r),
            ),
        )
        self.core.wake()
        return request

    def _retried(self, gen: int, request: Request) -> None:
        if gen == self._gen:
            self._initial = request
            self._cseq = request.cseq.seq
            for leg in self.legs.values():  # a dialog a NOTIFY made counts from here
                leg.dialog.local_seq = max(leg.dialog.local_seq, self._cseq)

    def _on_initial(self, gen: int, response: Response) -> None:
        if gen != self._gen or self._finished or response.status < 200:
            return
        now = self.core.now
        self._initial_pending = False
        status = response.status
        if status < 300:
            self._accepted(response, now)
        elif status == 423 and not self._closing:
            try:
                least = response.min_expires
            except SipParseError:
                least = None
            self._tries_423 += 1
            if least is None or least <= self._asked or self._tries_423 > MAX_423:
                self._fail(now, status, response.reason)
                return
            self._asked = least
            self._send_initial(now)
        elif self.legs and any(leg.notified for leg in self.legs.values()):
            # A notifier already spoke (forked, NOTIFY first): its dialog stands.
            log.info("SUBSCRIBE answered %s, but a dialog is up: kept", status)
        elif self._closing:
            self._finish(now, "closed")
        else:
            reason = "bad event" if status == 489 else response.reason
            self._fail(now, status, reason)
        if not self._finished and self._pending_end is not None and not self._live():
            self._all_ended(now, *self._pending_end)
        self.core.wake()

    def _live(self) -> bool:
        return any(leg.state is not SubState.TERMINATED for leg in self.legs.values())

    def _initial_failed(self, gen: int, status: int | None, reason: str) -> None:
        if gen != self._gen or self._finished:
            return
        self._initial_pending = False
        now = self.core.now
        if any(leg.notified for leg in self.legs.values()):
            return
        if self._pending_end is not None and not self._closing:
            self._all_ended(now, *self._pending_end)
        elif self._closing:
            self._finish(now, "closed")
        else:
            self._fail(now, status, reason)

    def _accepted(self, response: Response, now: float) -> None:
        assert self._initial is not None
        tag = response.to.tag
        if not tag:
            log.info("2xx to SUBSCRIBE without To tag: ignored")
            return
        if tag in self._ended_tags:
            return  # its NOTIFY already ended it
        try:
            expires = _expires_of(response)
        except SipParseError:
            expires = None
        if expires is None:
            expires = self._asked  # RFC 6665 §4.1.2.1 requires it; be lenient
        leg = self.legs.get(tag)
        if leg is None:
            try:
                dialog = Dialog.as_uac(self._initial, response, self.local)
            except SipParseError as exc:
                self._fail(now, response.status, f"bad 2xx: {exc}")
                return
            leg = _Leg(dialog)
            self.legs[tag] = leg
            self.core.bind_dialog(dialog.id, self)
        else:
            leg.dialog.confirm(response)
        if not leg.notified:
            leg.notify_by = now + NOTIFY_WAIT
        if leg.expires_at is None or not leg.notified:
            self._grant(leg, now, expires)
        if self._closing:
            self._unsubscribe(leg, now)

    def _grant(self, leg: _Leg, now: float, expires: int) -> None:
        leg.expires_at = now + expires
        leg.refresh_at = None if expires == 0 else now + refresh_delay(expires)

    # ------------------------------------------------------------------ refresh / unsubscribe

    def _in_dialog(
        self,
        leg: _Leg,
        expires: int,
        on_response: Callable[[Response], None],
        fail: Callable[[], None],
    ) -> None:
        request = leg.dialog.create_request("SUBSCRIBE", headers=self._headers(expires))
        self._transmit(
            request,
            leg.dialog.next_hop,
            ClientCallbacks(
                on_response=on_response,
                on_timeout=fail,
                on_transport_error=lambda _t: fail(),
                retry_seq=dialog_seq(leg.dialog),
            ),
        )
        self.core.wake()

    def _refresh(self, leg: _Leg, now: float, expires: int | None = None) -> None:
        leg.refreshing = True
        leg.refresh_at = None
        asked = self.expires if expires is None else expires
        gen = self._gen

        def answered(response: Response) -> None:
            if gen != self._gen or self._finished or response.status < 200:
                return
            leg.refreshing = False
            t = self.core.now
            if response.status < 300:
                try:
                    granted = _expires_of(response)
                except SipParseError:
                    granted = None
                self._grant(leg, t, asked if granted is None else granted)
            elif response.status == 423:
                try:
                    least = response.min_expires
                except SipParseError:
                    least = None
                if least is not None and asked < least <= 86400:
                    self._refresh(leg, t, least)
                # else: it stays valid until it runs out (§4.1.2.2)
            elif response.status == 481:
                self._leg_gone(leg, t, "timeout")
            else:
                log.info("refresh of %r answered %s: valid until it expires", self, response.status)

        def failed() -> None:
            if gen == self._gen and not self._finished:
                leg.refreshing = False
                self._leg_gone(leg, self.core.now, "timeout")

        self._in_dialog(leg, asked, answered, failed)

    def _unsubscribe(self, leg: _Leg, now: float) -> None:
        if leg.unsubscribed:
            return
        leg.unsubscribed = True
        leg.refresh_at = None
        gen = self._gen

        def answered(response: Response) -> None:
            if gen != self._gen or self._finished or response.status < 200:
                return
            if response.status >= 300:  # nothing left to end at the notifier
                self._leg_ended(leg, self.core.now, "closed", None)

        def failed() -> None:
            if gen == self._gen and not self._finished:
                self._leg_ended(leg, self.core.now, "closed", None)

        self._in_dialog(leg, 0, answered, failed)

    # ------------------------------------------------------------------ NOTIFY

    def accepts(self, request: Request) -> bool:
        if request.method.upper() != "NOTIFY" or self._finished:
            return False
        try:
            return EventHeader.of(request).package != "refer"
        except SipParseError:
            return True  # ours to answer (489)

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        core = self.core
        event = EventHeader.find(request)
        if event is None or event.package != self.package:
            core.answer(tx, 489, headers=[("Allow-Events", self.package)], now=now)
            return
        try:
            sub = SubscriptionStateHeader.parse(request.headers.get("Subscription-State"))
            tag = request.from_.tag or ""
        except SipParseError as exc:
            log.info("NOTIFY refused: %s", exc)
            core.answer(tx, 400, "Bad Subscription-State", now=now)
            return
        ctype = body_type(request)
        if request.body and self.accept and ctype not in self.accept:
            core.answer(tx, 415, headers=[("Accept", ", ".join(self.accept))], now=now)
            return
        leg = self.legs.get(tag)
        if leg is None and (tag in self._ended_tags or not tag or self._initial is None):
            core.answer(tx, 481, now=now)
            return
        if leg is not None:
            bad = leg.dialog.check_request(request)
            if bad is not None:
                core.answer(tx, bad, now=now)
                return
        problem = self._check(ctype, request.body) if self._check and request.body else None
        if problem:
            log.info("NOTIFY of %r refused: %s", self, problem)
            core.answer(tx, 400, "Bad Message Body", now=now)
            return
        if leg is None:
            try:
                leg = self._leg_from_notify(request)
            except SipParseError as exc:
                log.info("NOTIFY cannot make a dialog: %s", exc)
                core.answer(tx, 400, "Bad Contact", now=now)
                return
        else:
            leg.dialog.update_target(request)
        core.answer(tx, 200, now=now)
        leg.notified = True
        leg.notify_by = None
        if leg.dialog.early:
            leg.dialog.state = DialogState.CONFIRMED
        state = {"active": SubState.ACTIVE, "terminated": SubState.TERMINATED}.get(
            sub.state, SubState.PENDING
        )
        try:
            notifier = str(request.from_.uri)
        except SipParseError:
            notifier = ""
        note = Notification(
            self.package,
            ctype,
            request.body,
            state,
            sub.reason or "",
            notifier,
            leg.dialog.id,
        )
        try:
            self._on_notify(note)
        except Exception:  # the owner's trouble must not break the routing
            log.exception("NOTIFY handler of %r failed", self)
        if state is SubState.TERMINATED:
            self._leg_ended(leg, now, sub.reason or "", sub.retry_after)
            return
        leg.state = state
        if sub.expires is not None and not leg.unsubscribed:
            if sub.expires == 0:
                self._leg_ended(leg, now, "timeout", None)
                return
            if not leg.refreshing:
                self._grant(leg, now, sub.expires)
            else:
                leg.expires_at = now + sub.expires
        self._report(now)

    def _leg_from_notify(self, request: Request) -> _Leg:
        """A dialog made by a NOTIFY (before the 2xx, or from a fork, RFC 6665 §4.1.2.4):
        route set from its Record-Route in order, target from its Contact."""
        assert self._initial is not None
        contacts = request.contacts
        if not contacts:
            raise SipParseError("NOTIFY without Contact")
        dialog = Dialog(
            call_id=self.call_id,
            local_tag=self.local_tag,
            remote_tag=request.from_.tag or "",
            local_uri=NameAddr(self.from_.display_name, self.from_.uri.copy(), {}),
            remote_uri=NameAddr(None, self.to.uri.copy(), {}),
            remote_target=contacts[0].uri,
            local=self.local,
            route_set=list(request.record_routes),
            local_seq=self._cseq,
            remote_seq=request.cseq.seq,
            is_uac=True,
            state=DialogState.CONFIRMED,
        )
        leg = _Leg(dialog)
        leg.expires_at = self.core.now + self._asked
        leg.refresh_at = self.core.now + refresh_delay(self._asked)
        self.legs[dialog.remote_tag] = leg
        self.core.bind_dialog(dialog.id, self)
        return leg

    # ------------------------------------------------------------------ ends of dialogs

    def _leg_gone(self, leg: _Leg, now: float, reason: str) -> None:
        """A dialog the notifier forgot (481, no answer, expired): over, start again."""
        self._leg_ended(leg, now, reason, None)

    def _leg_ended(self, leg: _Leg, now: float, reason: str, retry_after: int | None) -> None:
        tag = leg.dialog.remote_tag
        leg.state = SubState.TERMINATED
        leg.dialog.terminate()
        self.legs.pop(tag, None)
        self._ended_tags.add(tag)
        if any(leg.state is not SubState.TERMINATED for leg in self.legs.values()):
            self._report(now)  # another notifier still serves us
            return
        if self._initial_pending and not self._closing:
            self._pending_end = (reason, retry_after)  # the 2xx may still come
            return
        self._all_ended(now, reason, retry_after)

    def _all_ended(self, now: float, reason: str, retry_after: int | None) -> None:
        """No dialog is left: stop, or subscribe again now or later (§4.1.3)."""
        self._pending_end = None
        if self._closing:
            self._finish(now, reason or "closed")
            return
        reason = reason.lower()
        if reason in FINAL:
            self._finish(now, reason)
            return
        if reason in IMMEDIATE:
            delay = self._backoff(now)
        elif retry_after is not None:
            delay = float(retry_after)
        else:
            delay = max(DEFAULT_RETRY, self._backoff(now))
        self._retry_at = now + delay
        self._set(SubscriptionUpdate(SubState.TERMINATED, reason, None, delay), force=True)
        if delay <= 0:
            self._retry_at = None
            self._begin(now)

    def _backoff(self, now: float) -> float:
        """0 for a subscription that lived a while; 2, 4, 8... s for one that ended at
        once, again and again (a notifier that deactivates every new subscription)."""
        if now - self._started_at < QUICK:
            self._quick += 1
        else:
            self._quick = 0
        if self._quick <= 1:
            return 0.0
        return min(2.0 ** (self._quick - 1), MAX_BACKOFF)

    def _fail(self, now: float, status: int | None, reason: str) -> None:
        self._stop()  # finished before the owner hears it
        self._set(SubscriptionUpdate(SubState.FAILED, reason, status), force=True)

    def _finish(self, now: float, reason: str) -> None:
        if self._finished:
            return
        self._stop()
        self._set(SubscriptionUpdate(SubState.TERMINATED, reason), force=True)

    def _stop(self) -> None:
        self._finished = True
        self._retry_at = self._close_by = None
        self._initial_pending = False
        for leg in self.legs.values():
            leg.dialog.terminate()
        self.legs = {}
        self.core.detach(self)
        self.core.wake()

    # ------------------------------------------------------------------ reporting

    def _report(self, now: float) -> None:
        states = {leg.state for leg in self.legs.values()}
        if SubState.ACTIVE in states:
            merged = SubState.ACTIVE
        elif SubState.PENDING in states:
            merged = SubState.PENDING
        else:
            return
        self._set(SubscriptionUpdate(merged))

    def _set(self, update: SubscriptionUpdate, *, force: bool = False) -> None:
        key = (update.state, update.reason)
        if not force and key == self._last_report:
            return
        self._last_report = key
        self.state = update.state
        self.reason = update.reason
        try:
            self._on_update(update)
        except Exception:
            log.exception("update handler of %r failed", self)

    # ------------------------------------------------------------------ DialogUsage

    @property
    def finished(self) -> bool:
        return self._finished

    def on_ack(self, ack: Request, now: float) -> None:
        pass

    def on_stray_response(self, response: Response, now: float) -> None:
        pass

    def next_timer(self) -> float | None:
        if self._finished:
            return None
        times = [self._retry_at, self._close_by]
        for leg in self.legs.values():
            times += [leg.refresh_at, leg.expires_at, leg.notify_by]
        return min((t for t in times if t is not None), default=None)

    def handle_timer(self, now: float) -> None:
        if self._finished:
            return
        if self._close_by is not None and now >= self._close_by:
            self._finish(now, "closed")
            return
        if self._retry_at is not None and now >= self._retry_at:
            self._retry_at = None
            self._begin(now)
            return
        for leg in list(self.legs.values()):
            if leg.expires_at is not None and now >= leg.expires_at:
                leg.expires_at = None
                self._leg_gone(leg, now, "timeout")
            elif leg.notify_by is not None and now >= leg.notify_by:
                leg.notify_by = None
                self._leg_ended(leg, now, "", None)  # §4.1.2.4: no NOTIFY, no subscription
            elif leg.refresh_at is not None and now >= leg.refresh_at:
                self._refresh(leg, now)
            if self._finished or leg.dialog.call_id != self.call_id:
                return
