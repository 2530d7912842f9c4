"""Session timers (RFC 4028): negotiation of Session-Expires/Min-SE and the running timer.

Pure functions and small state holders; `parley.sip.invite` uses them. Whoever is the
refresher re-INVITEs or UPDATEs at half the interval (§10); the other side sends BYE
when no refresh came by `interval - min(32, interval/3)` (§10).
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.sip import headers as h
from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response

__all__ = [
    "MIN_SE_FLOOR",
    "Negotiated",
    "SessionExpires",
    "SessionRefresh",
    "SessionTimer",
    "SessionTimerConfig",
    "min_se_of",
    "negotiate_as_uas",
    "request_headers",
    "session_expires_of",
]

MIN_SE_FLOOR = 90  # RFC 4028 §4: no Min-SE below 90 s


@dataclass(frozen=True)
class SessionTimerConfig:
    """`enabled`: ask for session timers ourselves (a peer's request is always honoured).
    `refresh_method`: "auto" (UPDATE when the peer allows it, else re-INVITE), "update"
    or "invite"."""

    enabled: bool = True
    session_expires: int = 1800
    min_se: int = MIN_SE_FLOOR
    refresh_method: str = "auto"

    def __post_init__(self) -> None:
        if self.min_se < MIN_SE_FLOOR or self.session_expires < self.min_se:
            raise ValueError(f"inconsistent session timer values: {self}")
        if self.refresh_method not in ("auto", "update", "invite"):
            raise ValueError(f"unknown refresh method {self.refresh_method!r}")


@dataclass(frozen=True)
class SessionExpires:
    """A Session-Expires value (RFC 4028 §4): delta-seconds and the refresher param."""

    delta: int
    refresher: str | None = None  # "uac" | "uas"

    def __str__(self) -> str:
        return f"{self.delta}" + (f";refresher={self.refresher}" if self.refresher else "")

    @classmethod
    def parse(cls, value: str) -> SessionExpires:
        delta_text, _, rest = value.partition(";")
        delta = h.parse_delta_seconds(delta_text.strip())
        params = h.parse_params(";" + rest) if rest.strip() else {}
        refresher = None
        for key, val in params.items():
            if key.lower() == "refresher" and val is not None:
                refresher = val.strip().lower()
        if refresher not in (None, "uac", "uas"):
            raise SipParseError(f"bad refresher in Session-Expires {value!r}")
        return cls(delta, refresher)


def session_expires_of(message: Request | Response) -> SessionExpires | None:
    value = message.headers.get("Session-Expires")
    return None if value is None else SessionExpires.parse(value)


def min_se_of(message: Request | Response) -> int | None:
    value = message.headers.get("Min-SE")
    if value is None:
        return None
    return h.parse_delta_seconds(value.partition(";")[0].strip())


def request_headers(
    interval: int, min_se: int, refresher: str | None = None
) -> list[tuple[str, str]]:
    """Headers of a request asking for a session timer (RFC 4028 §7.1); Supported:
    timer is added by the caller with its other option tags."""
    return [
        ("Session-Expires", str(SessionExpires(interval, refresher))),
        ("Min-SE", str(min_se)),
    ]


@dataclass(frozen=True)
class Negotiated:
    """What a UAS answers to a session refresh request (RFC 4028 §9)."""

    interval: int | None  # None: no session timer for this dialog
    refresher: str | None  # "uac" | "uas"
    too_small: int | None = None  # set: answer 422 with this Min-SE

    def response_headers(self, uac_supports: bool) -> list[tuple[str, str]]:
        if self.too_small is not None:
            return [("Min-SE", str(self.too_small))]
        if self.interval is None:
            return []
        out = [("Session-Expires", str(SessionExpires(self.interval, self.refresher)))]
        if uac_supports:
            out.append(("Require", "timer"))  # §9: the UAC must know it is bound by it
        return out


def negotiate_as_uas(request: Request, cfg: SessionTimerConfig) -> Negotiated:
    """RFC 4028 §9 for an INVITE or UPDATE we answer. Raises SipParseError."""
    se = session_expires_of(request)
    their_min = min_se_of(request) or MIN_SE_FLOOR
    floor = max(their_min, cfg.min_se)
    supports = "timer" in [t.lower() for t in request.tokens("Supported")]
    if se is None:
        if not cfg.enabled:
            return Negotiated(None, None)
        # §9: without a Session-Expires we may still insert one and refresh ourselves.
        return Negotiated(max(cfg.session_expires, floor), "uas")
    if se.delta < cfg.min_se:
        return Negotiated(None, None, too_small=cfg.min_se)
    interval = max(min(se.delta, cfg.session_expires), floor)
    refresher = se.refresher or ("uac" if supports else "uas")
    if refresher == "uac" and not supports:
        refresher = "uas"
    return Negotiated(interval, refresher)


class SessionTimer:
    """The running timer of one dialog: when to refresh or when to give up (§10)."""

    def __init__(self) -> None:
        self.interval: int | None = None
        self.we_refresh = False
        self.deadline: float | None = None

    @property
    def active(self) -> bool:
        return self.interval is not None

    def start(self, interval: int | None, we_refresh: bool, now: float) -> None:
        """(Re)start after a successful refresh; interval None stops the timer."""
        self.interval = interval
        self.we_refresh = we_refresh
        if interval is None:
            self.deadline = None
        elif we_refresh:
            self.deadline = now + interval / 2
        else:
            self.deadline = now + interval - min(32.0, interval / 3)

    def stop(self) -> None:
        self.interval = None
        self.deadline = None


class SessionRefresh:
    """The session-timer side of one INVITE session: what we ask for, what we answer,
    how we refresh (RFC 4028 §7-10). The session arms the timer at `timer.deadline`."""

    def __init__(self, cfg: SessionTimerConfig) -> None:
        self.cfg = cfg
        self.timer = SessionTimer()
        self.interval = cfg.session_expires  # what we ask for, raised by a 422
        self.min_se = cfg.min_se
        self.update_unsupported = False  # the peer answered our refresh UPDATE 405/501

    def initial_headers(self) -> list[tuple[str, str]]:
        """Session-Expires/Min-SE of our initial INVITE (§7.1), if we want a timer."""
        return request_headers(self.interval, self.min_se) if self.cfg.enabled else []

    def refresh_headers(self) -> list[tuple[str, str]]:
        """Session-Expires/Min-SE for a request we send in the dialog (§7.4): keep the
        current interval, and ask to stay the refresher if we are."""
        if self.timer.interval is not None:
            refresher = "uac" if self.timer.we_refresh else "uas"
            return request_headers(self.timer.interval, self.min_se, refresher)
        if self.cfg.enabled:
            return request_headers(self.interval, self.min_se)
        return []

    @staticmethod
    def response_headers(request: Request, negotiated: Negotiated) -> list[tuple[str, str]]:
        supports = "timer" in [t.lower() for t in request.tokens("Supported")]
        return negotiated.response_headers(supports)

    @staticmethod
    def from_response(response: Response) -> tuple[int | None, bool]:
        """§7.2: the 2xx to our INVITE/UPDATE fixes the interval and whether we refresh
        ("uac" is us: we sent the request). No Session-Expires: no session timer."""
        try:
            se = session_expires_of(response)
        except SipParseError:
            se = None
        if se is None:
            return None, False
        return se.delta, (se.refresher or "uac") == "uac"

    def retry_422(self, request: Request, response: Response) -> list[tuple[str, str]] | None:
        """§7.4: the headers to retry `request` with after a 422, raising our Min-SE to
        what the far end asked for; None when the 422 asks for nothing more."""
        minimum = min_se_of(response)
        current = session_expires_of(request)
        if minimum is None or (current is not None and minimum <= current.delta):
            return None
        self.min_se = max(self.min_se, minimum)
        self.interval = max(self.interval, minimum)
        refresher = current.refresher if current is not None else None
        return request_headers(self.interval, self.min_se, refresher)

    def use_update(self, remote_allow: set[str]) -> bool:
        """Refresh with UPDATE (else re-INVITE), as configured and as the peer allows."""
        method = self.cfg.refresh_method
        return method == "update" or (
            method == "auto" and "UPDATE" in remote_allow and not self.update_unsupported
        )
