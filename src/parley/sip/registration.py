"""The client side of registration (RFC 3261 §10), as a sans-IO state machine.

One `RegistrationClient` per account binding. It builds REGISTER requests, reads the
answers the transaction layer hands it, and decides what happens next: answer a digest
challenge, raise the expiry after 423, refresh before the binding runs out, retry with
back-off after a failure. It never sends anything itself: every method returns a list of
outputs (`SendRegister`, `StateChanged`), and the owner arms `next_timer()`.

Refresh timing follows the manual: re-register 10 % before the granted expiry runs out.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field, replace

from parley.sip.auth import DigestClient
from parley.sip.headers import SipParseError
from parley.sip.ids import new_branch, new_call_id, new_tag
from parley.sip.message import Headers, Request, Response
from parley.sip.request_client import Credentials, DigestRetry
from parley.sip.uri import SipURI, uri_host

REFRESH_FRACTION = 0.9  # re-register after 90 % of the granted time


class RegState(enum.StrEnum):
    UNREGISTERED = "not registered"
    REGISTERING = "registering"
    REGISTERED = "registered"
    FAILED = "failed"
    UNREGISTERING = "unregistering"


class RegCause(enum.StrEnum):
    """Why a registration failed (or ended), for the front-ends to put in words."""

    WRONG_PASSWORD = "wrong password"  # our credentials were challenged again
    REFUSED = "refused"  # the registrar answered a failure status
    NO_RESPONSE = "no response"  # no answer came (Timer F: a 408 we made up)
    UNREACHABLE = "unreachable"  # the REGISTER could not be sent; `detail` says why
    EXPIRY_TOO_BRIEF = "expiry too brief"  # 423 without a usable Min-Expires


@dataclass(frozen=True)
class RegistrationConfig:
    """What a registration needs to know about its account."""

    username: str
    domain: str  # host[:port] of the registrar, as the user typed it
    password: str = ""
    auth_username: str | None = None
    display_name: str | None = None
    transport: str = "udp"  # udp | tcp | tls
    expires: int = 600
    outbound_proxy: str | None = None  # host[:port] or SIP URI; becomes a loose Route
    user_agent: str = "Parley"
    rport: bool = True
    retry_interval: float = 30.0
    max_retry_interval: float = 300.0
    # What we answer, as the user-agent core derives it (`Capabilities.allow`); empty:
    # no Allow header.
    allow: str = ""


@dataclass(frozen=True)
class SendRegister:
    """Send `request` to the registrar (or the outbound proxy) through a new transaction."""

    request: Request


@dataclass(frozen=True)
class StateChanged:
    """The registration changed state: the SIP answer behind it, why it failed
    (`cause`) and, for a send failure, the transport's own words (`detail`)."""

    state: RegState
    status: int | None = None
    reason: str = ""
    cause: RegCause | None = None
    detail: str = ""
    expires: int | None = None


Output = SendRegister | StateChanged


@dataclass
class _Local:
    host: str
    port: int


