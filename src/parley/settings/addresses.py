"""Checks for the network addresses people type into settings.

These are plain functions that raise ``ValueError`` with a message meant for a
person; the pydantic models turn them into validation errors, and the store
turns those into a ``ConfigError`` naming the file and the key.

Nothing here resolves names: a host name is only checked for its shape.
"""

from __future__ import annotations

import ipaddress
import re

# RFC 1123 §2.1: letters, digits and hyphens, no hyphen at either end, 1–63 chars.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_no_control_chars(text: str) -> str:
    """Reject control characters (they would corrupt SIP headers and log lines)."""
    if _CONTROL.search(text):
        raise ValueError(f"{text!r} contains a control character")
    return text


def check_hostname(host: str) -> str:
    """Check a DNS host name's shape (RFC 1123 §2.1); an IP address is not accepted here."""
    name = host[:-1] if host.endswith(".") else host
    if not name:
        raise ValueError("the host name is empty")
    if len(name) > 253:
        raise ValueError(f"{host!r} is longer than the 253 characters a host name may have")
    labels = name.split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise ValueError(
                f"{host!r} is not a valid host name (each part may only hold letters, digits "
                "and inner hyphens)"
            )
    # A name whose last label is all digits would be read as a (broken) IPv4 address.
    if labels[-1].isdigit():
        raise ValueError(f"{host!r} is neither a valid IPv4 address nor a host name")
    return host


def check_host(host: str) -> str:
    """Check a host: a DNS name, an IPv4 address or an IPv6 address in brackets.

    Brackets around IPv6 follow the SIP URI grammar (RFC 3261 §25.1, ``IPv6reference``).
    """
    if host.startswith("["):
        if not host.endswith("]"):
            raise ValueError(f"{host!r} has an opening '[' without a closing ']'")
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError(f"{host!r} is not a valid IPv6 address") from None
        return host
    if ":" in host:
        raise ValueError(
            f"{host!r}: an IPv6 address must be written in brackets, e.g. [2001:db8::1]"
        )
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise ValueError(f"{host!r} is not a valid IPv4 address") from None
        return host
    return check_hostname(host)


def check_port(text: str) -> int:
    """Parse a port number, 1–65535."""
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"port {text!r} is not a number")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range; use 1–65535")
    return port


def split_host_port(text: str) -> tuple[str, int | None]:
    """Split and check ``host[:port]`` (IPv6 hosts in brackets: ``[::1]:5060``)."""
    text = text.strip()
    if not text:
        raise ValueError("no host given")
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"{text!r} has an opening '[' without a closing ']'")
        host, rest = text[: end + 1], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError(f"{text!r}: unexpected text after the IPv6 address")
        port_text = rest[1:] if rest else None
    elif text.count(":") > 1:
        raise ValueError(
            f"{text!r}: an IPv6 address must be written in brackets, e.g. [2001:db8::1]"
        )
    elif ":" in text:
        host, port_text = text.split(":", 1)
    else:
        host, port_text = text, None
    check_host(host)
    if port_text is None:
        return host, None
    if port_text == "":
        raise ValueError(f"{text!r} ends with ':' but gives no port")
    return host, check_port(port_text)


def check_sip_uri_or_host_port(text: str) -> str:
    """Check an outbound proxy: ``host[:port]`` or a ``sip:``/``sips:`` URI.

    A URI may carry a user part and parameters, e.g. ``sip:proxy.example.com:5061;lr``
    (RFC 3261 §19.1.1); only the host and port are checked closely.
    """
    value = text.strip()
    scheme, sep, rest = value.partition(":")
    if sep and scheme.lower() in ("sip", "sips"):
        hostport = re.split(r"[;?]", rest, maxsplit=1)[0]
        if "@" in hostport:
            hostport = hostport.rsplit("@", 1)[1]
        if not hostport:
            raise ValueError(f"{text!r} is a SIP URI without a host")
        split_host_port(hostport)
        return value
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^0-9]", value) and not value.startswith("["):
        raise ValueError(f"{text!r} uses a scheme other than sip: or sips:")
    split_host_port(value)
    return value


def check_dns_server(text: str) -> str:
    """Check a DNS server given as ``ip[:port]``: IPv4, ``[IPv6]:port`` or bare IPv6.

    Only IP literals are accepted: resolving the resolver's own name would need a resolver.
    """
    value = text.strip()
    if not value.startswith("[") and value.count(":") > 1:
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid IPv6 address") from None
        return value
    host, _port = split_host_port(value)
    bare = host[1:-1] if host.startswith("[") else host
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an IP address; DNS servers must be given as ip[:port]"
        ) from None
    return value
