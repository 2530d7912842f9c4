"""Contacts from an LDAP directory (a PBX's phone book, OpenLDAP, Active Directory).

Two synchronous entry points, run in a worker thread (each call opens its own connection
and closes it; only SSL contexts are shared, and they are thread-safe):

- `fetch_all(config)`: every entry under the base DN within the configured filter, in
  pages (RFC 2696) so a directory larger than the server's size limit still comes whole;
- `search(config, text, limit)`: search as you type, the server doing the matching.

Both return a `FetchResult` and never raise: what the server refused or what broke comes
back as `SourceIssue`s with a `SourceProblem` code; what came before a size limit is kept.
Referrals are never chased (they could point anywhere with our credentials): each is
reported. Telephone numbers are compared by the server ignoring spaces and dashes only,
so a number is searched in each of the spellings it may be stored in (+49 30 …,
0049 30 …, 030 …).
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ldap3 import ANONYMOUS, NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import (
    LDAPException,
    LDAPInvalidFilterError,
    LDAPSocketOpenError,
    LDAPStartTLSError,
)

from parley.contacts.ldap_filters import (
    configured_filter,
    is_attribute_name,
    number_filter,
    person_filter,
    unique,
)
from parley.contacts.model import MAX_TEXT, Contact, NumberType, PhoneNumber
from parley.contacts.numbers import clean_number, is_dialable, is_sip_address
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

Security = Literal["none", "ldaps", "starttls"]

PAGE_SIZE = 500  # entries per page of a paged search (Active Directory's MaxPageSize is 1000)
_PAGED_RESULTS = "1.2.840.113556.1.4.319"


@dataclass(frozen=True)
class LdapAttributes:
    """The manual's Attribute page: which directory attribute fills which contact field
    ("" = not used). Defaults fit inetOrgPerson (OpenLDAP, PBX phone books)."""

    display_name: str = "cn"
    first_name: str = "givenName"
    last_name: str = "sn"
    company: str = "o"
    business: str = "telephoneNumber"
    work_ip_phone: str = "ipPhone"  # the manual's "Work IP Phone" (Active Directory's name)
    mobile: str = "mobile"
    home: str = "homePhone"
    fax: str = "facsimileTelephoneNumber"

    def name_attributes(self) -> tuple[str, ...]:
        return unique((self.display_name, self.first_name, self.last_name, self.company))

    def phone_attributes(self) -> tuple[tuple[str, NumberType], ...]:
        pairs = (
            (self.business, NumberType.BUSINESS),
            (self.work_ip_phone, NumberType.BUSINESS),
            (self.mobile, NumberType.MOBILE),
            (self.home, NumberType.HOME),
            (self.fax, NumberType.FAX),
        )
        seen: set[str] = set()
        out = []
        for name, kind in pairs:
            if name and name.lower() not in seen:
                seen.add(name.lower())
                out.append((name, kind))
        return tuple(out)

    def requested(self) -> list[str]:
        """The attributes asked of the server (nothing else is transferred)."""
        return list(
            unique((*self.name_attributes(), *(name for name, _ in self.phone_attributes())))
        )


@functools.cache
def _phone_attributes(attributes: LdapAttributes) -> tuple[tuple[str, NumberType], ...]:
    return attributes.phone_attributes()  # once per mapping, not once per entry


INET_ORG_PERSON = LdapAttributes()
# Active Directory: displayName is the full name, the firm is `company`.
ACTIVE_DIRECTORY = LdapAttributes(display_name="displayName", company="company")


@dataclass(frozen=True)
class LdapConfig:
    """How to reach and read one directory (the manual's Access data and Attribute pages).

    `security`: "none" (plain LDAP), "ldaps" (TLS from the first byte, port 636) or
    "starttls" (plain connection upgraded before the bind). `ignore_certificate` keeps the
    link encrypted but checks neither the certificate nor the name in it: an explicit
    choice the settings must warn about. `ca_file` (PEM): trust this CA only, instead of
    the system's CAs. `bind_dn` "" is anonymous. `result_limit` 0 leaves only the
    server's own limit. `default_country` (ISO code such as "DE") decides the national
    spelling of numbers searched for. `timeout` (seconds) bounds connecting and each
    answer, and is the time limit the server is asked to keep.
    """

    host: str
    port: int | None = None  # None: 636 for "ldaps", else 389
    security: Security = "none"
    ignore_certificate: bool = False
    ca_file: str | None = None
    bind_dn: str = ""
    password: str = field(default="", repr=False)
    base_dn: str = "dc=auerswald"
    search_filter: str = "(objectClass=person)"
    result_limit: int = 0
    attributes: LdapAttributes = INET_ORG_PERSON
    timeout: float = 10.0
    default_country: str = ""

    @property
    def server_port(self) -> int:
        if self.port:
            return self.port
        return 636 if self.security == "ldaps" else 389

    @property
    def url(self) -> str:
        scheme = "ldaps" if self.security == "ldaps" else "ldap"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.server_port}"


def parse_url(url: str) -> tuple[str, int | None, bool]:
    """Host, port (None: the default) and whether it is LDAPS, from `ldap://host:port`,
    `ldaps://host`, `[::1]:389` or a bare host name as a person types it.
    ValueError when it is not one of those."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "ldap", text
    scheme = scheme.lower()
    if scheme not in ("ldap", "ldaps"):
        raise ValueError(f"not an LDAP URL: {url!r}")
    hostport = rest.split("/", 1)[0]
    if hostport.startswith("["):
        host, bracket, after = hostport[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise ValueError(f"not an LDAP URL: {url!r}")
        port_text = after[1:]
    elif hostport.count(":") > 1:
        host, port_text = hostport, ""  # a bare IPv6 address
    else:
        host, _, port_text = hostport.partition(":")
    if not host:
        raise ValueError(f"no host in {url!r}")
    port: int | None = None
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"bad port in {url!r}")
        port = int(port_text)
    return host, port, scheme == "ldaps"


# --- search as you type ------------------------------------------------------------


def text_filter(config: LdapConfig, text: str) -> str | None:
    """The filter for search as you type over the configured attributes (see
    `ldap_filters.person_filter`); None when `text` has nothing to search for."""
    return person_filter(
        config.search_filter,
        config.attributes.name_attributes(),
        [name for name, _ in config.attributes.phone_attributes()],
        text,
        config.default_country,
    )


# --- entries → contacts -----------------------------------------------------------------

Raw = dict[str, list[bytes]]


def _by_name(raw: Raw) -> Raw:
    """The entry's values by lower-case attribute name (names are case-insensitive);
    `cn` wins over `cn;lang-de`."""
    out: Raw = {}
    for name, values in raw.items():
        base, _, options = name.partition(";")
        key = base.lower()
        if not options or key not in out:
            out[key] = list(values)
    return out


def _values(raw: Raw, attribute: str) -> list[bytes]:
    return raw.get(attribute.lower(), []) if attribute else []


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Skip(Exception):
    pass


def _text(raw: Raw, attribute: str) -> str:
    values = _values(raw, attribute)
    if not values:
        return ""
    try:
        value = values[0].decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _Skip(f"{attribute} is not UTF-8 text") from None
    if _CONTROL.search(value):
        raise _Skip(f"{attribute} contains control characters")
    if len(value) > MAX_TEXT:
        raise _Skip(f"{attribute} is longer than {MAX_TEXT} characters")
    return value


def entry_to_contact(
    dn: str, raw: Raw, attributes: LdapAttributes
) -> tuple[Contact | None, list[SourceIssue]]:
    """The contact an entry makes, and what was wrong with it. The contact is None
    (with an ENTRY_SKIPPED issue naming the DN and why) when the entry is unusable."""
    issues: list[SourceIssue] = []
    raw = _by_name(raw)
    try:
        display = _text(raw, attributes.display_name)
        first = _text(raw, attributes.first_name)
        last = _text(raw, attributes.last_name)
        company = _text(raw, attributes.company)
    except _Skip as why:
        return None, [SourceIssue(SourceProblem.ENTRY_SKIPPED, dn, str(why))]
    numbers: list[PhoneNumber] = []
    seen: set[str] = set()
    presence = ""
    for attribute, kind in _phone_attributes(attributes):
        for value in _values(raw, attribute):
            try:
                number = value.decode("utf-8").strip()
            except UnicodeDecodeError:
                issues.append(
                    SourceIssue(SourceProblem.BAD_DATA, dn, f"{attribute}: not UTF-8 text")
                )
                continue
            if not number:
                continue
            if not (is_dialable(number) or is_sip_address(number)) or len(number) > MAX_TEXT:
                issues.append(
                    SourceIssue(
                        SourceProblem.BAD_DATA,
                        dn,
                        f"{attribute}: {number[:60]!r} is not a phone number (left out)",
                    )
                )
                continue
            if attribute == attributes.work_ip_phone and not presence:
                presence = number  # the manual: instant messaging goes to Work IP Phone
            key = clean_number(number)
            if key in seen:
                continue
            seen.add(key)
            numbers.append(PhoneNumber(number, kind))
    if not (display or first or last or company or numbers):
        return None, [
            *issues,
            SourceIssue(SourceProblem.ENTRY_SKIPPED, dn, "no name, company or phone number"),
        ]
    contact = Contact(
        first_name=first,
        last_name=last,
        display_name=display,
        company=company,
        numbers=tuple(numbers),
        presence=presence,
    )
    return contact, issues


# --- connection -------------------------------------------------------------------------


class _Failed(Exception):
    """The fetch cannot go on; `issue` says why."""

    def __init__(self, issue: SourceIssue) -> None:
        super().__init__(issue.detail)
        self.issue = issue


class _CheckedTls(Tls):  # type: ignore[misc]
    """TLS with Python's own certificate and host-name check in the handshake.

    ldap3 checks the name after the handshake with `ssl.match_hostname` (gone in Python
    3.12; its fallback knows no IP addresses); OpenSSL checking it during the handshake
    works for names and IP literals alike and says why a certificate was refused, which
    is kept in `error`."""

    def __init__(self, context: ssl.SSLContext, server_hostname: str | None) -> None:
        super().__init__(validate=context.verify_mode)
        self.context = context
        self.server_hostname = server_hostname
        self.error: ssl.SSLError | None = None

    def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
        try:
            connection.socket = self.context.wrap_socket(
                connection.socket,
                server_side=False,
                do_handshake_on_connect=do_handshake,
                server_hostname=self.server_hostname,
            )
        except ssl.SSLError as exc:
            self.error = exc
            raise


# Contexts by (CA file, its mtime and size, ignore): loading the system's CAs costs about
# 25 ms, too much for every keystroke of a search. An SSLContext may be shared by threads.
_contexts: dict[tuple[str | None, float, int, bool], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def _ssl_context(ca_file: str | None, ignore_certificate: bool) -> ssl.SSLContext:
    stamp = (0.0, 0)
    if ca_file and not ignore_certificate:
        info = os.stat(ca_file)
        stamp = (info.st_mtime, info.st_size)
    key = (None if ignore_certificate else ca_file, *stamp, ignore_certificate)
    with _contexts_lock:
        cached = _contexts.get(key)
    if cached is not None:
        return cached
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies chain and host name
    if ignore_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif ca_file:
        context.load_verify_locations(cafile=ca_file)  # this CA only: the PBX's own
    else:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    with _contexts_lock:
        _contexts[key] = context
    return context


def _tls(config: LdapConfig) -> _CheckedTls:
    try:
        context = _ssl_context(config.ca_file, config.ignore_certificate)
    except (OSError, ssl.SSLError) as exc:
        raise _Failed(
            SourceIssue(
                SourceProblem.TLS_FAILED, config.ca_file or config.url, f"CA file unusable: {exc}"
            )
        ) from exc
    return _CheckedTls(context, config.host or None)


def _tls_reason(tls: _CheckedTls | None, fallback: str) -> str:
    error = tls.error if tls is not None else None
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate not accepted: {error.verify_message}"
    if error is not None:
        return f"TLS handshake failed: {error.reason or error}"
    return fallback


_RESULT_NAMES = {
    3: "timeLimitExceeded",
    4: "sizeLimitExceeded",
    10: "referral",
    11: "adminLimitExceeded",
    13: "confidentialityRequired",
    32: "noSuchObject",
    34: "invalidDNSyntax",
    48: "inappropriateAuthentication",
    49: "invalidCredentials",
    50: "insufficientAccessRights",
    51: "busy",
    52: "unavailable",
    53: "unwillingToPerform",
}


def _server_words(result: dict[str, Any]) -> str:
    code = int(result.get("result", -1))
    name = _RESULT_NAMES.get(code) or str(result.get("description") or "error")
    message = str(result.get("message") or "").strip()
    return f"error {code} ({name})" + (f": {message}" if message else "")


def _open(config: LdapConfig) -> Connection:
    """A connection, encrypted as configured and bound (or anonymous); _Failed if not."""
    url = config.url
    if config.bind_dn and not config.password:
        # RFC 4513 "unauthenticated bind": servers refuse it or, worse, treat it as anonymous.
        raise _Failed(SourceIssue(SourceProblem.AUTH_FAILED, url, "a bind DN needs its password"))
    tls = _tls(config) if config.security != "none" else None
    server = Server(
        config.host,
        port=config.server_port,
        use_ssl=config.security == "ldaps",
        tls=tls,
        get_info=NONE,
        connect_timeout=config.timeout,
    )
    conn = Connection(
        server,
        user=config.bind_dn or None,
        password=config.password or None,
        authentication=SIMPLE if config.bind_dn else ANONYMOUS,
        # ldap3 packs it into SO_RCVTIMEO as whole seconds.
        receive_timeout=max(1, math.ceil(config.timeout)),
        read_only=True,
        auto_referrals=False,
        raise_exceptions=False,
        return_empty_attributes=False,
    )
    try:
        conn.open()
    except LDAPSocketOpenError as exc:
        _close(conn)
        if tls is not None and tls.error is not None:
            raise _Failed(
                SourceIssue(SourceProblem.TLS_FAILED, url, _tls_reason(tls, str(exc)))
            ) from exc
        raise _Failed(SourceIssue(SourceProblem.UNREACHABLE, url, _socket_reason(exc))) from exc
    except LDAPException as exc:
        _close(conn)
        raise _Failed(SourceIssue(SourceProblem.UNREACHABLE, url, str(exc))) from exc
    # Our TLS Finished and the bind after it are two small writes; with Nagle the bind
    # waits for the server's delayed ACK (+40 ms for each search as you type over TLS 1.3,
    # measured with slapd). Each request is one whole message: send at once.
    with contextlib.suppress(OSError, AttributeError):
        conn.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        if config.security == "starttls":
            try:
                started = conn.start_tls()
            except LDAPStartTLSError as exc:
                if tls is not None and tls.error is not None:
                    reason = _tls_reason(tls, str(exc))
                else:
                    reason = f"the server refused StartTLS ({_server_words(conn.result or {})})"
                raise _Failed(SourceIssue(SourceProblem.TLS_FAILED, url, reason)) from exc
            if not started:  # never go on (and send the password) in clear text
                raise _Failed(SourceIssue(SourceProblem.TLS_FAILED, url, "StartTLS did not start"))
        if config.bind_dn and not conn.bind():
            raise _Failed(_bind_issue(config, conn.result or {}))
    except _Failed:
        _close(conn)
        raise
    except LDAPException as exc:
        _close(conn)
        if tls is not None and tls.error is not None:
            raise _Failed(
                SourceIssue(SourceProblem.TLS_FAILED, url, _tls_reason(tls, str(exc)))
            ) from exc
        raise _Failed(SourceIssue(SourceProblem.UNREACHABLE, url, _socket_reason(exc))) from exc
    return conn


def _socket_reason(exc: LDAPException) -> str:
    text = str(exc)
    history = getattr(exc, "args", ())
    lowered = " ".join(str(a) for a in history).lower() + text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timed out" in lowered or "timeout" in lowered:
        return "no answer (timed out)"
    return text


def _bind_issue(config: LdapConfig, result: dict[str, Any]) -> SourceIssue:
    code = int(result.get("result", -1))
    words = _server_words(result)
    if code == 13:
        return SourceIssue(
            SourceProblem.TLS_FAILED, config.url, f"the server wants an encrypted link: {words}"
        )
    if code in (49, 48, 50, 53):
        return SourceIssue(SourceProblem.AUTH_FAILED, config.bind_dn, words)
    if code == 34:
        return SourceIssue(SourceProblem.AUTH_FAILED, config.bind_dn, f"not a valid DN: {words}")
    return SourceIssue(SourceProblem.UNREACHABLE, config.url, words)


def _close(conn: Connection) -> None:
    # Closing a broken connection must not turn a result into an exception.
    with contextlib.suppress(Exception):
        conn.unbind()


# --- searching --------------------------------------------------------------------------


MAX_ENTRY_ISSUES = 100  # per fetch; a directory full of bad values gets one summary line


@dataclass
class _Collected:
    contacts: list[Contact] = field(default_factory=list)
    issues: list[SourceIssue] = field(default_factory=list)
    referrals: set[str] = field(default_factory=set)
    entries: int = 0
    entry_issues: int = 0

    def add_entry_issues(self, issues: Sequence[SourceIssue]) -> None:
        for issue in issues:
            self.entry_issues += 1
            if self.entry_issues <= MAX_ENTRY_ISSUES:
                self.issues.append(issue)

    def summary(self) -> list[SourceIssue]:
        more = self.entry_issues - MAX_ENTRY_ISSUES
        if more <= 0:
            return []
        return [SourceIssue(SourceProblem.BAD_DATA, "", f"{more} more entry problems not listed")]


def _search_failure(config: LdapConfig, result: dict[str, Any]) -> SourceIssue:
    """The issue for a search the server refused outright."""
    code = int(result.get("result", -1))
    words = _server_words(result)
    if code == 50 and not config.bind_dn:
        return SourceIssue(
            SourceProblem.AUTH_FAILED,
            config.url,
            f"anonymous search refused with {words}: the directory needs a bind "
            "(enter the bind DN and password)",
        )
    if code == 50:
        return SourceIssue(
            SourceProblem.AUTH_FAILED, config.bind_dn, f"{config.bind_dn} may not search: {words}"
        )
    if code in (32, 34):
        matched = str(result.get("dn") or "")
        found = f" (the server has {matched})" if matched else ""
        return SourceIssue(SourceProblem.NOT_FOUND, config.base_dn, f"{words}{found}")
    if code == 10:
        urls = ", ".join(result.get("referrals") or ())
        return SourceIssue(
            SourceProblem.NOT_FOUND,
            config.base_dn,
            f"the server refers this base DN elsewhere (not followed): {urls}",
        )
    if code in (13, 8):
        return SourceIssue(SourceProblem.TLS_FAILED, config.url, words)
    if code in (17, 18, 87):
        return SourceIssue(SourceProblem.BAD_DATA, config.search_filter, words)
    if code in (51, 52, 80):
        return SourceIssue(SourceProblem.UNREACHABLE, config.url, words)
    return SourceIssue(SourceProblem.UNSUPPORTED, config.url, words)


def _run(
    config: LdapConfig,
    search_filter: str,
    limit: int,
    progress: Callable[[int], None] | None = None,
) -> FetchResult:
    """One search (paged where the server pages), everything it gave and what went wrong."""
    try:
        conn = _open(config)
    except _Failed as failed:
        return FetchResult(issues=(failed.issue,), failed=True)
    got = _Collected()
    try:
        failure = _collect(conn, config, search_filter, limit, got, progress)
    except LDAPInvalidFilterError as exc:
        failure = SourceIssue(SourceProblem.BAD_DATA, config.search_filter, f"bad filter: {exc}")
    except LDAPException as exc:
        # The connection broke mid-search (timeout, reset): keep what came.
        failure = SourceIssue(SourceProblem.UNREACHABLE, config.url, _socket_reason(exc))
    except Exception as exc:
        failure = SourceIssue(SourceProblem.BAD_DATA, config.url, f"{type(exc).__name__}: {exc}")
    finally:
        _close(conn)
    issues = [*got.issues, *got.summary()]
    issues += [
        SourceIssue(SourceProblem.UNSUPPORTED, url, "referral not followed")
        for url in sorted(got.referrals)
    ]
    if failure is not None:
        issues.insert(0, failure)
    return FetchResult(
        contacts=tuple(got.contacts),
        issues=tuple(issues),
        # A search cut short by a failure is not the directory: the cache keeps its copy.
        failed=failure is not None,
    )


def _collect(
    conn: Connection,
    config: LdapConfig,
    search_filter: str,
    limit: int,
    got: _Collected,
    progress: Callable[[int], None] | None,
) -> SourceIssue | None:
    """Page through the search into `got`; the issue that ended it early, if any."""
    cookie: bytes | None = None
    paged = True
    attributes = config.attributes.requested()
    over_limit = SourceIssue(
        SourceProblem.TOO_LARGE,
        config.base_dn,
        f"result limit: more than {limit} entries match; the first {limit} are shown",
    )
    while True:
        conn.search(
            config.base_dn,
            search_filter,
            search_scope=SUBTREE,
            attributes=attributes,
            size_limit=limit,
            time_limit=max(1, int(config.timeout)),
            paged_size=PAGE_SIZE if paged else None,
            paged_cookie=cookie,
        )
        result: dict[str, Any] = conn.result or {}
        code = int(result.get("result", -1))
        if paged and cookie is None and code in (11, 12, 53) and not conn.response:
            paged = False  # a server that will not page: one plain search, within its limit
            continue
        truncated = False
        for item in conn.response or ():
            if item.get("type") == "searchResRef":
                got.referrals.update(str(u) for u in item.get("uri") or ())
                continue
            if item.get("type") != "searchResEntry":
                continue
            if limit and got.entries >= limit:
                truncated = True  # a server that ignores the size limit we asked for
                break
            got.entries += 1
            contact, issues = entry_to_contact(
                str(item.get("dn", "")), item.get("raw_attributes") or {}, config.attributes
            )
            got.add_entry_issues(issues)
            if contact is not None:
                got.contacts.append(contact)
        if progress is not None:
            progress(got.entries)
        if code == 4:
            if limit and got.entries >= limit:
                got.issues.append(over_limit)
            else:
                got.issues.append(
                    SourceIssue(
                        SourceProblem.TOO_LARGE,
                        config.base_dn,
                        f"the server's size limit ended the search after {got.entries} "
                        f"entries ({_server_words(result)})",
                    )
                )
            return None
        if code in (3, 11):
            got.issues.append(
                SourceIssue(
                    SourceProblem.TOO_LARGE,
                    config.base_dn,
                    f"the server ended the search after {got.entries} entries "
                    f"({_server_words(result)})",
                )
            )
            return None
        if code != 0:
            return _search_failure(config, result)
        cookie = _next_cookie(result) if paged else None
        if limit and got.entries >= limit and (truncated or cookie):
            if cookie:
                # Tell the server to drop the rest of the paged search (RFC 2696: size 0).
                conn.search(
                    config.base_dn,
                    search_filter,
                    attributes=attributes,
                    paged_size=0,
                    paged_cookie=cookie,
                )
            got.issues.append(over_limit)  # more entries were there or were announced
            return None
        if not cookie:
            return None


def _next_cookie(result: dict[str, Any]) -> bytes | None:
    control = (result.get("controls") or {}).get(_PAGED_RESULTS)
    if not control:
        return None
    cookie = (control.get("value") or {}).get("cookie")
    return bytes(cookie) if cookie else None


# --- entry points -----------------------------------------------------------------------


def _mapping_issue(config: LdapConfig) -> FetchResult | None:
    """A failed result when the attribute mapping holds something that is no attribute
    name (it goes into filters as it is)."""
    for field_name, value in vars(config.attributes).items():
        if value and not is_attribute_name(value):
            issue = SourceIssue(
                SourceProblem.BAD_DATA,
                f"attributes.{field_name}",
                f"{value!r} is not an attribute name",
            )
            return FetchResult(issues=(issue,), failed=True)
    return None


def fetch_all(config: LdapConfig, *, progress: Callable[[int], None] | None = None) -> FetchResult:
    """Every entry under the base DN matching the configured filter (up to the result
    limit when one is set), in pages. `progress(entries_so_far)` after each page."""
    try:
        if (refused := _mapping_issue(config)) is not None:
            return refused
        search_filter = configured_filter(config.search_filter)
        return _run(config, search_filter, max(0, config.result_limit), progress)
    except Exception as exc:
        issue = SourceIssue(SourceProblem.BAD_DATA, config.url, f"{type(exc).__name__}: {exc}")
        return FetchResult(issues=(issue,), failed=True)


def search(config: LdapConfig, text: str, limit: int = 50) -> FetchResult:
    """Entries whose names or numbers contain `text` (search as you type), at most
    `limit` (and at most the configured result limit). Empty text finds nothing."""
    try:
        if (refused := _mapping_issue(config)) is not None:
            return refused
        search_filter = text_filter(config, text)
        if search_filter is None:
            return FetchResult()
        bounds = [n for n in (limit, config.result_limit) if n > 0]
        return _run(config, search_filter, min(bounds) if bounds else 0)
    except Exception as exc:
        issue = SourceIssue(SourceProblem.BAD_DATA, config.url, f"{type(exc).__name__}: {exc}")
        return FetchResult(issues=(issue,), failed=True)


def lookup(config: LdapConfig, number: str, limit: int = 5) -> FetchResult:
    """The entries holding exactly `number`, in whatever spelling the directory stores it
    (for a caller's name when the cache does not know the number)."""
    try:
        if (refused := _mapping_issue(config)) is not None:
            return refused
        phones = [name for name, _ in config.attributes.phone_attributes()]
        search_filter = number_filter(config.search_filter, phones, number, config.default_country)
        if search_filter is None:
            return FetchResult()
        return _run(config, search_filter, max(0, limit))
    except Exception as exc:
        issue = SourceIssue(SourceProblem.BAD_DATA, config.url, f"{type(exc).__name__}: {exc}")
        return FetchResult(issues=(issue,), failed=True)
