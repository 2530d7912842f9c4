"""SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966).

A `SipURI` keeps its parts *unescaped* (``%41`` is stored as ``A``) and escapes them again
when serialised, so two spellings of the same URI give equal objects (RFC 3261 §19.1.4).

Other schemes (``http:``, ``isbn:``, ``urn:``...) may appear in header fields such as To or
Contact (RFC 4475 §3.3.4). `SipURI.parse_any` keeps them as an opaque URI: `scheme` as
written, the rest in `host`, everything else empty. `SipURI.parse` only accepts sip, sips
and tel, and raises a 416 error for anything else (RFC 3261 §8.2.2.1).

For ``tel:`` URIs the telephone number is in `user` and `host` is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote

__all__ = ["SipParseError", "SipURI", "bare_host", "uri_host"]


def uri_host(host: str) -> str:
    """The host as a URI or Via writes it: a bare IPv6 address gets its brackets
    (RFC 3261 §25.1 IPv6reference); names, IPv4 and bracketed hosts are unchanged.
    Via's received parameter and socket APIs give IPv6 addresses without brackets."""
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def bare_host(host: str) -> str:
    """The host as a socket wants it: "[::1]" -> "::1"; anything else unchanged."""
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    return host


class SipParseError(ValueError):
    """A SIP message, header or URI that does not follow the grammar (RFC 3261 §25).

    `status` is the response a UA would answer a request with (400 Bad Request, 416
    Unsupported URI Scheme, 505 Version Not Supported...); `reason` is its short phrase.
    It lives here rather than in `parley.sip.headers` only to avoid an import cycle;
    `parley.sip.headers.SipParseError` is the same class.
    """

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.reason = _REASONS.get(status, "Bad Request")
        # Filled in by the message parser when the header section could be split, so that
        # the UA can still answer a broken request (Via, From, To, Call-ID, CSeq copied).
        self.raw_headers: list[tuple[str, str]] | None = None
        self.method: str | None = None


_REASONS = {
    400: "Bad Request",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    483: "Too Many Hops",
    505: "Version Not Supported",
    513: "Message Too Large",
}

# Character classes of RFC 3261 §25.1. Escapes are checked separately; every pattern here
# is a single character class repeated, so matching is linear (no backtracking traps).
_UNRESERVED = r"A-Za-z0-9\-_.!~*'()"
_USER_RE = re.compile(rf"(?:[{_UNRESERVED}&=+$,;?/]|%[0-9A-Fa-f]{{2}})++")
_PASSWORD_RE = re.compile(rf"(?:[{_UNRESERVED}&=+$,]|%[0-9A-Fa-f]{{2}})*+")
_PARAM_RE = re.compile(rf"(?:[{_UNRESERVED}\[\]/:&+$]|%[0-9A-Fa-f]{{2}})++")
_HEADER_RE = re.compile(rf"(?:[{_UNRESERVED}\[\]/?:+$]|%[0-9A-Fa-f]{{2}})*+")
_HOST_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._]+")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*+")
# RFC 2396 `uric` for opaque URIs of other schemes.
_OPAQUE_RE = re.compile(r"(?:[A-Za-z0-9\-_.!~*'();/?:@&=+$,\[\]]|%[0-9A-Fa-f]{2})++")
_TEL_NUMBER_RE = re.compile(r"\+?[0-9A-Fa-f*#\-.()]++")

# `safe` sets for re-escaping: the characters each component may carry literally.
_MARKS = "-_.!~*'()"
_USER_SAFE = _MARKS + "&=+$,;?/"
_PASSWORD_SAFE = _MARKS + "&=+$,"
_PARAM_SAFE = _MARKS + "[]/:&+$"
_HEADER_SAFE = _MARKS + "[]/?:+$"
_USER_PLAIN = re.compile(rf"[{_UNRESERVED}&=+$,;?/]*+")
_PARAM_PLAIN = re.compile(rf"[{_UNRESERVED}\[\]/:&+$]*+")
_HEADER_PLAIN = re.compile(rf"[{_UNRESERVED}\[\]/?:+$]*+")
_PASSWORD_PLAIN = re.compile(rf"[{_UNRESERVED}&=+$,]*+")

_SIP_SCHEMES = ("sip", "sips")


def _unescape(text: str) -> str:
    if "%" not in text:
        return text
    return unquote(text, encoding="utf-8", errors="surrogateescape")


