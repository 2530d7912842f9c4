"""Typed values of single SIP header fields (RFC 3261 §20, grammar in §25.1).

Each type parses one field value (already unfolded: the message parser turns folded
continuation lines into single spaces, RFC 3261 §7.3.1) and serialises back with `str()`.
Every parse error is a `SipParseError` naming the fault; nothing else is raised.

Header parameters (``;tag=``, ``;branch=``, ``;expires=``...) are kept in `params` in the
order given, names as written, values with any quoting removed (``None`` for a flag such
as ``;lr`` or ``;rport``). On output a value that is not a plain token is quoted again.

The scanners are regular expressions built from single character classes with
possessive quantifiers, so no input makes them backtrack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parley.sip.uri import SipParseError, SipURI

__all__ = [
    "AuthChallenge",
    "CSeq",
    "Credentials",
    "MediaType",
    "NameAddr",
    "SipParseError",
    "Via",
    "format_params",
    "is_token",
    "parse_auth_params",
    "parse_delta_seconds",
    "parse_max_forwards",
    "parse_media_list",
    "parse_params",
    "parse_token_list",
    "quote_string",
    "split_commas",
]

_TOKEN = r"[A-Za-z0-9\-.!%*_+`'~]++"
# gen-value = token / host / quoted-string (RFC 3261 §25.1); host adds ":" "[" "]".
_GENVAL = r"[A-Za-z0-9\-.!%*_+`'~:\[\]/]++"
_QUOTED = r'"((?:[^"\\]|\\.)*+)"'

_TOKEN_RE = re.compile(_TOKEN)
_GENVAL_RE = re.compile(_GENVAL)
_LWS_RE = re.compile(r"[ \t]*+")
_QUOTED_RE = re.compile(_QUOTED, re.DOTALL)
_PARAM_RE = re.compile(
    rf"[ \t]*+;[ \t]*+({_TOKEN})(?:[ \t]*+=[ \t]*+(?:{_QUOTED}|({_GENVAL})))?", re.DOTALL
)
_DISPLAY_TOKENS_RE = re.compile(rf"({_TOKEN}(?:[ \t]++{_TOKEN})*+)[ \t]*+<")
_ADDR_SPEC_RE = re.compile(r"[^;,\s]++")
_VIA_RE = re.compile(
    rf"[ \t]*+({_TOKEN})[ \t]*+/[ \t]*+({_TOKEN})[ \t]*+/[ \t]*+({_TOKEN})[ \t]++"
    r"(\[[0-9A-Fa-f:.]++\]|[A-Za-z0-9\-._]++)(?:[ \t]*+:[ \t]*+([0-9]++))?"
)
_CSEQ_RE = re.compile(rf"[ \t]*+([0-9]++)[ \t]++({_TOKEN})[ \t]*+")
_MEDIA_RE = re.compile(rf"[ \t]*+({_TOKEN})[ \t]*+/[ \t]*+({_TOKEN})")
_AUTH_SCHEME_RE = re.compile(rf"[ \t]*+({_TOKEN})")
_AUTH_PARAM_RE = re.compile(
    rf"[ \t]*+({_TOKEN})[ \t]*+=[ \t]*+(?:{_QUOTED}|({_GENVAL}))[ \t]*+", re.DOTALL
)
_TOKEN68_RE = re.compile(r"[ \t]*+([A-Za-z0-9\-._~+/]++=*+)[ \t]*+")
_FOLD_RE = re.compile(r"\r?\n[ \t]*+")
_UNESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)

_MAX_UINT32 = 2**32 - 1


def _unfold(value: str) -> str:
    """RFC 3261 §7.3.1: a line break followed by white space is one space."""
    return _FOLD_RE.sub(" ", value) if "\n" in value else value


def _unquote(inner: str) -> str:
    """The text of a quoted-string's inside, with quoted-pairs resolved (§25.1)."""
    return _UNESCAPE_RE.sub(r"\1", inner) if "\\" in inner else inner


