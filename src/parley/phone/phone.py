"""The Phone: the user agent that owns the SIP endpoint and the accounts.

One Phone per process. It lives on one asyncio loop (the engine thread in the GUI, the
main thread in the console) and reports what happens through a single event callback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from parley import __version__
from parley.net.address import TransportError
from parley.phone.account import Account
from parley.phone.endpoint import SipEndpoint
from parley.phone.events import PhoneError, PhoneEvent
from parley.settings.model import AccountSettings, Settings
from parley.sip.timers import TimerConfig

log = logging.getLogger(__name__)

USER_AGENT = f"Parley/{__version__}"


class Phone:
    def __init__(
        self,
        settings: Settings,
        passwords: dict[str, str],
        on_event: Callable[[PhoneEvent], None],
        *,
        bind_host: str = "0.0.0.0",
    ) -> None:
        self.settings = settings
        self._passwords = passwords
        self._on_event = on_event
        self.bind_host = bind_host
        sip = settings.sip
        self.endpoint = SipEndpoint(
            TimerConfig(t1=sip.t1, t2=sip.t2, t4=sip.t4), user_agent=USER_AGENT
        )
        self.endpoint.trace_enabled = settings.log.sip_trace
        self.accounts: dict[str, Account] = {}

    def emit(self, event: PhoneEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("event handler failed for %r", event)

    async def start(self) -> None:
        """Open the listeners the accounts need and register those set to do so."""
        await self.endpoint.start()
        await self._listen()
        for account_settings in self.settings.accounts:
            if not account_settings.enabled:
                continue
            self.add_account(account_settings)
        for account in self.accounts.values():
            if account.settings.register_on_startup:
                await account.register()

    def add_account(self, settings: AccountSettings) -> Account:
        password = self._passwords.get(settings.name, "")
        account = Account(settings, password, self.endpoint, self.emit)
        self.accounts[settings.name] = account
        return account

    async def _listen(self) -> None:
        """One UDP listener (and TCP/TLS ones when an account uses them) on the SIP port:
        the first account's local_port, or a random port above 32000."""
        ports = [a.local_port for a in self.settings.accounts if a.enabled and a.local_port]
        port = ports[0] if ports else 0
        transport = self.endpoint.transport
        try:
            _host, port = await transport.listen_udp(self.bind_host, port)
            if any(a.transport == "tcp" for a in self.settings.accounts):
                await transport.listen_tcp(self.bind_host, port)
        except (TransportError, OSError) as exc:
            self.emit(PhoneError(text=f"Cannot open the SIP port {port}: {exc}"))
            raise

    async def stop(self, timeout: float = 5.0) -> None:
        """Unregister every account (in parallel, bounded) and close the sockets."""
        await asyncio.gather(
            *(a.unregister(timeout) for a in self.accounts.values()), return_exceptions=True
        )
        for account in self.accounts.values():
            await account.close()
        await self.endpoint.close()
