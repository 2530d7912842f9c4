"""An account: one SIP identity registered at one server, kept registered.

The protocol decisions live in `parley.sip.registration.RegistrationClient`; this class
gives it what it cannot have itself — server addresses (RFC 3263), a connection — and
carries out its outputs through the SIP driver. Its refresh and retry deadlines fire from
the user-agent core's one timer (the account is registered there as a `Timed`). It also
owns the failover between DNS targets and the keep-alive that notices a dead connection.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from parley.net.address import Address, TransportError, ip_literal, strip_brackets
from parley.net.dns import DnsError, make_resolver, resolve
from parley.net.driver import SipDriver
from parley.net.keepalive import KeepAlive
from parley.net.problems import NetError, NetProblem
from parley.net.stun_client import (
    StunFailure,
    StunProblem,
    StunServer,
    resolve_server,
    sip_socket_binding,
)
from parley.phone.events import AccountStateChanged, PhoneEvent
from parley.phone.reachability import ServerWatch
from parley.phone.tls_setup import account_context, verification_off
from parley.settings.model import AccountSettings
from parley.settings.network import TlsSettings
from parley.sip.auth import DigestClient
from parley.sip.dialog import LocalEndpoint
from parley.sip.message import Response
from parley.sip.registration import (
    Output,
    RegCause,
    RegistrationClient,
    RegistrationConfig,
    RegState,
    SendRegister,
    StateChanged,
    split_host_port,
)
from parley.sip.request_client import ClientCallbacks
from parley.sip.uri import SipURI

log = logging.getLogger(__name__)

FAILOVER_STATUSES = {408, 503}  # RFC 3263 §4.3: try the next server on these
# A STUN server that does not answer delays a registration by this much at most (the
# RFC's full schedule would take 39.5 s); the registration then goes on without it.
STUN_WAIT = 5.0


def _problem_of(exc: BaseException | None) -> tuple[NetProblem, str] | None:
    """The code and place of a net error (None for an error without one)."""
    if isinstance(exc, NetError) and exc.problem is not None:
        return exc.problem, exc.where
    return None


def registration_config(
    account: AccountSettings, password: str, user_agent: str, allow: str = ""
) -> RegistrationConfig:
    return RegistrationConfig(
        username=account.username,
        domain=account.domain,
        password=password,
        auth_username=account.effective_auth_username,
        display_name=account.display_name,
        transport=account.transport,
        expires=account.expires,
        outbound_proxy=account.outbound_proxy,
        user_agent=user_agent,
        rport=account.rport,
        retry_interval=float(account.retry_interval),
        max_retry_interval=float(max(account.retry_interval, account.retry_max_interval)),
        allow=allow,
    )


class Account:
    def __init__(
        self,
        settings: AccountSettings,
        password: str,
        driver: SipDriver,
        emit: Callable[[PhoneEvent], None],
        stun: Callable[[], StunServer | None] = lambda: None,
        *,
        tls: Callable[[], TlsSettings] = TlsSettings,
        config_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self._stun = stun  # the STUN server in force for this account (or None)
        self._stun_task: asyncio.Task[None] | None = None
        # Why the last STUN ask gave no address (problem, server, detail), or None.
        self._stun_failure: tuple[StunProblem, str, str] | None = None
        self._last_change: StateChanged | None = None  # re-sent when the STUN news changes
        self._tls = tls  # the global [tls] table as it is now
        self._config_dir = config_dir  # where a self-signed client certificate is kept
        self._tls_context: ssl.SSLContext | None = None  # the last one that could be built
        self.name = settings.name
        self._driver = driver
        self._emit = emit
        core = driver.core
        self.registration = RegistrationClient(
            registration_config(settings, password, driver.user_agent, core.capabilities.allow),
            rng=core.ids.rng,
            digest=DigestClient(cnonce_factory=core.ids.cnonce),
        )
        self._targets: list[Address] = []
        self._problem: tuple[NetProblem, str] | None = None  # behind the last UNREACHABLE
        self._target_index = 0
        self._keepalive: KeepAlive | None = None
        self._busy: asyncio.Lock = asyncio.Lock()
        self._settled = asyncio.Event()  # set when an unregister has finished
        self._tasks: set[asyncio.Task[None]] = set()
        self.local_port: int | None = None  # our own SIP port (UDP), set by the phone
        self.watch = ServerWatch(
            self.name,
            emit,
            lambda: self.server,
            lambda: self._spawn(self._reconnect_and_register(refresh=True)),
        )
        driver.on_connection_lost(self._connection_lost)
        core.add_timed(self)

    @property
    def state(self) -> RegState:
        return self.registration.state

    @property
    def server(self) -> Address | None:
        if not self._targets:
            return None
        return self._targets[self._target_index % len(self._targets)]

    # -- what calls need from their account

    def local_endpoint(self) -> LocalEndpoint:
        """Via/Contact values for requests of this account (the registered binding)."""
        contact = self.registration.contact_uri
        transport = self.server.transport if self.server is not None else self.settings.transport
        return LocalEndpoint(
            host=contact.host,
            port=contact.port or 5060,
            transport="UDP" if transport == "auto" else transport.upper(),
            contact=f"<{contact}>",
            rport=self.settings.rport,
            user_agent=self._driver.user_agent,
        )

    async def resolve_next_hop(self, uri: SipURI | None) -> Address:
        """Where to send a request whose next hop is `uri` (RFC 3263 §4, for IP literals
        directly): its transport parameter, else sips → TLS, else the account's transport."""
        if uri is None or not uri.host:
            if self.server is None:
                await self._locate()
            if self.server is None:
                raise TransportError(f"{self.name}: no server to send to")
            return self.server
        transport = (uri.transport or ("tls" if uri.scheme == "sips" else "")).lower()
        if not transport:
            transport = (
                self.server.transport if self.server is not None else self.settings.transport
            )
        if transport == "auto":
            transport = "udp"
        host = strip_brackets(uri.host)
        if self.server is not None and (host, uri.port) == (self.server.host, self.server.port):
            return self.server
        resolver = (
            None
            if ip_literal(host) is not None
            else make_resolver(self.settings.dns_servers or None)
        )
        targets = await resolve(
            host, uri.port, transport, resolver=resolver, family=self.settings.ip_version
        )
        return targets[0]

    # -- commands

    async def register(self) -> None:
        """Find the server and send the first REGISTER; the rest follows by itself."""
        async with self._busy:
            if not await self._locate():
                return
            if not await self._prepare_connection():
                return
            self._carry_out(self.registration.register(self._driver.now))

    async def unregister(self, timeout: float = 5.0) -> None:
        """Remove our binding and wait (bounded) for the server's answer."""
        self._stop_keepalive()
        if self._stun_task is not None:
            self._stun_task.cancel()
        self._settled.clear()
        outputs = self.registration.unregister(self._driver.now)
        if not any(isinstance(o, SendRegister) for o in outputs):
            self._carry_out(outputs)
            return
        self._carry_out(outputs)
        if not self.registration.answered:
            # The server never answered (a wrong port, a dead host): no binding can
            # exist, and waiting for it would hold up whoever removes the account.
            self.registration.cancel_timer()
            return
        try:
            await asyncio.wait_for(self._settled.wait(), timeout)
        except TimeoutError:
            log.info("%s: no answer to the unregister within %.0f s", self.name, timeout)
        self.registration.cancel_timer()

    async def close(self) -> None:
        if self._stun_task is not None:
            self._stun_task.cancel()
        self._driver.core.remove_timed(self)
        self.registration.cancel_timer()
        self._stop_keepalive()
        for task in list(self._tasks):
            task.cancel()

    # -- locating the server

    async def _locate(self) -> bool:
        """RFC 3263: the ordered list of servers to try for our domain (or outbound proxy)."""
        s = self.settings
        where = s.outbound_proxy or s.domain
        where = where.split(";", 1)[0]
        if where.lower().startswith(("sip:", "sips:")):
            where = where.split(":", 1)[1].split("@")[-1]
        host, port = split_host_port(where)
        try:
            resolver = make_resolver(s.dns_servers or None) if ip_literal(host) is None else None
            wanted = None if s.transport == "auto" else s.transport
            targets = await resolve(
                strip_brackets(host), port, wanted, resolver=resolver, family=s.ip_version
            )
        except DnsError as exc:
            self._apply_failure(f"Registration failed: {exc}", exc)
            return False
        self._targets = targets
        self._target_index = 0
        return True

    async def _prepare_connection(self) -> bool:
        """Open the connection (TCP/TLS) so Via and Contact carry its local address."""
        dest = self.server
        assert dest is not None
        self.registration.set_transport(dest.transport)
        try:
            if dest.transport != "udp":
                server_name = self.settings.tls_server_name or (
                    None if ip_literal(self.settings.domain_host) else self.settings.domain_host
                )
                ctx = self._ssl_context() if dest.transport == "tls" else None
                await self._driver.transport.connect(dest, server_name=server_name, ssl_context=ctx)
                if ctx is not None:
                    # A TLS 1.3 server refuses a client certificate just after the
                    # handshake: let that news arrive before the connection is used.
                    await asyncio.sleep(0)
            host, port = self._driver.transport.local_address(dest, self.local_port)
        except (TransportError, OSError) as exc:
            self._apply_failure(f"Registration failed: {exc}", exc)
            return False
        self.registration.set_local_address(self._contact_host(host, dest), port)
        if dest.transport == "udp":
            await self._ask_stun()
        return True

    # -- STUN (RFC 5389): the SIP socket's public address, kept fresh

    async def _ask_stun(self) -> None:
        """Ask the STUN server for our SIP socket's public address; on failure carry on
        with what we have (rport may still tell the registrar's view)."""
        server = self._stun()
        if server is None:
            self._set_stun_failure(None)  # STUN switched off since: nothing to report
            return
        if server.refresh > 0 and self._stun_task is None:  # asked again even after a failure
            self._stun_task = asyncio.get_running_loop().create_task(
                self._refresh_stun(float(server.refresh))
            )
        try:
            where = await resolve_server(server)
            host, port = await asyncio.wait_for(
                sip_socket_binding(self._driver.transport, where, self.local_port), STUN_WAIT
            )
        except (StunFailure, TimeoutError) as exc:
            log.warning(
                "%s: STUN at %s:%d failed: %s",
                self.name,
                server.host,
                server.port,
                exc or "no answer",
            )
            if isinstance(exc, StunFailure):
                problem, detail = exc.problem, exc.detail
            else:  # our own wait ran out before the transaction's
                problem, detail = StunProblem.NO_ANSWER, ""
            if problem is not StunProblem.ERROR_RESPONSE:
                detail = ""  # the error answer's own words are all a person needs
            self._set_stun_failure((problem, f"{server.host}:{server.port}", detail))
            return
        log.info("%s: STUN says our SIP address is %s:%d", self.name, host, port)
        self._set_stun_failure(None)
        self._carry_out(self.registration.set_mapped_address(host, port, self._driver.now))

    def _set_stun_failure(self, failure: tuple[StunProblem, str, str] | None) -> None:
        """Keep what the last STUN ask gave; a change is told at once with the state
        the account is in (the registration goes on either way, with rport's help)."""
        if failure == self._stun_failure:
            return
        self._stun_failure = failure
        if self._last_change is not None:
            self._emit_state(self._last_change)

    async def _refresh_stun(self, period: float) -> None:
        """The binding kept alive at the refresh period; a new mapping re-registers."""
        try:
            while True:
                await asyncio.sleep(period)
                if self.server is None or self.server.transport != "udp":
                    continue
                await self._ask_stun()
        finally:
            if self._stun_task is asyncio.current_task():
                self._stun_task = None

    def _ssl_context(self) -> ssl.SSLContext:
        """The account's TLS context from the settings as they are now; when a file has
        gone bad since the last good one, that one stays (and the problem is logged)."""
        try:
            ctx = account_context(self.settings, self._tls(), self._config_dir)
        except TransportError as exc:
            if self._tls_context is None:
                raise
            log.warning("account %s: %s; using the last good TLS settings", self.name, exc)
            return self._tls_context
        self._tls_context = ctx
        return ctx

    @property
    def tls_unverified(self) -> bool:
        """TLS without checking the server's certificate (said on every state change)."""
        uses_tls = (
            self.server.transport == "tls" if self.server else self.settings.transport == "tls"
        )
        return uses_tls and verification_off(self.settings, self._tls())

    @staticmethod
    def _contact_host(host: str, dest: Address) -> str:
        """A wildcard bind address is no Contact: ask the OS which address reaches `dest`
        (a connected UDP socket sends nothing)."""
        if host not in ("0.0.0.0", "::"):
            return f"[{host}]" if ":" in host else host
        family = socket.AF_INET6 if ":" in dest.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((dest.host, dest.port))
            local = probe.getsockname()[0]
        return f"[{local}]" if ":" in local else local

    # -- carrying out the registration's outputs

    def _carry_out(self, outputs: list[Output]) -> None:
        for out in outputs:
            if isinstance(out, SendRegister):
                dest = self.server
                if dest is None:
                    continue
                self._driver.send_request(
                    out.request,
                    dest,
                    ClientCallbacks(
                        on_response=self._on_response,
                        on_timeout=self._on_timeout,
                        on_transport_error=self._on_transport_error,
                    ),
                )
            elif isinstance(out, StateChanged):
                self._state_changed(out)
        self._driver.core.wake()  # the registration's deadline may have moved

    def _state_changed(self, change: StateChanged) -> None:
        if change.state == RegState.REGISTERED:
            self._start_keepalive()
        elif change.state in (RegState.UNREGISTERED, RegState.FAILED):
            self._stop_keepalive()
        if change.state in (RegState.UNREGISTERED, RegState.FAILED):
            self._settled.set()
        self._last_change = change
        self._emit_state(change)

    def _emit_state(self, change: StateChanged) -> None:
        server = self.server
        stun: dict[str, Any] = {}
        if self._stun_failure is not None:
            problem, where, detail = self._stun_failure
            stun = {"stun_problem": problem, "stun_server": where, "stun_detail": detail}
        self._emit(
            AccountStateChanged(
                account=self.name,
                state=change.state,
                status=change.status,
                reason=change.reason,
                cause=change.cause,
                detail=change.detail,
                expires=change.expires,
                server=None
                if server is None
                else f"{server.transport}:{server.host}:{server.port}",
                user=self.registration.config.username,
                domain=self.registration.config.domain,
                transport=self.registration.config.transport,
                at=time.time(),
                tls_unverified=self.tls_unverified,
                **self._problem_fields(change),
                **stun,
            )
        )

    def _problem_fields(self, change: StateChanged) -> dict[str, Any]:
        """The code of the network failure behind an UNREACHABLE (for the GUI's words)."""
        if change.cause is not RegCause.UNREACHABLE or self._problem is None:
            return {}
        problem, where = self._problem
        return {"problem": problem, "where": where}

    def _on_response(self, response: Response) -> None:
        if (
            response.status in FAILOVER_STATUSES
            and self._next_target()
            and self.registration.state != RegState.UNREGISTERING
        ):
            self._restart_soon()
            return
        self._carry_out(self.registration.on_response(response, self._driver.now))

    def _on_timeout(self) -> None:
        if self.registration.state == RegState.REGISTERED:
            self.watch.not_answered()  # a refresh went unanswered
        if self._next_target() and self.registration.state != RegState.UNREGISTERING:
            self._restart_soon()
            return
        self._carry_out(self.registration.on_timeout(self._driver.now))

    def _on_transport_error(self, text: str) -> None:
        self._problem = _problem_of(self._driver.last_error)
        self._carry_out(self.registration.on_transport_error(text, self._driver.now))

    def _next_target(self) -> bool:
        """Move to the next DNS target; False when there is none left (back to the first)."""
        if self._target_index + 1 < len(self._targets):
            self._target_index += 1
            return True
        self._target_index = 0
        return False

    def _restart_soon(self) -> None:
        self._spawn(self._reconnect_and_register(refresh=False))

    async def _reconnect_and_register(self, *, refresh: bool) -> None:
        async with self._busy:
            if not await self._prepare_connection():
                return
            self._carry_out(
                self.registration.connection_lost(self._driver.now)
                if refresh
                else self.registration.register(self._driver.now)
            )

    async def address_changed(self) -> bool:
        """Our local address towards the server changed (phone/network_change.py): a
        TCP/TLS connection from the old address is closed and opened anew, and we
        re-register from the new address (Via and Contact; what rport and STUN told
        about the old one is forgotten). False when there is nothing to re-register."""
        async with self._busy:
            dest = self.server
            if dest is None or self.registration.state in (
                RegState.UNREGISTERED,
                RegState.UNREGISTERING,
            ):
                return False
            self._stop_keepalive()
            transport = self._driver.transport
            try:
                if dest.transport != "udp":
                    old = transport.connection_id(dest)
                    if old is not None:
                        transport.close_connection(old)
                    server_name = self.settings.tls_server_name or (
                        None if ip_literal(self.settings.domain_host) else self.settings.domain_host
                    )
                    ctx = self._ssl_context() if dest.transport == "tls" else None
                    await transport.connect(dest, server_name=server_name, ssl_context=ctx)
                host, port = transport.local_address(dest, self.local_port)
            except (TransportError, OSError) as exc:
                self._apply_failure(f"Registration failed: {exc}", exc)
                return False
            self.registration.cancel_timer()
            self._carry_out(
                self.registration.address_changed(
                    self._contact_host(host, dest), port, self._driver.now
                )
            )
        if dest.transport == "udp":
            await self._ask_stun()  # the new address's public mapping, if STUN is on
        return True

    def _apply_failure(self, text: str, exc: BaseException) -> None:
        """A failure before any REGISTER went out (DNS, connection): report and retry."""
        self._problem = _problem_of(exc)
        outputs = self.registration.on_transport_error(text, self._driver.now)
        if not outputs:
            # Nothing was pending: make the state machine own the failure and the retry.
            self.registration.register(self._driver.now)
            outputs = self.registration.on_transport_error(text, self._driver.now)
        self._carry_out(outputs)

    # -- timers (fired by the user-agent core's one timer) and keep-alive

    def next_timer(self) -> float | None:
        return self.registration.next_timer()

    def handle_timer(self, now: float) -> None:
        if self.registration.state in (RegState.FAILED, RegState.REGISTERING):
            # A retry: locate and connect again, the server may have moved or restarted.
            self.registration.cancel_timer()
            self._spawn(self._retry())
            return
        self._carry_out(self.registration.handle_timer(now))

    async def _retry(self) -> None:
        async with self._busy:
            if not self._targets and not await self._locate():
                return
            if not await self._prepare_connection():
                return
            self._carry_out(self.registration.retry(self._driver.now))

    def _start_keepalive(self) -> None:
        self.watch.reset()
        interval = self.settings.keepalive_interval
        dest = self.server
        if interval <= 0 or dest is None or self._keepalive is not None:
            return
        self._keepalive = self._driver.transport.start_keepalive(
            dest,
            float(interval),
            local_port=self.local_port,
            on_probe=self.watch.probed if dest.transport == "udp" else None,
        )

    def _stop_keepalive(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
            self._keepalive = None

    def _connection_lost(self, dest: Address) -> None:
        if dest != self.server or self.registration.state == RegState.UNREGISTERING:
            return
        log.info("%s: connection to %s lost", self.name, dest)
        self._stop_keepalive()
        if self.registration.state in (RegState.REGISTERED, RegState.REGISTERING):
            self._spawn(self._reconnect_and_register(refresh=True))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
