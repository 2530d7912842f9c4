"""The first start as a person meets it, each error against real peers on 127.0.0.1: a
wrong password at Kamailio, a closed UDP port, an unknown domain (a local dnsmasq), no
keyring; and the audio assistant without any sound device."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

import parley.phone.account
from parley.app import Application
from parley.gui import widgets
from parley.gui.audio_assistant import AudioAssistant
from parley.gui.i18n import set_language
from parley.gui.wizard import AccountWizard
from parley.media.engine import AudioConfig
from parley.net.dns import make_resolver
from parley.phone.events import AccountStateChanged, RegState
from parley.settings import load_settings
from peers.common import free_port
from peers.dnsmasq import Dnsmasq
from peers.kamailio import Kamailio, running_kamailio

WAIT_MS = 30_000
PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("kamailio"), PASSWORDS) as server:
        yield server


@pytest.fixture(scope="module")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dnsmasq]:
    """Answers NXDOMAIN for every name under .tset (the typo of .test); nothing else."""
    with Dnsmasq(tmp_path_factory.mktemp("dnsmasq"), None, ["local=/tset/"]) as server:
        yield server


@pytest.fixture
def local_dns(dns_server: Dnsmasq, monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts look names up at the local dnsmasq, never at the system's resolver (the
    wizard has no DNS field: an account made there would use the system's)."""
    monkeypatch.setattr(
        parley.phone.account,
        "make_resolver",
        lambda _servers, **kw: make_resolver([dns_server.nameserver], **kw),
    )


@pytest.fixture
def started(make_app: Callable[..., Application]) -> Callable[..., Application]:
    def make(**extra: Any) -> Application:
        app = make_app(**extra)
        app.start().result(20)
        return app

    return make


def shown_wizard(qtbot: Any, app: Application) -> AccountWizard:
    wizard = AccountWizard(app, first_start=True)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    wizard.resize(wizard.width(), wizard.minimumSizeHint().height())
    return wizard


def fill(wizard: AccountWizard, domain: str, user: str, password: str) -> None:
    wizard.domain.setText(domain)
    wizard.username.setText(user)
    wizard.password.setText(password)


def wait_for_outcome(qtbot: Any, wizard: AccountWizard) -> str:
    qtbot.waitUntil(lambda: wizard.register_button.isEnabled(), timeout=WAIT_MS)
    return wizard.status.text()


def assert_fully_shown(label: QLabel) -> None:
    """Visible, wrapping, and as tall as its text needs at its width (nothing cut)."""
    assert label.isVisible()
    assert label.wordWrap()
    assert label.height() >= label.heightForWidth(label.width()), (
        label.height(),
        label.heightForWidth(label.width()),
    )


def assert_fields_usable(wizard: AccountWizard) -> None:
    field: QWidget
    for field in (wizard.auth_username, wizard.transport, wizard.name, wizard.domain):
        assert field.height() >= field.sizeHint().height(), (field, field.height())


@pytest.mark.interop
def test_wrong_password_at_kamailio_leaves_the_cursor_in_the_password(
    qtbot: Any, kam: Kamailio, started: Callable[..., Application]
) -> None:
    wizard = shown_wizard(qtbot, started())
    before = wizard.height()
    fill(wizard, f"127.0.0.1:{kam.udp_port}", "1001", "Pass1001")
    wizard.register_button.click()
    text = wait_for_outcome(qtbot, wizard)
    assert text == (
        "The server did not accept the password for user 1001. Check the password and its "
        "capitalisation."
    )
    assert QApplication.focusWidget() is wizard.password
    assert wizard.password.selectedText() == "Pass1001"  # typing replaces it
    assert_fully_shown(wizard.status)
    assert_fields_usable(wizard)
    assert wizard.height() > before  # the message made room for itself
    # The show-password toggle shows what was typed, and hides it again.
    wizard.show_password.click()
    assert wizard.password.echoMode() == wizard.password.EchoMode.Normal
    wizard.show_password.click()
    assert wizard.password.echoMode() == wizard.password.EchoMode.Password
    wizard.password.setText("pass1001")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.finish_button.isVisible(), timeout=WAIT_MS)
    assert wizard.status.text() == "Registered. The account is ready."


@pytest.mark.interop
def test_closed_port_says_what_it_tries_then_one_sentence_and_grows(
    qtbot: Any, started: Callable[..., Application]
) -> None:
    wizard = shown_wizard(qtbot, started())
    before = wizard.height()
    port = free_port()  # nothing listens here
    fill(wizard, f"127.0.0.1:{port}", "1001", "pass1001")
    wizard.register_button.click()
    qtbot.waitUntil(
        lambda: wizard.status.text() == f"Contacting 127.0.0.1:{port} over UDP…", timeout=WAIT_MS
    )
    assert not wizard.register_button.isEnabled()
    text = wait_for_outcome(qtbot, wizard)
    assert text == (
        f"No answer from 127.0.0.1:{port} over UDP. Check the domain, the port and the "
        "transport, and that the PBX is running."
    )
    assert "408" not in text and "answered" not in text
    assert QApplication.focusWidget() is wizard.domain
    assert wizard.keep_button.isVisible()
    assert wizard.register_button.text() == "Try again"
    assert_fully_shown(wizard.status)
    assert_fields_usable(wizard)
    assert wizard.height() > before


