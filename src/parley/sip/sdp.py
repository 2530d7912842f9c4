"""SDP session descriptions as data: parser and serialiser (RFC 4566, updated by RFC 8866).

A `SessionDescription` holds the session-level lines and a list of `MediaDescription`
(one per ``m=`` line). Attributes are kept as an ordered list of `Attribute` exactly as
received, so unknown attributes survive a round trip; typed views (``rtpmaps``,
``ptime``, ``direction``, ``rtcp``, ``crypto``...) are read from that list on demand.

Parsing is tolerant where real equipment is sloppy and strict where structure matters:

- tolerated: ``\\n`` line ends instead of CRLF, trailing white space on a line, blank
  lines, several spaces between fields, an empty ``s=`` line, session-level lines in a
  different order than RFC 8866 §5 lists them, bytes that are not UTF-8 (read as
  Latin-1);
- rejected with `SdpParseError`: a first line other than ``v=0``, a missing or malformed
  ``o=`` or ``s=`` line, no ``t=`` line, a line that is not ``<letter>=<value>``, a type
  letter that is unknown or not allowed where it stands (RFC 8866 §5: a parser must
  reject what it does not understand), repeated single lines (``c=`` at session level,
  ``i=``, ``k=``...), malformed ``m=``, ``c=``, ``b=``, ``t=`` lines, and malformed
  attributes that negotiation relies on (``rtpmap``, ``fmtp``, ``ptime``, ``maxptime``,
  ``rtcp``). Other attributes (``crypto``, ``ssrc``, unknown ones) are kept verbatim;
  their typed views skip entries that do not parse.

`SdpParseError` is the only exception parsing raises. Serialising always writes the
lines in the order of RFC 8866 §5 with CRLF line ends.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DIRECTIONS",
    "STATIC_PAYLOAD_TYPES",
    "Attribute",
    "Bandwidth",
    "Connection",
    "Crypto",
    "Direction",
    "MediaDescription",
    "Origin",
    "RtcpAttribute",
    "RtpMap",
    "SdpParseError",
    "SessionDescription",
    "SsrcAttribute",
    "Timing",
    "parse_fmtp_params",
    "parse_sdp",
]

Direction = Literal["sendrecv", "sendonly", "recvonly", "inactive"]
DIRECTIONS: tuple[Direction, ...] = ("sendrecv", "sendonly", "recvonly", "inactive")

MAX_SDP_SIZE = 65536  # far above any real offer; bounds the work a hostile body causes


class SdpParseError(ValueError):
    """An SDP body that does not follow RFC 4566/8866 closely enough to be used.

    A UA answers an offer that fails to parse with 400 Bad Request (or 488 when it
    prefers to say only that the session cannot be accepted); `status` carries 400.
    """

    def __init__(self, message: str, *, line: int | None = None, status: int = 400) -> None:
        super().__init__(f"SDP line {line}: {message}" if line is not None else message)
        self.line = line
        self.status = status


@dataclass(frozen=True)
class RtpMap:
    """``a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`` (RFC 8866 §6.6)."""

    payload_type: int
    encoding: str
    clock_rate: int
    channels: int | None = None

    def __str__(self) -> str:
        tail = f"/{self.channels}" if self.channels is not None else ""
        return f"{self.payload_type} {self.encoding}/{self.clock_rate}{tail}"


# RFC 3551 §6 static payload types (the ones that need no rtpmap).
STATIC_PAYLOAD_TYPES: dict[int, RtpMap] = {
    pt: RtpMap(pt, name, rate, ch)
    for pt, name, rate, ch in (
        (0, "PCMU", 8000, 1),
        (3, "GSM", 8000, 1),
        (4, "G723", 8000, 1),
        (5, "DVI4", 8000, 1),
        (6, "DVI4", 16000, 1),
        (7, "LPC", 8000, 1),
        (8, "PCMA", 8000, 1),
        (9, "G722", 8000, 1),
        (10, "L16", 44100, 2),
        (11, "L16", 44100, 1),
        (12, "QCELP", 8000, 1),
        (13, "CN", 8000, 1),
        (14, "MPA", 90000, None),
        (15, "G728", 8000, 1),
        (16, "DVI4", 11025, 1),
        (17, "DVI4", 22050, 1),
        (18, "G729", 8000, 1),
        (25, "CelB", 90000, None),
        (26, "JPEG", 90000, None),
        (28, "nv", 90000, None),
        (31, "H261", 90000, None),
        (32, "MPV", 90000, None),
        (33, "MP2T", 90000, None),
        (34, "H263", 90000, None),
    )
}


@dataclass(frozen=True)
class RtcpAttribute:
    """``a=rtcp:<port> [IN IP4 <address>]`` (RFC 3605 §2.1)."""

    port: int
    nettype: str | None = None
    addrtype: str | None = None
    address: str | None = None

    def __str__(self) -> str:
        if self.address is None:
            return str(self.port)
        return f"{self.port} {self.nettype} {self.addrtype} {self.address}"


@dataclass(frozen=True)
class Crypto:
    """``a=crypto:<tag> <suite> <key-params> [<session-params>]`` (RFC 4568 §9.1).

    Kept as data only: SRTP keying is not negotiated by this module.
    """

    tag: int
    suite: str
    key_params: str
    session_params: tuple[str, ...] = ()


@dataclass(frozen=True)
class SsrcAttribute:
    """``a=ssrc:<ssrc> <attribute>[:<value>]`` (RFC 5576 §4.1)."""

    ssrc: int
    attribute: str
    value: str | None = None


@dataclass
class Attribute:
    """One ``a=`` line: ``a=<name>`` (flag, `value` None) or ``a=<name>:<value>``."""

    name: str
    value: str | None = None

    def __str__(self) -> str:
        return self.name if self.value is None else f"{self.name}:{self.value}"


@dataclass
class Origin:
    """``o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`` (§5.2)."""

    username: str = "-"
    session_id: str = "0"
    session_version: int = 0
    nettype: str = "IN"
    addrtype: str = "IP4"
    address: str = "0.0.0.0"

    def __str__(self) -> str:
        return (
            f"{self.username} {self.session_id} {self.session_version} "
            f"{self.nettype} {self.addrtype} {self.address}"
        )


@dataclass
class Connection:
    """``c=<nettype> <addrtype> <address>[/<ttl>][/<count>]`` (RFC 8866 §5.7).

    ``ttl`` only exists for IPv4 multicast; ``count`` is the number of consecutive
    multicast addresses. ``c=IN IP4 0.0.0.0`` is the old RFC 2543 way to hold a call.
    """

    address: str
    addrtype: str = "IP4"
    nettype: str = "IN"
    ttl: int | None = None
    count: int | None = None

    def __str__(self) -> str:
        text = f"{self.nettype} {self.addrtype} {self.address}"
        if self.ttl is not None:
            text += f"/{self.ttl}"
        if self.count is not None:
            text += f"/{self.count}"
        return text

    def _ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(self.address)
        except ValueError:
            return None  # a host name (allowed by RFC 8866) or garbage

    @property
    def is_null(self) -> bool:
        """True for 0.0.0.0 or :: (RFC 2543 hold; RFC 3264 §8.4 says treat it as no media)."""
        ip = self._ip()
        return ip is not None and ip.is_unspecified

    @property
    def is_multicast(self) -> bool:
        ip = self._ip()
        return ip is not None and ip.is_multicast


@dataclass
class Bandwidth:
    """``b=<bwtype>:<bandwidth>`` (RFC 8866 §5.8), e.g. AS (kbit/s) or TIAS (bit/s)."""

    type: str
    value: int

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


@dataclass
class Timing:
    """``t=<start> <stop>`` with its ``r=`` repeat lines kept verbatim (§5.9, §5.10)."""

    start: int = 0
    stop: int = 0
    repeats: list[str] = field(default_factory=list)


class _Attributes:
    """Lookups shared by session and media level; both keep `attributes` in order."""

    attributes: list[Attribute]

    def has_attr(self, name: str) -> bool:
        return any(a.name == name for a in self.attributes)

    def attr(self, name: str) -> str | None:
        """The value of the first ``a=<name>`` line (None when absent or a flag)."""
        for a in self.attributes:
            if a.name == name:
                return a.value
        return None

    def attrs(self, name: str) -> list[str]:
        """The values of every ``a=<name>:<value>`` line, in order."""
        return [a.value for a in self.attributes if a.name == name and a.value is not None]

    def add_attr(self, name: str, value: str | None = None) -> None:
        self.attributes.append(Attribute(name, value))

    def remove_attr(self, name: str) -> None:
        self.attributes[:] = [a for a in self.attributes if a.name != name]

    @property
    def direction(self) -> Direction | None:
        """The direction attribute written at this level, if any (RFC 3264 §5.1)."""
        found: Direction | None = None
        for a in self.attributes:
            for d in DIRECTIONS:
                if a.name == d:
                    found = d  # the last one wins; real stacks rarely send two
        return found

    def set_direction(self, direction: Direction) -> None:
        self.attributes[:] = [a for a in self.attributes if a.name not in DIRECTIONS]
        self.attributes.append(Attribute(direction))


@dataclass
class MediaDescription(_Attributes):
    """One ``m=`` section (RFC 8866 §5.14) with its ``i=``, ``c=``, ``b=``, ``k=``, ``a=``."""

    media: str
    port: int
    proto: str
    formats: list[str]
    port_count: int | None = None
    title: str | None = None
    connections: list[Connection] = field(default_factory=list)
    bandwidths: list[Bandwidth] = field(default_factory=list)
    key: str | None = None
    attributes: list[Attribute] = field(default_factory=list)

    @property
    def is_rtp(self) -> bool:
        return self.proto.upper().startswith("RTP/") or "/RTP/" in self.proto.upper()

    @property
    def payload_types(self) -> list[int]:
        """The formats that are RTP payload type numbers (0-127), in offer order."""
        out: list[int] = []
        for f in self.formats:
            if f.isascii() and f.isdigit() and int(f) <= 127:  # "²".isdigit() is True
                out.append(int(f))
        return out

    @property
    def rtpmaps(self) -> dict[int, RtpMap]:
        """Payload type -> rtpmap, from ``a=rtpmap`` lines only."""
        maps: dict[int, RtpMap] = {}
        for value in self.attrs("rtpmap"):
            rm = _parse_rtpmap(value)
            maps.setdefault(rm.payload_type, rm)
        return maps

    def codec(self, pt: int) -> RtpMap | None:
        """The encoding of `pt`: its rtpmap, else the RFC 3551 static assignment."""
        return self.rtpmaps.get(pt) or STATIC_PAYLOAD_TYPES.get(pt)

    def fmtp(self, fmt: int | str) -> str | None:
        """The parameter text of ``a=fmtp:<fmt> ...`` (None when there is none)."""
        for value in self.attrs("fmtp"):
            name, params = _parse_fmtp(value)
            if name == str(fmt):
                return params
        return None

    @property
    def ptime(self) -> float | None:
        value = self.attr("ptime")
        return None if value is None else _parse_number(value, "ptime")

    @property
    def maxptime(self) -> float | None:
        value = self.attr("maxptime")
        return None if value is None else _parse_number(value, "maxptime")

    @property
    def rtcp(self) -> RtcpAttribute | None:
        value = self.attr("rtcp")
        return None if value is None else _parse_rtcp(value)

    @property
    def rtcp_mux(self) -> bool:
        """``a=rtcp-mux`` (RFC 5761 §5.1.1)."""
        return self.has_attr("rtcp-mux")

    @property
    def mid(self) -> str | None:
        """``a=mid`` (RFC 5888)."""
        return self.attr("mid")

    @property
    def crypto(self) -> list[Crypto]:
        out: list[Crypto] = []
        for value in self.attrs("crypto"):
            m = _CRYPTO_RE.fullmatch(value)
            if m:
                extra = tuple(m.group(4).split()) if m.group(4) else ()
                out.append(Crypto(int(m.group(1)), m.group(2), m.group(3), extra))
        return out

    @property
    def ssrcs(self) -> list[SsrcAttribute]:
        out: list[SsrcAttribute] = []
        for value in self.attrs("ssrc"):
            m = _SSRC_RE.fullmatch(value)
            if m and int(m.group(1)) < 2**32:
                out.append(SsrcAttribute(int(m.group(1)), m.group(2), m.group(3)))
        return out

    def copy(self) -> MediaDescription:
        return copy.deepcopy(self)


@dataclass
class SessionDescription(_Attributes):
    """A whole SDP body (RFC 8866 §5)."""

    origin: Origin = field(default_factory=Origin)
    session_name: str = "-"
    version: int = 0
    information: str | None = None
    uri: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    connection: Connection | None = None
    bandwidths: list[Bandwidth] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=lambda: [Timing()])
    zone: str | None = None
    key: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    media: list[MediaDescription] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes | str) -> SessionDescription:
        return _parse(data)

    def to_lines(self) -> list[str]:
        lines = [f"v={self.version}", f"o={self.origin}", f"s={self.session_name}"]
        if self.information is not None:
            lines.append(f"i={self.information}")
        if self.uri is not None:
            lines.append(f"u={self.uri}")
        lines += [f"e={e}" for e in self.emails]
        lines += [f"p={p}" for p in self.phones]
        if self.connection is not None:
            lines.append(f"c={self.connection}")
        lines += [f"b={b}" for b in self.bandwidths]
        for t in self.timings:
            lines.append(f"t={t.start} {t.stop}")
            lines += [f"r={r}" for r in t.repeats]
        if self.zone is not None:
            lines.append(f"z={self.zone}")
        if self.key is not None:
            lines.append(f"k={self.key}")
        lines += [f"a={a}" for a in self.attributes]
        for m in self.media:
            port = f"{m.port}/{m.port_count}" if m.port_count is not None else str(m.port)
            lines.append(" ".join([f"m={m.media}", port, m.proto, *m.formats]))
            if m.title is not None:
                lines.append(f"i={m.title}")
            lines += [f"c={c}" for c in m.connections]
            lines += [f"b={b}" for b in m.bandwidths]
            if m.key is not None:
                lines.append(f"k={m.key}")
            lines += [f"a={a}" for a in m.attributes]
        return lines

    def __str__(self) -> str:
        return "".join(line + "\r\n" for line in self.to_lines())

    def to_bytes(self) -> bytes:
        return str(self).encode("utf-8")

    def copy(self) -> SessionDescription:
        return copy.deepcopy(self)

    def connection_for(self, media: MediaDescription) -> Connection | None:
        """The connection that applies to `media`: its own first ``c=``, else the session's."""
        return media.connections[0] if media.connections else self.connection

    def direction_of(self, media: MediaDescription) -> Direction:
        """Media-level direction, else session-level, else sendrecv (RFC 3264 §5.1)."""
        return media.direction or self.direction or "sendrecv"

    def is_hold(self, media: MediaDescription) -> bool:
        """Whether the sender of this SDP does not want to receive `media`.

        Both styles count: a=sendonly / a=inactive (RFC 3264 §8.4) and the RFC 2543
        connection address 0.0.0.0 (or ::).
        """
        conn = self.connection_for(media)
        if conn is not None and conn.is_null:
            return True
        return self.direction_of(media) in ("sendonly", "inactive")


