"""German sentences for call ends and registrations (`parley.gui.texts`), English source
text → German. Merged by `parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # why a call ended
    "Call ended": "Anruf beendet",
    "Bad request": "Fehlerhafte Anfrage",
    "Authentication failed": "Anmeldung fehlgeschlagen",
    "Forbidden": "Nicht erlaubt",
    "Not found": "Nicht gefunden",
    "Not supported": "Nicht unterstützt",
    "No answer": "Keine Antwort",
    "Number no longer in service": "Rufnummer nicht mehr vergeben",
    "Session interval too small": "Sitzungsintervall zu kurz",
    "Call no longer exists": "Anruf besteht nicht mehr",
    "Routing loop": "Weiterleitungsschleife",
    "Incomplete number": "Unvollständige Rufnummer",
    "Ambiguous number": "Mehrdeutige Rufnummer",
    "Busy": "Besetzt",
    "Cancelled": "Abgebrochen",
    "No common codec": "Kein gemeinsamer Codec",
    "Request pending": "Anfrage läuft noch",
    "Server error": "Serverfehler",
    "Bad gateway": "Fehlerhaftes Gateway",
    "Service unavailable": "Dienst nicht verfügbar",
    "Server timeout": "Zeitüberschreitung am Server",
    "Declined": "Abgelehnt",
    "Rejected": "Abgewiesen",
    "Moved": "Umgezogen",
    "Call failed": "Anruf fehlgeschlagen",
    "The server did not answer": "Der Server hat nicht geantwortet",
    "The server could not be reached": "Der Server war nicht erreichbar",
    "Connection lost": "Verbindung verloren",
    "Session expired": "Sitzung abgelaufen",
    # registration
    "Registered as {user} at {domain} for {seconds} s.": (
        "Registriert als {user} bei {domain} für {seconds} s."
    ),
    "Registration failed for the account “{name}”: the server at {domain} did not "
    "accept the password for user {user} ({answer}). Check the user name, the "
    "password and its capitalisation.": (
        "Registrierung des Kontos „{name}“ fehlgeschlagen: Der Server {domain} hat das "
        "Passwort für den Benutzer {user} nicht angenommen ({answer}). Prüfen Sie den "
        "Benutzernamen, das Passwort und dessen Groß- und Kleinschreibung."
    ),
    "Registration failed for “{name}”: the server did not answer over {transport}. "
    "Check the domain, the port and the transport, and that the PBX is reachable.": (
        "Registrierung von „{name}“ fehlgeschlagen: Der Server hat über {transport} nicht "
        "geantwortet. Prüfen Sie die Domain, den Port und das Transportprotokoll und ob "
        "die Telefonanlage erreichbar ist."
    ),
    "Registration failed for “{name}”: the server wants a longer registration "
    "expiry. Raise the expiry.": (
        "Registrierung von „{name}“ fehlgeschlagen: Der Server verlangt eine längere "
        "Registrierungsdauer. Erhöhen Sie die Registrierungsdauer."
    ),
    "Registration failed: the server answered {answer} for user {user} at {domain} — {hint}.": (
        "Registrierung fehlgeschlagen: Der Server hat für den Benutzer {user} bei {domain} "
        "mit {answer} geantwortet — {hint}."
    ),
    "check the user name and the password": "prüfen Sie Benutzername und Passwort",
    "check the user name and the domain": "prüfen Sie Benutzername und Domain",
    "the server cannot register you right now; Parley keeps trying": (
        "der Server kann Sie gerade nicht registrieren; Parley versucht es weiter"
    ),
    "the server had an internal error; Parley keeps trying": (
        "der Server hatte einen internen Fehler; Parley versucht es weiter"
    ),
    "the server is unavailable; Parley keeps trying": (
        "der Server ist nicht verfügbar; Parley versucht es weiter"
    ),
    "check the account settings": "prüfen Sie die Kontoeinstellungen",
    "The server of the account “{name}” does not answer. Parley registers again as soon as it does.": (
        "Der Server des Kontos „{name}“ antwortet nicht. Parley registriert sich wieder, "
        "sobald er antwortet."
    ),
}
