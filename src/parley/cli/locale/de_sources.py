"""German for the console's contact sources (`sources`, `sync`, `lookup`, `search`,
`watching`), the sign-in of Google and Outlook sources (`signin`, `signout`) and
`import`/`export` of contacts. The words are the desktop app's (gui/locale/de_sources.py,
de_cloudsrc.py, de_csv.py, de_export.py): Kontaktquelle, Anmeldung, Schlüsselbund,
Synchronisierung, Kopfzeile, Zeichenkodierung, Trennzeichen. Command names, options and
setting names (`signin`, --encoding, client_id) stay as they are typed."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # help lines (what is typed stays English; only the placeholders are German)
    "lookup NUMBER | search TEXT | sources | sync [SOURCE]": (
        "lookup NUMMER | search TEXT | sources | sync [QUELLE]"
    ),
    "signin SOURCE | signout SOURCE": "signin QUELLE | signout QUELLE",
    "import-contacts|import PATH [--encoding E] [--separator S]": (
        "import-contacts|import PFAD [--encoding E] [--separator S]"
    ),
    "export|export-contacts FILE [--format csv|vcard] [--vcard-version 3.0|4.0]": (
        "export|export-contacts DATEI [--format csv|vcard] [--vcard-version 3.0|4.0]"
    ),
    # lookup, search, sources, sync
    "usage: lookup NUMBER": "Aufruf: lookup NUMMER",
    "{number}: not known to any contact source": "{number}: keiner Kontaktquelle bekannt",
    "{number}: {name} (from {source})": "{number}: {name} (aus {source})",
    "usage: search TEXT": "Aufruf: search TEXT",
    "nothing found for {text!r}": "nichts gefunden für {text!r}",
    "no number": "keine Rufnummer",
    "{id} [on] {kind} {name!r}: {line}": "{id} [an] {kind} {name!r}: {line}",
    "{id} [off] {kind} {name!r}: {line}": "{id} [aus] {kind} {name!r}: {line}",
    "; address books: {books}": "; Adressbücher: {books}",
    "no contact source {source!r}; `sources` lists them": (
        "keine Kontaktquelle {source!r}; `sources` listet sie auf"
    ),
    "synchronising {source}": "synchronisiere {source}",
    "synchronising every enabled source": "synchronisiere alle aktivierten Quellen",
    # a source's state
    "not synchronised yet": "noch nicht synchronisiert",
    "synchronising": "synchronisiere",
    "synchronising ({done} of {total} stored)": "synchronisiere ({done} von {total} gespeichert)",
    "synchronisation failed: {reasons}": "Synchronisierung fehlgeschlagen: {reasons}",
    "synchronisation failed: {reasons}; the {count} contacts of {when} are still used": (
        "Synchronisierung fehlgeschlagen: {reasons}; die {count} Kontakte vom {when} werden "
        "weiter verwendet"
    ),
    "synchronisation failed: {reasons}; the 1 contacts of {when} are still used": (
        "Synchronisierung fehlgeschlagen: {reasons}; der 1 Kontakt vom {when} wird weiter verwendet"
    ),
    ", {skipped} entries left out": ", {skipped} Einträge ausgelassen",
    "{count} contacts, synchronised {when}": "{count} Kontakte, synchronisiert {when}",
    "1 contact, synchronised {when}": "1 Kontakt, synchronisiert {when}",
    "unknown": "unbekannt",
    # why a source failed, and what to do
    "the server did not answer — check the address and the network": (
        "der Server hat nicht geantwortet — prüfen Sie die Adresse und das Netzwerk"
    ),
    "the server refused the user name or password — check them": (
        "der Server hat Benutzername oder Passwort abgelehnt — prüfen Sie beide"
    ),
    "the server's certificate is not trusted — give its CA file": (
        "dem Zertifikat des Servers wird nicht vertraut — geben Sie seine CA-Zertifikatsdatei an"
    ),
    "not found — check the path or address (for LDAP the base DN)": (
        "nicht gefunden — prüfen Sie Pfad oder Adresse (bei LDAP die Basis-DN)"
    ),
    "what came back is not a phone book Parley can read — check the address": (
        "die Antwort ist kein Telefonbuch, das Parley lesen kann — prüfen Sie die Adresse"
    ),
    "the phone book is too large": "das Telefonbuch ist zu groß",
    "Parley cannot read this kind of source yet": (
        "diese Art von Quelle kann Parley noch nicht lesen"
    ),
    "not set up — fill in the setting named": (
        "nicht eingerichtet — füllen Sie die genannte Einstellung aus"
    ),
    # watching
    "no presence known yet: 'watch URI', a contact's presence address or a contact "
    "source's presence account (Settings › Contacts) adds some": (
        "noch keine Präsenz bekannt: 'watch URI', die Präsenzadresse eines Kontakts oder "
        "das Präsenzkonto einer Kontaktquelle (Einstellungen › Kontakte) fügen welche hinzu"
    ),
    "{presence} (through {account})": "{presence} (über {account})",
    # signin, signout
    "usage: {command} SOURCE (a Google or Outlook source; `sources` lists them)": (
        "Aufruf: {command} QUELLE (eine Google- oder Outlook-Quelle; `sources` listet sie auf)"
    ),
    "{source} is a {kind} source and needs no sign-in (only Google and Outlook sources "
    "do); a password it needs is kept in the keyring or the settings file": (
        "{source} ist eine Quelle der Art {kind} und braucht keine Anmeldung (nur Google- "
        "und Outlook-Quellen); ein Passwort, das sie braucht, steht im Schlüsselbund oder "
        "in der Einstellungsdatei"
    ),
    '{source} reads the Outlook program\'s contacts (outlook_access = "desktop"), which '
    'needs no sign-in; for Microsoft Graph set outlook_access to "graph" or "auto" in the '
    "settings file": (
        '{source} liest die Kontakte des Outlook-Programms (outlook_access = "desktop"), '
        "das braucht keine Anmeldung; für Microsoft Graph setzen Sie outlook_access in der "
        'Einstellungsdatei auf "graph" oder "auto"'
    ),
    "{source} has no client id: put the client id of the app registered for Parley into "
    "the source's client_id setting, then sign in again": (
        "{source} hat keine Client-ID: Tragen Sie die Client-ID der für Parley registrierten "
        "Anwendung in die Einstellung client_id der Quelle ein und melden Sie sich dann "
        "erneut an"
    ),
    "a sign-in of {source} is already under way; `signout {source}` stops it": (
        "eine Anmeldung von {source} läuft bereits; `signout {source}` bricht sie ab"
    ),
    "signin {source}: asking Microsoft for a code…": (
        "signin {source}: Code wird bei Microsoft angefordert …"
    ),
    "signin {source}: open {url} in a browser (on any device) and enter the code {code}; "
    "waiting for you to agree there…": (
        "signin {source}: Öffnen Sie {url} in einem Browser (auf einem beliebigen Gerät) "
        "und geben Sie den Code {code} ein; warte auf Ihre Zustimmung dort …"
    ),
    "signin {source}: sign in on this page (a browser was opened at it; if none shows, "
    "open it yourself); the browser then comes back to Parley: {url}": (
        "signin {source}: Melden Sie sich auf dieser Seite an (ein Browser wurde damit "
        "geöffnet; erscheint keiner, öffnen Sie sie selbst); danach kehrt der Browser zu "
        "Parley zurück: {url}"
    ),
    "signin {source}: sign in on this page (open it in a browser on this computer); the "
    "browser then comes back to Parley: {url}": (
        "signin {source}: Melden Sie sich auf dieser Seite an (öffnen Sie sie in einem "
        "Browser auf diesem Computer); danach kehrt der Browser zu Parley zurück: {url}"
    ),
    "signin {source}: signed in (the token is kept in the keyring); synchronising {source}": (
        "signin {source}: angemeldet (das Token wird im Schlüsselbund aufbewahrt); "
        "synchronisiere {source}"
    ),
    "signin {source}: signed in (without a keyring the token is kept only until Parley "
    "ends); synchronising {source}": (
        "signin {source}: angemeldet (ohne Schlüsselbund wird das Token nur bis zum Beenden "
        "von Parley aufbewahrt); synchronisiere {source}"
    ),
    "signin {source}: cancelled": "signin {source}: Anmeldung abgebrochen",
    "signin {source} failed: {reason}; then `signin {source}` again": (
        "signin {source}: Anmeldung fehlgeschlagen: {reason}; danach erneut `signin {source}`"
    ),
    "signout {source}: its tokens are forgotten; it cannot synchronise until `signin {source}`": (
        "signout {source}: ihre Tokens sind vergessen; sie kann erst nach `signin {source}` "
        "wieder synchronisieren"
    ),
    "signout {source}: the sign-in under way is stopped and its tokens are forgotten; it "
    "cannot synchronise until `signin {source}`": (
        "signout {source}: die laufende Anmeldung ist abgebrochen und ihre Tokens sind "
        "vergessen; sie kann erst nach `signin {source}` wieder synchronisieren"
    ),
    # why a sign-in failed, and what to do
    "the sign-in server did not answer — check the network (and the source's sign-in "
    "addresses) and try again": (
        "der Anmeldeserver hat nicht geantwortet — prüfen Sie das Netzwerk (und die "
        "Anmeldeadressen der Quelle) und versuchen Sie es erneut"
    ),
    "the sign-in server's answer could not be read — try again later": (
        "die Antwort des Anmeldeservers konnte nicht gelesen werden — versuchen Sie es "
        "später erneut"
    ),
    "the provider does not accept this client id (or client secret) — check the source's "
    "client_id and client_secret settings": (
        "der Anbieter akzeptiert diese Client-ID (oder dieses Client-Geheimnis) nicht — "
        "prüfen Sie die Einstellungen client_id und client_secret der Quelle"
    ),
    "the sign-in is no longer valid — sign in again": (
        "die Anmeldung ist nicht mehr gültig — melden Sie sich erneut an"
    ),
    "the provider refused the access Parley asks for (contacts) — allow it for the "
    "registered app": (
        "der Anbieter hat den Zugriff verweigert, den Parley erbittet (Kontakte) — erlauben "
        "Sie ihn für die registrierte Anwendung"
    ),
    "the provider refused the sign-in": "der Anbieter hat die Anmeldung abgelehnt",
    "not signed in yet": "noch nicht angemeldet",
    "the access was refused on the provider's page — agree there to let Parley read the contacts": (
        "der Zugriff wurde auf der Seite des Anbieters abgelehnt — stimmen Sie dort zu, "
        "damit Parley die Kontakte lesen darf"
    ),
    "the code expired before it was entered — enter the new code sooner": (
        "der Code ist abgelaufen, bevor er eingegeben wurde — geben Sie den neuen Code früher ein"
    ),
    "not signed in, or the sign-in is no longer valid — `signin {source}` to sign in": (
        "nicht angemeldet, oder die Anmeldung ist nicht mehr gültig — mit `signin {source}` "
        "anmelden"
    ),
    # import
    "import which file? {help}": "welche Datei importieren? {help}",
    "--separator: one character, or comma, semicolon, tab": (
        "--separator: ein Zeichen, oder comma, semicolon, tab"
    ),
    "import {path}: {encoding}, {separated}, {lines} lines": (
        "Import {path}: {encoding}, {separated}, {lines} Zeilen"
    ),
    "comma-separated": "durch Komma getrennt",
    "semicolon-separated": "durch Semikolon getrennt",
    "tab-separated": "durch Tabulator getrennt",
    "bar-separated": "durch senkrechten Strich getrennt",
    "{separator}-separated": "getrennt durch {separator}",
    "import: {done}/{total} lines": "Import: {done}/{total} Zeilen",
    "imported {imported}, skipped {skipped}": "importiert {imported}, übersprungen {skipped}",
    "imported {imported}, skipped {skipped} (cancelled)": (
        "importiert {imported}, übersprungen {skipped} (angehalten)"
    ),
    "lines {first}-{last}: rolled back ({why})": ("Zeilen {first}-{last}: zurückgenommen ({why})"),
    "… and {count} more": "… und {count} weitere",
    "line {line}: {reason}": "Zeile {line}: {reason}",
    "fewer fields than the header ({detail})": "weniger Felder als die Kopfzeile ({detail})",
    "more fields than the header ({detail})": "mehr Felder als die Kopfzeile ({detail})",
    "a quote is not closed or is misplaced": (
        "ein Anführungszeichen ist nicht geschlossen oder steht falsch"
    ),
    "no last name, display name or company": "kein Nachname, Anzeigename oder Firma",
    "no phone number": "keine Telefonnummer",
    "{detail!r} is not a phone number": "{detail!r} ist keine Telefonnummer",
    "the presence address {detail!r} is neither a number nor a SIP address": (
        "die Präsenzadresse {detail!r} ist weder eine Nummer noch eine SIP-Adresse"
    ),
    "control characters in {detail}": "Steuerzeichen in {detail}",
    "{detail} is too long": "{detail} ist zu lang",
    "already in the contacts (same name and number {detail})": (
        "schon in den Kontakten (gleicher Name und Nummer {detail})"
    ),
    "not stored: its batch was rolled back ({detail})": (
        "nicht gespeichert: sein Block wurde zurückgenommen ({detail})"
    ),
    "error: cannot read {path}: {detail}": ("Fehler: {path} kann nicht gelesen werden: {detail}"),
    "error: {path} is too large ({detail} bytes)": "Fehler: {path} ist zu groß ({detail} Bytes)",
    "error: {path} is not {encoding} text; try another --encoding": (
        "Fehler: {path} ist kein Text in {encoding}; versuchen Sie ein anderes --encoding"
    ),
    "error: {path} is not {encoding} text at line {line}; try another --encoding": (
        "Fehler: {path} ist in Zeile {line} kein Text in {encoding}; versuchen Sie ein "
        "anderes --encoding"
    ),
    "error: {path} has no header row": "Fehler: {path} hat keine Kopfzeile",
    "error: no column of {path} names a contact or holds a phone number; check "
    "--separator and --encoding, or name the columns (First Name, Last Name, Company, "
    "Phone, Mobile…)": (
        "Fehler: keine Spalte von {path} nennt einen Kontakt oder enthält eine "
        "Telefonnummer; prüfen Sie --separator und --encoding oder benennen Sie die Spalten "
        "(First Name, Last Name, Company, Phone, Mobile…)"
    ),
    # export
    "export to which file? {help}": "in welche Datei exportieren? {help}",
    "--vcard-version: 3.0 or 4.0": "--vcard-version: 3.0 oder 4.0",
    "--format: csv or vcard": "--format: csv oder vcard",
    "error: which format for {path}? Name the file .csv or .vcf, or add --format csv or "
    "--format vcard": (
        "Fehler: welches Format für {path}? Geben Sie der Datei die Endung .csv oder .vcf "
        "oder fügen Sie --format csv oder --format vcard hinzu"
    ),
    "error: cannot write {path}: the folder {folder} does not exist": (
        "Fehler: {path} kann nicht geschrieben werden: den Ordner {folder} gibt es nicht"
    ),
    "error: {path} is a folder; give a file name in it (e.g. {example})": (
        "Fehler: {path} ist ein Ordner; geben Sie darin einen Dateinamen an (z. B. {example})"
    ),
    "error: the contacts cannot be read: {error}": (
        "Fehler: die Kontakte können nicht gelesen werden: {error}"
    ),
    "error: cannot write {path}: {error}; choose a folder you may write to (nothing was written)": (
        "Fehler: {path} kann nicht geschrieben werden: {error}; wählen Sie einen Ordner, in "
        "den Sie schreiben dürfen (es wurde nichts geschrieben)"
    ),
    "exported 1 contacts to {path} as {format}": "1 Kontakt nach {path} exportiert als {format}",
    "exported {count} contacts to {path} as {format}": (
        "{count} Kontakte nach {path} exportiert als {format}"
    ),
}
