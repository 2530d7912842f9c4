"""What an `InviteSession` is told once: its role, its account's behaviour and credentials."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from parley.sip.capabilities import STANDARD_METHODS
from parley.sip.request_client import Credentials
from parley.sip.session_timer import SessionTimerConfig
from parley.sip.timers import TimerConfig

__all__ = ["ALLOW", "INVITE_METHODS", "Credentials", "Role", "SessionConfig", "supported"]

# What an INVITE usage answers inside its dialogs (RFC 3261, 3262, 3311, 6086).
INVITE_METHODS = frozenset({"INVITE", "ACK", "CANCEL", "BYE", "UPDATE", "PRACK", "INFO", "OPTIONS"})
# The Allow of a session on its own; the phone passes the Allow its user-agent core
# derives from everything registered (`parley.sip.capabilities`).
ALLOW = ", ".join(m for m in STANDARD_METHODS if m in INVITE_METHODS)


class Role(enum.Enum):
    UAC = "uac"  # we called
    UAS = "uas"  # we were called


@dataclass(frozen=True)
class SessionConfig:
    """Per-account behaviour of INVITE sessions.

    `use_100rel`: say `Supported: 100rel` and PRACK reliable provisional responses; as
    callee we send reliable provisionals only when the caller *requires* them.
    `reject_status`: what hanging up a ringing incoming call sends (486 or 603).
    `extensions`: further option tags the UA supports (e.g. "replaces"), said in
    Supported beside 100rel and timer.
    """

    timers: TimerConfig = field(default_factory=TimerConfig)
    session_timer: SessionTimerConfig = field(default_factory=SessionTimerConfig)
    use_100rel: bool = True
    reject_status: int = 486
    allow: str = ALLOW
    extensions: tuple[str, ...] = ()


def supported(config: SessionConfig) -> str:
    """The Supported header value of our INVITEs, UPDATEs and their 2xx."""
    tags = (["100rel"] if config.use_100rel else []) + ["timer"]
    return ", ".join(tags + [e for e in config.extensions if e not in ("100rel", "timer")])
