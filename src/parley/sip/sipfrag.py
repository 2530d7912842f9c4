"""`message/sipfrag` bodies (RFC 3420) as the NOTIFYs of a REFER carry them (RFC 3515 §2.4.5).

A transferee reports the progress of the call it places with a fragment whose first line
is that call's status line, e.g. ``SIP/2.0 180 Ringing``; headers may follow. Only the
status line matters to a transferor. What arrives from the network may be anything:
`parse_sipfrag` raises `SipFragError` (a ValueError) with a clear message, never
anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley.sip.responses import REASON_PHRASES

__all__ = ["SIPFRAG_TYPE", "SipFrag", "SipFragError", "format_sipfrag", "parse_sipfrag"]

SIPFRAG_TYPE = "message/sipfrag"

# "SIP/2.0 200 OK": version, a three-digit status, an optional reason (RFC 3261 §7.2).
_STATUS_LINE = re.compile(r"^SIP/(\d+)\.(\d+)[ \t]+(\d{3})(?:[ \t]+(.*))?$", re.IGNORECASE)


class SipFragError(ValueError):
    """A sipfrag body that holds no readable status line."""


@dataclass(frozen=True)
class SipFrag:
    """The status line of a sipfrag body."""

    status: int
    reason: str

    @property
    def final(self) -> bool:
        return self.status >= 200

    @property
    def success(self) -> bool:
        return 200 <= self.status < 300


def parse_sipfrag(body: bytes | str) -> SipFrag:
    """The status line at the start of `body`. Raises SipFragError for anything else
    (empty, a request line, a status out of 100-699, bytes that are not text)."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SipFragError("the sipfrag body is not UTF-8 text") from exc
    else:
        text = body
    text = text.lstrip("\r\n")
    if not text.strip():
        raise SipFragError("the sipfrag body is empty")
    first = text.splitlines()[0].strip()
    match = _STATUS_LINE.match(first)
    if match is None:
        shown = first if len(first) <= 60 else first[:57] + "..."
        raise SipFragError(f"the sipfrag body holds no SIP status line: {shown!r}")
    if match.group(1) != "2" or match.group(2) != "0":
        raise SipFragError(f"the sipfrag status line has version {first.split()[0]!r}")
    status = int(match.group(3))
    if not 100 <= status <= 699:
        raise SipFragError(f"the sipfrag status {status} is not a SIP status")
    reason = (match.group(4) or "").strip()
    return SipFrag(status, reason or REASON_PHRASES.get(status, ""))


def format_sipfrag(status: int, reason: str | None = None) -> bytes:
    """The body of a NOTIFY that reports `status` (``SIP/2.0 100 Trying``)."""
    if not 100 <= status <= 699:
        raise ValueError(f"{status} is not a SIP status")
    phrase = (reason or REASON_PHRASES.get(status, "") or "Unknown").replace("\r", " ")
    return f"SIP/2.0 {status} {phrase.replace(chr(10), ' ')}\r\n".encode()
