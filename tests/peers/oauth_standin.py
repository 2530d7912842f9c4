"""A stand-in for the OAuth 2.0 device-flow endpoints of Microsoft's identity platform and
Google, on 127.0.0.1, answering with the JSON their documentation shows (RFC 8628 shapes
plus each provider's quirks). The real endpoints are never contacted by a test.

Paths (as on the real hosts):

- Microsoft: `POST /{tenant}/oauth2/v2.0/devicecode` and `/{tenant}/oauth2/v2.0/token`:
  `verification_uri` and `message`; errors are 400 with `error_codes` and an AADSTS
  description; a refusal is `authorization_declined`; refresh tokens rotate.
- Google: `POST /device/code` and `/token`: `verification_url`; pending is 428,
  `slow_down` and `access_denied` are 403; a refresh answer has no new refresh token; the
  client secret is required.

The installed-app flow (RFC 8252, PKCE): `GET /o/oauth2/v2/auth` (Google) or
`/{tenant}/oauth2/v2.0/authorize` (Microsoft) agrees at once and redirects to the
loopback `redirect_uri` with a code; the token endpoint takes `authorization_code` with
the PKCE verifier checked against the challenge.

What a poll gets is chosen per client id with a `Scenario` (`standin.scenarios[client_id]`):
`pending` polls answered authorization_pending, `slow_down_on` the poll numbers (1-based)
answered slow_down, then the `outcome` ("success", "denied", "expired"). Access tokens
handed out are in `issued_access` (a Graph stand-in can accept exactly those); refresh
tokens in `valid_refresh` (remove one to make it revoked).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import urllib.parse
from dataclasses import dataclass, field

from peers.http_standin import Answer, Recorded, StandIn

MS_DEVICE_PATH = "/{tenant}/oauth2/v2.0/devicecode"
MS_TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"
GOOGLE_DEVICE_PATH = "/device/code"
GOOGLE_TOKEN_PATH = "/token"
MS_AUTHORIZE_PATH = "/{tenant}/oauth2/v2.0/authorize"
GOOGLE_AUTHORIZE_PATH = "/o/oauth2/v2/auth"
GOOGLE_SECRET = "google-standin-secret"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

_MS_CODES = {
    "authorization_pending": (70016, "OAuth 2.0 device flow error. Authorization is pending."),
    "slow_down": (70016, "Polling too fast."),
    "authorization_declined": (70000, "The user declined the authorization request."),
    "expired_token": (
        70020,
        "The provided value for the input parameter 'device_code' is not valid.",
    ),
    "invalid_grant": (70000, "The provided value for the 'refresh_token' is not valid."),
    "bad_verification_code": (70019, "Verification code expired or unknown."),
}
_GOOGLE_STATUS = {
    "authorization_pending": 428,
    "slow_down": 403,
    "access_denied": 403,
    "expired_token": 400,
    "invalid_grant": 400,
    "invalid_client": 401,
}


@dataclass
class Scenario:
    pending: int = 2
    slow_down_on: frozenset[int] = frozenset()
    outcome: str = "success"  # "success", "denied", "expired"
    expires_in: int = 900
    interval: int = 1


@dataclass
class _Code:
    client_id: str
    scope: str
    google: bool
    polls: int = 0
    done: bool = False


@dataclass
class OAuthStandIn(StandIn):
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    issued_access: set[str] = field(default_factory=set)
    valid_refresh: set[str] = field(default_factory=set)
    access_lifetime: int = 3599

    def __post_init__(self) -> None:
        super().__init__()
        self._codes: dict[str, _Code] = {}
        # authorization code -> (client id, PKCE challenge, redirect URI, scope)
        self._auth_codes: dict[str, tuple[str, str, str, str]] = {}
        self._serial = itertools.count(1)

    # The endpoints as the code under test names them.
    def microsoft(self, tenant: str = "common") -> tuple[str, str]:
        return (
            self.url(MS_DEVICE_PATH.format(tenant=tenant)),
            self.url(MS_TOKEN_PATH.format(tenant=tenant)),
        )

    def google(self) -> tuple[str, str]:
        return self.url(GOOGLE_DEVICE_PATH), self.url(GOOGLE_TOKEN_PATH)

    def forms(self, path_end: str) -> list[dict[str, str]]:
        """The forms POSTed to paths ending in `path_end`, in order."""
        with self.lock:
            return [
                dict(urllib.parse.parse_qsl(r.body.decode()))
                for r in self.requests
                if r.method == "POST" and r.path.endswith(path_end)
            ]

    # --- answers ----------------------------------------------------------------------

    def authorize_url(self, google: bool, tenant: str = "common") -> str:
        return self.url(
            GOOGLE_AUTHORIZE_PATH if google else MS_AUTHORIZE_PATH.format(tenant=tenant)
        )

    def handle(self, request: Recorded) -> Answer:
        if request.method == "GET":
            return self._authorize(request)
        if request.method != "POST":
            return Answer(405, b'{"error":"invalid_request"}')
        if request.headers.get("content-type", "").split(";")[0] != (
            "application/x-www-form-urlencoded"
        ):
            return self._error(False, "invalid_request", "form expected")
        form = dict(urllib.parse.parse_qsl(request.body.decode()))
        path = request.path.split("?")[0]
        google = path in (GOOGLE_DEVICE_PATH, GOOGLE_TOKEN_PATH)
        if path.endswith("/oauth2/v2.0/devicecode") or path == GOOGLE_DEVICE_PATH:
            return self._device_code(form, google)
        if path.endswith("/oauth2/v2.0/token") or path == GOOGLE_TOKEN_PATH:
            if google and form.get("client_secret") != GOOGLE_SECRET:
                return self._error(True, "invalid_client", "Unauthorized")
            if form.get("grant_type") == DEVICE_GRANT:
                return self._poll(form, google)
            if form.get("grant_type") == "authorization_code":
                return self._code_grant(form, google)
            if form.get("grant_type") == "refresh_token":
                return self._refresh(form, google)
            return self._error(google, "unsupported_grant_type", "grant_type not supported")
        return Answer(404, b'{"error":"not_found"}')

    def _error(self, google: bool, code: str, description: str) -> Answer:
        if google:
            body = {"error": code, "error_description": description}
            return Answer(_GOOGLE_STATUS.get(code, 400), json.dumps(body).encode())
        number, text = _MS_CODES.get(code, (90000, description))
        body_ms = {
            "error": code,
            "error_description": f"AADSTS{number}: {text}\r\nTrace ID: 0000\r\n",
            "error_codes": [number],
            "timestamp": "2026-12-02 22:00:00Z",
            "trace_id": "0000",
            "correlation_id": "0000",
        }
        return Answer(400, json.dumps(body_ms).encode())

    def _device_code(self, form: dict[str, str], google: bool) -> Answer:
        client_id = form.get("client_id", "")
        if not client_id:
            return self._error(google, "invalid_client", "client_id missing")
        if google and form.get("client_secret") != GOOGLE_SECRET:
            return self._error(True, "invalid_client", "Unauthorized")
        scenario = self.scenarios.setdefault(client_id, Scenario())
        serial = next(self._serial)
        device_code = f"dc-{serial}"
        user_code = f"ABCD-{serial:04d}"
        self._codes[device_code] = _Code(client_id, form.get("scope", ""), google)
        if google:
            body: dict[str, object] = {
                "device_code": device_code,
                "user_code": user_code,
                "verification_url": "https://www.google.com/device",
                "expires_in": scenario.expires_in,
                "interval": scenario.interval,
            }
        else:
            body = {
                "user_code": user_code,
                "device_code": device_code,
                "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": scenario.expires_in,
                "interval": scenario.interval,
                "message": (
                    "To sign in, use a web browser to open the page "
                    f"https://microsoft.com/devicelogin and enter the code {user_code} "
                    "to authenticate."
                ),
            }
        return Answer(200, json.dumps(body).encode())

    def _poll(self, form: dict[str, str], google: bool) -> Answer:
        code = self._codes.get(form.get("device_code", ""))
        if code is None or code.done or code.client_id != form.get("client_id"):
            return self._error(
                google,
                "bad_verification_code" if not google else "invalid_grant",
                "unknown device code",
            )
        scenario = self.scenarios[code.client_id]
        code.polls += 1
        if code.polls in scenario.slow_down_on:
            return self._error(google, "slow_down", "Forbidden")
        if code.polls <= scenario.pending + len(
            [n for n in scenario.slow_down_on if n <= code.polls]
        ):
            return self._error(google, "authorization_pending", "Precondition Required")
        code.done = True
        if scenario.outcome == "denied":
            return self._error(
                google, "access_denied" if google else "authorization_declined", "denied"
            )
        if scenario.outcome == "expired":
            return self._error(google, "expired_token", "expired")
        return self._tokens(code.scope, google, new_refresh=True)

    def _authorize(self, request: Recorded) -> Answer:
        """The browser's sign-in page, agreed at once: 302 back to the redirect URI with a
        code (or `error=access_denied` when the client's scenario says "denied")."""
        parts = urllib.parse.urlsplit(request.path)
        if not (
            parts.path == GOOGLE_AUTHORIZE_PATH or parts.path.endswith("/oauth2/v2.0/authorize")
        ):
            return Answer(404, b"not found", content_type="text/plain")
        query = dict(urllib.parse.parse_qsl(parts.query))
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith("http://127.0.0.1:") or query.get("response_type") != "code":
            return Answer(400, b"redirect_uri_mismatch", content_type="text/plain")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return Answer(400, b"PKCE required", content_type="text/plain")
        scenario = self.scenarios.setdefault(query.get("client_id", ""), Scenario())
        answer = {"state": query.get("state", "")}
        if scenario.outcome == "denied":
            answer["error"] = "access_denied"
        else:
            code = f"ac-{next(self._serial)}"
            self._auth_codes[code] = (
                query.get("client_id", ""),
                query["code_challenge"],
                redirect,
                query.get("scope", ""),
            )
            answer["code"] = code
        location = redirect + "?" + urllib.parse.urlencode(answer)
        return Answer(302, b"", headers={"Location": location}, content_type="text/plain")

    def _code_grant(self, form: dict[str, str], google: bool) -> Answer:
        grant = self._auth_codes.pop(form.get("code", ""), None)
        if grant is None:
            return self._error(google, "invalid_grant", "Malformed auth code.")
        client_id, challenge, redirect, scope = grant
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
            return self._error(google, "invalid_grant", "Invalid code verifier.")
        if form.get("client_id") != client_id or form.get("redirect_uri") != redirect:
            return self._error(google, "invalid_grant", "Bad Request")
        return self._tokens(scope, google, new_refresh=True)

    def _refresh(self, form: dict[str, str], google: bool) -> Answer:
        token = form.get("refresh_token", "")
        if token not in self.valid_refresh:
            return self._error(google, "invalid_grant", "Token has been expired or revoked.")
        if not google:
            self.valid_refresh.discard(token)  # Microsoft rotates refresh tokens
        return self._tokens(form.get("scope", ""), google, new_refresh=not google)

    def _tokens(self, scope: str, google: bool, *, new_refresh: bool) -> Answer:
        serial = next(self._serial)
        access = f"at-{serial}"
        self.issued_access.add(access)
        body: dict[str, object] = {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": self.access_lifetime,
            "access_token": access,
        }
        if not google:
            body["ext_expires_in"] = self.access_lifetime
        if new_refresh:
            refresh = f"rt-{serial}"
            self.valid_refresh.add(refresh)
            body["refresh_token"] = refresh
        return Answer(200, json.dumps(body).encode())
