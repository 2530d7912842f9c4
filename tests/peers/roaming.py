"""A laptop that changes networks, in two network namespaces.

::

    home: hveth 10.1.0.2/24 (later 10.2.0.2/24), default via the net side
      |  veth
    net:  nveth 10.1.0.1/24 + 10.2.0.1/24, and 198.51.100.10/32 (the servers)

``home`` is where Parley runs; ``net`` holds Kamailio and the far phone on
``SERVER_ADDR`` (TEST-NET-2, an address that exists only on this veth). ``move()``
does what a DHCP renewal with a new lease or a move from cable to Wi-Fi does to a
laptop: the new address is added, the default route moved to the new gateway, the old
address removed (its routes go with it). Nothing is added to the root namespace; the
namespaces are deleted on close, even after a failure. Processes started inside must be
stopped (by pid) before ``close``.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import time
from types import TracebackType

from peers.common import missing_peer

SERVER_ADDR = "198.51.100.10"
HOME_ADDRS = ("10.1.0.2", "10.2.0.2")  # the laptop's address on network 0 and network 1
GATEWAYS = ("10.1.0.1", "10.2.0.1")
_counter = itertools.count(1)


class RoamingError(RuntimeError):
    pass


def _run(*argv: str) -> str:
    result = subprocess.run(list(argv), capture_output=True, text=True, timeout=15, check=False)
    if result.returncode != 0:
        raise RoamingError(f"{' '.join(argv)}: {result.stderr.strip()}")
    return result.stdout


class Roaming:
    def __init__(self) -> None:
        tag = f"{os.getpid()}-{next(_counter)}"
        self.home = f"roam-home-{tag}"
        self.net = f"roam-net-{tag}"
        self.network = 0  # which of HOME_ADDRS the home has now
        self._made: list[str] = []

    @property
    def address(self) -> str:
        """The home's address now."""
        return HOME_ADDRS[self.network]

    def exec_prefix(self, ns: str) -> list[str]:
        return ["ip", "netns", "exec", ns]

    def run(self, ns: str, *argv: str) -> str:
        return _run(*self.exec_prefix(ns), *argv)

    def start(self) -> Roaming:
        if os.geteuid() != 0:
            missing_peer("network namespaces need root")
        try:
            for ns in (self.home, self.net):
                _run("ip", "netns", "add", ns)
                self._made.append(ns)
                _run("ip", "-n", ns, "link", "set", "lo", "up")
            _run("ip", "-n", self.net, "link", "add", "nveth", "type", "veth", "peer", "hveth")
            _run("ip", "-n", self.net, "link", "set", "hveth", "netns", self.home)
            for gateway in GATEWAYS:
                _run("ip", "-n", self.net, "addr", "add", f"{gateway}/24", "dev", "nveth")
            _run("ip", "-n", self.net, "addr", "add", f"{SERVER_ADDR}/32", "dev", "nveth")
            _run("ip", "-n", self.home, "addr", "add", f"{self.address}/24", "dev", "hveth")
            for ns, dev in ((self.net, "nveth"), (self.home, "hveth")):
                _run("ip", "-n", ns, "link", "set", dev, "up")
            _run("ip", "-n", self.home, "route", "add", "default", "via", GATEWAYS[self.network])
            self._wait_usable(self.address)
        except BaseException:
            self.close()
            raise
        return self

    def move(self) -> float:
        """Move the home to the other network: new address added, default route moved,
        old address removed. Returns the time (``time.time()``) the old one was gone."""
        old, new = self.network, 1 - self.network
        _run("ip", "-n", self.home, "addr", "add", f"{HOME_ADDRS[new]}/24", "dev", "hveth")
        _run("ip", "-n", self.home, "route", "replace", "default", "via", GATEWAYS[new])
        _run("ip", "-n", self.home, "addr", "del", f"{HOME_ADDRS[old]}/24", "dev", "hveth")
        gone = time.time()
        self.network = new
        return gone

    def _wait_usable(self, address: str, timeout: float = 10.0) -> None:
        """IPv4 addresses are usable at once; the veth needs a moment to come up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " UP " in _run("ip", "-n", self.home, "-br", "link", "show", "hveth") + " ":
                return
            time.sleep(0.1)
        raise RoamingError(f"the home's link with {address} did not come up")

    def close(self) -> None:
        for ns in reversed(self._made):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)
        self._made.clear()

    def __enter__(self) -> Roaming:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
