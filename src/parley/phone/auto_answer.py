"""Automatic call acceptance and intercom answering: which incoming calls are answered
without a person, when, and how.

`plan_answer` is the rule (pure): an intercom call — marked by the PBX, see
`parley.sip.answer_mode` — is answered when the account allows intercom and the INVITE
came from the account's own server (never a stranger's mark); otherwise the automatic
call acceptance of the settings (at once, or after `auto_answer_after` seconds). A call
that asks for RFC 5373 `;require` and will not be answered at once is refused (403,
RFC 5373: a UAS that will not honour `;require` refuses the call).

`AutoAnswer` carries a plan out on the engine's loop: at once (the policy decided
ANSWER), or a timer on the loop clock for a call that rings first. When the timer is
due the call must still ring (not answered, rejected or cancelled meanwhile), and
another call may be up only when call waiting is on — that call is held first, so the
microphone is never on two calls at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from parley.net.address import Source
from parley.phone.events import CallNote
from parley.settings.model import Settings
from parley.sip.answer_mode import AnswerMark, answer_mark, manual_required
from parley.sip.message import Request

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call

log = logging.getLogger(__name__)

FORBIDDEN = (403, "Forbidden")  # RFC 5373: Answer-Mode ...;require that we do not honour


@dataclass(frozen=True)
class AnswerPlan:
    """Answer this call without a person: after `delay` seconds (0: at once)."""

    delay: float
    note: CallNote  # AUTO_ANSWERED or INTERCOM, on the call's events
    sound: bool  # play the auto-answer sound to the local speaker

    @property
    def at_once(self) -> bool:
        return self.delay <= 0


@dataclass(frozen=True)
class AnswerFacts:
    """What the rule needs to know of one incoming INVITE."""

    mark: AnswerMark | None  # how the INVITE asks to be answered, if it does
    manual_required: bool  # Answer-Mode: Manual;require
    intercom: bool  # the account's intercom setting
    from_server: bool  # it came from the account's registrar / outbound proxy
    auto_answer: bool  # automatic call acceptance is on (settings or the console's flag)
    auto_answer_after: int  # its delay in seconds (0: at once)
    sound: bool  # the setting "play sound on auto answer"


def plan_answer(facts: AnswerFacts) -> AnswerPlan | None:
    """How (and whether) a call is answered without a person."""
    if facts.mark is not None and facts.intercom and facts.from_server:
        return AnswerPlan(facts.mark.delay, CallNote.INTERCOM, facts.sound)
    if facts.manual_required or not facts.auto_answer:
        return None
    return AnswerPlan(float(facts.auto_answer_after), CallNote.AUTO_ANSWERED, facts.sound)


def refuse_unhonoured(facts: AnswerFacts, plan: AnswerPlan | None) -> bool:
    """RFC 5373 `;require` on an automatic answer we will not give at once: 403."""
    if facts.mark is None or not facts.mark.required:
        return False
    return plan is None or not plan.at_once


def due_answer(*, ringing: bool, others_up: int, call_waiting: bool) -> bool:
    """When an answer timer is due: answer only a call that still rings, and while
    another call is up only with call waiting on (that call is held first)."""
    if not ringing:
        return False  # answered, rejected or cancelled meanwhile
    return others_up == 0 or call_waiting


class Timer(Protocol):
    def cancel(self) -> None: ...


CallLater = Callable[[float, Callable[[], None]], Timer]


def _loop_call_later(delay: float, callback: Callable[[], None]) -> Timer:
    return asyncio.get_running_loop().call_later(delay, callback)


class AutoAnswer:
    """Plans and carries out automatic answers. `settings`, `auto_answer` (the phone's
    switch: settings or the console's --auto-answer) and `calls` are getters;
    `call_later` is the loop's (a fake clock in tests)."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        auto_answer: Callable[[], bool],
        calls: Callable[[], Iterable[Call]],
        call_later: CallLater = _loop_call_later,
    ) -> None:
        self._settings = settings
        self._auto_answer = auto_answer
        self._calls = calls
        self._call_later = call_later
        self._timers: dict[int, Timer] = {}

    def facts(self, account: Account, request: Request, source: Source) -> AnswerFacts:
        from parley.phone.incoming import trusted_source  # incoming imports this module

        functions = self._settings().functions
        server = account.server
        on = self._auto_answer()
        return AnswerFacts(
            mark=answer_mark(request.headers),
            manual_required=manual_required(request.headers),
            intercom=account.settings.intercom,
            from_server=server is not None and trusted_source(source, [server], allow_direct=False),
            auto_answer=on,
            # The settings' delay when they switched it on; the console's flag: at once.
            auto_answer_after=functions.auto_answer_after if functions.auto_answer else 0,
            sound=functions.auto_answer_sound,
        )

    def plan(
        self, account: Account, request: Request, source: Source
    ) -> tuple[AnswerPlan | None, tuple[int, str] | None]:
        """The plan for an INVITE, and the refusal (403) when it must be refused."""
        facts = self.facts(account, request, source)
        plan = plan_answer(facts)
        if facts.mark is not None or plan is not None:
            log.info(
                "automatic answer for an INVITE from %s:%s: %s -> %s",
                source.host,
                source.port,
                facts,
                plan,
            )
        if refuse_unhonoured(facts, plan):
            log.info("INVITE requires an automatic answer we do not give: 403")
            return None, FORBIDDEN
        return plan, None

    def started(
        self, call: Call, *, answer_now: bool, rings: bool, plan: AnswerPlan | None
    ) -> None:
        """The call exists: answer it now (the policy said ANSWER), or, when it rings,
        start its timer."""
        if call.ended:
            return
        if answer_now:
            self.answer(call, plan)
        elif plan is not None and rings:
            self._timers[call.id] = self._call_later(plan.delay, lambda: self._due(call, plan))

    def _due(self, call: Call, plan: AnswerPlan) -> None:
        self._timers.pop(call.id, None)
        others = [c for c in self._calls() if c is not call and not c.ended]
        up = sum(1 for c in others if c.state in ("connected", "held"))
        ringing = call.direction == "incoming" and call.state == "incoming" and not call.ended
        if due_answer(
            ringing=ringing, others_up=up, call_waiting=self._settings().media.call_waiting
        ):
            self.answer(call, plan)

    def answer(self, call: Call, plan: AnswerPlan | None) -> None:
        """Hold every call that is up (the re-INVITE goes out first), then answer."""
        for other in list(self._calls()):
            if other is call or other.ended:
                continue
            if other.state == "connected" and not other.held_by_us:
                other.hold()
        if plan is not None:
            call.note = plan.note
            if plan.sound:
                call.ctx.media().play_auto_answer_sound()
        call.answer()
