"""The console's frame in German: with `[gui] language = "de"` the help line, the replies
and usage errors of the commands, the words around event lines and the start-up errors
are German; the command words and the JSON codes (keys, states, ids) are not translated;
English stays byte-identical."""

from __future__ import annotations

import concurrent.futures
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parley.app.snapshots import AccountInfo, CallInfo
from parley.cli.console import Console, _passwords
from parley.cli.i18n import set_language
from parley.cli.main import main
from parley.phone.events import (
    AccountStateChanged,
    CallDirection,
    CallPhase,
    CallStateChanged,
    RegState,
)
from parley.settings import load_settings

ENGLISH_HELP_START = (
    "commands: dial TARGET [ACCOUNT] | answer [CALL] | reject [CALL] | hangup [CALL] | "
    "hold [CALL] | resume [CALL] | switch CALL | mute | unmute | dtmf DIGITS [CALL] | calls | "
    "stats [CALL] | history [N] | accounts | register NAME | unregister NAME | trace on|off | "
    "help | quit | "
)


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def done(value: Any = None) -> concurrent.futures.Future[Any]:
    f: concurrent.futures.Future[Any] = concurrent.futures.Future()
    f.set_result(value)
    return f


class NoConference:
    def calls(self) -> list[int]:
        return []


class FakeApp:
    """The facade as far as the frame's commands use it."""

    def __init__(self, calls: list[CallInfo] | None = None) -> None:
        self.calls = calls or []
        self.muted: list[bool] = []
        self.conference = NoConference()

    def accounts(self) -> list[AccountInfo]:
        return [AccountInfo(name="office", state="registered")]

    def list_calls(self) -> list[CallInfo]:
        return self.calls

    def dial(self, target: str, account: str | None) -> concurrent.futures.Future[CallInfo]:
        return done(call_info(id=4, remote=f"sip:{target}@pbx", state="dialing"))

    def mute(self, on: bool) -> concurrent.futures.Future[None]:
        self.muted.append(on)
        return done()

    def caller(self, number: str) -> None:
        return None


class Capture(Console):
    """The real console, its printed lines kept in `out`."""

    def __init__(self, app: FakeApp, out: list[str], *, as_json: bool) -> None:
        super().__init__(app, as_json=as_json)  # type: ignore[arg-type]
        self.out = out

    def _print(self, line: str) -> None:
        self.out.append(line)


def call_info(**kw: Any) -> CallInfo:
    base: dict[str, Any] = {
        "id": 3,
        "account": "office",
        "direction": "outgoing",
        "state": "connected",
        "remote": "sip:1002@pbx",
        "number": "1002",
    }
    base.update(kw)
    return CallInfo(**base)


def replies(app: FakeApp, *lines: str, as_json: bool = False) -> list[str]:
    """What the console prints for each command line (one list entry per printed line)."""
    out: list[str] = []
    console = Capture(app, out, as_json=as_json)
    for line in lines:
        console._command(line.split())
    return out


# -- help and usage errors ---------------------------------------------------------------


def test_help_is_german_with_english_command_words() -> None:
    set_language("de")
    (text,) = replies(FakeApp(), "help")
    assert text.startswith("Befehle: dial ZIEL [KONTO] | answer [ANRUF] | ")
    assert "dtmf ZIFFERN [ANRUF]" in text and "register NAME" in text
    # The feature modules' parts (after "quit") are theirs: German once they have entries.
    own = text.split(" | quit")[0]
    assert "commands:" not in own and "TARGET" not in own and "[CALL]" not in own


def test_help_in_english_is_unchanged() -> None:
    (text,) = replies(FakeApp(), "help")
    assert text.startswith(ENGLISH_HELP_START)
    assert text == Console.help_text()


def test_unknown_command_is_german_and_names_the_command() -> None:
    set_language("de")
    (text,) = replies(FakeApp(), "frobnicate")
    assert text.startswith("Fehler: unbekannter Befehl 'frobnicate'; Befehle: dial ZIEL")


