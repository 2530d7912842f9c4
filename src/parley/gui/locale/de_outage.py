"""German for calls that lose the network (issue #11 §6): the end of a call whose
audio stopped arriving (gui/texts.py)."""

STRINGS: dict[str, str] = {
    "Connection lost: no audio arrived": "Verbindung verloren: keine Sprachdaten mehr empfangen",
}
