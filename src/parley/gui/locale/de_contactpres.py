"""German for the presence account of a local contact (the contact editor)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "Presence account": "Präsenzkonto",
    "As the contact source chooses": "Wie von der Kontaktquelle gewählt",
    "{account} (not set up)": "{account} (nicht eingerichtet)",
    "Set up Instant Messaging": "Instant Messaging einrichten",
    "Number type": "Rufnummerntyp",
    "Enter the number or SIP address to chat with.": (
        "Geben Sie die Rufnummer oder SIP-Adresse ein, mit der Sie chatten möchten."
    ),
    "Instant Messaging is not set up: set one here": (
        "Instant Messaging ist nicht eingerichtet: hier einrichten"
    ),
}
