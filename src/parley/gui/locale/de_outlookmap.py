"""German for the Outlook source's profile, its password and its Attribute page on the
settings' Contacts page (issue #10)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "Outlook profile": "Outlook-Profil",
    "Only for the Outlook program on Windows: Microsoft Graph does not use a profile. The "
    "password is the profile's (of its data file), not the mail password; it is kept in the "
    "keyring.": (
        "Nur für das Outlook-Programm unter Windows: Microsoft Graph verwendet kein Profil. "
        "Das Kennwort ist das des Profils (seiner Datendatei), nicht das E-Mail-Kennwort; es "
        "wird im Schlüsselbund aufbewahrt."
    ),
    "Empty: the default profile.": "Leer: das Standardprofil.",
    "Control Panel › Mail › Show Profiles lists the profiles.": (
        "Systemsteuerung › Mail › Profile anzeigen listet die Profile auf."
    ),
    "Profile": "Profil",
    "Password of the profile": "Kennwort des Profils",
    "Names of Microsoft Graph's contact properties (e.g. department, jobTitle); the Outlook "
    "program on Windows reads the same fields. Empty: not used.": (
        "Namen der Kontakteigenschaften von Microsoft Graph (z. B. department, jobTitle); "
        "das Outlook-Programm unter Windows liest dieselben Felder. Leer: nicht verwendet."
    ),
}