def quote_string(text: str) -> str:
    """`text` as a quoted-string, escaping backslash and double quote."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def is_token(text: str) -> bool:
    """True if `text` is an RFC 3261 token (method names, option tags, param names...)."""
    return _TOKEN_RE.fullmatch(text) is not None


def _skip_lws(s: str, pos: int) -> int:
    m = _LWS_RE.match(s, pos)
    return m.end() if m else pos


def _params_at(s: str, pos: int) -> tuple[dict[str, str | None], int]:
    """Parse ``*(SEMI generic-param)`` from `pos`; returns the params and the end."""
    params: dict[str, str | None] = {}
    m = _PARAM_RE.match(s, pos)
    while m is not None:
        name, quoted, plain = m.group(1, 2, 3)
        if quoted is not None:
            params[name] = _unquote(quoted)
        else:
            params[name] = plain  # None for a flag parameter
        pos = m.end()
        m = _PARAM_RE.match(s, pos)
    return params, _skip_lws(s, pos)


def parse_params(text: str) -> dict[str, str | None]:
    """Parse a run of header parameters such as ``;tag=1;lr`` (leading ``;`` included)."""
    text = _unfold(text)
    params, pos = _params_at(text, 0)
    if pos != len(text):
        raise SipParseError(f"malformed parameter near {text[pos : pos + 20]!r}")
    return params


def format_params(params: dict[str, str | None]) -> str:
    """Serialise header parameters, quoting values that are not plain tokens."""
    out = []
    for name, value in params.items():
        if value is None:
            out.append(f";{name}")
        elif _GENVAL_RE.fullmatch(value):
            out.append(f";{name}={value}")
        else:
            out.append(f";{name}={quote_string(value)}")
    return "".join(out)


def _param(params: dict[str, str | None], name: str) -> str | None:
    """Case-insensitive parameter lookup (RFC 3261 §7.3.1: names are case-insensitive)."""
    if name in params:
        return params[name]
    for key, value in params.items():
        if key.lower() == name:
            return value
    return None


def _has_param(params: dict[str, str | None], name: str) -> bool:
    return name in params or any(key.lower() == name for key in params)


def split_commas(value: str) -> list[str]:
    """Split a header value at commas outside quoted strings and ``<...>`` (§7.3.1).

    The parts are stripped; empty parts are dropped.
    """
    value = _unfold(value)
    if '"' not in value and "<" not in value:
        parts = value.split(",")
    else:
        parts = []
        start = 0
        i = 0
        n = len(value)
        while i < n:
            c = value[i]
            if c == '"':
                m = _QUOTED_RE.match(value, i)
                if m is None:
                    raise SipParseError("unterminated quoted string")
                i = m.end()
                continue
            if c == "<":
                end = value.find(">", i)
                if end < 0:
                    raise SipParseError("unterminated <URI>")
                i = end + 1
                continue
            if c == ",":
                parts.append(value[start:i])
                start = i + 1
            i += 1
        parts.append(value[start:])
    return [p for p in (part.strip(" \t") for part in parts) if p]


# -- Via -----------------------------------------------------------------------------------


@dataclass(eq=True)
class Via:
    """One Via value, RFC 3261 §20.42: ``SIP/2.0/UDP host:port;branch=z9hG4bK...``."""

    transport: str = "UDP"
    host: str = ""
    port: int | None = None
    params: dict[str, str | None] = field(default_factory=dict)

    @property
    def branch(self) -> str | None:
        return _param(self.params, "branch")

    @property
    def received(self) -> str | None:
        return _param(self.params, "received")

    @property
    def rport(self) -> int | None:
        """The rport value (RFC 3581); None when absent or empty."""
        value = _param(self.params, "rport")
        if value is None or not value.isdigit() or len(value) > 5:
            return None
        return int(value)

    @property
    def has_rport(self) -> bool:
        return _has_param(self.params, "rport")

    @property
    def maddr(self) -> str | None:
        return _param(self.params, "maddr")

    @property
    def sent_by(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def __str__(self) -> str:
        return f"SIP/2.0/{self.transport} {self.sent_by}{format_params(self.params)}"

    @classmethod
    def parse(cls, value: str) -> Via:
        """Parse exactly one via-parm."""
        vias = cls.parse_list(value)
        if len(vias) != 1:
            raise SipParseError("expected exactly one Via value")
        return vias[0]

    @classmethod
    def parse_list(cls, value: str) -> list[Via]:
        """Parse a Via field value, which may hold several comma-separated via-parms."""
        s = _unfold(value)
        out: list[Via] = []
        pos = 0
        n = len(s)
        while True:
            m = _VIA_RE.match(s, pos)
            if m is None:
                raise SipParseError(f"malformed Via value {value!r}")
            proto, _version, transport, host, port_text = m.groups()
            if proto.upper() != "SIP":
                raise SipParseError(f"Via protocol is not SIP in {value!r}")
            port: int | None = None
            if port_text is not None:
                if len(port_text) > 5 or int(port_text) > 65535:
                    raise SipParseError(f"Via port out of range in {value!r}")
                port = int(port_text)
            params, pos = _params_at(s, m.end())
            out.append(cls(transport.upper(), host, port, params))
            if pos == n:
                return out
            if s[pos] != ",":
                raise SipParseError(f"malformed Via parameters in {value!r}")
            pos += 1


# -- name-addr (From, To, Contact, Route, Record-Route, Reply-To...) -------------------------


@dataclass(eq=True)
class NameAddr:
    """A name-addr or addr-spec with header parameters, RFC 3261 §20.10, §20.20, §20.39.

    `display_name` is None when absent, and unquoted (quoted-pairs resolved) otherwise.
    """

    display_name: str | None = None
    uri: SipURI = field(default_factory=SipURI)
    params: dict[str, str | None] = field(default_factory=dict)

    @property
    def tag(self) -> str | None:
        return _param(self.params, "tag")

    @property
    def expires(self) -> int | None:
        """The Contact ``expires`` parameter (RFC 3261 §20.10), None if absent."""
        value = _param(self.params, "expires")
        return None if value is None else parse_delta_seconds(value)

    @property
    def q(self) -> float | None:
        value = _param(self.params, "q")
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise SipParseError(f"malformed q value {value!r}") from None

    def with_tag(self, tag: str) -> NameAddr:
        params = dict(self.params)
        params["tag"] = tag
        return NameAddr(self.display_name, self.uri.copy(), params)

    def __str__(self) -> str:
        uri = f"<{self.uri}>{format_params(self.params)}"
        if self.display_name is None:
            return uri
        return f"{quote_string(self.display_name)} {uri}"

    @classmethod
    def parse(cls, value: str) -> NameAddr:
        """Parse one value (From, To, a single Contact...)."""
        s = _unfold(value)
        item, pos = _name_addr_at(s, 0)
        if pos != len(s):
            raise SipParseError(f"unexpected text after address in {value!r}")
        return item

    @classmethod
    def parse_list(cls, value: str) -> list[NameAddr]:
        """Parse a comma-separated list (Contact, Route, Record-Route...)."""
        s = _unfold(value)
        out: list[NameAddr] = []
        pos = 0
        n = len(s)
        while True:
            item, pos = _name_addr_at(s, pos)
            out.append(item)
            if pos == n:
                return out
            if s[pos] != ",":
                raise SipParseError(f"unexpected text after address in {value!r}")
            pos += 1


def _name_addr_at(s: str, pos: int) -> tuple[NameAddr, int]:
    """One ``(name-addr / addr-spec) *(SEMI param)`` from `pos` (RFC 3261 §25.1)."""
    pos = _skip_lws(s, pos)
    n = len(s)
    if pos >= n:
        raise SipParseError("empty address")
    display: str | None = None
    c = s[pos]
    if c == '"':
        m = _QUOTED_RE.match(s, pos)
        if m is None:
            raise SipParseError("unterminated quoted display name")
        display = _unquote(m.group(1))
        pos = _skip_lws(s, m.end())
        if pos >= n or s[pos] != "<":
            raise SipParseError("quoted display name not followed by <URI>")
    elif c != "<":
        m = _DISPLAY_TOKENS_RE.match(s, pos)
        if m is not None:
            display = m.group(1)
            pos = m.end() - 1
    if pos < n and s[pos] == "<":
        end = s.find(">", pos + 1)
        if end < 0:
            raise SipParseError("unterminated <URI>")
        text = s[pos + 1 : end]
        if text != text.strip():
            # LAQUOT/RAQUOT allow white space outside the brackets only (RFC 3261 §25.1).
            raise SipParseError(f"white space inside <{text}>")
        uri = SipURI.parse_any(text)
        pos = end + 1
    else:
        m = _ADDR_SPEC_RE.match(s, pos)
        if m is None:
            raise SipParseError(f"malformed address near {s[pos : pos + 20]!r}")
        text = m.group(0)
        # RFC 3261 §20: a URI with a comma, question mark or semicolon must be in <>.
        if "?" in text:
            raise SipParseError(f"URI with headers must be enclosed in <>: {text!r}")
        if ":" not in text:
            raise SipParseError(
                f"{text!r} is not a URI (a display name with special characters must be quoted)"
            )
        uri = SipURI.parse_any(text)
        pos = m.end()
    params, pos = _params_at(s, pos)
    return NameAddr(display, uri, params), pos


# -- CSeq, media types, numbers, token lists -------------------------------------------------


@dataclass(frozen=True)
class CSeq:
    """RFC 3261 §20.16: a 32-bit sequence number and the request method."""

    seq: int
    method: str

    def __str__(self) -> str:
        return f"{self.seq} {self.method}"

    @classmethod
    def parse(cls, value: str) -> CSeq:
        m = _CSEQ_RE.fullmatch(_unfold(value))
        if m is None:
            raise SipParseError(f"malformed CSeq {value!r}")
        digits, method = m.groups()
        if len(digits) > 10 or int(digits) > _MAX_UINT32:
            raise SipParseError(f"CSeq number out of range in {value!r}")
        return cls(int(digits), method)


@dataclass(eq=True)
class MediaType:
    """RFC 3261 §20.15 media-type: ``type/subtype;param=value``."""

    type: str
    subtype: str
    params: dict[str, str | None] = field(default_factory=dict)

    @property
    def mime(self) -> str:
        return f"{self.type}/{self.subtype}".lower()

    def matches(self, mime: str) -> bool:
        """True if this (possibly wildcard, as in Accept) type covers `mime`."""
        t, _, sub = mime.lower().partition("/")
        mt, ms = self.type.lower(), self.subtype.lower()
        return (mt == "*" or mt == t) and (ms == "*" or ms == sub)

    def __str__(self) -> str:
        return f"{self.type}/{self.subtype}{format_params(self.params)}"

    @classmethod
    def parse(cls, value: str) -> MediaType:
        s = _unfold(value)
        item, pos = _media_at(s, 0)
        if pos != len(s):
            raise SipParseError(f"malformed media type {value!r}")
        return item


def _media_at(s: str, pos: int) -> tuple[MediaType, int]:
    m = _MEDIA_RE.match(s, pos)
    if m is None:
        raise SipParseError(f"malformed media type {s!r}")
    params, pos = _params_at(s, m.end())
    return MediaType(m.group(1), m.group(2), params), pos


def parse_media_list(value: str) -> list[MediaType]:
    """An Accept value: comma-separated media ranges; empty means none (§20.1)."""
    s = _unfold(value)
    out: list[MediaType] = []
    pos = _skip_lws(s, 0)
    n = len(s)
    if pos == n:
        return out
    while True:
        item, pos = _media_at(s, pos)
        out.append(item)
        if pos == n:
            return out
        if s[pos] != ",":
            raise SipParseError(f"malformed media type list {value!r}")
        pos += 1


def _small_int(value: str, limit: int, what: str) -> int:
    text = _unfold(value).strip(" \t")
    # Length check first: int() of thousands of digits is slow and may raise ValueError.
    if not text.isdigit() or not text.isascii() or len(text.lstrip("0")) > len(str(limit)):
        raise SipParseError(f"malformed {what} {value!r}")
    number = int(text)
    if number > limit:
        raise SipParseError(f"{what} out of range: {value!r}")
    return number


def parse_delta_seconds(value: str) -> int:
    """delta-seconds (Expires, Min-Expires, ``;expires=``): 0 to 2**32-1 (§20.19)."""
    return _small_int(value, _MAX_UINT32, "delta-seconds")


def parse_max_forwards(value: str) -> int:
    """Max-Forwards, RFC 3261 §20.22: an integer 0..255."""
    return _small_int(value, 255, "Max-Forwards")


def parse_token_list(value: str) -> list[str]:
    """Comma-separated tokens (Require, Supported, Allow, Unsupported...); empty is []."""
    out = []
    for item in _unfold(value).split(","):
        item = item.strip(" \t")
        if not item:
            continue
        if _TOKEN_RE.fullmatch(item) is None:
            raise SipParseError(f"malformed token {item!r}")
        out.append(item)
    return out


# -- authentication (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 7616) ------------------------


def parse_auth_params(value: str) -> tuple[str, dict[str, str]]:
    """Split WWW-Authenticate / Authorization / Proxy-* values into scheme and params.

    Param names are lower-cased (they are case-insensitive), values have their quotes
    removed. A bare token68 credential (``Basic dXNlcg==``) comes back as
    ``{"token68": ...}``.
    """
    s = _unfold(value)
    m = _AUTH_SCHEME_RE.match(s)
    if m is None:
        raise SipParseError(f"malformed authentication value {value!r}")
    scheme = m.group(1)
    pos = m.end()
    n = len(s)
    params: dict[str, str] = {}
    if _skip_lws(s, pos) == n:
        return scheme, params
    if pos < n and s[pos] not in " \t":
        raise SipParseError(f"malformed authentication scheme in {value!r}")
    while True:
        pm = _AUTH_PARAM_RE.match(s, pos)
        if pm is None:
            if not params:
                tm = _TOKEN68_RE.fullmatch(s, pos)
                if tm is not None:
                    return scheme, {"token68": tm.group(1)}
            raise SipParseError(f"malformed authentication parameters in {value!r}")
        name, quoted, plain = pm.group(1, 2, 3)
        params[name.lower()] = _unquote(quoted) if quoted is not None else plain
        pos = pm.end()
        if pos == n:
            return scheme, params
        if s[pos] != ",":
            raise SipParseError(f"malformed authentication parameters in {value!r}")
        pos += 1


# Digest parameters sent without quotes (RFC 7616 §3.3, §3.4; RFC 3261 §25.1).
_UNQUOTED_AUTH = frozenset({"algorithm", "stale", "nc", "qop", "token68"})


@dataclass(eq=True)
class AuthChallenge:
    """A WWW-Authenticate or Proxy-Authenticate value (RFC 3261 §20.44, §20.27)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: str) -> AuthChallenge:
        scheme, params = parse_auth_params(value)
        return cls(scheme, params)

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")

    @property
    def nonce(self) -> str | None:
        return self.params.get("nonce")

    @property
    def algorithm(self) -> str | None:
        return self.params.get("algorithm")

    @property
    def opaque(self) -> str | None:
        return self.params.get("opaque")

    @property
    def stale(self) -> bool:
        return (self.params.get("stale") or "").lower() == "true"

    @property
    def qop_options(self) -> list[str]:
        """The challenge's qop list (``"auth,auth-int"`` → ``["auth", "auth-int"]``)."""
        qop = self.params.get("qop")
        return [q.strip() for q in qop.split(",") if q.strip()] if qop else []

    def __str__(self) -> str:
        return _format_auth(self.scheme, self.params, unquoted={"algorithm", "stale"})


@dataclass(eq=True)
class Credentials:
    """An Authorization or Proxy-Authorization value (RFC 3261 §20.7, §20.28)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: str) -> Credentials:
        scheme, params = parse_auth_params(value)
        return cls(scheme, params)

    @property
    def username(self) -> str | None:
        return self.params.get("username")

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")

    def __str__(self) -> str:
        return _format_auth(self.scheme, self.params, unquoted=_UNQUOTED_AUTH)


def _format_auth(
    scheme: str, params: dict[str, str], *, unquoted: set[str] | frozenset[str]
) -> str:
    if "token68" in params and len(params) == 1:
        return f"{scheme} {params['token68']}"
    items = []
    for name, value in params.items():
        if name in unquoted and _GENVAL_RE.fullmatch(value):
            items.append(f"{name}={value}")
        else:
            items.append(f"{name}={quote_string(value)}")
    return f"{scheme} " + ", ".join(items) if items else scheme
