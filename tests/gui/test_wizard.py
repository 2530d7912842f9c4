"""The first-start account wizard against a real Kamailio on 127.0.0.1, the first-start
sequence, and the audio assistant on a started Application with null audio."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog

from audio_tools import write_wav
from parley.app import Application
from parley.gui.audio_assistant import AudioAssistant, meter_percent
from parley.gui.wizard import AccountWizard, explain_failure, first_start
from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, RegCause, RegState
from parley.settings import AccountSettings, Settings, load_settings, save_settings
from peers.kamailio import Kamailio

WAIT_MS = 20_000


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Application]]:
    """Applications on tmp_path/settings.toml (started on request), stopped at the end."""
    apps: list[Application] = []

    def make(
        settings: Settings | None = None, *, start: bool = True, microphone: str = "null"
    ) -> Application:
        path = tmp_path / "settings.toml"
        if settings is not None:
            save_settings(settings, path)
        app = Application(
            path,
            use_keyring=False,
            data_dir=tmp_path / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(input=microphone, output="null"),
        )
        apps.append(app)
        if start:
            app.start().result(20)
        return app

    yield make
    for app in apps:
        app.stop()


def fill(wizard: AccountWizard, domain: str, user: str, password: str) -> None:
    wizard.domain.setText(domain)
    wizard.username.setText(user)
    wizard.password.setText(password)


@pytest.mark.interop
def test_wizard_sets_up_an_account_registered_at_kamailio(
    qtbot: Any, kamailio: Kamailio, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    app = make_app()
    assert not app.settings.accounts
    wizard = AccountWizard(app, first_start=True)
    qtbot.addWidget(wizard)
    wizard.show()
    fill(wizard, f"127.0.0.1:{kamailio.udp_port}", "1001", "pass1001")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.registered, timeout=WAIT_MS)
    assert "Registered" in wizard.status.text()
    assert wizard.finish_button.isVisible()
    assert kamailio.lookup("1001"), "Kamailio has no registration for 1001"
    saved = load_settings(tmp_path / "settings.toml")
    assert [(a.name, a.domain, a.username) for a in saved.accounts] == [
        (f"1001@127.0.0.1:{kamailio.udp_port}", f"127.0.0.1:{kamailio.udp_port}", "1001")
    ]
    assert saved.accounts[0].password is None  # no keyring consent: not in the file
    wizard.finish_button.click()
    assert wizard.result() == QDialog.DialogCode.Accepted.value


@pytest.mark.interop
def test_wizard_says_why_registration_failed(
    qtbot: Any, kamailio: Kamailio, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    app = make_app()
    wizard = AccountWizard(app)
    qtbot.addWidget(wizard)
    wizard.show()
    fill(wizard, f"127.0.0.1:{kamailio.udp_port}", "1001", "wrong password")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.register_button.isEnabled(), timeout=WAIT_MS)
    text = wizard.status.text()
    assert text == (
        "The server did not accept the password for user 1001. Check the password and its "
        "capitalisation."
    )
    assert not wizard.registered
    assert wizard.keep_button.isVisible()
    # Correct the password and try again: the same account is updated and registers.
    wizard.password.setText("pass1001")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.registered, timeout=WAIT_MS)
    assert len(load_settings(tmp_path / "settings.toml").accounts) == 1
    assert kamailio.lookup("1001")


@pytest.mark.interop
def test_cancelled_wizard_removes_the_account_that_did_not_register(
    qtbot: Any, kamailio: Kamailio, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    app = make_app()
    wizard = AccountWizard(app)
    qtbot.addWidget(wizard)
    fill(wizard, f"127.0.0.1:{kamailio.udp_port}", "1002", "nope")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.register_button.isEnabled(), timeout=WAIT_MS)
    wizard.cancel_button.click()
    assert load_settings(tmp_path / "settings.toml").accounts == []


def test_wizard_marks_missing_and_wrong_fields_and_saves_nothing(
    qtbot: Any, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    app = make_app(start=False)
    wizard = AccountWizard(app)
    qtbot.addWidget(wizard)
    assert not wizard.register_account()
    assert wizard.error_text("domain") == "Please fill this in."
    assert wizard.error_text("username") == "Please fill this in."
    fill(wizard, "pbx example com", "1001", "")
    assert not wizard.register_account()
    assert "not a valid domain" in wizard.error_text("domain")
    assert wizard.error_text("password") == "Please fill this in."
    assert not (tmp_path / "settings.toml").exists()


def failed(status: int | None, cause: RegCause, **extra: Any) -> AccountStateChanged:
    return AccountStateChanged(
        account="a",
        state=RegState.FAILED,
        status=status,
        reason="",
        cause=cause,
        user="1001",
        domain="pbx.example.com",
        transport="udp",
        **extra,
    )


def test_failure_explanations_name_the_cause_and_the_field() -> None:
    wrong = explain_failure(failed(403, RegCause.WRONG_PASSWORD))
    assert wrong.field == "password" and "did not accept the password" in wrong.text
    assert explain_failure(failed(403, RegCause.REFUSED)).field == "password"
    unknown_user = explain_failure(failed(404, RegCause.REFUSED))
    assert unknown_user.field == "username" and "does not know" in unknown_user.text
    silent = explain_failure(failed(408, RegCause.NO_RESPONSE, server="udp:192.0.2.1:5060"))
    assert silent.field == "domain"
    assert silent.text.startswith("No answer from 192.0.2.1:5060 over UDP.")
    assert "408" not in silent.text and "answered" not in silent.text
    dns = explain_failure(failed(503, RegCause.UNREACHABLE, detail="no such domain"))
    assert dns.field == "domain" and dns.text.startswith("Parley cannot find a server named")
    assert "right now" not in dns.text and "keeps trying" not in dns.text
    refused = explain_failure(failed(503, RegCause.UNREACHABLE, server="tcp:192.0.2.1:5060"))
    assert refused.text.startswith("Parley could not connect to 192.0.2.1:5060 over TCP.")
    busy = explain_failure(failed(503, RegCause.REFUSED))
    assert busy.field == "" and "keeps trying" in busy.text


def test_first_start_runs_wizard_then_assistant_only_without_accounts(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    app = make_app(start=False)
    shown: list[str] = []

    def accept(dialog: QDialog) -> int:
        qtbot.addWidget(dialog)
        shown.append(type(dialog).__name__)
        return QDialog.DialogCode.Accepted.value

    assert first_start(app, run=accept)
    assert shown == ["AccountWizard", "AudioAssistant"]

    shown.clear()

    def skip(dialog: QDialog) -> int:
        qtbot.addWidget(dialog)
        shown.append(type(dialog).__name__)
        return QDialog.DialogCode.Rejected.value

    assert first_start(app, run=skip)
    assert shown == ["AccountWizard"]  # skipped wizard: no assistant either

    shown.clear()
    with_account = make_app(
        Settings(accounts=[AccountSettings(name="office", domain="127.0.0.1", username="1")]),
        start=False,
    )
    assert not first_start(with_account, run=accept)
    assert shown == []


def test_meter_scale() -> None:
    assert meter_percent(-math.inf) == 0
    assert meter_percent(-80.0) == 0
    assert meter_percent(-30.0) == 50
    assert meter_percent(0.0) == 100


def test_audio_assistant_reads_the_level_plays_a_tone_and_saves_devices(
    qtbot: Any, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    app = make_app()
    assistant = AudioAssistant(app, devices={"input": ["Mic"], "output": ["Spk"]})
    qtbot.addWidget(assistant)
    assistant.show()
    # The null device gives silence: the meter has been read and stays at the bottom.
    qtbot.waitUntil(lambda: assistant.readings >= 2)
    assert assistant.level_text.text() == "silence"
    assert assistant.meter.value() == 0
    assert app.input_level_db().result(5) == -math.inf
    assistant.test_button.click()
    assert assistant.test_button.text() == "Playing…"
    assert "You should hear a soft chord now" in assistant.note.text()
    qtbot.waitUntil(lambda: assistant.test_button.isEnabled(), timeout=WAIT_MS)
    assert assistant.test_button.text() == "Play test sound"
    assert "could not be played" not in assistant.note.text()
    assistant.input.setCurrentIndex(assistant.input.findText("Mic"))
    assert "next" in assistant.note.text() or "again" in assistant.note.text()
    assistant.output.setCurrentIndex(assistant.output.findText("Spk"))
    assert assistant.finish()
    media = load_settings(tmp_path / "settings.toml").media
    assert (media.input_device, media.output_device) == ("Mic", "Spk")


def test_audio_assistant_meter_follows_the_microphone_signal(
    qtbot: Any, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    """A 1 kHz tone at -12 dBFS RMS fed into the microphone port moves the meter to
    about -12 dB; the silence of the null microphone (the test above) leaves it at 0."""
    rate = 48000
    t = np.arange(rate * 2) / rate
    tone = 0.25 * 32767 * np.sqrt(2) * np.sin(2 * np.pi * 1000 * t)  # -12 dBFS RMS
    wav = write_wav(tmp_path / "tone.wav", tone, rate)
    app = make_app(microphone=f"file:{wav}")
    assistant = AudioAssistant(app, devices={"input": ["Mic"], "output": ["Spk"]})
    qtbot.addWidget(assistant)
    assistant.show()
    qtbot.waitUntil(lambda: assistant.meter.value() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: assistant.level_text.text() != "–", timeout=WAIT_MS)
    assert -14.0 <= assistant.level_db <= -10.0, assistant.level_db
    assert assistant.meter.value() == meter_percent(assistant.level_db) >= 75
    assert assistant.level_text.text() == f"{assistant.level_db:.0f} dB"
