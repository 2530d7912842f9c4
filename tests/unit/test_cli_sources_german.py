"""The console in German for contact sources, sign-in, import and export: with
`set_language("de")` the commands print German (the desktop app's words), codes in JSON
stay as they are, and in English every line is the same as before."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from parley.app.contact_sources import ContactSourceChanged
from parley.cli import signin_texts
from parley.cli.console import Console
from parley.cli.i18n import set_language
from parley.cli.source_texts import source_text
from parley.cli.texts import presence_text
from parley.contacts import cloud_sources
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.oauth_device import OAuthError, OAuthProblem, PollOutcome, PollResult
from parley.contacts.source import (
    SourceIssue,
    SourceKind,
    SourceProblem,
    SourceStatus,
    SyncState,
)
from parley.contacts.store import ContactStore
from parley.phone.events import PresenceChanged, PresenceState
from parley.settings.contact_sources import ContactSourceSettings

WHEN = 1_767_225_600.0  # any moment; shown as the local time
STAMP = datetime.datetime.fromtimestamp(WHEN).strftime("%Y-%m-%d %H:%M")


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


class Registry:
    """The app's contact sources as the commands see them: settings, status, sync."""

    def __init__(self, *sources: tuple[ContactSourceSettings, SourceStatus]) -> None:
        self.sources = [
            SimpleNamespace(settings=settings, status=lambda s=status: s)
            for settings, status in sources
        ]
        self.synced: list[str | None] = []
        self.forgotten: list[str] = []
        self.token_store = SimpleNamespace(delete=lambda provider, sid: self.forgotten.append(sid))
        self.http_proxy = None

    def all(self) -> list[Any]:
        return self.sources

    def sync(self, source_id: str | None = None) -> None:
        self.synced.append(source_id)


def dav() -> tuple[ContactSourceSettings, SourceStatus]:
    settings = ContactSourceSettings(
        id="dav",
        name="Team",
        kind=SourceKind.CARDDAV,
        location="http://127.0.0.1:5232/",
        books=["work"],
    )
    status = SourceStatus(
        state=SyncState.FAILED,
        count=12,
        synced_at=WHEN,
        issues=(SourceIssue(SourceProblem.AUTH_FAILED, "http://127.0.0.1:5232/", "401"),),
    )
    return settings, status


def work() -> tuple[ContactSourceSettings, SourceStatus]:
    settings = ContactSourceSettings(
        id="work",
        name="Office",
        kind=SourceKind.OUTLOOK,
        outlook_access="graph",
        client_id="abc",
        enabled=False,
    )
    return settings, SourceStatus(state=SyncState.OK, count=1, synced_at=WHEN)


def console_with(tmp_path: Path, *, as_json: bool = False, **app: Any) -> Console:
    app.setdefault("contacts", ContactStore(tmp_path / "contacts.sqlite3"))
    return Console(SimpleNamespace(**app), as_json=as_json)  # type: ignore[arg-type]


def type_line(console: Console, line: str) -> None:
    console.line = line
    assert console._command(line.split())


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


# -- a source's state and why it failed ----------------------------------------------------


def failed_event(**kw: Any) -> ContactSourceChanged:
    base: dict[str, Any] = {
        "source": "dav",
        "state": "failed",
        "count": 12,
        "synced_at": WHEN,
        "problems": ("unreachable",),
        "wheres": ("http://127.0.0.1:5232/",),
        "details": ("connection refused",),
    }
    return ContactSourceChanged(**{**base, **kw})


def test_a_source_that_failed_says_why_in_german() -> None:
    event = failed_event()
    english = source_text(event)
    assert english == (
        "synchronisation failed: the server did not answer — check the address and the "
        f"network (http://127.0.0.1:5232/) connection refused; the 12 contacts of {STAMP} "
        "are still used"
    )
    set_language("de")
    assert source_text(event) == (
        "Synchronisierung fehlgeschlagen: der Server hat nicht geantwortet — prüfen Sie die "
        "Adresse und das Netzwerk (http://127.0.0.1:5232/) connection refused; die 12 "
        f"Kontakte vom {STAMP} werden weiter verwendet"
    )
    token = failed_event(
        source="gmail", synced_at=None, problems=("auth_failed",), wheres=("sign-in",),
        details=("Google: no_tokens: oauth:google:gmail",),
    )  # fmt: skip
    assert source_text(token) == (
        "Synchronisierung fehlgeschlagen: nicht angemeldet, oder die Anmeldung ist nicht mehr "
        "gültig — mit `signin gmail` anmelden (Google: no_tokens: oauth:google:gmail)"
    )
    # An unknown code is shown as it came (a newer engine), never dropped.
    assert "future_problem" in source_text(failed_event(problems=("future_problem",)))
    set_language("en")
    assert source_text(event) == english


