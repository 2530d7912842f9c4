"""Automatic answer and intercom: the INVITE's answer marks, the rule, the timer on a
fake clock (never the wall clock), the intercom prefix, and the switches reset at start
when "keep settings after restart" is off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from parley.app.call_switches import reset_at_start, reset_call_switches
from parley.phone.auto_answer import (
    AnswerFacts,
    AnswerPlan,
    AutoAnswer,
    due_answer,
    plan_answer,
    refuse_unhonoured,
)
from parley.phone.events import CallNote
from parley.phone.intercom import intercom_target
from parley.phone.outgoing import DialError
from parley.settings import Settings, load_settings, save_settings
from parley.sip.answer_mode import AnswerMark, MarkSource, answer_mark, manual_required
from parley.sip.message import Headers


def marks(*fields: tuple[str, str]) -> AnswerMark | None:
    return answer_mark(Headers(fields))


# ------------------------------------------------------------------ the marks


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([("Call-Info", "<sip:127.0.0.1>;answer-after=0")], AnswerMark(0, MarkSource.CALL_INFO)),
        ([("Call-Info", "<sip:pbx>;Answer-After=5")], AnswerMark(5, MarkSource.CALL_INFO)),
        (
            [("Call-Info", "<http://x/photo.jpg>;purpose=icon, <sip:pbx>;answer-after=3")],
            AnswerMark(3, MarkSource.CALL_INFO),
        ),
        (
            [("Alert-Info", "<http://www.notused.com>;info=alert-autoanswer")],
            AnswerMark(0, MarkSource.ALERT_INFO),
        ),
        (
            [("Alert-Info", "<http://x>;info=alert-autoanswer;delay=4")],
            AnswerMark(4, MarkSource.ALERT_INFO),
        ),
        ([("Alert-Info", "Auto Answer")], AnswerMark(0, MarkSource.ALERT_INFO)),
        ([("Alert-Info", "<http://x>;info=Auto Answer")], AnswerMark(0, MarkSource.ALERT_INFO)),
        ([("Answer-Mode", "Auto")], AnswerMark(0, MarkSource.ANSWER_MODE)),
        ([("Answer-Mode", "auto;require")], AnswerMark(0, MarkSource.ANSWER_MODE, True)),
        ([("Priv-Answer-Mode", "Auto")], AnswerMark(0, MarkSource.PRIV_ANSWER_MODE)),
        ([("Answer-Mode", "Manual")], None),
        ([("Alert-Info", "<http://x>;info=alert-internal")], None),
        ([("Call-Info", "<http://x/photo.jpg>;purpose=icon")], None),
        ([("Call-Info", "<sip:pbx>;answer-after=soon")], None),  # unreadable: no mark
        ([("Call-Info", "<sip:pbx;answer-after=1")], None),  # malformed: no mark, no error
        ([("Call-Info", "<sip:pbx>;answer-after=99999")], AnswerMark(600, MarkSource.CALL_INFO)),
        ([], None),
    ],
)
def test_answer_marks(fields: list[tuple[str, str]], expected: AnswerMark | None) -> None:
    assert marks(*fields) == expected


def test_manual_required() -> None:
    assert manual_required(Headers([("Answer-Mode", "Manual;require")]))
    assert not manual_required(Headers([("Answer-Mode", "Manual")]))
    assert not manual_required(Headers([("Answer-Mode", "Auto;require")]))


# ------------------------------------------------------------------ the rule


def facts(**kw: Any) -> AnswerFacts:
    base: dict[str, Any] = {
        "mark": None,
        "manual_required": False,
        "intercom": True,
        "from_server": True,
        "auto_answer": False,
        "auto_answer_after": 0,
        "sound": False,
    }
    base.update(kw)
    return AnswerFacts(**base)


AUTO = AnswerMark(0, MarkSource.ANSWER_MODE)
AUTO_REQUIRED = AnswerMark(0, MarkSource.ANSWER_MODE, True)
AFTER_3 = AnswerMark(3, MarkSource.CALL_INFO)


@pytest.mark.parametrize(
    ("given", "plan"),
    [
        (facts(), None),
        (facts(mark=AUTO), AnswerPlan(0, CallNote.INTERCOM, False)),
        (facts(mark=AFTER_3, sound=True), AnswerPlan(3, CallNote.INTERCOM, True)),
        (facts(mark=AUTO, from_server=False), None),  # a stranger's mark: rings
        (facts(mark=AUTO, intercom=False), None),  # intercom off: rings
        (facts(auto_answer=True), AnswerPlan(0, CallNote.AUTO_ANSWERED, False)),
        (
            facts(auto_answer=True, auto_answer_after=7),
            AnswerPlan(7, CallNote.AUTO_ANSWERED, False),
        ),
        (facts(auto_answer=True, manual_required=True), None),
        (  # a stranger's mark with auto answer on: an ordinary automatic answer
            facts(mark=AUTO, from_server=False, auto_answer=True, auto_answer_after=5),
            AnswerPlan(5, CallNote.AUTO_ANSWERED, False),
        ),
    ],
)
def test_plan(given: AnswerFacts, plan: AnswerPlan | None) -> None:
    assert plan_answer(given) == plan


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        (facts(mark=AUTO_REQUIRED), False),  # honoured
        (facts(mark=AUTO_REQUIRED, from_server=False), True),  # RFC 5373: 403
        (facts(mark=AUTO_REQUIRED, intercom=False), True),
        (facts(mark=AUTO, intercom=False), False),  # no require: it just rings
        (facts(mark=AUTO_REQUIRED, intercom=False, auto_answer=True), False),
        (facts(mark=AUTO_REQUIRED, intercom=False, auto_answer=True, auto_answer_after=4), True),
    ],
)
def test_refusal_of_an_unhonoured_require(given: AnswerFacts, refused: bool) -> None:
    assert refuse_unhonoured(given, plan_answer(given)) is refused


def test_due_answer() -> None:
    assert due_answer(ringing=True, others_up=0, call_waiting=False)
    assert due_answer(ringing=True, others_up=1, call_waiting=True)
    assert not due_answer(ringing=True, others_up=1, call_waiting=False)
    assert not due_answer(ringing=False, others_up=0, call_waiting=True)


# ------------------------------------------------------------------ the timer, on a fake clock


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.pending: list[tuple[float, Callable[[], None], FakeTimer]] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer()
        self.pending.append((self.now + delay, callback, timer))
        return timer

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [p for p in self.pending if p[0] <= self.now]
        self.pending = [p for p in self.pending if p[0] > self.now]
        for _at, callback, timer in sorted(due, key=lambda p: p[0]):
            if not timer.cancelled:
                callback()


@dataclass
class FakeTimer:
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeMedia:
    sounds: int = 0

    def play_auto_answer_sound(self) -> None:
        self.sounds += 1


@dataclass
class FakeCtx:
    engine: FakeMedia

    def media(self) -> FakeMedia:
        return self.engine


_ids = iter(range(1, 1000))


@dataclass
class FakeCall:
    log: list[str]
    ctx: FakeCtx
    state: str = "incoming"
    direction: str = "incoming"
    ended: bool = False
    held_by_us: bool = False
    note: CallNote | None = None
    id: int = field(default_factory=lambda: next(_ids))

    def answer(self) -> None:
        self.log.append(f"answer {self.id}")
        self.state = "connected"

    def hold(self) -> None:
        self.log.append(f"hold {self.id}")
        self.held_by_us = True


@dataclass
class Rig:
    clock: FakeClock
    settings: Settings
    calls: list[FakeCall]
    auto: AutoAnswer
    log: list[str]
    media: FakeMedia

    def call(self, **kw: Any) -> FakeCall:
        c = FakeCall(self.log, FakeCtx(self.media), **kw)
        self.calls.append(c)
        return c


@pytest.fixture
def rig() -> Rig:
    clock = FakeClock()
    settings = Settings()
    calls: list[FakeCall] = []
    auto = AutoAnswer(
        lambda: settings,
        lambda: True,
        lambda: calls,  # type: ignore[arg-type, return-value]
        call_later=clock.call_later,
    )
    return Rig(clock, settings, calls, auto, [], FakeMedia())


PLAN_5 = AnswerPlan(5, CallNote.AUTO_ANSWERED, True)


def test_a_ringing_call_is_answered_when_its_time_has_come(rig: Rig) -> None:
    c = rig.call()
    rig.auto.started(c, answer_now=False, rings=True, plan=PLAN_5)  # type: ignore[arg-type]
    rig.clock.advance(4.9)
    assert rig.log == []
    rig.clock.advance(0.2)
    assert rig.log == [f"answer {c.id}"]
    assert c.note is CallNote.AUTO_ANSWERED
    assert rig.media.sounds == 1


@pytest.mark.parametrize("meanwhile", ["connected", "ended"])
def test_no_answer_when_the_person_or_the_caller_acted_first(rig: Rig, meanwhile: str) -> None:
    c = rig.call()
    rig.auto.started(c, answer_now=False, rings=True, plan=PLAN_5)  # type: ignore[arg-type]
    rig.clock.advance(1)
    c.state = meanwhile  # answered by the person, or rejected / cancelled
    c.ended = meanwhile == "ended"
    rig.clock.advance(10)
    assert rig.log == []
    assert c.note is None and rig.media.sounds == 0


@pytest.mark.parametrize("call_waiting", [True, False])
def test_another_call_is_held_first_only_with_call_waiting(rig: Rig, call_waiting: bool) -> None:
    rig.settings.media.call_waiting = call_waiting
    up = rig.call(state="connected", direction="outgoing")
    c = rig.call()
    rig.auto.started(c, answer_now=False, rings=True, plan=PLAN_5)  # type: ignore[arg-type]
    rig.clock.advance(5)
    if call_waiting:
        assert rig.log == [f"hold {up.id}", f"answer {c.id}"]
    else:
        assert rig.log == []  # it keeps ringing for the person


def test_answer_now_and_no_timer_without_a_plan(rig: Rig) -> None:
    c = rig.call()
    rig.auto.started(c, answer_now=False, rings=True, plan=None)  # type: ignore[arg-type]
    rig.clock.advance(700)
    assert rig.log == [] and rig.clock.pending == []
    plan = AnswerPlan(0, CallNote.INTERCOM, False)
    rig.auto.started(c, answer_now=True, rings=False, plan=plan)  # type: ignore[arg-type]
    assert rig.log == [f"answer {c.id}"] and c.note is CallNote.INTERCOM
    assert rig.media.sounds == 0


# ------------------------------------------------------------------ intercom prefix


def test_intercom_target() -> None:
    assert intercom_target("1002", "*96") == "*961002"
    assert intercom_target("sip:1002@127.0.0.1", "*96") == "sip:*961002@127.0.0.1"
    assert intercom_target("1002@127.0.0.1:5060", "88") == "881002@127.0.0.1:5060"
    with pytest.raises(DialError, match="no intercom prefix"):
        intercom_target("1002", None, "office")
    with pytest.raises(DialError):
        intercom_target("1002", "  ", "office")


# ------------------------------------------------------------------ keep settings after restart


def switched_on(keep: bool) -> Settings:
    s = Settings()
    f = s.functions
    f.forwarding, f.forward_to, f.forward_after = "delayed", "1003", 15
    f.auto_answer, f.auto_answer_after = True, 8
    f.keep_after_restart = keep
    return s


def test_switches_are_kept_or_reset() -> None:
    kept = switched_on(keep=True)
    assert not reset_call_switches(kept)
    assert (kept.functions.forwarding, kept.functions.auto_answer) == ("delayed", True)
    reset = switched_on(keep=False)
    assert reset_call_switches(reset)
    f = reset.functions
    assert (f.forwarding, f.auto_answer) == ("off", False)
    assert (f.forward_to, f.forward_after, f.auto_answer_after) == ("1003", 15, 8)


def test_the_reset_is_stored_and_nothing_else_is_written(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_settings(switched_on(keep=False), path)
    in_use = load_settings(path)
    in_use.log.sip_trace = True  # e.g. the console's --trace: not for the file
    assert reset_at_start(in_use, path)
    assert (in_use.functions.forwarding, in_use.functions.auto_answer) == ("off", False)
    stored = load_settings(path)
    assert (stored.functions.forwarding, stored.functions.auto_answer) == ("off", False)
    assert stored.functions.forward_to == "1003"
    assert not stored.log.sip_trace


def test_the_application_starts_with_the_switches_off(tmp_path: Path) -> None:
    from parley.app import Application

    path = tmp_path / "settings.toml"
    save_settings(switched_on(keep=False), path)
    app = Application(path, use_keyring=False, data_dir=tmp_path / "data")
    try:
        assert app.settings.functions.forwarding == "off"
        assert not app.settings.functions.auto_answer
        assert load_settings(path).functions.forwarding == "off"
    finally:
        app.stop()
