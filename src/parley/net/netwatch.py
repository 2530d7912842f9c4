"""Noticing that the local address we use towards a server changed or vanished.

Cable to Wi-Fi, a VPN coming up or going down, a DHCP lease with a new address: the
sockets of a phone bound to all addresses keep working, but the address its Contact,
Via and SDP name is no longer ours (or no longer the one the kernel sends from), and a
socket or connection bound to the old address is dead. Nothing tells a program about
it portably, so we ask the kernel every second or so:

- which source address it picks towards each server (a connected UDP socket's
  `getsockname()`: `connect` on UDP sends nothing, it only chooses a route), and
- whether the address we use is still one of ours (binding a socket to it fails with
  EADDRNOTAVAIL once it is gone).

`AddressWatch` is the decision, sans-IO (observations and the time go in, changes come
out) so that it is tested with plain unit tests. `NetWatcher` is the thin asyncio loop
that makes the observations and hands the changes on.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

__all__ = [
    "AddressChange",
    "AddressWatch",
    "NetWatcher",
    "Observation",
    "address_present",
    "route_source",
]

POLL_INTERVAL = 1.0
"""Seconds between two looks at the routing table."""
SETTLE = 0.5
"""A new source address must be seen this long (two looks) before it is acted on: an
address swap (new one added, old one removed) passes through states that last
milliseconds, and re-registering from each of them would only add traffic."""


@dataclass(frozen=True)
class AddressChange:
    """The address we use towards watch `key` is no longer right.

    `new` is the address the kernel now sends from towards that server; None when there
    is no route at all (the network is gone: nothing to move to yet)."""

    key: Hashable
    old: str
    new: str | None


@dataclass(frozen=True)
class Observation:
    """One look at the system: the source address towards each watched server (None:
    no route), and whether each address in use is still a local address."""

    sources: Mapping[Hashable, str | None]
    present: Mapping[str, bool]


@dataclass
class _Watched:
    server: tuple[str, int]
    in_use: str  # the address our Contact / socket uses now
    pinned: bool  # our socket is bound to exactly that address (not a wildcard)
    candidate: str | None = None  # a differing address seen, not yet settled
    since: float = 0.0
    lost: bool = False  # told already that there is no route


class AddressWatch:
    """The decision: for each watched server, has our address towards it changed?

    A watch on a wildcard socket follows the kernel's choice of source address; a
    pinned one (socket bound to one address) changes only when that address is gone
    (another route's source address does not concern a socket that cannot use it)."""

    def __init__(self, settle: float = SETTLE) -> None:
        self.settle = settle
        self._watched: dict[Hashable, _Watched] = {}

    def watch(self, key: Hashable, server: tuple[str, int], in_use: str, *, pinned: bool) -> None:
        """Watch our address `in_use` towards `server` (again, after a change was handled)."""
        self._watched[key] = _Watched(server, _bare(in_use), pinned)

    def forget(self, key: Hashable) -> None:
        self._watched.pop(key, None)

    @property
    def servers(self) -> dict[Hashable, tuple[str, int]]:
        """What to look up in the next observation: the server of each watch."""
        return {key: w.server for key, w in self._watched.items()}

    @property
    def in_use(self) -> set[str]:
        """The addresses whose presence the next observation should check."""
        return {w.in_use for w in self._watched.values()}

    def next_due(self) -> float | None:
        """When a new address seen will have settled (look again then, not a whole
        interval later); None when there is none."""
        dues = [w.since + self.settle for w in self._watched.values() if w.candidate]
        return min(dues) if dues else None

    def observe(self, seen: Observation, now: float) -> list[AddressChange]:
        """The changes this observation shows (each told once; the watch then follows
        the new address until `watch` is called again)."""
        changes: list[AddressChange] = []
        for key, w in self._watched.items():
            if key not in seen.sources:
                continue  # not looked at this time
            source = seen.sources[key]
            source = _bare(source) if source is not None else None
            still_ours = seen.present.get(w.in_use, True)
            if source is None:
                w.candidate = None
                if not still_ours and not w.lost:
                    w.lost = True
                    changes.append(AddressChange(key, w.in_use, None))
                continue
            w.lost = False
            moved = not still_ours if w.pinned else (source != w.in_use or not still_ours)
            if not moved or source == w.in_use:
                w.candidate = None
                continue
            if w.candidate != source:
                w.candidate, w.since = source, now
            if now - w.since >= self.settle:
                changes.append(AddressChange(key, w.in_use, source))
                w.in_use, w.candidate = source, None
        return changes


def _bare(host: str) -> str:
    return host.strip("[]").split("%", 1)[0]


def route_source(host: str, port: int) -> str | None:
    """The source address the kernel picks for packets to `host`:`port` (None: no route).
    A connected UDP socket sends nothing; it only asks the routing table."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host.strip("[]"), port or 5060))
            return str(probe.getsockname()[0])
    except OSError:
        return None


def address_present(address: str) -> bool:
    """Whether `address` is still one of this machine's addresses (a wildcard always is)."""
    host = _bare(address)
    if host in ("0.0.0.0", "::", ""):
        return True
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((host, 0))
    except OSError as exc:
        return exc.errno != errno.EADDRNOTAVAIL
    return True


def observe_system(watch: AddressWatch) -> Observation:
    """Look at the system for what `watch` needs (blocking, but only socket calls that do
    not touch the network)."""
    sources = {key: route_source(*server) for key, server in watch.servers.items()}
    return Observation(sources, {a: address_present(a) for a in watch.in_use})


class NetWatcher:
    """Looks every `interval` seconds and calls `on_change` for each change found."""

    def __init__(
        self,
        on_change: Callable[[AddressChange], None],
        *,
        interval: float = POLL_INTERVAL,
        settle: float = SETTLE,
        observe: Callable[[AddressWatch], Observation] = observe_system,
    ) -> None:
        self.watch = AddressWatch(settle)
        self.interval = interval
        self._on_change = on_change
        self._observe = observe
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="netwatch")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    def check_now(self) -> None:
        """One look at once (also what the loop does each interval)."""
        loop = asyncio.get_running_loop()
        try:
            seen = self._observe(self.watch)
        except Exception:  # a failed look must not end the watching
            log.exception("looking at the local addresses failed")
            return
        for change in self.watch.observe(seen, loop.time()):
            log.info("local address towards %s: %s -> %s", change.key, change.old, change.new)
            try:
                self._on_change(change)
            except Exception:
                log.exception("handling %r failed", change)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = self.watch.next_due()
            delay = self.interval
            if due is not None:  # a new address is settling: look again when it has
                delay = min(delay, max(0.0, due - loop.time()) + 0.01)
            await asyncio.sleep(delay)
            if self.watch.servers:
                self.check_now()
