"""SIP messages as data: requests, responses and their header list (RFC 3261 §7).

This module only holds and serialises messages. Parsing bytes into these objects is
`parley.sip.parser`; typed views of single header values (Via, name-addr, CSeq...) are
`parley.sip.headers`. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from parley.sip import headers as h
from parley.sip.uri import SipURI

# RFC 3261 §7.3.3 compact forms, plus the ones later RFCs added (RFC 3515 r, RFC 3265 o/u,
# RFC 3841 a/j/d, RFC 4028 x, RFC 4474 y/n, RFC 3892 b).
COMPACT_FORMS: dict[str, str] = {
    "i": "Call-ID",
    "m": "Contact",
    "e": "Content-Encoding",
    "l": "Content-Length",
    "c": "Content-Type",
    "f": "From",
    "s": "Subject",
    "k": "Supported",
    "t": "To",
    "v": "Via",
    "o": "Event",
    "u": "Allow-Events",
    "r": "Refer-To",
    "b": "Referred-By",
    "a": "Accept-Contact",
    "j": "Reject-Contact",
    "d": "Request-Disposition",
    "x": "Session-Expires",
    "y": "Identity",
    "n": "Identity-Info",
}

# Canonical spelling for headers whose capitalisation is not simply Title-Case.
_CANONICAL: dict[str, str] = {
    name.lower(): name
    for name in (
        "Call-ID",
        "CSeq",
        "WWW-Authenticate",
        "MIME-Version",
        "RAck",
        "RSeq",
        "SIP-ETag",
        "SIP-If-Match",
        "P-Asserted-Identity",
        "P-Preferred-Identity",
        "Session-Expires",
        "Min-SE",
        *COMPACT_FORMS.values(),
    )
}


def canonical_name(name: str) -> str:
    """The canonical spelling of a header name; compact forms expand to the long name."""
    key = name.strip().lower()
    if len(key) == 1 and key in COMPACT_FORMS:
        return COMPACT_FORMS[key]
    known = _CANONICAL.get(key)
    if known is not None:
        return known
    return "-".join(part[:1].upper() + part[1:] for part in key.split("-"))


class Headers:
    """An ordered list of (name, value) header fields; names are compared case-insensitively.

    Each entry is one header *field*: a header line with several comma-separated values
    stays one entry here (splitting is the job of the typed accessors, because for
    WWW-Authenticate and friends commas are not separators). Names are stored in their
    canonical long form so `Via` and `v` are the same header.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = [(canonical_name(n), v) for n, v in items]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = canonical_name(name)
        return any(n == key for n, _ in self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and self._items == other._items

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first field's value of `name`, or `default`."""
        key = canonical_name(name)
        for n, v in self._items:
            if n == key:
                return v
        return default

    def get_all(self, name: str) -> list[str]:
        """All field values of `name`, in order (not split at commas)."""
        key = canonical_name(name)
        return [v for n, v in self._items if n == key]

    def add(self, name: str, value: str, *, first: bool = False) -> None:
        """Append a field; with `first`, put it before any existing field of that name."""
        key = canonical_name(name)
        if first:
            for i, (n, _) in enumerate(self._items):
                if n == key:
                    self._items.insert(i, (key, value))
                    return
        self._items.append((key, value))

    def set(self, name: str, value: str) -> None:
        """Replace all fields of `name` by one; keeps the position of the first one."""
        key = canonical_name(name)
        for i, (n, _) in enumerate(self._items):
            if n == key:
                self._items[i] = (key, value)
                self._items[i + 1 :] = [(n2, v2) for n2, v2 in self._items[i + 1 :] if n2 != key]
                return
        self._items.append((key, value))

    def remove(self, name: str) -> None:
        key = canonical_name(name)
        self._items = [(n, v) for n, v in self._items if n != key]

    def remove_first(self, name: str) -> None:
        key = canonical_name(name)
        for i, (n, _) in enumerate(self._items):
            if n == key:
                del self._items[i]
                return

    def copy(self) -> Headers:
        new = Headers()
        new._items = list(self._items)
        return new


@dataclass(eq=True)
class _Message:
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    version: str = "SIP/2.0"

    def start_line(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        """Serialise; Content-Length is always written and always matches the body."""
        lines = [self.start_line()]
        for name, value in self.headers:
            if name == "Content-Length":
                continue
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body

    # Typed views of the headers a UA lives by. Each parses on access, so the header list
    # stays the single source of truth; they raise SipParseError on a malformed value.

    @property
    def call_id(self) -> str:
        value = self.headers.get("Call-ID")
        if value is None:
            raise h.SipParseError("missing Call-ID header", status=400)
        return value.strip()

    @property
    def cseq(self) -> h.CSeq:
        value = self.headers.get("CSeq")
        if value is None:
            raise h.SipParseError("missing CSeq header", status=400)
        return h.CSeq.parse(value)

    @property
    def from_(self) -> h.NameAddr:
        value = self.headers.get("From")
        if value is None:
            raise h.SipParseError("missing From header", status=400)
        return h.NameAddr.parse(value)

    @property
    def to(self) -> h.NameAddr:
        value = self.headers.get("To")
        if value is None:
            raise h.SipParseError("missing To header", status=400)
        return h.NameAddr.parse(value)

    @property
    def vias(self) -> list[h.Via]:
        return [via for value in self.headers.get_all("Via") for via in h.Via.parse_list(value)]

    @property
    def top_via(self) -> h.Via:
        value = self.headers.get("Via")
        if value is None:
            raise h.SipParseError("missing Via header", status=400)
        return h.Via.parse_list(value)[0]

    @property
    def contacts(self) -> list[h.NameAddr]:
        """Contact values; a `*` Contact comes back as an empty list (see `contact_star`)."""
        out: list[h.NameAddr] = []
        for value in self.headers.get_all("Contact"):
            if value.strip() == "*":
                continue
            out.extend(h.NameAddr.parse_list(value))
        return out

    @property
    def contact_star(self) -> bool:
        return any(v.strip() == "*" for v in self.headers.get_all("Contact"))

    @property
    def routes(self) -> list[h.NameAddr]:
        return [r for v in self.headers.get_all("Route") for r in h.NameAddr.parse_list(v)]

    @property
    def record_routes(self) -> list[h.NameAddr]:
        return [r for v in self.headers.get_all("Record-Route") for r in h.NameAddr.parse_list(v)]

    @property
    def expires(self) -> int | None:
        value = self.headers.get("Expires")
        return None if value is None else h.parse_delta_seconds(value)

    @property
    def min_expires(self) -> int | None:
        value = self.headers.get("Min-Expires")
        return None if value is None else h.parse_delta_seconds(value)

    @property
    def max_forwards(self) -> int | None:
        value = self.headers.get("Max-Forwards")
        return None if value is None else h.parse_max_forwards(value)

    @property
    def content_type(self) -> h.MediaType | None:
        value = self.headers.get("Content-Type")
        return None if value is None else h.MediaType.parse(value)

    def tokens(self, name: str) -> list[str]:
        """Comma-separated token lists (Supported, Require, Allow, Unsupported...)."""
        return [t for v in self.headers.get_all(name) for t in h.parse_token_list(v)]


@dataclass(eq=True)
class Request(_Message):
    method: str = ""
    uri: SipURI | str = ""

    def start_line(self) -> str:
        return f"{self.method} {self.uri} {self.version}"

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.uri}>"


@dataclass(eq=True)
class Response(_Message):
    status: int = 0
    reason: str = ""

    def start_line(self) -> str:
        return f"{self.version} {self.status} {self.reason}"

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.reason}>"


Message = Request | Response