def parse_sdp(data: bytes | str) -> SessionDescription:
    """Parse one SDP body; raises only `SdpParseError`."""
    return _parse(data)


def parse_fmtp_params(params: str) -> dict[str, str | None]:
    """Split fmtp parameter text ``a=1;b=2`` into a dict; a bare item maps to None.

    Telephone-event's ``0-16`` becomes ``{"0-16": None}``. Names keep their case; white
    space around items is dropped. This never raises.
    """
    out: dict[str, str | None] = {}
    for item in params.split(";"):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        out[name.strip()] = value.strip() if sep else None
    return out


# --- the parser -------------------------------------------------------------------------

_LINE_RE = re.compile(r"([a-z])=(.*+)", re.DOTALL)
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]++")
_RTPMAP_RE = re.compile(r"([0-9]{1,3})[ \t]++([^/ \t]++)/([0-9]{1,9})(?:/([0-9]{1,3}))?")
_FMTP_RE = re.compile(r"([^ \t]++)(?:[ \t]++(.*+))?", re.DOTALL)
_NUMBER_RE = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
_RTCP_RE = re.compile(r"([0-9]{1,5})(?:[ \t]++(\S++)[ \t]++(\S++)[ \t]++(\S++))?")
_CRYPTO_RE = re.compile(r"([0-9]{1,9})[ \t]++(\S++)[ \t]++(\S++)(?:[ \t]++(.*+))?", re.DOTALL)
_SSRC_RE = re.compile(r"([0-9]{1,10})[ \t]++([^: \t]++)(?::(.*+))?", re.DOTALL)
_DIGITS_RE = re.compile(r"[0-9]{1,20}")

