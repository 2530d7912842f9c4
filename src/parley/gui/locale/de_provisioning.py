"""German for provisioning in the desktop app (first start from a server)."""

STRINGS: dict[str, str] = {
    "From a provisioning server…": "Von einem Provisionierungsserver …",
    "Settings from a provisioning server": "Einstellungen von einem Provisionierungsserver",
    "Your administrator may have given you an address to fetch all your settings from.": (
        "Vielleicht hat Ihnen Ihr Administrator eine Adresse gegeben, von der Parley alle "
        "Einstellungen holt."
    ),
    "Fetch settings": "Einstellungen holen",
    "Fetching your settings…": "Ihre Einstellungen werden geholt …",
    "Your settings were fetched.": "Ihre Einstellungen wurden geholt.",
    "Provisioning failed.": "Die Provisionierung ist fehlgeschlagen.",
    "Enter the provisioning URL.": "Geben Sie die Provisionierungs-URL ein.",
    "The URL starts with http://: use https:// (ask your administrator).": "Die URL beginnt "
    "mit http://: Verwenden Sie https:// (fragen Sie Ihren Administrator).",
    "This is not a web address (https://…).": "Das ist keine Webadresse (https://…).",
    "The server could not be reached: check the address and the network.": "Der Server ist "
    "nicht erreichbar: Prüfen Sie die Adresse und das Netzwerk.",
    "The server did not answer in time; try again later.": "Der Server hat nicht rechtzeitig "
    "geantwortet; versuchen Sie es später erneut.",
    "The server's certificate is not trusted; ask your administrator.": "Dem Zertifikat des "
    "Servers wird nicht vertraut; fragen Sie Ihren Administrator.",
    "The user name or password was refused.": "Benutzername oder Passwort wurden abgelehnt.",
    "The server has no profile at this address.": "Unter dieser Adresse hat der Server kein "
    "Profil.",
    "The server answered with an error; try again later.": "Der Server hat mit einem Fehler "
    "geantwortet; versuchen Sie es später erneut.",
    "The server redirects in a loop; tell your administrator.": "Der Server leitet im Kreis "
    "um; informieren Sie Ihren Administrator.",
    "The profile is too large; tell your administrator.": "Das Profil ist zu groß; "
    "informieren Sie Ihren Administrator.",
    "The profile is not text; tell your administrator.": "Das Profil ist kein Text; "
    "informieren Sie Ihren Administrator.",
    "The profile is broken; tell your administrator.": "Das Profil ist fehlerhaft; "
    "informieren Sie Ihren Administrator.",
    "The profile has settings Parley cannot use; tell your administrator.": "Das Profil "
    "enthält Einstellungen, die Parley nicht verwenden kann; informieren Sie Ihren "
    "Administrator.",
    "The settings could not be saved.": "Die Einstellungen konnten nicht gespeichert werden.",
}
