"""German for importing contacts from a CSV file (gui/csv_import_dialog.py, the main
window's menu entry; issue #10): English source text → German. Merged by
`parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # the menu and the dialog
    "Import contacts…": "Kontakte importieren…",
    "Import contacts": "Kontakte importieren",
    "A CSV file exported from Outlook, Google, …": "Eine CSV-Datei aus Outlook, Google, …",
    "Choose…": "Auswählen…",
    "File": "Datei",
    "Encoding": "Zeichenkodierung",
    "Separator": "Trennzeichen",
    "Automatic": "Automatisch",
    "Automatic ({guess})": "Automatisch ({guess})",
    "CSV files (*.csv *.txt);;All files (*)": "CSV-Dateien (*.csv *.txt);;Alle Dateien (*)",
    "Column in the file": "Spalte in der Datei",
    "Contact field": "Kontaktfeld",
    "Contact field for “{column}”": "Kontaktfeld für „{column}“",
    "First value": "Erster Wert",
    "Assign the columns of the file to the contact fields:": (
        "Ordnen Sie die Spalten der Datei den Kontaktfeldern zu:"
    ),
    "Preview:": "Vorschau:",
    "Line": "Zeile",
    "Name": "Name",
    "Company": "Firma",
    "Numbers": "Nummern",
    "Result": "Ergebnis",
    "OK": "OK",
    "Import": "Importieren",
    "Stop": "Anhalten",
    "Close": "Schließen",
    # the contact fields
    "(not imported)": "(nicht importieren)",
    "First name": "Vorname",
    "Last name": "Nachname",
    "Display name": "Anzeigename",
    "Phone: business": "Telefon: geschäftlich",
    "Phone: mobile": "Telefon: mobil",
    "Phone: home": "Telefon: privat",
    "Phone: fax": "Telefon: Fax",
    "Phone: other": "Telefon: sonstige",
    "Phone (type in its own column)": "Telefon (Art in eigener Spalte)",
    "Type of the phone beside it": "Art des Telefons daneben",
    "Presence address": "Präsenzadresse",
    # separators and encodings
    "Comma (,)": "Komma (,)",
    "Semicolon (;)": "Semikolon (;)",
    "Tab": "Tabulator",
    "Vertical bar (|)": "Senkrechter Strich (|)",
    "UTF-8": "UTF-8",
    "UTF-16 (with byte-order mark)": "UTF-16 (mit Byte-Order-Mark)",
    "UTF-16 LE": "UTF-16 LE",
    "UTF-16 BE": "UTF-16 BE",
    "Windows-1252 (Western Europe)": "Windows-1252 (Westeuropa)",
    "ISO-8859-1 (Latin-1)": "ISO-8859-1 (Latin-1)",
    "ISO-8859-15 (Latin-9)": "ISO-8859-15 (Latin-9)",
    "DOS code page 850": "DOS-Codepage 850",
    "Mac Roman": "Mac Roman",
    # problems with the file
    "The file cannot be read: {reason}": "Die Datei kann nicht gelesen werden: {reason}",
    "The file is too large to import.": "Die Datei ist zu groß für den Import.",
    "The file is not {encoding} text (line {line}): choose another encoding.": (
        "Die Datei ist kein Text in {encoding} (Zeile {line}): "
        "Wählen Sie eine andere Zeichenkodierung."
    ),
    "The file has no header row.": "Die Datei hat keine Kopfzeile.",
    "Assign at least one column to a name and one to a phone number; if the columns "
    "look wrong, change the separator or the encoding.": (
        "Ordnen Sie mindestens eine Spalte einem Namen und eine einer Telefonnummer zu; "
        "sehen die Spalten falsch aus, ändern Sie Trennzeichen oder Zeichenkodierung."
    ),
    # rows left out
    "Line {line}: {reason}": "Zeile {line}: {reason}",
    "fewer fields than the header ({detail})": "weniger Felder als die Kopfzeile ({detail})",
    "more fields than the header ({detail})": "mehr Felder als die Kopfzeile ({detail})",
    "a quotation mark is not closed or out of place": (
        "ein Anführungszeichen ist nicht geschlossen oder steht falsch"
    ),
    "no last name, display name or company": "kein Nachname, Anzeigename oder Firma",
    "no phone number": "keine Telefonnummer",
    "“{detail}” is not a phone number": "„{detail}“ ist keine Telefonnummer",
    "the presence address “{detail}” is not valid": "die Präsenzadresse „{detail}“ ist ungültig",
    "control characters in a field ({detail})": "Steuerzeichen in einem Feld ({detail})",
    "a field is too long ({detail})": "ein Feld ist zu lang ({detail})",
    "already in your contacts (same name and number {detail})": (
        "schon in Ihren Kontakten (gleicher Name und Nummer {detail})"
    ),
    "not saved: its batch was rolled back ({detail})": (
        "nicht gespeichert: sein Block wurde zurückgenommen ({detail})"
    ),
    # the result
    "Imported: {imported}. Skipped: {skipped}.": (
        "Importiert: {imported}. Übersprungen: {skipped}."
    ),
    "The import was stopped; the contacts imported stay.": (
        "Der Import wurde angehalten; die importierten Kontakte bleiben."
    ),
    "{count} batches could not be saved and were rolled back.": (
        "{count} Blöcke konnten nicht gespeichert werden und wurden zurückgenommen."
    ),
}
