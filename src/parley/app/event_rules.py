"""Event rules as a feature module on the event stream: it turns phone and application
events into `RuleEvent`s, runs the rules that fire on worker threads (never on the
engine loop), keeps each rule's last outcome, and reports every run as `RuleRan`."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from parley.app.events import HistoryAdded
from parley.automation.actions import RuleOutcome, RuleProblem, run_rule
from parley.automation.rules import RuleEvent, fires
from parley.history.model import number_of
from parley.phone.events import (
    AccountStateChanged,
    CallPhase,
    CallStateChanged,
    MessageReceived,
    MwiChanged,
    PhoneEvent,
)
from parley.settings.automation import EventRule
from parley.settings.model import Settings

log = logging.getLogger(__name__)

# Values of a "test this rule" run: obviously made up, and hostile enough to show that
# they arrive as text.
SAMPLE_VALUES = {
    "DNID": "1001",
    "name": 'Test Caller "$(id)"; & <x>',
    "phone": "+49301234567",
    "number": "+49301234567",
    "account": "test",
    "call_id": "0",
    "direction": "incoming",
    "duration": "0",
    "text": "",
}
# The state a test of an "any" rule pretends happened.
_SAMPLE_STATE = {
    "call": "ringing",
    "registration": "registered",
    "message": "received",
    "voicemail": "new",
}


@dataclass(frozen=True)
class RuleRan(PhoneEvent):
    """Rule `rule` (its index in the settings) ran for an event; `problem` None when it
    worked. `status`: the HTTP status or the program's exit code."""

    rule: int
    name: str
    trigger: str  # the event the rule waited for ("call", "registration", ...)
    state: str
    problem: RuleProblem | None
    status: int | None = None
    detail: str = ""
    target: str = ""
    test: bool = False

    @property
    def kind(self) -> str:
        return "rule"


