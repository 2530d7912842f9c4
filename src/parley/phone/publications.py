"""Account-bound publications of event state (RFC 3903 PUBLISH).

The protocol lives in `parley.sip.publication.PublicationClient`; a `Publication` gives
it what it cannot have itself: the account's server (RFC 3263, or the outbound proxy),
our address, the account's credentials, the core's clock. Its refreshes fire from the
user-agent core's one timer (each publication is registered there as a `Timed`), and
its requests leave through the core's one non-INVITE client, which answers digest
challenges.

A publication that fails is reported as a `PublicationChanged` with state FAILED and
the server's status and reason, and one that works again afterwards as ACTIVE.

    pub = phone.publications.publish(account, "presence", "application/pidf+xml", body)
    pub.modify(new_body)
    pub.remove()
    await phone.publications.remove_all()       # at stop
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from parley.net.address import Address
from parley.net.driver import SipDriver
from parley.phone.account import Account
from parley.phone.events import PhoneEvent, SubscriptionStatus
from parley.phone.events import PublicationChanged as PublicationEvent
from parley.settings.model import Settings
from parley.sip.message import Request, Response
from parley.sip.publication import (
    PublicationChanged,
    PublicationClient,
    PublicationConfig,
    PublicationOutput,
    PubState,
    SendPublish,
)
from parley.sip.registration import proxy_uri
from parley.sip.request_client import ClientCallbacks, Credentials

log = logging.getLogger(__name__)

__all__ = ["Publication", "Publications", "PublicationsContext"]


@dataclass(frozen=True)
class PublicationsContext:
    """What publications may use: the SIP driver (and through it the core and its
    clock), a way to report events, the settings."""

    driver: SipDriver
    emit: Callable[[PhoneEvent], None]
    settings: Callable[[], Settings]


class Publication:
    """One published state of one account (its presence, say)."""

    def __init__(
        self, ctx: PublicationsContext, account: Account, package: str, content_type: str
    ) -> None:
        self.ctx = ctx
        self.account = account
        self.package = package
        s = account.settings
        routes = (f"<{proxy_uri(s.outbound_proxy, s.transport)}>",) if s.outbound_proxy else ()
        self.client = PublicationClient(
            PublicationConfig(
                target=account.registration.aor,
                event=package,
                content_type=content_type,
                expires=s.subscription_expiry,
                routes=routes,
                display_name=s.display_name,
            ),
            account.local_endpoint(),
            rng=ctx.driver.core.ids.rng,
        )
        self._lock = asyncio.Lock()  # requests leave in the order they were made
        self._tasks: set[asyncio.Task[None]] = set()
        self._finished = asyncio.Event()
        self._failed = False
        ctx.driver.core.add_timed(self)

    @property
    def state(self) -> PubState:
        return self.client.state

    @property
    def uri(self) -> str:
        return str(self.account.registration.aor)

    # -- commands

    def publish(self, body: bytes) -> None:
        self.client.set_local(self.account.local_endpoint())
        self._run(self.client.publish(body, self.ctx.driver.now))

    def modify(self, body: bytes) -> None:
        """Publish `body` instead of what was published."""
        self.client.set_local(self.account.local_endpoint())
        self._run(self.client.modify(body, self.ctx.driver.now))

    def remove(self) -> None:
        """Take the published state back from the server."""
        self.client.set_local(self.account.local_endpoint())
        self._run(self.client.remove(self.ctx.driver.now))

    async def wait_finished(self) -> None:
        """Until the publication is removed (see `remove`)."""
        await self._finished.wait()

    # -- the core's timer

    def next_timer(self) -> float | None:
        return self.client.next_timer()

    def handle_timer(self, now: float) -> None:
        self.client.set_local(self.account.local_endpoint())
        self._run(self.client.handle_timer(now))

    # -- carrying out the client's outputs

    def _run(self, outputs: list[PublicationOutput]) -> None:
        for out in outputs:
            if isinstance(out, SendPublish):
                self._spawn(self._send(out.request))
            elif isinstance(out, PublicationChanged):
                self._changed(out)
        self.ctx.driver.core.wake()  # the deadline may have moved

    def _changed(self, change: PublicationChanged) -> None:
        if change.state == PubState.REMOVED:
            self.ctx.driver.core.remove_timed(self)
            self._finished.set()
            return
        if change.state == PubState.FAILED:
            self._failed = True
            log.info(
                "%s: publishing %s failed: %s %s",
                self.account.name,
                self.package,
                change.status,
                change.reason,
            )
            status = SubscriptionStatus.FAILED
        elif change.state == PubState.PUBLISHED and self._failed:
            self._failed = False  # it works again
            status = SubscriptionStatus.ACTIVE
        else:
            return
        self.ctx.emit(
            PublicationEvent(
                uri=self.uri,
                package=self.package,
                state=status,
                status=change.status,
                reason=change.reason,
                account=self.account.name,
            )
        )

    async def _send(self, request: Request) -> None:
        async with self._lock:
            try:
                dest = await self.account.resolve_next_hop(None)
                self._fill_via(request, dest)
            except Exception as exc:
                log.warning("%s: cannot send PUBLISH: %s", self.account.name, exc)
                self._run(self.client.on_transport_error(str(exc), self.ctx.driver.now))
                return
            s = self.account.settings
            credentials = Credentials(
                digest=self.account.registration.digest,
                username=s.effective_auth_username,
                password=self.account.registration.config.password,
            )
            # Answer the server's challenge before it is made, as the registration does.
            credentials.digest.preauthorize(request)
            self.ctx.driver.send_request(
                request,
                dest,
                ClientCallbacks(
                    on_response=self._on_response,
                    on_timeout=self._on_timeout,
                    on_transport_error=self._on_transport_error,
                    on_retry=self.client.on_retry,
                ),
                credentials=credentials,
            )

    def _fill_via(self, request: Request, dest: Address) -> None:
        """An account that never registered has no address of its own yet: take the one
        our socket towards `dest` has."""
        local = self.client.local
        if local.port and local.host not in ("0.0.0.0", "::"):
            return
        host, port = self.ctx.driver.transport.local_address(dest, self.account.local_port)
        local = replace(
            local,
            host=Account._contact_host(host, dest),
            port=port,
            transport=dest.transport.upper(),
        )
        self.client.set_local(local)
        via = request.headers.get("Via") or ""
        branch = via.partition(";branch=")[2]
        request.headers.set("Via", local.via(branch.partition(";")[0]))

    def _on_response(self, response: Response) -> None:
        self._run(self.client.on_response(response, self.ctx.driver.now))

    def _on_timeout(self) -> None:
        self._run(self.client.on_timeout(self.ctx.driver.now))

    def _on_transport_error(self, text: str) -> None:
        self._run(self.client.on_transport_error(text, self.ctx.driver.now))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class Publications:
    """Every publication of the phone's accounts."""

    def __init__(self, ctx: PublicationsContext) -> None:
        self.ctx = ctx
        self._all: list[Publication] = []

    def publish(
        self, account: Account, package: str, content_type: str, body: bytes
    ) -> Publication:
        """Publish `body` as `account`'s state of the event `package`; refreshed until
        `Publication.remove()` (or `remove_all`)."""
        pub = Publication(self.ctx, account, package, content_type)
        self._all = [p for p in self._all if p.state != PubState.REMOVED]
        self._all.append(pub)
        pub.publish(body)
        return pub

    def of(self, account: Account) -> list[Publication]:
        return [p for p in self._all if p.account is account and p.state != PubState.REMOVED]

    async def remove_all(self, timeout: float = 5.0, account: Account | None = None) -> None:
        """Take back every publication (of `account`, or all) and wait (bounded) for
        the servers' answers."""
        live = [
            p
            for p in self._all
            if p.state != PubState.REMOVED and (account is None or p.account is account)
        ]
        for pub in live:
            pub.remove()
        if live:
            try:
                await asyncio.wait_for(asyncio.gather(*(p.wait_finished() for p in live)), timeout)
            except TimeoutError:
                log.info("some publications were not removed within %.0f s", timeout)
        for pub in live:
            self.ctx.driver.core.remove_timed(pub)
        self._all = [p for p in self._all if p not in live]
