"""Transport addresses and the error type of `parley.net`.

Hosts here are in socket form: an IPv6 address has no brackets ("::1"), unlike SIP URIs
and Via headers, which bracket it ("[::1]"). `Address` strips brackets for you.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from parley.net.problems import NetError

TRANSPORTS = ("udp", "tcp", "tls")
"""The transports Parley speaks, lower-case, in our order of preference."""

STREAM_TRANSPORTS = ("tcp", "tls")


class TransportError(NetError, OSError):
    """A socket could not be opened, connected or written; the message is for logs and
    the console, `problem`/`where` for a front-end's own words (`NetProblem`)."""


def default_port(transport: str) -> int:
    """RFC 3261 §19.1.2: 5060 for SIP over UDP/TCP, 5061 for SIP over TLS."""
    return 5061 if transport.lower() == "tls" else 5060


def strip_brackets(host: str) -> str:
    """'[::1]' -> '::1'; anything else unchanged."""
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    return host


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` spells (brackets allowed), or None for a host name."""
    try:
        return ipaddress.ip_address(strip_brackets(host))
    except ValueError:
        return None


def family_of(host: str) -> socket.AddressFamily:
    """AF_INET6 for an IPv6 literal, otherwise AF_INET."""
    ip = ip_literal(host)
    return socket.AF_INET6 if ip is not None and ip.version == 6 else socket.AF_INET


def uri_host(host: str) -> str:
    """The host as written in a SIP URI or Via: IPv6 literals get their brackets back."""
    ip = ip_literal(host)
    if ip is not None and ip.version == 6:
        return f"[{ip}]"
    return host


@dataclass(frozen=True)
class Address:
    """Where to send: transport ("udp", "tcp" or "tls"), host and port.

    The transport is stored lower-case and an IPv6 host without brackets, so two
    spellings of one destination compare equal (connections are looked up by Address).
    """

    transport: str
    host: str
    port: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "transport", self.transport.lower())
        object.__setattr__(self, "host", strip_brackets(self.host))

    def __str__(self) -> str:
        return f"{self.transport.upper()} {uri_host(self.host)}:{self.port}"


@dataclass(frozen=True)
class Source:
    """Where an incoming message came from, and the local side it arrived on.

    For TCP/TLS `connection_id` names the connection, so that responses can go back on
    it (RFC 3261 §18.2.2); it is None for UDP.
    """

    transport: str
    host: str
    port: int
    local_host: str
    local_port: int
    connection_id: int | None = None

    @property
    def address(self) -> Address:
        """The remote side as an `Address` (for replies and connection lookup)."""
        return Address(self.transport, self.host, self.port)