def _escape(text: str, plain: re.Pattern[str], safe: str) -> str:
    if plain.fullmatch(text):
        return text
    return quote(text, safe=safe, encoding="utf-8", errors="surrogateescape")


def _split_params(text: str, what: str) -> dict[str, str | None]:
    """`;name[=value]` pairs of a SIP or tel URI (the leading ``;`` already removed)."""
    params: dict[str, str | None] = {}
    for item in text.split(";"):
        name, eq, value = item.partition("=")
        if not _PARAM_RE.fullmatch(name):
            raise SipParseError(f"malformed {what} parameter {item!r}")
        if eq and value and not _PARAM_RE.fullmatch(value):
            raise SipParseError(f"malformed {what} parameter value {item!r}")
        params[_unescape(name)] = _unescape(value) if eq else None
    return params


@dataclass(eq=True)
class SipURI:
    """A sip:, sips: or tel: URI (or, from `parse_any`, an opaque URI of another scheme)."""

    scheme: str = "sip"
    user: str | None = None
    password: str | None = None
    host: str = ""
    port: int | None = None
    params: dict[str, str | None] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    # -- parsing -------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> SipURI:
        """Parse a sip/sips/tel URI; another well-formed scheme raises a 416 error."""
        colon = text.find(":")
        scheme = text[:colon].lower() if colon > 0 else ""
        if scheme in _SIP_SCHEMES:
            return cls._parse_sip(scheme, text[colon + 1 :], text)
        if scheme == "tel":
            return cls._parse_tel(text[colon + 1 :], text)
        if colon > 0 and _SCHEME_RE.fullmatch(text[:colon]):
            raise SipParseError(f"unsupported URI scheme {text[:colon]!r}", status=416)
        raise SipParseError(f"malformed URI {text!r}")

    @classmethod
    def parse_any(cls, text: str) -> SipURI:
        """Like `parse`, but keeps a well-formed URI of any other scheme as opaque."""
        colon = text.find(":")
        scheme = text[:colon].lower() if colon > 0 else ""
        if scheme in _SIP_SCHEMES:
            return cls._parse_sip(scheme, text[colon + 1 :], text)
        if scheme == "tel":
            return cls._parse_tel(text[colon + 1 :], text)
        if (
            colon > 0
            and _SCHEME_RE.fullmatch(text[:colon])
            and _OPAQUE_RE.fullmatch(text, colon + 1)
        ):
            return cls(scheme=text[:colon], host=text[colon + 1 :])
        raise SipParseError(f"malformed URI {text!r}")

    @classmethod
    def _parse_sip(cls, scheme: str, rest: str, text: str) -> SipURI:
        """RFC 3261 §19.1.1: sip:user:password@host:port;uri-parameters?headers."""
        user: str | None = None
        password: str | None = None
        # An unescaped "@" can only end the userinfo: params and headers must escape it.
        at = rest.find("@")
        if at >= 0:
            userinfo = rest[:at]
            rest = rest[at + 1 :]
            u, colon, pw = userinfo.partition(":")
            if not _USER_RE.fullmatch(u):
                raise SipParseError(f"malformed user part in URI {text!r}")
            if colon and not _PASSWORD_RE.fullmatch(pw):
                raise SipParseError(f"malformed password in URI {text!r}")
            user = _unescape(u)
            password = _unescape(pw) if colon else None
        headers: dict[str, str] = {}
        qmark = rest.find("?")
        if qmark >= 0:
            for item in rest[qmark + 1 :].split("&"):
                hname, eq, hvalue = item.partition("=")
                if (
                    not eq
                    or not hname
                    or not _HEADER_RE.fullmatch(hname)
                    or not _HEADER_RE.fullmatch(hvalue)
                ):
                    raise SipParseError(f"malformed header {item!r} in URI {text!r}")
                headers[_unescape(hname)] = _unescape(hvalue)
            rest = rest[:qmark]
        params: dict[str, str | None] = {}
        semi = rest.find(";")
        if semi >= 0:
            params = _split_params(rest[semi + 1 :], "URI")
            rest = rest[:semi]
        host, port = _split_hostport(rest, text)
        return cls(scheme, user, password, host, port, params, headers)

    @classmethod
    def _parse_tel(cls, rest: str, text: str) -> SipURI:
        """RFC 3966 §3: tel:number;par=value (no host, port or headers)."""
        number, semi, ptext = rest.partition(";")
        if not _TEL_NUMBER_RE.fullmatch(number):
            raise SipParseError(f"malformed telephone number in URI {text!r}")
        params = _split_params(ptext, "tel URI") if semi else {}
        return cls(scheme="tel", user=number, host="", params=params)

    # -- serialising ---------------------------------------------------------------------

    def __str__(self) -> str:
        scheme = self.scheme
        if scheme == "tel":
            return "tel:" + (self.user or "") + self._params_str()
        if scheme not in _SIP_SCHEMES:
            return f"{scheme}:{self.host}"
        parts = [scheme, ":"]
        if self.user is not None:
            parts.append(_escape(self.user, _USER_PLAIN, _USER_SAFE))
            if self.password is not None:
                parts.append(":")
                parts.append(_escape(self.password, _PASSWORD_PLAIN, _PASSWORD_SAFE))
            parts.append("@")
        parts.append(self.host)
        if self.port is not None:
            parts.append(f":{self.port}")
        parts.append(self._params_str())
        if self.headers:
            parts.append("?")
            parts.append(
                "&".join(
                    _escape(k, _HEADER_PLAIN, _HEADER_SAFE)
                    + "="
                    + _escape(v, _HEADER_PLAIN, _HEADER_SAFE)
                    for k, v in self.headers.items()
                )
            )
        return "".join(parts)

    def _params_str(self) -> str:
        if not self.params:
            return ""
        out = []
        for name, value in self.params.items():
            name = _escape(name, _PARAM_PLAIN, _PARAM_SAFE)
            if value is None:
                out.append(f";{name}")
            else:
                out.append(f";{name}={_escape(value, _PARAM_PLAIN, _PARAM_SAFE)}")
        return "".join(out)

    # -- helpers -------------------------------------------------------------------------

    def param(self, name: str) -> str | None:
        """A URI parameter's value; names compare case-insensitively (RFC 3261 §19.1.4)."""
        if name in self.params:
            return self.params[name]
        lname = name.lower()
        for key, value in self.params.items():
            if key.lower() == lname:
                return value
        return None

    def has_param(self, name: str) -> bool:
        lname = name.lower()
        return any(key.lower() == lname for key in self.params)

    @property
    def transport(self) -> str | None:
        """The ``transport`` parameter, lower-cased, or None."""
        value = self.param("transport")
        return value.lower() if value else None

    @property
    def is_sip(self) -> bool:
        """True for sip: and sips: URIs."""
        return self.scheme in _SIP_SCHEMES

    @property
    def host_port(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def with_params(self, **params: str | None) -> SipURI:
        """A copy with these parameters added or replaced (None = a flag like ``lr``)."""
        merged = dict(self.params)
        merged.update(params)
        return replace(self, params=merged, headers=dict(self.headers))

    def without_params(self, *names: str) -> SipURI:
        """A copy without these parameters (names compared case-insensitively)."""
        drop = {n.lower() for n in names}
        kept = {k: v for k, v in self.params.items() if k.lower() not in drop}
        return replace(self, params=kept, headers=dict(self.headers))

    def copy(self) -> SipURI:
        return replace(self, params=dict(self.params), headers=dict(self.headers))


def _split_hostport(text: str, uri: str) -> tuple[str, int | None]:
    """host[:port] with IPv6 references kept in brackets (RFC 3261 §25.1 hostport)."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise SipParseError(f"unterminated IPv6 reference in URI {uri!r}")
        host, tail = text[: end + 1], text[end + 1 :]
        if tail and not tail.startswith(":"):
            raise SipParseError(f"malformed host in URI {uri!r}")
        port_text = tail[1:] if tail else None
    else:
        host, colon, ptext = text.partition(":")
        port_text = ptext if colon else None
    if not _HOST_RE.fullmatch(host):
        raise SipParseError(f"malformed host {host!r} in URI {uri!r}")
    port: int | None = None
    if port_text is not None:
        if not port_text.isdigit() or not port_text.isascii() or len(port_text) > 5:
            raise SipParseError(f"malformed port in URI {uri!r}")
        port = int(port_text)
        if port > 65535:
            raise SipParseError(f"port out of range in URI {uri!r}")
    return host, port