def test_a_source_synchronised_and_synchronising_in_german() -> None:
    ok = ContactSourceChanged(
        source="dav", state="ok", count=1, synced_at=WHEN,
        problems=("entry_skipped", "entry_skipped"), wheres=("", ""), details=("", ""),
    )  # fmt: skip
    syncing = ContactSourceChanged(
        source="dav", state="syncing", count=0, synced_at=None, done=40, total=100
    )
    never = ContactSourceChanged(source="dav", state="never", count=0, synced_at=None)
    assert source_text(ok) == f"1 contact, synchronised {STAMP}, 2 entries left out"
    set_language("de")
    assert source_text(ok) == f"1 Kontakt, synchronisiert {STAMP}, 2 Einträge ausgelassen"
    assert source_text(syncing) == "synchronisiere (40 von 100 gespeichert)"
    assert source_text(never) == "noch nicht synchronisiert"
    one = failed_event(count=1, problems=("too_large",), wheres=("",), details=("",))
    assert source_text(one) == (
        "Synchronisierung fehlgeschlagen: das Telefonbuch ist zu groß; der 1 Kontakt vom "
        f"{STAMP} wird weiter verwendet"
    )
    set_language("en")
    assert source_text(one) == (
        f"synchronisation failed: the phone book is too large; the 1 contacts of {STAMP} are "
        "still used"
    )


def test_sources_sync_lookup_search_commands_in_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = Registry(dav(), work())
    known = SimpleNamespace(contact=SimpleNamespace(name="Anna Berg"), source_name="Team")
    console = console_with(
        tmp_path,
        contact_sources=registry,
        caller=lambda number: known if number == "1002" else None,
    )
    type_line(console, "sources")
    english = lines(capsys)
    assert english[0] == (
        "dav [on] carddav 'Team': synchronisation failed: the server refused the user name "
        f"or password — check them (http://127.0.0.1:5232/) 401; the 12 contacts of {STAMP} "
        "are still used; address books: work"
    )
    set_language("de")
    type_line(console, "sources")
    assert lines(capsys) == [
        "dav [an] carddav 'Team': Synchronisierung fehlgeschlagen: der Server hat "
        "Benutzername oder Passwort abgelehnt — prüfen Sie beide (http://127.0.0.1:5232/) "
        f"401; die 12 Kontakte vom {STAMP} werden weiter verwendet; Adressbücher: work",
        f"work [aus] outlook 'Office': 1 Kontakt, synchronisiert {STAMP}",
    ]
    for line in ("sync", "sync dav", "sync nope", "lookup 1002", "lookup 999", "lookup"):
        type_line(console, line)
    assert lines(capsys) == [
        "synchronisiere alle aktivierten Quellen",
        "synchronisiere dav",
        "keine Kontaktquelle 'nope'; `sources` listet sie auf",
        "1002: Anna Berg (aus Team)",
        "999: keiner Kontaktquelle bekannt",
        "Aufruf: lookup NUMMER",
    ]
    assert registry.synced == [None, "dav"]  # codes (ids) as typed, never translated
    set_language("en")
    type_line(console, "sources")
    assert lines(capsys) == english