@dataclass
class RegistrationClient:
    config: RegistrationConfig
    rng: random.Random = field(default_factory=random.SystemRandom)
    digest: DigestClient = field(default_factory=DigestClient)

    state: RegState = RegState.UNREGISTERED
    granted_expires: int | None = None
    last_status: int | None = None
    last_reason: str = ""
    last_cause: RegCause | None = None
    last_detail: str = ""

    def __post_init__(self) -> None:
        self._local = _Local("0.0.0.0", 0)
        self._public: _Local | None = None  # learnt from received/rport (RFC 3581)
        self._mapped: _Local | None = None  # our socket's public address, told by STUN
        self._stale: str | None = None  # our Contact before an address change, to remove
        self._call_id = ""
        self._from_tag = new_tag(self.rng)
        self._cseq = 0
        self._expires = self.config.expires
        self._retry: DigestRetry | None = None
        self._pending: Request | None = None
        self._timer: float | None = None
        self._timer_action: str | None = None  # "refresh" | "retry"
        self._failures = 0
        self._want_registered = False
        self._answered = False  # the registrar has answered us at least once

    # -- configuration from the owner

    def set_transport(self, transport: str) -> None:
        """The transport actually used (chosen by DNS when the account says "auto")."""
        if transport != self.config.transport:
            self.config = replace(self.config, transport=transport)

    def set_local_address(self, host: str, port: int) -> None:
        """Where our transport listens / our connection comes from, for Via and Contact."""
        self._local = _Local(host, port)

    @property
    def answered(self) -> bool:
        """Whether the registrar ever answered one of our REGISTERs (a 401 counts).
        Never answered: there is no binding to wait for when unregistering."""
        return self._answered

    @property
    def local_host(self) -> str:
        """Our own address (the one our socket has)."""
        return self._local.host

    @property
    def public_host(self) -> str | None:
        """The address the registrar saw us at (RFC 3581), when it differs from ours."""
        return self._public.host if self._public is not None else None

    @property
    def mapped_address(self) -> tuple[str, int] | None:
        """Our socket's public address as a STUN server saw it (RFC 5389), if asked."""
        return (self._mapped.host, self._mapped.port) if self._mapped is not None else None

    def set_mapped_address(self, host: str, port: int, now: float) -> list[Output]:
        """STUN told our public address: Via and Contact carry it from now on (rport,
        when the registrar gives it, still wins). A registered binding with another
        address is renewed at once."""
        new = _Local(f"[{host}]" if ":" in host else host, port)
        if self._mapped == new:
            return []
        self._mapped = new
        if self._public is not None or not self._want_registered:
            return []
        if self.state != RegState.REGISTERED or self._pending is not None:
            return []  # the REGISTER being built or on its way will carry it next time
        return self._start_attempt(now, refresh=True)

    @property
    def contact_uri(self) -> SipURI:
        where = self._public or self._mapped or self._local
        params: dict[str, str | None] = {}
        if self.config.transport != "udp":
            params["transport"] = self.config.transport
        return SipURI(
            scheme="sips" if self.config.transport == "tls" else "sip",
            user=self.config.username,
            password=None,
            host=where.host,
            port=where.port,
            params=params,
            headers={},
        )

    @property
    def aor(self) -> SipURI:
        host, port = split_host_port(self.config.domain)
        return SipURI("sip", self.config.username, None, host, port, {}, {})

    @property
    def pending_request(self) -> Request | None:
        return self._pending

    # -- commands

    def register(self, now: float) -> list[Output]:
        """Start (or restart) registering now."""
        self._want_registered = True
        self._expires = self.config.expires
        return self._start_attempt(now)

    def unregister(self, now: float) -> list[Output]:
        """Remove our binding (Expires: 0); ends in UNREGISTERED whatever the answer."""
        self._want_registered = False
        self._cancel_timer()
        if self.state in (RegState.UNREGISTERED, RegState.FAILED) and self._pending is None:
            return self._set_state(RegState.UNREGISTERED, None, "")
        out = self._set_state(RegState.UNREGISTERING, None, "")
        self._retry = None
        out.append(SendRegister(self._build(expires=0)))
        return out

    def connection_lost(self, now: float) -> list[Output]:
        """The connection to the registrar dropped: our binding is useless, register again."""
        if not self._want_registered:
            return []
        self._pending = None
        return self._start_attempt(now)

    def address_changed(self, host: str, port: int, now: float) -> list[Output]:
        """Our local address changed (new network, new connection): re-register from it,
        removing the binding of the old address in the same REGISTER (§10.2.2: a Contact
        with expires=0), so that the registrar forks no call to an address that is gone."""
        old = str(self.contact_uri) if self._answered else None
        self.set_local_address(host, port)
        self._public = None
        self._mapped = None
        if old is not None and old != str(self.contact_uri):
            self._stale = old
        if not self._want_registered:
            return []
        return self._start_attempt(now)

    # -- answers from the transaction layer

    def on_response(self, response: Response, now: float) -> list[Output]:
        request = self._pending
        if request is None or response.status < 200:
            return []
        try:
            if response.call_id != request.call_id or response.cseq.seq != request.cseq.seq:
                return []  # an answer to an earlier attempt
        except SipParseError:
            return []
        self._pending = None
        self._answered = True  # (no answer at all comes as on_timeout)
        unregistering = request.expires == 0
        status = response.status
        if status in (401, 407):
            return self._on_challenge(request, response, now, unregistering)
        if unregistering:
            self._failures = 0
            cause = None if 200 <= status < 300 else RegCause.REFUSED
            return self._set_state(RegState.UNREGISTERED, status, response.reason, cause)
        if 200 <= status < 300:
            return self._on_success(request, response, now)
        if status == 423:
            return self._on_interval_too_brief(response, now)
        return self._fail(status, response.reason, now)

    def on_timeout(self, now: float) -> list[Output]:
        """The transaction timed out (Timer F): RFC 3261 treats it as 408."""
        if self._pending is None:
            return []
        unregistering = self._pending.expires == 0
        self._pending = None
        if unregistering:
            return self._set_state(
                RegState.UNREGISTERED, 408, "Request Timeout", RegCause.NO_RESPONSE
            )
        return self._fail(408, "Request Timeout", now)

    def on_transport_error(self, message: str, now: float) -> list[Output]:
        """Sending failed (connection refused, TLS handshake failed...)."""
        if self._pending is None:
            return []
        unregistering = self._pending.expires == 0
        self._pending = None
        if unregistering:
            return self._set_state(RegState.UNREGISTERED, None, "")
        return self._fail(
            503, "Service Unavailable", now, cause=RegCause.UNREACHABLE, detail=message
        )

    # -- timers

    def next_timer(self) -> float | None:
        return self._timer

    def cancel_timer(self) -> None:
        """Forget the pending refresh or retry (the owner takes over, or we stop)."""
        self._cancel_timer()

    def retry(self, now: float) -> list[Output]:
        """Try again now (the owner's retry after it found and reached the server)."""
        self._cancel_timer()
        if not self._want_registered:
            return []
        return self._start_attempt(now, refresh=self.state == RegState.REGISTERED)

    def handle_timer(self, now: float) -> list[Output]:
        if self._timer is None or now < self._timer:
            return []
        self._cancel_timer()
        if not self._want_registered:
            return []
        return self._start_attempt(now, refresh=self.state == RegState.REGISTERED)

    # -- internals

    def _credentials(self) -> Credentials:
        cfg = self.config
        return Credentials(self.digest, cfg.auth_username or cfg.username, cfg.password)

    def _start_attempt(self, now: float, *, refresh: bool = False) -> list[Output]:
        self._cancel_timer()
        self._retry = None
        out: list[Output] = []
        if not refresh:
            out += self._set_state(RegState.REGISTERING, None, "")
        request = self._build(expires=self._expires)
        self.digest.preauthorize(request)
        out.append(SendRegister(request))
        return out

    def _build(self, *, expires: int) -> Request:
        """A new REGISTER: same Call-ID for the life of the client (§10.2.4), CSeq + 1."""
        cfg = self.config
        if not self._call_id:
            self._call_id = new_call_id(self._local.host, self.rng)
        self._cseq += 1
        aor = self.aor
        registrar = SipURI(
            scheme="sips" if cfg.transport == "tls" else "sip",
            user=None,
            password=None,
            host=aor.host,
            port=aor.port,
            params={"transport": cfg.transport} if cfg.transport == "tcp" else {},
            headers={},
        )
        via_params = f";branch={new_branch(self.rng)}" + (";rport" if cfg.rport else "")
        local = self._mapped or self._local  # RFC 5389 §2: STUN's address in Via too
        headers = Headers()
        headers.add("Via", f"SIP/2.0/{cfg.transport.upper()} {local.host}:{local.port}{via_params}")
        headers.add("Max-Forwards", "70")
        if cfg.outbound_proxy:
            headers.add("Route", f"<{proxy_uri(cfg.outbound_proxy, cfg.transport)}>")
        display = f'"{cfg.display_name}" ' if cfg.display_name else ""
        headers.add("From", f"{display}<{aor}>;tag={self._from_tag}")
        headers.add("To", f"{display}<{aor}>")
        headers.add("Call-ID", self._call_id)
        headers.add("CSeq", f"{self._cseq} REGISTER")
        headers.add("Contact", f"<{self.contact_uri}>")
        if self._stale is not None:
            headers.add("Contact", f"<{self._stale}>;expires=0")
        headers.add("Expires", str(expires))
        if cfg.allow:
            headers.add("Allow", cfg.allow)
        headers.add("User-Agent", cfg.user_agent)
        request = Request(method="REGISTER", uri=registrar, headers=headers)
        self._pending = request
        return request

    def _on_challenge(
        self, request: Request, response: Response, now: float, unregistering: bool
    ) -> list[Output]:
        # The same digest retry as every other request (`request_client.DigestRetry`);
        # its round count lives as long as this attempt.
        if self._retry is None:
            self._retry = DigestRetry(self._credentials(), lambda: new_branch(self.rng))
        retry = self._retry.retry(request, response, seq=self._cseq + 1)
        if retry is None:
            if unregistering:
                return self._set_state(RegState.UNREGISTERED, response.status, response.reason)
            self.digest.forget()
            return self._fail(response.status, response.reason, now, cause=RegCause.WRONG_PASSWORD)
        self._cseq = retry.cseq.seq
        self._pending = retry
        return [SendRegister(retry)]

    def _on_interval_too_brief(self, response: Response, now: float) -> list[Output]:
        """§10.2.8: retry with at least Min-Expires."""
        try:
            minimum = response.min_expires
        except SipParseError:
            minimum = None
        if minimum is None or minimum <= self._expires:
            return self._fail(423, response.reason, now, cause=RegCause.EXPIRY_TOO_BRIEF)
        self._expires = minimum
        self._retry = None
        request = self._build(expires=minimum)
        self.digest.preauthorize(request)
        return [SendRegister(request)]

    def _on_success(self, request: Request, response: Response, now: float) -> list[Output]:
        self._failures = 0
        self._stale = None  # the old binding is gone with this answer
        granted = self._granted_expiry(response)
        out: list[Output] = []
        if self.config.rport and self._learn_public_address(response):
            # Our binding carries an address nobody can reach: bind the public one instead.
            out.extend(self._start_attempt(now, refresh=True))
            return out
        self.granted_expires = granted
        self._arm(now + max(granted * REFRESH_FRACTION, 1.0), "refresh")
        return self._set_state(
            RegState.REGISTERED, response.status, response.reason, expires=granted
        )

    def _granted_expiry(self, response: Response) -> int:
        """The expiry the registrar granted our contact (§10.2.4): its `expires` param,
        else the Expires header, else what we asked for."""
        mine = self.contact_uri
        try:
            for contact in response.contacts:
                uri = contact.uri
                if (uri.user, uri.host.lower(), uri.port or 5060) == (
                    mine.user,
                    mine.host.lower(),
                    mine.port or 5060,
                ):
                    value = contact.params.get("expires")
                    if value is not None and value.strip().isdigit():
                        return int(value)
            header = response.expires
        except SipParseError:
            header = None
        return header if header is not None else self._expires

    def _learn_public_address(self, response: Response) -> bool:
        """RFC 3581: if the registrar saw us at another address, use that in Contact.
        Returns True when the address changed (and a new REGISTER is due)."""
        try:
            via = response.top_via
        except SipParseError:
            return False
        # received carries an IPv6 address bare (RFC 3261 §20.42); Contact needs brackets.
        host = uri_host(via.received or via.host)
        port = via.rport or via.port or self._local.port
        current = self._public or self._mapped or self._local
        if (host, port) == (uri_host(current.host), current.port) or via.received is None:
            return False
        self._public = _Local(host, port)
        return True

    def _fail(
        self,
        status: int,
        reason: str,
        now: float,
        *,
        cause: RegCause | None = None,
        detail: str = "",
    ) -> list[Output]:
        self._failures += 1
        delay = min(
            self.config.retry_interval * (2 ** (self._failures - 1)),
            self.config.max_retry_interval,
        )
        if self._want_registered:
            self._arm(now + delay, "retry")
        if cause is None:
            cause = RegCause.NO_RESPONSE if status == 408 else RegCause.REFUSED
        return self._set_state(RegState.FAILED, status, reason, cause, detail)

    def _arm(self, when: float, action: str) -> None:
        self._timer = when
        self._timer_action = action

    def _cancel_timer(self) -> None:
        self._timer = None
        self._timer_action = None

    def _set_state(
        self,
        state: RegState,
        status: int | None,
        reason: str,
        cause: RegCause | None = None,
        detail: str = "",
        *,
        expires: int | None = None,
    ) -> list[Output]:
        now_ = (state, status, cause, detail)
        changed = now_ != (self.state, self.last_status, self.last_cause, self.last_detail)
        self.state, self.last_status, self.last_reason = state, status, reason
        self.last_cause, self.last_detail = cause, detail
        if state != RegState.REGISTERED:
            self.granted_expires = None
        if not changed:
            return []
        return [StateChanged(state, status, reason, cause, detail, expires)]


def split_host_port(text: str) -> tuple[str, int | None]:
    """'pbx.example.com:5070' -> ('pbx.example.com', 5070); IPv6 references keep brackets."""
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        host = text[: end + 1]
        rest = text[end + 1 :]
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    host, sep, port = text.rpartition(":")
    if sep and port.isdigit() and ":" not in host:
        return host, int(port)
    return text, None


def proxy_uri(proxy: str, transport: str) -> str:
    """The loose-routing Route URI for an outbound proxy given as host[:port] or a URI."""
    text = proxy.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text.lower().startswith(("sip:", "sips:")):
        scheme = "sips" if transport == "tls" else "sip"
        text = f"{scheme}:{text}"
        if transport == "tcp":
            text += ";transport=tcp"
    if ";lr" not in text:
        text += ";lr"
    return text
