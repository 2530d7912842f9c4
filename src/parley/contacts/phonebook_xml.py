"""XML phone books from a file or a web server: `fetch_phonebook` and `parse_phonebook`.

Synchronous, for a worker thread. A fetch never raises: what went wrong comes back as
issues with a SourceProblem code, and `failed` says nothing usable came back (the caller
keeps its cache). Over HTTP(S):

- no auth, Basic or Digest, chosen by the server's 401 challenge (credentials are sent
  only after the server asks, and only to the origin they were given for); with `auth`
  set only that scheme is answered ("none": no credentials at all), and a server asking
  for another one is an AUTH_FAILED issue naming both;
- HTTPS verified against the system CAs plus `ca_file`; `verify_tls=False` only when
  the caller asks;
- If-None-Match / If-Modified-Since, a 304 gives `not_modified=True`;
- a few redirects followed (a loop, too many, or https → http is an issue);
- reading stops past `max_bytes`; one deadline (`timeout`) for the whole fetch.

A local file gets validators too (its mtime and size), so an unchanged file is not parsed
again.
"""

from __future__ import annotations

import codecs
import contextlib
import email.utils
import re
import ssl
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx

from parley.contacts.phonebook_formats import (
    MAX_PHONEBOOK_BYTES,
    declared_encoding,
    parse_phonebook,
)
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

__all__ = ["MAX_REDIRECTS", "fetch_phonebook", "parse_phonebook"]

MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
AUTH_SCHEMES = ("none", "basic", "digest")
_REALM = re.compile(r"""realm\s*=\s*(?:"([^"]*)"|([^\s,]+))""", re.IGNORECASE)


def fetch_phonebook(
    location: str,
    *,
    username: str = "",
    password: str = "",
    verify_tls: bool = True,
    ca_file: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 20.0,
    max_bytes: int = MAX_PHONEBOOK_BYTES,
    proxy: str | None = None,
    auth: str | None = None,
) -> FetchResult:
    """Read the phone book at `location` (a path, a file:// URL or an http(s):// URL);
    `proxy`: an HTTP proxy URL for http(s) (the environment's proxies are not used);
    `auth`: none, basic or digest (only that), None: whichever the server asks for."""
    where = location.strip()
    try:
        if auth is not None and auth not in AUTH_SCHEMES:
            return _fail(SourceProblem.UNSUPPORTED, where, f"the auth scheme {auth!r}")
        if not where:
            return _fail(SourceProblem.NOT_FOUND, "", "no path or URL given")
        if _WINDOWS_DRIVE.match(where):
            return _read_file(Path(where), where, etag, max_bytes)
        scheme = urllib.parse.urlsplit(where).scheme.lower()
        if scheme in ("http", "https"):
            return _HttpFetch(
                where,
                username=username,
                password=password,
                verify_tls=verify_tls,
                ca_file=ca_file,
                timeout=timeout,
                max_bytes=max_bytes,
                proxy=proxy,
                auth=auth,
            ).run(etag, last_modified)
        if scheme == "file":
            parts = urllib.parse.urlsplit(where)
            if parts.netloc not in ("", "localhost"):
                return _fail(SourceProblem.UNSUPPORTED, where, "file URLs of other hosts")
            path = Path(urllib.request.url2pathname(parts.path))
            return _read_file(path, where, etag, max_bytes)
        if scheme:
            return _fail(SourceProblem.UNSUPPORTED, where, f"the URL scheme {scheme!r}")
        return _read_file(Path(where).expanduser(), where, etag, max_bytes)
    except Exception as exc:  # a fetch reports, it never raises into the caller's thread
        return _fail(SourceProblem.UNREACHABLE, where, f"unexpected error: {exc!r}")


def _fail(problem: SourceProblem, where: str, detail: str) -> FetchResult:
    return FetchResult(issues=(SourceIssue(problem, where, detail),), failed=True)


# --- local files --------------------------------------------------------------------------


