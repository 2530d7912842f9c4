#!/usr/bin/env python3
"""Screenshots of the real desktop app for the docs (docs/screenshots/*.png).

Runs the app's real windows on an X server (a private Xvfb on :99 when no DISPLAY is
set), registered at a Kamailio started here on 127.0.0.1, with baresip as the far
phone: the main window, a call in progress, an incoming call, the settings with a
search, compact mode, the dark theme and the German main window.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


def start_xvfb() -> subprocess.Popen[bytes] | None:
    """A private X server when there is no display (stopped by its pid at the end)."""
    if os.environ.get("DISPLAY"):
        return None
    binary = shutil.which("Xvfb")
    if binary is None:
        sys.exit("Xvfb is not installed (apt-get install xvfb)")
    proc = subprocess.Popen(
        [binary, ":99", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ["DISPLAY"] = ":99"
    for _ in range(50):
        if Path("/tmp/.X11-unix/X99").exists():
            break
        time.sleep(0.1)
    return proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    xvfb = start_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    work = Path(tempfile.mkdtemp(prefix="parley-shots-"))
    try:
        return (
            take(out, work)
            or take_missed_calls(out, work / "missed")
            or take_polish(out, work / "polish")
            or take_call_security(out, work / "security")
            or take_event_rules(out, work / "rules")
        )
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(work, ignore_errors=True)


def take(out: Path, work: Path) -> int:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QWidget

    from parley.app.application import Application
    from parley.contacts.model import Contact, NumberType, PhoneNumber
    from parley.gui.app import qt_application, start_window
    from parley.gui.i18n import set_language
    from parley.gui.theme import apply_theme
    from parley.history.model import CallType, HistoryEntry
    from parley.media.engine import AudioConfig
    from parley.settings import AccountSettings, Settings, save_settings
    from peers.baresip import Baresip
    from peers.common import free_port
    from peers.kamailio import Kamailio

    qt = qt_application()

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def wait(cond: Callable[[], object], what: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {what}")
            pump(0.05)

    def shot(widget: QWidget, name: str) -> None:
        pump(0.4)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    def portrait(colour: str, letter: str) -> bytes:
        image = QImage(96, 96, QImage.Format.Format_ARGB32)
        image.fill(QColor(colour))
        p = QPainter(image)
        p.setPen(QColor("white"))
        font = p.font()
        font.setPixelSize(54)
        p.setFont(font)
        p.drawText(image.rect(), 0x84, letter)  # AlignCenter
        p.end()
        path = work / f"{letter}.png"
        image.save(str(path))
        return path.read_bytes()

    port = free_port("both")
    kam = Kamailio(
        work / "kamailio", PASSWORDS, udp_port=port, tcp_port=port, tls_port=free_port("tcp")
    )
    kam.start()
    phones: list[Baresip] = []
    application: Application | None = None
    try:
        for user, auto in (("1002", True), ("1003", False)):
            phone = Baresip(
                work / f"baresip-{user}",
                sip_port=free_port("both"),
                user=user,
                password=PASSWORDS[user],
                registrar=f"127.0.0.1:{port}",
                codecs=["PCMU/8000/1"],
                auto_answer=auto,
            )
            phones.append(phone)
            phone.start()
        settings = Settings(
            accounts=[
                AccountSettings(
                    name="Office",
                    domain=f"127.0.0.1:{port}",
                    username="1001",
                    display_name="Mara Lind",
                    voicemail_extension="*98",
                    codecs=["g722", "pcmu"],
                )
            ]
        )
        settings.media.input_device = settings.media.output_device = "null"
        config = work / "settings.toml"
        save_settings(settings, config)
        application = Application(
            config,
            passwords={"Office": PASSWORDS["1001"]},
            use_keyring=False,
            data_dir=work / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        contacts = application.contacts
        contacts.add(
            Contact(
                first_name="Anna",
                last_name="Berg",
                company="Berg & Söhne",
                numbers=(
                    PhoneNumber("1002", NumberType.BUSINESS),
                    PhoneNumber("+49 170 5550123", NumberType.MOBILE),
                ),
                favourite=True,
                avatar=portrait("#3f9fb0", "A"),
            )
        )
        contacts.add(Contact(first_name="Jonas", last_name="Weber", numbers=(PhoneNumber("1003"),)))
        contacts.add(Contact(company="Helpdesk", numbers=(PhoneNumber("200"),)))
        contacts.add(
            Contact(first_name="Lea", last_name="Schmitt", numbers=(PhoneNumber("+49 30 5550188"),))
        )
        now = datetime.now(UTC)
        for minutes, number, kind, duration, code in (
            (300, "1002", CallType.SUCCESSFUL_OUTGOING, 312, None),
            (200, "+49 30 5550188", CallType.MISSED, 0, None),
            (150, "1003", CallType.ACCEPTED_INCOMING, 95, None),
            (90, "0211 555 0177", CallType.REJECTED_OUTGOING, 0, 486),
            (45, "1004", CallType.UNSUCCESSFUL_OUTGOING, 0, 404),
            (20, "200", CallType.REJECTED_INCOMING, 0, None),
        ):
            application.history.add(
                HistoryEntry(
                    direction=kind.direction,
                    type=kind,
                    number=number,
                    name=None,
                    account="Office",
                    start=now - timedelta(minutes=minutes),
                    duration=duration,
                    sip_code=code,
                    reason={486: "Busy Here", 404: "Not Found"}.get(code or 0, ""),
                )
            )

        bridge, window = start_window(application, qt)
        window.resize(800, 640)
        window.show()
        application.start().result(20)
        wait(lambda: window.account_list.states.get("Office") == "registered", "registration")

        # 1. Main window with a contact selected.
        first = window.items()[0]
        window.select(first[0], first[1])
        shot(window, "main-window")

        # 2. A call in progress, with the keypad and the statistics open.
        window.search.setText("1002")
        window.dial_typed()
        panel = window.call_panel
        wait(lambda: panel.current is not None and panel.current.state == "connected", "call")
        panel.stats_button.click()
        panel.keypad_button.click()
        pump(2.5)
        shot(window, "call-window")

        # 3. An incoming call (call waiting, during the first one).
        phones[1].dial(f"sip:1001@127.0.0.1:{port}")
        wait(lambda: len(panel.calls) == 2, "incoming call")
        panel.keypad_button.click()
        panel.stats_button.click()
        shot(window, "incoming-call")
        phones[1].hangup()
        panel.hang_up()
        wait(lambda: not panel.calls, "hang-up")

        window.resize(800, 640)  # the two calls made the window taller

        # 3b. Muted, held and ended calls (issue #13, in-call states).
        call_state_shots(window, phones[0], phones[1], shot, wait)

        # 4. Settings with a search.
        from parley.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(application, window, devices={"input": [], "output": []})
        dialog.show()
        dialog.show_search("echo")
        shot(dialog, "settings-search")
        dialog.close()

        # 5. Compact mode with a selected contact.
        window.views.setCurrentIndex(0)
        window.set_compact(True)
        pump(0.5)
        window.select(*window.items()[0][:2])
        shot(window, "compact-mode")
        window.set_compact(False)
        pump(0.5)
        window.resize(800, 640)

        # 6. Dark theme, recent calls.
        apply_theme(qt, "dark")
        window.views.setCurrentIndex(2)
        window.select(*window.items()[1][:2])
        shot(window, "dark-theme")
        apply_theme(qt, "light")

        # 7. German: the language is chosen before a window is built.
        application.settings.gui.language = "de"  # not saved: this run only
        bridge_de, window_de = start_window(application, qt)
        window_de.resize(800, 640)
        window_de.show()
        window_de.views.setCurrentIndex(2)
        window_de.select(*window_de.items()[3][:2])
        # An engine message in the status bar, worded in German from its code.
        from parley.phone.events import PhoneError, PhoneErrorCode

        application._on_phone_event(
            PhoneError(
                text="The audio device 'USB-Headset' stopped working",
                code=PhoneErrorCode.AUDIO_FALLBACK,
                subject="USB-Headset",
                detail="Standard",
            )
        )
        wait(lambda: "USB-Headset" in window_de.status.message.text(), "the German message")
        shot(window_de, "german")
        window_de.quit()
        bridge_de.close()
        application.settings.gui.language = "en"
        set_language("en")
        settings_shots(application, window, shot)
        keyboard_shots(window, shot)  # the shortcuts help and their settings
        bridge.close()
        window.quit()

        first_start_shots(work, port, wait, shot)
    finally:
        if application is not None:
            application.stop()
        for phone in phones:
            phone.stop()
        kam.close()
    return 0


def take_missed_calls(out: Path, work: Path) -> int:
    """Missed calls (issue #13): two real missed calls from baresip counted on "Recent"
    and in the status bar (English and German); then the recent calls, seen, with dates
    of other days and a busy call's SIP answer in the details."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from parley.app.application import Application
    from parley.contacts.model import Contact, PhoneNumber
    from parley.gui.app import qt_application, start_window
    from parley.gui.i18n import set_language
    from parley.gui.main_window import CONTACTS
    from parley.history.model import CallType, HistoryEntry
    from parley.media.engine import AudioConfig
    from parley.settings import AccountSettings, Settings, save_settings
    from peers.baresip import Baresip
    from peers.common import free_port
    from peers.kamailio import Kamailio

    qt = qt_application()

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def wait(cond: Callable[[], object], what: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {what}")
            pump(0.05)

    def shot(widget: QWidget, name: str) -> None:
        pump(0.4)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    work.mkdir(parents=True, exist_ok=True)
    port = free_port("both")
    kam = Kamailio(
        work / "kamailio", PASSWORDS, udp_port=port, tcp_port=port, tls_port=free_port("tcp")
    )
    kam.start()
    phone: Baresip | None = None
    application: Application | None = None
    try:
        phone = Baresip(
            work / "baresip-1002",
            sip_port=free_port("both"),
            user="1002",
            password=PASSWORDS["1002"],
            registrar=f"127.0.0.1:{port}",
            codecs=["PCMU/8000/1"],
        )
        phone.start()
        settings = Settings(
            accounts=[
                AccountSettings(
                    name="Office", domain=f"127.0.0.1:{port}", username="1001", codecs=["pcmu"]
                )
            ]
        )
        settings.media.input_device = settings.media.output_device = "null"
        config = work / "settings.toml"
        save_settings(settings, config)
        application = Application(
            config,
            passwords={"Office": PASSWORDS["1001"]},
            use_keyring=False,
            data_dir=work / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        application.contacts.add(
            Contact(
                first_name="Anna",
                last_name="Berg",
                company="Berg & Söhne",
                numbers=(PhoneNumber("1002"),),
            )
        )
        application.contacts.add(Contact(company="Helpdesk", numbers=(PhoneNumber("200"),)))
        # Calls of other days, written through the store (seen long ago).
        today = datetime.now().astimezone().replace(hour=9, minute=12, second=0, microsecond=0)
        for days, number, kind, code, reason in (
            (9, "200", CallType.SUCCESSFUL_OUTGOING, None, ""),
            (3, "0211 555 0177", CallType.ACCEPTED_INCOMING, None, ""),
            (1, "1004", CallType.REJECTED_OUTGOING, 486, "Busy Here"),
        ):
            application.history.add(
                HistoryEntry(
                    direction=kind.direction,
                    type=kind,
                    number=number,
                    name=None,
                    account="Office",
                    start=(today - timedelta(days=days)).astimezone(UTC),
                    duration=0 if code else 184,
                    sip_code=code,
                    reason=reason,
                )
            )
        application.history.mark_missed_seen()

        for language in ("en", "de"):
            application.settings.gui.language = language  # not saved: this run only
            bridge, window = start_window(application, qt)
            window.resize(800, 640)
            window.show()
            window.activateWindow()
            if language == "en":
                application.start().result(20)
            wait(lambda w=window: w.account_list.states.get("Office") == "registered", "reg")
            window.views.setCurrentIndex(CONTACTS)
            if language == "en":
                # Two real missed calls: Anna calls and gives up before anybody answers.
                panel = window.call_panel
                for count in (1, 2):
                    phone.dial(f"sip:1001@127.0.0.1:{port}")
                    wait(lambda p=panel: bool(p.calls), "incoming call")
                    pump(0.5)
                    phone.hangup()
                    wait(lambda p=panel: not p.calls, "missed call")
                    wait(lambda w=window, c=count: w.missed_calls.count == c, "count")
            window.select(*window.items()[0][:2])
            shot(window, "missed-calls" if language == "en" else "missed-calls-german")
            if language == "de":
                # Seen: the recent calls, with dates and a busy call's SIP answer.
                window.missed_calls.button.click()
                wait(lambda w=window: w.missed_calls.count == 0, "seen")
                busy = next(
                    i for k, i, row in window.items() if row.call_type is CallType.REJECTED_OUTGOING
                )
                window.select("entry", busy)
                shot(window, "recent-calls-german")
            window.quit()
            bridge.close()
        application.settings.gui.language = "en"
        set_language("en")
    finally:
        if application is not None:
            application.stop()
        if phone is not None:
            phone.stop()
        kam.close()
    return 0


def take_call_security(out: Path, work: Path) -> int:
    """The lock (issue #11): a real SRTP call with baresip (srtp-mand) through Kamailio
    over TLS — the closed lock; then a ZRTP call's code with "Verify" and the warning
    of a changed security check, fed through the application's event path (ZRTP calls
    are wired separately; `set_sas_verified` is a stand-in here)."""
    import concurrent.futures

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from parley.app.application import Application
    from parley.contacts.model import Contact, PhoneNumber
    from parley.gui.app import qt_application, start_window
    from parley.media.engine import AudioConfig
    from parley.phone.events import CallStateChanged
    from parley.settings import AccountSettings, Settings, save_settings
    from peers.baresip import Baresip
    from peers.common import free_port
    from peers.kamailio import Kamailio

    qt = qt_application()

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def wait(cond: Callable[[], object], what: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {what}")
            pump(0.05)

    def shot(widget: QWidget, name: str) -> None:
        pump(0.4)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    work.mkdir(parents=True, exist_ok=True)
    port = free_port("both")
    kam = Kamailio(
        work / "kamailio",
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        nat_helpers=True,
    )
    kam.start()
    tls = f"127.0.0.1:{kam.tls_port}"
    phone: Baresip | None = None
    application: Application | None = None
    try:
        phone = Baresip(
            work / "baresip-1002",
            sip_port=free_port("both"),
            user="1002",
            password=PASSWORDS["1002"],
            registrar=tls,
            transport="tls",
            codecs=["PCMU/8000/1"],
            auto_answer=True,
            mediaenc="srtp-mand",
            ca_file=kam.ca_file,
        )
        phone.start(timeout=30)
        account = AccountSettings(
            name="Office",
            domain=tls,
            username="1001",
            transport="tls",
            ca_file=str(kam.ca_file),
            codecs=["pcmu"],
            srtp="mandatory",
        )
        settings = Settings(accounts=[account])
        settings.media.input_device = settings.media.output_device = "null"
        config = work / "settings.toml"
        save_settings(settings, config)
        application = Application(
            config,
            passwords={"Office": PASSWORDS["1001"]},
            use_keyring=False,
            data_dir=work / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        application.contacts.add(
            Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("1002"),))
        )
        bridge, window = start_window(application, qt)
        window.resize(800, 700)
        window.show()
        window.activateWindow()
        application.start().result(20)
        wait(lambda: window.account_list.states.get("Office") == "registered", "reg", 30)
        panel = window.call_panel
        window.search.setText("1002")
        window.dial_typed()
        wait(lambda: panel.current is not None and panel.current.state == "connected", "call")
        wait(lambda: "AES" in panel.security.lock.toolTip(), "the suite")
        shot(window, "call-srtp-lock")
        panel.hang_up()
        wait(lambda: not panel.in_use, "the call's end")

        def zrtp(**extra: object) -> CallStateChanged:
            data: dict[str, object] = {
                "call": 90, "account": "Office", "direction": "outgoing",
                "state": "connected", "remote": f"sip:1002@{tls}",
                "media_encryption": "zrtp", "signalling": "tls", "sas": "k3vq",
            }  # fmt: skip
            data.update(extra)
            return CallStateChanged(**data)  # type: ignore[arg-type]

        def set_sas_verified(call_id: int, verified: bool) -> concurrent.futures.Future[None]:
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            done.set_result(None)
            return done

        application.set_sas_verified = set_sas_verified  # type: ignore[attr-defined]
        application._on_phone_event(zrtp())
        wait(lambda: panel.security.sas.isVisible(), "the ZRTP code")
        shot(window, "call-zrtp-sas")
        application._on_phone_event(zrtp(zrtp_cache_mismatch=True))
        wait(lambda: panel.security.sas.warning.isVisible(), "the warning")
        shot(window, "call-zrtp-warning")
        application._on_phone_event(zrtp(state="ended"))
        window.quit()
        bridge.close()
    finally:
        if application is not None:
            application.stop()
        if phone is not None:
            phone.stop()
        kam.close()
    return 0


def first_start_shots(
    work: Path,
    port: int,
    wait: Callable[[Callable[[], object], str], None],
    shot: Callable[..., None],
) -> None:
    """The first start with each error (wrong password, no answer, unknown domain, no
    keyring) and the audio assistant without a sound device, each on a fresh profile.
    The unknown domain is looked up at a dnsmasq here, never at the system's resolver."""
    import keyring
    from keyring.backends import fail

    import parley.phone.account
    from parley.app.application import Application
    from parley.gui.audio_assistant import AudioAssistant
    from parley.gui.i18n import set_language
    from parley.gui.wizard import AccountWizard
    from parley.media.engine import AudioConfig
    from parley.net.dns import make_resolver
    from peers.common import free_port
    from peers.dnsmasq import Dnsmasq

    def fresh(name: str, *, use_keyring: bool = False) -> Application:
        app = Application(
            work / f"{name}.toml",
            use_keyring=use_keyring,
            data_dir=work / f"data-{name}",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        app.start().result(20)
        return app

    def attempt(name: str, domain: str, password: str, shot_name: str) -> None:
        app = fresh(name)
        try:
            wizard = AccountWizard(app, first_start=True)
            wizard.show()
            wizard.domain.setText(domain)
            wizard.username.setText("1001")
            wizard.password.setText(password)
            wizard.register_button.click()
            wait(lambda: wizard.register_button.isEnabled(), shot_name)
            shot(wizard, shot_name)
            wizard.reject()
        finally:
            app.stop()

    attempt("wrong-password", f"127.0.0.1:{port}", "Pass1001", "first-start-wrong-password")
    attempt("no-answer", f"127.0.0.1:{free_port()}", "pass1001", "first-start-no-answer")
    looked_up = parley.phone.account.make_resolver
    with Dnsmasq(work / "dnsmasq", None, ["local=/tset/"]) as dns_server:
        parley.phone.account.make_resolver = lambda _servers, **kw: make_resolver(  # type: ignore[assignment]
            [dns_server.nameserver], **kw
        )
        try:
            attempt("unknown-domain", "pbx.tset", "pass1001", "first-start-unknown-domain")
        finally:
            parley.phone.account.make_resolver = looked_up  # type: ignore[assignment]

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    app = fresh("no-keyring", use_keyring=True)
    try:
        wizard = AccountWizard(app, first_start=True)
        wizard.show()
        shot(wizard, "first-start-no-keyring")
        wizard.reject()
        assistant = AudioAssistant(app, devices={"input": [], "output": []}, first_start=True)
        assistant.show()
        shot(assistant, "first-start-no-device")
        assistant.skip()
        set_language("de")
        wizard = AccountWizard(app, first_start=True)
        wizard.show()
        shot(wizard, "first-start-no-keyring-de")
        wizard.reject()
        assistant = AudioAssistant(app, devices={"input": [], "output": []}, first_start=True)
        assistant.show()
        shot(assistant, "first-start-no-device-de")
        assistant.skip()
    finally:
        set_language("en")
        app.stop()
        keyring.set_keyring(before)


def settings_shots(application: Any, window: Any, shot: Callable[[Any, str], None]) -> None:
    """The settings (issue #13): German at the default size, the dark theme with unticked
    checkboxes, and a search for something Parley does not have yet."""
    from PySide6.QtWidgets import QApplication

    from parley.gui.i18n import set_language
    from parley.gui.settings_dialog import SettingsDialog
    from parley.gui.theme import apply_theme

    qt = QApplication.instance()
    assert isinstance(qt, QApplication)
    devices = {"input": ["USB Headset Mic"], "output": ["USB Headset", "Speakers"]}
    set_language("de")
    try:
        dialog = SettingsDialog(application, window, devices=devices)
        dialog.show()
        shot(dialog, "settings-german")
        dialog.show_search("SRTP")
        shot(dialog, "settings-not-yet-german")
        dialog.close()
    finally:
        set_language("en")
    apply_theme(qt, "dark")
    try:
        dialog = SettingsDialog(application, window, devices=devices)
        dialog.show()
        dialog.select_page("gui")
        shot(dialog, "settings-dark")
        dialog.show_search("ring")
        shot(dialog, "settings-search-words")
        dialog.show_search("LDAP")
        shot(dialog, "settings-not-yet")
        dialog.close()
    finally:
        apply_theme(qt, "light")


def call_state_shots(
    window: Any,
    far: Any,
    busy: Any,
    shot: Callable[[Any, str], None],
    wait: Callable[..., None],
) -> None:
    """A muted call, a held call and a call that ended (the far end hung up), each in
    the call view, with Anna Berg (1002, answering by itself) on the line; a call that
    Jonas Weber (1003, `busy`) refuses; the warning for a typed emergency number."""
    panel = window.call_panel
    window.search.setText("1002")
    window.dial_typed()
    wait(lambda: panel.current is not None and panel.current.state == "connected", "call")
    panel.mute_button.click()
    wait(lambda: panel.badges.muted.isVisible(), "muted")
    shot(window, "call-muted")
    panel.mute_button.click()
    wait(lambda: not panel.badges.muted.isVisible(), "unmuted")
    panel.hold_button.click()
    wait(lambda: panel.hold_button.isChecked(), "held")
    shot(window, "call-held")
    panel.hold_button.click()
    wait(lambda: not panel.hold_button.isChecked(), "resumed")
    far.hangup()
    wait(lambda: panel.ended is not None and not panel.calls, "the far end's hang-up")
    shot(window, "call-ended")
    wait(lambda: not panel.in_use, "the ended call's notice to go")
    mark = busy.mark()
    window.search.setText("1003")
    window.dial_typed()
    busy.wait_call_state("CALL_INCOMING", timeout=20, since=mark)
    busy.hangup()  # refused: 486 Busy Here
    wait(lambda: panel.ended is not None and panel.ended.failed, "the refusal")
    shot(window, "call-failed")
    wait(lambda: not panel.in_use, "the failed call's notice to go")
    window.search.setText("112")
    shot(window, "emergency-warning")
    window.search.clear()


def keyboard_shots(window: Any, shot: Callable[[Any, str], None]) -> None:
    """The keyboard shortcuts help (F1) and the settings' "Keyboard" group."""
    from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

    from parley.gui.i18n import install_qt_translations
    from parley.gui.main_window import MainWindow
    from parley.gui.settings_dialog import SettingsDialog

    assert isinstance(window, MainWindow)
    install_qt_translations(QApplication.instance())  # Qt's own words in English again
    help_view = window.shortcuts.show_help()
    assert isinstance(help_view, QWidget)
    shot(help_view, "keyboard-shortcuts")
    help_view.close()
    dialog = SettingsDialog(window.application, window, devices={"input": [], "output": []})
    dialog.show()
    dialog.select_page("gui")
    row = dialog.rows["gui.global_key_hangup"].container  # the whole group in view
    area = row.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:
        area.ensureWidgetVisible(row, 0, 20)
    dialog.rows["gui.key_answer"].editor.setFocus()
    shot(dialog, "settings-keyboard")
    dialog.close()


def take_polish(out: Path, work: Path) -> int:
    """Issue #13, round 2 (German): the wizard naming an unknown domain from the network
    layer's code (looked up at a dnsmasq here), and a call that the far phone ended
    while another goes on, said above the remaining call."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    import parley.phone.account
    from parley.app.application import Application
    from parley.contacts.model import Contact, PhoneNumber
    from parley.gui.app import qt_application, start_window
    from parley.gui.i18n import set_language
    from parley.gui.wizard import AccountWizard
    from parley.media.engine import AudioConfig
    from parley.net.dns import make_resolver
    from parley.settings import AccountSettings, Settings, save_settings
    from peers.baresip import Baresip
    from peers.common import free_port
    from peers.dnsmasq import Dnsmasq
    from peers.kamailio import Kamailio

    qt = qt_application()

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def wait(cond: Callable[[], object], what: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {what}")
            pump(0.05)

    def shot(widget: QWidget, name: str) -> None:
        pump(0.4)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    work.mkdir(parents=True, exist_ok=True)
    set_language("de")
    looked_up = parley.phone.account.make_resolver
    with Dnsmasq(work / "dnsmasq", None, ["local=/tset/"]) as dns_server:
        parley.phone.account.make_resolver = lambda _servers, **kw: make_resolver(  # type: ignore[assignment]
            [dns_server.nameserver], **kw
        )
        first = Application(
            work / "first.toml",
            use_keyring=False,
            data_dir=work / "data-first",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        try:
            first.start().result(20)
            wizard = AccountWizard(first, first_start=True)
            wizard.show()
            wizard.domain.setText("pbx.tset")
            wizard.username.setText("1001")
            wizard.password.setText("pass1001")
            wizard.register_button.click()
            wait(lambda: wizard.register_button.isEnabled(), "the unknown domain")
            shot(wizard, "first-start-unknown-domain-de")
            wizard.reject()
        finally:
            first.stop()
            parley.phone.account.make_resolver = looked_up  # type: ignore[assignment]

    port = free_port("both")
    kam = Kamailio(
        work / "kamailio", PASSWORDS, udp_port=port, tcp_port=port, tls_port=free_port("tcp")
    )
    kam.start()
    phones: list[Baresip] = []
    application: Application | None = None
    try:
        for user in ("1002", "1003"):
            phone = Baresip(
                work / f"baresip-{user}",
                sip_port=free_port("both"),
                user=user,
                password=PASSWORDS[user],
                registrar=f"127.0.0.1:{port}",
                codecs=["PCMU/8000/1"],
                auto_answer=True,
            )
            phones.append(phone)
            phone.start()
        settings = Settings(
            accounts=[
                AccountSettings(
                    name="Office", domain=f"127.0.0.1:{port}", username="1001", codecs=["pcmu"]
                )
            ]
        )
        settings.media.input_device = settings.media.output_device = "null"
        settings.gui.language = "de"
        config = work / "settings.toml"
        save_settings(settings, config)
        application = Application(
            config,
            passwords={"Office": PASSWORDS["1001"]},
            use_keyring=False,
            data_dir=work / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        for first_name, last_name, number in (("Anna", "Berg", "1002"), ("Jonas", "Weber", "1003")):
            application.contacts.add(
                Contact(first_name=first_name, last_name=last_name, numbers=(PhoneNumber(number),))
            )
        bridge, window = start_window(application, qt)
        window.resize(800, 660)
        window.show()
        application.start().result(20)
        wait(lambda: window.account_list.states.get("Office") == "registered", "registered")
        panel = window.call_panel
        for number in ("1002", "1003"):
            window.search.setText(number)
            window.dial_typed()
            wait(
                lambda n=number: any(c.number == n and c.state == "connected" for c in panel.calls),
                f"the call to {number}",
            )
        phones[0].hangup()  # Anna hangs up while Jonas is on the line
        wait(lambda: panel.other_ended.isVisible(), "the notice of Anna's end")
        shot(window, "call-ended-beside-another-de")
        for call in panel.calls:
            application.hangup(call.id)
        wait(lambda: not panel.calls, "the end of the calls")
        window.quit()
        bridge.close()
    finally:
        set_language("en")
        if application is not None:
            application.stop()
        for phone in phones:
            phone.stop()
        kam.close()
    return 0


def take_event_rules(out: Path, work: Path) -> int:
    """Functions › Event rules (issue #12): the rule list with the last result of each
    rule (one tested against a local HTTP server, one against a dead port) and the
    "Edit Open URL Rule" dialog of a REST rule. No phone needed: the app is not started."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PySide6.QtCore import QCoreApplication

    from parley.app.application import Application
    from parley.gui.app import qt_application
    from parley.gui.settings_dialog import SettingsDialog
    from parley.settings import Settings, save_settings
    from parley.settings.automation import EventRule
    from peers.common import free_port

    qt = qt_application()

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    class Quiet(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    work.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", free_port("tcp")), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    crm = f"http://127.0.0.1:{server.server_address[1]}"
    settings = Settings()
    settings.automation.check_updates = True  # shown only: the app is not started
    settings.automation.rules = [
        EventRule(
            name="CRM: caller's record",
            action="url",
            address="https://crm.example.com/search?phone={number}",
            direction="incoming",
        ),
        EventRule(
            name="Ticket on answer",
            state="answered",
            action="rest",
            address=crm + "/calls",
            headers={"Content-Type": "application/json"},
            body='{"number": "{number}", "name": "{name}", "account": "{account}"}',
        ),
        EventRule(
            name="Log missed calls",
            state="missed",
            action="program",
            address="/usr/local/bin/log-missed {number} {name}",
            enabled=False,
        ),
        EventRule(
            name="Wallboard",
            event="registration",
            state="failed",
            action="rest",
            address=f"http://127.0.0.1:{free_port('tcp')}/alert",
        ),
    ]
    config = work / "settings.toml"
    save_settings(settings, config)
    application = Application(config, use_keyring=False, data_dir=work / "data")
    try:
        for index in (1, 3):
            application.rules.test(index).result(20)
        dialog = SettingsDialog(application, devices={"input": [], "output": []})
        dialog.resize(1060, 760)
        dialog.show()
        dialog.select_page("functions")
        page = dialog.pages["functions"]
        if hasattr(page, "ensureWidgetVisible"):
            page.ensureWidgetVisible(dialog.rules_box)
        dialog.rules_box.select(1)
        pump(0.5)
        path = out / "settings-event-rules.png"
        dialog.grab().save(str(path))
        print(f"wrote {path}")
        editor = dialog.rules_box.open_editor(1)
        editor.test()
        end = time.monotonic() + 20
        while not editor.test_result.text().startswith("OK") and time.monotonic() < end:
            pump(0.05)
        pump(0.5)
        path = out / "settings-event-rule-editor.png"
        editor.grab().save(str(path))
        print(f"wrote {path}")
        editor.reject()
        dialog.reject()
        del qt
    finally:
        application.stop()
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
