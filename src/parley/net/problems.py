"""What went wrong in the network layer, as a code a front-end can word (`NetProblem`).

`TransportError` and `DnsError` keep an English message for logs and the console; their
`problem` and `where` (a host, "host:port" or a file) let the GUI say it in its language.
"""

from __future__ import annotations

import enum


class NetProblem(enum.StrEnum):
    NO_SUCH_DOMAIN = "no such domain"  # where: the host (DNS NXDOMAIN)
    NO_ADDRESS = "no address"  # where: the name, which has no A/AAAA record
    DNS_FAILED = "dns failed"  # where: the host; the DNS server could not answer
    DNS_TIMEOUT = "dns timeout"  # where: the host; the DNS server did not answer in time
    DNS_SETTINGS = "dns settings"  # where: the DNS server setting that cannot be used
    NO_SERVER = "no server"  # no server address (domain) given
    TRANSPORT = "transport"  # where: a transport Parley does not speak, or sips without TLS
    REFUSED = "refused"  # where: host:port; nothing listens there
    CONNECT_TIMEOUT = "connect timeout"  # where: host:port; no answer to the connection
    CONNECT_FAILED = "connect failed"  # where: host:port; another OS error
    TLS_UNTRUSTED = "tls untrusted"  # where: host:port; certificate not trusted
    TLS_NAME = "tls name"  # where: host:port; certificate is for another name
    TLS_HANDSHAKE = "tls handshake"  # where: host:port; no TLS spoken there
    CERTIFICATE_FILE = "certificate file"  # where: the file that cannot be read
    SEND_FAILED = "send failed"  # where: host:port; writing failed


class NetError(Exception):
    """Base of the net errors that carry a `NetProblem` (mixed into OSError subclasses)."""

    problem: NetProblem | None = None
    where: str = ""

    def __init__(self, message: str, *, problem: NetProblem | None = None, where: str = "") -> None:
        super().__init__(message)
        self.problem = problem
        self.where = where
