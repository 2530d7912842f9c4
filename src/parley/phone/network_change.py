"""Calls and registrations that survive a change of local address.

Cable to Wi-Fi, a VPN up or down, a DHCP lease with another address: the network
watcher (`net/netwatch.py`) notices within a second or two that the address an account
uses towards its server changed. Then, for that account:

1. SIP sockets bound to the old address (a phone bound to one address, not to all) are
   bound again on the new one, on the same ports, and so are the calls' RTP sockets;
2. the account re-registers from the new address (Contact and Via name it; a TCP/TLS
   connection from the old address is closed and opened anew);
3. each of its connected calls is re-INVITEd with the new address in Contact and in
   the SDP's c= line, so the far end sends its audio there;
4. a `NetworkChanged` event tells the front-ends (a code, not a sentence).

When the route is gone altogether (`LOST`), nothing can be moved yet: the event says
so, and the move happens when an address comes back. An account is watched once it is
registered, from the address it registered from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from parley.net.driver import SipDriver
from parley.net.netwatch import AddressChange, NetWatcher
from parley.phone.account import Account
from parley.phone.call import Call
from parley.phone.events import (
    AccountStateChanged,
    NetworkChange,
    NetworkChanged,
    PhoneEvent,
    RegState,
)

log = logging.getLogger(__name__)

WILDCARDS = ("0.0.0.0", "::")


@dataclass(frozen=True)
class NetworkChangeContext:
    emit: Callable[[PhoneEvent], None]
    driver: SipDriver
    accounts: Callable[[], dict[str, Account]]
    calls: Callable[[], Iterable[Call]]
    bind_host: Callable[[], str]  # the address the phone's sockets are bound to
    rebind: Callable[[str, str], Coroutine[Any, Any, None]]  # (old, new): SIP sockets moved


class NetworkChanges:
    """The phone's reaction to a new local address (see the module's docstring)."""

    def __init__(self, ctx: NetworkChangeContext, watcher: NetWatcher | None = None) -> None:
        self.ctx = ctx
        self.watcher = watcher or NetWatcher(self._changed)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self.watcher.start()

    async def stop(self) -> None:
        await self.watcher.stop()
        for task in list(self._tasks):
            task.cancel()

    def observe(self, event: PhoneEvent) -> None:
        """Watch each account from the address it registered from; forget it when it
        stops being registered on purpose."""
        if not isinstance(event, AccountStateChanged):
            return
        account = self.ctx.accounts().get(event.account)
        if account is None:
            self.watcher.watch.forget(event.account)
            return
        if event.state == RegState.UNREGISTERED:
            self.watcher.watch.forget(event.account)
        elif event.state == RegState.REGISTERED and account.server is not None:
            server = account.server
            host = account.registration.local_host.strip("[]")
            self.watcher.watch.watch(
                account.name,
                (server.host, server.port),
                host,
                pinned=self.ctx.bind_host() not in WILDCARDS,
            )

    def _changed(self, change: AddressChange) -> None:
        account = self.ctx.accounts().get(str(change.key))
        if account is None:
            return
        if change.new is None:
            self.ctx.emit(NetworkChanged(account.name, NetworkChange.LOST, change.old))
            return
        task = asyncio.get_running_loop().create_task(self._move(account, change.old, change.new))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _move(self, account: Account, old: str, new: str) -> None:
        calls = [c for c in self.ctx.calls() if c.account is account and not c.ended]
        try:
            if self.ctx.bind_host() == old:
                await self.ctx.rebind(old, new)
            for call in calls:  # RTP sockets bound to the old address move too
                stream = call.stream
                if stream is not None and stream.transport is not None:
                    if stream.transport.local_address[0] == old:
                        await stream.move_to(new)
        except Exception:
            log.exception("moving the sockets from %s to %s failed", old, new)
        registered = await account.address_changed()
        if not registered:
            log.info("%s: not registered; its calls still move to %s", account.name, new)
        moved = tuple(c.id for c in calls if c.address_changed())
        self.ctx.emit(NetworkChanged(account.name, NetworkChange.MOVED, old, new, moved))
