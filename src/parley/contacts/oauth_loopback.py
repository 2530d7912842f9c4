"""The OAuth 2.0 installed-app flow (RFC 8252: authorization code with PKCE, RFC 7636, and
a loopback redirect): what Google allows a desktop program for its CardDAV scope, which
its device flow does not grant. Microsoft's identity platform accepts it too.

    verifier, challenge = pkce_pair()
    with LoopbackReceiver() as receiver:                    # 127.0.0.1, a port of the OS
        url = authorization_url(endpoints, client_id, scopes, receiver.redirect_uri,
                                state, challenge)
        open_browser(url)                                   # the person signs in there
        code = code_from_redirect(receiver.wait(timeout), state)
    tokens = exchange_code(endpoints, client_id, code, receiver.redirect_uri, verifier)

`sign_in_with_browser` is that sequence for a worker thread. The sans-IO parts
(`pkce_pair`, `authorization_url`, `code_from_redirect`) take everything as arguments;
the token answer is read by `oauth_device.tokens_from_answer`. Failures are OAuthError.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from parley.contacts.oauth_device import (
    OAuthEndpoints,
    OAuthError,
    OAuthProblem,
    Tokens,
    post_form,
    tokens_from_answer,
)

__all__ = [
    "LoopbackReceiver",
    "authorization_url",
    "code_from_redirect",
    "exchange_code",
    "new_state",
    "pkce_pair",
    "sign_in_with_browser",
]

_DONE_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Parley</title></head>"
    b"<body><p>Parley has the answer. You can close this window.</p></body></html>"
)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge): 43 characters of base64url each."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return secrets.token_urlsafe(16)


def authorization_url(
    endpoints: OAuthEndpoints,
    client_id: str,
    scopes: Sequence[str],
    redirect_uri: str,
    state: str,
    challenge: str,
    *,
    login_hint: str = "",
) -> str:
    """The page to open in the browser."""
    if not endpoints.authorization:
        raise OAuthError(OAuthProblem.INVALID_CLIENT, "no authorization endpoint configured")
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",  # Google: a refresh token too (others ignore it)
    }
    if login_hint:
        params["login_hint"] = login_hint
    separator = "&" if "?" in endpoints.authorization else "?"
    return endpoints.authorization + separator + urllib.parse.urlencode(params)


def code_from_redirect(query: Mapping[str, str], state: str) -> str:
    """The authorization code from the redirect's query; OAuthError when the person
    refused (`access_denied` → REFUSED), the state does not match, or no code came."""
    if query.get("state") != state:
        raise OAuthError(OAuthProblem.BAD_ANSWER, "the answer is not for this sign-in (state)")
    error = query.get("error")
    if error:
        words = query.get("error_description", "")
        raise OAuthError(OAuthProblem.REFUSED, f"{error}: {words}" if words else error)
    code = query.get("code")
    if not code:
        raise OAuthError(OAuthProblem.BAD_ANSWER, "no code in the answer")
    return code


class LoopbackReceiver:
    """Waits on http://127.0.0.1:PORT/ for the browser to come back with the answer."""

    def __init__(self, port: int = 0, path: str = "/") -> None:
        self.path = path
        self._query: dict[str, str] | None = None
        self._arrived = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                if parts.path != owner.path or owner._arrived.is_set():
                    self.send_error(404)
                    return
                owner._query = dict(urllib.parse.parse_qsl(parts.query))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_DONE_PAGE)))
                self.end_headers()
                self.wfile.write(_DONE_PAGE)
                owner._arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        # Threading: a browser's idle speculative connection must not block the answer.
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def wait(self, timeout: float, cancelled: Callable[[], bool] = lambda: False) -> dict[str, str]:
        """The redirect's query; OAuthError(UNREACHABLE) when none came in time."""
        deadline = time.monotonic() + timeout
        while not self._arrived.wait(0.2):
            if cancelled() or time.monotonic() >= deadline:
                raise OAuthError(OAuthProblem.UNREACHABLE, "no answer from the browser in time")
        return dict(self._query or {})

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def exchange_code(
    endpoints: OAuthEndpoints,
    client_id: str,
    code: str,
    redirect_uri: str,
    verifier: str,
    *,
    client_secret: str | None = None,
    now: float | None = None,
    timeout: float = 20.0,
    proxy: str | None = None,
) -> Tokens:
    """Tokens for the authorization code (RFC 6749 §4.1.3 with the PKCE verifier), through
    `proxy` when given."""
    form = {
        "client_id": client_id,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    if client_secret:  # Google's desktop clients have one (not secret in a desktop app)
        form["client_secret"] = client_secret
    status, body = post_form(endpoints.token, form, timeout, proxy)
    return tokens_from_answer(status, body, time.time() if now is None else now)


def sign_in_with_browser(
    endpoints: OAuthEndpoints,
    client_id: str,
    scopes: Sequence[str],
    open_browser: Callable[[str], object],
    *,
    client_secret: str | None = None,
    login_hint: str = "",
    timeout: float = 300.0,
    cancelled: Callable[[], bool] = lambda: False,
    port: int = 0,
    proxy: str | None = None,
) -> Tokens:
    """The whole installed-app flow; `open_browser(url)` shows the page (webbrowser.open).
    `proxy` carries the token request only: the redirect comes to our own loopback port."""
    verifier, challenge = pkce_pair()
    state = new_state()
    with LoopbackReceiver(port) as receiver:
        url = authorization_url(
            endpoints,
            client_id,
            scopes,
            receiver.redirect_uri,
            state,
            challenge,
            login_hint=login_hint,
        )
        try:
            open_browser(url)
        except Exception as exc:  # no browser to open: the caller may show `url` instead
            raise OAuthError(
                OAuthProblem.UNREACHABLE, f"no browser could be opened ({exc})"
            ) from exc
        code = code_from_redirect(receiver.wait(timeout, cancelled), state)
        redirect_uri = receiver.redirect_uri
    return exchange_code(
        endpoints, client_id, code, redirect_uri, verifier, client_secret=client_secret, proxy=proxy
    )
