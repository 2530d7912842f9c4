"""German for the event rule list and editor (Automation › Event rules) and the update
check (Automation › General › "Check for updates")."""

STRINGS: dict[str, str] = {
    # the rule list
    "Event rules": "Ereignisregeln",
    "When something happens — a call rings, is answered or ends, a message arrives — open "
    "a URL, run a program or call a REST API.": "Wenn etwas geschieht – ein Anruf klingelt, "
    "wird angenommen oder endet, eine Nachricht kommt an –, eine URL öffnen, ein Programm "
    "starten oder eine REST-API aufrufen.",
    "On": "Ein",
    "Name": "Name",
    "Event": "Ereignis",
    "State": "Status",
    "Direction": "Richtung",
    "Action": "Aktion",
    "Address": "Adresse",
    "Last result": "Letztes Ergebnis",
    "Edit…": "Bearbeiten…",
    "Move up": "Nach oben",
    "Move down": "Nach unten",
    "Not run yet": "Noch nicht ausgeführt",
    "New rule": "Neue Regel",
    "Delete rule": "Regel löschen",
    "Delete the rule {name}?": "Die Regel {name} löschen?",
    # the editor
    "Edit Open URL Rule": "Regel „URL öffnen“ bearbeiten",
    "Edit Open Application Rule": "Regel „Anwendung öffnen“ bearbeiten",
    "Edit REST API Rule": "Regel „REST-API“ bearbeiten",
    "Enabled": "Aktiviert",
    "Call state change": "Änderung des Anrufstatus",
    "Registration": "Registrierung",
    "Message received": "Nachricht empfangen",
    "Voicemail": "Sprachbox",
    "Any": "Beliebig",
    "Ringing": "Klingelt",
    "Answered": "Angenommen",
    "On hold": "Gehalten",
    "Ended": "Beendet",
    "Missed": "Verpasst",
    "Registered": "Registriert",
    "Failed": "Fehlgeschlagen",
    "Not registered": "Nicht registriert",
    "Received": "Empfangen",
    "New message": "Neue Nachricht",
    "Incoming": "Eingehend",
    "Outgoing": "Ausgehend",
    "Open URL": "URL öffnen",
    "Open/Execute application": "Anwendung öffnen/ausführen",
    "REST API": "REST-API",
    "Call state changes to": "Anrufstatus wechselt zu",
    "Call direction": "Anrufrichtung",
    "Do action": "Aktion ausführen",
    "Filter (number)": "Filter (Rufnummer)",
    "Method": "Methode",
    "Headers": "Header",
    "Body": "Inhalt",
    "Insert a parameter…": "Parameter einfügen…",
    "e.g. ^\\+49 (empty: every number)": "z. B. ^\\+49 (leer: jede Rufnummer)",
    "the number that was dialled": "die gewählte Rufnummer",
    "the contact's display name": "der Anzeigename des Kontakts",
    "the other party's number": "die Rufnummer der Gegenseite",
    "the name of the account": "der Name des Kontos",
    "the call's number in Parley": "die Nummer des Anrufs in Parley",
    "incoming or outgoing": "eingehend oder ausgehend",
    "the call's length in seconds": "die Dauer des Anrufs in Sekunden",
    "the state the rule fired on": "der Status, bei dem die Regel auslöste",
    "the event the rule fired on": "das Ereignis, bei dem die Regel auslöste",
    "a message's text, or the count of new voicemails": "der Text einer Nachricht oder die "
    "Zahl neuer Sprachnachrichten",
    "A program and its arguments; parameters are filled in as separate arguments, never "
    "through a shell.": "Ein Programm und seine Argumente; Parameter werden als eigene "
    "Argumente eingesetzt, nie über eine Shell.",
    "A URL; parameters in braces are filled in, encoded for the URL.": "Eine URL; Parameter "
    "in geschweiften Klammern werden für die URL kodiert eingesetzt.",
    "Not a regular expression: {error}": "Kein regulärer Ausdruck: {error}",
    'Line {line}: write "Name: value".': "Zeile {line}: Schreiben Sie „Name: Wert“.",
    "Correct the marked fields.": "Bitte korrigieren Sie die markierten Felder.",
    "The rule cannot be used: {error}": "Die Regel ist nicht verwendbar: {error}",
    "Test this rule": "Diese Regel testen",
    "Testing…": "Wird getestet…",
    # what came of a run
    "OK": "OK",
    "OK (HTTP {status})": "OK (HTTP {status})",
    "Failed: {reason}": "Fehlgeschlagen: {reason}",
    "no address entered": "keine Adresse eingegeben",
    "the program was not found": "das Programm wurde nicht gefunden",
    "it did not work": "es hat nicht funktioniert",
    "the server could not be reached": "der Server war nicht erreichbar",
    "no answer in time": "keine Antwort in der Zeit",
    "the server's certificate is not trusted": "dem Zertifikat des Servers wird nicht vertraut",
    "the server answered with error {status}": "der Server antwortete mit Fehler {status}",
    "the address cannot be used": "die Adresse ist nicht verwendbar",
    # updates
    "Check for updates": "Nach Updates suchen",
    "Once a day Parley looks whether a newer version exists and says so in the status "
    "bar. Nothing is installed by itself.": "Einmal am Tag prüft Parley, ob es eine neuere "
    "Version gibt, und zeigt das in der Statusleiste an. Es wird nichts von selbst "
    "installiert.",
    "Update feed": "Update-Quelle",
    "Where the newest version is read (the package index's JSON, or your organisation's "
    "copy of it).": "Wo die neueste Version gelesen wird (das JSON des Paketverzeichnisses "
    "oder die Kopie Ihrer Organisation).",
    "Parley {version} is available": "Parley {version} ist verfügbar",
    "Parley could not check for updates.": "Parley konnte nicht nach Updates suchen.",
}
