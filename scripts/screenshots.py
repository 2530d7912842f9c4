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
        return take(out, work)
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
        bridge.close()
        window.quit()
    finally:
        if application is not None:
            application.stop()
        for phone in phones:
            phone.stop()
        kam.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