def _read_file(path: Path, where: str, etag: str | None, max_bytes: int) -> FetchResult:
    try:
        info = path.stat()
        if path.is_dir():
            return _fail(SourceProblem.NOT_FOUND, where, "this is a folder, not a file")
        validator = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
        modified = email.utils.formatdate(info.st_mtime, usegmt=True)
        if etag is not None and etag == validator:
            return FetchResult(etag=validator, last_modified=modified, not_modified=True)
        if info.st_size > max_bytes:
            return _too_large(where, info.st_size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return _fail(SourceProblem.NOT_FOUND, where, "no such file")
    except PermissionError as exc:
        return _fail(SourceProblem.AUTH_FAILED, where, f"not allowed to read it ({exc.strerror})")
    except OSError as exc:
        return _fail(SourceProblem.UNREACHABLE, where, f"cannot be read ({exc.strerror or exc})")
    if len(data) > max_bytes:
        return _too_large(where, len(data), max_bytes)
    result = parse_phonebook(data, max_bytes=max_bytes)
    return replace(result, etag=validator, last_modified=modified)


def _too_large(where: str, size: int | None, max_bytes: int) -> FetchResult:
    got = f"{size} bytes" if size is not None else "more"
    return _fail(SourceProblem.TOO_LARGE, where, f"{got}; the limit is {max_bytes} bytes")


# --- HTTP ---------------------------------------------------------------------------------


class _Stop(Exception):
    """Ends a fetch with this result (raised from deep inside the request loop)."""

    def __init__(self, result: FetchResult) -> None:
        super().__init__(result)
        self.result = result


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _challenges(response: httpx.Response) -> dict[str, str]:
    """Scheme (lower case) -> the realm it names, from every WWW-Authenticate header."""
    found: dict[str, str] = {}
    for value in response.headers.get_list("www-authenticate"):
        scheme = value.strip().split(" ", 1)[0].lower()
        match = _REALM.search(value)
        realm = (match.group(1) if match and match.group(1) is not None else "") or (
            match.group(2) if match else ""
        )
        found.setdefault(scheme, realm or "")
    return found


def _describe_challenge(challenges: dict[str, str]) -> str:
    parts = [f'{scheme.capitalize()} realm "{realm}"' for scheme, realm in challenges.items()]
    return ", ".join(parts) or "no challenge"


class _HttpFetch:
    def __init__(
        self,
        url: str,
        *,
        username: str,
        password: str,
        verify_tls: bool,
        ca_file: str | None,
        timeout: float,
        max_bytes: int,
        proxy: str | None = None,
        auth: str | None = None,
    ) -> None:
        self.url = url
        self.scheme = auth  # the only scheme answered; None: the server's choice
        self.proxy = proxy or None
        self.username = username
        self.password = password
        self.verify_tls = verify_tls
        self.ca_file = ca_file
        self.timeout = max(timeout, 0.1)
        self.deadline = time.monotonic() + self.timeout
        self.max_bytes = max_bytes
        self.auth: httpx.Auth | None = None
        self.auth_origin: tuple[str, str, int | None] | None = None

    # The whole fetch shares one deadline: every request gets what is left of it.
    def _remaining(self, where: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _Stop(
                _fail(SourceProblem.UNREACHABLE, where, f"timed out after {self.timeout:g} s")
            )
        return left

    def _verify(self) -> ssl.SSLContext | bool:
        if not self.verify_tls:
            return False
        context = ssl.create_default_context()
        if self.ca_file:
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise _Stop(
                    _fail(
                        SourceProblem.TLS_FAILED,
                        self.ca_file,
                        f"the CA file cannot be used ({getattr(exc, 'strerror', None) or exc})",
                    )
                ) from exc
        return context

    def run(self, etag: str | None, last_modified: str | None) -> FetchResult:
        try:
            with httpx.Client(
                verify=self._verify(), follow_redirects=False, trust_env=False, proxy=self.proxy
            ) as client:
                return self._get(client, etag, last_modified)
        except _Stop as stop:
            return stop.result

    def _get(
        self, client: httpx.Client, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        # Only what _read_body inflates itself, in bounded steps.
        headers = {"Accept": "application/xml, text/xml, */*;q=0.5", "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            start = httpx.URL(self.url)
        except (httpx.InvalidURL, ValueError) as exc:
            return _fail(SourceProblem.UNSUPPORTED, self.url, f"not a usable URL ({exc})")
        first_origin = _origin(start)
        visited = [str(start)]
        url = start
        for _hop in range(MAX_REDIRECTS + 1):
            with self._send(client, url, headers, first_origin) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = url.join(response.headers["location"])
                    if url.scheme == "https" and target.scheme != "https":
                        return _fail(
                            SourceProblem.TLS_FAILED,
                            str(url),
                            f"redirect from https to {target} refused",
                        )
                    if str(target) in visited:
                        loop = " → ".join([*visited[visited.index(str(target)) :], str(target)])
                        return _fail(SourceProblem.UNREACHABLE, str(url), f"redirect loop: {loop}")
                    visited.append(str(target))
                    url = target
                    continue
                return self._answer(response, str(url), etag, last_modified)
        return _fail(
            SourceProblem.UNREACHABLE,
            self.url,
            f"more than {MAX_REDIRECTS} redirects: {' → '.join(visited)}",
        )

    @contextlib.contextmanager
    def _send(
        self,
        client: httpx.Client,
        url: httpx.URL,
        headers: dict[str, str],
        first_origin: tuple[str, str, int | None],
    ) -> Iterator[httpx.Response]:
        where = str(url)
        # Credentials go only to the origin they were given for (not to a redirect target).
        may_auth = bool(self.username) and self.scheme != "none" and _origin(url) == first_origin
        auth = self.auth if may_auth and self.auth_origin == _origin(url) else None
        response = self._request(client, url, headers, auth, None, where)
        try:
            sent_credentials = "authorization" in response.request.headers
            if response.status_code == 401 and may_auth and not sent_credentials:
                chosen = self._choose_auth(_challenges(response), where)
                response.close()
                self.auth, self.auth_origin = chosen, _origin(url)
                response = self._request(client, url, headers, chosen, response, where)
            yield response
        finally:
            response.close()

    def _choose_auth(self, challenges: dict[str, str], where: str) -> httpx.Auth:
        if self.scheme is not None:  # only the scheme the settings name
            if self.scheme in challenges:
                make = httpx.DigestAuth if self.scheme == "digest" else httpx.BasicAuth
                return make(self.username, self.password)
            raise _Stop(
                _fail(
                    SourceProblem.AUTH_FAILED,
                    where,
                    f"the server asks for {_describe_challenge(challenges)}, but auth = "
                    f"{self.scheme} allows only {self.scheme.capitalize()}: set auth to what "
                    "the server asks for, or leave auth out",
                )
            )
        if "digest" in challenges:
            return httpx.DigestAuth(self.username, self.password)
        if "basic" in challenges:
            return httpx.BasicAuth(self.username, self.password)
        raise _Stop(
            _fail(
                SourceProblem.UNSUPPORTED,
                where,
                f"authentication scheme not supported: {_describe_challenge(challenges)}",
            )
        )

    def _request(
        self,
        client: httpx.Client,
        url: httpx.URL,
        headers: dict[str, str],
        auth: httpx.Auth | None,
        challenge: httpx.Response | None,
        where: str,
    ) -> httpx.Response:
        """One GET; with `auth`, authorised at once: the 401 `challenge` already in hand is
        fed to the auth flow (Digest), so no request is spent on being challenged again."""
        request = client.build_request(
            "GET", url, headers=headers, timeout=httpx.Timeout(self._remaining(where))
        )
        if auth is not None:
            flow = auth.sync_auth_flow(request)
            try:
                request = next(flow)
                if "authorization" not in request.headers and challenge is not None:
                    request = flow.send(challenge)
            except StopIteration:
                pass
        try:
            return client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise _Stop(
                _fail(SourceProblem.UNREACHABLE, where, f"timed out ({type(exc).__name__})")
            ) from exc
        except httpx.HTTPError as exc:
            raise _Stop(self._transport_failure(exc, where)) from exc
        except ssl.SSLError as exc:
            raise _Stop(_fail(SourceProblem.TLS_FAILED, where, _tls_detail(exc))) from exc
        except OSError as exc:
            raise _Stop(_fail(SourceProblem.UNREACHABLE, where, str(exc))) from exc

    def _transport_failure(self, exc: httpx.HTTPError, where: str) -> FetchResult:
        tls = _ssl_error(exc)
        if tls is not None:
            return _fail(SourceProblem.TLS_FAILED, where, _tls_detail(tls))
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return _fail(SourceProblem.UNSUPPORTED, where, str(exc))
        if isinstance(exc, httpx.DecodingError):
            return _fail(SourceProblem.BAD_DATA, where, f"undecodable body: {exc}")
        return _fail(SourceProblem.UNREACHABLE, where, str(exc) or type(exc).__name__)

    def _answer(
        self,
        response: httpx.Response,
        where: str,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        status = response.status_code
        new_etag = response.headers.get("etag")
        new_modified = response.headers.get("last-modified")
        if status == 304:
            return FetchResult(
                etag=new_etag or etag,
                last_modified=new_modified or last_modified,
                not_modified=True,
            )
        if status in (401, 407):
            challenges = _challenges(response)
            if "authorization" not in response.request.headers:
                detail = f"the server asks for credentials ({_describe_challenge(challenges)})"
                if self.scheme == "none":
                    detail += (
                        "; auth = none sends none: set auth to basic or digest (or leave it "
                        "out) and give the user name and password"
                    )
                elif self.username:
                    detail += "; they are not sent to another origin after a redirect"
            else:
                detail = (
                    f"HTTP {status}: user {self.username!r} refused "
                    f"({_describe_challenge(challenges)})"
                )
            return _fail(SourceProblem.AUTH_FAILED, where, detail)
        if status == 403:
            return _fail(SourceProblem.AUTH_FAILED, where, "HTTP 403 Forbidden")
        if status in (404, 410):
            return _fail(SourceProblem.NOT_FOUND, where, f"HTTP {status} {response.reason_phrase}")
        if status >= 500 or status == 429:
            return _fail(
                SourceProblem.UNREACHABLE, where, f"HTTP {status} {response.reason_phrase}"
            )
        if not 200 <= status < 300:
            return _fail(SourceProblem.BAD_DATA, where, f"HTTP {status} {response.reason_phrase}")
        body = self._read_body(response, where)
        result = parse_phonebook(_as_xml(body, response.charset_encoding), max_bytes=self.max_bytes)
        return replace(result, etag=new_etag, last_modified=new_modified)

    def _read_body(self, response: httpx.Response, where: str) -> bytes:
        """The body, decompressed by us in bounded steps: a small gzip bomb never grows
        past `max_bytes` in memory (httpx's own decoder inflates a chunk at once)."""
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise _Stop(_too_large(where, int(length), self.max_bytes))
        coding = response.headers.get("content-encoding", "").strip().lower()
        if coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        elif coding == "deflate":
            wbits = zlib.MAX_WBITS
        elif coding in ("", "identity"):
            wbits = 0
        else:
            raise _Stop(_fail(SourceProblem.UNSUPPORTED, where, f"content encoding {coding!r}"))
        inflater = zlib.decompressobj(wbits) if wbits else None
        body = bytearray()
        try:
            for raw in response.iter_raw():  # each network read as it comes
                if inflater is None:
                    body += raw
                else:
                    pending = raw
                    while pending and len(body) <= self.max_bytes:
                        body += inflater.decompress(pending, self.max_bytes + 1 - len(body))
                        pending = inflater.unconsumed_tail
                if len(body) > self.max_bytes:
                    raise _Stop(_too_large(where, None, self.max_bytes))
                self._remaining(where)
        except httpx.TimeoutException as exc:
            raise _Stop(
                _fail(SourceProblem.UNREACHABLE, where, "timed out while reading the body")
            ) from exc
        except httpx.HTTPError as exc:
            raise _Stop(self._transport_failure(exc, where)) from exc
        except zlib.error as exc:
            raise _Stop(
                _fail(SourceProblem.BAD_DATA, where, f"undecodable {coding} body: {exc}")
            ) from exc
        return bytes(body)


def _tls_detail(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate not trusted: {exc.verify_message}"
    return exc.reason or str(exc)


def _as_xml(body: bytes, charset: str | None) -> bytes:
    """The body with the HTTP charset applied when the document itself names none."""
    if not charset or body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body
    if declared_encoding(body) is not None:
        return body
    try:
        if codecs.lookup(charset).name == "utf-8":
            return body
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return body  # the parser will say what is wrong with it
