"""German for a CSV file as a contact source (issue #10 §4)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "CSV file": "CSV-Datei",
    "e.g. utf-8, utf-16, cp1252; empty: guessed.": (
        "z. B. utf-8, utf-16, cp1252; leer: wird erkannt."
    ),
    "',', ';', '|' or 'tab'; empty: detected.": "',', ';', '|' oder 'tab'; leer: wird erkannt.",
}
