"""German for the presence account of a local contact (the contact editor)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "Presence account": "Präsenzkonto",
    "As the contact source chooses": "Wie von der Kontaktquelle gewählt",
    "{account} (not set up)": "{account} (nicht eingerichtet)",
}
