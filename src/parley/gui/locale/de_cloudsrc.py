"""German for the Google and Outlook contact sources and their sign-in ("Generate
token") on the settings' Contacts page (issue #10)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "Google contacts": "Google-Kontakte",
    "Generate token": "Token erzeugen",
    "Contacts from": "Kontakte aus",
    "Automatic": "Automatisch",
    "Microsoft Graph (Microsoft 365, Outlook.com)": "Microsoft Graph (Microsoft 365, Outlook.com)",
    "Automatic: the Outlook program on Windows when it is there, else Microsoft Graph.": (
        "Automatisch: unter Windows das Outlook-Programm, wenn es da ist, sonst Microsoft Graph."
    ),
    "Outlook program (Windows only)": "Outlook-Programm (nur Windows)",
    "Client id": "Client-ID",
    "Client secret": "Client-Geheimnis",
    "Tenant": "Mandant (Tenant)",
    "The OAuth client id of the app registered.": (
        "Die OAuth-Client-ID der registrierten Anwendung."
    ),
    "Google's desktop clients have one.": "Desktop-Clients von Google haben eines.",
    "common, organizations, consumers or your tenant.": (
        "common, organizations, consumers oder Ihr Mandant."
    ),
    "Sign in": "Anmelden",
    "Open the page": "Seite öffnen",
    "Sign in opens your browser at Google's page; after you agree, the browser comes back "
    "to Parley. The token is kept in the keyring.": (
        "Beim Anmelden öffnet sich Ihr Browser mit der Seite von Google; nach Ihrer "
        "Zustimmung kehrt der Browser zu Parley zurück. Das Token wird im Schlüsselbund "
        "aufbewahrt."
    ),
    "Sign in shows a code: open Microsoft's page, enter the code and agree. The token is "
    "kept in the keyring.": (
        "Beim Anmelden wird ein Code angezeigt: Öffnen Sie die Seite von Microsoft, geben "
        "Sie den Code ein und stimmen Sie zu. Das Token wird im Schlüsselbund aufbewahrt."
    ),
    "On this computer Outlook contacts come from Microsoft Graph (Microsoft 365 and "
    "Outlook.com accounts, after signing in). The Outlook program's own contacts can be "
    "read on Windows only.": (
        "Auf diesem Computer kommen Outlook-Kontakte aus Microsoft Graph (Konten von "
        "Microsoft 365 und Outlook.com, nach dem Anmelden). Die Kontakte des "
        "Outlook-Programms selbst lassen sich nur unter Windows lesen."
    ),
    "Signed in.": "Angemeldet.",
    "Empty: Google's CardDAV address.": "Leer: die CardDAV-Adresse von Google.",
    "The account to sign in with (e-mail address).": (
        "Das Konto, mit dem Sie sich anmelden (E-Mail-Adresse)."
    ),
    "Not signed in, or the sign-in is no longer valid: sign in again (Generate token).": (
        "Nicht angemeldet, oder die Anmeldung ist nicht mehr gültig: Melden Sie sich erneut "
        "an (Token erzeugen)."
    ),
    "Not signed in yet.": "Noch nicht angemeldet.",
    "Give the client id of the app registered for Parley first.": (
        "Geben Sie zuerst die Client-ID der für Parley registrierten Anwendung an."
    ),
    "Waiting for you to sign in in the browser…": "Warte auf Ihre Anmeldung im Browser …",
    "Asking for a code…": "Code wird angefordert …",
    "Open {url} and enter the code {code}.": "Öffnen Sie {url} und geben Sie den Code {code} ein.",
    "Waiting for you to enter the code…": "Warte auf die Eingabe des Codes …",
    "Sign-in cancelled.": "Anmeldung abgebrochen.",
    "Sign-in failed: {reason}": "Anmeldung fehlgeschlagen: {reason}",
    "Signed in. The token is kept in the keyring.": (
        "Angemeldet. Das Token wird im Schlüsselbund aufbewahrt."
    ),
    "Signed in. Without a keyring the token is kept only until Parley ends.": (
        "Angemeldet. Ohne Schlüsselbund wird das Token nur bis zum Beenden von Parley aufbewahrt."
    ),
    "The sign-in server did not answer; check the network and try again.": (
        "Der Anmeldeserver hat nicht geantwortet; prüfen Sie das Netzwerk und versuchen Sie "
        "es erneut."
    ),
    "The sign-in server's answer could not be read.": (
        "Die Antwort des Anmeldeservers konnte nicht gelesen werden."
    ),
    "The provider does not accept this client id (or client secret); check them.": (
        "Der Anbieter akzeptiert diese Client-ID (oder dieses Client-Geheimnis) nicht; "
        "prüfen Sie sie."
    ),
    "The sign-in is no longer valid; sign in again.": (
        "Die Anmeldung ist nicht mehr gültig; melden Sie sich erneut an."
    ),
    "The provider refused the access Parley asks for.": (
        "Der Anbieter hat den Zugriff verweigert, den Parley erbittet."
    ),
    "The provider refused the sign-in.": "Der Anbieter hat die Anmeldung abgelehnt.",
    "the access was refused on the provider's page.": (
        "der Zugriff wurde auf der Seite des Anbieters abgelehnt."
    ),
    "the code expired; sign in again.": "der Code ist abgelaufen; melden Sie sich erneut an.",
}