_SESSION_SINGLE = {"i", "u", "c", "z", "k"}
_SESSION_TYPES = {"i", "u", "e", "p", "c", "b", "t", "r", "z", "k", "a", "m"}
_MEDIA_TYPES = {"i", "c", "b", "k", "a", "m"}


def _parse_rtpmap(value: str) -> RtpMap:
    m = _RTPMAP_RE.fullmatch(value.strip())
    if not m or int(m.group(1)) > 127:
        raise SdpParseError(f"malformed rtpmap {value!r}")
    channels = int(m.group(4)) if m.group(4) is not None else None
    return RtpMap(int(m.group(1)), m.group(2), int(m.group(3)), channels)


def _parse_fmtp(value: str) -> tuple[str, str]:
    m = _FMTP_RE.fullmatch(value.strip())
    if not m:
        raise SdpParseError(f"malformed fmtp {value!r}")
    return m.group(1), m.group(2) or ""


def _parse_number(value: str, what: str) -> float:
    if not _NUMBER_RE.fullmatch(value.strip()):
        raise SdpParseError(f"malformed {what} {value!r}")
    return float(value)


def _parse_rtcp(value: str) -> RtcpAttribute:
    m = _RTCP_RE.fullmatch(value.strip())
    if not m or int(m.group(1)) > 65535:
        raise SdpParseError(f"malformed rtcp attribute {value!r}")
    return RtcpAttribute(int(m.group(1)), m.group(2), m.group(3), m.group(4))


