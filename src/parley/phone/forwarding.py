"""Call forwarding (Functions › Calls › Call forwarding): off, instant, or after N seconds.

- instant: every incoming call the policy lets through — ringing, waiting, to be
  auto-answered, or busy — is answered 302 with `forward_to` as Contact at once. Nothing
  rings and no "incoming call" is shown; the call's one event is its end, noted
  `CallNote.FORWARDED`, so that the history lists it.
- delayed: the call rings as usual; when nobody has taken it `forward_after` seconds
  (1–600) after it began to ring, it is answered 302 the same way. A busy caller stays
  busy. The timer runs on the loop's clock (`call_later`), so a fake clock tests it.
- A call from a stranger (403) or for no account (404) is never forwarded.

A `forward_to` that is missing or cannot be made into a SIP target leaves the call
alone (it rings, or is refused, as without forwarding) and a `PhoneError` says why.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from parley.phone.events import CallNote, PhoneError, PhoneErrorCode, PhoneEvent
from parley.phone.redirect import DeflectError, deflect_target
from parley.settings.model import Settings
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = ["ForwardMode", "ForwardPlan", "Forwarding", "forward_plan"]


class ForwardMode(enum.StrEnum):
    OFF = "off"
    INSTANT = "instant"
    DELAYED = "delayed"


@dataclass(frozen=True)
class ForwardPlan:
    """Where and when a call is forwarded."""

    mode: ForwardMode
    target: SipURI
    after: float = 0.0  # seconds of ringing first (delayed)


class ForwardError(ValueError):
    """Forwarding is on but cannot be done; the message says why, for a person."""


def forward_plan(settings: Settings, account: Account) -> ForwardPlan | None:
    """The forwarding the settings ask for on `account`'s calls: None when it is off;
    `ForwardError` when it is on without a usable destination."""
    f = settings.functions
    mode = ForwardMode(f.forwarding)
    if mode is ForwardMode.OFF:
        return None
    if not f.forward_to or not f.forward_to.strip():
        raise ForwardError(
            "Call forwarding is on but has no destination: set 'forward to' "
            "(a number or a SIP address), or switch forwarding off."
        )
    try:
        target = deflect_target(f.forward_to, account)
    except DeflectError as exc:
        raise ForwardError(
            f"Call forwarding to {f.forward_to!r} is not possible: {exc}. "
            "The call rings here instead."
        ) from exc
    after = float(f.forward_after) if mode is ForwardMode.DELAYED else 0.0
    return ForwardPlan(mode, target, after)


class Scheduler(Protocol):
    """What `Forwarding` needs of a loop: `asyncio.AbstractEventLoop.call_later`."""

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Any: ...


class Forwarding:
    """Call forwarding for the phone: `Phone._start_incoming` asks for the `plan` of a
    new call, answers 302 itself for an instant one, and `arm`s a delayed one."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        emit: Callable[[PhoneEvent], None],
        loop: Callable[[], Scheduler],
    ) -> None:
        self._settings = settings
        self._emit = emit
        self._loop = loop

    def plan(self, account: Account) -> ForwardPlan | None:
        """The forwarding for a new call on `account`; a problem is told, not raised."""
        try:
            return forward_plan(self._settings(), account)
        except ForwardError as exc:
            log.info("%s", exc)
            self._emit(
                PhoneError(
                    text=str(exc),
                    account=account.name,
                    code=PhoneErrorCode.FORWARDING,
                    subject=account.name,
                    detail=str(exc),
                )
            )
            return None

    def arm(self, call: Call, plan: ForwardPlan | None) -> None:
        """`call` has begun to ring here: with delayed forwarding, start its timer."""
        if plan is not None and plan.mode is ForwardMode.DELAYED:
            self._loop().call_later(plan.after, self._due, call, plan.target)

    @staticmethod
    def _due(call: Call, target: SipURI) -> None:
        """The delay is over: forward the call if it still rings (not taken, not ended)."""
        if call.direction == "incoming" and call.state == "incoming" and not call.ended:
            log.info("call %s: not answered, forwarding to %s", call.id, target)
            call.deflect(target, CallNote.FORWARDED)
