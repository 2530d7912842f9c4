"""German for presence, BLF, voicemail counts and instant messages (issue #9) and their
settings: English source text → German. Merged by `parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # presence selector and dots (gui/presence_view.py)
    "Online": "Online",
    "Invisible": "Unsichtbar",
    "Away": "Abwesend",
    "Offline": "Offline",
    "Lunch break": "Mittagspause",
    "On the phone": "Am Telefon",
    "Briefly absent": "Kurz abwesend",
    "Presence": "Präsenz",
    "Note:": "Notiz:",
    "e.g. back at 2 pm": "z. B. ab 14 Uhr zurück",
    "Your presence: {state}": "Ihre Präsenz: {state}",
    # voicemail counts
    "{account}: {new} new, {old} old": "{account}: {new} neu, {old} alt",
    "(urgent: {new} new, {old} old)": "(dringend: {new} neu, {old} alt)",
    "{account}: no voicemail report yet": "{account}: noch keine Mailbox-Meldung",
    "{account}: messages waiting": "{account}: Nachrichten vorhanden",
    "{account}: {new} new": "{account}: {new} neu",
    "Click to call the voicemail.": "Klicken, um die Mailbox anzurufen.",
    "Voicemail: {new} new": "Mailbox: {new} neu",
    # BLF panel (gui/blf_panel.py)
    "Lines (BLF)": "Leitungen (BLF)",
    "Free": "Frei",
    "Ringing": "Klingelt",
    "Unknown": "Unbekannt",
    "Ringing: {caller} calls": "Es klingelt: {caller} ruft an",
    "{state} with {caller}": "{state} mit {caller}",
    "Pick up": "Heranholen",
    "Take over the call ringing at {line}": "Den Anruf heranholen, der bei {line} klingelt",
    # chat (gui/chat_view.py, gui/features.py, gui/call_window.py)
    "Instant Messaging": "Instant Messaging",
    "Instant Messaging: {count} unread": "Instant Messaging: {count} ungelesen",
    "Send a message": "Nachricht senden",
    "Back to the call": "Zurück zum Gespräch",
    "Send": "Senden",
    "Sending…": "Wird gesendet…",
    "Sent": "Gesendet",
    "Delivered": "Zugestellt",
    "Not delivered": "Nicht zugestellt",
    "Not delivered: {reason}": "Nicht zugestellt: {reason}",
    "No messages yet. Write the first one below.": (
        "Noch keine Nachrichten. Schreiben Sie unten die erste."
    ),
    "Write a message (Enter sends, Shift+Enter: new line)": (
        "Nachricht schreiben (Eingabetaste sendet, Umschalt+Eingabe: neue Zeile)"
    ),
    "{name} is typing…": "{name} schreibt…",
    # pop-ups (gui/notifications.py)
    "Contact online": "Kontakt online",
    "{name} is now online.": "{name} ist jetzt online.",
    "New voicemail": "Neue Sprachnachricht",
    "A new voice message on {account}.": "Eine neue Sprachnachricht auf {account}.",
    "{count} new voice messages on {account}.": "{count} neue Sprachnachrichten auf {account}.",
    "Message from {name}": "Nachricht von {name}",
    # settings editors
    "Add": "Hinzufügen",
    "Remove": "Entfernen",
    "Move up": "Nach oben",
    "Move down": "Nach unten",
    # settings: account functions
    "MWI for incoming voice messages": "MWI für eingehende Sprachnachrichten",
    "Ask the server for the number of new and old voice messages and show them in the "
    "status bar (if the PBX supports it).": (
        "Beim Server die Zahl neuer und alter Sprachnachrichten abfragen und in der "
        "Statusleiste zeigen (wenn die TK-Anlage es unterstützt)."
    ),
    "Subscribe presence": "Präsenz abonnieren",
    "Show the presence of your contacts (e.g. Online, Busy).": (
        "Den Präsenzstatus Ihrer Kontakte anzeigen (z. B. Online, Besetzt)."
    ),
    "Publish presence": "Präsenz veröffentlichen",
    "Send your presence state to the server, so that others see it.": (
        "Ihren Präsenzstatus an den Server senden, damit andere ihn sehen."
    ),
    "Use BLF": "BLF verwenden",
    "Busy Lamp Field: show whether the lines below are free, ringing or busy, and pick "
    "up calls ringing there (if the PBX supports it).": (
        "Besetztlampenfeld: zeigen, ob die Leitungen unten frei sind, klingeln oder besetzt "
        "sind, und dort klingelnde Anrufe heranholen (wenn die TK-Anlage es unterstützt)."
    ),
    "BLF lines": "BLF-Leitungen",
    "Extensions or SIP addresses to watch, in the order shown.": (
        "Zu beobachtende Nebenstellen oder SIP-Adressen, in der angezeigten Reihenfolge."
    ),
    "Call pickup prefix": "Präfix für Anrufübernahme",
    "Dialled before a colleague's extension to pick up a call ringing there, e.g. *8; "
    "empty: the call is taken over directly.": (
        "Wird vor der Nebenstelle eines Kollegen gewählt, um einen dort klingelnden Anruf "
        "heranzuholen, z. B. *8; leer: der Anruf wird direkt übernommen."
    ),
    "Subscription expiry (seconds)": "Abonnement-Laufzeit (Sekunden)",
    "How long a subscription (presence, BLF, voicemail) lasts before it is renewed.": (
        "Wie lange ein Abonnement (Präsenz, BLF, Mailbox) gilt, bevor es erneuert wird."
    ),
    "Enable typing notification": "Tipp-Benachrichtigung aktivieren",
    "See when your chat partner is writing a message, and let them see yours.": (
        "Sehen, wenn Ihr Chatpartner eine Nachricht schreibt, und ihn Ihres sehen lassen."
    ),
    # settings: GUI behaviour, pop-ups and sounds
    "Focus window on incoming Instant Message": "Fenster bei eingehender Instant Message aktivieren",
    "Bring the window to the front when a message arrives.": (
        "Das Fenster nach vorn holen, wenn eine Nachricht eintrifft."
    ),
    "Window flashes on incoming Instant Message": "Fenster blinkt bei eingehender Instant Message",
    "The window flashes in the task bar when a message arrives.": (
        "Das Fenster blinkt in der Taskleiste, wenn eine Nachricht eintrifft."
    ),
    "When a contact goes online": "Wenn ein Kontakt online geht",
    "Show a notification when a contact you watch comes online.": (
        "Eine Benachrichtigung zeigen, wenn ein beobachteter Kontakt online geht."
    ),
    "For Instant Messages": "Für Instant Messages",
    "Show a notification when a message arrives.": (
        "Eine Benachrichtigung zeigen, wenn eine Nachricht eintrifft."
    ),
    "For new voicemails": "Für neue Sprachnachrichten",
    "Show a notification when a new voice message arrives.": (
        "Eine Benachrichtigung zeigen, wenn eine neue Sprachnachricht eintrifft."
    ),
    "Sounds": "Töne",
    "New Instant Message": "Neue Instant Message",
    "Play a sound when a message arrives.": "Einen Ton spielen, wenn eine Nachricht eintrifft.",
    "Play a sound when a new voice message arrives.": (
        "Einen Ton spielen, wenn eine neue Sprachnachricht eintrifft."
    ),
    # settings: presence functions
    "Presence state": "Präsenzstatus",
    "Your state as others see it; also chosen in the status bar.": (
        "Ihr Status, wie andere ihn sehen; auch in der Statusleiste wählbar."
    ),
    "Presence note": "Präsenznotiz",
    "A short note shown with your state, e.g. back at 2 pm.": (
        "Eine kurze Notiz zu Ihrem Status, z. B. ab 14 Uhr zurück."
    ),
    "Show 'On the phone' during calls": "Während Gesprächen „Am Telefon“ zeigen",
    "While a call is active others see 'On the phone'; afterwards your chosen state again "
    "(not when you are invisible or offline).": (
        "Während eines Gesprächs sehen andere „Am Telefon“, danach wieder Ihren gewählten "
        "Status (nicht, wenn Sie unsichtbar oder offline sind)."
    ),
    "Auto reject calls if status is set to": "Anrufe automatisch abweisen bei Status",
    "Incoming calls are rejected automatically while your presence state is one of those ticked.": (
        "Eingehende Anrufe werden automatisch abgewiesen, solange Ihr Präsenzstatus einer "
        "der angekreuzten ist."
    ),
}