@pytest.mark.interop
def test_the_late_timeout_after_the_give_up_leaves_the_user_typing(
    qtbot: Any, started: Callable[..., Application]
) -> None:
    """The REGISTER's own timeout (Timer F, 32 s) comes after the wizard has said "no
    answer": it must neither repeat the message nor pull the cursor back to the domain."""
    app = started()
    failures: list[AccountStateChanged] = []
    app.subscribe(
        lambda e: (
            failures.append(e)
            if isinstance(e, AccountStateChanged) and e.state == RegState.FAILED
            else None
        )
    )
    wizard = shown_wizard(qtbot, app)
    port = free_port()
    fill(wizard, f"127.0.0.1:{port}", "1001", "pass1001")
    wizard.register_button.click()
    text = wait_for_outcome(qtbot, wizard)
    assert text.startswith(f"No answer from 127.0.0.1:{port} over UDP.")
    assert not failures  # the wizard said it before the transaction gave up
    wizard.password.setFocus()
    qtbot.keyClick(wizard.password, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: bool(failures), timeout=60_000)
    qtbot.wait(300)  # the event's way through the bridge to the dialog
    assert wizard.status.text() == text
    assert QApplication.focusWidget() is wizard.password
    assert wizard.password.text() == "pass1001x"


@pytest.mark.interop
def test_unknown_domain_says_so_and_the_corrected_account_is_named_after_it(
    qtbot: Any, kam: Kamailio, started: Callable[..., Application], local_dns: None, tmp_path: Path
) -> None:
    wizard = shown_wizard(qtbot, started())
    fill(wizard, "pbx.tset", "1002", "pass1002")
    wizard.register_button.click()
    text = wait_for_outcome(qtbot, wizard)
    assert text.startswith(
        "Parley cannot find a server named pbx.tset. Check the domain for typing errors."
    )
    assert "Details" not in text  # the lookup's finding (no such domain) is the headline
    assert "right now" not in text and "keeps trying" not in text
    assert QApplication.focusWidget() is wizard.domain
    assert_fully_shown(wizard.status)
    assert_fields_usable(wizard)
    assert [a.name for a in load_settings(tmp_path / "settings.toml").accounts] == ["1002@pbx.tset"]
    wizard.domain.setText(f"127.0.0.1:{kam.udp_port}")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.finish_button.isVisible(), timeout=WAIT_MS)
    saved = load_settings(tmp_path / "settings.toml").accounts
    assert [(a.name, a.domain) for a in saved] == [
        (f"1002@127.0.0.1:{kam.udp_port}", f"127.0.0.1:{kam.udp_port}")
    ]
    assert kam.lookup("1002")


