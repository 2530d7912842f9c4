"""Fetching a provisioning profile over HTTPS (HTTP only when allowed), with Basic or
Digest authentication as the server asks, ETag / Last-Modified so an unchanged profile
costs one request, a size limit and a redirect limit. Blocking: run off the engine."""

from __future__ import annotations

import enum
import ssl
from dataclasses import dataclass
from pathlib import Path

import httpx

from parley.provisioning.profile import MAX_PROFILE_BYTES

MAX_REDIRECTS = 5


class FetchProblem(enum.StrEnum):
    INSECURE = "insecure"  # http:// without the explicit choice
    BAD_URL = "bad_url"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    TLS_FAILED = "tls_failed"
    AUTH_FAILED = "auth_failed"
    NOT_FOUND = "not_found"
    HTTP_STATUS = "http_status"
    REDIRECT_LOOP = "redirect_loop"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class Fetched:
    body: bytes | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    problem: FetchProblem | None = None
    status: int | None = None
    detail: str = ""


def fetch_profile(
    url: str,
    *,
    username: str = "",
    password: str = "",
    ca_file: Path | None = None,
    allow_http: bool = False,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 20.0,
    max_bytes: int = MAX_PROFILE_BYTES,
    proxy: str | None = None,
) -> Fetched:
    """GET the profile; never raises. `proxy`: an HTTP proxy URL (the environment's
    proxies are not used)."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("https", "http"):
        return Fetched(problem=FetchProblem.BAD_URL, detail=f"{url!r} is not an http(s) URL")
    if scheme == "http" and not allow_http:
        return Fetched(problem=FetchProblem.INSECURE, detail=url)
    headers = {"User-Agent": "Parley provisioning"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        verify = ssl.create_default_context(cafile=str(ca_file))
    try:
        with httpx.Client(
            verify=verify,
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            trust_env=False,
            proxy=proxy or None,
        ) as client:
            response = _get(client, url, headers, None, max_bytes)
            if response[0] == 401 and username:
                challenge = response[1].get("www-authenticate", "").lower()
                auth: httpx.Auth = (
                    httpx.DigestAuth(username, password)
                    if challenge.startswith("digest")
                    else httpx.BasicAuth(username, password)
                )
                response = _get(client, url, headers, auth, max_bytes)
    except _TooLarge:
        return Fetched(problem=FetchProblem.TOO_LARGE, detail=f"more than {max_bytes} bytes")
    except httpx.TooManyRedirects as exc:
        return Fetched(problem=FetchProblem.REDIRECT_LOOP, detail=str(exc))
    except httpx.TimeoutException as exc:
        return Fetched(problem=FetchProblem.TIMEOUT, detail=str(exc))
    except httpx.ConnectError as exc:
        text = str(exc)
        tls = "CERTIFICATE" in text.upper() or "SSL" in text.upper()
        return Fetched(
            problem=FetchProblem.TLS_FAILED if tls else FetchProblem.UNREACHABLE, detail=text
        )
    except (httpx.HTTPError, ValueError, OSError) as exc:
        return Fetched(problem=FetchProblem.UNREACHABLE, detail=str(exc))
    status, got_headers, body = response
    if status == 304:
        return Fetched(not_modified=True, etag=etag, last_modified=last_modified, status=304)
    if status == 401:
        return Fetched(
            problem=FetchProblem.AUTH_FAILED,
            status=401,
            detail=got_headers.get("www-authenticate", ""),
        )
    if status == 404:
        return Fetched(problem=FetchProblem.NOT_FOUND, status=404, detail=url)
    if status >= 400:
        return Fetched(problem=FetchProblem.HTTP_STATUS, status=status)
    return Fetched(
        body=body,
        etag=got_headers.get("etag"),
        last_modified=got_headers.get("last-modified"),
        status=status,
    )


class _TooLarge(Exception):
    pass


def _get(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    auth: httpx.Auth | None,
    max_bytes: int,
) -> tuple[int, dict[str, str], bytes]:
    with client.stream("GET", url, headers=headers, auth=auth) as response:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge
            chunks.append(chunk)
        lowered = {k.lower(): v for k, v in response.headers.items()}
        return response.status_code, lowered, b"".join(chunks)
