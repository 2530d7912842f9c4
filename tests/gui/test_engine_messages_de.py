"""What the engine reports in codes reads German in the German desktop app: its errors
(sound devices, the SIP port, recordings...), failed commands, pickups, SIP answers and
settings problems. The engine's own English is at most a detail, introduced as such."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from german_walk import english_in
from gui_rig import GuiRig, account
from pydantic import ValidationError

from parley.app.blf import PickupFailed
from parley.app.context import AppError
from parley.gui.i18n import set_language
from parley.gui.texts import (
    issue_text,
    phone_error_detail,
    phone_error_text,
    pickup_text,
    problem_detail,
    problem_text,
    sip_answer_text,
)
from parley.media.engine import AudioConfig, AudioNotice, AudioProblem, MediaEngine
from parley.phone.events import PhoneError, PhoneErrorCode
from parley.phone.outgoing import DialError
from parley.phone.pickup import PickupProblem
from parley.phone.transfer import TransferError
from parley.settings import AccountSettings, Settings
from parley.settings.errors import ConfigError, describe_validation_error
from peers.common import free_port

NO_DEVICE = "Parley test device that is not there"


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


def test_every_engine_error_code_has_german_words() -> None:
    for code in PhoneErrorCode:
        event = PhoneError(
            text="Cannot open the SIP port 5060: address already in use",
            code=code,
            subject="5060",
            detail="Errno 98",
        )
        text = phone_error_text(event)
        assert text and not english_in(text), (code, text)
        assert "Cannot open" not in text + phone_error_detail(event)
    # Without a code: our words, the engine's only as details.
    legacy = PhoneError(text="Something broke in the engine")
    assert phone_error_text(legacy) == "Im Telefon ist ein Fehler aufgetreten."
    assert phone_error_detail(legacy) == "Details: Something broke in the engine"


def test_pickup_problems_are_german_and_the_app_says_no_sentence() -> None:
    for problem in PickupProblem:
        failed = PickupFailed(problem, "sip:1003@pbx.example.com")
        text = problem_text(failed)
        assert text == pickup_text(problem, "1003") and not english_in(text), text
        assert "1003" in text and problem_detail(failed) == ""
        assert str(failed) == f"pickup at sip:1003@pbx.example.com: {problem.value}"


def test_failed_commands_say_what_failed_in_german_with_the_details_apart() -> None:
    cases = {
        DialError("no account can place this call"): "Der Anruf kam nicht zustande.",
        TransferError("the call is not connected"): "Der Anruf ließ sich nicht vermitteln.",
        AppError("no call 7"): "Das war nicht möglich.",
        RuntimeError("boom"): "Etwas ist schiefgegangen.",
    }
    for exc, german in cases.items():
        assert problem_text(exc) == german
        assert problem_detail(exc) == f"Details: {exc}"


def test_sip_answers_in_our_words() -> None:
    assert sip_answer_text(486) == "486 Besetzt"
    assert sip_answer_text(404) == "404 Nicht gefunden"
    assert sip_answer_text(503) == "503 Dienst nicht verfügbar"
    assert sip_answer_text(None) == ""


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"domain": "pbx example"}, "domain", "„pbx example“ ist keine gültige Domain"),
        ({"username": "10 01"}, "username", "keine Leerzeichen"),
        ({"transport": "sctp"}, "transport", "„sctp“ ist keiner dieser Werte: udp, tcp"),
        ({"expires": 10**9}, "expires", "ist zu groß: höchstens 86400"),
        ({"voicemail_extension": "* 98"}, "voicemail_extension", "keine wählbare Rufnummer"),
        ({"keepalive_interval": 2}, "keepalive_interval", "2 Sekunden sind zu häufig"),
    ],
)
def test_settings_problems_from_the_error_type_and_field(
    values: dict[str, Any], field: str, words: str
) -> None:
    base = {"name": "office", "domain": "pbx.example.com", "username": "1001"}
    with pytest.raises(ValidationError) as caught:
        AccountSettings(**{**base, **values})
    [issue] = describe_validation_error(caught.value, AccountSettings)
    assert issue.key == field
    text = issue_text(issue)
    assert words in text and not english_in(text), text


def test_a_missing_sound_device_is_told_by_code() -> None:
    notices: list[AudioNotice] = []
    engine = MediaEngine(AudioConfig(input=NO_DEVICE, output=NO_DEVICE), notices.append)
    try:
        assert [n.problem for n in notices] == [AudioProblem.UNAVAILABLE], notices
        assert "using silence" in str(notices[0])  # English for logs and the console
    finally:
        engine.stop()


def test_a_missing_sound_device_reads_german_in_the_status_bar(
    make_rig: Callable[..., GuiRig],
) -> None:
    rig = make_rig(Settings(), audio=AudioConfig(input=NO_DEVICE, output=NO_DEVICE))
    rig.start()
    status = rig.window.status
    rig.wait(lambda: "Audiogerät" in status.message.text())
    assert status.message.text() == (
        "Es ließ sich kein Audiogerät öffnen: Gespräche sind ohne Ton. Prüfen Sie die "
        "Audio-Einstellungen."
    )
    assert status.has_unseen_error
    # The device layer's own words only in the tooltip, introduced as details.
    tip = status.error_button.toolTip()
    assert tip.startswith(status.message.text()) and "\nDetails: " in tip, tip


def test_a_sip_port_in_use_reads_german_in_the_status_bar(
    make_rig: Callable[..., GuiRig],
) -> None:
    port = free_port("both")
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", port))
    try:
        rig = make_rig(Settings(accounts=[account("127.0.0.1:5999", local_port=port)]))
        with pytest.raises(Exception):  # noqa: B017 — the start fails; the window says why
            rig.app.start().result(20)
        status = rig.window.status
        rig.wait(lambda: f"SIP-Port {port}" in status.message.text())
        assert status.message.text() == (
            f"Parley kann den SIP-Port {port} nicht öffnen: Vielleicht belegt ihn ein "
            "anderes Programm. Wählen Sie in den Kontoeinstellungen einen anderen lokalen "
            "Port."
        )
    finally:
        taken.close()


def test_a_refused_pickup_reads_german_in_the_status_bar(
    make_rig: Callable[..., GuiRig],
) -> None:
    rig = make_rig(
        Settings(accounts=[account("127.0.0.1:5999", use_blf=True, blf_extensions=["1003"])])
    )
    rig.start()
    rig.bridge.run(rig.app.blf.pickup("1003"))  # nothing rings there
    message = rig.window.status.message
    rig.wait(lambda: bool(message.text()) and "1003" in message.text())
    assert message.text() == "Heranholen nicht möglich: Bei 1003 klingelt gerade nichts."


def test_a_settings_file_that_cannot_be_written_is_said_in_german(tmp_path: Any) -> None:
    from parley.settings import save_settings

    folder = tmp_path / "a file, not a folder"
    folder.write_text("")
    with pytest.raises(ConfigError) as caught:
        save_settings(Settings(), folder / "settings.toml")
    [issue] = caught.value.issues
    assert issue_text(issue).startswith("Die Einstellungsdatei ließ sich nicht schreiben")
