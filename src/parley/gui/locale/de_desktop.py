"""German for the desktop integration (autostart, links) and the event rules."""

STRINGS: dict[str, str] = {
    "Automation": "Automatisierung",
    "Start Parley with the operating system": "Parley mit dem Betriebssystem starten",
    "Parley starts when you log in.": "Parley startet, wenn Sie sich anmelden.",
    "Open callto, SIP and tel links with Parley": "Callto-, SIP- und Tel-Links mit Parley öffnen",
    "Links such as sip:1002@pbx or tel:+49301234567 on web pages and in other programs are "
    "dialled by Parley (Linux and Windows; on macOS the installed app declares them).": "Links "
    "wie sip:1002@pbx oder tel:+49301234567 auf Webseiten und in anderen Programmen wählt "
    "Parley (Linux und Windows; unter macOS meldet die installierte App sie an).",
    "Parley could not set up its desktop integration.": "Parley konnte die "
    "Desktop-Einbindung nicht einrichten.",
    "Parley could not dial {link}.": "Parley konnte {link} nicht wählen.",
    "Provisioning": "Provisionierung",
    "(provisioned)": "(provisioniert)",
    "Set by your provisioning server; changes here would be overwritten.": "Vom "
    "Provisionierungsserver gesetzt; Änderungen hier würden überschrieben.",
    "Provisioning URL": "Provisionierungs-URL",
    "Where Parley fetches its settings from (https://…).": "Von wo Parley seine "
    "Einstellungen holt (https://…).",
    "Provisioning user name": "Benutzername für die Provisionierung",
    "Usually your SIP user name.": "Meist Ihr SIP-Benutzername.",
    "Remember me": "Angemeldet bleiben",
    "Keep the provisioning password in the keyring.": "Das Provisionierungs-Passwort im "
    "Schlüsselbund speichern.",
    "Provision at every start": "Bei jedem Start provisionieren",
    "Fetch the settings again each time Parley starts.": "Die Einstellungen bei jedem Start "
    "von Parley neu holen.",
    "Provision again every (minutes)": "Erneut provisionieren alle (Minuten)",
    "0: only at start.": "0: nur beim Start.",
    "only at start": "nur beim Start",
    "Provisioning failed: the last good settings stay in force.": "Provisionierung "
    "fehlgeschlagen: Die zuletzt gültigen Einstellungen bleiben in Kraft.",
}
