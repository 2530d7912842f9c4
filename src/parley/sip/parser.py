"""Bytes to SIP messages: datagrams and framed byte streams (RFC 3261 §7, §18.3).

`parse_message` takes one UDP datagram (or one already framed stream message);
`StreamParser` cuts a TCP/TLS byte stream into messages by Content-Length and reports the
RFC 5626 §3.5.1 keep-alives. Both are sans-IO. Malformed input raises (or, in a stream,
yields) `SipParseError` and nothing else.

Besides splitting the message, the parser checks the syntax of the header fields a UA
relies on (Via, From, To, Contact, Route, Record-Route, CSeq, Call-ID, Max-Forwards,
Content-Type, Content-Length, Date), so a returned message's typed accessors do not fail
on them. Checks that need a UA's knowledge (required headers present, Require, Content-
Type support, Request-URI scheme support) are in `parley.sip.validate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from parley.sip import headers as h
from parley.sip.headers import SipParseError
from parley.sip.message import Headers, Request, Response
from parley.sip.uri import SipURI

__all__ = ["KeepAlive", "SipParseError", "StreamParser", "parse_message"]

_VERSION_RE = re.compile(r"SIP/[0-9]++\.[0-9]++", re.IGNORECASE)
# RFC 3261 §20.17 SIP-date: an RFC 1123 date, always in GMT.
_DATE_RE = re.compile(
    r"[ \t]*+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-9]{2}:[0-9]{2}:[0-9]{2} GMT[ \t]*+"
)
# Call-ID = word ["@" word] (RFC 3261 §25.1). Accept any run of visible characters: some
# devices put two "@" in it, and a Call-ID is only ever compared, never interpreted.
_CALL_ID_RE = re.compile(r"\S++")
_STREAM_CL_RE = re.compile(
    rb"(?:^|\n)(?:content-length|l)[ \t]*+:[ \t]*+([^\r\n]*+)", re.IGNORECASE
)


@dataclass(frozen=True)
class KeepAlive:
    """An RFC 5626 §3.5.1 keep-alive on a stream: a CRLFCRLF ``ping`` or a CRLF ``pong``."""

    kind: Literal["ping", "pong"]


def parse_message(data: bytes) -> Request | Response:
    """Parse one datagram (RFC 3261 §7, §18.3).

    CRLFs before the start line are ignored. With a Content-Length, a longer body is cut to
    it and a shorter one is an error; without one the body is the rest of the datagram.
    """
    return _parse(data)


# -- the parts of a message ----------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Header text should be UTF-8 (RFC 3261 §7.3.1); old devices send Latin-1 names.
        return raw.decode("latin-1")


def _parse_request_line(line: str) -> tuple[str, SipURI | str, str]:
    """RFC 3261 §7.1, §25.1: Method SP Request-URI SP SIP-Version, single spaces only."""
    parts = line.split(" ")
    if len(parts) != 3 or not all(parts):
        raise SipParseError(
            f"malformed Request-Line {line[:80]!r}: expected METHOD SP URI SP SIP/2.0"
        )
    method, uri_text, version = parts
    if not h.is_token(method):
        raise SipParseError(f"malformed method {method[:40]!r}")
    _check_version(version)
    uri: SipURI | str
    try:
        uri = SipURI.parse(uri_text)
    except SipParseError as exc:
        if exc.status != 416:
            raise SipParseError(f"malformed Request-URI {uri_text[:80]!r}: {exc}") from None
        # A well-formed URI of a scheme we do not know: the UA answers 416 (see validate).
        uri = uri_text
    else:
        if uri.headers:
            # RFC 3261 §19.1.1 (table): headers are not allowed in a Request-URI.
            raise SipParseError(f"Request-URI must not contain headers: {uri_text[:80]!r}")
    return method, uri, version


def _check_version(version: str) -> None:
    if version.upper() == "SIP/2.0":
        return
    if _VERSION_RE.fullmatch(version):
        raise SipParseError(f"unsupported SIP version {version!r}", status=505)
    raise SipParseError(f"malformed SIP version {version[:40]!r}")


def _parse_status_line(line: str) -> tuple[str, int, str]:
    """RFC 3261 §7.2: SIP-Version SP Status-Code SP Reason-Phrase."""
    parts = line.split(" ", 2)
    version = parts[0]
    if version.upper() != "SIP/2.0":
        raise SipParseError(f"unsupported SIP version in Status-Line {version[:40]!r}")
    code = parts[1] if len(parts) > 1 else ""
    if len(code) != 3 or not code.isdigit() or not code.isascii():
        raise SipParseError(f"malformed status code {code[:40]!r}: must be 3 digits")
    status = int(code)
    if not 100 <= status <= 699:
        raise SipParseError(f"status code out of range: {status}")
    return version, status, parts[2] if len(parts) > 2 else ""


def _split_headers(lines: list[str]) -> list[tuple[str, str]]:
    """Header lines to (name, value) pairs, unfolding continuation lines (§7.3.1)."""
    items: list[tuple[str, str]] = []
    for line in lines:
        if not line:
            raise SipParseError("empty line inside the header section")
        if line[0] in " \t":
            if not items:
                raise SipParseError("continuation line before the first header")
            name, prev = items[-1]
            cont = line.strip(" \t")
            items[-1] = (name, f"{prev} {cont}" if prev else cont)
            continue
        colon = line.find(":")
        if colon <= 0:
            raise SipParseError(f"header line without a name and colon: {line[:60]!r}")
        name = line[:colon].rstrip(" \t")
        if not h.is_token(name):
            raise SipParseError(f"malformed header name {name[:60]!r}")
        items.append((name, line[colon + 1 :].strip(" \t")))
    return items


def _content_length(value: str) -> int:
    text = value.strip(" \t")
    if not text.isdigit() or not text.isascii() or len(text) > 10:
        raise SipParseError(f"malformed Content-Length {value[:40]!r}")
    return int(text)


# -- header syntax checks ------------------------------------------------------------------


def _check_contact(value: str) -> object:
    if value.strip(" \t") == "*":
        return None
    return h.NameAddr.parse_list(value)


def _check_call_id(value: str) -> object:
    if not _CALL_ID_RE.fullmatch(value):
        raise SipParseError(f"malformed Call-ID {value[:60]!r}")
    return None


def _check_date(value: str) -> object:
    if not _DATE_RE.fullmatch(value):
        raise SipParseError(f"malformed Date {value[:60]!r}: must be an RFC 1123 date in GMT")
    return None


_CHECKS: dict[str, Callable[[str], object]] = {
    "Via": h.Via.parse_list,
    "From": h.NameAddr.parse,
    "To": h.NameAddr.parse,
    "Contact": _check_contact,
    "Route": h.NameAddr.parse_list,
    "Record-Route": h.NameAddr.parse_list,
    "CSeq": h.CSeq.parse,
    "Call-ID": _check_call_id,
    "Max-Forwards": h.parse_max_forwards,
    "Content-Type": h.MediaType.parse,
    "Date": _check_date,
}


def _check_headers(headers: Headers, method: str | None) -> None:
    for name, value in headers:
        check = _CHECKS.get(name)
        if check is None:
            continue
        try:
            result = check(value)
        except SipParseError as exc:
            raise SipParseError(f"bad {name} header: {exc}", status=exc.status) from None
        if method is not None and name == "CSeq":
            assert isinstance(result, h.CSeq)
            if result.method != method:
                # RFC 3261 §8.1.1.5: the CSeq method must match the request method.
                raise SipParseError(
                    f"CSeq method {result.method!r} does not match request method {method!r}"
                )


# -- whole messages ------------------------------------------------------------------------


def _parse(data: bytes) -> Request | Response:
    start = 0
    # RFC 3261 §7.5: CRLFs before the start line are ignored.
    while data.startswith(b"\r\n", start):
        start += 2
    end = data.find(b"\r\n\r\n", start)
    if end >= 0:
        body_start = end + 4
    else:
        # Be liberal with bare LF line ends, which some devices send.
        end = data.find(b"\n\n", start)
        if end < 0:
            raise SipParseError("header section does not end with an empty line")
        body_start = end + 2
    text = _decode(data[start:end])
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    start_line = lines[0]
    if not start_line:
        raise SipParseError("empty message")

    is_response = start_line[:4].upper() == "SIP/"
    method: str | None = None
    start_error: SipParseError | None = None
    try:
        if is_response:
            version, status, reason = _parse_status_line(start_line)
        else:
            method, uri, version = _parse_request_line(start_line)
    except SipParseError as exc:
        start_error = exc
        if not is_response:
            guess = start_line.split(" ", 1)[0]
            method = guess if h.is_token(guess) else None

    items = _split_headers(lines[1:])
    try:
        if start_error is not None:
            raise start_error
        headers = Headers(items)
        lengths = headers.get_all("Content-Length")
        body = data[body_start:]
        if lengths:
            if len(lengths) > 1:
                # RFC 4475 §3.3.9: the body's extent is unknown.
                raise SipParseError("more than one Content-Length header")
            length = _content_length(lengths[0])
            if len(body) < length:
                raise SipParseError(
                    f"body is {len(body)} bytes, shorter than Content-Length {length}"
                )
            body = body[:length]
        _check_headers(headers, method)
    except SipParseError as exc:
        # Keep what a UA needs to answer the request anyway (400, 505...).
        exc.raw_headers = items
        exc.method = method
        raise
    if is_response:
        return Response(headers=headers, body=body, version=version, status=status, reason=reason)
    assert method is not None
    return Request(headers=headers, body=body, version=version, method=method, uri=uri)


# -- streams -------------------------------------------------------------------------------


class StreamParser:
    """Frames SIP messages on a TCP/TLS byte stream (RFC 3261 §18.3, RFC 5626 §3.5.1).

    `feed` returns what the new bytes completed, in order: messages, `SipParseError`s for
    messages that were framed but malformed (the stream goes on), and `KeepAlive`s. When
    the framing itself is lost (no usable Content-Length, oversized header section or
    body) the buffer is dropped, `desynchronized` becomes True and the transport should
    close the connection.

    A lone CRLF between messages is reported as a pong. A ping split after its first CRLF
    across two reads therefore shows up as two pongs; both are keep-alive traffic anyway.
    """

    def __init__(self, *, max_header_bytes: int = 65536, max_body_bytes: int = 4 << 20) -> None:
        self.max_header_bytes = max_header_bytes
        self.max_body_bytes = max_body_bytes
        self.desynchronized = False
        self._buf = bytearray()
        self._scanned = 0  # bytes already searched for the end of the header section
        self._total = -1  # length of the message being received, once known

    def feed(self, data: bytes) -> list[Request | Response | SipParseError | KeepAlive]:
        self._buf += data
        out: list[Request | Response | SipParseError | KeepAlive] = []
        while self._buf:
            item = self._next()
            if item is None:
                break
            out.append(item)
        return out

    def _fail(self, message: str) -> SipParseError:
        self._buf.clear()
        self._scanned = 0
        self._total = -1
        self.desynchronized = True
        return SipParseError(message)

    def _next(self) -> Request | Response | SipParseError | KeepAlive | None:
        buf = self._buf
        if self._total < 0:
            while buf[0] == 0x0D or buf[0] == 0x0A:
                if buf.startswith(b"\r\n\r\n"):
                    del buf[:4]
                    return KeepAlive("ping")
                if buf.startswith(b"\r\n"):
                    if len(buf) == 3 and buf[2] == 0x0D:
                        return None  # maybe the rest of a ping follows
                    del buf[:2]
                    return KeepAlive("pong")
                if len(buf) == 1 and buf[0] == 0x0D:
                    return None
                del buf[:1]  # a stray CR or LF between messages
                if not buf:
                    return None
            end = buf.find(b"\r\n\r\n", max(0, self._scanned - 3))
            if end < 0:
                self._scanned = len(buf)
                if len(buf) > self.max_header_bytes:
                    return self._fail("header section too long")
                return None
            length = 0
            values = {v.strip(b" \t") for v in _STREAM_CL_RE.findall(bytes(buf[:end]))}
            if len(values) > 1:
                return self._fail("conflicting Content-Length headers on a stream")
            if values:
                value = values.pop()
                if not value.isdigit() or len(value) > 10:
                    return self._fail(f"malformed Content-Length {value[:40]!r} on a stream")
                length = int(value)
            if length > self.max_body_bytes:
                return self._fail(f"body of {length} bytes is too large")
            self._total = end + 4 + length
        if len(buf) < self._total:
            return None
        raw = bytes(buf[: self._total])
        del buf[: self._total]
        self._total = -1
        self._scanned = 0
        try:
            return _parse(raw)
        except SipParseError as exc:
            return exc