def test_usage_errors_in_german() -> None:
    set_language("de")
    out = replies(FakeApp(), "dial", "dtmf", "register nobody")
    assert out == [
        "Fehler: Was soll gewählt werden? z. B. 'dial 1002' oder 'dial sip:1002@pbx'",
        "Fehler: Welche Ziffern soll dtmf senden?",
        "Fehler: kein Konto 'nobody'; die Konten zeigt 'accounts'",
    ]


def test_usage_errors_in_english_are_unchanged() -> None:
    out = replies(FakeApp(), "dial", "dtmf", "register nobody", "frobnicate")
    assert out[:3] == [
        "error: dial what? e.g. 'dial 1002' or 'dial sip:1002@pbx'",
        "error: dtmf which digits?",
        "error: no account 'nobody'; try 'accounts'",
    ]
    assert out[3] == f"error: unknown command 'frobnicate'; {Console.help_text()}"


# -- replies ------------------------------------------------------------------------------


def test_replies_in_german() -> None:
    set_language("de")
    held = call_info(state="held", held="them")
    zrtp = call_info(id=5, media_encryption="zrtp", sas="k7x2", sas_verified=True)
    out = replies(FakeApp(), "calls", "dial 1002", "mute", "unmute")
    assert out == ["keine Anrufe", "Anruf 4: wählt sip:1002@pbx", "stumm", "nicht mehr stumm"]
    out = replies(FakeApp([held, zrtp]), "calls")
    assert out == [
        "Anruf 3 outgoing sip:1002@pbx: held, gehalten von them",
        "Anruf 5 outgoing sip:1002@pbx: connected, ZRTP-SAS k7x2 (bestätigt)",
    ]


def test_replies_in_english_are_unchanged() -> None:
    held = call_info(state="held", held="them")
    zrtp = call_info(id=5, media_encryption="zrtp", sas="k7x2", sas_verified=True)
    out = replies(FakeApp(), "calls", "dial 1002", "mute", "unmute")
    assert out == ["no calls", "call 4: dialing sip:1002@pbx", "muted", "unmuted"]
    out = replies(FakeApp([held, zrtp]), "calls")
    assert out == [
        "call 3 outgoing sip:1002@pbx: held, held by them",
        "call 5 outgoing sip:1002@pbx: connected, ZRTP SAS k7x2 (verified)",
    ]


def test_json_reply_keeps_its_keys_and_translates_the_text() -> None:
    set_language("de")
    (line,) = replies(FakeApp(), "dial 1002", as_json=True)
    assert json.loads(line) == {"event": "reply", "text": "Anruf 4: wählt sip:1002@pbx"}


