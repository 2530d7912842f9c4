"""German strings of the contact sources: the settings' Contacts page, the states of a
source, other sources' contacts in the contact list (issue #10)."""

STRINGS: dict[str, str] = {
    # the page
    "Access data": "Zugangsdaten",
    "Attribute": "Attribute",
    "Filter": "Filter",
    "Synchronisation": "Synchronisierung",
    "Rename": "Umbenennen",
    "Enable": "Aktivieren",
    "Kind": "Art",
    "Parley contacts": "Parley-Kontakte",
    "CardDAV address book": "CardDAV-Adressbuch",
    "Local path/URL": "Lokaler Pfad/URL",
    "The XML file, or its http(s) address.": "Die XML-Datei oder ihre http(s)-Adresse.",
    "Folder": "Ordner",
    "The folder with the .contact files.": "Der Ordner mit den Kontaktdateien von Windows.",
    "Host": "Host",
    "The LDAP server; usually the PBX's address.": (
        "Der LDAP-Server; meist die Adresse der Telefonanlage."
    ),
    "Leave empty when the phone book needs no log-in.": (
        "Leer lassen, wenn das Telefonbuch keine Anmeldung braucht."
    ),
    "User name (bind DN)": "Benutzername (Bind-DN)",
    "e.g. telephoneNumber=201,dc=auerswald": "z. B. telephoneNumber=201,dc=auerswald",
    "Base DN": "Basis-DN",
    "Where to search; for Auerswald PBXs dc=auerswald.": (
        "Wo gesucht wird; bei Auerswald-Anlagen dc=auerswald."
    ),
    "Search filter": "Suchfilter",
    "Which entries are contacts.": "Welche Einträge Kontakte sind.",
    "CA certificate file": "CA-Zertifikatsdatei",
    "Empty: the system's certificates.": "Leer: die Zertifikate des Systems.",
    "Port": "Port",
    "Default": "Standard",
    "Use TLS": "TLS verwenden",
    "None (plain)": "Keins (unverschlüsselt)",
    "LDAPS (TLS from the start)": "LDAPS (TLS von Beginn an)",
    "StartTLS": "StartTLS",
    "Ignore TLS certificate": "TLS-Zertifikat ignorieren",
    "The data is still encrypted, but anyone on the path can pose as the server. Use only "
    "in a network you trust.": (
        "Die Daten bleiben verschlüsselt, aber jeder auf dem Weg kann sich als der Server "
        "ausgeben. Nur in einem vertrauenswürdigen Netz verwenden."
    ),
    "Check the server's certificate": "Zertifikat des Servers prüfen",
    "Limit the number of search results to": "Anzahl der Suchergebnisse begrenzen auf",
    "Unchanged": "Unverändert",
    "Kept in the keyring of the system, not in the settings file.": (
        "Wird im Schlüsselbund des Systems gespeichert, nicht in der Einstellungsdatei."
    ),
    "Use this account for outgoing calls": "Dieses Konto für ausgehende Anrufe verwenden",
    "Use this account for presence": "Dieses Konto für Präsenz verwenden",
    "None chosen": "Keins gewählt",
    "Hide contacts without phone": "Kontakte ohne Rufnummer ausblenden",
    "Work IP Phone": "IP-Telefon geschäftlich",
    "Synchronise every": "Synchronisieren alle",
    "min": "Min.",
    "Only on demand": "Nur auf Anforderung",
    "Synchronise now": "Jetzt synchronisieren",
    "Not possible for the built-in source.": "Bei der eingebauten Quelle nicht möglich.",
    # list actions
    "A source needs a name.": "Eine Quelle braucht einen Namen.",
    "Another source is already called {name}.": "Eine andere Quelle heißt bereits {name}.",
    "The built-in source cannot be renamed.": (
        "Die eingebaute Quelle kann nicht umbenannt werden."
    ),
    "The built-in source cannot be deleted.": "Die eingebaute Quelle kann nicht gelöscht werden.",
    "This name cannot be used: {error}": "Dieser Name ist nicht möglich: {error}",
    "Delete contact source": "Kontaktquelle löschen",
    "Delete the contact source {name}? Its contacts stay where they are.": (
        "Die Kontaktquelle {name} löschen? Ihre Kontakte bleiben, wo sie sind."
    ),
    "Passwords are not kept in the keyring here.": (
        "Passwörter werden hier nicht im Schlüsselbund gespeichert."
    ),
    "Save the settings first (Apply), then synchronise.": (
        "Speichern Sie zuerst die Einstellungen (Übernehmen), dann synchronisieren."
    ),
    # states
    "Not saved yet.": "Noch nicht gespeichert.",
    "Not synchronised yet.": "Noch nicht synchronisiert.",
    "Synchronising…": "Synchronisiere…",
    "Synchronising… {done} of {total}": "Synchronisiere… {done} von {total}",
    "{count} contacts, synchronised {when}": "{count} Kontakte, synchronisiert {when}",
    "1 contact, synchronised {when}": "1 Kontakt, synchronisiert {when}",
    "Show contacts from": "Kontakte anzeigen aus",
    "{count} more in {source}: type to search, or open the address book": (
        "{count} weitere in {source}: Suchbegriff eingeben oder das Adressbuch öffnen"
    ),
    "{count} entries were left out (not readable).": (
        "{count} Einträge wurden ausgelassen (nicht lesbar)."
    ),
    "The last synchronisation failed:": "Die letzte Synchronisierung ist fehlgeschlagen:",
    "The contacts of {when} are still shown ({count}).": (
        "Die Kontakte vom {when} werden weiter angezeigt ({count})."
    ),
    "No contacts yet.": "Noch keine Kontakte.",
    # problems and what to do
    "The server did not answer.": "Der Server hat nicht geantwortet.",
    "Check the address and the network; Parley tries again at the next synchronisation.": (
        "Prüfen Sie die Adresse und das Netzwerk; Parley versucht es bei der nächsten "
        "Synchronisierung erneut."
    ),
    "The server refused the user name or password.": (
        "Der Server hat Benutzername oder Passwort abgelehnt."
    ),
    "Check the user name and the password.": "Prüfen Sie Benutzername und Passwort.",
    "The server's certificate is not trusted.": "Dem Zertifikat des Servers wird nicht vertraut.",
    "Give the CA certificate file of the server, or check the address.": (
        "Geben Sie die CA-Zertifikatsdatei des Servers an oder prüfen Sie die Adresse."
    ),
    "Not found.": "Nicht gefunden.",
    "Check the path or address (for LDAP: the base DN).": (
        "Prüfen Sie Pfad oder Adresse (bei LDAP: die Basis-DN)."
    ),
    "What came back is not a phone book Parley can read.": (
        "Die Antwort ist kein Telefonbuch, das Parley lesen kann."
    ),
    "Check that the path or address leads to the phone book.": (
        "Prüfen Sie, ob Pfad oder Adresse zum Telefonbuch führen."
    ),
    "The phone book is too large.": "Das Telefonbuch ist zu groß.",
    "Ask for a smaller phone book, or a search filter.": (
        "Fragen Sie nach einem kleineren Telefonbuch oder einem Suchfilter."
    ),
    "Parley cannot read this kind of source yet.": "Diese Art von Quelle kann Parley noch nicht lesen.",
    "Update Parley, or use another kind of source.": (
        "Aktualisieren Sie Parley oder verwenden Sie eine andere Art von Quelle."
    ),
    "The synchronisation failed.": "Die Synchronisierung ist fehlgeschlagen.",
    "Try again.": "Versuchen Sie es erneut.",
    "Not set up yet: fill in “{field}” and save.": (
        "Noch nicht eingerichtet: Füllen Sie „{field}“ aus und speichern Sie."
    ),
    # the contact list and the contact view
    "From the contact source {name}": "Aus der Kontaktquelle {name}",
    "From {source}": "Aus {source}",
}
