"""German strings of the main window, call window, call menu, contact editor, status
bar and tray (English source text → German). Merged by `parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # start
    "Parley could not start the phone: {error}": "Parley konnte das Telefon nicht starten: {error}",
    # main window
    "Contacts": "Kontakte",
    "Favourites": "Favoriten",
    "Recent": "Letzte",
    "Recent calls": "Letzte Anrufe",
    "Registered": "Registriert",
    "Registering…": "Wird registriert…",
    "Unregistering…": "Wird abgemeldet…",
    "Not registered": "Nicht registriert",
    "Registration failed": "Registrierung fehlgeschlagen",
    "Server not reachable": "Server nicht erreichbar",
    "{name}: switched off in the settings": "{name}: in den Einstellungen ausgeschaltet",
    "Server: {server}": "Server: {server}",
    "Server answer: {answer}": "Antwort des Servers: {answer}",
    "No account yet: add one in the settings.": "Noch kein Konto: Legen Sie eines in den Einstellungen an.",
    "Off": "Aus",
    "Dial": "Wählen",
    "Delete the last digit": "Letzte Ziffer löschen",
    "Settings": "Einstellungen",
    "The settings are not available yet.": "Die Einstellungen sind noch nicht verfügbar.",
    "Search or dial a number": "Suchen oder Nummer wählen",
    "More": "Mehr",
    "Add contact": "Kontakt hinzufügen",
    "Call": "Anrufen",
    "Edit contact": "Kontakt bearbeiten",
    "Close": "Schließen",
    "Keypad": "Tastenfeld",
    "Pick a contact or a call, or type a number and press Enter.": (
        "Wählen Sie einen Kontakt oder Anruf, oder geben Sie eine Nummer ein und drücken Sie "
        "die Eingabetaste."
    ),
    "Calling {target}…": "{target} wird angerufen…",
    "Cannot call {target}: {error}": "{target} kann nicht angerufen werden: {error}",
    "Call to {who} failed: {text}": "Anruf an {who} fehlgeschlagen: {text}",
    "Compact mode": "Kompaktmodus",
    "(+{count} more)": "(+{count} weitere)",
    "Delete call": "Anruf löschen",
    "Delete this call from the history?": "Diesen Anruf aus der Anrufliste löschen?",
    "Delete contact": "Kontakt löschen",
    "Delete {name} from the contacts?": "{name} aus den Kontakten löschen?",
    "Delete calls": "Anrufe löschen",
    "Delete {count} calls from the history?": "{count} Anrufe aus der Anrufliste löschen?",
    "Delete all calls": "Alle Anrufe löschen",
    "Delete the whole call history?": "Die gesamte Anrufliste löschen?",
    "Delete selected calls": "Ausgewählte Anrufe löschen",
    "Delete from the history": "Aus der Anrufliste löschen",
    "Add to contacts": "Zu den Kontakten hinzufügen",
    "Nothing found. Press Enter to dial {text}.": (
        "Nichts gefunden. Drücken Sie die Eingabetaste, um {text} zu wählen."
    ),
    "No calls yet.": "Noch keine Anrufe.",
    "No favourites yet: mark a contact with the star.": (
        "Noch keine Favoriten: Markieren Sie einen Kontakt mit dem Stern."
    ),
    "No contacts yet: add one with +.": "Noch keine Kontakte: Fügen Sie einen mit + hinzu.",
    "Some changes take effect at the next start: {names}": (
        "Einige Änderungen wirken erst beim nächsten Start: {names}"
    ),
    # status bar
    "Speaker": "Lautsprecher",
    "Microphone": "Mikrofon",
    "Voicemail": "Sprachbox",
    "Call the voicemail": "Sprachbox anrufen",
    "Call the voicemail ({extension})": "Sprachbox anrufen ({extension})",
    "No voicemail extension is set for any account": (
        "Für kein Konto ist eine Sprachbox-Rufnummer eingetragen"
    ),
    "No errors": "Keine Fehler",
    "No errors so far.": "Bisher keine Fehler.",
    "Errors": "Fehler",
    "Last error: {text}": "Letzter Fehler: {text}",
    "Audio volume": "Lautstärke",
    "Call settings": "Anrufeinstellungen",
    "Close the call window": "Gesprächsfenster schließen",
    "Open the call window": "Gesprächsfenster öffnen",
    # call window
    "Add to favourites": "Zu den Favoriten hinzufügen",
    "Remove from favourites": "Aus den Favoriten entfernen",
    "Delete": "Löschen",
    "Calls with this party": "Anrufe mit diesem Teilnehmer",
    "Error code": "Fehlercode",
    "Date": "Datum",
    "Time": "Uhrzeit",
    "Account": "Konto",
    "Number": "Rufnummer",
    "Duration": "Dauer",
    "Successful outgoing call": "Erfolgreicher ausgehender Anruf",
    "Unsuccessful outgoing call": "Erfolgloser ausgehender Anruf",
    "Rejected outgoing call": "Abgewiesener ausgehender Anruf",
    "Accepted call": "Angenommener Anruf",
    "Rejected incoming call": "Abgewiesener eingehender Anruf",
    "Missed call": "Verpasster Anruf",
    "Successful transferred call": "Erfolgreich vermittelter Anruf",
    "Forwarded call": "Weitergeleiteter Anruf",
    "Deflected call": "Umgeleiteter Anruf",
    # call menu
    "Dialling…": "Wählt…",
    "Ringing…": "Klingelt…",
    "Connected": "Verbunden",
    "On hold": "Gehalten",
    "Held by the other side": "Von der Gegenseite gehalten",
    "Ended": "Beendet",
    "Codec": "Codec",
    "Packet loss": "Paketverlust",
    "Jitter": "Jitter",
    "Round-trip time": "Umlaufzeit",
    "Jitter buffer delay": "Verzögerung des Jitter-Puffers",
    "Packets sent / received": "Pakete gesendet / empfangen",
    "Mute": "Stummschalten",
    "Loudspeaker": "Lautsprecher",
    "Keypad (DTMF)": "Tastenfeld (DTMF)",
    "Call statistics": "Gesprächsstatistik",
    "Hold": "Halten",
    "Resume": "Fortsetzen",
    "Hang up": "Auflegen",
    "Calls": "Anrufe",
    "Account: {account}": "Konto: {account}",
    # incoming call
    "Incoming call": "Eingehender Anruf",
    "Call waiting": "Anklopfen",
    "on account {account}": "auf Konto {account}",
    "Accept": "Annehmen",
    "Reject": "Abweisen",
    "Silence ringing for this call": "Klingeln für diesen Anruf ausschalten",
    "Ringing is off for this call": "Das Klingeln ist für diesen Anruf aus",
    # contact editor
    "Business": "Geschäftlich",
    "Mobile": "Mobil",
    "Home": "Privat",
    "Fax": "Fax",
    "Other": "Andere",
    "New contact": "Neuer Kontakt",
    "First name": "Vorname",
    "Last name": "Nachname",
    "Display name": "Anzeigename",
    "Company": "Firma",
    "Number or SIP address whose presence is shown": (
        "Rufnummer oder SIP-Adresse, deren Präsenz angezeigt wird"
    ),
    "Presence: enter a phone number or a SIP address (or nothing).": (
        "Präsenz: eine Rufnummer oder SIP-Adresse eingeben (oder nichts)."
    ),
    "Made from the names when empty": "Wird aus den Namen gebildet, wenn leer",
    "Phone numbers": "Rufnummern",
    "Phone number or SIP address": "Rufnummer oder SIP-Adresse",
    "Remove this number": "Diese Rufnummer entfernen",
    "Add number": "Rufnummer hinzufügen",
    "Favourite": "Favorit",
    "Choose picture…": "Bild auswählen…",
    "Choose picture": "Bild auswählen",
    "Remove picture": "Bild entfernen",
    "Pictures (*.png *.jpg *.jpeg *.bmp *.gif)": "Bilder (*.png *.jpg *.jpeg *.bmp *.gif)",
    "Save": "Speichern",
    "Cancel": "Abbrechen",
    "Enter a last name, a display name or a company.": (
        "Geben Sie einen Nachnamen, einen Anzeigenamen oder eine Firma ein."
    ),
    "Add at least one phone number.": "Fügen Sie mindestens eine Rufnummer hinzu.",
    "The picture is too large (at most 1 MB); choose a smaller one.": (
        "Das Bild ist zu groß (höchstens 1 MB); wählen Sie ein kleineres."
    ),
    "Phone number {index} is neither a phone number (digits, +, * and #) nor a SIP address.": (
        "Rufnummer {index} ist weder eine Rufnummer (Ziffern, +, * und #) noch eine SIP-Adresse."
    ),
    "{field}: the text is too long or contains control characters.": (
        "{field}: Der Text ist zu lang oder enthält Steuerzeichen."
    ),
    "{path} cannot be used as a picture.": "{path} kann nicht als Bild verwendet werden.",
    "{path} is not a picture Parley can show.": "{path} ist kein Bild, das Parley anzeigen kann.",
    "The contact could not be saved: {error}": "Der Kontakt konnte nicht gespeichert werden: {error}",
    "The contact could not be deleted: {error}": "Der Kontakt konnte nicht gelöscht werden: {error}",
    # tray
    "Show Parley": "Parley anzeigen",
    "Quit": "Beenden",
    "This desktop has no notification area (tray): Parley minimises to the task bar and "
    "shows incoming calls in its window instead.": (
        "Dieser Desktop hat keinen Infobereich (Tray): Parley wird stattdessen in die "
        "Taskleiste minimiert und zeigt eingehende Anrufe in seinem Fenster."
    ),
    "Quality (MOS estimate)": "Qualität (MOS-Schätzung)",
}
