"""OAuth 2.0 Device Authorization Grant (RFC 8628) for Microsoft Graph and Google, the
token refresh, and where the tokens are kept.

The flow: `start` asks the provider for a device code and shows the person a short
`user_code` and a `verification_uri` to open in any browser; `poll` then asks the token
endpoint every `interval` seconds until the person has agreed (tokens), refused
(`access_denied`, Microsoft's `authorization_declined`) or the code expired. `slow_down`
adds 5 s to the interval (RFC 8628 §3.5). `wait_for_tokens` is that loop for a worker
thread, with the clock, the sleep and a cancel check passed in.

The decisions are sans-IO (`device_code_from_answer`, `poll_result_from_answer`,
`tokens_from_answer`: status and body in, a value out, the time passed in); the httpx
part only sends forms and hands the answers over. Everything is synchronous.

Providers differ in small ways that are handled here: Google names the page
`verification_url` and wants the client secret of its "TVs and Limited Input devices"
client; Microsoft answers `authorization_declined` where RFC 8628 says `access_denied`;
Google's refresh answer carries no new refresh token (the old one stays valid).

Note on Google: its device flow grants only a short list of scopes (sign-in, a few Drive
and YouTube scopes), not the CardDAV or Contacts scopes; for Google contacts the desktop
("installed app") flow with a loopback redirect is what Google allows
(`parley.contacts.oauth_loopback`). The token handling below (`refresh`, `Tokens`,
`TokenStore`, `TokenSource`) serves both flows.

Tokens are kept by `TokenStore` in the OS keyring (service "parley", user name
"oauth:<provider>:<account>", the tokens as JSON). Without a usable keyring they are kept
in memory only, and `TokenStore.status()` says so and why.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import httpx
import keyring
import keyring.errors

from parley.settings import keyring_status

log = logging.getLogger(__name__)

__all__ = [
    "DEVICE_GRANT",
    "GOOGLE_AUTHORIZE_URL",
    "GOOGLE_CARDDAV_SCOPES",
    "GOOGLE_DEVICE_CODE_URL",
    "GOOGLE_ENDPOINTS",
    "GOOGLE_TOKEN_URL",
    "GRAPH_CONTACTS_SCOPES",
    "KEYRING_SERVICE",
    "MICROSOFT_AUTHORIZE_URL",
    "MICROSOFT_DEVICE_CODE_URL",
    "MICROSOFT_TOKEN_URL",
    "SLOW_DOWN_STEP",
    "DeviceCode",
    "KeyringLike",
    "OAuthEndpoints",
    "OAuthError",
    "OAuthProblem",
    "PollOutcome",
    "PollResult",
    "TokenLocation",
    "TokenSource",
    "TokenStore",
    "TokenStoreStatus",
    "Tokens",
    "device_code_from_answer",
    "microsoft_endpoints",
    "poll",
    "poll_result_from_answer",
    "post_form",
    "refresh",
    "start",
    "tokens_from_answer",
    "wait_for_tokens",
]

# The real endpoints: used only by the application, never by a test.
MICROSOFT_DEVICE_CODE_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode"
MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
MICROSOFT_AUTHORIZE_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize"
GOOGLE_DEVICE_CODE_URL = "https://oauth2.googleapis.com/device/code"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"

# Reading the person's Outlook contacts, with a refresh token (offline_access).
GRAPH_CONTACTS_SCOPES = ("https://graph.microsoft.com/Contacts.Read", "offline_access")
# Google's CardDAV (read-only is not offered for CardDAV: this scope is read-write).
GOOGLE_CARDDAV_SCOPES = ("https://www.googleapis.com/auth/carddav",)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5  # seconds added to the interval on slow_down (RFC 8628 §3.5)
DEFAULT_INTERVAL = 5  # when the provider names none (RFC 8628 §3.2)
KEYRING_SERVICE = "parley"
MAX_ANSWER_BYTES = 64 * 1024  # token answers are a few KB; more is not a token endpoint


@dataclass(frozen=True)
class OAuthEndpoints:
    device_authorization: str
    token: str
    authorization: str = ""  # the browser page of the installed-app flow (oauth_loopback)


def microsoft_endpoints(tenant: str = "common") -> OAuthEndpoints:
    """The Microsoft identity platform endpoints of `tenant` ("common", "organizations",
    "consumers" or a tenant id/domain)."""
    name = tenant.strip() or "common"
    return OAuthEndpoints(
        MICROSOFT_DEVICE_CODE_URL.format(tenant=name),
        MICROSOFT_TOKEN_URL.format(tenant=name),
        MICROSOFT_AUTHORIZE_URL.format(tenant=name),
    )


GOOGLE_ENDPOINTS = OAuthEndpoints(GOOGLE_DEVICE_CODE_URL, GOOGLE_TOKEN_URL, GOOGLE_AUTHORIZE_URL)


class OAuthProblem(StrEnum):
    """Why a step of the flow failed (codes: the front-ends make the sentences)."""

    UNREACHABLE = "unreachable"  # no connection, timed out, TLS failed
    BAD_ANSWER = "bad_answer"  # not JSON, or fields missing
    INVALID_CLIENT = "invalid_client"  # client id/secret refused, app not set up for this
    INVALID_GRANT = "invalid_grant"  # the refresh token is no longer valid: sign in again
    INVALID_SCOPE = "invalid_scope"
    REFUSED = "refused"  # any other OAuth error; detail has the provider's code and words
    NO_TOKENS = "no_tokens"  # nothing stored for this account: sign in first


class OAuthError(Exception):
    """A step of the flow failed; `problem` says why, `detail` has the provider's words."""

    def __init__(self, problem: OAuthProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class DeviceCode:
    """What `start` got: show `user_code` and `verification_uri` to the person."""

    device_code: str
    user_code: str
    verification_uri: str
    interval: int  # seconds between polls
    expires_in: int  # seconds the code lives, as the provider said
    expires_at: float  # wall-clock time the code stops working
    verification_uri_complete: str | None = None  # the page with the code filled in
    message: str | None = None  # Microsoft's ready-made instruction (English)


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str | None
    expires_at: float  # wall-clock time (seconds since the epoch)
    scope: str = ""
    token_type: str = "Bearer"

    def needs_refresh(self, now: float, margin: float = 60.0) -> bool:
        """True when the access token is expired or will be within `margin` seconds."""
        return now + margin >= self.expires_at

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access,
                "refresh_token": self.refresh,
                "expires_at": self.expires_at,
                "scope": self.scope,
                "token_type": self.token_type,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Tokens | None:
        """The tokens stored by `to_json`, or None if `text` is not such a record."""
        try:
            data = json.loads(text)
            access = data["access_token"]
            refresh_token = data.get("refresh_token")
            expires_at = float(data["expires_at"])
        except (ValueError, TypeError, KeyError):
            return None
        if not isinstance(access, str) or not (
            refresh_token is None or isinstance(refresh_token, str)
        ):
            return None
        return cls(
            access,
            refresh_token,
            expires_at,
            str(data.get("scope") or ""),
            str(data.get("token_type") or "Bearer"),
        )


class PollOutcome(StrEnum):
    PENDING = "authorization_pending"  # the person has not finished yet: poll again
    SLOW_DOWN = "slow_down"  # poll again, less often (`interval` is already raised)
    SUCCESS = "success"  # `tokens` is set
    EXPIRED = "expired_token"  # the code ran out: start again
    DENIED = "access_denied"  # the person refused
    FAILED = "failed"  # any other error; `problem` and `detail` say which


@dataclass(frozen=True)
class PollResult:
    outcome: PollOutcome
    interval: int  # seconds to wait before the next poll
    tokens: Tokens | None = None
    problem: OAuthProblem | None = None
    detail: str = ""

    @property
    def finished(self) -> bool:
        return self.outcome not in (PollOutcome.PENDING, PollOutcome.SLOW_DOWN)


# --- sans-IO: answers in, values out ------------------------------------------------------


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _positive_int(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():  # some servers send strings
        return int(value.strip()) or default
    return default


def _error_of(data: dict[str, Any] | None, status: int, body: bytes) -> tuple[str, str]:
    """(error code, description) of an OAuth error answer."""
    if data is None:
        text = body[:200].decode("utf-8", "replace").strip()
        return "", f"HTTP {status}, not JSON: {text!r}"
    code = data.get("error")
    words = data.get("error_description")
    code_text = code if isinstance(code, str) else ""
    detail = words if isinstance(words, str) and words else code_text or f"HTTP {status}"
    return code_text, detail


def _problem_of(code: str) -> OAuthProblem:
    return {
        "invalid_client": OAuthProblem.INVALID_CLIENT,
        "unauthorized_client": OAuthProblem.INVALID_CLIENT,
        "invalid_grant": OAuthProblem.INVALID_GRANT,
        "invalid_scope": OAuthProblem.INVALID_SCOPE,
    }.get(code, OAuthProblem.REFUSED)


def device_code_from_answer(status: int, body: bytes, now: float) -> DeviceCode:
    """The device authorization endpoint's answer as a DeviceCode; OAuthError otherwise."""
    data = _json_object(body)
    if status != 200 or data is None:
        code, detail = _error_of(data, status, body)
        if data is None:
            raise OAuthError(OAuthProblem.BAD_ANSWER, detail)
        raise OAuthError(_problem_of(code), f"{code}: {detail}" if code else detail)
    device_code = data.get("device_code")
    user_code = data.get("user_code")
    # RFC 8628 and Microsoft say verification_uri; Google says verification_url.
    uri = data.get("verification_uri") or data.get("verification_url")
    missing = [
        name
        for name, value in (
            ("device_code", device_code),
            ("user_code", user_code),
            ("verification_uri", uri),
        )
        if not isinstance(value, str) or not value
    ]
    if missing:
        raise OAuthError(OAuthProblem.BAD_ANSWER, f"missing in the answer: {', '.join(missing)}")
    assert isinstance(device_code, str) and isinstance(user_code, str) and isinstance(uri, str)
    expires_in = _positive_int(data.get("expires_in"), 900)
    complete = data.get("verification_uri_complete")
    message = data.get("message")
    return DeviceCode(
        device_code=device_code,
        user_code=user_code,
        verification_uri=uri,
        interval=_positive_int(data.get("interval"), DEFAULT_INTERVAL),
        expires_in=expires_in,
        expires_at=now + expires_in,
        verification_uri_complete=complete if isinstance(complete, str) and complete else None,
        message=message if isinstance(message, str) and message else None,
    )


def tokens_from_answer(
    status: int, body: bytes, now: float, previous_refresh: str | None = None
) -> Tokens:
    """A token endpoint's success answer as Tokens; OAuthError for an error answer.

    `previous_refresh` is kept when the answer carries no new refresh token (Google's
    refresh answers do not)."""
    data = _json_object(body)
    if status != 200 or data is None:
        code, detail = _error_of(data, status, body)
        if data is None:
            raise OAuthError(OAuthProblem.BAD_ANSWER, detail)
        raise OAuthError(_problem_of(code), f"{code}: {detail}" if code else detail)
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthError(OAuthProblem.BAD_ANSWER, "no access_token in the answer")
    token_type = data.get("token_type")
    if isinstance(token_type, str) and token_type.lower() != "bearer":
        raise OAuthError(OAuthProblem.BAD_ANSWER, f"token type {token_type!r}, not Bearer")
    new_refresh = data.get("refresh_token")
    scope = data.get("scope")
    return Tokens(
        access=access,
        refresh=new_refresh if isinstance(new_refresh, str) and new_refresh else previous_refresh,
        expires_at=now + _positive_int(data.get("expires_in"), 3600),
        scope=scope if isinstance(scope, str) else "",
    )


def poll_result_from_answer(status: int, body: bytes, now: float, interval: int) -> PollResult:
    """What one answer of the token endpoint to a device-code poll means."""
    data = _json_object(body)
    if status == 200 and data is not None:
        try:
            tokens = tokens_from_answer(status, body, now)
        except OAuthError as exc:
            return PollResult(PollOutcome.FAILED, interval, problem=exc.problem, detail=exc.detail)
        return PollResult(PollOutcome.SUCCESS, interval, tokens=tokens)
    code, detail = _error_of(data, status, body)
    if data is None:
        return PollResult(
            PollOutcome.FAILED, interval, problem=OAuthProblem.BAD_ANSWER, detail=detail
        )
    if code == "authorization_pending":
        return PollResult(PollOutcome.PENDING, interval)
    if code == "slow_down":
        return PollResult(PollOutcome.SLOW_DOWN, interval + SLOW_DOWN_STEP)
    if code in ("expired_token", "code_expired"):
        return PollResult(PollOutcome.EXPIRED, interval, detail=detail)
    if code in ("access_denied", "authorization_declined"):
        return PollResult(PollOutcome.DENIED, interval, detail=detail)
    return PollResult(
        PollOutcome.FAILED,
        interval,
        problem=_problem_of(code),
        detail=f"{code}: {detail}" if code else detail,
    )


# --- HTTP ---------------------------------------------------------------------------------


def post_form(
    url: str, form: dict[str, str], timeout: float, proxy: str | None = None
) -> tuple[int, bytes]:
    """POST the form; (status, body). OAuthError(UNREACHABLE) when there is no answer.
    `proxy`: an HTTP proxy URL ([automation] http_proxy), never the environment's."""
    try:
        with (
            httpx.Client(
                trust_env=False, follow_redirects=False, timeout=timeout, proxy=proxy or None
            ) as client,
            client.stream("POST", url, data=form, headers={"Accept": "application/json"}) as answer,
        ):
            body = b""
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise OAuthError(
                        OAuthProblem.BAD_ANSWER, f"answer larger than {MAX_ANSWER_BYTES} bytes"
                    )
            return answer.status_code, body
    except httpx.HTTPError as exc:
        raise OAuthError(OAuthProblem.UNREACHABLE, f"{url}: {exc or type(exc).__name__}") from exc
    except OSError as exc:
        raise OAuthError(OAuthProblem.UNREACHABLE, f"{url}: {exc}") from exc


def _client_form(client_id: str, client_secret: str | None) -> dict[str, str]:
    form = {"client_id": client_id}
    if client_secret:
        form["client_secret"] = client_secret
    return form


def start(
    endpoints: OAuthEndpoints,
    client_id: str,
    scopes: Sequence[str],
    *,
    client_secret: str | None = None,
    now: float | None = None,
    timeout: float = 20.0,
    proxy: str | None = None,
) -> DeviceCode:
    """Ask for a device code (RFC 8628 §3.1); OAuthError when the provider refuses."""
    form = _client_form(client_id, client_secret) | {"scope": " ".join(scopes)}
    status, body = post_form(endpoints.device_authorization, form, timeout, proxy)
    return device_code_from_answer(status, body, time.time() if now is None else now)


def poll(
    endpoints: OAuthEndpoints,
    client_id: str,
    device_code: DeviceCode,
    now: float,
    *,
    interval: int | None = None,
    client_secret: str | None = None,
    timeout: float = 20.0,
    proxy: str | None = None,
) -> PollResult:
    """One poll of the token endpoint (RFC 8628 §3.4). Never raises: a lost connection is
    FAILED with UNREACHABLE (the caller may poll again). `interval` is the current one
    (raised by earlier slow_downs); by default the code's own."""
    current = device_code.interval if interval is None else interval
    if now >= device_code.expires_at:
        return PollResult(PollOutcome.EXPIRED, current, detail="the code has expired")
    form = _client_form(client_id, client_secret) | {
        "grant_type": DEVICE_GRANT,
        "device_code": device_code.device_code,
    }
    try:
        status, body = post_form(endpoints.token, form, timeout, proxy)
    except OAuthError as exc:
        return PollResult(PollOutcome.FAILED, current, problem=exc.problem, detail=exc.detail)
    return poll_result_from_answer(status, body, now, current)


def wait_for_tokens(
    endpoints: OAuthEndpoints,
    client_id: str,
    device_code: DeviceCode,
    *,
    client_secret: str | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    cancelled: Callable[[], bool] = lambda: False,
    timeout: float = 20.0,
    proxy: str | None = None,
) -> PollResult:
    """Poll until the person agrees or refuses, the code expires or `cancelled()` says
    stop (then PENDING comes back). A lost connection is tried again until expiry."""
    interval = device_code.interval
    result = PollResult(PollOutcome.PENDING, interval)
    while not cancelled():
        sleep(interval)
        if cancelled():
            break
        result = poll(
            endpoints,
            client_id,
            device_code,
            clock(),
            interval=interval,
            client_secret=client_secret,
            timeout=timeout,
            proxy=proxy,
        )
        interval = result.interval
        if result.outcome is PollOutcome.FAILED and result.problem is OAuthProblem.UNREACHABLE:
            continue
        if result.finished:
            return result
    return result


def refresh(
    endpoints: OAuthEndpoints,
    client_id: str,
    refresh_token: str,
    *,
    client_secret: str | None = None,
    scopes: Sequence[str] = (),
    now: float | None = None,
    timeout: float = 20.0,
    proxy: str | None = None,
) -> Tokens:
    """New tokens for a refresh token (RFC 6749 §6); OAuthError when refused
    (INVALID_GRANT: the person must sign in again). `scopes` may narrow the grant; by
    default the scopes first granted."""
    form = _client_form(client_id, client_secret) | {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    if scopes:
        form["scope"] = " ".join(scopes)
    status, body = post_form(endpoints.token, form, timeout, proxy)
    return tokens_from_answer(status, body, time.time() if now is None else now, refresh_token)


# --- keeping tokens -----------------------------------------------------------------------


class TokenLocation(StrEnum):
    KEYRING = "keyring"
    MEMORY = "memory"  # lost when Parley ends: the person signs in again next time


@dataclass(frozen=True)
class TokenStoreStatus:
    location: TokenLocation
    reason: str = ""  # why MEMORY: no keyring, or the keyring refused


class KeyringLike(Protocol):
    """What TokenStore needs of a keyring backend (keyring's backends have it)."""

    @property
    def priority(self) -> float: ...

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


def _is_usable(backend: KeyringLike) -> bool:
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend says "not viable" by raising here
        return False


class TokenStore:
    """Tokens per provider and account: in the keyring, else in memory (and it says so).

    `backend` is a keyring backend to use instead of the one `keyring` chose (tests, or a
    caller that picked one). A stand-in must not subclass keyring's KeyringBackend: every
    subclass is registered, and keyring's own choice would then fall on it."""

    def __init__(self, backend: KeyringLike | None = None) -> None:
        self._backend = backend
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._failure = ""  # the last keyring error, when it made us fall back to memory

    @staticmethod
    def key(provider: str, account: str) -> str:
        return f"oauth:{provider}:{account}"

    def _keyring(self) -> tuple[KeyringLike | None, str]:
        if self._backend is not None:
            if _is_usable(self._backend):
                return self._backend, ""
            return None, "the keyring backend given is not usable"
        status = keyring_status()
        if not status.usable:
            return None, status.reason
        return keyring.get_keyring(), ""

    def status(self) -> TokenStoreStatus:
        backend, reason = self._keyring()
        if backend is None:
            return TokenStoreStatus(TokenLocation.MEMORY, reason)
        if self._failure:
            return TokenStoreStatus(TokenLocation.MEMORY, self._failure)
        return TokenStoreStatus(TokenLocation.KEYRING)

    def save(self, provider: str, account: str, tokens: Tokens) -> TokenLocation:
        key = self.key(provider, account)
        text = tokens.to_json()
        with self._lock:
            backend, reason = self._keyring()
            if backend is not None:
                try:
                    backend.set_password(KEYRING_SERVICE, key, text)
                except keyring.errors.KeyringError as exc:
                    reason = f"the keyring refused to store the tokens ({exc})"
                else:
                    self._memory.pop(key, None)
                    self._failure = ""
                    return TokenLocation.KEYRING
            self._failure = reason if backend is not None else ""
            log.warning("Keeping the %s tokens of %r in memory only: %s", provider, account, reason)
            self._memory[key] = text
            return TokenLocation.MEMORY

    def load(self, provider: str, account: str) -> Tokens | None:
        key = self.key(provider, account)
        with self._lock:
            if key in self._memory:
                return Tokens.from_json(self._memory[key])
            backend, _reason = self._keyring()
            if backend is None:
                return None
            try:
                text = backend.get_password(KEYRING_SERVICE, key)
            except keyring.errors.KeyringError as exc:
                log.warning("Could not read the %s tokens of %r: %s", provider, account, exc)
                return None
        return Tokens.from_json(text) if text else None

    def delete(self, provider: str, account: str) -> None:
        key = self.key(provider, account)
        with self._lock:
            self._memory.pop(key, None)
            backend, _reason = self._keyring()
            if backend is None:
                return
            try:
                backend.delete_password(KEYRING_SERVICE, key)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored: done
            except keyring.errors.KeyringError as exc:
                log.warning("Could not delete the %s tokens of %r: %s", provider, account, exc)


class TokenSource:
    """An account's access token, refreshed when due and stored again: what a fetcher is
    given (`access_token` as the getter, `refresh_now` as the callback after a 401).

    Raises OAuthError: NO_TOKENS when nobody has signed in, INVALID_GRANT when the refresh
    token was revoked (sign in again), UNREACHABLE when the token endpoint is away."""

    def __init__(
        self,
        store: TokenStore,
        provider: str,
        account: str,
        endpoints: OAuthEndpoints,
        client_id: str,
        *,
        client_secret: str | None = None,
        scopes: Sequence[str] = (),
        clock: Callable[[], float] = time.time,
        timeout: float = 20.0,
        proxy: str | None = None,
    ) -> None:
        self.proxy = proxy or None  # the token endpoint's HTTP proxy ([automation] http_proxy)
        self.scopes = tuple(scopes)
        self.store = store
        self.provider = provider
        self.account = account
        self.endpoints = endpoints
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.timeout = timeout
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            tokens = self._stored()
            if tokens.needs_refresh(self.clock()) and tokens.refresh:
                tokens = self._refresh(tokens)
            return tokens.access

    def refresh_now(self) -> str:
        """Refresh whatever the expiry says (the server refused the token) and return it."""
        with self._lock:
            return self._refresh(self._stored()).access

    def _stored(self) -> Tokens:
        tokens = self.store.load(self.provider, self.account)
        if tokens is None:
            raise OAuthError(OAuthProblem.NO_TOKENS, self.store.key(self.provider, self.account))
        return tokens

    def _refresh(self, tokens: Tokens) -> Tokens:
        if not tokens.refresh:
            raise OAuthError(OAuthProblem.INVALID_GRANT, "no refresh token: sign in again")
        fresh = refresh(
            self.endpoints,
            self.client_id,
            tokens.refresh,
            client_secret=self.client_secret,
            scopes=self.scopes,
            now=self.clock(),
            timeout=self.timeout,
            proxy=self.proxy,
        )
        self.store.save(self.provider, self.account, fresh)
        return fresh