def test_a_failing_command_is_reported_in_german(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command loop's catch-all: "error: …" in the language, the lower layer's own
    words inserted as they came."""

    class Broken(FakeApp):
        def dial(self, target: str, account: str | None) -> concurrent.futures.Future[CallInfo]:
            raise ValueError("no such account 'home'")

        def start(self) -> concurrent.futures.Future[None]:
            return done()

        def subscribe(self, handler: object) -> None:
            pass

        def stop(self) -> None:
            pass

    def run(language: str) -> list[str]:
        set_language(language)
        out: list[str] = []
        console = Capture(Broken(), out, as_json=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO("dial 1002 home\n"))
        assert console.run() == 0
        return out

    assert run("de") == ["Fehler: no such account 'home'"]
    assert run("en") == ["error: no such account 'home'"]


# -- event lines in text mode ---------------------------------------------------------------


def account_event() -> AccountStateChanged:
    return AccountStateChanged(
        account="office", state=RegState.REGISTERED, status=200, reason="OK", expires=600
    )


def ended_call() -> CallStateChanged:
    return CallStateChanged(
        call=2,
        account="office",
        direction=CallDirection("outgoing"),
        state=CallPhase("ended"),
        remote="sip:1002@pbx",
        status=486,
        reason="Busy Here",
    )


def event_lines(*events: Any, as_json: bool = False) -> list[str]:
    out: list[str] = []
    console = Capture(FakeApp(), out, as_json=as_json)
    for event in events:
        console.print_event(event)
    return out


def test_event_lines_are_framed_in_german_with_codes_kept() -> None:
    set_language("de")
    account, call = event_lines(account_event(), ended_call())
    assert account.startswith("Konto office: registered (200 OK) — ")
    assert call.startswith("Anruf 2 outgoing sip:1002@pbx: ended (486 Busy Here) — ")


def test_event_lines_in_english_are_unchanged() -> None:
    account, call = event_lines(account_event(), ended_call())
    assert account == "account office: registered (200 OK) — Registered for 600 s."
    assert call == "call 2 outgoing sip:1002@pbx: ended (486 Busy Here) — Busy"


def test_json_events_keep_their_codes_in_german() -> None:
    english = [json.loads(line) for line in event_lines(ended_call(), as_json=True)]
    set_language("de")
    german = [json.loads(line) for line in event_lines(ended_call(), as_json=True)]
    for en, de in zip(english, german, strict=True):
        assert {k: v for k, v in de.items() if k != "text"} == {
            k: v for k, v in en.items() if k != "text"
        }
    assert german[0]["state"] == "ended" and german[0]["event"] == "call"


# -- start-up ---------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_startup_error_after_the_settings_loaded_is_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, '[gui]\nlanguage = "de"\n')
    assert main(["console", "--config", str(config), "--bind", "127.0.0.1"]) == 2
    err = capsys.readouterr().err
    assert "kein Konto ([[accounts]]) in den Einstellungen — legen Sie eines an" in err
    assert "settings.toml" in err


def test_a_settings_file_that_does_not_load_is_reported_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The language is a setting: when the file does not load, it is not known."""
    set_language("de")  # even after an earlier German run in this process
    config = write(tmp_path, '[gui]\nlanguage = "de"\n[[accounts]]\nname = "o\n')
    assert main(["console", "--config", str(config), "--bind", "127.0.0.1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("parley: ") and "line" in err and "Einstellung" not in err


def test_missing_play_file_in_german(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(
        tmp_path,
        '[gui]\nlanguage = "de"\n[[accounts]]\nname = "o"\ndomain = "127.0.0.1"\n'
        'username = "1001"\npassword = "x"\n',
    )
    argv = ["console", "--config", str(config), "--play", str(tmp_path / "none.wav")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"parley: --play {tmp_path / 'none.wav'}: Datei nicht gefunden\n"


def test_parley_call_speaks_the_settings_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(
        tmp_path,
        '[gui]\nlanguage = "de"\n[[accounts]]\nname = "o"\ndomain = "127.0.0.1"\n'
        'username = "1001"\npassword = "x"\n',
    )
    argv = ["call", "1002", "--config", str(config), "--play", str(tmp_path / "none.wav")]
    assert main(argv) == 2
    assert capsys.readouterr().err.endswith(": Datei nicht gefunden\n")


def test_password_problems_in_german_and_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`parley call` prints these on stderr; the keyring has no password for the account."""
    import parley.cli.console as console_module

    monkeypatch.setattr(console_module, "get_password", lambda account: None)
    config = write(tmp_path, '[[accounts]]\nname = "o"\ndomain = "127.0.0.1"\nusername = "1001"\n')
    settings = load_settings(config)
    assert _passwords(settings) == (
        {},
        [
            "account o: no password in the settings file or the keyring — "
            "registration will fail if the server asks for one"
        ],
    )
    set_language("de")
    assert _passwords(settings)[1] == [
        "Konto o: kein Passwort in der Einstellungsdatei oder im Schlüsselbund — "
        "die Registrierung schlägt fehl, wenn der Server eines verlangt"
    ]
