"""The console's feature commands in German: with ``[gui] language = "de"`` the lines the
real Console prints for transfer, deflect, conference, record, intercom, voicemail,
sas-verify, blf/pickup, presence/watch, message(s) and rules are German, while the codes
(command words, states, JSON keys) stay; in English the very same lines are unchanged.

The console runs on a fake application (as tests/unit/test_zrtp_cli.py and
test_presence_cli.py do): the commands' words are what is under test, not the phone."""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from parley.app.event_rules import RuleRan
from parley.app.presence import STATES
from parley.app.snapshots import CallInfo
from parley.automation.actions import RuleProblem
from parley.cli import commands_presence
from parley.cli.commands_messages import event_line
from parley.cli.console import Console
from parley.cli.i18n import set_language
from parley.messages.model import ConversationInfo, StoredMessage
from parley.phone.events import PresenceState
from parley.settings import Settings


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def done(value: Any = None) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_result(value)
    return future


def call(id: int, state: str = "connected") -> CallInfo:
    return CallInfo(
        id=id,
        account="office",
        direction="incoming" if state == "incoming" else "outgoing",
        state=state,
        remote=f"sip:100{id}@pbx",
        number=f"100{id}",
    )


class Facade:
    """One part of the fake application: every method answers a finished future."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers

    def __getattr__(self, name: str) -> Any:
        answer = self.answers.get(name)
        if callable(answer):
            return answer
        return lambda *args, **kw: done(answer)


class FakeApp:
    def __init__(self, calls: list[CallInfo] | None = None) -> None:
        self._calls = calls if calls is not None else [call(1), call(2)]
        self.settings = Settings()
        self.transfers = Facade()
        self.calls = Facade()
        self.recordings = Facade(set="/tmp/rec/call-1.wav")
        self.voicemail = Facade(call=call(3))
        self.conference = Facade(calls=lambda: [1, 2])
        self.blf = Facade(lines=lambda: [], pickup=call(4))
        self.presence = Facade(state=lambda: (PresenceState.BUSY, "in a meeting"))
        self.rules = Facade(last_results=lambda: {})
        self.messages = Facade(
            send=7,
            conversations=lambda: [],
            conversation=lambda uri, limit: [],
            peer_key=lambda uri: f"sip:{uri}@pbx",
            mark_read=lambda uri: None,
        )

    def list_calls(self) -> list[CallInfo]:
        return self._calls

    def dial(self, target: str, account: str | None, intercom: bool = False) -> Any:
        return done(call(5))

    def mute(self, on: bool, info: CallInfo) -> Any:
        return done()

    def set_sas_verified(self, call: int, verified: bool) -> Any:
        return done()

    def caller(self, target: str) -> None:
        return None


def run(app: FakeApp, *lines: str, as_json: bool = False) -> list[str]:
    """What the console prints for `lines`, as the real Console words it."""
    console = Console(app, as_json=as_json)  # type: ignore[arg-type]
    out: list[str] = []
    console._print = out.append  # type: ignore[method-assign,assignment]
    for line in lines:
        console.line = line
        console._command(line.split())
    return out


def both(app_factory: Any, *lines: str) -> tuple[list[str], list[str]]:
    english = run(app_factory(), *lines)
    set_language("de")
    german = run(app_factory(), *lines)
    set_language("en")
    return english, german


def test_call_commands_reply_in_german_and_english_is_unchanged() -> None:
    lines = (
        "transfer 1003 1",
        "attended 1 2",
        "deflect 1003 2",
        "record on 1",
        "record off 1",
        "intercom 1005",
        "voicemail",
        "sas-verify 1",
        "sas-unverify 2",
        "pickup 1004",
        "split 2",
        "mute 1",
        "unmute 2",
    )
    english, german = both(FakeApp, *lines)
    assert english == [
        "call 1: transferring to 1003",
        "call 1: connecting its party with call 2's",
        "call 2: deflected to 1003",
        "call 1: recording to /tmp/rec/call-1.wav",
        "call 1: recording stopped",
        "call 5: dialing sip:1005@pbx (intercom)",
        "call 3: dialing the voicemail sip:1003@pbx",
        "call 1: SAS verified",
        "call 2: SAS not verified",
        "call 4: picking up the call at 1004 (sip:1004@pbx)",
        "call 2: split from the conference, held",
        "call 1: out of the conference mix",
        "call 2: back in the conference mix",
    ]
    assert german == [
        "Anruf 1: vermittle an 1003",
        "Anruf 1: verbinde seine Gegenseite mit der von Anruf 2",
        "Anruf 2: umgeleitet an 1003",
        "Anruf 1: Aufzeichnung in /tmp/rec/call-1.wav",
        "Anruf 1: Aufzeichnung beendet",
        "Anruf 5: wähle sip:1005@pbx (InterCom)",
        "Anruf 3: wähle die Mailbox sip:1003@pbx",
        "Anruf 1: Sicherheitscode (SAS) bestätigt",
        "Anruf 2: Sicherheitscode (SAS) nicht bestätigt",
        "Anruf 4: hole den Anruf bei 1004 heran (sip:1004@pbx)",
        "Anruf 2: aus der Konferenz getrennt, gehalten",
        "Anruf 1: in der Konferenz stummgeschaltet (nicht mehr zu hören)",
        "Anruf 2: in der Konferenz wieder zu hören",
    ]


def test_a_mute_outside_the_conference_and_the_conference_itself() -> None:
    def outside() -> FakeApp:
        app = FakeApp([call(1), call(2), call(3)])
        app.conference = Facade(calls=lambda: [1, 2])
        return app

    english, german = both(outside, "mute 3", "unmute 3", "conference")
    assert english == ["call 3: muted", "call 3: unmuted", "conference: calls 1 2"]
    assert german == [
        "Anruf 3: stummgeschaltet",
        "Anruf 3: Stummschaltung aufgehoben",
        "Konferenz: Anrufe 1 2",
    ]


def test_usage_errors_are_german() -> None:
    lines = (
        "transfer",
        "attended 1",
        "deflect",
        "record",
        "intercom",
        "blf",
        "pickup",
        "split",
        "watch",
        "unwatch",
        "message 1002",
        "presence sleeping",
        "rule-test x",
    )
    english, german = both(FakeApp, *lines)
    assert len(english) == len(german) == len(lines)
    assert all(line.startswith("error: ") for line in english[:-1])
    assert english[-1] == "usage: rule-test N (N from 0 to -1; see `rules`)"
    assert english[0] == "error: transfer to whom? e.g. 'transfer 1003' or 'transfer 1003 2'"
    assert english[11] == (
        "error: no presence state 'sleeping'; one of: "
        "online, invisible, away, busy, offline, lunch, on-the-phone, brb"
    )
    assert all(line.startswith("Fehler: ") for line in german[:-1]), german
    assert german[0] == "Fehler: An wen vermitteln? z. B. 'transfer 1003' oder 'transfer 1003 2'"
    assert german[1] == "Fehler: attended braucht zwei Anrufe, z. B. 'attended 1 2'; siehe 'calls'"
    assert german[3] == "Fehler: Aufzeichnung ein oder aus? z. B. 'record on' oder 'record off 2'"
    # the states a person types stay the codes
    assert german[11] == (
        "Fehler: Kein Präsenzstatus 'sleeping'; möglich sind: "
        "online, invisible, away, busy, offline, lunch, on-the-phone, brb"
    )
    assert german[-1] == "Aufruf: rule-test N (N von 0 bis -1; siehe `rules`)"


def test_deflect_without_a_ringing_call() -> None:
    english, german = both(FakeApp, "deflect 1003")
    assert english == ["error: no call is ringing; give the call number (see 'calls')"]
    assert german == [
        "Fehler: Kein Anruf klingelt; geben Sie die Nummer des Anrufs an (siehe 'calls')"
    ]


def test_presence_and_watching() -> None:
    english, german = both(
        FakeApp, "presence", "presence lunch back at 2", "watch 1002", "unwatch 1002", "blf 1003"
    )
    assert english == [
        "presence: busy — in a meeting",
        "presence: at lunch — back at 2",
        "watching 1002",
        "no longer watching 1002",
        "1003: watched",
    ]
    assert german[0] == "Präsenz: busy — in a meeting"  # the state as typed, a code
    assert german[1].startswith("Präsenz: ") and german[1].endswith(" — back at 2")
    assert german[2:] == ["beobachte 1002", "beobachte 1002 nicht mehr", "1003: wird beobachtet"]


def test_the_help_literal_lists_the_presence_states() -> None:
    assert "STATE: " + "|".join(STATES) + ")" in commands_presence.HELP


def test_messages_list_conversation_and_event_line() -> None:
    at = time.mktime((2026, 12, 3, 9, 30, 0, 0, 0, -1))

    def with_messages() -> FakeApp:
        app = FakeApp()
        app.messages.answers["conversations"] = lambda: [
            ConversationInfo("sip:1002@pbx", "Bob", "see you", at, 2, "out")
        ]
        app.messages.answers["conversation"] = lambda uri, limit: [
            StoredMessage(1, "sip:1002@pbx", "office", "in", "hi", at, "received"),
            StoredMessage(2, "sip:1002@pbx", "office", "out", "see you", at, "delivered", 200),
            StoredMessage(3, "sip:1002@pbx", "office", "out", "?", at, "failed", 404),
        ]
        return app

    english, german = both(with_messages, "message 1002 Hello  there", "messages", "messages 1002")
    assert english == [
        "message 7 to 1002: sending",
        "sip:1002@pbx (Bob): 2 unread — 2026-12-03 09:30 > see you",
        "2026-12-03 09:30 < hi",
        "2026-12-03 09:30 > see you [delivered 200]",
        "2026-12-03 09:30 > ? [failed 404]",
    ]
    assert german == [
        "Nachricht 7 an 1002: wird gesendet",
        "sip:1002@pbx (Bob): 2 ungelesen — 2026-12-03 09:30 > see you",
        "2026-12-03 09:30 < hi",
        "2026-12-03 09:30 > see you [zugestellt 200]",
        "2026-12-03 09:30 > ? [fehlgeschlagen 404]",
    ]
    english, german = both(FakeApp, "messages", "messages 1002")
    assert english == ["no conversations", "no messages with sip:1002@pbx"]
    assert german == ["keine Unterhaltungen", "keine Nachrichten mit sip:1002@pbx"]
    data = {"event": "message", "from": "sip:1002@pbx", "sender_name": "Bob", "text": "{hi}"}
    assert event_line(data) == "message from sip:1002@pbx (Bob): {hi}"
    set_language("de")
    assert event_line(data) == "Nachricht von sip:1002@pbx (Bob): {hi}"  # the text untouched


def test_rules_and_a_rule_test() -> None:
    def with_rules() -> FakeApp:
        app = FakeApp()
        app.settings = Settings.model_validate(
            {
                "automation": {
                    "rules": [
                        {"name": "crm", "event": "call", "state": "ringing", "address": "x"},
                        {"enabled": False, "action": "program", "address": "notify"},
                    ]
                }
            }
        )
        ran = RuleRan(0, "crm", "call", "ringing", RuleProblem.TIMEOUT, None, "after 5 s")
        app.rules = Facade(
            last_results=lambda: {0: ran},
            test=RuleRan(1, "", "call", "ringing", None, 0, test=True),
        )
        return app

    english, german = both(with_rules, "rules", "rule-test 1")
    assert english == [
        "0: [on] call ringing any → url x | last: rule 0 (crm): call ringing — the server did "
        "not answer in time: after 5 s",
        "1: [off] call ringing any → program notify | last: not run yet",
        "rule 1: test run — done, 0",
    ]
    assert german == [
        "0: [ein] call ringing any → url x | zuletzt: Regel 0 (crm): call ringing — der Server "
        "hat nicht rechtzeitig geantwortet: after 5 s",
        "1: [aus] call ringing any → program notify | zuletzt: noch nicht ausgeführt",
        "Regel 1: Testlauf — erledigt, 0",
    ]
    english, german = both(FakeApp, "rules")
    assert english == ["no event rules (add [[automation.rules]] to the settings file)"]
    assert german == [
        "keine Ereignisregeln ([[automation.rules]] in der Einstellungsdatei ergänzen)"
    ]


def test_json_replies_keep_their_keys_and_only_the_text_is_german() -> None:
    set_language("de")
    out = [json.loads(line) for line in run(FakeApp(), "transfer 1003 1", as_json=True)]
    assert out == [{"event": "reply", "text": "Anruf 1: vermittle an 1003"}]


def test_help_parts_are_marked_for_translation() -> None:
    from parley.cli import commands_transfer
    from parley.cli.i18n import tr

    assert commands_transfer.HELP == "transfer TARGET [CALL] | attended CALL_A CALL_B"
    set_language("de")
    assert tr(commands_transfer.HELP) == "transfer ZIEL [ANRUF] | attended ANRUF_A ANRUF_B"