_ATTRIBUTE_CHECKS: dict[str, Callable[[str], object]] = {
    "rtpmap": _parse_rtpmap,
    "fmtp": _parse_fmtp,
    "ptime": lambda v: _parse_number(v, "ptime"),
    "maxptime": lambda v: _parse_number(v, "maxptime"),
    "rtcp": _parse_rtcp,
}


def _split(value: str, count: int, what: str) -> list[str]:
    fields = value.split()
    if len(fields) != count:
        raise SdpParseError(f"{what} needs {count} fields, got {len(fields)}: {value!r}")
    return fields


def _int(text: str, what: str, maximum: int | None = None) -> int:
    if not _DIGITS_RE.fullmatch(text):
        raise SdpParseError(f"{what} is not a number: {text!r}")
    n = int(text)
    if maximum is not None and n > maximum:
        raise SdpParseError(f"{what} out of range: {n}")
    return n


def _parse_origin(value: str) -> Origin:
    user, sess_id, version, nettype, addrtype, address = _split(value, 6, "o=")
    return Origin(user, sess_id, _int(version, "o= session version"), nettype, addrtype, address)


def _parse_connection(value: str) -> Connection:
    nettype, addrtype, address = _split(value, 3, "c=")
    parts = address.split("/")
    ttl: int | None = None
    count: int | None = None
    if addrtype.upper() == "IP4" and len(parts) <= 3:
        if len(parts) >= 2:
            ttl = _int(parts[1], "c= TTL", 255)
        if len(parts) == 3:
            count = _int(parts[2], "c= address count")
        address = parts[0]
    elif addrtype.upper() == "IP6" and len(parts) <= 2:
        if len(parts) == 2:
            count = _int(parts[1], "c= address count")
        address = parts[0]
    elif addrtype.upper() in ("IP4", "IP6"):
        raise SdpParseError(f"malformed c= address {address!r}")
    if not address:
        raise SdpParseError(f"empty c= address in {value!r}")
    return Connection(address, addrtype, nettype, ttl, count)


