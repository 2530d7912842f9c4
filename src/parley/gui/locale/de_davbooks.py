"""German texts of the address book choice of CardDAV and Google sources (issue #10)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "Address books": "Adressbücher",
    "Find address books": "Adressbücher suchen",
    "Ask the server which address books this login can read.": (
        "Den Server fragen, welche Adressbücher diese Anmeldung lesen darf."
    ),
    "Only the ticked address books are read.": "Nur die angehakten Adressbücher werden gelesen.",
    "Nothing ticked: every address book is read.": (
        "Nichts angehakt: Alle Adressbücher werden gelesen."
    ),
    "Asking the server…": "Der Server wird gefragt…",
    "Finding the address books failed: {error}": (
        "Die Adressbücher konnten nicht gesucht werden: {error}"
    ),
    "The server lists no address book.": "Der Server nennt kein Adressbuch.",
    "{book} (not on the server)": "{book} (nicht auf dem Server)",
}
