"""Immutable pictures of the phone's state, safe to read on any thread (the GUI's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from parley.phone.events import EndCause, NetProblem, Party, RegCause, SrtpProblem, StunProblem


@dataclass(frozen=True)
class CallInfo:
    """A call as it stood at its last event.

    `state`: "dialing", "ringing", "early media", "incoming", "connected", "held",
    "ended" (see `parley.phone.events.CallStateChanged`). `number` is the remote user
    part (what to show and dial back); `contact_name` the local contact owning that
    number, if any. `started_at`/`connected_at` are aware UTC datetimes (a GUI shows the
    running duration as now − connected_at).
    """

    id: int
    account: str
    direction: str
    state: str
    remote: str
    number: str
    remote_name: str | None = None
    contact_name: str | None = None
    held: str | None = None
    muted: bool = False
    codec: str | None = None
    status: int | None = None
    reason: str = ""
    cause: EndCause | None = None
    ended_by: Party | None = None
    detail: str = ""
    started_at: datetime | None = None
    media_encryption: str = "none"  # "none" | "srtp" | "zrtp"
    signalling: str = "udp"  # "udp" | "tcp" | "tls"
    encryption_problem: SrtpProblem | None = None
    sas: str = ""  # ZRTP's short authentication string
    sas_verified: bool = False
    zrtp_cache_mismatch: bool = False  # the retained secret did not match
    connected_at: datetime | None = None

    @property
    def shown_name(self) -> str:
        return self.contact_name or self.remote_name or self.number


@dataclass(frozen=True)
class AccountInfo:
    """An account's registration as it stood at its last event.

    `state`: "not registered", "registering", "registered", "failed", "unregistering",
    "unreachable" (registered, but the server stopped answering);
    `enabled` False for an account kept in the settings but not used; `cause`, `detail`,
    `user`, `domain`, `transport`, `problem`, `where` as in
    `parley.phone.events.AccountStateChanged`, for the front-ends' sentences.
    """

    name: str
    state: str = "not registered"
    status: int | None = None
    reason: str = ""
    enabled: bool = True
    expires: int | None = None
    server: str | None = None
    cause: RegCause | None = None
    detail: str = ""
    user: str = ""
    domain: str = ""
    transport: str = ""
    problem: NetProblem | None = None
    where: str = ""
    # Issue #11: why the account's SRTP setting cannot take effect (keys need TLS), or None.
    srtp_problem: SrtpProblem | None = None
    tls_unverified: bool = False  # TLS without certificate check: warn about it
    # Issue #11: the STUN server gave no public address (code, host:port, its words).
    stun_problem: StunProblem | None = None
    stun_server: str = ""
    stun_detail: str = ""


def call_meant(calls: Sequence[CallInfo], words: Sequence[str]) -> CallInfo:
    """The call a front-end's command means (the console, the control API): the call id
    given, else a ringing incoming call, else the most recent live one. ValueError (its
    text for the person) when there is none."""
    if words:
        for c in calls:
            if str(c.id) == words[0]:
                return c
        raise ValueError(f"no call {words[0]!r}; try 'calls'")
    incoming = [c for c in calls if c.state == "incoming"]
    if incoming:
        return incoming[-1]
    if not calls:
        raise ValueError("no call")
    return calls[-1]