class EventRules:
    """Feed it every event with `on_event` (subscribed by the Application)."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        dispatch: Callable[[PhoneEvent], None],
        contact_name: Callable[[str], str | None],
        *,
        open_url: Callable[[str], bool] | None = None,
        workers: int = 4,
    ) -> None:
        self._settings = settings
        self._dispatch = dispatch
        self._contact_name = contact_name
        self._open_url = open_url
        self._pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="rule")
        self._lock = threading.Lock()
        self._last: dict[int, RuleRan] = {}
        self._seen: dict[int, set[str]] = {}  # call id -> states already reported
        self._closed = False

    # -- results

    def last_results(self) -> dict[int, RuleRan]:
        """The last run of each rule (by index), for the rule list."""
        with self._lock:
            return dict(self._last)

    # -- events

    def on_event(self, event: PhoneEvent) -> None:
        happened = self._translate(event)
        if happened is None:
            return
        rules = self._settings().automation.rules
        for index, rule in enumerate(rules):
            if fires(rule, happened):
                self._submit(index, rule, happened, test=False)

    def test(self, index: int) -> concurrent.futures.Future[RuleRan]:
        """Run rule `index` now with sample values ("test this rule")."""
        return self.test_rule(self._settings().automation.rules[index], index)

    def test_rule(self, rule: EventRule, index: int = -1) -> concurrent.futures.Future[RuleRan]:
        """Run `rule` now with sample values, saved or not (the rule editor's "Test this
        rule"); `index` -1: a rule not in the settings (its result is not kept)."""
        state = rule.state if rule.state != "any" else _SAMPLE_STATE.get(rule.event, "ringing")
        direction = "outgoing" if rule.direction == "outgoing" else "incoming"
        happened = RuleEvent(
            rule.event,
            state,
            direction,
            {**SAMPLE_VALUES, "direction": direction, "state": state, "event": rule.event},
        )
        return self._submit(index, rule, happened, test=True)

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- inside

    def _submit(
        self, index: int, rule: EventRule, happened: RuleEvent, *, test: bool
    ) -> concurrent.futures.Future[RuleRan]:
        proxy = self._settings().automation.http_proxy

        def work() -> RuleRan:
            if self._open_url is not None:
                outcome = run_rule(rule, happened, proxy=proxy, open_url=self._open_url)
            else:
                outcome = run_rule(rule, happened, proxy=proxy)
            ran = _ran(index, rule, happened, outcome, test)
            if outcome.problem is not None:
                log.warning(
                    "rule %d (%s) failed: %s %s", index, rule.name, outcome.problem, outcome.detail
                )
            if index >= 0:
                with self._lock:
                    self._last[index] = ran
            if not self._closed:
                self._dispatch(ran)
            return ran

        return self._pool.submit(work)

    def _translate(self, event: PhoneEvent) -> RuleEvent | None:
        if isinstance(event, CallStateChanged):
            return self._call(event)
        if isinstance(event, HistoryAdded):
            return self._ended(event)
        if isinstance(event, AccountStateChanged):
            state = {
                "registered": "registered",
                "failed": "failed",
                "not registered": "unregistered",
            }
            mapped = state.get(str(event.state))
            if mapped is None:
                return None
            values = {"account": event.account, "state": mapped, "event": "registration"}
            return RuleEvent("registration", mapped, "", _complete(values))
        if isinstance(event, MessageReceived):
            number = number_of(event.sender)
            values = {
                "account": event.account,
                "number": number,
                "phone": number,
                "name": event.sender_name or self._contact_name(number) or "",
                "text": event.text,
                "state": "received",
                "event": "message",
            }
            return RuleEvent("message", "received", "incoming", _complete(values))
        if isinstance(event, MwiChanged):
            if event.new <= 0 and not event.waiting:
                return None
            values = {"account": event.account, "text": str(event.new), "state": "new"}
            return RuleEvent("voicemail", "new", "", _complete({**values, "event": "voicemail"}))
        return None

    def _call(self, event: CallStateChanged) -> RuleEvent | None:
        state: str | None = None
        if event.state in (CallPhase.INCOMING, CallPhase.RINGING):
            state = "ringing"
        elif event.state is CallPhase.CONNECTED:
            state = "answered"
        elif event.state is CallPhase.HELD:
            state = "held"
        if state is None:
            return None
        seen = self._seen.setdefault(event.call, set())
        if state in seen and state != "held":  # ringing/answered once per call
            return None
        seen.add(state)
        number = number_of(event.remote)
        direction = str(event.direction)
        values = {
            "DNID": self._dnid(event.account, direction, number),
            "name": self._contact_name(number) or event.remote_name or "",
            "phone": number,
            "number": number,
            "account": event.account,
            "call_id": str(event.call),
            "direction": direction,
            "duration": "0",
            "state": state,
            "event": "call",
        }
        return RuleEvent("call", state, direction, _complete(values))

    def _ended(self, entry: HistoryAdded) -> RuleEvent:
        if entry.call is not None:
            self._seen.pop(entry.call, None)
        state = "missed" if entry.type == "missed" else "ended"
        values = {
            "DNID": self._dnid(entry.account, entry.direction, entry.number),
            "name": entry.name or self._contact_name(entry.number) or "",
            "phone": entry.number,
            "number": entry.number,
            "account": entry.account,
            "call_id": "" if entry.call is None else str(entry.call),
            "direction": entry.direction,
            "duration": f"{entry.duration:.0f}",
            "state": state,
            "event": "call",
        }
        return RuleEvent("call", state, entry.direction, _complete(values))

    def _dnid(self, account: str, direction: str, number: str) -> str:
        """The number that was dialled: ours for an incoming call, theirs for an outgoing."""
        if direction != "incoming":
            return number
        for settings in self._settings().accounts:
            if settings.name == account:
                return settings.username
        return ""


def _complete(values: dict[str, str]) -> dict[str, str]:
    """Every placeholder present (empty where the event has no value for it)."""
    base = dict.fromkeys(SAMPLE_VALUES, "")
    base.update(values)
    return base


def _ran(
    index: int, rule: EventRule, happened: RuleEvent, outcome: RuleOutcome, test: bool
) -> RuleRan:
    return RuleRan(
        rule=index,
        name=rule.name,
        trigger=happened.event,
        state=happened.state,
        problem=outcome.problem,
        status=outcome.status,
        detail=outcome.detail,
        target=outcome.target,
        test=test,
    )
