"""German for the local control API in the desktop app (issue #12)."""

STRINGS: dict[str, str] = {
    "Local control API": "Lokale Steuerschnittstelle",
    "Programs of your user (a CRM, a CTI tool) can dial, answer and follow calls over a "
    "connection on this computer; the port and the token are in control.json beside the "
    "settings file.": (
        "Programme Ihres Benutzers (ein CRM, ein CTI-Werkzeug) können über eine Verbindung "
        "auf diesem Computer wählen, Anrufe annehmen und verfolgen; Port und Token "
        "stehen in control.json neben der Einstellungsdatei."
    ),
    "Control API port": "Port der Steuerschnittstelle",
    "0: a free port, chosen at each start.": "0: ein freier Port, bei jedem Start gewählt.",
    "The control API cannot listen.": "Die Steuerschnittstelle kann nicht empfangen.",
}
