"""Keyboard shortcuts as the settings file writes them: Qt's portable key-sequence text
("Return", "Esc", "Ctrl+Shift+E", "F5"), checked here without Qt so a misspelt key in
``settings.toml`` is reported when the file is loaded. Empty text: no shortcut."""

from __future__ import annotations

MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")

# Key names as Qt's QKeySequence writes them (PortableText), plus the long spellings Qt
# also reads. Letters, digits and printable characters are single characters.
NAMED_KEYS = frozenset(
    {
        "Esc", "Escape", "Tab", "Backtab", "Backspace", "Return", "Enter", "Ins", "Insert",
        "Del", "Delete", "Pause", "Print", "SysReq", "Home", "End", "Left", "Up", "Right",
        "Down", "PgUp", "PgDown", "CapsLock", "NumLock", "ScrollLock", "Menu", "Help",
        "Space", "Media Play", "Media Stop", "Media Pause", "Toggle Media Play/Pause",
        "Media Previous", "Media Next", "Volume Down", "Volume Up", "Volume Mute",
        "Microphone Mute", "Call", "Hangup", "ToggleCallHangup", "Go",
    }
)  # fmt: skip
FUNCTION_KEYS = frozenset(f"F{n}" for n in range(1, 36))


def check_key_sequence(value: str) -> str:
    """One key with optional modifiers ("Ctrl+Shift+E"); "" means off."""
    text = value.strip()
    if not text:
        return ""
    # "Ctrl++" is Ctrl with the plus key: split off the key first.
    if text.endswith("++"):
        head, key = text[:-2], "+"
    elif "+" in text[:-1]:
        head, _, key = text.rpartition("+")
    else:
        head, key = "", text
    mods = [m.strip() for m in head.split("+")] if head else []
    for mod in mods:
        if mod not in MODIFIERS:
            raise ValueError(
                f"{mod!r} is not a modifier key in {value!r}; use " + ", ".join(MODIFIERS)
            )
    if len(set(mods)) != len(mods):
        raise ValueError(f"a modifier is repeated in {value!r}")
    key = key.strip() if len(key.strip()) else key
    if not (
        (len(key) == 1 and key.isprintable() and not key.isspace())
        or key in NAMED_KEYS
        or key in FUNCTION_KEYS
    ):
        raise ValueError(
            f"{key!r} is not a key name in {value!r}; e.g. Return, Esc, F5, Ctrl+Shift+E"
        )
    return "+".join([*mods, key.upper() if len(key) == 1 else key])
