"""Locating a SIP server with DNS, client side of RFC 3263 (NAPTR -> SRV -> A/AAAA).

`resolve()` turns the host, port and transport of a SIP URI into an ordered list of
`Address`es to try one after the other (RFC 3263 §4.3: the caller moves on to the next
on a transport error, a timeout or a 503). The ordering rules are pure functions
(`order_naptr`, `order_srv`, `default_port`) so they are tested without DNS.

Only dnspython's resolver is used, with the name servers the caller chooses
(`make_resolver`): the phone never falls back silently to another resolver.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from parley.net.address import TRANSPORTS, Address, default_port, ip_literal, strip_brackets
from parley.net.problems import NetError, NetProblem

log = logging.getLogger(__name__)

__all__ = [
    "DnsError",
    "NaptrRecord",
    "SrvRecord",
    "default_port",
    "make_resolver",
    "order_naptr",
    "order_srv",
    "resolve",
    "srv_name",
]

# RFC 3263 §4.1 / RFC 3261 §26.2: NAPTR service field -> our transport name.
NAPTR_SERVICES: dict[str, str] = {"SIP+D2U": "udp", "SIP+D2T": "tcp", "SIPS+D2T": "tls"}

# RFC 3263 §4.1: SRV owner names per transport.
SRV_PREFIX: dict[str, str] = {"udp": "_sip._udp", "tcp": "_sip._tcp", "tls": "_sips._tcp"}

RandInt = Callable[[int, int], int]
"""Like random.randint(a, b): an integer in [a, b]; injected so tests are deterministic."""


class DnsError(NetError):
    """The server of a SIP URI could not be located; the message is for logs and the
    console, `problem`/`where` for a front-end's own words (`NetProblem`)."""


@dataclass(frozen=True)
class NaptrRecord:
    """The fields of a NAPTR record that RFC 3263 uses (RFC 3403 §4.1)."""

    order: int
    preference: int
    flags: str
    service: str
    replacement: str


@dataclass(frozen=True)
class SrvRecord:
    """An SRV record (RFC 2782); `target` without the trailing dot."""

    priority: int
    weight: int
    port: int
    target: str


# ---------------------------------------------------------------------- pure rules


def srv_name(transport: str, domain: str) -> str:
    """`_sip._udp.example.com` and friends (RFC 3263 §4.1)."""
    return f"{SRV_PREFIX[transport.lower()]}.{domain.rstrip('.')}"


def order_naptr(records: Iterable[NaptrRecord], *, sips: bool = False) -> list[tuple[str, str]]:
    """Usable NAPTR records as (transport, SRV name), best first (RFC 3263 §4.1).

    Sorted by order, then preference (RFC 3403 §4.1); only records with the "S" flag and
    a service we speak are kept. For a SIPS URI only SIPS+D2T qualifies. Duplicates go.
    """
    usable = [
        r
        for r in records
        if r.flags.upper() == "S"
        and r.service.upper() in NAPTR_SERVICES
        and (not sips or r.service.upper() == "SIPS+D2T")
        and r.replacement.rstrip(".")
    ]
    usable.sort(key=lambda r: (r.order, r.preference))
    out: list[tuple[str, str]] = []
    for r in usable:
        item = (NAPTR_SERVICES[r.service.upper()], r.replacement.rstrip("."))
        if item not in out:
            out.append(item)
    return out


def order_srv(records: Iterable[SrvRecord], randint: RandInt = random.randint) -> list[SrvRecord]:
    """SRV records in the order to try them (RFC 2782, "Usage rules").

    Lowest priority first. Within one priority a weighted random draw picks the next:
    zero-weight records are put first, a number in [0, sum of weights] is drawn, and the
    first record whose running sum reaches it is taken; repeat with the rest. A single
    record with target "." means the service is not offered: nothing is returned.
    """
    recs = list(records)
    if len(recs) == 1 and recs[0].target.rstrip(".") == "":
        return []
    recs = [r for r in recs if r.target.rstrip(".")]
    out: list[SrvRecord] = []
    for priority in sorted({r.priority for r in recs}):
        group = [r for r in recs if r.priority == priority]
        # Zero weights first, keeping the DNS order otherwise (stable sort).
        group.sort(key=lambda r: r.weight != 0)
        while group:
            total = sum(r.weight for r in group)
            pick = randint(0, total)
            running = 0
            chosen = len(group) - 1
            for i, r in enumerate(group):
                running += r.weight
                if running >= pick:
                    chosen = i
                    break
            out.append(group.pop(chosen))
    return out


def _check_transport(transport: str | None) -> str | None:
    if transport is None:
        return None
    t = transport.lower()
    if t not in TRANSPORTS:
        raise DnsError(
            f"transport {transport} is not supported — use UDP, TCP or TLS",
            problem=NetProblem.TRANSPORT,
            where=transport,
        )
    return t