def _parse_bandwidth(value: str) -> Bandwidth:
    bwtype, sep, amount = value.partition(":")
    if not sep or not _TOKEN_RE.fullmatch(bwtype):
        raise SdpParseError(f"malformed b= line {value!r}")
    return Bandwidth(bwtype, _int(amount.strip(), "b= bandwidth"))


def _parse_timing(value: str) -> Timing:
    start, stop = _split(value, 2, "t=")
    return Timing(_int(start, "t= start time"), _int(stop, "t= stop time"))


def _parse_media(value: str) -> MediaDescription:
    fields = value.split()
    if len(fields) < 3:
        raise SdpParseError(f"m= needs media, port and protocol: {value!r}")
    media, port_text, proto, *formats = fields
    if not _TOKEN_RE.fullmatch(media):
        raise SdpParseError(f"malformed media type {media!r}")
    port_part, slash, count_part = port_text.partition("/")
    port = _int(port_part, "m= port", 65535)
    count = _int(count_part, "m= port count") if slash else None
    if not formats and port != 0:
        raise SdpParseError(f"m= line without formats: {value!r}")
    return MediaDescription(media, port, proto, formats, port_count=count)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # some PBXs put Latin-1 in s= or i=


def _parse(data: bytes | str) -> SessionDescription:
    text = _decode(data)
    if len(text) > MAX_SDP_SIZE:
        raise SdpParseError(f"SDP body too large ({len(text)} characters)")
    lines: list[tuple[int, str, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip(" \t\r")
        if not line:
            continue
        m = _LINE_RE.fullmatch(line)
        if not m:
            raise SdpParseError(f"not a <type>=<value> line: {line[:60]!r}", line=number)
        if "\x00" in line or "\r" in line:
            raise SdpParseError("NUL or CR inside a line", line=number)
        lines.append((number, m.group(1), m.group(2)))
    if not lines or lines[0][1:] != ("v", "0"):
        raise SdpParseError("an SDP body must start with v=0")
    if len(lines) < 3 or lines[1][1] != "o" or lines[2][1] != "s":
        raise SdpParseError("v= must be followed by o= and s= (RFC 8866 §5)")
    sdp = SessionDescription(timings=[])
    seen: set[str] = set()
    current: MediaDescription | None = None
    for index, (number, kind, value) in enumerate(lines):
        try:
            if index < 3:
                if kind == "o":
                    sdp.origin = _parse_origin(value)
                elif kind == "s":
                    sdp.session_name = value
                continue
            if current is None:
                _session_line(sdp, kind, value, seen)
                if kind == "m":
                    if not sdp.timings:
                        raise SdpParseError("no t= line before the first m= line")
                    current = sdp.media[-1]
                    seen = set()
            else:
                current = _media_line(sdp, current, kind, value, seen)
        except SdpParseError as exc:
            if exc.line is not None:
                raise
            raise SdpParseError(str(exc), line=number) from None
    if not sdp.timings:
        raise SdpParseError("no t= line (RFC 8866 §5.9 requires one)")
    for media in sdp.media:
        _check_rtpmaps(media)
    return sdp


def _attribute(value: str) -> Attribute:
    name, sep, rest = value.partition(":")
    if not _TOKEN_RE.fullmatch(name):
        raise SdpParseError(f"malformed attribute name {name!r}")
    check = _ATTRIBUTE_CHECKS.get(name)
    if check is not None and sep:
        check(rest)
    elif check is not None:
        raise SdpParseError(f"a={name} needs a value")
    return Attribute(name, rest if sep else None)


def _session_line(sdp: SessionDescription, kind: str, value: str, seen: set[str]) -> None:
    if kind not in _SESSION_TYPES:
        raise SdpParseError(f"{kind}= is not allowed at session level")
    if kind in _SESSION_SINGLE and kind in seen:
        raise SdpParseError(f"more than one {kind}= line at session level")
    seen.add(kind)
    if kind == "i":
        sdp.information = value
    elif kind == "u":
        sdp.uri = value
    elif kind == "e":
        sdp.emails.append(value)
    elif kind == "p":
        sdp.phones.append(value)
    elif kind == "c":
        sdp.connection = _parse_connection(value)
    elif kind == "b":
        sdp.bandwidths.append(_parse_bandwidth(value))
    elif kind == "t":
        sdp.timings.append(_parse_timing(value))
    elif kind == "r":
        if not sdp.timings:
            raise SdpParseError("r= without a preceding t=")
        if len(value.split()) < 3:
            raise SdpParseError(f"malformed r= line {value!r}")
        sdp.timings[-1].repeats.append(value)
    elif kind == "z":
        if len(value.split()) < 2 or len(value.split()) % 2:
            raise SdpParseError(f"malformed z= line {value!r}")
        sdp.zone = value
    elif kind == "k":
        sdp.key = value
    elif kind == "a":
        sdp.attributes.append(_attribute(value))
    else:  # "m"
        sdp.media.append(_parse_media(value))


def _media_line(
    sdp: SessionDescription, media: MediaDescription, kind: str, value: str, seen: set[str]
) -> MediaDescription:
    if kind not in _MEDIA_TYPES:
        raise SdpParseError(f"{kind}= is not allowed inside a media section")
    if kind in ("i", "k") and kind in seen:
        raise SdpParseError(f"more than one {kind}= line in a media section")
    seen.add(kind)
    if kind == "m":
        seen.clear()
        media = _parse_media(value)
        sdp.media.append(media)
    elif kind == "i":
        media.title = value
    elif kind == "c":
        media.connections.append(_parse_connection(value))
    elif kind == "b":
        media.bandwidths.append(_parse_bandwidth(value))
    elif kind == "k":
        media.key = value
    else:  # "a"
        media.attributes.append(_attribute(value))
    return media


def _check_rtpmaps(media: MediaDescription) -> None:
    """One payload type may not name two encodings in one m= section (RFC 8866 §6.6)."""
    maps: dict[int, RtpMap] = {}
    for value in media.attrs("rtpmap"):
        rm = _parse_rtpmap(value)
        if maps.setdefault(rm.payload_type, rm) != rm:
            raise SdpParseError(
                f"m={media.media}: two different rtpmap lines for payload type {rm.payload_type}"
            )
