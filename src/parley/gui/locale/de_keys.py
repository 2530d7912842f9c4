"""German: keyboard shortcuts, the shortcuts help, accessible names and descriptions,
screen-reader announcements (gui/shortcuts.py, help_view.py, accessibility.py,
key_editor.py, the "Keyboard" group of the settings)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # gui/shortcuts.py and the help view
    "Answer a ringing call": "Klingelnden Anruf annehmen",
    "Reject a ringing call": "Klingelnden Anruf abweisen",
    "Hang up the current call": "Aktuellen Anruf beenden",
    "Mute or unmute the microphone": "Mikrofon stumm- oder wieder einschalten",
    "Hold or resume the current call": "Aktuellen Anruf halten oder fortsetzen",
    "Calls": "Anrufe",
    "Main window": "Hauptfenster",
    "During a call": "Während eines Anrufs",
    "Settings": "Einstellungen",
    "Everywhere": "Überall",
    "Go to the search field": "Zum Suchfeld springen",
    "In the search field: dial what is typed, or the only contact found": (
        "Im Suchfeld: Eingabe oder einzigen gefundenen Kontakt wählen"
    ),
    "In the list: call the selected contact or number": (
        "In der Liste: den gewählten Kontakt oder die Nummer anrufen"
    ),
    "In the recent calls: delete the selected calls": (
        "In den letzten Anrufen: die gewählten Anrufe löschen"
    ),
    "Open the settings": "Einstellungen öffnen",
    "In the list: open the entry's actions (or Shift+F10)": (
        "In der Liste: Aktionen des Eintrags öffnen (oder Umschalt+F10)"
    ),
    "Show the keyboard shortcuts": "Tastenkürzel anzeigen",
    "0–9, *, #": "0–9, *, #",
    "Send the digit as a tone (DTMF)": "Ziffer als Ton senden (DTMF)",
    "Search the settings": "Einstellungen durchsuchen",
    "Next control": "Nächstes Bedienelement",
    "Previous control": "Vorheriges Bedienelement",
    "Press the button or tick the box that has the focus": (
        "Schaltfläche mit dem Fokus drücken oder Kästchen ankreuzen"
    ),
    "Close a dialog or menu without saving": "Dialog oder Menü ohne Speichern schließen",
    "The key {key} is set for two actions: change one in the settings.": (
        "Die Taste {key} ist zwei Aktionen zugeordnet: Ändern Sie eine davon in den Einstellungen."
    ),
    "Keyboard shortcuts": "Tastenkürzel",
    "Parley can be used with the keyboard alone. The keys for calls can be changed in the "
    "settings (GUI, Keyboard).": (
        "Parley lässt sich allein mit der Tastatur bedienen. Die Tasten für Anrufe können "
        "Sie in den Einstellungen ändern (GUI, Tastatur)."
    ),
    "Key": "Taste",
    "Action": "Aktion",
    "Each row: a key and what it does": "Jede Zeile: eine Taste und was sie bewirkt",
    "Change keys…": "Tasten ändern…",
    "Open the settings where the keys for calls are set": (
        "Die Einstellungen mit den Tasten für Anrufe öffnen"
    ),
    # settings: the "Keyboard" group and its editor
    "Keyboard": "Tastatur",
    "Answer a call": "Anruf annehmen",
    "Reject a call": "Anruf abweisen",
    "Works while a call rings.": "Wirkt, solange ein Anruf klingelt.",
    "Ends the current call.": "Beendet den aktuellen Anruf.",
    "Switches the microphone off and on.": "Schaltet das Mikrofon aus und wieder ein.",
    "Holds the current call or resumes it.": "Hält den aktuellen Anruf oder setzt ihn fort.",
    "No key": "Keine Taste",
    "Switch this shortcut off": "Dieses Tastenkürzel ausschalten",
    # gui/accessibility.py: names and descriptions
    "Open the settings (Ctrl+,)": "Einstellungen öffnen (Strg+,)",
    "Search or dial": "Suchen oder wählen",
    "Type a name to find contacts and calls, or a number; Enter dials it": (
        "Namen eingeben, um Kontakte und Anrufe zu finden, oder eine Nummer; "
        "die Eingabetaste wählt sie"
    ),
    "Lists": "Listen",
    "Contacts, favourites or recent calls": "Kontakte, Favoriten oder letzte Anrufe",
    "More actions: compact mode, keyboard shortcuts": (
        "Weitere Aktionen: Kompaktmodus, Tastenkürzel"
    ),
    "Create a new contact": "Neuen Kontakt anlegen",
    "Contacts and calls": "Kontakte und Anrufe",
    "Enter calls the selected entry; Delete removes selected calls": (
        "Die Eingabetaste ruft den gewählten Eintrag an; Entf löscht gewählte Anrufe"
    ),
    "Call the selected entry": "Gewählten Eintrag anrufen",
    "Edit the selected contact": "Gewählten Kontakt bearbeiten",
    "Close this bar": "Diese Leiste schließen",
    "Show or hide the dial pad": "Wähltastatur ein- oder ausblenden",
    "Call the number in the search field": "Die Nummer im Suchfeld anrufen",
    "Remove the last character of the search field": "Letztes Zeichen im Suchfeld löschen",
    "Switch the microphone off or on ({key})": "Mikrofon aus- oder einschalten ({key})",
    "Use the loudspeaker device": "Lautsprechergerät verwenden",
    "Show the keypad; digits typed during a call are sent as tones": (
        "Tastenfeld anzeigen; im Gespräch getippte Ziffern werden als Töne gesendet"
    ),
    "Show codec, loss, jitter": "Codec, Verlust und Jitter anzeigen",
    "Hold the call or resume it ({key})": "Anruf halten oder fortsetzen ({key})",
    "Write to the other party": "Dem Gesprächspartner schreiben",
    "End the current call ({key})": "Aktuellen Anruf beenden ({key})",
    "Pick a call to switch to it": "Anruf wählen, um zu ihm zu wechseln",
    "Choose a number to transfer the call to": "Nummer wählen, an die der Anruf geht",
    "Call another party into a conference": "Weiteren Teilnehmer zur Konferenz holen",
    "Start or stop recording": "Aufnahme starten oder beenden",
    "Answer the call ({key})": "Anruf annehmen ({key})",
    "Reject the call ({key})": "Anruf abweisen ({key})",
    "Stop the ringing; the call can still be answered": (
        "Klingeln beenden; der Anruf kann weiter angenommen werden"
    ),
    "Busy lamps": "Besetztlampen",
    "Watched extensions and their state": "Beobachtete Nebenstellen und ihr Zustand",
    "Conference participants": "Konferenzteilnehmer",
    "Earlier calls": "Frühere Anrufe",
    "Earlier calls with this party": "Frühere Anrufe mit diesem Teilnehmer",
    "Message": "Nachricht",
    "Type a message; Enter sends it": "Nachricht eingeben; die Eingabetaste sendet sie",
    "Conversations": "Unterhaltungen",
    "Pick a conversation to read it": "Unterhaltung wählen, um sie zu lesen",
    "Settings pages": "Einstellungsseiten",
    "Pick a page of the settings": "Seite der Einstellungen wählen",
    "Pick an account to edit it": "Konto wählen, um es zu bearbeiten",
    "Available codecs": "Verfügbare Codecs",
    "Codecs not in use": "Nicht verwendete Codecs",
    "Codecs in use": "Verwendete Codecs",
    "Codecs in use, the first one preferred": "Verwendete Codecs, der erste bevorzugt",
    "Pick a call": "Anruf wählen",
    # screen-reader announcements
    "Call from {caller}": "Anruf von {caller}",
    "Incoming call: {caller}": "Eingehender Anruf: {caller}",
    "Call waiting: {caller}": "Anklopfen: {caller}",
    "Microphone muted": "Mikrofon stumm",
    "Microphone on": "Mikrofon an",
    "Call on hold": "Anruf gehalten",
    "Call resumed": "Anruf fortgesetzt",
    # global hotkeys (gui/global_keys.py)
    "Global hotkeys": "Globale Tastenkürzel",
    "Answer and hang up while another program is in front (X11 only).": (
        "Annehmen und auflegen, während ein anderes Programm vorne ist (nur X11)."
    ),
    "Answer (global)": "Annehmen (global)",
    "Hang up (global)": "Auflegen (global)",
    "Works in every program.": "Wirkt in jedem Programm.",
    "In every program (global hotkeys)": "In jedem Programm (globale Tastenkürzel)",
    "Global hotkeys are not available on this system yet.": (
        "Globale Tastenkürzel gibt es auf diesem System noch nicht."
    ),
    "Global hotkeys are not possible on Wayland: the desktop gives keys only to the window "
    "in front. Use the keys in Parley's window, or log in to an X11 session.": (
        "Globale Tastenkürzel sind unter Wayland nicht möglich: Der Desktop gibt Tasten nur "
        "an das vordere Fenster. Nutzen Sie die Tasten im Fenster von Parley oder melden Sie "
        "sich in einer X11-Sitzung an."
    ),
    "Global hotkeys need the python-xlib package: install Parley with its 'hotkeys' extra "
    "(pip install 'parley[hotkeys]').": (
        "Globale Tastenkürzel brauchen das Paket python-xlib: Installieren Sie Parley mit "
        "dem Zusatz 'hotkeys' (pip install 'parley[hotkeys]')."
    ),
    "Global hotkeys: the X server cannot be reached.": (
        "Globale Tastenkürzel: Der X-Server ist nicht erreichbar."
    ),
    "The global hotkey {keys} is already taken by another program: choose another one in "
    "the settings.": (
        "Das globale Tastenkürzel {keys} belegt schon ein anderes Programm: Wählen Sie in "
        "den Einstellungen ein anderes."
    ),
    "The global hotkey {keys} is not a key Parley can take.": (
        "Das globale Tastenkürzel {keys} kann Parley nicht belegen."
    ),
}
