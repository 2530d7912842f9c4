"""Checks a UAS makes on a parsed request before acting on it (RFC 3261 §8.2).

The parser (`parley.sip.parser`) rejects what breaks the grammar. What is left for the UA
is what needs its knowledge: required header fields, single-valued fields that appear
twice, the Request-URI scheme, Require option tags, body types, Accept. `validate_request`
returns the error response to send, or None when the request may be processed; it is a
pure function (sans-IO). `response_for_parse_error` builds the 400/505 for a request the
parser rejected, when enough of it survived to address a response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from parley.sip import headers as h
from parley.sip.headers import SipParseError
from parley.sip.message import Headers, Request, Response
from parley.sip.responses import REASON_PHRASES, response_from_headers

__all__ = ["REASONS", "response_for_parse_error", "validate_request", "warning"]

REASONS = REASON_PHRASES  # one table of reason phrases (`parley.sip.responses`)

# RFC 3261 §8.1.1: the header fields every request carries.
_REQUIRED = ("Via", "From", "To", "Call-ID", "CSeq")
# RFC 3261 §7.3.1: only fields defined as comma-separated lists may repeat.
_SINGLE = ("From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Type", "Content-Length")
# What a response copies from the request (RFC 3261 §8.2.6.2).
_COPIED = ("Via", "From", "To", "Call-ID", "CSeq")
# What a response cannot do without: the client matches it by Via branch and CSeq.
_MATCHED = ("Via", "Call-ID", "CSeq")


def validate_request(
    req: Request,
    *,
    supported: set[str],
    accepted_types: set[str],
    forwarding: bool = False,
    to_tag: str | None = None,
) -> Response | None:
    """The error response a UAS must send for `req`, or None if it may go on.

    `supported`: option tags this UA implements (for Require, RFC 3261 §8.2.2.3).
    `accepted_types`: body media types it understands, lower-case ``type/subtype``
    (for Content-Type, §8.2.3, and for Accept on INVITE, §21.4.7).
    `forwarding`: True when the element would forward the request (acting as a proxy);
    only then does Max-Forwards 0 give 483 (§16.3 step 2). An endpoint processes a request
    with Max-Forwards 0 normally (RFC 4475 §3.3.11), which is how OPTIONS pings work.
    `to_tag`: added to To in the response when the request's To has no tag (§8.2.6.2);
    by default one derived from the request, so a retransmission gets the same tag.

    ACK is never answered (§17), so it always gives None.
    """
    if req.method == "ACK":
        return None
    hdrs = req.headers
    for name in _REQUIRED:
        if name not in hdrs:
            return _reply(req.headers, 400, f"Missing Required Header: {name}", to_tag)
    for name in _SINGLE:
        if len(hdrs.get_all(name)) > 1:
            return _reply(hdrs, 400, f"Multiple {name} Headers", to_tag)
    try:
        max_forwards = req.max_forwards
        req.from_, req.to, req.cseq, req.top_via  # noqa: B018 - parse to check syntax
        require = req.tokens("Require")
        content_type = req.content_type
        accept_values = hdrs.get_all("Accept")
        accept = [mr for v in accept_values for mr in h.parse_media_list(v)]
    except SipParseError as exc:
        return _reply(hdrs, 400, f"Bad Request ({exc})"[:200], to_tag)

    if forwarding and max_forwards == 0:
        return _reply(hdrs, 483, REASONS[483], to_tag)
    if isinstance(req.uri, str) or req.uri.scheme not in ("sip", "sips", "tel"):
        # §8.2.2.1: a scheme the UA does not understand.
        return _reply(hdrs, 416, REASONS[416], to_tag)
    if req.method != "CANCEL":
        known = {tag.lower() for tag in supported}
        unknown = [tag for tag in require if tag.lower() not in known]
        if unknown:
            return _reply(hdrs, 420, REASONS[420], to_tag, [("Unsupported", ", ".join(unknown))])
    accepted = {t.lower() for t in accepted_types}
    if req.body and content_type is not None and content_type.mime not in accepted:
        return _reply(hdrs, 415, REASONS[415], to_tag, [("Accept", ", ".join(sorted(accepted)))])
    encoding = hdrs.get("Content-Encoding")
    if req.body and encoding is not None and encoding.strip().lower() not in ("", "identity"):
        return _reply(hdrs, 415, REASONS[415], to_tag, [("Accept-Encoding", "identity")])
    if req.method == "INVITE" and accept_values and accept:
        # The answer to an INVITE carries a body of one of our types (§13.3.1, §21.4.7).
        if not any(mr.matches(t) for mr in accept for t in accepted):
            return _reply(
                hdrs, 406, REASONS[406], to_tag, [("Accept", ", ".join(sorted(accepted)))]
            )
    return None


def response_for_parse_error(
    err: SipParseError, *, to_tag: str | None = None, agent: str = "parley"
) -> Response | None:
    """The response to a request the parser rejected (400, 505...), if one can be sent
    (RFC 3261 §18.3: a malformed request gets 400). A Warning (399, RFC 3261 §20.43)
    carries what was wrong, for the sender's logs; `agent` is its warn-agent.

    None for responses, ACKs, requests whose start line could not be read, and requests
    without the Via, Call-ID and CSeq a response needs to be matched (§17.1.3).
    """
    if err.method is None or err.method == "ACK" or err.raw_headers is None:
        return None
    hdrs = Headers(err.raw_headers)
    if any(name not in hdrs for name in _MATCHED):
        return None
    reason = err.reason if err.status != 400 else f"Bad Request ({err})"[:200]
    return _reply(hdrs, err.status, reason, to_tag, [("Warning", warning(399, agent, str(err)))])


def warning(code: int, agent: str, text: str) -> str:
    """A Warning header value (RFC 3261 §20.43): code, agent and the text, quoted."""
    text = "".join(ch if ch >= " " else " " for ch in text)[:200]
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'{code} {agent} "{text}"'


def _reply(
    hdrs: Headers,
    status: int,
    reason: str,
    to_tag: str | None,
    extra: Iterable[tuple[str, str]] = (),
) -> Response:
    """A response copying Via, From, To, Call-ID and CSeq from the request (§8.2.6.2)."""
    if to_tag is None:
        to_tag = _derived_tag(hdrs)
    return response_from_headers(hdrs, status, reason, to_tag=to_tag, headers=extra)


def _derived_tag(hdrs: Headers) -> str:
    """A To tag for an error response, stable across retransmissions of the request."""
    seed = "\n".join(hdrs.get(name) or "" for name in ("Via", "From", "Call-ID", "CSeq"))
    return hashlib.sha256(seed.encode("utf-8", "surrogateescape")).hexdigest()[:16]