def test_search_in_german(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = SimpleNamespace(
        contact=Contact(first_name="Anna", last_name="Berg", numbers=()), source_name="Team"
    )
    registry = SimpleNamespace(list_contacts=lambda text, limit: [listed] if text == "Anna" else [])
    console = console_with(tmp_path, contact_sources=registry)
    set_language("de")
    for line in ("search Anna", "search Zoe", "search"):
        type_line(console, line)
    assert lines(capsys) == [
        "Anna Berg: keine Rufnummer (Team)",
        "nichts gefunden für 'Zoe'",
        "Aufruf: search TEXT",
    ]


def test_watching_in_german(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    watched: dict[str, PresenceChanged] = {}
    console = console_with(tmp_path, presence=SimpleNamespace(watched=lambda: watched))
    set_language("de")
    type_line(console, "watching")
    assert lines(capsys) == [
        "noch keine Präsenz bekannt: 'watch URI', die Präsenzadresse eines Kontakts oder "
        "das Präsenzkonto einer Kontaktquelle (Einstellungen › Kontakte) fügen welche hinzu"
    ]
    event = PresenceChanged("sip:1002@127.0.0.1", PresenceState.BUSY, account="office")
    watched[event.uri] = event
    type_line(console, "watching")
    assert lines(capsys) == [f"{presence_text(event)} (über office)"]


# -- sign-in -------------------------------------------------------------------------------


def test_sign_in_failures_and_prompts_in_german() -> None:
    english = signin_texts.failed("work", PollResult(PollOutcome.EXPIRED, 5))
    set_language("de")
    assert signin_texts.failed("work", PollResult(PollOutcome.EXPIRED, 5)) == (
        "signin work: Anmeldung fehlgeschlagen: der Code ist abgelaufen, bevor er eingegeben "
        "wurde — geben Sie den neuen Code früher ein; danach erneut `signin work`"
    )
    assert signin_texts.reason(OAuthError(OAuthProblem.INVALID_CLIENT, "Unauthorized")) == (
        "der Anbieter akzeptiert diese Client-ID (oder dieses Client-Geheimnis) nicht — "
        "prüfen Sie die Einstellungen client_id und client_secret der Quelle (Unauthorized)"
    )
    assert signin_texts.reason(OAuthError(OAuthProblem.REFUSED, "access_denied")).startswith(
        "der Zugriff wurde auf der Seite des Anbieters abgelehnt"
    )
    assert signin_texts.enter_code("work", "https://127.0.0.1/devicelogin", "AB-12") == (
        "signin work: Öffnen Sie https://127.0.0.1/devicelogin in einem Browser (auf einem "
        "beliebigen Gerät) und geben Sie den Code AB-12 ein; warte auf Ihre Zustimmung dort …"
    )
    assert signin_texts.open_page("gmail", "https://127.0.0.1/auth", False) == (
        "signin gmail: Melden Sie sich auf dieser Seite an (öffnen Sie sie in einem Browser "
        "auf diesem Computer); danach kehrt der Browser zu Parley zurück: https://127.0.0.1/auth"
    )
    set_language("en")
    assert signin_texts.failed("work", PollResult(PollOutcome.EXPIRED, 5)) == english


def test_signin_and_signout_commands_in_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real commands: replies, and the sign-in flow's events (JSON: codes stay)."""
    registry = Registry(dav(), work())
    console = console_with(tmp_path, contact_sources=registry)
    set_language("de")
    for line in ("signin", "signin nope", "signin dav", "signout work"):
        type_line(console, line)
    assert lines(capsys) == [
        "Aufruf: signin QUELLE (eine Google- oder Outlook-Quelle; `sources` listet sie auf)",
        "keine Kontaktquelle 'nope'; `sources` listet sie auf",
        "dav ist eine Quelle der Art carddav und braucht keine Anmeldung (nur Google- und "
        "Outlook-Quellen); ein Passwort, das sie braucht, steht im Schlüsselbund oder in der "
        "Einstellungsdatei",
        "signout work: ihre Tokens sind vergessen; sie kann erst nach `signin work` wieder "
        "synchronisieren",
    ]
    assert registry.forgotten == ["work"]

    def unreachable(source: ContactSourceSettings, proxy: str | None = None) -> None:
        raise OAuthError(OAuthProblem.UNREACHABLE, "connection refused")

    monkeypatch.setattr(cloud_sources, "start_device_sign_in", unreachable)
    console.as_json = True
    type_line(console, "signin work")
    for thread in threading.enumerate():
        if thread.name == "parley-signin-work":
            thread.join(10)
    events = [json.loads(line) for line in lines(capsys)]
    assert [(e["event"], e["source"], e["state"]) for e in events] == [
        ("signin", "work", "waiting"),
        ("signin", "work", "failed"),
    ]
    assert events[0]["text"] == "signin work: Code wird bei Microsoft angefordert …"
    assert events[1]["text"] == (
        "signin work: Anmeldung fehlgeschlagen: der Anmeldeserver hat nicht geantwortet — "
        "prüfen Sie das Netzwerk (und die Anmeldeadressen der Quelle) und versuchen Sie es "
        "erneut (connection refused); danach erneut `signin work`"
    )
    assert registry.synced == []  # a failed sign-in does not synchronise


# -- import and export ---------------------------------------------------------------------

CSV = "Name;Phone\r\nAnna Berg;1002\r\nNiemand;\r\n"


def test_import_summary_and_bad_file_in_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kontakte.csv"
    path.write_text(CSV, encoding="utf-8")
    console = console_with(tmp_path)
    type_line(console, f"import {path}")
    assert lines(capsys) == [
        f"import {path}: utf-8, semicolon-separated, 3 lines",
        "imported 1, skipped 1",
        "line 3: no phone number",
    ]
    set_language("de")
    type_line(console, f"import {path}")
    assert lines(capsys) == [
        f"Import {path}: utf-8, durch Semikolon getrennt, 3 Zeilen",
        "importiert 0, übersprungen 2",
        "Zeile 2: schon in den Kontakten (gleicher Name und Nummer 1002)",
        "Zeile 3: keine Telefonnummer",
    ]
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("Name\tPhone\r\nÅsa\t100\r\n".encode("utf-16"))
    type_line(console, f"import {utf16} --encoding utf-8")
    type_line(console, f"import {tmp_path / 'fehlt.csv'}")
    out = lines(capsys)
    assert out[0] == (
        f"Fehler: {utf16} ist in Zeile 1 kein Text in utf-8; versuchen Sie ein anderes --encoding"
    )
    assert out[1].startswith(f"Fehler: {tmp_path / 'fehlt.csv'} kann nicht gelesen werden: ")
    assert [c.name for c in console.app.contacts.list()] == ["Anna Berg"]  # nothing lost


def test_export_summary_and_bad_folder_in_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    console = console_with(tmp_path)
    console.app.contacts.add(
        Contact(last_name="Berg", numbers=(PhoneNumber("1002", NumberType.BUSINESS),))
    )
    target = tmp_path / "alle.vcf"
    missing = tmp_path / "fehlt" / "alle.csv"
    type_line(console, f"export {target}")
    type_line(console, f"export {missing}")
    assert lines(capsys) == [
        f"exported 1 contacts to {target} as vCard 3.0",
        f"error: cannot write {missing}: the folder {missing.parent} does not exist",
    ]
    set_language("de")
    type_line(console, f"export {target} --vcard-version 4.0")
    type_line(console, f"export {missing}")
    type_line(console, f"export {tmp_path} --format csv")
    assert lines(capsys) == [
        f"1 Kontakt nach {target} exportiert als vCard 4.0",
        f"Fehler: {missing} kann nicht geschrieben werden: den Ordner {missing.parent} gibt "
        "es nicht",
        f"Fehler: {tmp_path} ist ein Ordner; geben Sie darin einen Dateinamen an (z. B. "
        f"{tmp_path / 'contacts.csv'})",
    ]
    assert "VERSION:4.0" in target.read_text(encoding="utf-8")


def test_wrong_options_say_so_in_german(tmp_path: Path) -> None:
    from parley.cli import commands_contacts_export, commands_contacts_import

    set_language("de")
    with pytest.raises(ValueError, match=r"^welche Datei importieren\? import-contacts"):
        commands_contacts_import.parse_args("import")
    with pytest.raises(ValueError, match="PFAD"):
        commands_contacts_import.parse_args("import")
    with pytest.raises(ValueError, match=r"^--format: csv oder vcard$"):
        commands_contacts_export.parse_args("export x --format pdf")
    with pytest.raises(ValueError, match=r"^in welche Datei exportieren\? export"):
        commands_contacts_export.parse_args("export")
