"""A home router in network namespaces: a private phone behind nftables masquerade.

::

    home (10.0.0.2/24) --veth-- router (10.0.0.1 | 203.0.113.1) --veth-- wan (203.0.113.2/24)
                                  nft: masquerade out of the wan side

``home`` is where Parley runs (default route through the router); ``wan`` holds the
"internet" of the test: Kamailio, coturn and baresip on 203.0.113.2 (TEST-NET-3, an
address that exists only on these veths). ``wan`` has no route to 10.0.0.0/24: a packet
for a private address dies there, as it would on the internet. Nothing is added to the
root namespace; the namespaces are deleted on close (their veths go with them), even
after a failure. Processes started inside must be stopped (by pid) before ``close``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path
from types import TracebackType

from peers.common import missing_peer
from peers.kamailio import Kamailio

HOME_ADDR = "10.0.0.2"
ROUTER_LAN = "10.0.0.1"
ROUTER_WAN = "203.0.113.1"  # the public address of the home
WAN_ADDR = "203.0.113.2"  # the servers and the far phone
_counter = itertools.count(1)

# Masquerade out of the wan side, and a home router's firewall: nothing unasked-for
# from the wan is taken in. Without the firewall a far phone's first RTP packets (sent
# before ours) would be accepted by the router itself, and their conntrack entry would
# push our own later mapping of that port to another port.
NFT_RULES = """
table ip nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "rwan" masquerade
    }
}
table ip filter {
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "rwan" ct state new drop
    }
}
"""


class NatError(RuntimeError):
    pass


def _run(*argv: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, timeout=15, check=False
    )
    if result.returncode != 0:
        raise NatError(f"{' '.join(argv)}: {result.stderr.strip()}")
    return result.stdout


class HomeNat:
    def __init__(self) -> None:
        tag = f"{os.getpid()}-{next(_counter)}"
        self.home = f"stun-home-{tag}"
        self.router = f"stun-rtr-{tag}"
        self.wan = f"stun-wan-{tag}"
        self._made: list[str] = []

    def exec_prefix(self, ns: str) -> list[str]:
        return ["ip", "netns", "exec", ns]

    def run(self, ns: str, *argv: str) -> str:
        return _run(*self.exec_prefix(ns), *argv)

    def start(self) -> HomeNat:
        if os.geteuid() != 0:
            missing_peer("network namespaces need root")
        if shutil.which("nft") is None:
            missing_peer("nft is not installed (Debian nftables; ./scripts/bootstrap.sh --peers)")
        try:
            for ns in (self.home, self.router, self.wan):
                _run("ip", "netns", "add", ns)
                self._made.append(ns)
                _run("ip", "-n", ns, "link", "set", "lo", "up")
            # Each veth pair is made inside the router and one end moved out.
            _run("ip", "-n", self.router, "link", "add", "rlan", "type", "veth", "peer", "hlan")
            _run("ip", "-n", self.router, "link", "set", "hlan", "netns", self.home)
            _run("ip", "-n", self.router, "link", "add", "rwan", "type", "veth", "peer", "wwan")
            _run("ip", "-n", self.router, "link", "set", "wwan", "netns", self.wan)
            for ns, dev, addr in (
                (self.home, "hlan", f"{HOME_ADDR}/24"),
                (self.router, "rlan", f"{ROUTER_LAN}/24"),
                (self.router, "rwan", f"{ROUTER_WAN}/24"),
                (self.wan, "wwan", f"{WAN_ADDR}/24"),
            ):
                _run("ip", "-n", ns, "addr", "add", addr, "dev", dev)
                _run("ip", "-n", ns, "link", "set", dev, "up")
            _run("ip", "-n", self.home, "route", "add", "default", "via", ROUTER_LAN)
            self.run(self.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
            _run(*self.exec_prefix(self.router), "nft", "-f", "-", stdin=NFT_RULES)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        for ns in reversed(self._made):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)
        self._made.clear()

    def __enter__(self) -> HomeNat:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class NamespacedKamailio(Kamailio):
    """The test Kamailio on `address` inside namespace `netns` (the "internet" side)."""

    def __init__(self, workdir: Path, users: dict[str, str], *, netns: str, address: str) -> None:
        self.address = address
        # Its own namespace: the standard ports are free there. The base class runs it
        # there and waits for the ctl socket instead of probing the ports.
        super().__init__(
            workdir,
            users,
            udp_port=5060,
            tcp_port=5061,
            tls_port=5062,
            realm=address,
            host=address,
            netns=netns,
        )
