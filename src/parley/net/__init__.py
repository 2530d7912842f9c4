"""parley.net: asyncio I/O for SIP — UDP/TCP/TLS transports, keep-alive, RFC 3263 DNS.

`TransportLayer` (transport.py) owns a phone's sockets; `resolve` (dns.py) turns a SIP
URI's host into the ordered `Address`es to try. Everything here is thin: the protocol
logic lives in the sans-IO `parley.sip`.
"""

from parley.net.address import Address, Source, TransportError, default_port
from parley.net.dns import DnsError, make_resolver, resolve
from parley.net.keepalive import KeepAlive
from parley.net.problems import NetError, NetProblem
from parley.net.tls import client_context, server_context
from parley.net.transport import TransportLayer

__all__ = [
    "Address",
    "DnsError",
    "KeepAlive",
    "NetError",
    "NetProblem",
    "Source",
    "TransportError",
    "TransportLayer",
    "client_context",
    "default_port",
    "make_resolver",
    "resolve",
    "server_context",
]