def _dedupe(addresses: Iterable[Address]) -> list[Address]:
    out: list[Address] = []
    for a in addresses:
        if a not in out:
            out.append(a)
    return out


# ---------------------------------------------------------------------- resolver


def make_resolver(
    nameservers: Sequence[str] | None, *, timeout: float = 2.0, lifetime: float = 6.0
) -> dns.asyncresolver.Resolver:
    """A dnspython async resolver asking `nameservers` ("ip" or "ip:port", "[v6]:port").

    None reads the system configuration (for real use only: tests pass their own
    dnsmasq on 127.0.0.1). `timeout` is per server, `lifetime` per query in total.
    """
    if nameservers is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        servers: list[str | dns.nameserver.Nameserver] = []
        for text in nameservers:
            host, port = _split_server(text)
            servers.append(dns.nameserver.Do53Nameserver(host, port))
        if not servers:
            raise DnsError(
                "no DNS server given — enter at least one DNS server address",
                problem=NetProblem.DNS_SETTINGS,
            )
        resolver.nameservers = servers
    resolver.timeout = timeout
    resolver.lifetime = lifetime
    return resolver


def _split_server(text: str) -> tuple[str, int]:
    text = text.strip()
    host, port = text, 53
    if text.startswith("["):
        inner, _, rest = text[1:].partition("]")
        host = inner
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, _, p = text.partition(":")
        port = _port(p, text)
    if ip_literal(host) is None:
        raise DnsError(
            f"DNS server {text!r} is not an IP address — enter it as ip or ip:port",
            problem=NetProblem.DNS_SETTINGS,
            where=text,
        )
    return host, port


def _port(text: str, whole: str) -> int:
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    raise DnsError(
        f"DNS server {whole!r} has a bad port — enter it as ip or ip:port",
        problem=NetProblem.DNS_SETTINGS,
        where=whole,
    )


FAMILIES = ("auto", "ipv4", "ipv6")
"""The account's choice of IP version for servers found by name."""


def order_families(ipv4: list[str], ipv6: list[str], family: str, name: str = "") -> list[str]:
    """Addresses of one name in the order to try them.

    "auto": IPv4 first, then IPv6 — RFC 3263 leaves the order open and RFC 6724 would
    put IPv6 first only where the machine has IPv6 beyond the loopback, which a phone
    cannot know before it tries; a name with only AAAA records still reaches its server.
    "ipv6": IPv6 first, then IPv4 (dual-stack preference). "ipv4": IPv4 only, since an
    account that asks for it means it (a name with only AAAA records is an error then).
    """
    if family == "ipv6":
        return ipv6 + ipv4
    if family == "ipv4":
        if not ipv4 and ipv6:
            raise DnsError(
                f"{name}: the server has only IPv6 addresses, and the account uses IPv4 only"
            )
        return ipv4
    return ipv4 + ipv6


