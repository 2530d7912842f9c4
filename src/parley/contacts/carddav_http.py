"""The HTTP and WebDAV side of the CardDAV source (parley.contacts.carddav): one client
per operation with the credentials that worked, PROPFIND/REPORT with redirects followed,
answers read in bounded steps, and multistatus bodies parsed through defusedxml.

Whatever goes wrong ends the operation with a `DavError` carrying the `SourceIssue`
(the entry points of parley.contacts.carddav turn it into their result; nothing
escapes them). Credentials: Basic or Digest as the server's challenge asks, or an OAuth
2.0 bearer token; sent only to the URL's origin and the hosts that server names as
principal, home or address book, never after a redirect to another origin, never from
https down to http.
"""

from __future__ import annotations

import contextlib
import re
import ssl
import urllib.parse
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from parley.contacts.source import SourceIssue, SourceProblem

MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # one HTTP answer (a multiget batch with photos)
MAX_REDIRECTS = 5

DAV = "DAV:"
CARD = "urn:ietf:params:xml:ns:carddav"
CS = "http://calendarserver.org/ns/"
_REDIRECTS = {301, 302, 303, 307, 308}
_REALM = re.compile(r"""realm\s*=\s*(?:"([^"]*)"|([^\s,]+))""", re.IGNORECASE)
_ERROR_PARAM = re.compile(r"""error\s*=\s*(?:"([^"]*)"|([^\s,]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class CardDavConfig:
    """Where and as whom. `url`: a server root (https://dav.example.com), a host with
    `.well-known` support, a principal or home, or an address book's own URL.
    `bearer_token` (OAuth 2.0, Google) is used instead of username/password when set.
    `timeout` is per request, in seconds. `proxy`: an HTTP proxy URL ([automation]
    http_proxy); the environment's proxies are never used."""

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    verify_tls: bool = True
    ca_file: str | None = None
    timeout: float = 30.0
    proxy: str | None = None


# --- HTTP and WebDAV ----------------------------------------------------------------------


class DavError(Exception):
    """Ends the operation with this issue (raised from deep inside a request)."""

    def __init__(self, issue: SourceIssue) -> None:
        super().__init__(issue)
        self.issue = issue


def dav_error(problem: SourceProblem, where: str, detail: str) -> DavError:
    return DavError(SourceIssue(problem, where, detail))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _challenges(response: httpx.Response) -> dict[str, str]:
    """Scheme (lower case) -> the rest of its WWW-Authenticate header."""
    found: dict[str, str] = {}
    for value in response.headers.get_list("www-authenticate"):
        scheme, _, rest = value.strip().partition(" ")
        found.setdefault(scheme.lower(), rest)
    return found


def _param(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    if not match:
        return ""
    return match.group(1) if match.group(1) is not None else match.group(2)


def _describe_challenge(challenges: dict[str, str]) -> str:
    parts = []
    for scheme, rest in challenges.items():
        realm = _param(_REALM, rest)
        parts.append(f'{scheme.capitalize()} realm "{realm}"' if realm else scheme.capitalize())
    return ", ".join(parts) or "no challenge"


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _tls_detail(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate not trusted: {exc.verify_message}"
    return exc.reason or str(exc)


@dataclass(frozen=True)
class DavAnswer:
    status: int
    url: str  # after redirects
    body: bytes
    reason: str


class DavClient:
    """One connection pool, the credentials that worked, and WebDAV requests."""

    def __init__(self, config: CardDavConfig) -> None:
        self.config = config
        self.auth: httpx.Auth | None = None
        self.auth_origin: tuple[str, str, int | None] | None = None
        self.client: httpx.Client | None = None
        try:
            self.start = httpx.URL(config.url.strip())
        except (httpx.InvalidURL, ValueError) as exc:
            raise dav_error(
                SourceProblem.UNSUPPORTED, config.url, f"not a usable URL ({exc})"
            ) from exc
        if self.start.scheme not in ("http", "https") or not self.start.host:
            raise dav_error(SourceProblem.UNSUPPORTED, config.url, "not an http(s) URL")
        # Where credentials may go: the URL given, and what that server names as the
        # principal, home or address book (iCloud's homes live on another host). Never
        # the target of a redirect: that could be anyone.
        self.trusted = {_origin(self.start)}

    def __enter__(self) -> DavClient:
        self.client = httpx.Client(
            verify=self._verify(),
            follow_redirects=False,
            trust_env=False,
            proxy=self.config.proxy or None,
            timeout=httpx.Timeout(max(self.config.timeout, 0.1)),
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()

    def _verify(self) -> ssl.SSLContext | bool:
        if not self.config.verify_tls:
            return False
        context = ssl.create_default_context()
        if self.config.ca_file:
            try:
                context.load_verify_locations(cafile=self.config.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise dav_error(
                    SourceProblem.TLS_FAILED,
                    self.config.ca_file,
                    f"the CA file cannot be used ({getattr(exc, 'strerror', None) or exc})",
                ) from exc
        return context

    def trust(self, url: str) -> None:
        with contextlib.suppress(httpx.InvalidURL, ValueError):
            target = httpx.URL(url)
            if target.scheme == "https" or self.start.scheme == "http":
                self.trusted.add(_origin(target))  # never from https down to http

    # -- requests --

    def request(
        self,
        method: str,
        url: str,
        body: str,
        depth: str,
        *,
        dav_errors: bool = False,
    ) -> DavAnswer:
        """`method` with an XML body; follows redirects (same method and body). A 207
        comes back (with `dav_errors`, also a 403/409 carrying a DAV error body, for the
        caller to judge); every other status stops the operation with its issue."""
        assert self.client is not None
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            raise dav_error(SourceProblem.UNSUPPORTED, url, f"not a usable URL ({exc})") from exc
        visited = [str(target)]
        headers = {
            "Depth": depth,
            "Content-Type": "application/xml; charset=utf-8",
            "Accept": "application/xml, text/xml",
            "Accept-Encoding": "gzip",
        }
        content = body.encode("utf-8")
        for _hop in range(MAX_REDIRECTS + 1):
            with self._send(method, target, headers, content) as response:
                where = str(target)
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    nxt = target.join(location)
                    if target.scheme == "https" and nxt.scheme != "https":
                        raise dav_error(
                            SourceProblem.TLS_FAILED, where, f"redirect from https to {nxt} refused"
                        )
                    if str(nxt) in visited:
                        raise dav_error(
                            SourceProblem.UNREACHABLE,
                            where,
                            f"redirect loop: {' → '.join(visited)}",
                        )
                    visited.append(str(nxt))
                    target = nxt
                    continue
                status = response.status_code
                if status == 207 or (dav_errors and status in (403, 409)):
                    data = self._read_body(response, where)
                    if status != 207 and not _is_dav_error(data):
                        self._refuse(response, where)
                    return DavAnswer(status, where, data, response.reason_phrase)
                self._refuse(response, where)
        raise dav_error(
            SourceProblem.UNREACHABLE, url, f"more than {MAX_REDIRECTS} redirects: {visited}"
        )

    @contextlib.contextmanager
    def _send(
        self, method: str, url: httpx.URL, headers: dict[str, str], content: bytes
    ) -> Iterator[httpx.Response]:
        assert self.client is not None
        where = str(url)
        same_origin = _origin(url) in self.trusted
        extra = dict(headers)
        if self.config.bearer_token and same_origin:
            extra["Authorization"] = f"Bearer {self.config.bearer_token}"
        may_auth = bool(self.config.username) and same_origin and not self.config.bearer_token
        auth = self.auth if may_auth and self.auth_origin == _origin(url) else None
        response = self._one(method, url, extra, content, auth, None, where)
        try:
            if (
                response.status_code == 401
                and may_auth
                and "authorization" not in response.request.headers
            ):
                chosen = self._choose_auth(_challenges(response), where)
                response.close()
                self.auth, self.auth_origin = chosen, _origin(url)
                response = self._one(method, url, extra, content, chosen, response, where)
            yield response
        finally:
            response.close()

    def _choose_auth(self, challenges: dict[str, str], where: str) -> httpx.Auth:
        if "digest" in challenges:
            return httpx.DigestAuth(self.config.username, self.config.password)
        if "basic" in challenges:
            return httpx.BasicAuth(self.config.username, self.config.password)
        raise dav_error(
            SourceProblem.UNSUPPORTED,
            where,
            f"authentication scheme not supported: {_describe_challenge(challenges)}",
        )

    def _one(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        content: bytes,
        auth: httpx.Auth | None,
        challenge: httpx.Response | None,
        where: str,
    ) -> httpx.Response:
        """One request; with `auth` authorised at once (a Digest challenge already in
        hand is fed to the flow, so no request is spent on being challenged again)."""
        assert self.client is not None
        request = self.client.build_request(method, url, headers=headers, content=content)
        if auth is not None:
            flow = auth.sync_auth_flow(request)
            try:
                request = next(flow)
                if "authorization" not in request.headers and challenge is not None:
                    request = flow.send(challenge)
            except StopIteration:
                pass
        try:
            return self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise dav_error(
                SourceProblem.UNREACHABLE,
                where,
                f"no answer within {self.config.timeout:g} s ({type(exc).__name__})",
            ) from exc
        except httpx.HTTPError as exc:
            tls = _ssl_error(exc)
            if tls is not None:
                raise dav_error(SourceProblem.TLS_FAILED, where, _tls_detail(tls)) from exc
            if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
                raise dav_error(SourceProblem.UNSUPPORTED, where, str(exc)) from exc
            raise dav_error(
                SourceProblem.UNREACHABLE, where, str(exc) or type(exc).__name__
            ) from exc
        except ssl.SSLError as exc:
            raise dav_error(SourceProblem.TLS_FAILED, where, _tls_detail(exc)) from exc
        except OSError as exc:
            raise dav_error(SourceProblem.UNREACHABLE, where, str(exc)) from exc

    def _refuse(self, response: httpx.Response, where: str) -> None:
        """Stop with the issue a failed status stands for."""
        status = response.status_code
        reason = f"HTTP {status} {response.reason_phrase}".strip()
        if status in (401, 407):
            challenges = _challenges(response)
            sent = "authorization" in response.request.headers
            described = _describe_challenge(challenges)
            if self.config.bearer_token and sent:
                error = _param(_ERROR_PARAM, challenges.get("bearer", ""))
                detail = f"{reason}: the bearer token was refused"
                detail += f" ({error})" if error else " (expired or revoked)"
            elif sent:
                detail = (
                    f"{reason}: user {self.config.username!r} refused by {described}"
                    " (wrong user name or password)"
                )
            elif self.config.username or self.config.bearer_token:
                detail = (
                    f"{reason}: the server asks for credentials ({described}); they are "
                    "not sent to another origin after a redirect"
                )
            else:
                detail = f"{reason}: the server asks for credentials ({described})"
            raise dav_error(SourceProblem.AUTH_FAILED, where, detail)
        if status == 403:
            raise dav_error(
                SourceProblem.AUTH_FAILED, where, f"{reason}: not allowed for this login"
            )
        if status in (404, 410):
            raise dav_error(SourceProblem.NOT_FOUND, where, reason)
        if status in (405, 501):
            raise dav_error(
                SourceProblem.UNSUPPORTED, where, f"{reason}: not a CardDAV server here"
            )
        if status >= 500 or status == 429:
            raise dav_error(SourceProblem.UNREACHABLE, where, reason)
        raise dav_error(SourceProblem.BAD_DATA, where, f"unexpected answer {reason}")

    def _read_body(self, response: httpx.Response, where: str) -> bytes:
        """The body, inflated by us in bounded steps: never past MAX_RESPONSE_BYTES."""
        limit = MAX_RESPONSE_BYTES
        length = response.headers.get("content-length", "")
        coding = response.headers.get("content-encoding", "").strip().lower()
        if length.isdigit() and int(length) > limit:
            raise dav_error(SourceProblem.TOO_LARGE, where, f"{length} bytes; the limit is {limit}")
        if coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        elif coding == "deflate":
            wbits = zlib.MAX_WBITS
        elif coding in ("", "identity"):
            wbits = 0
        else:
            raise dav_error(SourceProblem.UNSUPPORTED, where, f"content encoding {coding!r}")
        inflater = zlib.decompressobj(wbits) if wbits else None
        body = bytearray()
        try:
            for raw in response.iter_raw():
                if inflater is None:
                    body += raw
                else:
                    pending = raw
                    while pending and len(body) <= limit:
                        body += inflater.decompress(pending, limit + 1 - len(body))
                        pending = inflater.unconsumed_tail
                if len(body) > limit:
                    raise dav_error(
                        SourceProblem.TOO_LARGE, where, f"more than {limit} bytes in one answer"
                    )
        except httpx.TimeoutException as exc:
            raise dav_error(
                SourceProblem.UNREACHABLE, where, "timed out reading the answer"
            ) from exc
        except httpx.HTTPError as exc:
            raise dav_error(
                SourceProblem.UNREACHABLE, where, str(exc) or type(exc).__name__
            ) from exc
        except zlib.error as exc:
            raise dav_error(
                SourceProblem.BAD_DATA, where, f"undecodable {coding} body: {exc}"
            ) from exc
        return bytes(body)

    # -- discovery --

    def propfind(self, url: str, props: str, depth: str) -> DavAnswer:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<d:propfind xmlns:d="{DAV}" xmlns:c="{CARD}" xmlns:cs="{CS}">'
            f"<d:prop>{props}</d:prop></d:propfind>"
        )
        return self.request("PROPFIND", url, body, depth)


def join_url(base: str, href: str) -> str:
    return str(httpx.URL(base).join(href))


def href_key(base: str, href: str) -> str:
    """An href as the key of a card: its path, percent-decoded (servers differ in what
    they escape, and some answer with absolute URLs)."""
    return urllib.parse.unquote(httpx.URL(base).join(href.strip()).path)


def parse_xml(answer: DavAnswer) -> Element:
    try:
        return fromstring(answer.body)
    except DefusedXmlException as exc:
        raise dav_error(
            SourceProblem.BAD_DATA, answer.url, f"hostile XML refused ({type(exc).__name__})"
        ) from exc
    except (ParseError, ValueError) as exc:
        raise dav_error(SourceProblem.BAD_DATA, answer.url, f"not XML: {exc}") from exc


def _is_dav_error(body: bytes) -> bool:
    try:
        root = fromstring(body)
    except (DefusedXmlException, ParseError, ValueError):
        return False
    return root.tag == f"{{{DAV}}}error"


def element_text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _status_code(text: str) -> int | None:
    parts = text.split()
    if len(parts) >= 2 and parts[1].isdigit():
        return int(parts[1])
    return None


@dataclass
class DavResponse:
    """One <d:response> of a multistatus: its href, status and the props found (200)."""

    href: str
    status: int | None
    props: dict[str, Element]

    def prop(self, ns: str, name: str) -> Element | None:
        return self.props.get(f"{{{ns}}}{name}")

    def hrefs(self, ns: str, name: str) -> list[str]:
        element = self.prop(ns, name)
        if element is None:
            return []
        return [element_text(h) for h in element.iter(f"{{{DAV}}}href") if element_text(h)]

    @property
    def is_addressbook(self) -> bool:
        kind = self.prop(DAV, "resourcetype")
        return kind is not None and kind.find(f"{{{CARD}}}addressbook") is not None


def dav_responses(answer: DavAnswer) -> list[DavResponse]:
    root = parse_xml(answer)
    if root.tag != f"{{{DAV}}}multistatus":
        raise dav_error(
            SourceProblem.BAD_DATA, answer.url, f"expected a multistatus, got {root.tag}"
        )
    found = []
    for item in root.findall(f"{{{DAV}}}response"):
        href = element_text(item.find(f"{{{DAV}}}href"))
        status = _status_code(element_text(item.find(f"{{{DAV}}}status")))
        props: dict[str, Element] = {}
        for propstat in item.findall(f"{{{DAV}}}propstat"):
            if _status_code(element_text(propstat.find(f"{{{DAV}}}status"))) != 200:
                continue
            prop = propstat.find(f"{{{DAV}}}prop")
            if prop is not None:
                for child in prop:
                    props[child.tag] = child
        if href:
            found.append(DavResponse(href, status, props))
    return found


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
