"""The one way to build a response from a request (RFC 3261 §8.2.6).

Every response Parley sends — from the user-agent core, a dialog usage, the transaction
layer's stateless 400 — comes from `make_response`: it copies Via, From, To, Call-ID and
CSeq (§8.2.6.2), adds the UAS's To tag where one is missing, and fills in the reason
phrase the RFC gives the status.
"""

from __future__ import annotations

from collections.abc import Iterable

from parley.sip.headers import NameAddr, SipParseError
from parley.sip.message import Headers, Request, Response

__all__ = ["COPIED_HEADERS", "REASON_PHRASES", "make_response", "response_from_headers"]

# RFC 3261 §8.2.6.2: what a response copies from its request.
COPIED_HEADERS = ("Via", "From", "To", "Call-ID", "CSeq")

REASON_PHRASES: dict[int, str] = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    421: "Extension Required",
    422: "Session Interval Too Small",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    483: "Too Many Hops",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "Version Not Supported",
    600: "Busy Everywhere",
    603: "Decline",
    606: "Not Acceptable",
}


def make_response(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
) -> Response:
    """A response to `request` copying what §8.2.6.2 says to copy.

    `to_tag` is added to To when the request's To has none (every response but 100
    carries the UAS's tag, §8.2.6.2); a To that already has a tag is left alone.
    Line breaks in `reason` become spaces (a reason phrase is one line, §25.1).
    """
    return response_from_headers(
        request.headers, status, reason, to_tag=to_tag, headers=headers, body=body
    )


def response_from_headers(
    fields: Headers,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
) -> Response:
    """`make_response` for a request known only by its header fields (one the parser
    rejected, `parley.sip.validate.response_for_parse_error`)."""
    out = Headers()
    for name in COPIED_HEADERS:
        for value in fields.get_all(name):
            if name == "To" and to_tag and status > 100:
                try:
                    addr = NameAddr.parse(value)
                except SipParseError:
                    addr = None
                if addr is not None and addr.tag is None:
                    value = str(addr.with_tag(to_tag))
            out.add(name, value)
    for name, value in headers:
        out.add(name, value)
    text = reason if reason is not None else REASON_PHRASES.get(status, "Unknown")
    return Response(
        status=status,
        reason=text.replace("\r", " ").replace("\n", " "),
        headers=out,
        body=body,
    )
