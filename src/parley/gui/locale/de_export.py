"""German for exporting contacts (gui/contact_export.py, the main window's menu entry)
the address book (gui/address_book.py) and its list (gui/contact_model.py) (issue #10): English source text →
German. Merged by `parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "Export contacts…": "Kontakte exportieren…",
    "Address book…": "Adressbuch…",
    "Address book": "Adressbuch",
    "Search by name or number": "Nach Name oder Nummer suchen",
    "Export contacts": "Kontakte exportieren",
    "CSV for Excel and Outlook (*.csv)": "CSV für Excel und Outlook (*.csv)",
    "vCard 3.0 (*.vcf)": "vCard 3.0 (*.vcf)",
    "vCard 4.0 (*.vcf)": "vCard 4.0 (*.vcf)",
    "Name the file with .csv or .vcf at the end, or choose a file type.": (
        "Geben Sie dem Dateinamen die Endung .csv oder .vcf oder wählen Sie einen Dateityp."
    ),
    "The folder {folder} does not exist. Choose another folder.": (
        "Den Ordner {folder} gibt es nicht. Wählen Sie einen anderen Ordner."
    ),
    "{path} is a folder. Give the file a name.": (
        "{path} ist ein Ordner. Geben Sie der Datei einen Namen."
    ),
    "The contacts cannot be read: {error}": "Die Kontakte können nicht gelesen werden: {error}",
    "{path} cannot be written: {error}. Choose a folder you may write to; nothing was written.": (
        "{path} kann nicht geschrieben werden: {error}. Wählen Sie einen Ordner, in den "
        "Sie schreiben dürfen; es wurde nichts geschrieben."
    ),
    "{count} contacts exported to {path}.": "{count} Kontakte nach {path} exportiert.",
}