@pytest.mark.interop
def test_an_account_the_user_named_keeps_its_name_after_a_corrected_domain(
    qtbot: Any, kam: Kamailio, started: Callable[..., Application], local_dns: None, tmp_path: Path
) -> None:
    wizard = shown_wizard(qtbot, started())
    fill(wizard, "pbx.tset", "1003", "pass1003")
    wizard.name.setText("Office")
    wizard.register_button.click()
    wait_for_outcome(qtbot, wizard)
    wizard.domain.setText(f"127.0.0.1:{kam.udp_port}")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.finish_button.isVisible(), timeout=WAIT_MS)
    saved = load_settings(tmp_path / "settings.toml").accounts
    assert [(a.name, a.domain) for a in saved] == [("Office", f"127.0.0.1:{kam.udp_port}")]


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_without_a_keyring_the_wizard_says_so_in_full_and_offers_the_file(
    qtbot: Any, no_keyring: None, tmp_path: Path
) -> None:
    app = Application(
        tmp_path / "settings.toml",
        use_keyring=True,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    try:
        app.start().result(20)
        wizard = shown_wizard(qtbot, app)
        assert wizard.keyring_note.text() == (
            "This computer has no keyring, the safe store where programs keep passwords. "
            "Parley can keep the password in its settings file instead, in plain text: "
            "anyone who can read your files can read it. To keep it safe instead, install "
            "a keyring (for example GNOME Keyring or KWallet) and start Parley again."
        )
        assert_fully_shown(wizard.keyring_note)
        assert wizard.plaintext.isVisible() and wizard.plaintext.isChecked()
        assert wizard.plaintext.width() >= wizard.plaintext.sizeHint().width()  # not cut
        fill(wizard, f"127.0.0.1:{free_port()}", "1001", "pass1001")
        # Unticked: nothing is saved, the note says why and the cursor goes to the box.
        wizard.plaintext.click()
        assert not wizard.register_account()
        assert wizard.keyring_note.text().startswith(
            "Without a keyring the password can only be kept in the settings file."
        )
        assert_fully_shown(wizard.keyring_note)
        assert QApplication.focusWidget() is wizard.plaintext
        assert (
            not (tmp_path / "settings.toml").exists()
            or not load_settings(tmp_path / "settings.toml").accounts
        )
        # Ticked (as offered): the account is saved with its password in the file.
        wizard.plaintext.click()
        assert wizard.register_account()
        saved = load_settings(tmp_path / "settings.toml")
        assert saved.allow_plaintext_passwords
        assert saved.accounts[0].password is not None
        assert saved.accounts[0].password.get_secret_value() == "pass1001"
        wizard.cancel_button.click()
    finally:
        app.stop()


class MemoryKeyring(KeyringBackend):
    """A usable keyring that keeps passwords in a dict (what a desktop's keyring does)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


def test_with_a_keyring_the_password_stays_out_of_the_file_and_nothing_is_offered(
    qtbot: Any, tmp_path: Path
) -> None:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    app = Application(
        tmp_path / "settings.toml",
        use_keyring=True,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    try:
        app.start().result(20)
        wizard = shown_wizard(qtbot, app)
        assert not wizard.keyring_note.isVisible() and not wizard.plaintext.isVisible()
        port = free_port()
        fill(wizard, f"127.0.0.1:{port}", "1001", "pass1001")
        assert wizard.register_account()
        saved = load_settings(tmp_path / "settings.toml")
        assert not saved.allow_plaintext_passwords and saved.accounts[0].password is None
        assert "pass1001" not in (tmp_path / "settings.toml").read_text()
        assert store.stored == {("parley", f"1001@127.0.0.1:{port}"): "pass1001"}
        wizard.cancel_button.click()
        assert store.stored == {}  # the account that never registered took it along
    finally:
        app.stop()
        keyring.set_keyring(before)


def test_the_first_start_wizard_warns_that_emergency_calls_are_not_possible(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    app = make_app()
    wizard = shown_wizard(qtbot, app)
    assert_fully_shown(wizard.emergency)
    assert wizard.emergency.text().startswith("Parley cannot place emergency calls.")
    added = AccountWizard(app)  # "Add…" in the settings: said once, at first start
    qtbot.addWidget(added)
    added.show()
    assert not added.emergency.isVisible()
    set_language("de")
    german = AccountWizard(app, first_start=True)
    qtbot.addWidget(german)
    german.show()
    assert german.emergency.text().startswith("Parley kann keine Notrufe absetzen.")


def test_audio_assistant_without_any_device_says_so_and_what_to_do(
    qtbot: Any, make_app: Callable[..., Application], answers: list[str]
) -> None:
    app = make_app()
    assistant = AudioAssistant(app, devices={"input": [], "output": []}, first_start=True)
    qtbot.addWidget(assistant)
    assistant.show()
    qtbot.waitExposed(assistant)
    assert_fully_shown(assistant.missing)
    assert assistant.missing.text().startswith(
        "Parley found no sound device: no microphone and no speaker or headset. Connect a headset"
    )
    assert "Settings → Media" in assistant.missing.text()
    assert assistant.level_text.text() == "no microphone"
    assert not assistant.test_button.isEnabled()
    assert assistant.test_button.toolTip() == "There is no speaker or headset to play it on."
    for combo in (assistant.input, assistant.output):
        assert isinstance(combo, QComboBox) and not combo.isEditable()
        assert combo.itemText(0) == "System default"
    # Escape on first start asks first and says where the assistant is found again.
    assistant.activateWindow()
    qtbot.keyClick(assistant, Qt.Key.Key_Escape)
    assert answers == [
        "Skip the audio check? You can run it later from Settings → Media, button “Audio "
        "assistant…”."
    ]
    assert not assistant.isVisible()  # answered yes


def test_escape_answered_no_keeps_the_assistant(
    qtbot: Any, make_app: Callable[..., Application], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(widgets, "ask", lambda _p, _t, text: asked.append(text) or False)
    assistant = AudioAssistant(make_app(), devices={"input": [], "output": []}, first_start=True)
    qtbot.addWidget(assistant)
    assistant.show()
    qtbot.waitExposed(assistant)
    qtbot.keyClick(assistant, Qt.Key.Key_Escape)
    assert asked and assistant.isVisible()


def test_audio_assistant_offers_the_devices_that_exist_as_a_choice(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    assistant = AudioAssistant(
        make_app(), devices={"input": ["USB headset"], "output": ["USB headset", "Speakers"]}
    )
    qtbot.addWidget(assistant)
    assistant.show()
    assert not assistant.missing.isVisible()
    assert not assistant.input.isEditable() and not assistant.output.isEditable()
    outputs = [assistant.output.itemText(i) for i in range(assistant.output.count())]
    assert outputs[:3] == ["System default", "USB headset", "Speakers"]
    assert assistant.test_button.isEnabled()
