"""German for what the call view says during and after a call: muted and on hold
(gui/call_states.py), how a call ended (gui/call_end.py) and the emergency-number
warning (gui/emergency.py). English source text → German; merged by `parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # muted and on hold (gui/call_states.py)
    "Muted": "Stumm",
    "Muted: the other side hears nothing. Click to unmute.": (
        "Stummgeschaltet: Die Gegenseite hört nichts. Klicken, um das Mikrofon einzuschalten."
    ),
    "Microphone muted": "Mikrofon stumm",
    "Mute the microphone": "Mikrofon stummschalten",
    "On hold: click to resume the call": "Gehalten: Klicken, um das Gespräch fortzusetzen",
    # how a call ended (gui/call_end.py)
    "{name} hung up": "{name} hat aufgelegt",
    "You hung up": "Sie haben aufgelegt",
    "You cancelled the call": "Sie haben den Anruf abgebrochen",
    "{name} hung up before you answered": "{name} hat aufgelegt, bevor Sie annehmen konnten",
    "You declined the call": "Sie haben den Anruf abgelehnt",
    "{name} is busy": "{name} ist besetzt",
    "{name} declined the call": "{name} hat den Anruf abgelehnt",
    "{name} is not reachable": "{name} ist nicht erreichbar",
    "No answer from {name}": "{name} hat sich nicht gemeldet",
    "The call could not be made": "Der Anruf konnte nicht aufgebaut werden",
    # emergency numbers (gui/emergency.py)
    "Emergency call warning": "Warnung zu Notrufen",
    "{number} is an emergency number. Parley cannot guarantee emergency calls: the call "
    "may not get through and your location is not sent. If you can, use a mobile or "
    "landline phone.": (
        "{number} ist eine Notrufnummer. Parley kann Notrufe nicht garantieren: Der Anruf "
        "kommt eventuell nicht durch, und Ihr Standort wird nicht übermittelt. Nutzen Sie "
        "wenn möglich ein Mobil- oder Festnetztelefon."
    ),
}
