"""German for Media › "Automatic microphone selection" and the pop-ups for sound devices
that are plugged in or go away (issue #12)."""

STRINGS: dict[str, str] = {
    "A headset or microphone you plug in is used at once, in the running call too; when it "
    "goes away the devices above are used again.": "Ein angeschlossenes Headset oder Mikrofon "
    "wird sofort verwendet, auch im laufenden Gespräch; wird es getrennt, gelten wieder die "
    "Geräte oben.",
    "Show a notification when a headset or other sound device is plugged in or goes away.": (
        "Eine Benachrichtigung zeigen, wenn ein Headset oder ein anderes Audiogerät "
        "angeschlossen oder getrennt wird."
    ),
    "Audio device connected": "Audiogerät angeschlossen",
    "Audio device disconnected": "Audiogerät getrennt",
    "{device} is connected.": "{device} ist angeschlossen.",
    "{device} is connected and used for calls now.": (
        "{device} ist angeschlossen und wird jetzt für Gespräche verwendet."
    ),
    "{device} is gone.": "{device} ist getrennt.",
    "{device} is gone; calls use {other} now.": (
        "{device} ist getrennt; Gespräche verwenden jetzt {other}."
    ),
}
