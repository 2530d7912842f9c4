"""German for phone number modification (the account's group and its "try a number")."""

STRINGS: dict[str, str] = {
    "Phone number modification": "Rufnummernanpassung",
    "Remove dial characters": "Wählzeichen entfernen",
    "Characters removed from a number before dialling (spaces, -, /, ( ) and . always "
    "are).": "Zeichen, die vor dem Wählen aus der Nummer entfernt werden (Leerzeichen, -, /, "
    "( ) und . immer).",
    "Use country code": "Landesvorwahl verwenden",
    "Outside numbers are dialled in international form: a national number gets the "
    "default country's code (030 1234567 becomes +49 30 1234567). Extensions, emergency "
    "and service numbers are never changed.": "Externe Nummern werden international "
    "gewählt: Eine nationale Nummer erhält die Landesvorwahl des Standardlandes (030 "
    "1234567 wird zu +49 30 1234567). Nebenstellen, Notruf- und Servicenummern bleiben "
    "unverändert.",
    "Default country for numbers without country code": "Standardland für Nummern ohne "
    "Landesvorwahl",
    "Two-letter country code, e.g. DE, AT, CH. Also decides how national and "
    "international spellings of a caller's number are matched with contacts.": "Zweistelliger "
    "Ländercode, z. B. DE oder CH. Bestimmt auch, wie nationale und internationale "
    "Schreibweisen einer Anrufernummer den Kontakten zugeordnet werden.",
    "Dialling prefix": "Wählpräfix",
    "With the country code: the international access code in place of '+', e.g. 00. "
    "Without it: an outside line put before national numbers, e.g. 0 or 9.": "Mit "
    "Landesvorwahl: die internationale Verkehrsausscheidungsziffer anstelle von „+“, z. B. "
    "00. Ohne: eine Amtsholung vor nationalen Nummern, z. B. 0 oder 9.",
    "“{value}” is not a country code: use the two-letter ISO 3166 code, e.g. DE, AT, CH, "
    "GB or US.": "„{value}“ ist kein Ländercode: Verwenden Sie den zweistelligen ISO-3166-Code, "
    "z. B. DE, AT, CH, GB oder US.",
    "Try a number": "Nummer ausprobieren",
    "e.g. 030 1234567": "z. B. 030 1234567",
    "Dialled as {number}": "Gewählt wird {number}",
    "Dialled as {number} — {reason}": "Gewählt wird {number} – {reason}",
    "an internal extension: dialled as it is": "eine interne Nebenstelle: unverändert gewählt",
    "an emergency number: always dialled as it is": "eine Notrufnummer: immer unverändert gewählt",
    "a service number or code: dialled as it is": "eine Servicenummer oder ein Code: "
    "unverändert gewählt",
    "not a phone number: dialled as it is": "keine Telefonnummer: unverändert gewählt",
}
