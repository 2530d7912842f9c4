"""Messages of an INVITE session: bodies it reads, requests and responses it builds.

Pure functions: what they need (the INVITE, our endpoint, the config, the random source)
comes in as arguments.
"""

from __future__ import annotations

import random

from parley.sip.dialog import LocalEndpoint, make_response
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.ids import new_branch
from parley.sip.invite_config import SessionConfig, supported
from parley.sip.message import Headers, Request, Response
from parley.sip.uri import SipURI

__all__ = [
    "DTMF_PLAIN",
    "DTMF_RELAY",
    "SDP",
    "build_invite",
    "dialog_response",
    "parse_dtmf_info",
    "retry_later",
    "sdp_of",
    "uas_response",
]

SDP = "application/sdp"
DTMF_RELAY = "application/dtmf-relay"
DTMF_PLAIN = "application/dtmf"


def sdp_of(message: Request | Response) -> bytes | None:
    """The SDP body, or None. A body without Content-Type is taken as SDP (RFC 3261
    §20.15 makes the header mandatory with a body, but lenient is cheaper here)."""
    if not message.body:
        return None
    try:
        ctype = message.content_type
    except SipParseError:
        return None
    if ctype is None or ctype.mime == SDP:
        return message.body
    return None


_DTMF_SIGNALS = {"10": "*", "11": "#", "12": "A", "13": "B", "14": "C", "15": "D"}


def parse_dtmf_info(content_type: str, body: bytes) -> tuple[str, int | None] | None:
    """(digit, duration ms) from an INFO body, or None if it is not a DTMF we read.

    application/dtmf-relay: ``Signal=5`` and ``Duration=160`` lines (the de-facto format);
    application/dtmf: the digit alone.
    """
    text = body.decode("utf-8", "replace")
    digit: str | None = None
    duration: int | None = None
    if content_type == DTMF_PLAIN:
        digit = text.strip()
    else:
        for line in text.splitlines():
            name, sep, value = line.partition("=")
            if not sep:
                continue
            name, value = name.strip().lower(), value.strip()
            if name == "signal":
                digit = value
            elif name == "duration" and value.isdigit() and len(value) < 7:
                duration = int(value)
    if digit is None:
        return None
    digit = _DTMF_SIGNALS.get(digit, digit).upper()
    if len(digit) != 1 or digit not in "0123456789*#ABCD":
        return None
    return digit, duration


def build_invite(
    *,
    target: SipURI,
    from_: NameAddr,
    to: NameAddr,
    call_id: str,
    seq: int,
    offer: bytes | None,
    local: LocalEndpoint,
    config: SessionConfig,
    routes: list[str],
    timer_headers: list[tuple[str, str]],
    extra: list[tuple[str, str]],
    rng: random.Random,
) -> Request:
    """The initial INVITE (RFC 3261 §8.1.1, §13.2.1); `from_` carries our tag."""
    headers = Headers()
    headers.add("Via", local.via(new_branch(rng)))
    headers.add("Max-Forwards", "70")
    for route in routes:
        headers.add("Route", route)
    headers.add("From", str(from_))
    headers.add("To", str(to))
    headers.add("Call-ID", call_id)
    headers.add("CSeq", f"{seq} INVITE")
    headers.add("Contact", local.contact)
    headers.add("Allow", config.allow)
    headers.add("Supported", supported(config))
    for name, value in timer_headers:
        headers.add(name, value)
    if local.user_agent:
        headers.add("User-Agent", local.user_agent)
    for name, value in extra:
        headers.add(name, value)
    if offer is not None:
        headers.add("Content-Type", SDP)
    return Request(method="INVITE", uri=target, headers=headers, body=offer or b"")


def uas_response(
    invite: Request,
    status: int,
    *,
    local: LocalEndpoint,
    config: SessionConfig,
    local_tag: str,
    reason: str | None = None,
    sdp: bytes | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> Response:
    """A response to the initial INVITE with our tag; 18x and 2xx carry Contact and
    the request's Record-Route (§12.1.1)."""
    headers: list[tuple[str, str]] = []
    if 100 < status < 300:
        headers += [("Record-Route", v) for v in invite.headers.get_all("Record-Route")]
        headers.append(("Contact", local.contact))
    if 200 <= status < 300:
        headers += [("Allow", config.allow), ("Supported", supported(config))]
    headers += extra or []
    if sdp is not None:
        headers.append(("Content-Type", SDP))
    return make_response(invite, status, reason, to_tag=local_tag, headers=headers, body=sdp or b"")


def dialog_response(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    local: LocalEndpoint,
    config: SessionConfig,
    sdp: bytes | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> Response:
    """A response to an in-dialog request; 2xx to target refreshes carry Contact."""
    headers: list[tuple[str, str]] = []
    if 200 <= status < 300 and request.method in ("INVITE", "UPDATE"):
        headers += [("Contact", local.contact), ("Allow", config.allow)]
        headers.append(("Supported", supported(config)))
    headers += extra or []
    if sdp is not None:
        headers.append(("Content-Type", SDP))
    return make_response(request, status, reason, headers=headers, body=sdp or b"")


def retry_later(request: Request, rng: random.Random) -> Response:
    """500 with Retry-After 0-10 s (RFC 3261 §14.2, RFC 3311 §5.2)."""
    extra = [("Retry-After", str(rng.randint(0, 10)))]
    return make_response(request, 500, headers=extra)