class _Lookup:
    """One resolution: the queries and their error policy, for one host."""

    def __init__(self, resolver: Any, host: str, family: str = "auto") -> None:
        self.family = family
        self.resolver = resolver
        self.host = host

    async def query(self, name: str, rdtype: str, *, required: bool) -> list[Any]:
        """Records of `rdtype` at `name`; [] for "none there".

        A missing name or record type is an empty answer. A server failure counts as empty
        for the optional NAPTR/SRV steps (some servers fail those types) but is an error
        for the address lookup (`required`). A timeout is always an error: asking more
        questions of a server that does not answer only makes the user wait longer.
        """
        try:
            answer = await self.resolver.resolve(name, rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            if required:
                raise DnsError(
                    f"{self.host}: no such domain — check the domain",
                    problem=NetProblem.NO_SUCH_DOMAIN,
                    where=self.host,
                ) from None
            return []
        except dns.resolver.NoAnswer:
            return []
        except dns.resolver.NoNameservers as exc:
            if required:
                raise DnsError(
                    f"{self.host}: the DNS server could not answer ({_first_error(exc)}) — "
                    "check the DNS server settings",
                    problem=NetProblem.DNS_FAILED,
                    where=self.host,
                ) from None
            log.info("%s %s: server failure, treated as no records", name, rdtype)
            return []
        except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
            raise DnsError(
                f"{self.host}: the DNS server did not answer in time — "
                "check the network and the DNS server settings",
                problem=NetProblem.DNS_TIMEOUT,
                where=self.host,
            ) from None
        except dns.exception.DNSException as exc:
            raise DnsError(
                f"{self.host}: DNS lookup of {name} failed: {exc}",
                problem=NetProblem.DNS_FAILED,
                where=self.host,
            ) from None
        return list(answer)

    async def addresses(self, name: str) -> list[str]:
        """The A and AAAA addresses of `name` (RFC 3263 §4.2 last step), in the order the
        family preference says (see `order_families`)."""
        a, aaaa = await asyncio.gather(
            self.query(name, "A", required=False), self.query(name, "AAAA", required=False)
        )
        found = order_families([r.address for r in a], [r.address for r in aaaa], self.family, name)
        if not found:
            # Ask once more, reporting NXDOMAIN or server failure as such.
            await self.query(name, "A", required=True)
            raise DnsError(
                f"{name}: the domain has no address (A/AAAA) record — check the domain",
                problem=NetProblem.NO_ADDRESS,
                where=name,
            )
        return found

    async def srv_targets(self, transport: str, name: str, randint: RandInt) -> list[Address]:
        records = [
            SrvRecord(r.priority, r.weight, r.port, r.target.to_text(omit_final_dot=True))
            for r in await self.query(name, "SRV", required=False)
        ]
        out: list[Address] = []
        for srv in order_srv(records, randint):
            try:
                ips = await self.addresses(srv.target)
            except DnsError as exc:
                if exc.problem is NetProblem.DNS_TIMEOUT:
                    raise
                log.info("SRV target %s of %s unusable: %s", srv.target, name, exc)
                continue
            out.extend(Address(transport, ip, srv.port) for ip in ips)
        return out


def _first_error(exc: dns.resolver.NoNameservers) -> str:
    errors = exc.kwargs.get("errors") or []
    for _server, _tcp, _port, err in (e[:4] for e in errors if len(e) >= 4):
        return str(err)
    return "server failure"


async def resolve(
    host: str,
    port: int | None,
    transport: str | None,
    *,
    resolver: Any,
    sips: bool = False,
    randint: RandInt = random.randint,
    family: str = "auto",
) -> list[Address]:
    """Ordered targets for a SIP URI's host, port and transport (RFC 3263 §4).

    - An IP literal is used as is: the given or the default transport (UDP; TLS for
      SIPS) on the given or the default port (5060; 5061 for TLS).
    - A port but no IP: A/AAAA records of the host on that port (§4.2).
    - No transport: NAPTR records, filtered to what we speak and ordered (§4.1); each
      one's SRV records in turn. No NAPTR: SRV for UDP, TCP and TLS (only TLS for SIPS).
    - A transport: its SRV records (§4.2).
    - No SRV records: A/AAAA of the host on the default port.

    `resolver` is a `dns.asyncresolver.Resolver` (see `make_resolver`). `family` ("auto",
    "ipv4", "ipv6") orders or limits the A/AAAA addresses (`order_families`). Raises
    `DnsError` when there is nothing to try.
    """
    wanted = _check_transport(transport)
    if sips and wanted not in (None, "tls"):
        raise DnsError(
            f"{host}: a sips: address needs TLS, not {wanted.upper()}",
            problem=NetProblem.TRANSPORT,
            where=wanted,
        )
    name = strip_brackets(host).rstrip(".")
    if not name:
        raise DnsError(
            "no server address given — enter the domain of the PBX", problem=NetProblem.NO_SERVER
        )

    ip = ip_literal(name)
    if ip is not None:
        t = wanted or ("tls" if sips else "udp")
        return [Address(t, str(ip), port or default_port(t))]

    if family not in FAMILIES:
        raise DnsError(f"unknown IP version {family!r}: auto, ipv4 or ipv6")
    lookup = _Lookup(resolver, name, family)
    if port is not None:
        t = wanted or ("tls" if sips else "udp")
        return [Address(t, a, port) for a in await lookup.addresses(name)]

    targets: list[Address] = []
    if wanted is None:
        naptr = [
            NaptrRecord(
                r.order,
                r.preference,
                r.flags.decode("ascii", "replace"),
                r.service.decode("ascii", "replace"),
                r.replacement.to_text(omit_final_dot=True),
            )
            for r in await lookup.query(name, "NAPTR", required=False)
        ]
        for t, srv in order_naptr(naptr, sips=sips):
            targets.extend(await lookup.srv_targets(t, srv, randint))
        if not targets:
            for t in ("tls",) if sips else TRANSPORTS:
                targets.extend(await lookup.srv_targets(t, srv_name(t, name), randint))
    else:
        targets = await lookup.srv_targets(wanted, srv_name(wanted, name), randint)
    if targets:
        return _dedupe(targets)

    # §4.2: no SRV records -> the host's addresses on the default port; without a
    # transport that is UDP (TLS for a SIPS URI).
    t = wanted or ("tls" if sips else "udp")
    return [Address(t, a, default_port(t)) for a in await lookup.addresses(name)]
