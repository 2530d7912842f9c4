#!/usr/bin/env python3
"""Screenshots of the contact sources for the docs (issue #10): the settings' Contacts
page with a synchronised XML phone book and an LDAP directory whose server refused the
password, the sign-in ("Generate token") of a Google source and of an Outlook source
showing its device code, the main window's contact list with the phone book's
contacts, the "Import contacts" dialog with a German Outlook export in its preview, and
the address book window (every source's contacts in one model/view list).

Runs the real windows on an X server (a private Xvfb when no DISPLAY is set, on a
display number of its own); the sources are filled by stand-in fetchers (no server).

    .venv/bin/python scripts/screenshots_sources.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def start_xvfb() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    binary = shutil.which("Xvfb")
    if binary is None:
        sys.exit("Xvfb is not installed (apt-get install xvfb)")
    number = 150 + os.getpid() % 100  # not :99, which the main screenshot script uses
    proc = subprocess.Popen(
        [binary, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ["DISPLAY"] = f":{number}"
    for _ in range(50):
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        time.sleep(0.1)
    return proc


def take(out: Path, work: Path) -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QWidget

    from parley.app import Application
    from parley.app.contact_sources import SourceTables
    from parley.contacts.model import Contact, NumberType, PhoneNumber
    from parley.contacts.oauth_device import DeviceCode, Tokens
    from parley.contacts.source import FetchResult, SourceIssue, SourceKind, SourceProblem
    from parley.gui.bridge import EngineBridge
    from parley.gui.i18n import tr
    from parley.gui.main_window import MainWindow
    from parley.gui.settings_dialog import SettingsDialog
    from parley.media.engine import AudioConfig
    from parley.settings import AccountSettings, Settings, save_settings
    from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings

    qt = QApplication.instance() or QApplication([])

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.02)

    def shot(widget: QWidget, name: str) -> None:
        pump()
        widget.grab().save(str(out / f"{name}.png"))
        print("wrote", out / f"{name}.png")

    def person(first: str, last: str, company: str, *numbers: tuple[str, NumberType]) -> Contact:
        return Contact(
            first_name=first,
            last_name=last,
            company=company,
            numbers=tuple(PhoneNumber(n, t) for n, t in numbers),
        )

    book = (
        person("Anna", "Berg", "Berg Logistik", ("+49 30 5550199", NumberType.BUSINESS)),
        person("Carl", "Dorn", "", ("+49 30 5550100", NumberType.BUSINESS)),
        person("Eva", "Fink", "Fink & Söhne", ("0171 5550123", NumberType.MOBILE)),
        person("", "", "Empfang", ("200", NumberType.BUSINESS)),
    )

    def fetch_book(_s: Any, _r: Any) -> FetchResult:
        return FetchResult(contacts=book)

    def fetch_google(_s: Any, _r: Any) -> FetchResult:
        return FetchResult(
            contacts=(
                person("Greta", "Hahn", "", ("+49 89 5550142", NumberType.MOBILE)),
                person("Paul", "Ries", "Ries GmbH", ("+49 89 5550143", NumberType.BUSINESS)),
            )
        )

    def fetch_outlook(_s: Any, _r: Any) -> FetchResult:
        return FetchResult(
            contacts=(person("Olaf", "Krug", "Contoso", ("+49 40 5550177", NumberType.BUSINESS)),)
        )

    def fetch_ldap(_s: Any, _r: Any) -> FetchResult:
        return FetchResult(
            failed=True,
            issues=(SourceIssue(SourceProblem.AUTH_FAILED, "ldap://192.0.2.10:389", "49"),),
        )

    settings = Settings(
        accounts=[
            AccountSettings(
                name="office", domain="192.0.2.10", username="1001", register_on_startup=False
            )
        ],
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(id="local", name="Parley", kind=SourceKind.LOCAL),
                ContactSourceSettings(
                    id="pbx-book",
                    name="PBX phone book",
                    kind=SourceKind.XML_PHONEBOOK,
                    location="https://pbx.example.com/phonebook.xml",
                    username="phonebook",
                    outgoing_account="office",
                ),
                ContactSourceSettings(
                    id="google",
                    name="Google",
                    kind=SourceKind.GOOGLE,
                    username="anna.berg@example.com",
                    client_id="123456789-parley.apps.googleusercontent.com",
                    client_secret="GOCSPX-example",
                ),
                ContactSourceSettings(
                    id="outlook",
                    name="Outlook",
                    kind=SourceKind.OUTLOOK,
                    username="anna.berg@example.com",
                    client_id="00000000-0000-0000-0000-00000000beef",
                    tenant="example.com",
                ),
                ContactSourceSettings(
                    id="directory",
                    name="Company directory",
                    kind=SourceKind.LDAP,
                    host="192.0.2.10",
                    base_dn="dc=auerswald",
                    bind_dn="telephoneNumber=201,dc=auerswald",
                ),
            ]
        ),
    )
    config = work / "settings.toml"
    save_settings(settings, config)
    app = Application(
        config,
        use_keyring=False,
        data_dir=work / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        source_tables=SourceTables(
            fetchers={
                SourceKind.XML_PHONEBOOK: fetch_book,
                SourceKind.LDAP: fetch_ldap,
                SourceKind.GOOGLE: fetch_google,
                SourceKind.OUTLOOK: fetch_outlook,
            }
        ),
    )
    try:
        app.contacts.add(
            Contact(first_name="Jana", last_name="Wolf", numbers=(PhoneNumber("1002"),))
        )
        app.start().result(20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and app.contact_sources.status("pbx-book").count < 4:
            time.sleep(0.05)
        bridge = EngineBridge(app)
        window = MainWindow(bridge)
        window.resize(820, 640)
        window.show()
        window.refresh_list()
        anna = next(i for k, i, row in window.items() if row.name_label.text() == "Anna Berg")
        window.select("remote", anna)
        shot(window, "contact-list-sources")
        dialog = SettingsDialog(app, window, devices={"input": [], "output": []})
        dialog.show()
        dialog.select_page("contacts")
        dialog.contacts_page.select_source("pbx-book")
        shot(dialog, "settings-contact-sources")
        dialog.contacts_page.select_source("directory")
        pump()
        dialog.contacts_page.scroll_area.ensureWidgetVisible(dialog.contacts_page.sync_box)
        shot(dialog, "settings-contact-source-failed")
        # Google, signed in: the token is in the store the fetches read.
        app.contact_sources.token_store.save(
            "google", "google", Tokens("ya29.example", "1//example", time.time() + 3600)
        )
        page = dialog.contacts_page
        page.select_source("google")
        pump()
        page.scroll_area.ensureWidgetVisible(page.signin)
        shot(dialog, "settings-google-signin")
        # Outlook during its sign-in: the code to type on Microsoft's page.
        page.select_source("outlook")
        page.signin._show_code(
            DeviceCode(
                device_code="example",
                user_code="GQ7-KX2-LMP",
                verification_uri="https://microsoft.com/devicelogin",
                interval=5,
                expires_in=900,
                expires_at=time.time() + 900,
            )
        )
        page.signin.sign_in_button.setText(tr("Cancel"))
        pump()
        page.scroll_area.ensureWidgetVisible(page.signin.result_label)
        shot(dialog, "settings-outlook-signin")
        dialog.close()
        # "Import contacts": a German Outlook export, guessed encoding and separator,
        # the columns assigned and the preview of the rows as contacts.
        export = work / "Outlook Kontakte.csv"
        lines = [
            "Anrede;Vorname;Nachname;Firma;Telefon geschäftlich;Mobiltelefon;Notizen",
            "Herr;Jürgen;Müller;Bäckerei Größe;0221 4711-0;0172 5550123;Stammkunde",
            "Frau;Grete;Weiß;;;;",
            ";Ayla;Öztürk;Öztürk Bau;0221 4711-23;;",
            "Frau;Élodie;Lefèvre;;+33 1 5550 1234;+33 6 5550 4321;",
        ]
        export.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        importer = window.open_csv_import()
        importer.resize(760, 620)
        importer.open_path(export)
        shot(importer, "csv-import-dialog")
        importer.close()
        from parley.gui.address_book import open_address_book

        book_window = open_address_book(window)
        book_window.resize(420, 360)
        shot(book_window, "address-book")
        book_window.close()
        window.quit()
        bridge.close()
    finally:
        app.stop()
    del qt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    xvfb = start_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    work = Path(tempfile.mkdtemp(prefix="parley-source-shots-"))
    try:
        take(out, work)
        return 0
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
