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
}
